//! A thousand approvals against a controller that races them as the Kruise controller does:
//! it writes whole statuses computed from a copy it read earlier, at random moments, which
//! loses approvals (the last write wins) and makes the plugin's conditional writes conflict.
//!
//! Every approval is `approve --expect-step=N --wait`, one step after another. The fake
//! observes each write the plugin makes; the test then counts what happened and fails on
//! any skipped step, double approval, lost approval or field changed that the plugin did
//! not mean to change. The randomness is seeded (RACE_SEED to replay a run).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{Value, json};

use crate::harness::{Env, GROUP, fixture, run_command};

const ROLLOUTS: usize = 20;
const STEPS: usize = 50;
const IN_PARALLEL: usize = 4;

/// xorshift64*: a small seeded generator, so a failing run can be replayed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// True with probability `p`.
    fn chance(&mut self, p: f64) -> bool {
        (self.next() % 10_000) as f64 / 10_000.0 < p
    }
}

fn state(o: &Value) -> (i64, String) {
    let s = &o["status"]["canaryStatus"];
    (
        s["currentStepIndex"].as_i64().unwrap_or(0),
        s["currentStepState"].as_str().unwrap_or("").to_string(),
    )
}

/// The status without the field an approval sets.
fn without_state(o: &Value) -> Value {
    let mut s = o["status"].clone();
    if let Some(c) = s["canaryStatus"].as_object_mut() {
        c.remove("currentStepState");
    }
    s
}

#[derive(Default)]
struct Counts {
    approvals_written: usize,
    double_approvals: usize,
    wrong_step: usize,
    unintended_changes: usize,
    lost_by_controller: usize,
    advanced: BTreeMap<String, Vec<i64>>,
}

/// The racing controller of one rollout, until `stop`.
fn controller(
    api: fake_apiserver::FakeApi,
    name: String,
    seed: u64,
    counts: Arc<Mutex<Counts>>,
    stop: Arc<AtomicBool>,
) {
    let mut rng = Rng(seed);
    let mut reconciles = 0u64;
    // A real controller loses an approval now and then, not the same one forever: each
    // step's approval is overwritten at most this often, below the plugin's limit of 5
    // re-approvals, so a run of bad luck cannot fail the test.
    const MAX_OVERWRITES_PER_STEP: u32 = 3;
    let mut overwrites: BTreeMap<i64, u32> = BTreeMap::new();
    while !stop.load(Ordering::Relaxed) {
        // The cached copy it computes from.
        let Some(cached) = api.get(GROUP, "rollouts", "fleet", &name) else {
            return;
        };
        std::thread::sleep(Duration::from_micros(rng.next() % 5000));
        let Some(now) = api.get(GROUP, "rollouts", "fleet", &name) else {
            return;
        };
        let (index, st) = state(&now);
        let (cached_index, cached_st) = state(&cached);
        reconciles += 1;
        if st == "StepReady" {
            let lost_already = overwrites.get(&index).copied().unwrap_or(0);
            if cached_st == "StepPaused"
                && cached_index == index
                && lost_already < MAX_OVERWRITES_PER_STEP
                && rng.chance(0.15)
            {
                // The lost update: its status, computed before the approval, wins.
                overwrites.insert(index, lost_already + 1);
                api.modify(GROUP, "rollouts", "fleet", &name, |o| {
                    o["status"] = cached["status"].clone()
                });
                counts.lock().unwrap().lost_by_controller += 1;
            } else {
                api.modify(GROUP, "rollouts", "fleet", &name, |o| {
                    let st = &mut o["status"];
                    if index as usize >= STEPS {
                        st["canaryStatus"]["currentStepState"] = json!("Completed");
                        st["phase"] = json!("Healthy");
                        st["conditions"] = json!([
                            {"type": "Progressing", "status": "False", "reason": "Completed"},
                            {"type": "Succeeded", "status": "True"}]);
                    } else {
                        st["canaryStatus"]["currentStepIndex"] = json!(index + 1);
                        st["canaryStatus"]["currentStepState"] = json!("StepPaused");
                    }
                    st["canaryStatus"]["message"] = json!(format!("reconcile {reconciles}"));
                });
                counts
                    .lock()
                    .unwrap()
                    .advanced
                    .entry(name.clone())
                    .or_default()
                    .push(index);
            }
        } else if st == "StepPaused" && cached_index == index && rng.chance(0.1) {
            // A reconcile that writes the whole status back with a new message: the
            // plugin's conditional write, if it comes in between, gets a 409.
            api.modify(GROUP, "rollouts", "fleet", &name, |o| {
                let mut s = cached["status"].clone();
                s["message"] = json!(format!("reconcile {reconciles}"));
                o["status"] = s;
            });
        }
    }
}

