//! The dashboard holds the user's credentials: only its page, opened with the session's
//! secret, may read through it, and only that page may write. One test per rule.

use std::time::{Duration, Instant};

use serde_json::json;

use super::{Dashboard, changes, cluster, http, on_nginx};

/// A request to `path` with the given extra headers (each ending in CRLF).
fn raw(d: &Dashboard, method: &str, path: &str, host: &str, extra: &str) -> super::Answer {
    http(
        d.port,
        &format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\n{extra}"),
        "",
    )
}

#[test]
fn every_answer_carries_the_security_headers_and_no_cors() {
    let env = cluster();
    let d = Dashboard::start(&env, &[]);
    let host = format!("127.0.0.1:{}", d.port);
    let secret = format!("X-Kruise-Session: {}\r\n", d.secret);
    let answers = [
        raw(&d, "GET", "/", &host, ""),
        raw(&d, "GET", "/app.js", &host, ""),
        raw(&d, "GET", "/app.css", &host, ""),
        raw(&d, "GET", "/nowhere", &host, ""),
        raw(&d, "GET", "/api/stream", &host, ""),
        raw(&d, "GET", "/api/stream", &host, &secret),
        raw(&d, "GET", "/", "evil.example", ""),
        raw(
            &d,
            "OPTIONS",
            "/api/action",
            &host,
            "Origin: http://evil.example\r\nAccess-Control-Request-Method: POST\r\n",
        ),
    ];
    for a in &answers {
        let csp = a.header("content-security-policy").unwrap_or_default();
        assert!(csp.contains("frame-ancestors 'none'"), "{csp:?} in {a:?}");
        assert!(csp.contains("script-src 'self'"), "{csp}");
        assert!(
            !csp.contains("unsafe-inline") && !csp.contains("unsafe-eval"),
            "{csp}"
        );
        assert_eq!(a.header("x-content-type-options"), Some("nosniff"));
        assert_eq!(a.header("referrer-policy"), Some("no-referrer"));
        assert!(
            !a.headers
                .iter()
                .any(|(k, _)| k.starts_with("access-control-")),
            "a CORS header in {a:?}"
        );
    }
    // The preflight is refused outright.
    assert_eq!(answers[7].status, 405);
    // The page itself loads its script and style from here only: nothing inline.
    let page = &answers[0].body;
    assert!(page.contains("<script src=\"/app.js\" defer></script>"));
    assert!(
        !page.contains("<script>") && !page.contains("style="),
        "{page}"
    );
}

#[test]
fn data_needs_the_session_secret() {
    let env = cluster();
    let d = Dashboard::start(&env, &[]);
    let host = format!("127.0.0.1:{}", d.port);
    // The page (no data in it) opens without; nothing of the cluster does.
    assert_eq!(raw(&d, "GET", "/", &host, "").status, 200);
    let paths = [
        "/api/stream",
        "/api/release?cluster=&kind=rollout.rollouts.kruise.io&namespace=default&name=rollouts-nginx",
    ];
    // The secret with its last digit changed (a fixed digit could be the right one).
    let last = if d.secret.ends_with('0') { '1' } else { '0' };
    let wrong = format!("X-Kruise-Session: {}{last}\r\n", &d.secret[..63]);
    for p in paths {
        for extra in ["", wrong.as_str(), "X-Kruise-Session: \r\n"] {
            let a = raw(&d, "GET", p, &host, extra);
            assert_eq!(a.status, 401, "{p} {extra:?}: {a:?}");
            assert!(!a.body.contains("rollouts-nginx"), "{}", a.body);
        }
        // The secret in the query opens nothing either: only the header does.
        let a = raw(&d, "GET", &format!("{p}&secret={}", d.secret), &host, "");
        assert_eq!(a.status, 401);
    }
    // With it, the fleet.
    let fleet = d.listed_fleet();
    let names: Vec<String> = super::rows(&fleet).into_iter().map(|(_, n)| n).collect();
    assert_eq!(names, ["rollouts-nginx", "shop"]);
    // A row: its id, rank, state in words, creation time, labels, then `list`'s cells.
    let row = &fleet["rows"][0];
    assert_eq!(row[0], " rollouts.kruise.io default rollouts-nginx");
    assert_eq!(row[1], 0);
    assert_eq!(row[2], "waiting for approval at step 1/3");
    let cells: Vec<&str> = row.as_array().unwrap()[5..]
        .iter()
        .map(|c| c.as_str().unwrap())
        .collect();
    assert_eq!(
        cells[..3],
        ["rollout.rollouts.kruise.io", "default", "rollouts-nginx"]
    );
    assert_eq!(fleet["columns"][0], "KIND");
    assert_eq!(fleet["columns"][2], "NAME");
    // A second dashboard has a secret of its own.
    let other = Dashboard::start(&env, &[]);
    assert_ne!(other.secret, d.secret);
    assert_eq!(d.secret.len(), 64);
}

