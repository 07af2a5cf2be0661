//! A release page's data and its actions. The state, steps and conditions are `rollout
//! status -o json`; which buttons are allowed is `rollout access check -o json`; an action
//! is its command line run as in a terminal (see `cli_run`). Pods, Events, routes and the
//! owning application are read beside them.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use kube::api::{Api, DynamicObject, ListParams};
use serde::Deserialize;
use serde_json::{Value, json};

use super::cli_run::{self, shell_line};
use crate::cluster::{self, Cluster};
use crate::model::batch::BatchKind;
use crate::model::detail;
use crate::model::workload::WorkloadKind;

/// A release the page names: its cluster (empty when there is one), kind as the view
/// names it, namespace and name.
#[derive(Debug, Clone, Deserialize)]
pub struct Named {
    #[serde(default)]
    pub cluster: String,
    /// Also the template diff of the revisions (the release page asks once, on opening).
    #[serde(default)]
    pub diff: bool,
    pub kind: String,
    pub namespace: String,
    pub name: String,
}

/// The verbs offered as buttons, in order.
const KRUISE_VERBS: [&str; 5] = ["approve", "pause", "resume", "undo", "restart"];
const BATCH_VERBS: [&str; 4] = ["approve", "pause", "resume", "undo"];

/// A Kubernetes name or namespace: what the page sends is checked before it becomes a
/// command line word, so it can never be read as a flag.
fn valid_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 253
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        && s.as_bytes()[0].is_ascii_alphanumeric()
}

impl Named {
    /// The target word the CLI takes, and the verbs its kind offers.
    fn target(&self) -> Result<(String, BatchOr), String> {
        if !valid_name(&self.name) || !valid_name(&self.namespace) {
            return Err(format!(
                "{:?} in {:?} is not a Kubernetes name",
                self.name, self.namespace
            ));
        }
        if self.kind == "rollout.rollouts.kruise.io" {
            return Ok((format!("rollout/{}", self.name), BatchOr::Kruise));
        }
        match BatchKind::from_type_word(&self.kind) {
            Some(k) => Ok((format!("{}/{}", self.kind, self.name), BatchOr::Batch(k))),
            None => Err(format!("the dashboard does not show {:?}", self.kind)),
        }
    }
}

#[derive(Clone, Copy)]
enum BatchOr {
    Kruise,
    Batch(BatchKind),
}

impl BatchOr {
    fn verbs(self) -> &'static [&'static str] {
        match self {
            BatchOr::Kruise => &KRUISE_VERBS,
            BatchOr::Batch(_) => &BATCH_VERBS,
        }
    }
}

/// The words of `verb` on the release; `step`: approve exactly the step the page showed.
fn words(verb: &str, target: &str, ns: &str, step: Option<i64>) -> Vec<String> {
    let mut w = vec![
        "rollout".to_string(),
        verb.to_string(),
        target.to_string(),
        "-n".to_string(),
        ns.to_string(),
    ];
    if let (Some(step), "approve") = (step, verb) {
        w.push(format!("--expect-step={step}"));
    }
    w
}

/// One cluster the dashboard shows: its client, the flags naming it on a command line, and
/// the access checks lately made there.
#[derive(Clone)]
pub struct Reached {
    pub cluster: Cluster,
    pub flags: Vec<String>,
    pub access: Arc<Mutex<AccessChecks>>,
}

/// Access checks by their command line: when each was made, and what it said.
type AccessChecks = HashMap<String, (Instant, Arc<cli_run::Ran>)>;

/// How long a release's access check (a SelfSubjectAccessReview per verb and resource)
/// stands: a release page redrawn on every change of a busy release would repeat them each
/// time. A right granted meanwhile shows within this long.
const ACCESS_FRESH: Duration = Duration::from_secs(30);

impl Reached {
    pub fn new(cluster: Cluster, flags: Vec<String>) -> Reached {
        Reached {
            cluster,
            flags,
            access: Arc::default(),
        }
    }

