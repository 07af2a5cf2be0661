//! `history` of a batch rollout: the revisions it moves between.

use anyhow::{Result, anyhow};
use serde_json::{Value, json};

use crate::cli::DataFormat;
use crate::cluster::{Cluster, ObjectApi, batch_api};
use crate::commands::emit;
use crate::exit::Code;
use crate::model::batch::{BatchKind, decode_batch};
use crate::render;

/// `history`: the revisions an AppRollout or trait Rollout moves between.
pub async fn history(
    cluster: &Cluster,
    kind: BatchKind,
    name: &str,
    output: Option<DataFormat>,
) -> Result<Code> {
    let api = batch_api(cluster, kind);
    let obj = api.get(name).await?;
    let r = decode_batch(&obj)
        .map_err(|e| anyhow!("cannot read {}/{name}: {e}", kind.resource_name()))?;
    let (plural, selector) = match kind {
        BatchKind::AppRollout => {
            let app = r
                .target
                .as_deref()
                .and_then(crate::cluster::select::revision_app)
                .unwrap_or(&r.name)
                .to_string();
            (
                "applicationrevisions",
                format!("{}={app}", crate::model::batch::APP_NAME),
            )
        }
        BatchKind::TraitRollout => (
            "controllerrevisions",
            format!(
                "controller.oam.dev/component={}",
                r.component.as_deref().unwrap_or(&r.name)
            ),
        ),
    };
    let (group, version, k) = match kind {
        BatchKind::AppRollout => ("core.oam.dev", "v1beta1", "ApplicationRevision"),
        BatchKind::TraitRollout => ("apps", "v1", "ControllerRevision"),
    };
    let rapi = ObjectApi::new(
        cluster,
        kube::core::ApiResource::from_gvk_with_plural(
            &kube::core::GroupVersionKind::gvk(group, version, k),
            plural,
        ),
    );
    let mut revs: Vec<(i64, String)> = rapi
        .list_values(Some(&selector))
        .await?
        .iter()
        .filter_map(|o| {
            let name = o.pointer("/metadata/name")?.as_str()?.to_string();
            let n = o
                .get("revision")
                .and_then(Value::as_i64)
                .or_else(|| name.rsplit_once("-v").and_then(|(_, n)| n.parse().ok()))?;
            Some((n, name))
        })
        .collect();
    revs.sort();
    let source = r.source.clone().or(r.last_source.clone());
    let doc: Vec<Value> = revs
        .iter()
        .map(|(n, name)| {
            json!({"revision": n, "name": name,
                   "source": source.as_deref() == Some(name.as_str()),
                   "target": r.target.as_deref() == Some(name.as_str())})
        })
        .collect();
    let doc = json!({"rollout": r.display_name(), "revisions": doc});
    emit(&match output {
        Some(DataFormat::Json) => render::json(&doc)?,
        Some(DataFormat::Yaml) => render::yaml(&doc)?,
        None => {
            let rows = revs
                .iter()
                .map(|(n, name)| {
                    let mark = match (
                        source.as_deref() == Some(name.as_str()),
                        r.target.as_deref() == Some(name.as_str()),
                    ) {
                        (_, true) => "target",
                        (true, _) => "source",
                        _ => "-",
                    };
                    vec![n.to_string(), name.clone(), mark.to_string()]
                })
                .collect();
            render::plain_table(Some(&["REVISION", "NAME", "RELEASE"]), rows)
        }
    })?;
    Ok(Code::Ok)
}
