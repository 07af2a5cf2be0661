//! How a train stops (out of time, Ctrl-C, flags refused) and how it resumes.

use std::time::Duration;

use super::{completed, ended, train};
use crate::harness::{eventually, interrupt, run_command};

#[test]
fn a_cluster_that_runs_out_of_time_stops_the_train_with_exit_3() {
    let t = train(&["a", "b", "c"], &["b"]);
    let r = t.run(&["--contexts=a,b,c", "--timeout=8s"]);
    ended(
        &r,
        3,
        "release train stopped at b (2/3): autopilot of rollout.rollouts.kruise.io/rollouts-nginx \
         timed out after 8s",
    );
    assert!(completed(&t.many.env("a").api));
    // b is left where it is, c never touched.
    assert_eq!(t.image("b"), "nginx:1.28");
    assert!(t.many.env("b").writes().is_empty());
    t.untouched("c");
}

#[test]
fn a_stopped_train_resumes_only_past_clusters_that_are_complete() {
    let t = train(&["a", "b", "c"], &[]);
    t.rule.lock().unwrap().bad.push("b".into());
    t.run(&["--contexts=a,b,c", "--on-failure=none"])
        .expect_code(4);
    assert!(completed(&t.many.env("a").api));
    assert_eq!(
        crate::clusters::step_of(t.many.env("b")),
        (1, "StepPaused".into())
    );
    let writes = |c: &str| t.many.env(c).api.writes().len();
    let before = (writes("a"), writes("b"), writes("c"));

    // From c: b has not completed, so nothing is done anywhere.
    let r = t.run(&["--contexts=a,b,c", "--resume-from=c"]);
    ended(
        &r,
        5,
        "error: cannot resume the train from c: rollout.rollouts.kruise.io/rollouts-nginx in b \
         is not complete: its release waits for approval at step 1/3",
    );
    assert_eq!((writes("a"), writes("b"), writes("c")), before);
    t.run(&["--contexts=a,b,c", "--resume-from=x"])
        .expect_code(2)
        .assert_stderr("--resume-from=x is not one of the train's clusters (a, b, c)");

    // Fixed: from b, a is checked (read, not written) and b and c are driven.
    t.rule.lock().unwrap().bad.clear();
    let r = t.run(&["--contexts=a,b,c", "--resume-from=b"]);
    assert_eq!(
        ended(&r, 0, "release train completed"),
        "release train completed: a, b, c"
    );
    r.assert_stdout(
        "[a] rollout.rollouts.kruise.io/rollouts-nginx complete (checked, nothing written)",
    );
    assert_eq!(writes("a"), before.0, "nothing written to a");
    assert!(completed(&t.many.env("b").api) && completed(&t.many.env("c").api));
}

#[test]
fn an_interrupted_train_stops_where_it_is_and_says_how_to_resume() {
    let t = train(&["a", "b", "c"], &[]);
    t.rule.lock().unwrap().slow.push("b".into());
    let child = t
        .many
        .command(&t.args(&["--contexts=a,b,c"]))
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    eventually("b is being measured", || {
        t.measured().contains(&"/b".to_string())
    });
    let r = interrupt(child, Duration::from_secs(20));
    let last = ended(&r, 130, "release train interrupted at b (2/3)");
    assert!(last.ends_with("--resume-from=b"), "{last}");
    assert!(completed(&t.many.env("a").api));
    // b: not one approval; c untouched.
    assert_eq!(t.many.approvals("b"), 0);
    t.untouched("c");
}

#[test]
fn a_train_needs_several_clusters_and_its_flags_need_a_train() {
    let t = train(&["a"], &[]);
    t.run(&[])
        .expect_code(2)
        .assert_stderr("--one-by-one drives one cluster after another");
    let r = run_command(t.many.command(&[
        "rollout",
        "autopilot",
        "rollouts-nginx",
        "--analysis",
        &t.template,
        "--resume-from=a",
    ]));
    r.expect_code(2)
        .assert_stderr("--resume-from continues a release train");
    assert!(t.many.env("a").writes().is_empty());
}
