//! What the API server says an identity may do: access reviews, one per request of the
//! plugin's inventory, and the server's version (which admission policy API it has).

use k8s_openapi::api::authorization::v1::{
    ResourceAttributes, SelfSubjectAccessReview, SelfSubjectAccessReviewSpec, SubjectAccessReview,
    SubjectAccessReviewSpec,
};
use kube::api::{Api, PostParams};

use super::{ApiError, Cluster};
use crate::model::access::{Request, Subject};

/// `(major, minor)` of the API server (`GET /version`); a `+` suffix (`28+`) is ignored.
pub async fn server_version(cluster: &Cluster) -> Result<(u32, u32), ApiError> {
    let v = cluster
        .client
        .apiserver_version()
        .await
        .map_err(|e| ApiError::from_kube(e, "version", "", "", &cluster.server))?;
    let num = |s: &str| {
        s.trim_end_matches(|c: char| !c.is_ascii_digit())
            .parse::<u32>()
            .unwrap_or(0)
    };
    Ok((num(&v.major), num(&v.minor)))
}

fn attributes(r: &Request, namespace: &str) -> ResourceAttributes {
    let (resource, sub) = match r.resource.split_once('/') {
        Some((res, sub)) => (res.to_string(), Some(sub.to_string())),
        None => (r.resource.clone(), None),
    };
    ResourceAttributes {
        group: Some(r.group.clone()),
        resource: Some(resource),
        subresource: sub,
        verb: Some(r.verb.to_string()),
        namespace: Some(namespace.to_string()),
        name: r.name.clone(),
        ..Default::default()
    }
}

/// Whether the requester (`subject` None: a SelfSubjectAccessReview, which `--as` makes
/// about the impersonated user) or `subject` (a SubjectAccessReview) may make `r`.
pub async fn allowed(
    cluster: &Cluster,
    r: &Request,
    namespace: &str,
    subject: Option<&Subject>,
) -> Result<bool, ApiError> {
    let client = cluster.client.clone();
    let pp = PostParams::default();
    let classify = |e, what| ApiError::from_kube(e, what, "", "", &cluster.server);
    let attrs = attributes(r, namespace);
    match subject {
        None => {
            let review = SelfSubjectAccessReview {
                spec: SelfSubjectAccessReviewSpec {
                    resource_attributes: Some(attrs),
                    ..Default::default()
                },
                ..Default::default()
            };
            let answer = Api::<SelfSubjectAccessReview>::all(client)
                .create(&pp, &review)
                .await
                .map_err(|e| classify(e, "selfsubjectaccessreviews.authorization.k8s.io"))?;
            Ok(answer.status.is_some_and(|s| s.allowed))
        }
        Some(s) => {
            let (user, groups) = match s {
                Subject::Group(g) => (None, Some(vec![g.clone()])),
                // The groups the API server gives a service account's requests.
                Subject::ServiceAccount { namespace, .. } => (
                    s.username(),
                    Some(vec![
                        "system:serviceaccounts".to_string(),
                        format!("system:serviceaccounts:{namespace}"),
                        "system:authenticated".to_string(),
                    ]),
                ),
                other => (other.username(), None),
            };
            let review = SubjectAccessReview {
                spec: SubjectAccessReviewSpec {
                    resource_attributes: Some(attrs),
                    user,
                    groups,
                    ..Default::default()
                },
                ..Default::default()
            };
            let answer = Api::<SubjectAccessReview>::all(client)
                .create(&pp, &review)
                .await
                .map_err(|e| classify(e, "subjectaccessreviews.authorization.k8s.io"))?;
            Ok(answer.status.is_some_and(|s| s.allowed))
        }
    }
}
