//! Objects named in files (`-f FILE|DIR|-`, `-R`): multi-document YAML, JSON, `List`s.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde_json::Value;

use super::usage;
use crate::cluster::RolloutRef;
use crate::cluster::resource::TargetRef;
use crate::model::{GROUP, WorkloadKind};

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

pub(super) fn read_files(
    paths: &[String],
    recursive: bool,
) -> Result<Vec<(Option<String>, TargetRef)>> {
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
