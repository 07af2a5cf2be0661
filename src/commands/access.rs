//! `rollout access grant` and `rollout access check`: the rights an identity needs for the
//! plugin's verbs, from the request inventory in `model::access`.

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use futures::{StreamExt, TryStreamExt};
use serde_json::{Value, json};

use super::{emit, usage};
use crate::cli::{AccessTargets, CheckArgs, DataFormat, DryRun, GrantArgs};
use crate::cluster::{self, ApiError, Cluster, ObjectApi, RolloutApi, TargetRef};
use crate::exit::{Code, Failure};
use crate::model::access::{
    self, Granted, Options, PolicyApi, Request, Subject, Verb, describe, manifests,
};
use crate::model::batch::{BatchKind, decode_batch};
use crate::model::{ApiVersion, WorkloadKind};
use crate::render;

/// The rollouts named by the arguments, read from the cluster for their workloads (and,
/// for trait Rollouts, the Application that renders them). With `lenient`, a rollout the
/// identity may not read is kept with what is known of it.
async fn targets(cluster: &Cluster, t: &AccessTargets, lenient: bool) -> Result<Vec<Granted>> {
    if t.rollouts.is_empty() {
        if t.selector.is_none() && !t.all {
            return Err(usage(
                "name the rollouts (NAME, approllout/NAME, ...), or select them with -l or --all",
            ));
        }
        if let Some(sel) = &t.selector {
            cluster::select::check_selector(sel).map_err(Failure::Usage)?;
        }
        return listed(cluster, t.selector.as_deref()).await;
    }
    let refs = cluster::resource::parse_targets(&t.rollouts).map_err(Failure::Usage)?;
    let api = RolloutApi::new(cluster.clone());
    let mut out = Vec::new();
    for r in refs {
        let granted = match r {
            TargetRef::Rollout(rr) => match api.get(&rr).await {
                Ok(f) => kruise(&f.object),
                Err(ApiError::Forbidden(_)) if lenient => Granted::Kruise {
                    name: rr.name.clone(),
                    workload: None,
                },
                Err(e) => return Err(e.into()),
            },
            TargetRef::Batch { kind, name } => {
                match cluster::batch_api(cluster, kind).get(&name).await {
                    Ok(obj) => batch(kind, &name, &obj),
                    Err(ApiError::Forbidden(_)) if lenient => Granted::Batch {
                        kind,
                        name,
                        app: None,
                    },
                    Err(e) => return Err(e.into()),
                }
            }
            other => {
                return Err(usage(&format!(
                    "access is about rollouts, and {} is a {}: name its rollout",
                    other.display(),
                    other.kind()
                )));
            }
        };
        out.push(granted);
    }
    Ok(out)
}

