//! Proxies and gateways between the user and the API server: kubeconfig `proxy-url`
//! (http, https, socks5), `HTTPS_PROXY`/`NO_PROXY` by kubectl's rules, and a server behind a
//! path prefix. The real kubectl goes through the same ones, as the reference.

use fake_apiserver::proxy::{ProxyKind, TestProxy};

use super::{SEED, TOKEN_USER, Tls, ca_line, kubeconfig, since, tls};
use crate::harness::{Env, Run, eventually, run_command, tool, wait};

/// The cluster's address as a kubeconfig names it: a name only the proxies resolve.
const REMOTE: &str = "https://kube.example:6443";

fn run_with(env: &Env, kc: &std::path::Path, vars: &[(&str, &str)], args: &[&str]) -> Run {
    let mut cmd = env.command(args);
    cmd.env("KUBECONFIG", kc);
    for (k, v) in vars {
        cmd.env(k, v);
    }
    run_command(cmd)
}

/// The verbs that read, write, list and record an Event, through whatever `kc` says.
fn works_through(env: &Env, kc: &std::path::Path, vars: &[(&str, &str)]) {
    run_with(env, kc, vars, &["rollout", "status", "rollouts-nginx"])
        .expect_code(0)
        .assert_stdout("rollouts-nginx");
    run_with(env, kc, vars, &["rollout", "approve", "rollouts-nginx"])
        .expect_code(0)
        .assert_stdout("approved");
    run_with(env, kc, vars, &["rollout", "list", "-A"])
        .expect_code(0)
        .assert_stdout("rollouts-nginx");
}

fn proxied(env: &Env, t: &Tls, proxy_url: &str) -> std::path::PathBuf {
    kubeconfig(
        env,
        "proxied",
        REMOTE,
        &format!("{}    proxy-url: {proxy_url}\n", ca_line(&t.ca)),
        TOKEN_USER,
    )
}

#[test]
fn kubeconfig_proxy_urls_of_every_scheme_are_used() {
    let env = Env::new().with(SEED);
    let t = tls(&env);
    let http = TestProxy::spawn(ProxyKind::Http, t.server.addr, None);
    let https = TestProxy::spawn(
        ProxyKind::Https {
            cert_pem: t.cert.clone(),
            key_pem: t.key.clone(),
        },
        t.server.addr,
        None,
    );
    let socks = TestProxy::spawn(ProxyKind::Socks5, t.server.addr, None);
    for (proxy, url) in [
        (&http, format!("http://{}", http.addr)),
        // TLS to the proxy is verified against the kubeconfig's CA, as kubectl does.
        (&https, format!("https://localhost:{}", https.addr.port())),
        (&socks, format!("socks5://{}", socks.addr)),
    ] {
        let kc = proxied(&env, &t, &url);
        works_through(&env, &kc, &[]);
        let targets = proxy.targets();
        // The proxy resolves the cluster's name (SOCKS5 included): kube.example exists only
        // on its side. One tunnel per command: HTTP/2 carries every request of a command.
        assert_eq!(targets, vec!["kube.example:6443"; 3], "{url}");
        env.modify_rollout("rollouts-nginx", |r| {
            r["status"]["canaryStatus"]["currentStepState"] = "StepPaused".into();
        });
    }
}

#[test]
fn a_proxy_that_wants_credentials_gets_them_from_the_url() {
    let env = Env::new().with(SEED);
    let t = tls(&env);
    let proxy = TestProxy::spawn(ProxyKind::Http, t.server.addr, Some("bot:p@ss:word"));
    // Percent-escaped in the URL, sent decoded, as kubectl sends them.
    let kc = proxied(
        &env,
        &t,
        &format!("http://bot:p%40ss%3Aword@{}", proxy.addr),
    );
    works_through(&env, &kc, &[]);
    assert_eq!(proxy.targets().len(), 3);

    let wrong = proxied(&env, &t, &format!("http://bot:nope@{}", proxy.addr));
    let run = run_with(&env, &wrong, &[], &["rollout", "status", "rollouts-nginx"]);
    run.expect_code(1);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
    assert!(
        run.stderr.contains("proxy authorization required") && !run.stderr.contains("nope"),
        "{}",
        run.stderr
    );
}

#[test]
fn proxy_variables_are_read_as_kubectl_reads_them() {
    let env = Env::new().with(SEED);
    let t = tls(&env);
    let proxy = TestProxy::spawn(ProxyKind::Http, t.server.addr, None);
    let url = format!("http://{}", proxy.addr);
    let remote = kubeconfig(&env, "remote", REMOTE, &ca_line(&t.ca), TOKEN_USER);
    works_through(&env, &remote, &[("HTTPS_PROXY", &url)]);
    works_through(&env, &remote, &[("https_proxy", &url)]);
    assert_eq!(proxy.targets().len(), 6);

    // HTTP_PROXY is for http:// servers; NO_PROXY names hosts to reach directly: then
    // kube.example does not resolve, and the error says where it tried to go.
    for vars in [
        &[("HTTP_PROXY", url.as_str())][..],
        &[
            ("HTTPS_PROXY", url.as_str()),
            ("NO_PROXY", "localhost,.example"),
        ][..],
    ] {
        let run = run_with(
            &env,
            &remote,
            vars,
            &["rollout", "status", "rollouts-nginx"],
        );
        run.expect_code(1)
            .assert_stderr("cannot reach the Kubernetes API at https://kube.example:6443: ");
    }
    assert_eq!(proxy.targets().len(), 6);

    // A loopback server is never reached through HTTPS_PROXY (Go's rule)...
    let local = kubeconfig(&env, "local", &t.server.url(), &ca_line(&t.ca), TOKEN_USER);
    run_with(
        &env,
        &local,
        &[("HTTPS_PROXY", "http://127.0.0.1:9")],
        &["rollout", "status", "rollouts-nginx"],
    )
    .expect_code(0);
    // ...but the kubeconfig's proxy-url is used even for loopback.
    let pinned = kubeconfig(
        &env,
        "pinned",
        &t.server.url(),
        &format!("{}    proxy-url: {url}\n", ca_line(&t.ca)),
        TOKEN_USER,
    );
    run_with(&env, &pinned, &[], &["rollout", "status", "rollouts-nginx"]).expect_code(0);
    assert_eq!(proxy.targets().len(), 7);
}

