//! Which objects a verb acts on: names, files (`-f`, `-R`), or a query (`-l`, `--all`,
//! `-A`), resolved to one list of namespaced targets in a stable order.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde_json::Value;

use super::resource::{TargetRef, TypeWord, parse_targets, type_word};
use super::rollouts::api_resource;
use super::{Cluster, ObjectApi, RolloutRef, WorkloadApi, batch_api};
use crate::cli::TargetArgs;
use crate::exit::Failure;
use crate::model::batch::{APP_NAME, APP_NAMESPACE, BatchKind};
use crate::model::{ApiVersion, GROUP, WorkloadKind};

/// One object to act on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub namespace: String,
    pub target: TargetRef,
}

/// The objects of a command line, before the cluster is asked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    Named(Vec<TargetRef>),
    /// Objects named in files, with the namespace each file gives, if any.
    Files(Vec<(Option<String>, TargetRef)>),
    Query {
        kind: TypeWord,
        selector: Option<String>,
        all_namespaces: bool,
    },
}

fn usage(msg: impl Into<String>) -> anyhow::Error {
    Failure::Usage(msg.into()).into()
}

/// Check a label selector's syntax as kube-apiserver parses it, so a typo is a one-line
/// usage error before any request: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`,
/// `a`, `!a`, joined by commas.
pub fn check_selector(sel: &str) -> Result<(), String> {
    let bad = |why: &str| Err(format!("invalid label selector {sel:?}: {why}"));
    let key_ok = |k: &str| {
        let k = k.trim();
        !k.is_empty()
            && k.len() <= 316
            && k.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
    };
    let value_ok = |v: &str| {
        let v = v.trim();
        v.len() <= 63
            && v.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    // Split on commas outside parentheses.
    let mut reqs = Vec::new();
    let (mut depth, mut start) = (0i32, 0usize);
    for (i, c) in sel.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                reqs.push(&sel[start..i]);
                start = i + 1;
            }
            _ => {}
        }
        if !(0..=1).contains(&depth) {
            return bad("unbalanced parentheses");
        }
    }
    if depth != 0 {
        return bad("found '', expected: ',' or ')'");
    }
    reqs.push(&sel[start..]);
    for req in reqs {
        let r = req.trim();
        if r.is_empty() {
            return bad("an empty requirement");
        }
        let set_op = [" notin ", " in "].iter().find_map(|op| r.split_once(op));
        if let Some((k, values)) = set_op {
            let values = values.trim();
            let inner = values
                .strip_prefix('(')
                .and_then(|v| v.strip_suffix(')'))
                .ok_or_else(|| {
                    format!(
                        "invalid label selector {sel:?}: expected (VALUES) after the set operator"
                    )
                })?;
            if !key_ok(k) || inner.split(',').any(|v| !value_ok(v)) {
                return bad(&format!("bad requirement {r:?}"));
            }
            continue;
        }
        let ok = if let Some((k, v)) = r.split_once("!=") {
            key_ok(k) && value_ok(v)
        } else if let Some((k, v)) = r.split_once("==").or_else(|| r.split_once('=')) {
            key_ok(k) && value_ok(v) && !v.contains('=')
        } else if let Some(k) = r.strip_prefix('!') {
            key_ok(k)
        } else {
            key_ok(r)
        };
        if !ok {
            return bad(&format!("bad requirement {r:?}"));
        }
    }
    Ok(())
}

/// Turn the target flags into a selection; every mistake is a usage error (exit 2).
pub fn parse_selection(args: &TargetArgs) -> Result<Selection> {
    if let Some(sel) = &args.selector {
        check_selector(sel).map_err(usage)?;
    }
    if let Some(app) = &args.app {
        if !args.resources.is_empty() || args.is_bulk_query() {
            return Err(usage(
                "--app selects the rollouts of one application: give nothing else",
            ));
        }
        return parse_targets(&[format!("application/{app}")])
            .map(Selection::Named)
            .map_err(usage);
    }
    if !args.filenames.is_empty() {
        if !args.resources.is_empty() {
            return Err(usage(
                "name objects either as arguments or with -f, not both",
            ));
        }
        return read_files(&args.filenames, args.recursive).map(Selection::Files);
    }
    if args.selector.is_some() || args.all || args.all_namespaces {
        let kind = match args.resources.as_slice() {
            [] => TypeWord::Rollout(None),
            [word] if !word.contains('/') => type_word(word).map_err(|e| {
                usage(format!(
                    "{e}; with -l, --all or -A give only a type (or nothing, for rollouts)"
                ))
            })?,
            _ => {
                return Err(usage(
                    "names cannot be combined with -l, --all or -A: give only a type (e.g. \
                     `deployment -l app=web`), or only names",
                ));
            }
        };
        return Ok(Selection::Query {
            kind,
            selector: args.selector.clone(),
            all_namespaces: args.all_namespaces,
        });
    }
    if args.resources.is_empty() {
        return Err(usage(
            "name a target (rollout/NAME, deployment/NAME, ...), or select with -f, -l, --all or -A",
        ));
    }
    parse_targets(&args.resources)
        .map(Selection::Named)
        .map_err(usage)
}

