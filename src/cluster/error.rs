//! API errors the commands branch on, with messages a user can act on.

use kube::core::Status;

/// A failed API request, classified.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("{resource} \"{name}\" not found in namespace \"{namespace}\"{hint}")]
    NotFound {
        resource: String,
        name: String,
        namespace: String,
        /// What to try instead (`; did you mean ...?`), or empty.
        hint: String,
    },
    /// The group/version/resource is not served: the CRD (or that version) is not installed.
    #[error("the server does not serve {0}{hint}", hint = installed_hint(.0))]
    NotServed(String),
    #[error("forbidden: {0}")]
    Forbidden(String),
    /// 401: the credentials were not accepted.
    #[error(
        "the API server did not accept the credentials (401 Unauthorized): the token or certificate may have expired or been revoked; log in again or check --token / the kubeconfig user"
    )]
    Unauthorized,
    /// Someone else wrote the object since we read it (409).
    #[error("conflict: {0}")]
    Conflict(String),
    #[error("the API server refused the request: {}", rejected(*code, reason, message))]
    Rejected {
        code: u16,
        reason: String,
        message: String,
    },
    /// No HTTP answer: connection refused, DNS, TLS, timeout. `cause` is the innermost
    /// error, the one a user can act on (the layers above it repeat it).
    #[error("cannot reach the Kubernetes API at {server}: {cause}")]
    Unreachable { server: String, cause: String },
    /// The server answered, but the answer could not be read (truncated, not JSON).
    #[error("the API server at {server} answered, but its answer could not be read: {cause}")]
    Unreadable { server: String, cause: String },
    /// The credentials could not be obtained (exec plugin, token file, ...).
    #[error("cannot authenticate to {server}: {cause}")]
    Credentials { server: String, cause: String },
}

impl ApiError {
    /// The request may have been carried out although it failed: no answer, an unreadable
    /// one, or a gateway or server error. A write that fails so must be read back.
    pub fn outcome_unknown(&self) -> bool {
        matches!(
            self,
            ApiError::Unreachable { .. }
                | ApiError::Unreadable { .. }
                | ApiError::Rejected {
                    code: 500 | 502 | 503 | 504,
                    ..
                }
        )
    }
}

/// Names close to `wanted` (a typo, a missing suffix), closest first, at most three.
pub fn near_names<'a>(wanted: &str, names: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let limit = (wanted.len() / 3).max(2);
    let mut near: Vec<(usize, &str)> = names
        .into_iter()
        .filter_map(|n| {
            let d = strsim::levenshtein(wanted, n);
            (d <= limit || n.starts_with(wanted) || wanted.starts_with(n)).then_some((d, n))
        })
        .collect();
    near.sort();
    near.into_iter().take(3).map(|(_, n)| n).collect()
}

/// The message of an error answer that was not a Status: one line, whatever its body.
fn body_summary(code: u16, body: &str) -> String {
    let reason = http::StatusCode::from_u16(code)
        .ok()
        .and_then(|c| c.canonical_reason())
        .unwrap_or("error");
    let b = body.trim_start();
    if b.starts_with('<') {
        return format!(
            "{code} {reason}, with an HTML page instead of a Kubernetes Status (a proxy or load \
             balancer in front of the API server?)"
        );
    }
    let first = b.lines().next().unwrap_or("").trim();
    let short: String = first.chars().take(160).collect();
    if short.is_empty() {
        format!("{code} {reason}, with no Status body")
    } else {
        format!("{code} {reason}: {short}")
    }
}

impl ApiError {
    /// Classify a kube error for a request about `resource` `name` in `namespace`.
    pub fn from_kube(
        err: kube::Error,
        resource: &str,
        name: &str,
        namespace: &str,
        server: &str,
    ) -> Self {
        let server = server.to_string();
        match err {
            kube::Error::Api(status) => Self::from_status(&status, resource, name, namespace),
            kube::Error::Auth(a) => ApiError::Credentials {
                server,
                cause: super::credentials::describe_auth(&a),
            },
            kube::Error::SerdeError(e) => ApiError::Unreadable {
                server,
                cause: format!("{e} (a truncated or non-JSON body)"),
            },
            other => match login_failure(&other) {
                Some(cause) => ApiError::Credentials { server, cause },
                None => ApiError::Unreachable {
                    server,
                    cause: with_tls_hint(root_cause(&other)),
                },
            },
        }
    }

