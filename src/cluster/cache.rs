//! Each rollout's workload reference, remembered in kubectl's cache folder
//! (`$KUBECACHEDIR`, else `~/.kube/cache`), so that `status` can read a rollout and its
//! workload at once: one round trip instead of two on a distant cluster. Only a hint: what
//! the rollout says when read wins, and a wrong or missing entry costs the second round
//! trip it would have cost anyway. Failures to read or write it are ignored.

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::model::WorkloadRef;

/// Entries kept per cluster; past this the file starts over (it is only a hint).
const MAX_ENTRIES: usize = 2000;

pub struct WorkloadRefs {
    path: PathBuf,
}

/// `https://10.0.0.1:6443/k8s/clusters/x` → `10.0.0.1_6443_k8s_clusters_x`, as kubectl
/// names its per-server cache folders.
fn folder_name(server: &str) -> String {
    let rest = server.split_once("://").map_or(server, |(_, r)| r);
    rest.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect::<String>()
        .trim_matches('_')
        .to_string()
}

type Entries = BTreeMap<String, [String; 3]>;

impl WorkloadRefs {
    /// The remembered references of the cluster at `server`; None where there is no home.
    pub fn of(server: &str) -> Option<WorkloadRefs> {
        let base = match std::env::var_os("KUBECACHEDIR") {
            Some(d) if !d.is_empty() => PathBuf::from(d),
            _ => PathBuf::from(std::env::var_os("HOME")?).join(".kube/cache"),
        };
        Some(WorkloadRefs {
            path: base
                .join("kruise")
                .join(folder_name(server))
                .join("workloads.json"),
        })
    }

    fn read(&self) -> Entries {
        std::fs::read(&self.path)
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok())
            .unwrap_or_default()
    }

    fn key(namespace: &str, name: &str) -> String {
        format!("{namespace}/{name}")
    }

    pub fn get(&self, namespace: &str, name: &str) -> Option<WorkloadRef> {
        let [api_version, kind, name] = self.read().remove(&Self::key(namespace, name))?;
        Some(WorkloadRef {
            api_version,
            kind,
            name,
        })
    }

    /// Remember (or, with None, forget) the reference of rollout `namespace/name`.
    pub fn put(&self, namespace: &str, name: &str, w: Option<&WorkloadRef>) {
        let mut entries = self.read();
        let key = Self::key(namespace, name);
        match w {
            Some(w) => {
                if entries.len() >= MAX_ENTRIES {
                    entries.clear();
                }
                entries.insert(key, [w.api_version.clone(), w.kind.clone(), w.name.clone()]);
            }
            None => {
                entries.remove(&key);
            }
        }
        let Some(dir) = self.path.parent() else {
            return;
        };
        let Ok(text) = serde_json::to_vec(&entries) else {
            return;
        };
        // Written whole and renamed into place: another process never reads half a file.
        let tmp = dir.join(format!("workloads.json.{}", std::process::id()));
        let _ = std::fs::create_dir_all(dir)
            .and_then(|()| std::fs::write(&tmp, text))
            .and_then(|()| std::fs::rename(&tmp, &self.path));
        let _ = std::fs::remove_file(&tmp);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folders_are_named_as_kubectl_names_them() {
        assert_eq!(folder_name("https://10.0.0.1:6443"), "10.0.0.1_6443");
        assert_eq!(
            folder_name("https://rancher.example/k8s/clusters/c-1"),
            "rancher.example_k8s_clusters_c-1"
        );
    }

    #[test]
    fn a_reference_is_remembered_replaced_and_forgotten() {
        let dir = tempfile::tempdir().unwrap();
        let refs = WorkloadRefs {
            path: dir.path().join("a/b/workloads.json"),
        };
        assert_eq!(refs.get("shop", "web"), None);
        let w = WorkloadRef {
            api_version: "apps/v1".into(),
            kind: "Deployment".into(),
            name: "web-app".into(),
        };
        refs.put("shop", "web", Some(&w));
        assert_eq!(refs.get("shop", "web"), Some(w.clone()));
        assert_eq!(refs.get("other", "web"), None);
        refs.put("shop", "web", None);
        assert_eq!(refs.get("shop", "web"), None);
        std::fs::write(&refs.path, b"not json").unwrap();
        assert_eq!(refs.get("shop", "web"), None, "a spoiled file is no entry");
    }
}
