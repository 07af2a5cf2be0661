//! `cargo xtask screenshots`: the dashboard's pictures in docs/images, taken from the
//! sandbox by headless Chromium (Debian's `chromium`).

use std::io::BufRead;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use anyhow::{Context, Result, ensure};

/// Kills the child when dropped.
struct Running(Child);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.kill().ok();
        self.0.wait().ok();
    }
}

fn first_line(child: &mut Child) -> Result<String> {
    let out = child.stdout.as_mut().context("no stdout")?;
    let mut line = String::new();
    std::io::BufReader::new(out).read_line(&mut line)?;
    Ok(line.trim().to_string())
}

/// Take the pictures: the fleet page (light and dark) and the release page of `web`.
pub fn take(bin: &Path, root: &Path) -> Result<()> {
    let dir = tempfile_dir()?;
    let kubeconfig = dir.join("kubeconfig");
    let mut server = Running(
        Command::new(bin.join("fake-apiserver"))
            .args(["--sandbox", "--kubeconfig"])
            .arg(&kubeconfig)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .context("cannot start the sandbox")?,
    );
    ensure!(
        first_line(&mut server.0)?.starts_with("export KUBECONFIG="),
        "the sandbox did not start"
    );
    let mut dashboard = Running(
        Command::new(bin.join("kubectl-kruise"))
            .args(["dashboard", "--no-browser", "--port", "0"])
            .env("KUBECONFIG", &kubeconfig)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .context("cannot start the dashboard")?,
    );
    let url = first_line(&mut dashboard.0)?;
    let (base, secret) = url
        .split_once("/#secret=")
        .context("the dashboard printed no URL")?;
    // The simulated controllers move the releases for a few seconds first.
    std::thread::sleep(std::time::Duration::from_secs(4));
    let images = root.join("docs/images");
    std::fs::create_dir_all(&images)?;
    let shots = [
        ("dashboard-fleet.png", url.clone(), "1"),
        ("dashboard-fleet-dark.png", url.clone(), "0"),
        (
            "dashboard-release.png",
            format!("{base}/#/r//rollout.rollouts.kruise.io/default/web&secret={secret}"),
            "1",
        ),
    ];
    for (name, page, scheme) in shots {
        let profile = dir.join(format!("profile-{name}"));
        let status = Command::new("chromium")
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--window-size=1280,760",
                "--virtual-time-budget=4000",
                // Blink's preferred color scheme: 0 dark, 1 light.
                &format!("--blink-settings=preferredColorScheme={scheme}"),
            ])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg(format!("--screenshot={}", images.join(name).display()))
            .arg(&page)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .context("cannot run chromium (Debian's package: apt-get install chromium)")?;
        ensure!(status.success(), "chromium failed on {name}");
        eprintln!("wrote docs/images/{name}");
    }
    std::fs::remove_dir_all(&dir).ok();
    Ok(())
}

fn tempfile_dir() -> Result<std::path::PathBuf> {
    let dir = std::env::temp_dir().join(format!("kruise-screenshots-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}
