//! Resource arguments in every form kubectl users type, resolved to rollout names and an
//! optional pinned API version. Pure: nothing here talks to the cluster.

use crate::model::batch::BatchKind;
use crate::model::{ApiVersion, GROUP, WorkloadKind};

/// One rollout named on the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RolloutRef {
    pub name: String,
    /// Set by `rollouts.v1alpha1.rollouts.kruise.io/NAME`; otherwise the plugin picks.
    pub version: Option<ApiVersion>,
}

/// A type word for rollouts: `rollout`, `rollouts`, `rollouts.rollouts.kruise.io`,
/// `rollouts.v1beta1.rollouts.kruise.io` (any case). `Ok(None)` when it names another type.
fn rollout_type(word: &str) -> Result<Option<Option<ApiVersion>>, String> {
    let w = word.to_ascii_lowercase();
    let rest = match w
        .strip_prefix("rollouts")
        .or_else(|| w.strip_prefix("rollout"))
    {
        Some(rest) => rest,
        None => return Ok(None),
    };
    if rest.is_empty() {
        return Ok(Some(None));
    }
    let Some(qualifier) = rest.strip_prefix('.') else {
        return Ok(None);
    };
    if qualifier == GROUP {
        return Ok(Some(None));
    }
    match qualifier
        .strip_suffix(GROUP)
        .and_then(|v| v.strip_suffix('.'))
    {
        Some(v) => match ApiVersion::parse(v) {
            Some(version) => Ok(Some(Some(version))),
            None => Err(format!(
                "{GROUP} has no API version {v:?}; use v1alpha1 or v1beta1"
            )),
        },
        None => Ok(None),
    }
}

/// A Kubernetes object name: a DNS subdomain (RFC 1123), at most 253 characters.
fn check_name(name: &str) -> Result<(), String> {
    check_object_name(name, "rollout")
}

fn check_object_name(name: &str, what: &str) -> Result<(), String> {
    let ok_char = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.';
    let ok_edge = |c: Option<char>| c.is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit());
    if name.is_empty() {
        return Err(format!("a {what} name is empty"));
    }
    if name.len() > 253
        || !name.chars().all(ok_char)
        || !ok_edge(name.chars().next())
        || !ok_edge(name.chars().last())
    {
        return Err(format!(
            "{name:?} is not a valid {what} name (lowercase letters, digits, '-' and '.')"
        ));
    }
    Ok(())
}

fn unsupported(kind: &str) -> String {
    format!(
        "a {kind} is not a rollout: this verb acts on rollouts; name them as NAME, rollout/NAME \
         or `rollout NAME`"
    )
}

/// Resolve the positional arguments of a verb that acts on rollouts only.
pub fn parse_rollout_args(args: &[String]) -> Result<Vec<RolloutRef>, String> {
    parse_targets(args)?
        .into_iter()
        .map(|t| match t {
            TargetRef::Rollout(r) => Ok(r),
            other => Err(unsupported(other.kind())),
        })
        .collect()
}

/// What a verb acts on: a rollout, a workload, a KubeVela batch rollout, or every rollout
/// of a KubeVela Application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TargetRef {
    Rollout(RolloutRef),
    Workload { kind: WorkloadKind, name: String },
    Batch { kind: BatchKind, name: String },
    App { name: String },
}

impl TargetRef {
    /// An application stands for its rollouts: the selection replaces it by them before any
    /// verb runs, so meeting one there is a bug, reported as an error rather than a panic.
    pub fn not_expanded(&self) -> anyhow::Error {
        anyhow::anyhow!("{} was not expanded to its rollouts", self.display())
    }

    pub fn name(&self) -> &str {
        match self {
            TargetRef::Rollout(r) => &r.name,
            TargetRef::Workload { name, .. }
            | TargetRef::Batch { name, .. }
            | TargetRef::App { name } => name,
        }
    }

