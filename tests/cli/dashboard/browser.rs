//! The dashboard in a real browser: Debian's Chromium driven over WebDriver (chromedriver),
//! against the fake API server. Skipped with a note where Chromium or chromedriver is
//! missing, except under CI=true.

use std::future::Future;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{Value, json};

use super::{Dashboard, changes, cluster};
use crate::harness::{Env, tool};

/// chromedriver on a free port, stopped when dropped.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        self.0.kill().ok();
        self.0.wait().ok();
    }
}

/// Run `test` with a fresh headless Chromium, or skip (see [`tool`]).
pub fn with_browser<F, Fut>(what: &str, test: F)
where
    F: FnOnce(Client) -> Fut,
    Fut: Future<Output = ()>,
{
    let (Some(chromium), Some(driver)) = (tool("chromium", what), tool("chromedriver", what))
    else {
        return;
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let _driver = Driver(
        Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver"),
    );
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "chromedriver did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    let profile = tempfile::tempdir().unwrap();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let mut caps = serde_json::Map::new();
        caps.insert(
            "goog:chromeOptions".into(),
            json!({
                "binary": chromium,
                // As root in a container, without a GPU, on a closed network.
                "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                    "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync",
                    "--window-size=1280,900",
                    format!("--user-data-dir={}", profile.path().display())],
            }),
        );
        let client = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
            .expect("a WebDriver session");
        test(client.clone()).await;
        client.close().await.ok();
    });
}

/// Evaluate `script` (a function body returning a value) in the page.
pub async fn js(c: &Client, script: &str) -> Value {
    c.execute(script, vec![]).await.expect("script runs")
}