/// Every file named, directories expanded (their YAML and JSON files; recursively with -R).
fn expand(paths: &[String], recursive: bool) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in paths {
        let path = Path::new(p);
        if p == "-" || !path.is_dir() {
            out.push(path.to_path_buf());
            continue;
        }
        let mut stack = vec![path.to_path_buf()];
        while let Some(dir) = stack.pop() {
            let mut entries: Vec<PathBuf> = std::fs::read_dir(&dir)
                .with_context(|| format!("cannot read directory {}", dir.display()))
                .map_err(|e| usage(format!("{e:#}")))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .collect();
            entries.sort();
            for e in entries {
                if e.is_dir() {
                    if recursive {
                        stack.push(e);
                    }
                } else if e
                    .extension()
                    .and_then(|x| x.to_str())
                    .is_some_and(|x| matches!(x, "yaml" | "yml" | "json"))
                {
                    out.push(e);
                }
            }
        }
    }
    Ok(out)
}

/// The targets named by the objects of YAML/JSON text: multi-document, `List`s expanded.
pub fn objects_in(text: &str, source: &str) -> Result<Vec<(Option<String>, TargetRef)>, String> {
    let docs: Vec<Value> = serde_saphyr::from_multiple(text)
        .map_err(|e| format!("{source}: not valid YAML or JSON: {e}"))?;
    let mut out = Vec::new();
    let mut queue: Vec<Value> = docs.into_iter().filter(|d| !d.is_null()).collect();
    queue.reverse();
    while let Some(doc) = queue.pop() {
        let kind = doc.get("kind").and_then(Value::as_str).unwrap_or_default();
        if kind == "List" || kind.ends_with("List") && doc.get("items").is_some() {
            let mut items: Vec<Value> = doc
                .get("items")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            items.reverse();
            queue.extend(items);
            continue;
        }
        let api_version = doc
            .get("apiVersion")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let name = doc
            .pointer("/metadata/name")
            .and_then(Value::as_str)
            .filter(|n| !n.is_empty())
            .ok_or_else(|| format!("{source}: a {kind} without metadata.name"))?;
        let namespace = doc
            .pointer("/metadata/namespace")
            .and_then(Value::as_str)
            .map(str::to_string);
        let group = api_version.rsplit_once('/').map_or("", |(g, _)| g);
        let target = if group == GROUP && kind == "Rollout" {
            // Read again at the version the plugin prefers, as kubectl re-reads objects.
            TargetRef::Rollout(RolloutRef {
                name: name.to_string(),
                version: None,
            })
        } else if let Some(k) = WorkloadKind::from_ref(api_version, kind) {
            TargetRef::Workload {
                kind: k,
                name: name.to_string(),
            }
        } else {
            return Err(format!(
                "{source}: {kind} {name:?} ({api_version}) is not a rollout or a workload kind \
                 this plugin acts on"
            ));
        };
        out.push((namespace, target));
    }
    Ok(out)
}

fn read_files(paths: &[String], recursive: bool) -> Result<Vec<(Option<String>, TargetRef)>> {
    let mut out = Vec::new();
    for path in expand(paths, recursive)? {
        let (text, source) = if path.as_os_str() == "-" {
            let mut s = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
                .map_err(|e| usage(format!("cannot read stdin: {e}")))?;
            (s, "stdin".to_string())
        } else {
            let s = std::fs::read_to_string(&path)
                .map_err(|e| usage(format!("cannot read {}: {e}", path.display())))?;
            (s, path.display().to_string())
        };
        for t in objects_in(&text, &source).map_err(usage)? {
            if !out.contains(&t) {
                out.push(t);
            }
        }
    }
    if out.is_empty() {
        return Err(usage("no objects found in the files given with -f"));
    }
    Ok(out)
}

