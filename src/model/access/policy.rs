//! The admission policy that narrows what RBAC cannot: `patch rollouts/status` lets an
//! identity rewrite any status field; the policy lets it write only the approval
//! (`currentStepState` StepPaused -> StepReady, and `lastUpdateTime`), plus `nextStepIndex`
//! when step jumps are granted. For KubeVela's kinds, a spec write of `batchPartition` one
//! above what it was (and the fields the other granted verbs write).
//!
//! The expressions treat `object` and `oldObject` as maps, as admission CEL sees them, and
//! are evaluated in the tests by a CEL interpreter against the plugin's own writes.

use serde_json::{Value, json};

use super::{Options, Verb};
use crate::model::GROUP;

/// The API version of ValidatingAdmissionPolicy the server serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyApi {
    /// Kubernetes 1.30 and later.
    V1,
    /// Kubernetes 1.28 and 1.29, with the ValidatingAdmissionPolicy feature gate and the
    /// admissionregistration.k8s.io/v1beta1 API enabled.
    V1beta1,
}

impl PolicyApi {
    pub fn api_version(self) -> &'static str {
        match self {
            PolicyApi::V1 => "admissionregistration.k8s.io/v1",
            PolicyApi::V1beta1 => "admissionregistration.k8s.io/v1beta1",
        }
    }

    /// The version for a server at `major.minor`; none before 1.28.
    pub fn for_server(major: u32, minor: u32) -> Option<PolicyApi> {
        match (major, minor) {
            (1, m) if m >= 30 => Some(PolicyApi::V1),
            (1, 28 | 29) => Some(PolicyApi::V1beta1),
            (m, _) if m > 1 => Some(PolicyApi::V1),
            _ => None,
        }
    }

    pub fn parse(s: &str) -> Result<PolicyApi, String> {
        match s {
            "v1" => Ok(PolicyApi::V1),
            "v1beta1" => Ok(PolicyApi::V1beta1),
            _ => Err(format!("no policy API version {s:?}: use v1 or v1beta1")),
        }
    }
}

const SUB_STATUSES: &str = "['canaryStatus', 'blueGreenStatus']";

/// CEL: `a` and `b` (maps) hold the same keys with the same values, but for `allowed`.
fn same_but(a: &str, b: &str, allowed: &[&str]) -> String {
    let allowed = list(allowed);
    let one_way =
        |x: &str, y: &str| format!("{x}.all(k, k in {allowed} || (k in {y} && {x}[k] == {y}[k]))");
    format!("{} && {}", one_way(a, b), one_way(b, a))
}

fn list(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("'{i}'")).collect();
    format!("[{}]", quoted.join(", "))
}

/// CEL: the step state of sub-status `s` in `o`, or '' when it has none.
fn state(o: &str) -> String {
    format!("('currentStepState' in {o}.status[s] ? {o}.status[s].currentStepState : '')")
}

/// The validations for Kruise status writes: (expression, message).
pub fn kruise_validations(to_step: bool) -> Vec<(String, String)> {
    let approval = format!(
        "{} == 'StepPaused' && {} == 'StepReady'",
        state("oldObject"),
        state("object")
    );
    let both = "s in object.status && s in oldObject.status";
    let transition = if to_step {
        // A step jump writes only nextStepIndex; an approval moves StepPaused to StepReady.
        format!(
            "{SUB_STATUSES}.all(s, !({both}) || {} == {} || ({approval}))",
            state("object"),
            state("oldObject")
        )
    } else {
        format!("{SUB_STATUSES}.exists(s, {both} && {approval})")
    };
    let mut sub_allowed = vec!["currentStepState", "lastUpdateTime"];
    if to_step {
        sub_allowed.push("nextStepIndex");
    }
    let others = format!(
        "{} && {SUB_STATUSES}.all(s, (s in object.status) == (s in oldObject.status) && \
         (!(s in object.status) || ({})))",
        same_but(
            "object.status",
            "oldObject.status",
            &["canaryStatus", "blueGreenStatus"]
        ),
        same_but("object.status[s]", "oldObject.status[s]", &sub_allowed)
    );
    let has = "has(object.status) && has(oldObject.status)";
    let what = if to_step {
        "approve a step (currentStepState StepPaused -> StepReady) or move to a step (nextStepIndex)"
    } else {
        "approve a step (currentStepState StepPaused -> StepReady)"
    };
    vec![
        (
            format!("{has} && {transition}"),
            format!("this identity may only {what}"),
        ),
        (
            format!("{has} && {others}"),
            format!(
                "this identity may change no other status field than {}",
                sub_allowed.join(", ")
            ),
        ),
    ]
}

