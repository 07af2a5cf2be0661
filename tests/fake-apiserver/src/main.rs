//! Run the fake API server on its own: for benchmarks, for trying the plugin without a
//! cluster, and for poking at it with the real kubectl.
//!
//!     fake-apiserver --sandbox        # prints the `export KUBECONFIG=...` line to paste
//!     fake-apiserver --kubeconfig /tmp/kc --simulate tests/fixtures/*.yaml
//!     KUBECONFIG=/tmp/kc kubectl kruise rollout list

use std::path::{Path, PathBuf};

use clap::Parser;
use fake_apiserver::FakeApi;
use fake_apiserver::sim::Controller;
use fake_apiserver::sim_vela::VelaController;
use fake_apiserver::sim_workloads::WorkloadController;
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

    /// Run a simulated controller for each v1beta1 Kruise Rollout, AppRollout and trait Rollout
    /// loaded, reconciling every MS milliseconds: releases move through their steps and wait
    /// for approvals
    /// (The value needs `=`: `--simulate tests/fixtures/*.yaml` loads the files.)
    #[arg(
        long,
        value_name = "MS",
        num_args = 0..=1,
        require_equals = true,
        default_missing_value = "500"
    )]
    simulate: Option<u64>,

    /// A sandbox in one command: the demo releases built into this binary (a three-batch
    /// canary, a blue-green, a v1alpha1 rollout, workloads of every kind, KubeVela's kinds),
    /// simulated controllers moving them, and a kubeconfig in the temp directory (or at
    /// --kubeconfig). Prints the `export KUBECONFIG=...` line to paste; Ctrl-C stops it and
    /// removes the kubeconfig
    #[arg(long)]
    sandbox: bool,

    /// Serve over TLS (HTTP/2 and HTTP/1.1) with a new CA, which the kubeconfig trusts
    #[arg(long)]
    tls: bool,

    /// Put an emulated network link in front of the server and point the kubeconfig at it:
    /// ROUND_TRIP[/RATE], e.g. 40ms/50mbit. Its byte counts are reported at /fake/requests
    #[arg(long, value_name = "SPEC", value_parser = fake_apiserver::link::LinkSpec::parse)]
    link: Option<fake_apiserver::link::LinkSpec>,

    /// Also be a KubeVela hub of these member clusters (ClusterGateway), each with the seed
    /// release waiting at step 1 (and its controller with --simulate); the kubeconfig gets a
    /// context per member, through the hub's proxy path. The sandbox has prod-eu, prod-us and
    /// prod-asia
    #[arg(long, value_name = "NAME[,NAME...]", value_delimiter = ',')]
    members: Vec<String>,

    /// Serve N clusters instead of one (c01, c02, ...), each on its own port with the objects
    /// loaded, and a kubeconfig context for each; --link goes in front of c01 only. For the
    /// many-clusters benchmark
    #[arg(long, value_name = "N", default_value_t = 0)]
    clusters: usize,

    /// With --clusters: also this many contexts (down01, ...) whose server accepts
    /// connections and never answers
    #[arg(long, value_name = "N", default_value_t = 0)]
    silent_contexts: usize,
}

/// How a KubeVela controller is made for one object (namespace, name).
type NewVela = fn(&FakeApi, &str, &str) -> VelaController;

/// Every document of a YAML (or JSON) file.
fn load(path: &PathBuf) -> Result<Vec<Value>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    parse(&path.display().to_string(), &text)
}

fn parse(name: &str, text: &str) -> Result<Vec<Value>, String> {
    serde_saphyr::from_multiple::<Value>(text)
        .map(|docs| docs.into_iter().filter(|d| !d.is_null()).collect())
        .map_err(|e| format!("{name}: {e}"))
}

/// `path` as one shell word, so the printed line pastes as is.
fn shell_word(path: &Path) -> String {
    let text = path.display().to_string();
    if text
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "/._-+:,".contains(c))
    {
        text
    } else {
        format!("'{}'", text.replace('\'', r"'\''"))
    }
}

/// Block until SIGINT (Ctrl-C) or SIGTERM.
fn wait_for_stop() {
    let Ok(rt) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        return;
    };
    rt.block_on(async {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            if let Ok(mut term) = signal(SignalKind::terminate()) {
                tokio::select! {
                    _ = tokio::signal::ctrl_c() => {}
                    _ = term.recv() => {}
                }
                return;
            }
        }
        tokio::signal::ctrl_c().await.ok();
    });
}