    /// `Rollout`, `Deployment`: the kind, for results.
    pub fn kind(&self) -> &'static str {
        match self {
            TargetRef::Rollout(_) => "Rollout",
            TargetRef::Workload { kind, .. } => kind.kind(),
            TargetRef::Batch { kind, .. } => kind.kind(),
            TargetRef::App { .. } => "Application",
        }
    }

    /// `rollout.rollouts.kruise.io/web`, `deployment.apps/web`: as kubectl names objects.
    pub fn display(&self) -> String {
        match self {
            TargetRef::Rollout(r) => crate::model::display_name(&r.name),
            TargetRef::Workload { kind, name } => format!("{}/{name}", kind.resource_name()),
            TargetRef::Batch { kind, name } => format!("{}/{name}", kind.resource_name()),
            TargetRef::App { name } => format!("application.core.oam.dev/{name}"),
        }
    }
}

/// The kind a type word names: rollouts (possibly pinned to a version) or a workload kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeWord {
    Rollout(Option<ApiVersion>),
    Workload(WorkloadKind),
    Batch(BatchKind),
    App,
}

pub fn type_word(word: &str) -> Result<TypeWord, String> {
    if let Some(kind) = BatchKind::from_type_word(word) {
        return Ok(TypeWord::Batch(kind));
    }
    let w = word.to_ascii_lowercase();
    if matches!(
        w.as_str(),
        "application" | "applications" | "app" | "applications.core.oam.dev"
    ) {
        return Ok(TypeWord::App);
    }
    if let Some(version) = rollout_type(word)? {
        return Ok(TypeWord::Rollout(version));
    }
    WorkloadKind::from_type_word(word)
        .map(TypeWord::Workload)
        .ok_or_else(|| {
            format!(
                "{word:?} is neither a rollout nor a workload kind Kruise Rollouts controls \
                 (deployment, statefulset, daemonset, cloneset, statefulsets.apps.kruise.io, \
                 daemonsets.apps.kruise.io)"
            )
        })
}

fn target_of(word: TypeWord, name: &str) -> Result<TargetRef, String> {
    Ok(match word {
        TypeWord::Rollout(version) => {
            check_name(name)?;
            TargetRef::Rollout(RolloutRef {
                name: name.to_string(),
                version,
            })
        }
        TypeWord::Workload(kind) => {
            check_object_name(name, &kind.kind().to_lowercase())?;
            TargetRef::Workload {
                kind,
                name: name.to_string(),
            }
        }
        TypeWord::Batch(kind) => {
            check_object_name(name, &kind.kind().to_lowercase())?;
            TargetRef::Batch {
                kind,
                name: name.to_string(),
            }
        }
        TypeWord::App => {
            check_object_name(name, "application")?;
            TargetRef::App {
                name: name.to_string(),
            }
        }
    })
}

/// Resolve positional arguments naming rollouts and workloads: `NAME` (a rollout),
/// `TYPE/NAME` for any kind, `TYPE NAME [NAME...]`. Repeats are dropped.
pub fn parse_targets(args: &[String]) -> Result<Vec<TargetRef>, String> {
    let mut out: Vec<TargetRef> = Vec::new();
    let mut push = |t: TargetRef| {
        if !out.contains(&t) {
            out.push(t);
        }
    };
    match args {
        [] => {
            return Err("name a rollout or a workload: rollout/NAME, deployment/NAME, ...".into());
        }
        [first, names @ ..]
            if !first.contains('/') && !names.is_empty() && type_word(first).is_ok() =>
        {
            for name in names {
                if name.contains('/') {
                    return Err(format!(
                        "{name:?}: there is no need to give a type again after {first:?}; use names only"
                    ));
                }
                push(target_of(type_word(first)?, name)?);
            }
        }
        [only] if !only.contains('/') && rollout_type(only)?.is_some() => {
            return Err(format!(
                "{only:?} names a type, not a rollout: give a name, e.g. rollout/NAME"
            ));
        }
        _ => {
            for arg in args {
                match arg.split_once('/') {
                    Some((word, name)) => push(target_of(type_word(word)?, name)?),
                    None => push(target_of(TypeWord::Rollout(None), arg)?),
                }
            }
        }
    }
    Ok(out)
}

