//! Round trips and bytes on the wire: what a remote cluster costs each command.
//!
//! The commands run against the fake over TLS behind a link with a 200 ms round trip.
//! Requests that went out together reach the server within a few milliseconds of each
//! other; a request that had to wait for an answer arrives a round trip later. Counting the
//! groups ("waves") gives the requests in sequence, which the README's table states.

use std::time::Duration;

use fake_apiserver::link::{Link, LinkSpec, waves};
use serde_json::json;

use super::{SEED, TOKEN_USER, ca_line, kubeconfig, since, tls};
use crate::harness::Env;

const ONE_WAY: Duration = Duration::from_millis(100);

/// Run `args` through the link; the requests in sequence and the connections it made.
fn measure(env: &Env, link: &Link, kc: &std::path::Path, args: &[&str]) -> (usize, usize) {
    let before = env.api.requests().len();
    let (_, _, links_before) = link.counters.snapshot();
    let mut all = vec!["--kubeconfig", kc.to_str().unwrap()];
    all.extend_from_slice(args);
    let run = env.run(&all);
    run.expect_code(0);
    let recs = since(env, before);
    assert!(
        recs.iter().all(|r| r.version == "HTTP/2.0"),
        "{args:?}: every request over HTTP/2: {:?}",
        recs.iter().map(|r| &r.version).collect::<Vec<_>>()
    );
    let arrivals: Vec<_> = recs.iter().map(|r| r.at).collect();
    let (_, _, links_after) = link.counters.snapshot();
    (
        waves(&arrivals, ONE_WAY),
        (links_after - links_before) as usize,
    )
}

/// The fake over TLS behind a link of 200 ms round trip, and a kubeconfig for it.
fn remote(env: &Env) -> (super::Tls, Link, std::path::PathBuf) {
    let t = tls(env);
    let link = Link::spawn(
        t.server.addr,
        LinkSpec {
            delay: ONE_WAY,
            rate: None,
        },
    );
    let kc = kubeconfig(
        env,
        "remote",
        &format!("https://{}", link.addr),
        &ca_line(&t.ca),
        TOKEN_USER,
    );
    (t, link, kc)
}

#[test]
fn each_command_makes_only_the_round_trips_its_data_needs() {
    let env = Env::new().with(SEED).with(&["replicasets-nginx.yaml"]);
    let (_tls, link, kc) = remote(&env);
    // (command, requests in sequence): the README's round-trip table.
    let table: &[(&[&str], usize)] = &[
        // the rollout, then its workload (named by the rollout)...
        (&["rollout", "status", "rollouts-nginx"], 2),
        // ...and from then on both at once: the workload it named is remembered
        (&["rollout", "status", "rollouts-nginx"], 1),
        // discovery beside the list
        (&["rollout", "list", "-A"], 1),
        // read, conditional write, then the audit Event of the write
        (&["rollout", "approve", "rollouts-nginx"], 3),
        (&["rollout", "pause", "rollouts-nginx"], 3),
        (&["rollout", "resume", "rollouts-nginx"], 3),
        // the rollout, its workload, that workload's ReplicaSets (by its selector)
        (&["rollout", "history", "rollouts-nginx"], 3),
    ];
    for (args, want) in table {
        let (sequence, connections) = measure(&env, &link, &kc, args);
        assert_eq!(sequence, *want, "{args:?}: requests in sequence");
        // One connection, whatever the requests: HTTP/2 carries concurrent ones together.
        assert_eq!(connections, 1, "{args:?}: connections");
    }
}

#[test]
fn kubevela_lists_go_out_while_the_kruise_list_arrives() {
    let env = Env::new().with(SEED);
    env.api.serve_kubevela();
    for obj in crate::harness::fixture_docs("kubevela/approllout.yaml") {
        env.api.insert(obj);
    }
    let (_tls, link, kc) = remote(&env);
    let before = env.api.requests().len();
    let (sequence, connections) = measure(&env, &link, &kc, &["rollout", "list", "-A"]);
    // discovery and the Kruise list together; the KubeVela lists as soon as discovery
    // shows KubeVela, while the Kruise list's body may still be arriving
    assert_eq!((sequence, connections), (2, 1));
    let paths: Vec<String> = since(&env, before).into_iter().map(|r| r.path).collect();
    assert_eq!(paths.len(), 4, "{paths:?}");
    assert!(paths[..2].contains(&"/apis".to_string()), "{paths:?}");
}

#[test]
fn answers_are_compressed_unless_turned_off() {
    let env = Env::new().with(SEED);
    // Enough rollouts for a list body well over kube-apiserver's 128 KiB threshold.
    let seed = env.rollout("rollouts-nginx");
    for i in 0..1500 {
        let mut copy = seed.clone();
        copy["metadata"] = json!({"name": format!("r-{i:05}"), "namespace": "default"});
        env.api.insert(copy);
    }
    let link = Link::spawn(
        env.server.addr,
        LinkSpec {
            delay: Duration::ZERO,
            rate: None,
        },
    );
    let url = format!("http://{}", link.addr);
    let plain = kubeconfig(&env, "plain", &url, "", TOKEN_USER);
    let off = kubeconfig(
        &env,
        "off",
        &url,
        "    disable-compression: true\n",
        TOKEN_USER,
    );
    let list = |kc: &std::path::Path, extra: &[&str]| {
        let before = env.api.requests().len();
        let (_, down_before, _) = link.counters.snapshot();
        let mut args = vec!["rollout", "list", "-A", "-o", "name"];
        args.extend_from_slice(&["--kubeconfig", kc.to_str().unwrap()]);
        args.extend_from_slice(extra);
        let run = env.run(&args);
        run.expect_code(0);
        let (_, down_after, _) = link.counters.snapshot();
        let encodings: Vec<Option<String>> = since(&env, before)
            .into_iter()
            .map(|r| r.accept_encoding)
            .collect();
        (run.stdout, down_after - down_before, encodings)
    };
    let (names, gzip_bytes, asked) = list(&plain, &[]);
    assert_eq!(names.lines().count(), 1501);
    assert!(
        asked.iter().all(|e| e.as_deref() == Some("gzip")),
        "{asked:?}"
    );
    for (kc, extra) in [
        (&plain, &["--disable-compression"][..]),
        (&off, &[][..]),
        (&off, &["--disable-compression=true"][..]),
    ] {
        let (same, raw_bytes, asked) = list(kc, extra);
        assert_eq!(same, names, "the same answer, uncompressed");
        assert!(asked.iter().all(Option::is_none), "{asked:?}");
        assert!(
            raw_bytes > 8 * gzip_bytes,
            "uncompressed {raw_bytes} bytes vs gzip {gzip_bytes}"
        );
    }
}