/// Resolve a selection against the cluster: names as given, file objects in their
/// namespace, queries by one paginated list. Order is stable: as named, as in the files,
/// or namespace then name.
pub async fn resolve(cluster: &Cluster, sel: Selection) -> Result<Vec<Item>> {
    let here = |target| Item {
        namespace: cluster.namespace.clone(),
        target,
    };
    match sel {
        Selection::Named(targets) => {
            let mut items = Vec::new();
            for t in targets {
                match t {
                    TargetRef::App { name } => items.extend(app_items(cluster, &name).await?),
                    other => items.push(here(other)),
                }
            }
            Ok(items)
        }
        Selection::Files(objects) => objects
            .into_iter()
            .map(|(ns, target)| match ns {
                Some(ns) if cluster.namespace_given && ns != cluster.namespace => {
                    Err(usage(format!(
                        "the namespace from the file ({ns}) does not match -n {} for {}",
                        cluster.namespace,
                        target.display()
                    )))
                }
                Some(ns) => Ok(Item {
                    namespace: ns,
                    target,
                }),
                None => Ok(here(target)),
            })
            .collect(),
        Selection::Query {
            kind,
            selector,
            all_namespaces,
        } => {
            let names = match kind {
                TypeWord::Rollout(version) => {
                    list_rollout_names(cluster, version, selector.as_deref(), all_namespaces)
                        .await?
                }
                TypeWord::Workload(k) => {
                    WorkloadApi::new(cluster, k)
                        .object()
                        .names(selector.as_deref(), all_namespaces)
                        .await?
                }
                TypeWord::Batch(k) => {
                    batch_api(cluster, k)
                        .names(selector.as_deref(), all_namespaces)
                        .await?
                }
                TypeWord::App => {
                    return Err(usage(
                        "name the application: application/NAME or --app NAME",
                    ));
                }
            };
            let make = |name| match kind {
                TypeWord::Rollout(version) => TargetRef::Rollout(RolloutRef { name, version }),
                TypeWord::Workload(k) => TargetRef::Workload { kind: k, name },
                TypeWord::Batch(k) => TargetRef::Batch { kind: k, name },
                TypeWord::App => TargetRef::App { name },
            };
            let mut items: Vec<Item> = names
                .into_iter()
                .map(|(namespace, name)| Item {
                    namespace,
                    target: make(name),
                })
                .collect();
            items.sort_by(|a, b| {
                (&a.namespace, a.target.name()).cmp(&(&b.namespace, b.target.name()))
            });
            Ok(items)
        }
    }
}

/// Names of a query, or none where the kind is not served (KubeVela not installed).
async fn served_names(api: &ObjectApi, selector: &str) -> Result<Vec<(String, String)>> {
    match api.names(Some(selector), false).await {
        Ok(n) => Ok(n),
        Err(super::ApiError::NotServed(_)) => Ok(Vec::new()),
        Err(e) => Err(e.into()),
    }
}

/// Every rollout of a KubeVela Application in this namespace: its trait Rollouts and its
/// Kruise Rollouts (labelled with the app's name and namespace), and the AppRollouts that
/// roll its revisions.
pub async fn app_items(cluster: &Cluster, app: &str) -> Result<Vec<Item>> {
    let ns = &cluster.namespace;
    let item = |target| Item {
        namespace: ns.clone(),
        target,
    };
    let mut items = Vec::new();
    let owned = format!("{APP_NAME}={app}");
    for (_, name) in served_names(&batch_api(cluster, BatchKind::TraitRollout), &owned).await? {
        items.push(item(TargetRef::Batch {
            kind: BatchKind::TraitRollout,
            name,
        }));
    }
    let kruise = format!("{APP_NAME}={app},{APP_NAMESPACE}={ns}");
    match list_rollout_names(cluster, None, Some(&kruise), false).await {
        Ok(names) => items.extend(names.into_iter().map(|(_, name)| {
            item(TargetRef::Rollout(RolloutRef {
                name,
                version: None,
            }))
        })),
        Err(e)
            if e.downcast_ref::<super::ApiError>()
                .is_some_and(|a| matches!(a, super::ApiError::NotServed(_))) => {}
        Err(e) => return Err(e),
    }
    // AppRollouts carry no app label: they name the app's revisions (`APP-vN`).
    match batch_api(cluster, BatchKind::AppRollout)
        .list_values(None)
        .await
    {
        Ok(all) => {
            for obj in all {
                let target = obj
                    .pointer("/spec/targetAppRevisionName")
                    .and_then(serde_json::Value::as_str)
                    .unwrap_or_default();
                if revision_app(target) == Some(app) {
                    let name = obj
                        .pointer("/metadata/name")
                        .and_then(serde_json::Value::as_str)
                        .unwrap_or_default()
                        .to_string();
                    items.push(item(TargetRef::Batch {
                        kind: BatchKind::AppRollout,
                        name,
                    }));
                }
            }
        }
        Err(super::ApiError::NotServed(_)) => {}
        Err(e) => return Err(e.into()),
    }
    if items.is_empty() {
        return Err(anyhow::anyhow!(
            "application {app} has no rollouts in namespace {ns} (no trait Rollout, Kruise \
             Rollout or AppRollout of it)"
        ));
    }
    Ok(items)
}

