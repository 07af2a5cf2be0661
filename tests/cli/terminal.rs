//! The live view on a real terminal (a pseudo-terminal from util-linux `script`): redrawn in
//! place for a person, plain lines when `NO_COLOR` is set or `TERM=dumb`.

use crate::harness::{Env, Run, run_command, tool};

/// `status --watch` on a pseudo-terminal, with extra environment variables.
fn on_a_terminal(env: &Env, script: &std::path::Path, vars: &[(&str, &str)]) -> Run {
    let mut cmd = env.on_a_terminal(script, "rollout status rollouts-nginx --watch");
    for (k, v) in vars {
        cmd.env(k, v);
    }
    run_command(cmd)
}

#[test]
fn the_view_is_redrawn_only_on_a_terminal_that_wants_it() {
    let Some(script) = tool("script", "the terminal test") else {
        return;
    };
    let env = Env::new().with(&["rollout-seed-v1beta1.yaml", "deployment-nginx.yaml"]);

    let run = on_a_terminal(&env, &script, &[]);
    run.expect_code(0)
        .assert_stdout("Name:       default/rollouts-nginx");
    assert!(
        run.stdout.contains("\u{1b}["),
        "redrawn with cursor moves:\n{}",
        run.stdout
    );

    for vars in [[("NO_COLOR", "1")], [("TERM", "dumb")]] {
        let run = on_a_terminal(&env, &script, &vars);
        run.expect_code(0)
            .assert_stdout("default/rollouts-nginx  WaitingForApproval  step 1/3  ready 1/1");
        assert!(
            !run.stdout.contains('\u{1b}'),
            "{vars:?}: escape codes in\n{}",
            run.stdout
        );
        assert!(!run.stdout.contains("Name:"), "{vars:?}");
    }
}