/// Store the objects, and `copies` numbered copies of each Rollout.
fn load_into(api: &FakeApi, objects: &[Value], copies: usize) {
    for obj in objects {
        if obj["kind"] == "Rollout" {
            for i in 1..=copies {
                let mut copy = obj.clone();
                copy["metadata"]["name"] = json!(format!(
                    "{}-{i:05}",
                    obj["metadata"]["name"].as_str().unwrap_or("r")
                ));
                api.insert(copy);
            }
        }
        api.insert(obj.clone());
    }
}

/// `--clusters N`: N servers in this process, a context each, and silent contexts.
fn serve_clusters(args: &Args, objects: &[Value]) -> std::process::ExitCode {
    let versions: Vec<&str> = args.rollout_versions.iter().map(String::as_str).collect();
    let mut servers = Vec::new();
    let mut links = Vec::new();
    let mut contexts = Vec::new();
    for i in 1..=args.clusters {
        let api = FakeApi::new();
        api.serve_rollouts(&versions);
        load_into(&api, objects, args.copies);
        let server = api.spawn();
        let url = match (&args.link, i) {
            (Some(spec), 1) => {
                let link = fake_apiserver::link::Link::spawn(server.addr, *spec);
                let url = format!("http://{}", link.addr);
                links.push(link);
                url
            }
            _ => server.url(),
        };
        let name = format!("c{i:02}");
        println!("cluster {name} {url}");
        contexts.push((name, url));
        servers.push((api, server));
    }
    let silent = std::net::TcpListener::bind("127.0.0.1:0").ok();
    if let Some(l) = &silent {
        let url = format!(
            "http://{}",
            l.local_addr().map(|a| a.to_string()).unwrap_or_default()
        );
        for i in 1..=args.silent_contexts {
            contexts.push((format!("down{i:02}"), url.clone()));
        }
    }
    if let Some(path) = &args.kubeconfig
        && let Err(e) = std::fs::write(path, fake_apiserver::kubeconfig_of_contexts(&contexts))
    {
        eprintln!("error: {}: {e}", path.display());
        return std::process::ExitCode::from(1);
    }
    println!("serving {} clusters", args.clusters);
    loop {
        std::thread::park();
    }
}