#[test]
fn a_foreign_host_is_refused_on_every_path() {
    let env = cluster();
    let d = Dashboard::start(&env, &[]);
    let secret = format!("X-Kruise-Session: {}\r\n", d.secret);
    let p = d.port;
    // DNS rebinding: a page on evil.example that resolves to 127.0.0.1 sends its own name.
    for host in [
        format!("evil.example:{p}"),
        "evil.example".to_string(),
        format!("127.0.0.1:{}", p.wrapping_add(1)),
        format!("localhost.evil.example:{p}"),
        String::new(),
    ] {
        for path in ["/", "/app.js", "/api/stream"] {
            let a = raw(&d, "GET", path, &host, &secret);
            assert_eq!(a.status, 403, "Host {host:?} {path}: {a:?}");
            assert!(!a.body.contains("rollouts-nginx"));
        }
    }
    for host in [format!("127.0.0.1:{p}"), format!("localhost:{p}")] {
        assert_eq!(raw(&d, "GET", "/api/stream", &host, &secret).status, 200);
    }
}

#[test]
fn writes_need_this_page_s_origin_even_with_the_secret() {
    let env = cluster();
    let d = Dashboard::start(&env, &[]);
    let p = d.port;
    let body = on_nginx("approve", Some(1)).to_string();
    let post = |extra: &str| {
        http(
            p,
            &format!(
                "POST /api/action HTTP/1.1\r\nHost: 127.0.0.1:{p}\r\nX-Kruise-Session: {}\r\n\
                 Content-Type: application/json\r\n{extra}",
                d.secret
            ),
            &body,
        )
    };
    for extra in [
        "Origin: http://evil.example\r\n",
        "Origin: null\r\n",
        &format!("Origin: http://localhost:{p}\r\n"),
        "Sec-Fetch-Site: cross-site\r\n",
        &format!("Origin: http://127.0.0.1:{p}\r\nSec-Fetch-Site: same-site\r\n"),
        // Neither: a browser always says where a POST comes from.
        "",
    ] {
        let a = post(extra);
        assert_eq!(a.status, 403, "{extra:?}: {a:?}");
    }
    // A GET of the write path is no write.
    let a = d.get("/api/action");
    assert_eq!(a.status, 405, "{a:?}");
    // No secret, right Origin: 401.
    let a = http(
        p,
        &format!(
            "POST /api/action HTTP/1.1\r\nHost: 127.0.0.1:{p}\r\nOrigin: http://127.0.0.1:{p}\r\n"
        ),
        &body,
    );
    assert_eq!(a.status, 401);
    assert!(changes(&env).is_empty(), "{:?}", changes(&env));
    // From this page: the approval, as `rollout approve` writes it.
    let a = d.act(&on_nginx("approve", Some(1)));
    assert_eq!(a.status, 200, "{a:?}");
    let writes = changes(&env);
    assert_eq!(writes.len(), 1, "{writes:?}");
    assert_eq!(writes[0].method, "PATCH");
    assert!(writes[0].path.ends_with("/rollouts/rollouts-nginx/status"));
    assert!(
        writes[0].body.contains("resourceVersion"),
        "{}",
        writes[0].body
    );
    assert!(
        writes[0]
            .user_agent
            .starts_with("kubectl-kruise-dashboard/v"),
        "{}",
        writes[0].user_agent
    );
    assert!(writes[0].query.contains("fieldManager=kubectl-kruise"));
    assert_eq!(env.events().len(), 1);
}