/// The application an ApplicationRevision name (`shop-v3`) belongs to.
pub fn revision_app(revision: &str) -> Option<&str> {
    let (app, n) = revision.rsplit_once("-v")?;
    n.parse::<u64>().ok().map(|_| app)
}

/// Rollout names by query: v1beta1, or v1alpha1 where only that is served.
async fn list_rollout_names(
    cluster: &Cluster,
    pin: Option<ApiVersion>,
    selector: Option<&str>,
    all_namespaces: bool,
) -> Result<Vec<(String, String)>> {
    let versions = match pin {
        Some(v) => vec![v],
        None => vec![ApiVersion::V1beta1, ApiVersion::V1alpha1],
    };
    let mut last = None;
    for v in versions {
        match ObjectApi::new(cluster, api_resource(v))
            .names(selector, all_namespaces)
            .await
        {
            Ok(n) => return Ok(n),
            Err(e @ super::ApiError::NotServed(_)) => last = Some(e),
            Err(e) => return Err(e.into()),
        }
    }
    Err(last
        .map(anyhow::Error::new)
        .unwrap_or_else(|| anyhow::anyhow!("rollouts are not served")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_are_checked_as_the_api_server_parses_them() {
        for ok in [
            "app=web",
            "app==web,tier!=db",
            "env in (prod, staging)",
            "env notin (dev)",
            "team",
            "!canary",
            "app.kubernetes.io/name=web",
        ] {
            assert_eq!(check_selector(ok), Ok(()), "{ok}");
        }
        for bad in ["a in (b", "=x", "a=b=c", "a,,b", "a in b", "a=(x)", ""] {
            assert!(check_selector(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn files_name_rollouts_and_workloads_in_every_form() {
        let text = "apiVersion: rollouts.kruise.io/v1beta1\nkind: Rollout\nmetadata:\n  name: web\n  namespace: shop\n---\n\
                    {\"apiVersion\": \"v1\", \"kind\": \"List\", \"items\": [{\"apiVersion\": \"apps.kruise.io/v1alpha1\", \"kind\": \"CloneSet\", \"metadata\": {\"name\": \"c\"}}]}\n";
        let got = objects_in(text, "f.yaml").unwrap();
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].0.as_deref(), Some("shop"));
        assert_eq!(got[0].1.display(), "rollout.rollouts.kruise.io/web");
        assert_eq!(got[1].1.display(), "cloneset.apps.kruise.io/c");
        let err = objects_in(
            "apiVersion: v1\nkind: Service\nmetadata:\n  name: s\n",
            "svc.yaml",
        )
        .unwrap_err();
        assert!(err.contains("Service \"s\""), "{err}");
        assert!(
            objects_in("kind: [", "bad.yaml")
                .unwrap_err()
                .contains("not valid YAML")
        );
    }

    fn args(resources: &[&str]) -> TargetArgs {
        TargetArgs {
            resources: resources.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn a_query_takes_a_type_word_and_no_names() {
        let mut a = args(&["deployment"]);
        a.selector = Some("app=web".into());
        assert_eq!(
            parse_selection(&a).unwrap(),
            Selection::Query {
                kind: TypeWord::Workload(WorkloadKind::Deployment),
                selector: Some("app=web".into()),
                all_namespaces: false
            }
        );
        let mut a = args(&["rollout/web"]);
        a.all = true;
        assert!(parse_selection(&a).is_err());
        let mut a = args(&[]);
        a.selector = Some("a in (b".into());
        assert!(
            format!("{:#}", parse_selection(&a).unwrap_err()).contains("invalid label selector")
        );
        assert!(parse_selection(&args(&[])).is_err());
    }
}