    /// `rollout access check` for these words, as lately run here or run now.
    async fn access_check(&self, cluster: Cluster, words: &[String]) -> Arc<cli_run::Ran> {
        let key = words.join(" ");
        let fresh = |(at, ran): &(Instant, Arc<cli_run::Ran>)| {
            (at.elapsed() < ACCESS_FRESH).then(|| ran.clone())
        };
        if let Some(ran) = self.lock().get(&key).and_then(fresh) {
            return ran;
        }
        let ran = Arc::new(cli_run::run(cluster, words, true).await);
        let mut cache = self.lock();
        cache.retain(|_, (at, _)| at.elapsed() < ACCESS_FRESH);
        // A report (all allowed or not) stands; no report (an error) is asked again.
        if !ran.docs.is_empty() {
            cache.insert(key, (Instant::now(), ran.clone()));
        }
        ran
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, AccessChecks> {
        self.access.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn with_flags(mut w: Vec<String>, flags: &[String]) -> Vec<String> {
    w.extend(flags.iter().cloned());
    w
}

/// The stable and canary revisions as `rollout history` numbers them, with their images and
/// the diff of their pod templates (`history --revision=N -o json` of each). `None` where
/// history has no such pair (no release in flight, or a kind without history).
async fn revisions(cluster: &Cluster, target: &str, ns: &str) -> Option<Value> {
    let history = |extra: Option<i64>| {
        let mut w = words("history", target, ns, None);
        if let Some(n) = extra {
            w.push(format!("--revision={n}"));
        }
        w.extend(["-o".into(), "json".into()]);
        let cluster = cluster.clone();
        async move {
            cli_run::run(cluster, &w, true)
                .await
                .docs
                .into_iter()
                .next()
        }
    };
    let doc = history(None).await?;
    let (stable, canary) = (
        doc["stableRevision"].as_i64()?,
        doc["canaryRevision"].as_i64()?,
    );
    if stable == canary {
        return None;
    }
    let (old, new) = futures::join!(history(Some(stable)), history(Some(canary)));
    let (old, new) = (&old?["revisions"][0], &new?["revisions"][0]);
    Some(json!({
        "stable": stable,
        "canary": canary,
        "stableImages": old["images"],
        "canaryImages": new["images"],
        "diff": crate::render::template_diff(
            &old["template"],
            &new["template"],
            (&format!("revision {stable} (stable)"), &format!("revision {canary} (canary)")),
        ),
    }))
}

/// Everything the release page shows, as one document; `diff`: with the revisions'
/// template diff (read once when the page opens: it costs three reads).
pub async fn page(
    at: &Reached,
    named: &Named,
    read_only: bool,
    diff: bool,
) -> Result<Value, String> {
    let (target, kind) = named.target()?;
    let ns = &named.namespace;
    let cluster = at.cluster.in_namespace(ns);
    let status_words = {
        let mut w = words("status", &target, ns, None);
        w.extend(["-o".into(), "json".into()]);
        w
    };
    let verbs = kind.verbs();
    let access_words = {
        let mut w = vec![
            "rollout".to_string(),
            "access".into(),
            "check".into(),
            target.clone(),
            "-n".into(),
            ns.clone(),
            format!("--verbs={}", verbs.join(",")),
            "-o".into(),
            "json".into(),
        ];
        w.dedup();
        w
    };
    let raw = raw_object(&cluster, named, kind);
    let events = events(&cluster, named, kind);
    let revs = async {
        match kind {
            BatchOr::Kruise if diff => revisions(&cluster, &target, ns).await,
            _ => None,
        }
    };
    let (status, access, raw, events, revs) = futures::join!(
        cli_run::run(cluster.clone(), &status_words, true),
        async {
            if read_only {
                None
            } else {
                Some(at.access_check(cluster.clone(), &access_words).await)
            }
        },
        raw,
        events,
        revs
    );
    let Some(doc) = status.docs.into_iter().next() else {
        return Err(status.err.join("\n"));
    };
    let (pods, pod_selector) = match doc.pointer("/workload") {
        Some(w) if !w.is_null() => match pods(&cluster, w).await {
            Ok((rows, sel)) => (Ok(rows), sel),
            Err(e) => (Err(e), None),
        },
        _ => (Ok(Vec::new()), None),
    };
    let step = doc["currentStepIndex"].as_i64();
    let waiting_for = doc["waitingFor"].as_str();
    let actions: Vec<Value> = verbs
        .iter()
        .map(|verb| {
            let w = with_flags(words(verb, &target, ns, step), &at.flags);
            let access_row = access.as_ref().and_then(|a| {
                a.docs
                    .iter()
                    .flat_map(|d| d["checks"].as_array().into_iter().flatten())
                    .find(|d| d["verb"] == *verb)
                    .map(|d| (d["allowed"].as_bool() == Some(true), d["missing"].clone()))
            });
            let reason = match (&access, access_row) {
                (None, _) => Some("the dashboard is read-only (--read-only)".to_string()),
                (Some(_), Some((false, missing))) => Some(format!(
                    "you may not {verb} this release: {}",
                    missing_words(&missing)
                )),
                (Some(a), None) if a.code != 0 => {
                    Some(format!("could not check your rights: {}", a.err.join(" ")))
                }
                _ if *verb == "approve" && waiting_for != Some("approval") => Some(format!(
                    "nothing waits for approval: the release {}",
                    doc["stateText"]
                        .as_str()
                        .unwrap_or("is not paused at a step")
                )),
                _ => None,
            };
            json!({
                "verb": verb,
                "enabled": reason.is_none(),
                "reason": reason,
                "command": shell_line(&w),
                "step": if *verb == "approve" { step } else { None },
            })
        })
        .collect();
    let (events, events_error) = split(events);
    let (pods, pods_error) = split(pods);
    let raw = raw.unwrap_or(Value::Null);
    Ok(json!({
        "status": doc,
        "statusCommand": shell_line(&with_flags(words("status", &target, ns, None), &at.flags)),
        "routes": detail::routes(&raw),
        "owner": detail::owner_app(&raw),
        "events": events,
        "eventsError": events_error,
        "pods": pods,
        "podsError": pods_error,
        "podSelector": pod_selector,
        "actions": actions,
        "readOnly": read_only,
        "revisions": revs,
    }))
}

fn split<T: serde::Serialize>(r: Result<Vec<T>, String>) -> (Value, Option<String>) {
    match r {
        Ok(v) => (json!(v), None),
        Err(e) => (json!([]), Some(e)),
    }
}

/// `update on rollouts.rollouts.kruise.io/web (status)`: what `access check` found missing.
fn missing_words(missing: &Value) -> String {
    let words: Vec<String> = missing
        .as_array()
        .into_iter()
        .flatten()
        .map(|m| {
            let group = m["apiGroup"].as_str().unwrap_or_default();
            let resource = m["resource"].as_str().unwrap_or_default();
            let res = if group.is_empty() {
                resource.to_string()
            } else {
                format!("{resource}.{group}")
            };
            match m["name"].as_str() {
                Some(n) => format!("{} {res}/{n}", m["verb"].as_str().unwrap_or_default()),
                None => format!("{} {res}", m["verb"].as_str().unwrap_or_default()),
            }
        })
        .collect();
    if words.is_empty() {
        "a right the cluster did not name".into()
    } else {
        format!("no right to {}", words.join(", "))
    }
}

/// The release as stored (for its routes and owner): a Kruise Rollout at v1beta1, else at
/// v1alpha1 (a cluster serving only that).
async fn raw_object(cluster: &Cluster, named: &Named, kind: BatchOr) -> Option<Value> {
    use crate::model::ApiVersion;
    match kind {
        BatchOr::Kruise => {
            for v in [ApiVersion::V1beta1, ApiVersion::V1alpha1] {
                let api = cluster::ObjectApi::new(cluster, cluster::rollout_resource(v));
                if let Ok(obj) = api.get(&named.name).await {
                    return Some(obj);
                }
            }
            None
        }
        BatchOr::Batch(k) => cluster::batch_api(cluster, k).get(&named.name).await.ok(),
    }
}

async fn events(
    cluster: &Cluster,
    named: &Named,
    kind: BatchOr,
) -> Result<Vec<detail::EventRow>, String> {
    let kind_name = match kind {
        BatchOr::Kruise => "Rollout",
        BatchOr::Batch(k) => k.kind(),
    };
    let ar = cluster::gvk_resource("", "v1", "Event", "events");
    let api: Api<DynamicObject> =
        Api::namespaced_with(cluster.client.clone(), &named.namespace, &ar);
    let lp = ListParams::default().fields(&format!(
        "involvedObject.name={},involvedObject.kind={kind_name}",
        named.name
    ));
    let list = api.list(&lp).await.map_err(|e| short(&e))?;
    let mut rows: Vec<detail::EventRow> = list
        .items
        .iter()
        .map(|e| detail::event_row(&serde_json::to_value(e).unwrap_or_default()))
        .collect();
    detail::newest_first(&mut rows);
    Ok(rows)
}

/// The workload's pods: its selector's, read from the workload.
async fn pods(
    cluster: &Cluster,
    workload: &Value,
) -> Result<(Vec<detail::PodRow>, Option<String>), String> {
    let (Some(av), Some(kind), Some(name)) = (
        workload["apiVersion"].as_str(),
        workload["kind"].as_str(),
        workload["name"].as_str(),
    ) else {
        return Ok((Vec::new(), None));
    };
    let Some(wk) = WorkloadKind::from_ref(av, kind) else {
        return Ok((Vec::new(), None));
    };
    let ar = cluster::gvk_resource(wk.group(), wk.version(), wk.kind(), wk.plural());
    let obj = cluster::ObjectApi::new(cluster, ar)
        .get(name)
        .await
        .map_err(|e| e.to_string())?;
    let Some(labels) = obj
        .pointer("/spec/selector/matchLabels")
        .and_then(Value::as_object)
    else {
        return Ok((Vec::new(), None));
    };
    let selector: Vec<String> = labels
        .iter()
        .map(|(k, v)| format!("{k}={}", v.as_str().unwrap_or_default()))
        .collect();
    let ar = cluster::gvk_resource("", "v1", "Pod", "pods");
    let api: Api<DynamicObject> =
        Api::namespaced_with(cluster.client.clone(), &cluster.namespace, &ar);
    let list = api
        .list(&ListParams::default().labels(&selector.join(",")))
        .await
        .map_err(|e| short(&e))?;
    let rows = list
        .items
        .iter()
        .map(|p| detail::pod_row(&serde_json::to_value(p).unwrap_or_default()))
        .collect();
    Ok((rows, Some(selector.join(","))))
}

fn short(e: &kube::Error) -> String {
    match e {
        kube::Error::Api(s) => s.message.clone(),
        other => other.to_string(),
    }
}

/// What the page asks to do.
#[derive(Debug, Deserialize)]
pub struct Act {
    #[serde(flatten)]
    pub named: Named,
    pub verb: String,
    /// The step the page showed (approve acts on it only).
    pub step: Option<i64>,
    /// Only say what would be done (undo: the server's dry run of the write).
    #[serde(default)]
    pub preview: bool,
}

/// Run an action as its command line, or preview it.
pub async fn act(at: &Reached, a: &Act) -> Result<Value, String> {
    let (target, kind) = a.named.target()?;
    if !kind.verbs().contains(&a.verb.as_str()) {
        return Err(format!("{} is not an action on {}", a.verb, a.named.kind));
    }
    let w = words(&a.verb, &target, &a.named.namespace, a.step);
    let command = shell_line(&with_flags(w.clone(), &at.flags));
    let cluster = at.cluster.in_namespace(&a.named.namespace);
    if a.preview {
        if a.verb != "undo" {
            return Ok(json!({"command": command, "preview": Value::Null}));
        }
        let mut dry = w;
        dry.push("--dry-run=server".into());
        let ran = cli_run::run(cluster, &dry, false).await;
        return Ok(json!({"command": command, "preview": ran}));
    }
    let ran = cli_run::run(cluster, &w, false).await;
    Ok(json!({"command": command, "ran": ran}))
}

/// What the release page follows while open: the release itself, its pods (`selector`,
/// the workload's) and its Events, each watched (listed, then watched, relisted on 410 by
/// kube's watcher). Yields once per change; the page then reads the page again.
pub fn changes(
    at: &Reached,
    named: &Named,
    selector: Option<&str>,
) -> Result<impl futures::Stream<Item = ()> + Send + use<>, String> {
    use futures::StreamExt;
    use kube::runtime::watcher::{self, Event};
    let (_, kind) = named.target()?;
    let client = at.cluster.client.clone();
    let ns = named.namespace.clone();
    let api = |ar: &kube::core::ApiResource| -> Api<DynamicObject> {
        Api::namespaced_with(client.clone(), &ns, ar)
    };
    let (release_ar, kind_name) = match kind {
        BatchOr::Kruise => (
            cluster::rollout_resource(crate::model::ApiVersion::V1beta1),
            "Rollout",
        ),
        BatchOr::Batch(k) => (
            cluster::gvk_resource(k.group(), k.version(), k.kind(), k.plural()),
            k.kind(),
        ),
    };
    let name = &named.name;
    let mut streams = vec![
        watcher::watcher(
            api(&release_ar),
            watcher::Config::default().fields(&format!("metadata.name={name}")),
        )
        .boxed(),
        watcher::watcher(
            api(&cluster::gvk_resource("", "v1", "Event", "events")),
            watcher::Config::default().fields(&format!(
                "involvedObject.name={name},involvedObject.kind={kind_name}"
            )),
        )
        .boxed(),
    ];
    if let Some(sel) = selector.filter(|s| !s.is_empty()) {
        streams.push(
            watcher::watcher(
                api(&cluster::gvk_resource("", "v1", "Pod", "pods")),
                watcher::Config::default().labels(sel),
            )
            .boxed(),
        );
    }
    Ok(
        futures::stream::select_all(streams).filter_map(|e| async move {
            // What was there when the watch began is what the page already shows.
            matches!(e, Ok(Event::Apply(_) | Event::Delete(_))).then_some(())
        }),
    )
}