#[test]
fn read_only_refuses_every_write_and_offers_none() {
    let env = cluster();
    let d = Dashboard::start(&env, &["--read-only"]);
    for verb in ["approve", "pause", "resume", "undo", "restart"] {
        let a = d.act(&on_nginx(verb, Some(1)));
        assert_eq!(a.status, 403, "{verb}: {a:?}");
        assert!(a.body.contains("read-only"), "{}", a.body);
    }
    assert!(changes(&env).is_empty());
    let page = d.get(
        "/api/release?cluster=&kind=rollout.rollouts.kruise.io&namespace=default&name=rollouts-nginx",
    );
    let page: serde_json::Value = serde_json::from_str(&page.body).unwrap();
    assert_eq!(page["readOnly"], true);
    assert!(
        page["actions"]
            .as_array()
            .unwrap()
            .iter()
            .all(|a| a["enabled"] == false && a["reason"].as_str().unwrap().contains("read-only"))
    );
}

#[test]
fn it_listens_on_loopback_and_warns_when_told_otherwise() {
    let env = cluster();
    let d = Dashboard::start(&env, &[]);
    assert!(d.url.starts_with("http://127.0.0.1:"), "{}", d.url);
    let run = d.interrupt(Duration::from_secs(5));
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    // Every interface: said on stderr, and the Host rule still holds.
    let d = Dashboard::start(&env, &["--address", "0.0.0.0"]);
    let a = http(
        d.port,
        &format!("GET / HTTP/1.1\r\nHost: rebound.example:{}\r\n", d.port),
        "",
    );
    assert_eq!(a.status, 403);
    let run = d.interrupt(Duration::from_secs(5));
    assert!(
        run.stderr.contains("warning: listening on 0.0.0.0:")
            && run.stderr.contains("reachable from the network"),
        "{}",
        run.stderr
    );
    // A port in use: one line, exit 1.
    let d = Dashboard::start(&env, &[]);
    let port = d.port.to_string();
    let run = env.run(&["dashboard", "--no-browser", "--port", &port]);
    run.expect_code(1);
    assert!(
        run.stderr.contains("cannot listen on 127.0.0.1:"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--port"), "{}", run.stderr);
}

#[test]
fn ctrl_c_ends_it_within_two_seconds_with_130() {
    let env = cluster();
    let d = Dashboard::start(&env, &[]);
    // A page is connected (a stream held open) when it is stopped.
    let _ = d.fleet();
    let port = d.port;
    let t = Instant::now();
    let run = d.interrupt(Duration::from_secs(5));
    assert_eq!(run.code, 130, "{}", run.stderr);
    assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err());
}

#[test]
fn the_release_page_is_the_cli_s_status_and_access_check() {
    let env = cluster();
    let d = Dashboard::start(&env, &[]);
    let a = d.get(
        "/api/release?cluster=&kind=rollout.rollouts.kruise.io&namespace=default&name=rollouts-nginx",
    );
    assert_eq!(a.status, 200, "{a:?}");
    let page: serde_json::Value = serde_json::from_str(&a.body).unwrap();
    let cli = env.run(&["rollout", "status", "rollouts-nginx", "-o", "json"]);
    cli.expect_code(0);
    let mut status = page["status"].clone();
    status.as_object_mut().unwrap().remove("cluster");
    assert_eq!(status, cli.json());
    let verbs: Vec<&str> = page["actions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["verb"].as_str().unwrap())
        .collect();
    assert_eq!(verbs, ["approve", "pause", "resume", "undo", "restart"]);
    assert_eq!(
        page["actions"][0]["command"],
        "kubectl kruise rollout approve rollout/rollouts-nginx -n default --expect-step=1"
    );
    assert_eq!(page["actions"][0]["enabled"], true);
    // The access check stands a while: the page redrawn on a change asks no review again.
    let reviews = || {
        env.api
            .requests()
            .iter()
            .filter(|r| r.path.ends_with("/selfsubjectaccessreviews"))
            .count()
    };
    let asked = reviews();
    assert!(asked > 0);
    let again = d.get(
        "/api/release?cluster=&kind=rollout.rollouts.kruise.io&namespace=default&name=rollouts-nginx",
    );
    assert_eq!(again.status, 200);
    assert_eq!(reviews(), asked, "no review repeated");
    let again: serde_json::Value = serde_json::from_str(&again.body).unwrap();
    assert_eq!(again["actions"], page["actions"]);
    // Without asking, no template diff (it costs three reads); asked, history's numbers
    // and the diff of the two templates.
    assert!(page["revisions"].is_null());
    let a = d.get(
        "/api/release?cluster=&kind=rollout.rollouts.kruise.io&namespace=default&name=rollouts-nginx&diff=true",
    );
    let page: serde_json::Value = serde_json::from_str(&a.body).unwrap();
    let history = env
        .run(&["rollout", "history", "rollouts-nginx", "-o", "json"])
        .json();
    let revs = &page["revisions"];
    assert_eq!(revs["stable"], history["stableRevision"], "{revs}");
    assert_eq!(revs["canary"], history["canaryRevision"], "{revs}");
    let diff = revs["diff"].as_str().unwrap();
    assert!(
        diff.starts_with(&format!("--- revision {} (stable)\n", revs["stable"])),
        "{diff}"
    );
    assert!(
        diff.contains("\n-  - image: nginx:") && diff.contains("\n+  - image: nginx:"),
        "{diff}"
    );
    // A name that is not a Kubernetes name never becomes a command line word.
    let a = d
        .get("/api/release?cluster=&kind=rollout.rollouts.kruise.io&namespace=default&name=--help");
    assert_eq!(a.status, 404);
    assert!(a.body.contains("not a Kubernetes name"), "{}", a.body);
    let a = d.act(&json!({"cluster": "", "kind": "rollout.rollouts.kruise.io",
        "namespace": "default", "name": "rollouts-nginx", "verb": "history"}));
    assert_eq!(a.status, 400);
    assert!(changes(&env).is_empty());
}

#[test]
fn an_approval_of_a_step_that_moved_on_writes_nothing_and_says_so() {
    let env = cluster();
    let d = Dashboard::start(&env, &[]);
    // The page showed step 1; the release has moved to step 2 meanwhile.
    env.modify_rollout("rollouts-nginx", |r| {
        r["status"]["canaryStatus"]["currentStepIndex"] = json!(2);
        r["status"]["currentStepIndex"] = json!(2);
    });
    let a = d.act(&on_nginx("approve", Some(1)));
    assert_eq!(a.status, 200, "{a:?}");
    let v: serde_json::Value = serde_json::from_str(&a.body).unwrap();
    let said = format!("{} {}", v["ran"]["out"], v["ran"]["err"]);
    assert!(said.contains("step 1"), "{said}");
    assert!(changes(&env).is_empty(), "{:?}", changes(&env));
    assert_eq!(
        v["command"],
        "kubectl kruise rollout approve rollout/rollouts-nginx -n default --expect-step=1"
    );
}

#[test]
fn listing_every_namespace_forbidden_falls_back_to_the_context_s() {
    let env = cluster();
    let bot = super::viewer(&env, "list,status");
    let d = Dashboard::start(&env, &["--as", bot]);
    let mut fleet = d.fleet();
    let deadline = Instant::now() + Duration::from_secs(10);
    while fleet["rows"].as_array().unwrap().len() < 2 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
        fleet = d.fleet();
    }
    assert_eq!(fleet["rows"].as_array().unwrap().len(), 2, "{fleet}");
    assert_eq!(
        fleet["clusters"][0]["note"],
        "you may not list every namespace: showing namespace default"
    );
    // Approving is not allowed to the viewer: the button says why.
    let page = d.get(
        "/api/release?cluster=&kind=rollout.rollouts.kruise.io&namespace=default&name=rollouts-nginx",
    );
    let page: serde_json::Value = serde_json::from_str(&page.body).unwrap();
    let approve = &page["actions"][0];
    assert_eq!(approve["enabled"], false, "{page}");
    assert!(
        approve["reason"]
            .as_str()
            .unwrap()
            .starts_with("you may not approve this release: no right to patch"),
        "{approve}"
    );
}
