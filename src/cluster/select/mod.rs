//! Which objects a verb acts on: names, files (`-f`, `-R`), or a query (`-l`, `--all`,
//! `-A`), resolved to one list of namespaced targets in a stable order.

use anyhow::Result;

mod files;
mod selector;

pub use files::objects_in;
pub use selector::check_selector;

use files::read_files;

use super::resource::{TargetRef, TypeWord, parse_targets, type_word};
use super::rollouts::api_resource;
use super::{Cluster, ObjectApi, RolloutRef, WorkloadApi, batch_api};
use crate::exit::Failure;
use crate::model::ApiVersion;
use crate::model::batch::{APP_NAME, APP_NAMESPACE, BatchKind};

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

impl Selection {
    /// What to say when the selection matched nothing, in `namespace`: what was looked for
    /// and where, as kubectl's "No resources found in NS namespace." does.
    pub fn nothing_found(&self, namespace: &str) -> String {
        match self {
            Selection::Query {
                kind,
                selector,
                all_namespaces,
            } => {
                let what = match kind {
                    TypeWord::Rollout(_) | TypeWord::App => "rollouts",
                    TypeWord::Workload(k) => k.plural(),
                    TypeWord::Batch(k) => k.plural(),
                };
                let place = if *all_namespaces {
                    "in any namespace".to_string()
                } else {
                    format!("in namespace \"{namespace}\"")
                };
                match selector {
                    Some(sel) => format!("No {what} found {place} with labels matching {sel}."),
                    None => format!("No {what} found {place}."),
                }
            }
            Selection::Files(_) => "No objects found in the files given.".to_string(),
            Selection::Named(_) => "No objects found.".to_string(),
        }
    }
}

fn usage(msg: impl Into<String>) -> anyhow::Error {
    Failure::Usage(msg.into()).into()
}

/// The target flags (names, `-f`, `-R`, `-l`, `--all`, `-A`, `--app`), as plain data.
#[derive(Debug, Clone, Default)]
pub struct TargetSpec {
    pub resources: Vec<String>,
    pub filenames: Vec<String>,
    pub recursive: bool,
    pub selector: Option<String>,
    pub all: bool,
    pub all_namespaces: bool,
    pub app: Option<String>,
}

impl TargetSpec {
    /// Objects come from files or a query rather than names.
    pub fn is_bulk_query(&self) -> bool {
        !self.filenames.is_empty() || self.selector.is_some() || self.all || self.all_namespaces
    }
}

/// Turn the target flags into a selection; every mistake is a usage error (exit 2).
pub fn parse_selection(args: &TargetSpec) -> Result<Selection> {
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
    use crate::model::WorkloadKind;

    fn args(resources: &[&str]) -> TargetSpec {
        TargetSpec {
            resources: resources.iter().map(|s| s.to_string()).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn an_empty_query_says_what_was_looked_for_and_where() {
        let q = |kind, selector: Option<&str>, all_namespaces| Selection::Query {
            kind,
            selector: selector.map(str::to_string),
            all_namespaces,
        };
        assert_eq!(
            q(TypeWord::Rollout(None), Some("app=web"), false).nothing_found("shop"),
            "No rollouts found in namespace \"shop\" with labels matching app=web."
        );
        assert_eq!(
            q(TypeWord::Workload(WorkloadKind::Deployment), None, true).nothing_found("x"),
            "No deployments found in any namespace."
        );
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