const PREFIX: &str = "/k8s/clusters/c-m-4x7ds";

/// The fake served under a gateway's prefix, and a kubeconfig whose server carries it.
fn behind_a_gateway() -> (Env, std::path::PathBuf) {
    let env = Env::new().with(SEED);
    env.api.serve_under(PREFIX);
    let kc = kubeconfig(
        &env,
        "gateway",
        &format!("{}{PREFIX}", env.server.url()),
        "",
        TOKEN_USER,
    );
    (env, kc)
}

#[test]
fn a_gateway_prefix_is_kept_on_every_request() {
    let (env, kc) = behind_a_gateway();
    let before = env.api.requests().len();
    works_through(&env, &kc, &[]);
    // access reviews, history (ReplicaSets), a watch that ends with its condition
    for args in [
        &["rollout", "access", "check", "rollouts-nginx"][..],
        &["rollout", "history", "rollouts-nginx"],
    ] {
        run_with(&env, &kc, &[], args).expect_code(0);
    }
    let mut gate = env.command(&["rollout", "status", "rollouts-nginx", "--until=step=2"]);
    gate.env("KUBECONFIG", &kc);
    let gate = gate.spawn().unwrap();
    eventually("the watches open", || env.api.open_watches() >= 2);
    env.modify_rollout("rollouts-nginx", |r| {
        r["status"]["canaryStatus"]["currentStepIndex"] = 2.into();
    });
    wait(gate, std::time::Duration::from_secs(20)).expect_code(0);
    let recs = since(&env, before);
    assert!(recs.iter().any(|r| r.path.ends_with("/events")));
    assert!(recs.iter().any(|r| r.path.contains("accessreviews")));
    assert!(recs.iter().any(|r| r.query.contains("watch=true")));
    for r in &recs {
        assert!(r.path.starts_with(PREFIX), "{} {}", r.method, r.path);
        assert_ne!(r.status, 404, "{} {}", r.method, r.path);
    }
    // Without the prefix, the gateway has nothing.
    let bare = kubeconfig(&env, "bare", &env.server.url(), "", TOKEN_USER);
    run_with(&env, &bare, &[], &["rollout", "status", "rollouts-nginx"])
        .expect_code(1)
        .assert_stderr("does not serve");
}

/// `kubectl get` of the seed rollout through `kc`, in `env`'s home, with `vars` set.
fn kubectl_get(
    kubectl: &std::path::Path,
    env: &Env,
    kc: &std::path::Path,
    vars: &[(&str, &str)],
) -> Run {
    let mut cmd = std::process::Command::new(kubectl);
    cmd.args([
        "get",
        "rollouts.rollouts.kruise.io",
        "rollouts-nginx",
        "-o",
        "name",
    ])
    .env_clear()
    .env("HOME", env.dir.path())
    .env("KUBECONFIG", kc);
    for (k, v) in vars {
        cmd.env(k, v);
    }
    run_command(cmd)
}

#[test]
fn kubectl_goes_through_the_same_proxies_and_gateways() {
    let Some(kubectl) = tool("kubectl", "the kubectl proxy and gateway reference") else {
        return;
    };
    let env = Env::new().with(SEED);
    let t = tls(&env);
    let proxy = TestProxy::spawn(ProxyKind::Http, t.server.addr, None);
    let url = format!("http://{}", proxy.addr);
    let get = |kc: &std::path::Path, vars: &[(&str, &str)]| kubectl_get(&kubectl, &env, kc, vars);
    let expected = "rollout.rollouts.kruise.io/rollouts-nginx\n";
    let kc = proxied(&env, &t, &url);
    assert_eq!(get(&kc, &[]).expect_code(0).stdout, expected);
    let remote = kubeconfig(&env, "remote", REMOTE, &ca_line(&t.ca), TOKEN_USER);
    assert_eq!(
        get(&remote, &[("HTTPS_PROXY", &url)]).expect_code(0).stdout,
        expected
    );
    let tunnels = proxy.targets();
    assert!(!tunnels.is_empty() && tunnels.iter().all(|t| t == "kube.example:6443"));
    // kubectl too asks for gzip.
    let before = env.api.requests().len();
    get(&kc, &[]).expect_code(0);
    assert!(
        since(&env, before)
            .iter()
            .all(|r| r.accept_encoding.as_deref() == Some("gzip"))
    );

    let (gw, kc) = behind_a_gateway();
    assert_eq!(
        kubectl_get(&kubectl, &gw, &kc, &[]).expect_code(0).stdout,
        expected
    );
    assert!(gw.api.requests().iter().all(|r| r.path.starts_with(PREFIX)));
}