fn main() -> std::process::ExitCode {
    let args = Args::parse();
    let api = FakeApi::new();
    let versions: Vec<&str> = args.rollout_versions.iter().map(String::as_str).collect();
    api.serve_rollouts(&versions);
    if args.kubevela || args.sandbox {
        api.serve_kubevela();
    }
    if args.sandbox {
        // As a cluster with Kruise installed: its webhook converts between the versions.
        api.convert_rollouts();
        // Argo's analysis templates, for `analyze` and `autopilot`.
        api.serve_argo_analysis();
        // Least-privilege grants can be tried: impersonated users (`--as`) are authorized
        // by the RBAC objects applied, and admission policies are applied to writes.
        api.serve_rbac().enforce_rbac();
    }
    let mut objects = Vec::new();
    if args.sandbox {
        for (name, text) in fake_apiserver::demo::FILES {
            match parse(name, text) {
                Ok(docs) => objects.extend(docs),
                Err(e) => {
                    eprintln!("error: {e}");
                    return std::process::ExitCode::from(2);
                }
            }
        }
    }
    for path in &args.files {
        match load(path) {
            Ok(docs) => objects.extend(docs),
            Err(e) => {
                eprintln!("error: {e}");
                return std::process::ExitCode::from(2);
            }
        }
    }
    if args.clusters > 0 {
        return serve_clusters(&args, &objects);
    }
    load_into(&api, &objects, args.copies);
    let mut controllers = Vec::new();
    let simulate = args.simulate.or(args.sandbox.then_some(500));
    let members = if args.members.is_empty() && args.sandbox {
        ["prod-eu", "prod-us", "prod-asia"]
            .map(String::from)
            .to_vec()
    } else {
        args.members.clone()
    };
    if !members.is_empty() {
        let mut served = Vec::new();
        for name in &members {
            let member = FakeApi::new();
            member.serve_rollouts(&["v1beta1", "v1alpha1"]);
            for (file, text) in &fake_apiserver::demo::FILES[..2] {
                for doc in parse(file, text).unwrap_or_default() {
                    member.insert(doc);
                }
            }
            if let Some(ms) = simulate {
                let every = std::time::Duration::from_millis(ms.max(10));
                controllers
                    .push(Controller::new(&member, "default", "rollouts-nginx").spawn(every));
                controllers.push(WorkloadController::new(&member).spawn(every));
            }
            served.push((name.as_str(), Some(member)));
        }
        api.serve_members(fake_apiserver::hub::HubKind::ClusterGateway, served);
    }
    if let Some(ms) = simulate {
        let every = std::time::Duration::from_millis(ms.max(10));
        // Workloads with a status that follows their pods (`status deployment/nginx`,
        // `kubectl get deploy`).
        controllers.push(WorkloadController::new(&api).spawn(every));
        let rollouts = api.list("rollouts.kruise.io", "rollouts");
        for r in rollouts
            .iter()
            .filter(|r| r["apiVersion"] == "rollouts.kruise.io/v1beta1")
        {
            let ns = r["metadata"]["namespace"].as_str().unwrap_or("default");
            let name = r["metadata"]["name"].as_str().unwrap_or_default();
            controllers.push(Controller::new(&api, ns, name).spawn(every));
        }
        let vela: [(&str, &str, NewVela); 2] = [
            ("core.oam.dev", "approllouts", VelaController::app_rollout),
            (
                "standard.oam.dev",
                "rollouts",
                VelaController::trait_rollout,
            ),
        ];
        for (group, plural, controller) in vela {
            for r in api.list(group, plural) {
                let ns = r["metadata"]["namespace"].as_str().unwrap_or("default");
                let name = r["metadata"]["name"].as_str().unwrap_or_default();
                controllers.push(controller(&api, ns, name).spawn(every));
            }
        }
    }
    let (server, ca) = if args.tls {
        let (ca, cert, key) = fake_apiserver::certs(&["localhost", "127.0.0.1"]);
        (api.spawn_tls(&cert, &key), Some(ca))
    } else {
        (api.spawn(), None)
    };
    let link = args.link.map(|spec| {
        let link = fake_apiserver::link::Link::spawn(server.addr, spec);
        api.report_link(link.counters.clone());
        link
    });
    let client_url = match &link {
        Some(l) => format!("{}://{}", if args.tls { "https" } else { "http" }, l.addr),
        None => server.url(),
    };
    let kubeconfig = args.kubeconfig.clone().or(args.sandbox.then(|| {
        std::env::temp_dir().join(format!("kruise-sandbox-{}.kubeconfig", std::process::id()))
    }));
    if let Some(path) = &kubeconfig
        && let Err(e) = std::fs::write(
            path,
            fake_apiserver::kubeconfig_with_members(&client_url, ca.as_deref(), &members),
        )
    {
        eprintln!("error: {}: {e}", path.display());
        return std::process::ExitCode::from(1);
    }
    if let (true, Some(path)) = (args.sandbox, &kubeconfig) {
        // stdout holds only the lines to paste (or to `eval`); the guide goes to stderr. The
        // metrics source answers the analysis templates' Prometheus queries.
        println!("export KUBECONFIG={}", shell_word(path));
        println!(
            "export ARGO_ROLLOUTS_PROMETHEUS_ADDRESS={}/fake/prometheus",
            server.url()
        );
        eprintln!(
            "sandbox serving on {} with simulated controllers; paste the line above, then try:\n  \
             kubectl kruise rollout list -A\n  \
             kubectl kruise rollout approve rollouts-nginx --expect-step=1 --wait\n  \
             kubectl kruise rollout status approllout/rolling-example\n\
             Ctrl-C stops it and removes {}",
            server.url(),
            path.display()
        );
        wait_for_stop();
        drop(controllers);
        std::fs::remove_file(path).ok();
        return std::process::ExitCode::SUCCESS;
    }
    println!("serving on {}", server.url());
    if link.is_some() {
        println!("link on {client_url}");
    }
    // Serve until killed.
    loop {
        std::thread::park();
    }
}