/// Resolve the one rollout or workload of `undo` / `history`: `NAME` and `rollout/NAME` (a
/// rollout), `TYPE/NAME` or `TYPE NAME` for a workload kind Kruise Rollouts controls.
pub fn parse_target(args: &[String]) -> Result<TargetRef, String> {
    let mut targets = parse_targets(args)?;
    if targets.len() != 1 {
        return Err("name one rollout or workload: rollout/NAME, deployment/NAME, ...".into());
    }
    Ok(targets.remove(0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Vec<RolloutRef>, String> {
        parse_rollout_args(&args.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    fn names(args: &[&str]) -> Vec<(String, Option<ApiVersion>)> {
        parse(args)
            .unwrap()
            .into_iter()
            .map(|r| (r.name, r.version))
            .collect()
    }

    #[test]
    fn every_form_users_type() {
        let demo = vec![("demo".to_string(), None)];
        assert_eq!(names(&["demo"]), demo);
        assert_eq!(names(&["rollout/demo"]), demo);
        assert_eq!(names(&["rollouts/demo"]), demo);
        assert_eq!(names(&["Rollout/demo"]), demo);
        assert_eq!(names(&["rollout", "demo"]), demo);
        assert_eq!(names(&["rollouts.rollouts.kruise.io/demo"]), demo);
        assert_eq!(
            names(&["rollouts.v1beta1.rollouts.kruise.io/demo"]),
            vec![("demo".to_string(), Some(ApiVersion::V1beta1))]
        );
        assert_eq!(
            names(&["rollouts.v1alpha1.rollouts.kruise.io", "a", "b"]),
            vec![
                ("a".to_string(), Some(ApiVersion::V1alpha1)),
                ("b".to_string(), Some(ApiVersion::V1alpha1))
            ]
        );
    }

    #[test]
    fn several_names_in_one_call_without_repeats() {
        assert_eq!(names(&["rollout/a", "b", "rollout/a"]).len(), 2);
        assert_eq!(names(&["rollout", "a", "b", "c"]).len(), 3);
    }

    #[test]
    fn bad_arguments_get_one_line_reasons() {
        assert!(
            parse(&["deployment/web"])
                .unwrap_err()
                .contains("is not a rollout")
        );
        assert!(
            parse(&["rollouts.v2.rollouts.kruise.io/x"])
                .unwrap_err()
                .contains("no API version \"v2\"")
        );
        assert!(parse(&["rollout"]).unwrap_err().contains("names a type"));
        assert!(parse(&["rollout/"]).unwrap_err().contains("empty"));
        assert!(
            parse(&["rollout/Bad_Name"])
                .unwrap_err()
                .contains("not a valid rollout name")
        );
        assert!(
            parse(&["rollout", "rollout/x"])
                .unwrap_err()
                .contains("names only")
        );
        assert!(parse(&[]).is_err());
    }

    #[test]
    fn a_word_that_only_starts_like_rollout_is_a_name() {
        assert_eq!(
            names(&["rollouts-nginx"]),
            vec![("rollouts-nginx".to_string(), None)]
        );
        assert!(
            parse(&["rolloutsx/demo"])
                .unwrap_err()
                .contains("neither a rollout nor a workload kind")
        );
    }

    fn target(args: &[&str]) -> Result<TargetRef, String> {
        parse_target(&args.iter().map(|s| s.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn undo_targets_are_a_rollout_or_a_workload() {
        let rollout = TargetRef::Rollout(RolloutRef {
            name: "web".into(),
            version: None,
        });
        assert_eq!(target(&["web"]), Ok(rollout.clone()));
        assert_eq!(target(&["rollout/web"]), Ok(rollout.clone()));
        assert_eq!(target(&["rollout", "web"]), Ok(rollout));
        let deploy = TargetRef::Workload {
            kind: WorkloadKind::Deployment,
            name: "web".into(),
        };
        assert_eq!(target(&["deployment/web"]), Ok(deploy.clone()));
        assert_eq!(target(&["deploy", "web"]), Ok(deploy));
        assert_eq!(
            target(&["statefulsets.apps.kruise.io/db"]),
            Ok(TargetRef::Workload {
                kind: WorkloadKind::AdvancedStatefulSet,
                name: "db".into()
            })
        );
        assert!(
            target(&["pod/web"])
                .unwrap_err()
                .contains("neither a rollout nor")
        );
        assert!(
            target(&["deployment/Web"])
                .unwrap_err()
                .contains("not a valid deployment name")
        );
        assert!(
            target(&["a", "b", "c"])
                .unwrap_err()
                .contains("one rollout or workload")
        );
        assert!(target(&["deployment/a", "deployment/b"]).is_err());
    }
}