/// Wait (at most `limit`) until `script` returns true; how long it took.
pub async fn until(c: &Client, what: &str, script: &str, limit: Duration) -> Duration {
    let t = Instant::now();
    loop {
        if js(c, script).await == Value::Bool(true) {
            return t.elapsed();
        }
        if t.elapsed() > limit {
            let body = js(c, "return document.body.innerText").await;
            panic!(
                "timed out waiting for {what}; the page says:\n{}",
                body.as_str().unwrap_or_default()
            );
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

const SECOND: Duration = Duration::from_secs(1);

fn rows_script(n: usize) -> String {
    format!("return document.querySelectorAll('#fleet-body tr[data-id]').length === {n}")
}

/// An element's text, read in one step (the page may redraw between two).
async fn text(c: &Client, css: &str) -> String {
    let v = c
        .execute(
            "const e = document.querySelector(arguments[0]); return e ? e.innerText : null",
            vec![json!(css)],
        )
        .await
        .unwrap();
    v.as_str().unwrap_or_else(|| panic!("no {css}")).to_string()
}

/// Click an action's button; its confirmation dialog opens.
async fn ask(c: &Client, button: &str) {
    click(c, button).await;
    until(
        c,
        "the dialog",
        "return document.getElementById('confirm').open",
        SECOND,
    )
    .await;
}

/// Click as a person does (WebDriver's click), finding the element again if the page
/// redrew it meanwhile.
async fn click(c: &Client, css: &str) {
    for _ in 0..5 {
        let e = c.find(Locator::Css(css)).await.expect(css);
        match e.click().await {
            Ok(()) => return,
            Err(fantoccini::error::CmdError::Standard(w))
                if w.error == fantoccini::error::ErrorStatus::StaleElementReference => {}
            Err(e) => panic!("click {css}: {e}"),
        }
    }
    panic!("{css} kept being redrawn");
}

async fn keys(c: &Client, keys: &str) {
    c.find(Locator::Css("body"))
        .await
        .unwrap()
        .send_keys(keys)
        .await
        .unwrap();
}

#[test]
fn the_fleet_page_lists_filters_follows_and_moves_by_keyboard() {
    let env = cluster();
    let d = Dashboard::start(&env, &[]);
    with_browser("the dashboard's fleet page", |c| async move {
        c.goto(&d.url).await.unwrap();
        until(&c, "two rows", &rows_script(2), 5 * SECOND).await;
        // The secret left the address bar at once.
        assert!(!c.current_url().await.unwrap().as_str().contains("secret"));
        // What needs a person first: rollouts-nginx waits for approval.
        let first = text(&c, "#fleet-body tr[data-id]").await;
        assert!(
            first.contains("rollouts-nginx") && first.contains("WaitingForApproval"),
            "{first}"
        );
        let heads = text(&c, "#fleet-head").await;
        let heads = heads.split_whitespace().collect::<Vec<_>>().join(" ");
        assert!(
            heads.starts_with("KIND NAMESPACE NAME WORKLOAD STRATEGY STEP STATE READY PHASE AGE"),
            "{heads}"
        );
        // The same count line as `list --watch`.
        let counts = text(&c, "#counts").await;
        assert_eq!(counts, "2 rollouts: 2 waiting for approval");

        // `/` filters; the filter is kept in the URL.
        keys(&c, "/").await;
        c.active_element()
            .await
            .unwrap()
            .send_keys("shop")
            .await
            .unwrap();
        until(&c, "one row", &rows_script(1), 2 * SECOND).await;
        assert!(c.current_url().await.unwrap().as_str().contains("q=shop"));
        assert!(text(&c, "#fleet-body").await.contains("shop"));
        js(&c, "const f = document.getElementById('filter'); f.value = 'ns:default state:waiting nginx'; \
                f.dispatchEvent(new Event('input')); return true").await;
        until(&c, "the nginx row", &rows_script(1), 2 * SECOND).await;
        assert_eq!(
            text(&c, "#counts").await,
            "2 rollouts: 2 waiting for approval (1 shown)"
        );
        assert!(text(&c, "#fleet-body").await.contains("rollouts-nginx"));
        js(
            &c,
            "const f = document.getElementById('filter'); f.value = ''; \
                f.dispatchEvent(new Event('input')); f.blur(); return true",
        )
        .await;
        until(&c, "two rows again", &rows_script(2), 2 * SECOND).await;

        // A change on the server is on the screen within 2 s.
        env.modify_rollout("rollouts-nginx", |r| {
            r["status"]["canaryStatus"]["currentStepIndex"] = json!(2);
            r["status"]["currentStepIndex"] = json!(2);
        });
        let took = until(
            &c,
            "step 2/3 on screen",
            "return document.querySelector('#fleet-body tr[data-id]').innerText.includes('2/3')",
            2 * SECOND,
        )
        .await;
        eprintln!("a server change reached the screen in {took:?}");

        // j / k move, Enter opens; Escape comes back.
        js(
            &c,
            "document.getElementById('scroller').focus(); return true",
        )
        .await;
        keys(&c, "j").await;
        until(
            &c,
            "the second row selected",
            "return document.querySelectorAll('#fleet-body tr.selected')[0] === \
             document.querySelectorAll('#fleet-body tr[data-id]')[1]",
            SECOND,
        )
        .await;
        keys(&c, "k").await;
        keys(&c, "\u{E007}").await; // Enter
        until(
            &c,
            "the release page",
            "return document.getElementById('r-title').innerText === 'default/rollouts-nginx'",
            5 * SECOND,
        )
        .await;
        until(
            &c,
            "its state",
            "return document.getElementById('r-state').innerText.includes('step 2/3')",
            5 * SECOND,
        )
        .await;
        keys(&c, "\u{E00C}").await; // Escape
        until(&c, "the fleet again", &rows_script(2), 2 * SECOND).await;

        // A release that no longer needs a person moves down: shop is first now.
        env.modify_rollout("rollouts-nginx", |r| {
            r["status"]["canaryStatus"]["currentStepState"] = json!("StepUpgrade");
        });
        until(
            &c,
            "shop first",
            "const r = document.querySelectorAll('#fleet-body tr[data-id]'); \
             return r.length === 2 && r[0].innerText.includes('shop') && \
             r[1].innerText.includes('rollouts-nginx')",
            2 * SECOND,
        )
        .await;
    });
}

#[test]
fn an_action_asks_first_then_writes_exactly_what_the_cli_writes() {
    let env = cluster();
    let d = Dashboard::start(&env, &[]);
    with_browser("the dashboard's actions", |c| async move {
        c.goto(&d.release_url("rollouts-nginx")).await.unwrap();
        let approve = "button[data-verb=approve]";
        until(
            &c,
            "the Approve button",
            &format!("const b = document.querySelector('{approve}'); return !!b && !b.disabled"),
            5 * SECOND,
        )
        .await;
        let names = js(
            &c,
            "return [...document.querySelectorAll('#r-actions button')].map(b => b.innerText)",
        )
        .await;
        assert_eq!(
            names,
            json!(["Approve", "Pause", "Resume", "Undo", "Restart"])
        );
        // The page shows the steps, the pods' section and the Events' section.
        assert!(
            text(&c, "#r-steps")
                .await
                .contains("1. 1 pod, waits for approval — current")
        );

        // Asked first: Cancel writes nothing.
        ask(&c, approve).await;
        assert_eq!(
            text(&c, "#confirm-cmd").await,
            "kubectl kruise rollout approve rollout/rollouts-nginx -n default --expect-step=1"
        );
        assert_eq!(text(&c, "#confirm-go").await, "Approve");
        click(&c, "#confirm-cancel").await;
        until(
            &c,
            "the dialog closed",
            "return !document.getElementById('confirm').open",
            SECOND,
        )
        .await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert!(changes(&env).is_empty(), "{:?}", changes(&env));

        // Confirmed: the one conditional status write `rollout approve` makes, and its Event.
        ask(&c, approve).await;
        click(&c, "#confirm-go").await;
        until(&c, "the result",
            "const t = document.getElementById('r-result').innerText; return t !== '' && !t.includes('running')",
            5 * SECOND).await;
        let said = text(&c, "#r-result").await;
        assert!(said.contains("approved"), "{said}");
        let writes = changes(&env);
        assert_eq!(writes.len(), 1, "{writes:?}");
        assert!(writes[0].path.ends_with("/rollouts/rollouts-nginx/status"));
        assert!(writes[0].body.contains("resourceVersion"));
        assert!(
            writes[0]
                .user_agent
                .starts_with("kubectl-kruise-dashboard/")
        );
        assert_eq!(env.events().len(), 1);

        // Undo shows the server's dry run of its write before asking.
        click(&c, "button[data-verb=undo]").await;
        until(&c, "the dry run",
            "const p = document.getElementById('confirm-preview'); return !p.hidden && !p.innerText.includes('asking')",
            5 * SECOND).await;
        let preview = text(&c, "#confirm-preview").await;
        assert!(preview.contains("server dry run"), "{preview}");
        click(&c, "#confirm-cancel").await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        assert_eq!(changes(&env).len(), 1, "the dry run changed nothing");
        let dry: Vec<_> = env
            .writes()
            .into_iter()
            .filter(|w| w.query.contains("dryRun=All"))
            .collect();
        assert_eq!(dry.len(), 1, "{dry:?}");
        assert_eq!(dry[0].method, "PATCH");
    });
}

#[test]
fn a_button_the_user_may_not_use_is_disabled_with_its_reason() {
    let env: Env = cluster();
    let viewer = super::viewer(&env, "list,status,pause,resume");
    let d = Dashboard::start(&env, &["--as", viewer]);
    with_browser("the dashboard's disabled buttons", |c| async move {
        c.goto(&d.release_url("rollouts-nginx")).await.unwrap();
        until(
            &c,
            "the buttons",
            "return document.querySelectorAll('#r-actions button').length === 5",
            5 * SECOND,
        )
        .await;
        let state = js(&c, "return [...document.querySelectorAll('#r-actions button')].map(b => [b.innerText, b.disabled])").await;
        assert_eq!(
            state,
            json!([
                ["Approve", true],
                ["Pause", false],
                ["Resume", false],
                ["Undo", true],
                ["Restart", true]
            ])
        );
        let why = text(&c, "#why-approve").await;
        assert!(why.starts_with("you may not approve this release: no right to patch rollouts/status.rollouts.kruise.io/rollouts-nginx"), "{why}");
        let described = js(&c, "return document.querySelector('button[data-verb=approve]').getAttribute('aria-describedby')").await;
        assert_eq!(described, "why-approve");
    });
}

#[test]
fn read_only_offers_no_action_and_a_stopped_server_is_said() {
    let env = cluster();
    let d = Dashboard::start(&env, &["--read-only"]);
    with_browser("the dashboard's read-only page", |c| async move {
        c.goto(&d.release_url("rollouts-nginx")).await.unwrap();
        until(
            &c,
            "the page",
            "return document.getElementById('r-state').innerText.includes('WaitingForApproval')",
            5 * SECOND,
        )
        .await;
        assert_eq!(
            js(
                &c,
                "return document.querySelectorAll('#r-actions button').length"
            )
            .await,
            0
        );
        assert!(text(&c, "#r-actions").await.contains("Read-only"));
        // The server goes away: the page says so.
        d.interrupt(Duration::from_secs(5));
        until(
            &c,
            "the lost connection",
            "return document.getElementById('conn').innerText.includes('connection lost')",
            5 * SECOND,
        )
        .await;
    });
}

#[test]
fn without_the_secret_the_page_says_how_to_open_it() {
    let env = cluster();
    let d = Dashboard::start(&env, &[]);
    with_browser("the dashboard's locked page", |c| async move {
        c.goto(&format!("{}/", d.base)).await.unwrap();
        until(
            &c,
            "the lock",
            "return !document.getElementById('locked').hidden",
            5 * SECOND,
        )
        .await;
        assert!(
            text(&c, "#locked")
                .await
                .contains("kubectl kruise dashboard")
        );
        assert!(
            js(&c, "return document.getElementById('fleet-view').hidden").await
                == Value::Bool(true)
        );
    });
}
