//! Run the fake API server on its own: for benchmarks, for trying the plugin without a
//! cluster, and for poking at it with the real kubectl.
//!
//!     fake-apiserver --kubeconfig /tmp/kc --simulate tests/fixtures/*.yaml
//!     KUBECONFIG=/tmp/kc kubectl kruise rollout list

use std::path::PathBuf;

use clap::Parser;
use fake_apiserver::FakeApi;
use fake_apiserver::sim::Controller;
use serde_json::{Value, json};

/// A small stateful Kubernetes API server on loopback, serving Kruise Rollouts.
#[derive(Parser)]
struct Args {
    /// Objects to load (YAML or JSON, one object per file)
    files: Vec<PathBuf>,

    /// Write a kubeconfig for this server here
    #[arg(long)]
    kubeconfig: Option<PathBuf>,

    /// Rollout API versions to serve, preferred first
    #[arg(long, value_delimiter = ',', default_value = "v1beta1,v1alpha1")]
    rollout_versions: Vec<String>,

    /// Also store N numbered copies (NAME-00001, ...) of each Rollout loaded, for load tests
    #[arg(long, default_value_t = 0)]
    copies: usize,

    /// Also serve KubeVela's kinds (AppRollout, Application, ApplicationRevision, the trait's
    /// standard.oam.dev Rollout)
    #[arg(long)]
    kubevela: bool,

    /// Run a simulated Kruise controller for each v1beta1 Rollout loaded, reconciling every
    /// MS milliseconds: releases move through their steps and wait for approvals
    /// (The value needs `=`: `--simulate tests/fixtures/*.yaml` loads the files.)
    #[arg(
        long,
        value_name = "MS",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "500"
    )]
    simulate: Option<u64>,
}

/// Every document of a YAML (or JSON) file.
fn load(path: &PathBuf) -> Result<Vec<Value>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_saphyr::from_multiple::<Value>(&text)
        .map(|docs| docs.into_iter().filter(|d| !d.is_null()).collect())
        .map_err(|e| format!("{}: {e}", path.display()))
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let api = FakeApi::new();
    let versions: Vec<&str> = args.rollout_versions.iter().map(String::as_str).collect();
    api.serve_rollouts(&versions);
    if args.kubevela {
        api.serve_kubevela();
    }
    let mut objects = Vec::new();
    for path in &args.files {
        match load(path) {
            Ok(docs) => objects.extend(docs),
            Err(e) => {
                eprintln!("error: {e}");
                return std::process::ExitCode::from(2);
            }
        }
    }
    for obj in objects {
        if obj["kind"] == "Rollout" {
            for i in 1..=args.copies {
                let mut copy = obj.clone();
                copy["metadata"]["name"] = json!(format!(
                    "{}-{i:05}",
                    obj["metadata"]["name"].as_str().unwrap_or("r")
                ));
                api.insert(copy);
            }
        }
        api.insert(obj);
    }
    let mut controllers = Vec::new();
    if let Some(ms) = args.simulate {
        let every = std::time::Duration::from_millis(ms.max(10));
        let rollouts = api.list("rollouts.kruise.io", "rollouts");
        for r in rollouts
            .iter()
            .filter(|r| r["apiVersion"] == "rollouts.kruise.io/v1beta1")
        {
            let ns = r["metadata"]["namespace"].as_str().unwrap_or("default");
            let name = r["metadata"]["name"].as_str().unwrap_or_default();
            controllers.push(Controller::new(&api, ns, name).spawn(every));
        }
    }
    let server = api.spawn();
    if let Some(path) = &args.kubeconfig
        && let Err(e) = std::fs::write(path, server.kubeconfig())
    {
        eprintln!("error: {}: {e}", path.display());
        return std::process::ExitCode::from(1);
    }
    println!("serving on {}", server.url());
    // Serve until killed.
    loop {
        std::thread::park();
    }
}
