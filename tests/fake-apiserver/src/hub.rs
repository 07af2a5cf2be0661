//! A hub of member clusters, as KubeVela's cluster-gateway and Karmada serve one: an object
//! per member (`ClusterGateway`, `Cluster`) and a `proxy` subresource that passes the rest
//! of the path on to that member's API server.

use axum::http::StatusCode;
use serde_json::json;

use crate::FakeApi;
use crate::store::ResourceType;

/// Which hub API serves the members.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HubKind {
    /// `cluster.core.oam.dev/v1alpha1` ClusterGateway (KubeVela).
    ClusterGateway,
    /// `cluster.karmada.io/v1alpha1` Cluster (Karmada).
    Karmada,
}

impl HubKind {
    fn group(self) -> &'static str {
        match self {
            HubKind::ClusterGateway => "cluster.core.oam.dev",
            HubKind::Karmada => "cluster.karmada.io",
        }
    }

    fn plural(self) -> &'static str {
        match self {
            HubKind::ClusterGateway => "clustergateways",
            HubKind::Karmada => "clusters",
        }
    }

    fn kind(self) -> &'static str {
        match self {
            HubKind::ClusterGateway => "ClusterGateway",
            HubKind::Karmada => "Cluster",
        }
    }

    /// The path before a member's name: `/apis/GROUP/v1alpha1/PLURAL/`.
    fn base(self) -> String {
        format!("/apis/{}/v1alpha1/{}/", self.group(), self.plural())
    }
}

/// Members, by name; `None` for one whose API server cannot be reached.
pub(crate) type Members = Vec<(String, Option<FakeApi>)>;

impl FakeApi {
    /// Be a hub of `kind` for `members`: list them as its objects, and answer
    /// `.../NAME/proxy/PATH` as member NAME answers PATH. A member given as `None` is listed
    /// but cannot be reached (503, as the gateway answers when it cannot dial the member).
    pub fn serve_members(&self, kind: HubKind, members: Vec<(&str, Option<FakeApi>)>) -> &Self {
        self.add_type(ResourceType {
            status_subresource: false,
            namespaced: false,
            ..ResourceType::new(
                kind.group(),
                &["v1alpha1"],
                kind.kind(),
                kind.plural(),
                false,
            )
        });
        for (name, _) in &members {
            let spec = match kind {
                HubKind::ClusterGateway => json!({"access": {"endpoint": {
                    "type": "Const", "const": {"address": format!("https://{name}.members.local")}
                }}}),
                HubKind::Karmada => json!({
                    "syncMode": "Push", "apiEndpoint": format!("https://{name}.members.local")
                }),
            };
            self.insert(json!({
                "apiVersion": format!("{}/v1alpha1", kind.group()),
                "kind": kind.kind(),
                "metadata": {"name": name},
                "spec": spec,
            }));
        }
        let mut st = self.lock();
        st.hub = Some(kind);
        st.members = members
            .into_iter()
            .map(|(n, api)| (n.to_string(), api))
            .collect();
        drop(st);
        self
    }
}

/// Where a request to the hub goes: a member's API (and the path there), or an answer of
/// the hub's own when the member is unknown or cannot be reached. `None`: not a proxy path.
pub(crate) enum Proxied {
    To(FakeApi, String),
    Refused(StatusCode, String, String),
}

pub(crate) fn route(api: &FakeApi, path: &str) -> Option<Proxied> {
    let st = api.lock();
    let kind = st.hub?;
    let rest = path.strip_prefix(&kind.base())?;
    let (name, rest) = rest.split_once("/proxy")?;
    if !(rest.is_empty() || rest.starts_with('/')) {
        return None;
    }
    let rest = if rest.is_empty() { "/" } else { rest };
    Some(match st.members.iter().find(|(n, _)| n == name) {
        Some((_, Some(member))) => Proxied::To(member.clone(), rest.to_string()),
        Some((_, None)) => Proxied::Refused(
            StatusCode::SERVICE_UNAVAILABLE,
            "ServiceUnavailable".into(),
            format!(
                "error trying to reach service: dial tcp: lookup {name}.members.local: connection refused"
            ),
        ),
        None => Proxied::Refused(
            StatusCode::NOT_FOUND,
            "NotFound".into(),
            format!("{}.{} \"{name}\" not found", kind.plural(), kind.group()),
        ),
    })
}