fn kruise(obj: &Value) -> Granted {
    let name = obj["metadata"]["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let workload = crate::model::decode(obj)
        .ok()
        .and_then(|r| r.workload)
        .and_then(|w| Some((WorkloadKind::from_ref(&w.api_version, &w.kind)?, w.name)));
    Granted::Kruise { name, workload }
}

fn batch(kind: BatchKind, name: &str, obj: &Value) -> Granted {
    let app = match kind {
        BatchKind::TraitRollout => decode_batch(obj).ok().and_then(|b| b.app),
        BatchKind::AppRollout => None,
    };
    Granted::Batch {
        kind,
        name: name.to_string(),
        app,
    }
}

/// The Kruise Rollouts of the namespace that match `selector`.
async fn listed(cluster: &Cluster, selector: Option<&str>) -> Result<Vec<Granted>> {
    let mut items = Vec::new();
    for v in [ApiVersion::V1beta1, ApiVersion::V1alpha1] {
        match ObjectApi::new(cluster, cluster::rollout_resource(v))
            .list_values(selector)
            .await
        {
            Ok(list) => {
                items = list;
                break;
            }
            Err(ApiError::NotServed(_)) => continue,
            Err(e) => return Err(e.into()),
        }
    }
    if items.is_empty() {
        return Err(Failure::Refused(match selector {
            Some(sel) => format!("no rollouts in namespace {} match {sel}", cluster.namespace),
            None => format!("there are no rollouts in namespace {}", cluster.namespace),
        })
        .into());
    }
    Ok(items.iter().map(kruise).collect())
}

pub async fn grant(cluster: &Cluster, a: &GrantArgs) -> Result<Code> {
    let mut verbs = a.verbs.clone();
    verbs.sort();
    verbs.dedup();
    if let Some(n) = &a.name {
        let ok = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-';
        if n.is_empty()
            || n.len() > 200
            || !n.chars().all(ok)
            || n.starts_with('-')
            || n.ends_with('-')
        {
            return Err(usage(&format!(
                "--name {n:?} is not a valid name (lowercase letters, digits and '-', at most 200)"
            )));
        }
    }
    let targets = targets(cluster, &a.targets, false).await?;
    // An approval or undo of a trait Rollout that an Application renders writes the
    // Application's spec: no rule or policy narrows that to the approval.
    if let Some(Granted::Batch {
        name,
        app: Some(app),
        ..
    }) = targets
        .iter()
        .find(|t| matches!(t, Granted::Batch { app: Some(_), .. }))
        && verbs
            .iter()
            .any(|v| matches!(v, Verb::Approve | Verb::Undo))
    {
        return Err(Failure::Refused(format!(
            "rollouts.standard.oam.dev/{name} is rendered by Application {app}: approving or \
             undoing it writes the Application's spec, which cannot be narrowed to the \
             approval; grant pause, resume, status or history, or patch on \
             applications/{app} yourself"
        ))
        .into());
    }
    let opts = Options {
        to_step: a.to_step,
        events: !a.no_event,
        all_objects: a.targets.all,
    };
    let (kruise_policy, batch_policy) = access::policies_needed(&verbs, &targets, opts);
    let policy = if a.no_policy || !(kruise_policy || batch_policy) {
        None
    } else if let Some(p) = a.policy_api {
        Some(p)
    } else {
        let (major, minor) = cluster::access::server_version(cluster).await?;
        match PolicyApi::for_server(major, minor) {
            Some(p) => Some(p),
            None => {
                return Err(Failure::Refused(format!(
                    "the API server is Kubernetes {major}.{minor}, which has no \
                     ValidatingAdmissionPolicy (1.28+): without it, patch on rollouts/status \
                     allows any status change; use --no-policy to grant the Role alone"
                ))
                .into());
            }
        }
    };
    let name = match &a.name {
        Some(n) => n.clone(),
        None => match a.subjects[0].short() {
            s if s.is_empty() => "kubectl-kruise-grant".to_string(),
            s => format!("kubectl-kruise-{s}"),
        },
    };
    let docs = manifests(
        &name,
        &cluster.namespace,
        &a.subjects,
        &verbs,
        &targets,
        opts,
        policy,
    );
    if !a.apply {
        emit(&match a.output {
            Some(DataFormat::Json) => {
                render::json(&json!({"apiVersion": "v1", "kind": "List", "items": docs}))?
            }
            _ => {
                let parts: Result<Vec<String>> = docs.iter().map(render::yaml).collect();
                parts?.join("---\n")
            }
        })?;
        return Ok(Code::Ok);
    }
    let dry = a.dry_run.unwrap_or(DryRun::None);
    for doc in &docs {
        let line = apply_one(cluster, doc, dry).await?;
        println!("{line}{}", dry.suffix());
    }
    Ok(Code::Ok)
}

/// The API of a manifest's kind.
fn api_for(cluster: &Cluster, doc: &Value) -> ObjectApi {
    let (group, version) = doc["apiVersion"]
        .as_str()
        .unwrap_or_default()
        .split_once('/')
        .unwrap_or(("", "v1"));
    let kind = doc["kind"].as_str().unwrap_or_default();
    let plural = match kind {
        "Role" => "roles",
        "RoleBinding" => "rolebindings",
        "ValidatingAdmissionPolicy" => "validatingadmissionpolicies",
        _ => "validatingadmissionpolicybindings",
    };
    let ar = cluster::gvk_resource(group, version, kind, plural);
    if kind.starts_with("Role") {
        ObjectApi::new(cluster, ar)
    } else {
        ObjectApi::cluster_wide(cluster, ar)
    }
}

/// Whether `live` already holds everything `want` sets (the server may add defaults, and
/// others labels and annotations): then applying again would change nothing.
fn holds(live: &Value, want: &Value) -> bool {
    match (live, want) {
        (_, Value::Null) => true,
        (Value::Object(l), Value::Object(w)) => w.iter().all(|(k, v)| {
            let empty = v.is_null() || v.as_object().is_some_and(|o| o.is_empty());
            l.get(k).map_or(empty, |lv| holds(lv, v))
        }),
        (Value::Array(l), Value::Array(w)) => {
            l.len() == w.len() && l.iter().zip(w).all(|(a, b)| holds(a, b))
        }
        (l, w) => l == w,
    }
}

/// Create the object, or update what is there: `role.rbac.authorization.k8s.io/x created`.
/// A client dry run reads, says what it would do, and writes nothing.
async fn apply_one(cluster: &Cluster, doc: &Value, dry: DryRun) -> Result<String> {
    let api = api_for(cluster, doc);
    let name = doc["metadata"]["name"].as_str().unwrap_or_default();
    let group = doc["apiVersion"]
        .as_str()
        .unwrap_or_default()
        .split_once('/')
        .map(|(g, _)| g)
        .unwrap_or_default();
    let kind = doc["kind"]
        .as_str()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let what = format!("{kind}.{group}/{name}");
    let write = dry != DryRun::Client;
    let server_dry = dry == DryRun::Server;
    let mut want = doc.clone();
    want.as_object_mut().map(|m| m.remove("apiVersion"));
    let verb = match api.get(name).await {
        Err(ApiError::NotFound { .. }) => {
            if write {
                api.create(doc, server_dry)
                    .await
                    .with_context(|| format!("cannot create {what}"))?;
            }
            "created"
        }
        Err(e) => return Err(e.into()),
        Ok(live) if holds(&live, &want) => "unchanged",
        Ok(live) => {
            if write {
                // Labels and annotations others added are kept, as kubectl apply keeps them.
                let mut next = doc.clone();
                let meta = &doc["metadata"];
                next["metadata"] = live["metadata"].clone();
                for f in ["labels", "annotations"] {
                    if let Some(mine) = meta[f].as_object() {
                        for (k, v) in mine {
                            next["metadata"][f][k] = v.clone();
                        }
                    }
                }
                api.replace(&next, server_dry)
                    .await
                    .with_context(|| format!("cannot update {what}"))?;
            }
            "configured"
        }
    };
    Ok(format!("{what} {verb}"))
}

/// One row of `access check`.
struct Row {
    verb: Verb,
    target: String,
    missing: Vec<Request>,
}

pub async fn check(cluster: &Cluster, a: &CheckArgs) -> Result<Code> {
    let verbs: Vec<Verb> = if a.verbs.is_empty() {
        Verb::ALL.to_vec()
    } else {
        let mut v = a.verbs.clone();
        v.sort();
        v.dedup();
        v
    };
    let targets = targets(cluster, &a.targets, true).await?;
    // Events are optional: a verb works without them (the change just leaves no Event).
    let opts = Options {
        to_step: a.to_step,
        events: false,
        all_objects: a.targets.all,
    };
    let kubevela = targets.iter().any(|t| matches!(t, Granted::Batch { .. }));
    let mut plan: Vec<(Verb, String, Vec<Request>)> = Vec::new();
    for v in &verbs {
        if *v == Verb::List {
            plan.push((*v, "-".into(), access::list_requests(kubevela)));
            continue;
        }
        for t in &targets {
            let reqs = access::requests(*v, t, opts);
            if !reqs.is_empty() {
                plan.push((*v, t.display(), reqs));
            }
        }
    }
    // One review per distinct request, 8 at a time.
    let mut distinct: Vec<Request> = plan.iter().flat_map(|(_, _, r)| r.clone()).collect();
    distinct.sort();
    distinct.dedup();
    let ns = cluster.namespace.clone();
    let subject = a.subject.clone();
    let answers: BTreeMap<Request, bool> = futures::stream::iter(distinct)
        .map(|r| {
            let (ns, subject) = (ns.clone(), subject.clone());
            async move {
                cluster::access::allowed(cluster, &r, &ns, subject.as_ref())
                    .await
                    .map(|ok| (r, ok))
            }
        })
        .buffer_unordered(8)
        .try_collect()
        .await?;
    let rows: Vec<Row> = plan
        .into_iter()
        .map(|(verb, target, reqs)| Row {
            verb,
            target,
            missing: reqs.into_iter().filter(|r| !answers[r]).collect(),
        })
        .collect();
    let all_allowed = rows.iter().all(|r| r.missing.is_empty());
    let who = a
        .subject
        .as_ref()
        .map(subject_words)
        .unwrap_or_else(|| cluster.user.clone());
    match a.output {
        None => {
            let table: Vec<Vec<String>> = rows
                .iter()
                .map(|r| {
                    vec![
                        r.verb.name().to_string(),
                        r.target.clone(),
                        if r.missing.is_empty() { "yes" } else { "no" }.to_string(),
                        r.missing.first().map(describe).unwrap_or_default(),
                    ]
                })
                .collect();
            emit(&render::plain_table(
                Some(&["VERB", "ROLLOUT", "ALLOWED", "MISSING"]),
                table,
            ))?;
            if !all_allowed {
                crate::errln!(
                    "{who} may not run every verb asked for; grant them with: kubectl kruise \
                     rollout access grant ROLLOUT... --subject SUBJECT --verbs VERBS -n {ns}"
                );
            }
        }
        Some(f) => {
            let items: Vec<Value> = rows
                .iter()
                .map(|r| {
                    json!({
                        "verb": r.verb.name(), "rollout": r.target,
                        "allowed": r.missing.is_empty(),
                        "missing": r.missing.iter().map(|m| json!({
                            "apiGroup": m.group, "resource": m.resource, "verb": m.verb,
                            "name": m.name,
                        })).collect::<Vec<_>>(),
                    })
                })
                .collect();
            let doc =
                json!({"subject": who, "namespace": ns, "allowed": all_allowed, "checks": items});
            emit(&match f {
                DataFormat::Json => render::json(&doc)?,
                DataFormat::Yaml => render::yaml(&doc)?,
            })?;
        }
    }
    Ok(if all_allowed { Code::Ok } else { Code::Error })
}

fn subject_words(s: &Subject) -> String {
    match s {
        Subject::User(n) => format!("user {n}"),
        Subject::Group(n) => format!("group {n}"),
        Subject::ServiceAccount { namespace, name } => {
            format!("serviceaccount {namespace}/{name}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_the_server_adds_does_not_count_as_a_change() {
        let want = json!({"kind": "ValidatingAdmissionPolicy", "metadata": {"name": "p", "labels": {"a": "1"}},
            "spec": {"failurePolicy": "Fail", "validations": [{"expression": "true"}]}});
        let mut live = want.clone();
        live["metadata"]["resourceVersion"] = json!("7");
        live["metadata"]["labels"]["other"] = json!("x");
        live["spec"]["matchPolicy"] = json!("Equivalent");
        live["spec"]["validations"][0]["reason"] = json!("Invalid");
        assert!(holds(&live, &want));
        let mut changed = live.clone();
        changed["spec"]["failurePolicy"] = json!("Ignore");
        assert!(!holds(&changed, &want));
        let mut fewer = live.clone();
        fewer["spec"]["validations"] = json!([]);
        assert!(!holds(&fewer, &want));
        let mut unlabelled = live;
        unlabelled["metadata"]["labels"] = json!({"other": "x"});
        assert!(!holds(&unlabelled, &want));
    }
}