#[test]
fn a_thousand_raced_approvals_are_never_skipped_doubled_or_lost() {
    let seed: u64 = std::env::var("RACE_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x5eed_1234_abcd);
    let env = Env::new();
    let counts = Arc::new(Mutex::new(Counts::default()));
    // The step each rollout's script is approving now.
    let expecting: Arc<Mutex<BTreeMap<String, i64>>> = Arc::default();
    {
        let (counts, expecting) = (counts.clone(), expecting.clone());
        env.api
            .observe_writes(Box::new(move |manager, sub, before, after| {
                if manager != "kubectl-kruise" || sub != Some("status") {
                    return;
                }
                let name = after["metadata"]["name"].as_str().unwrap_or("").to_string();
                let (bi, bs) = state(before);
                let (ai, as_) = state(after);
                let mut c = counts.lock().unwrap();
                c.approvals_written += 1;
                if bs != "StepPaused" || as_ != "StepReady" || ai != bi {
                    c.double_approvals += 1;
                }
                if expecting.lock().unwrap().get(&name) != Some(&bi) {
                    c.wrong_step += 1;
                }
                if without_state(before) != without_state(after)
                    || before["spec"] != after["spec"]
                    || before["metadata"]["labels"] != after["metadata"]["labels"]
                    || before["metadata"]["annotations"] != after["metadata"]["annotations"]
                {
                    c.unintended_changes += 1;
                }
            }));
    }
    let mut template = fixture("rollout-seed-v1beta1.yaml");
    template["metadata"]["namespace"] = json!("fleet");
    template["spec"]["strategy"]["canary"]["steps"] = json!(
        (0..STEPS)
            .map(|i| json!({"replicas": format!("{}%", (i + 1) * 2), "pause": {}}))
            .collect::<Vec<_>>()
    );
    let names: Vec<String> = (0..ROLLOUTS).map(|i| format!("r{i:02}")).collect();
    for n in &names {
        let mut r = template.clone();
        r["metadata"]["name"] = json!(n);
        env.api.insert(r);
    }
    let stop = Arc::new(AtomicBool::new(false));
    let controllers: Vec<_> = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            let (api, name, counts, stop) =
                (env.api.clone(), n.clone(), counts.clone(), stop.clone());
            std::thread::spawn(move || {
                controller(api, name, seed.wrapping_add(i as u64 * 7919), counts, stop)
            })
        })
        .collect();
    let failures = Arc::new(Mutex::new(Vec::new()));
    let requested = AtomicUsize::new(0);
    let retried = AtomicUsize::new(0);
    std::thread::scope(|scope| {
        for chunk in names.chunks(ROLLOUTS / IN_PARALLEL) {
            let (env, failures, expecting, requested, retried) =
                (&env, &failures, &expecting, &requested, &retried);
            scope.spawn(move || {
                for name in chunk {
                    for step in 1..=STEPS as i64 {
                        expecting.lock().unwrap().insert(name.clone(), step);
                        requested.fetch_add(1, Ordering::Relaxed);
                        let approve = || {
                            run_command(env.command(&[
                                "rollout",
                                "approve",
                                name,
                                "-n",
                                "fleet",
                                &format!("--expect-step={step}"),
                                "--wait=60s",
                                "--no-event",
                            ]))
                        };
                        let mut run = approve();
                        // As a CI script does: "nothing was written, try again" (a rollout
                        // that changed between every read and write) is safe to run again.
                        for _ in 0..3 {
                            if run.code == 1
                                && run.stderr.contains("nothing was written, try again")
                            {
                                retried.fetch_add(1, Ordering::Relaxed);
                                run = approve();
                            }
                        }
                        if run.code != 0 {
                            failures.lock().unwrap().push(format!(
                                "{name} step {step}: exit {}: {}",
                                run.code, run.stderr
                            ));
                        }
                    }
                }
            });
        }
    });
    stop.store(true, Ordering::Relaxed);
    for c in controllers {
        c.join().unwrap();
    }
    let conflicts = env
        .api
        .requests()
        .iter()
        .filter(|r| r.method == "PATCH" && r.status == 409)
        .count();
    let c = counts.lock().unwrap();
    let completed = names
        .iter()
        .filter(|n| {
            env.api.get(GROUP, "rollouts", "fleet", n).unwrap()["status"]["phase"] == "Healthy"
        })
        .count();
    let skipped: usize = names
        .iter()
        .map(|n| {
            let adv = c.advanced.get(n).cloned().unwrap_or_default();
            let want: Vec<i64> = (1..=STEPS as i64).collect();
            if adv == want {
                0
            } else {
                STEPS - adv.iter().zip(&want).take_while(|(a, w)| a == w).count()
            }
        })
        .sum();
    let approvals = requested.load(Ordering::Relaxed);
    eprintln!(
        "raced approvals (seed {seed}): {approvals} approved with --expect-step --wait; {} approval writes \
         accepted ({} again after the controller overwrote one; {} overwrites injected); {conflicts} conflicts \
         (409) read again and decided again ({} runs again after 5 in a row, as a script would); \
         {completed}/{ROLLOUTS} releases completed; skipped steps {skipped}, \
         double approvals {}, approvals at the wrong step {}, lost approvals {}, fields changed unintentionally {}",
        c.approvals_written,
        c.approvals_written.saturating_sub(approvals),
        c.lost_by_controller,
        retried.load(Ordering::Relaxed),
        c.double_approvals,
        c.wrong_step,
        ROLLOUTS * STEPS - c.advanced.values().map(Vec::len).sum::<usize>(),
        c.unintended_changes,
    );
    let failures = failures.lock().unwrap();
    assert!(
        failures.is_empty(),
        "{} commands failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(approvals >= 1000);
    assert_eq!(completed, ROLLOUTS);
    assert_eq!(skipped, 0);
    assert_eq!(c.double_approvals, 0);
    assert_eq!(c.wrong_step, 0);
    assert_eq!(c.unintended_changes, 0);
    assert_eq!(
        c.advanced.values().map(Vec::len).sum::<usize>(),
        ROLLOUTS * STEPS,
        "lost approvals"
    );
    // The race really happened: approvals were overwritten and writes conflicted.
    assert!(
        c.lost_by_controller > 0 && conflicts > 0,
        "the controller did not race"
    );
}
