//! Member clusters reached through a hub's API: KubeVela's ClusterGateway and Karmada's
//! Cluster each serve a `proxy` subresource that passes a request on to the member's API
//! server, with the hub's credentials.

use anyhow::Result;
use serde_json::Value;

use super::{ApiError, Cluster, ObjectApi, gvk_resource};

/// Which hub API reaches the members.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HubKind {
    /// KubeVela's cluster-gateway: `cluster.core.oam.dev/v1alpha1` ClusterGateway.
    ClusterGateway,
    /// Karmada: `cluster.karmada.io/v1alpha1` Cluster.
    Karmada,
}

impl HubKind {
    const ALL: [HubKind; 2] = [HubKind::ClusterGateway, HubKind::Karmada];

    fn api(self, hub: &Cluster) -> ObjectApi {
        let ar = match self {
            HubKind::ClusterGateway => gvk_resource(
                "cluster.core.oam.dev",
                "v1alpha1",
                "ClusterGateway",
                "clustergateways",
            ),
            HubKind::Karmada => {
                gvk_resource("cluster.karmada.io", "v1alpha1", "Cluster", "clusters")
            }
        };
        ObjectApi::cluster_wide(hub, ar)
    }

    /// The path under the hub's address that leads to member `name`'s API.
    pub fn proxy_path(self, name: &str) -> String {
        match self {
            HubKind::ClusterGateway => {
                format!("/apis/cluster.core.oam.dev/v1alpha1/clustergateways/{name}/proxy")
            }
            HubKind::Karmada => format!("/apis/cluster.karmada.io/v1alpha1/clusters/{name}/proxy"),
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            HubKind::ClusterGateway => "KubeVela ClusterGateway",
            HubKind::Karmada => "Karmada Cluster",
        }
    }
}

/// The hub's member clusters and the API that reaches them: both APIs are asked together
/// (one round trip), ClusterGateway preferred when the hub serves both. `None` for the
/// names when the hub serves the API but will not list its members to this user (a bot may
/// reach the members it is given without that right).
pub async fn members(hub: &Cluster) -> Result<(HubKind, Option<Vec<String>>)> {
    let lists = futures::future::join_all(
        HubKind::ALL.map(|k| async move { k.api(hub).list_all(None).await }),
    )
    .await;
    let mut first_error = None;
    for (kind, list) in HubKind::ALL.into_iter().zip(lists) {
        match list {
            Ok(items) => return Ok((kind, Some(names(&items)))),
            Err(ApiError::NotServed(_)) => {}
            Err(ApiError::Forbidden(_)) if first_error.is_none() => return Ok((kind, None)),
            Err(e) => {
                first_error.get_or_insert((kind, e));
            }
        }
    }
    match first_error {
        Some((kind, e)) => Err(anyhow::Error::new(e).context(format!(
            "cannot list the hub's member clusters ({})",
            kind.describe()
        ))),
        None => anyhow::bail!(
            "the current context's cluster ({}) is not a hub: it serves neither KubeVela's \
             ClusterGateway (cluster.core.oam.dev) nor Karmada's Cluster (cluster.karmada.io); \
             --member-clusters needs one of them",
            hub.server
        ),
    }
}

fn names(items: &[Value]) -> Vec<String> {
    let mut names: Vec<String> = items
        .iter()
        .filter_map(|o| o.pointer("/metadata/name")?.as_str().map(str::to_string))
        .collect();
    names.sort();
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_hub_has_its_proxy_path() {
        assert_eq!(
            HubKind::ClusterGateway.proxy_path("eu"),
            "/apis/cluster.core.oam.dev/v1alpha1/clustergateways/eu/proxy"
        );
        assert_eq!(
            HubKind::Karmada.proxy_path("us"),
            "/apis/cluster.karmada.io/v1alpha1/clusters/us/proxy"
        );
    }

    #[test]
    fn member_names_are_sorted() {
        let items = vec![
            serde_json::json!({"metadata": {"name": "b"}}),
            serde_json::json!({"metadata": {"name": "a"}}),
        ];
        assert_eq!(names(&items), vec!["a", "b"]);
    }
}
