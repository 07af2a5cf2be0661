//! One command in many clusters: kubeconfig contexts, hub members (KubeVela's
//! ClusterGateway, Karmada) and release trains, each cluster its own fake API server.

mod contexts;
mod members;
mod train;

use std::path::PathBuf;

use crate::harness::{Env, Run, run_command};

pub const SEED: &[&str] = &["rollout-seed-v1beta1.yaml", "deployment-nginx.yaml"];

/// Several clusters, one kubeconfig context each (named as the cluster), and contexts whose
/// server never answers.
pub struct Many {
    pub clusters: Vec<(String, Env)>,
    pub kubeconfig: PathBuf,
    _dir: tempfile::TempDir,
    /// Accepts connections and never answers: a cluster that is down behind a load balancer.
    _silent: Option<std::net::TcpListener>,
}

impl Many {
    /// `names`, each a fresh cluster with the seed rollout (waiting at step 1), and the
    /// `down` contexts, whose server accepts connections and never answers.
    pub fn new(names: &[&str], down: &[&str]) -> Many {
        Many::with(names, down, SEED)
    }

    /// As [`Many::new`], each cluster holding `fixtures`.
    pub fn with(names: &[&str], down: &[&str], fixtures: &[&str]) -> Many {
        let clusters: Vec<(String, Env)> = names
            .iter()
            .map(|n| (n.to_string(), Env::new().with(fixtures)))
            .collect();
        let silent =
            (!down.is_empty()).then(|| std::net::TcpListener::bind("127.0.0.1:0").expect("bind"));
        let mut servers: Vec<(String, String)> = clusters
            .iter()
            .map(|(n, e)| (n.clone(), e.server.url()))
            .collect();
        if let Some(l) = &silent {
            let url = format!("http://{}", l.local_addr().unwrap());
            servers.extend(down.iter().map(|d| (d.to_string(), url.clone())));
        }
        let dir = tempfile::tempdir().unwrap();
        let kubeconfig = dir.path().join("kubeconfig");
        std::fs::write(
            &kubeconfig,
            fake_apiserver::kubeconfig_of_contexts(&servers),
        )
        .unwrap();
        Many {
            clusters,
            kubeconfig,
            _dir: dir,
            _silent: silent,
        }
    }

    pub fn env(&self, name: &str) -> &Env {
        &self.clusters.iter().find(|(n, _)| n == name).unwrap().1
    }

    pub fn command(&self, args: &[&str]) -> std::process::Command {
        let mut cmd = self.clusters[0].1.command(args);
        cmd.env("KUBECONFIG", &self.kubeconfig);
        cmd
    }

    pub fn run(&self, args: &[&str]) -> Run {
        run_command(self.command(args))
    }

    /// Status writes (approvals) each cluster received.
    pub fn approvals(&self, name: &str) -> usize {
        self.env(name)
            .writes()
            .iter()
            .filter(|w| w.path.ends_with("/status") && w.body.contains("StepReady"))
            .count()
    }
}

/// The seed rollout's stored step and state.
pub fn step_of(env: &Env) -> (i64, String) {
    let s = env.rollout("rollouts-nginx")["status"]["canaryStatus"].clone();
    (
        s["currentStepIndex"].as_i64().unwrap_or(0),
        s["currentStepState"].as_str().unwrap_or("").to_string(),
    )
}
