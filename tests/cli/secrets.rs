//! No secret is ever printed: every verb, with a bearer token, basic-auth credentials, a
//! client key and an exec credential plugin, at every verbosity level, in success and in
//! every error path; stdout and stderr are searched for each secret.

use std::os::unix::fs::PermissionsExt;

use crate::harness::{Env, run_command};

const TOKEN: &str = "TOKEN-SENTINEL-a1b2c3";
const PASSWORD: &str = "PASSWORD-SENTINEL-d4e5f6";
const EXEC_TOKEN: &str = "EXEC-SENTINEL-g7h8i9";
const EXEC_ENV: &str = "ENV-SENTINEL-j0k1l2";

/// A kubeconfig with one user per way of authenticating, on the fake.
fn kubeconfig(env: &Env) -> (std::path::PathBuf, String) {
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["client".to_string()])
        .unwrap()
        .self_signed(&key)
        .unwrap();
    let dir = env.dir.path();
    std::fs::write(dir.join("client.key"), key.serialize_pem()).unwrap();
    std::fs::write(dir.join("client.crt"), cert.pem()).unwrap();
    let plugin = dir.join("credential.sh");
    std::fs::write(
        &plugin,
        format!(
            "#!/bin/sh\n[ \"$SENTINEL_ENV\" = {EXEC_ENV} ] || exit 9\n\
             echo '{{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{{\"token\":\"{EXEC_TOKEN}\"}}}}'\n"
        ),
    )
    .unwrap();
    std::fs::set_permissions(&plugin, std::fs::Permissions::from_mode(0o755)).unwrap();
    let path = dir.join("secrets-kubeconfig");
    std::fs::write(
        &path,
        format!(
            "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster:\n    server: {server}\n\
             users:\n\
             - name: token\n  user:\n    token: {TOKEN}\n\
             - name: basic\n  user:\n    username: admin\n    password: {PASSWORD}\n\
             - name: cert\n  user:\n    client-certificate: {crt}\n    client-key: {key}\n    token: {TOKEN}\n\
             - name: exec\n  user:\n    exec:\n      apiVersion: client.authentication.k8s.io/v1\n      command: {plugin}\n\
             \x20     args: [\"--secret={PASSWORD}\"]\n      env:\n      - name: SENTINEL_ENV\n        value: {EXEC_ENV}\n\
             \x20     interactiveMode: Never\n\
             contexts:\n- name: x\n  context: {{cluster: c, user: token, namespace: default}}\ncurrent-context: x\n",
            server = env.server.url(),
            crt = dir.join("client.crt").display(),
            key = dir.join("client.key").display(),
            plugin = plugin.display(),
        ),
    )
    .unwrap();
    // The key's body, as it would appear if it were printed.
    let key_line = key
        .serialize_pem()
        .lines()
        .nth(1)
        .unwrap_or_default()
        .to_string();
    (path, key_line)
}

#[test]
fn no_secret_is_printed_by_any_verb_at_any_level_or_on_any_error() {
    let env = Env::new().with(&[
        "rollout-seed-v1beta1.yaml",
        "deployment-nginx.yaml",
        "workloads.yaml",
    ]);
    let (kc, key_line) = kubeconfig(&env);
    let secrets = [TOKEN, PASSWORD, EXEC_TOKEN, EXEC_ENV, key_line.as_str()];
    // The plugin writes nothing to disk: no cache, no token file (HOME is this directory).
    let files = |dir: &std::path::Path| -> Vec<std::path::PathBuf> {
        let mut all = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).unwrap().flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p)
                } else {
                    all.push(p)
                }
            }
        }
        all.sort();
        all
    };
    let before = files(env.dir.path());
    let verbs: &[&[&str]] = &[
        &["rollout", "status", "rollouts-nginx"],
        &["rollout", "list", "-o", "json"],
        &["rollout", "approve", "rollouts-nginx", "--dry-run=server"],
        &["rollout", "pause", "rollouts-nginx", "--dry-run=server"],
        &["rollout", "resume", "cloneset/web", "--dry-run=server"],
        &["rollout", "restart", "deployment/api", "--dry-run=server"],
        &[
            "rollout",
            "undo",
            "rollout/rollouts-nginx",
            "--dry-run=server",
        ],
        &["rollout", "history", "rollout/rollouts-nginx"],
        &["rollout", "approve", "nope"],
        &[
            "rollout",
            "status",
            "rollouts-nginx",
            "--server",
            "http://127.0.0.1:9",
        ],
    ];
    let mut runs = 0;
    let mut check = |args: Vec<String>, what: &str| {
        let mut cmd = env.command(&args.iter().map(String::as_str).collect::<Vec<_>>());
        cmd.env("KUBECONFIG", &kc);
        let run = run_command(cmd);
        runs += 1;
        for s in &secrets {
            assert!(
                !run.stdout.contains(s) && !run.stderr.contains(s),
                "{what} {args:?} printed a secret:\n{}{}",
                run.stdout,
                run.stderr
            );
        }
        run
    };
    for user in ["token", "basic", "cert", "exec"] {
        for verb in verbs {
            for level in ["0", "1", "6", "7", "8", "9", "10"] {
                let mut args: Vec<String> = verb.iter().map(|s| s.to_string()).collect();
                args.extend(["--user".into(), user.into(), format!("--v={level}")]);
                check(args, user);
            }
        }
    }
    // Error paths the server causes: 401, 403, 500 and a proxy page, at the loudest level.
    for (fail, code) in [(401, 1), (403, 1), (500, 1), (502, 1)] {
        for user in ["token", "basic", "exec"] {
            env.api.fail_next(1, fail);
            let run = check(
                vec![
                    "rollout".into(),
                    "approve".into(),
                    "rollouts-nginx".into(),
                    "--user".into(),
                    user.into(),
                    "--v=9".into(),
                ],
                "server error",
            );
            // A 401 to an exec login fetches a fresh credential once and goes on.
            let code = if fail == 401 && user == "exec" {
                0
            } else {
                code
            };
            assert_eq!(run.code, code, "{fail} {user}: {}", run.stderr);
        }
    }
    // The credentials really were sent, each its own way.
    let auth: Vec<String> = env
        .api
        .requests()
        .iter()
        .filter_map(|r| r.authorization.clone())
        .collect();
    assert!(auth.iter().any(|a| a == &format!("Bearer {TOKEN}")));
    assert!(auth.iter().any(|a| a == &format!("Bearer {EXEC_TOKEN}")));
    assert!(auth.iter().any(|a| a.starts_with("Basic ")));
    eprintln!(
        "secrets: {runs} runs searched for {} secrets, 0 found",
        secrets.len()
    );
    assert!(runs >= 280);
    // Nothing written but the workload references `status` remembers in kubectl's cache
    // folder, which hold no credential.
    let (cached, written): (Vec<_>, Vec<_>) = files(env.dir.path())
        .into_iter()
        .partition(|f| f.to_string_lossy().contains("/.kube/cache/kruise/"));
    assert_eq!(written, before, "files written");
    for f in cached {
        let text = std::fs::read_to_string(&f).unwrap_or_default();
        for s in &secrets {
            assert!(!text.contains(*s), "{s} in {}", f.display());
        }
    }
}