    fn from_status(s: &Status, resource: &str, name: &str, namespace: &str) -> Self {
        if s.reason == "Failed to parse error data" && s.code != 404 {
            // Not a Status from the API server: a proxy's page, or a bare error.
            return ApiError::Rejected {
                code: s.code,
                reason: String::new(),
                message: body_summary(s.code, &s.message),
            };
        }
        match s.code {
            // A missing object comes with details naming it; an unserved resource type is a
            // bare 404 ("404 page not found") with no details.
            404 if s.details.as_ref().is_some_and(|d| !d.name.is_empty()) => ApiError::NotFound {
                resource: resource.to_string(),
                name: name.to_string(),
                namespace: namespace.to_string(),
                hint: String::new(),
            },
            404 => ApiError::NotServed(resource.to_string()),
            401 => ApiError::Unauthorized,
            403 => ApiError::Forbidden(with_access_hint(&s.message)),
            409 => ApiError::Conflict(s.message.clone()),
            code => ApiError::Rejected {
                code,
                reason: s.reason.clone(),
                message: s.message.clone(),
            },
        }
    }
}

/// What to install for a resource the server does not serve.
fn installed_hint(resource: &str) -> &'static str {
    if resource.contains("kruise.io") {
        " (is Kruise Rollouts installed?)"
    } else if resource.contains("oam.dev") {
        " (is KubeVela installed?)"
    } else {
        ""
    }
}

/// The API server's 403 names the rule that is missing (or the admission policy that
/// refused); say where to see and grant the rights the plugin's verbs need.
fn with_access_hint(message: &str) -> String {
    if message.contains("ValidatingAdmissionPolicy") {
        format!(
            "{message} (an admission policy limits this identity's writes; \
             `kubectl kruise rollout access check` shows what it may do)"
        )
    } else {
        format!(
            "{message} (`kubectl kruise rollout access check` shows what this identity may do; \
             `kubectl kruise rollout access grant` makes the Role it needs)"
        )
    }
}

fn rejected(code: u16, reason: &str, message: &str) -> String {
    if reason.is_empty() {
        message.to_string()
    } else {
        format!("{code} {reason}: {message}")
    }
}

/// What to check when the server's certificate is refused.
fn with_tls_hint(cause: String) -> String {
    let hint = if cause.contains("UnknownIssuer") || cause.contains("BadSignature") {
        "; the server's certificate is not signed by the CA the kubeconfig trusts \
         (certificate-authority / --certificate-authority)"
    } else if cause.contains("NotValidForName") || cause.contains("not valid for name") {
        "; the server's certificate is for another name (check the server address, or \
         --tls-server-name)"
    } else if cause.contains("Expired") {
        "; the server's certificate has expired"
    } else {
        ""
    };
    format!("{cause}{hint}")
}

/// The exec login's own message, when fetching a credential is what failed.
fn login_failure(err: &(dyn std::error::Error + 'static)) -> Option<String> {
    let mut e = Some(err);
    while let Some(x) = e {
        if let Some(l) = x.downcast_ref::<super::login::LoginFailed>() {
            return Some(l.0.clone());
        }
        e = x.source();
    }
    None
}

fn root_cause(err: &(dyn std::error::Error + 'static)) -> String {
    let mut e = err;
    while let Some(next) = e.source() {
        e = next;
    }
    e.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_403_hint_is_one_plain_sentence() {
        for m in [
            "x is forbidden",
            "ValidatingAdmissionPolicy 'p' denied request",
        ] {
            let hinted = with_access_hint(m);
            assert!(!hinted.contains("  "), "{hinted}");
            assert!(hinted.contains("access check"), "{hinted}");
        }
    }

    #[test]
    fn near_names_catch_typos_and_prefixes() {
        let names = ["rollouts-nginx", "shop", "cart", "web-frontend"];
        assert_eq!(near_names("rollouts-ngnix", names), ["rollouts-nginx"]);
        assert_eq!(near_names("web", names), ["web-frontend"]);
        assert!(near_names("payments", names).is_empty());
    }
    use kube::core::response::StatusDetails;

    fn status(code: u16, detail_name: Option<&str>) -> kube::Error {
        let mut s = Status::failure("msg", "Reason").with_code(code);
        s.details = detail_name.map(|n| {
            serde_json::from_value::<StatusDetails>(serde_json::json!({"name": n})).unwrap()
        });
        kube::Error::Api(s.boxed())
    }

    #[test]
    fn a_missing_object_and_a_missing_crd_are_told_apart() {
        let r = "rollouts.rollouts.kruise.io";
        assert!(matches!(
            ApiError::from_kube(status(404, Some("demo")), r, "demo", "ns", ""),
            ApiError::NotFound { .. }
        ));
        assert!(matches!(
            ApiError::from_kube(status(404, None), r, "demo", "ns", ""),
            ApiError::NotServed(_)
        ));
        assert!(matches!(
            ApiError::from_kube(status(409, Some("demo")), r, "demo", "ns", ""),
            ApiError::Conflict(_)
        ));
        assert!(matches!(
            ApiError::from_kube(status(403, None), r, "demo", "ns", ""),
            ApiError::Forbidden(_)
        ));
        assert!(matches!(
            ApiError::from_kube(status(422, None), r, "demo", "ns", ""),
            ApiError::Rejected { code: 422, .. }
        ));
    }
}