/// The validations for KubeVela spec writes by the verbs granted: (expression, message).
pub fn batch_validations(verbs: &[Verb]) -> Vec<(String, String)> {
    let mut plan_allowed = Vec::new();
    let mut spec_allowed = vec!["rolloutPlan"];
    if verbs.contains(&Verb::Approve) {
        plan_allowed.push("batchPartition");
    }
    if verbs.contains(&Verb::Pause) || verbs.contains(&Verb::Resume) {
        plan_allowed.push("paused");
    }
    if verbs.contains(&Verb::Undo) {
        spec_allowed.extend([
            "sourceAppRevisionName",
            "targetAppRevisionName",
            "targetRevisionName",
            "sourceRevisionName",
        ]);
    }
    let plan = "object.spec.rolloutPlan";
    let old_plan = "oldObject.spec.rolloutPlan";
    let partition = format!(
        "('batchPartition' in {plan}) == ('batchPartition' in {old_plan}) && \
         (!('batchPartition' in {plan}) || {plan}.batchPartition == {old_plan}.batchPartition || \
         {plan}.batchPartition == {old_plan}.batchPartition + 1)"
    );
    let meta = |f: &str| {
        format!(
            "(has(object.metadata.{f}) ? object.metadata.{f} : {{}}) == \
             (has(oldObject.metadata.{f}) ? oldObject.metadata.{f} : {{}})"
        )
    };
    let has = "has(object.spec) && has(oldObject.spec) && has(object.spec.rolloutPlan) && \
               has(oldObject.spec.rolloutPlan)";
    vec![
        (
            format!("{has} && {partition}"),
            "this identity may only raise batchPartition by one".to_string(),
        ),
        (
            format!(
                "{has} && {} && {} && {} && {}",
                same_but("object.spec", "oldObject.spec", &spec_allowed),
                same_but(plan, old_plan, &plan_allowed),
                meta("labels"),
                meta("annotations")
            ),
            format!(
                "this identity may change no other field than spec.rolloutPlan.{{{}}}{}",
                plan_allowed.join(", "),
                if spec_allowed.len() > 1 {
                    format!(" and spec.{{{}}}", spec_allowed[1..].join(", "))
                } else {
                    String::new()
                }
            ),
        ),
    ]
}

/// CEL: the request comes from one of `usernames` or a member of one of `groups`.
pub fn identity_condition(usernames: &[String], groups: &[String]) -> String {
    let mut parts = Vec::new();
    for u in usernames {
        parts.push(format!("request.userInfo.username == '{u}'"));
    }
    for g in groups {
        parts.push(format!("'{g}' in request.userInfo.groups"));
    }
    parts.join(" || ")
}

/// Where a policy applies: Kruise Rollouts' status, or KubeVela's rollout kinds' spec.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    KruiseStatus,
    BatchSpec,
}

/// A ValidatingAdmissionPolicy and its binding, for writes by the identity in `namespace`.
pub fn approval_policy(
    api: PolicyApi,
    name: &str,
    scope: Scope,
    verbs: &[Verb],
    opts: Options,
    identity: &str,
    namespace: &str,
) -> [Value; 2] {
    let (rules, validations) = match scope {
        Scope::KruiseStatus => (
            json!([{
                "apiGroups": [GROUP], "apiVersions": ["*"],
                "operations": ["UPDATE"], "resources": ["rollouts/status"],
            }]),
            kruise_validations(opts.to_step),
        ),
        Scope::BatchSpec => (
            json!([
                {"apiGroups": ["core.oam.dev"], "apiVersions": ["*"],
                 "operations": ["UPDATE"], "resources": ["approllouts"]},
                {"apiGroups": ["standard.oam.dev"], "apiVersions": ["*"],
                 "operations": ["UPDATE"], "resources": ["rollouts"]},
            ]),
            batch_validations(verbs),
        ),
    };
    let validations: Vec<Value> = validations
        .into_iter()
        .map(|(expression, message)| {
            json!({"expression": expression, "message": message, "reason": "Forbidden"})
        })
        .collect();
    let policy = json!({
        "apiVersion": api.api_version(),
        "kind": "ValidatingAdmissionPolicy",
        "metadata": {"name": name, "labels": {"app.kubernetes.io/managed-by": "kubectl-kruise"}},
        "spec": {
            "failurePolicy": "Fail",
            "matchConstraints": {"resourceRules": rules},
            "matchConditions": [{"name": "granted-identity", "expression": identity}],
            "validations": validations,
        },
    });
    let resources = json!({
        "namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": namespace}},
    });
    let binding = json!({
        "apiVersion": api.api_version(),
        "kind": "ValidatingAdmissionPolicyBinding",
        "metadata": {"name": name, "labels": {"app.kubernetes.io/managed-by": "kubectl-kruise"}},
        "spec": {
            "policyName": name,
            "validationActions": ["Deny"],
            "matchResources": resources,
        },
    });
    [policy, binding]
}
