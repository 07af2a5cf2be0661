//! HTTP routing: kube-apiserver's URL layout, verbs and error bodies.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::faults;
use crate::store::{Key, ResourceType, Store, Verb};
use crate::{FakeApi, RequestRecord};

mod reads;
mod shapes;
mod writes;

use reads::{get_object, list, watch};
use writes::{Writer, create, delete, patch_object, update};

pub(crate) fn router(api: FakeApi) -> axum::Router {
    let gzip = tower_http::compression::CompressionLayer::new().compress_when(OverThreshold);
    axum::Router::new()
        .fallback(serve)
        .with_state(api)
        .layer(gzip)
}

/// kube-apiserver compresses an answer only when the client takes gzip and the body is over
/// 128 KiB; watch streams (no known length) are never compressed.
#[derive(Clone, Copy)]
struct OverThreshold;

impl tower_http::compression::Predicate for OverThreshold {
    fn should_compress<B: http_body::Body>(&self, response: &axum::http::Response<B>) -> bool {
        response
            .body()
            .size_hint()
            .exact()
            .is_some_and(|n| n >= 128 * 1024)
    }
}

/// What a resource URL addresses once parsed.
struct Target {
    t: ResourceType,
    version: String,
    namespace: Option<String>,
    name: Option<String>,
    sub: Option<String>,
}

fn json_response(code: StatusCode, body: &Value) -> Response {
    (
        code,
        [(header::CONTENT_TYPE, "application/json")],
        body.to_string(),
    )
        .into_response()
}

fn not_served() -> Response {
    // kube-apiserver answers an unknown group/version/resource with a bare text 404.
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
        "404 page not found\n",
    )
        .into_response()
}

fn status(
    code: StatusCode,
    reason: &str,
    message: String,
    t: Option<&ResourceType>,
    name: &str,
) -> Response {
    let mut body = json!({
        "kind": "Status", "apiVersion": "v1", "metadata": {},
        "status": "Failure", "message": message, "reason": reason, "code": code.as_u16(),
    });
    if let Some(t) = t {
        body["details"] = json!({"name": name, "group": t.group, "kind": t.plural});
    }
    json_response(code, &body)
}

/// The fake's own identity (requests that impersonate no one): unrestricted, as an admin.
pub(crate) const ADMIN: &str = "tester";

fn forbidden(
    t: &ResourceType,
    verb: Verb,
    sub: Option<&str>,
    ns: Option<&str>,
    name: &str,
    user: &str,
) -> Response {
    let resource = match sub {
        Some(s) => format!("{}/{}", t.plural, s),
        None => t.plural.clone(),
    };
    let subject = if name.is_empty() {
        t.qualified()
    } else {
        format!("{} \"{}\"", t.qualified(), name)
    };
    let scope = match ns {
        Some(ns) => format!(" in the namespace \"{ns}\""),
        None => " at the cluster scope".to_string(),
    };
    let msg = format!(
        "{subject} is forbidden: User \"{user}\" cannot {} resource \"{resource}\" in API group \"{}\"{scope}",
        verb.as_str(),
        t.group
    );
    status(StatusCode::FORBIDDEN, "Forbidden", msg, Some(t), name)
}

fn not_found(t: &ResourceType, name: &str) -> Response {
    status(
        StatusCode::NOT_FOUND,
        "NotFound",
        format!("{} \"{name}\" not found", t.qualified()),
        Some(t),
        name,
    )
}

fn conflict(t: &ResourceType, name: &str) -> Response {
    let msg = format!(
        "Operation cannot be fulfilled on {} \"{name}\": the object has been modified; please apply your changes to the latest version and try again",
        t.qualified()
    );
    status(StatusCode::CONFLICT, "Conflict", msg, Some(t), name)
}

fn bad_request(msg: String) -> Response {
    status(StatusCode::BAD_REQUEST, "BadRequest", msg, None, "")
}

/// The object as seen through `version`: stored once, shown with the requested apiVersion.
fn as_version(mut obj: Value, t: &ResourceType, version: &str) -> Value {
    if t.converted && obj["apiVersion"].is_string() {
        obj = crate::conversion::convert(obj, version);
    }
    obj["apiVersion"] = json!(t.api_version(version));
    obj["kind"] = json!(t.kind);
    obj
}

/// Where a request came from: its connection and protocol.
pub(crate) struct Origin {
    at: std::time::Instant,
    peer: Option<std::net::SocketAddr>,
    version: axum::http::Version,
}

#[allow(clippy::too_many_arguments)]
async fn serve(
    State(api): State<FakeApi>,
    method: Method,
    uri: Uri,
    version: axum::http::Version,
    peer: Option<axum::Extension<axum::extract::ConnectInfo<std::net::SocketAddr>>>,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    // A hub passes a member's requests on, with the hub's own credentials already checked.
    match crate::hub::route(&api, uri.path()) {
        Some(crate::hub::Proxied::To(member, rest)) => {
            let uri: Uri = match uri.query() {
                Some(q) => format!("{rest}?{q}"),
                None => rest,
            }
            .parse()
            .unwrap_or_default();
            return Box::pin(serve(
                State(member),
                method,
                uri,
                version,
                peer,
                Query(query),
                headers,
                body,
            ))
            .await;
        }
        Some(crate::hub::Proxied::Refused(code, reason, message)) => {
            return status(code, &reason, message, None, "");
        }
        None => {}
    }
    let origin = Origin {
        at: std::time::Instant::now(),
        peer: peer.map(|p| p.0.0),
        version,
    };
    let (resp, fault) = answer(&api, &method, &uri, &query, &headers, &body, origin);
    // Faults that take time happen without holding the store.
    match fault {
        Some(f) => faults::spoil(f, resp).await,
        None => resp,
    }
}

/// The answer, under the store's lock, and the fault still to spoil it with, if any.
fn answer(
    api: &FakeApi,
    method: &Method,
    uri: &Uri,
    query: &HashMap<String, String>,
    headers: &HeaderMap,
    body: &Bytes,
    origin: Origin,
) -> (Response, Option<faults::Fault>) {
    let full_path = uri.path().to_string();
    let mut st = api.lock();
    // Behind a gateway's prefix, the API is served under it and nowhere else.
    let path = if st.prefix.is_empty() {
        full_path.clone()
    } else {
        match full_path.strip_prefix(&st.prefix) {
            Some(rest) if rest.is_empty() || rest.starts_with('/') => rest.to_string(),
            _ => String::from("/no-such-path-outside-the-prefix"),
        }
    };
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let record = RequestRecord {
        method: method.to_string(),
        path: full_path.clone(),
        query: uri.query().unwrap_or("").to_string(),
        body: String::from_utf8_lossy(body).into_owned(),
        user_agent: header("user-agent").unwrap_or_default(),
        impersonate_user: header("impersonate-user"),
        impersonate_groups: headers
            .get_all("impersonate-group")
            .iter()
            .filter_map(|v| v.to_str().ok().map(str::to_string))
            .collect(),
        impersonate_uid: header("impersonate-uid"),
        authorization: header("authorization"),
        status: 0,
        accept_encoding: header("accept-encoding"),
        accept: header("accept"),
        at: origin.at,
        peer: origin.peer,
        version: format!("{:?}", origin.version),
    };
    // Who the request acts as, for messages: the impersonated user, else the token's user.
    let user = record
        .impersonate_user
        .clone()
        .unwrap_or_else(|| ADMIN.to_string());
    let user_info = crate::authz::UserInfo::new(&user, &record.impersonate_groups);
    // Who is recorded as the writer: fieldManager, else the User-Agent's first word.
    let manager = query
        .get("fieldManager")
        .cloned()
        .filter(|m| !m.is_empty())
        .unwrap_or_else(|| {
            let ua = record.user_agent.split('/').next().unwrap_or("").trim();
            if ua.is_empty() {
                "unknown".to_string()
            } else {
                ua.to_string()
            }
        });
    // The fake's own endpoints (request counts for benchmarks) are not Kubernetes requests.
    if !path.starts_with("/fake/") {
        st.requests.push(record);
    }
    let warning = st.warning.clone();
    let fault = st.take_fault(method.as_str());
    let token_refused = st.tokens.as_ref().is_some_and(|accepted| {
        let bearer =
            header("authorization").and_then(|a| a.strip_prefix("Bearer ").map(str::to_string));
        !path.starts_with("/fake/")
            && !accepted
                .iter()
                .any(|t| Some(t.as_str()) == bearer.as_deref())
    });
    let mut resp = match &fault {
        _ if token_refused => status(
            StatusCode::UNAUTHORIZED,
            "Unauthorized",
            "Unauthorized".into(),
            None,
            "",
        ),
        Some(f) if f.short_circuits() => faults::short_answer(f),
        _ => route(
            api, &mut st, method, &path, query, headers, body, &user_info, &manager,
        ),
    };
    if let Some(w) = warning
        && let Ok(v) = axum::http::HeaderValue::from_str(&format!("299 - \"{w}\""))
    {
        resp.headers_mut().append(header::WARNING, v);
    }
    if !path.starts_with("/fake/")
        && let Some(r) = st.requests.last_mut()
    {
        r.status = resp.status().as_u16();
    }
    (resp, fault.filter(|f| !f.short_circuits()))
}

#[allow(clippy::too_many_arguments)]
fn route(
    api: &FakeApi,
    st: &mut Store,
    method: &Method,
    path: &str,
    query: &HashMap<String, String>,
    headers: &HeaderMap,
    body: &[u8],
    user_info: &crate::authz::UserInfo,
    manager: &str,
) -> Response {
    let user = user_info.name.as_str();
    if let Some((remaining, code)) = st.failures.filter(|(n, _)| *n > 0) {
        st.failures = Some((remaining - 1, code));
        let code = StatusCode::from_u16(code).unwrap_or(StatusCode::SERVICE_UNAVAILABLE);
        let reason = code.canonical_reason().unwrap_or("Error").replace(' ', "");
        return status(
            code,
            &reason,
            format!("injected failure ({code})"),
            None,
            "",
        );
    }
    let segs: Vec<&str> = path
        .trim_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();

    if segs == ["fake", "requests"] {
        // Not Kubernetes: what was served, for benchmarks. `since=N` looks at the requests
        // after the first N; `gap_ms` is the longest pause between requests sent together.
        let since: usize = query.get("since").and_then(|v| v.parse().ok()).unwrap_or(0);
        let gap = std::time::Duration::from_millis(
            query
                .get("gap_ms")
                .and_then(|v| v.parse().ok())
                .unwrap_or(10),
        );
        let recent = st.requests.get(since..).unwrap_or_default();
        let arrivals: Vec<_> = recent.iter().map(|r| r.at).collect();
        let mut peers: Vec<_> = recent.iter().filter_map(|r| r.peer).collect();
        peers.sort();
        peers.dedup();
        let (up, down, links) = st.link.as_ref().map(|c| c.snapshot()).unwrap_or_default();
        return json_response(
            StatusCode::OK,
            &json!({
                "count": st.requests.len(),
                "requests": recent.len(),
                "waves": crate::link::waves(&arrivals, gap),
                "connections": peers.len(),
                "link": {"bytes_up": up, "bytes_down": down, "connections": links},
            }),
        );
    }
    if segs == ["fake", "prometheus", "api", "v1", "query"] {
        // Not Kubernetes: the sandbox's metrics source. It answers every instant query as
        // Prometheus would a steady 0.1% error ratio, so that the README's analysis block
        // runs without a Prometheus (docs/analysis.md's block runs against a real one).
        let now = jiff::Timestamp::now().as_millisecond() as f64 / 1000.0;
        return json_response(
            StatusCode::OK,
            &json!({"status": "success", "data": {"resultType": "vector",
                "result": [{"metric": {}, "value": [now, "0.001"]}]}}),
        );
    }
    if let Some(resp) = discovery(st, &segs) {
        return resp;
    }
    if segs == ["api", "v1", "namespaces"] && *method == Method::GET {
        let mut names: Vec<&str> = vec!["default", "kube-system"];
        for k in st.objects.keys() {
            if !k.namespace.is_empty() && !names.contains(&k.namespace.as_str()) {
                names.push(&k.namespace);
            }
        }
        names.sort();
        let items: Vec<Value> = names
            .iter()
            .map(|n| json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": n}}))
            .collect();
        return json_response(
            StatusCode::OK,
            &json!({"apiVersion": "v1", "kind": "NamespaceList", "metadata": {"resourceVersion": st.rv.to_string()}, "items": items}),
        );
    }
    // Namespaces exist where objects are, and `default` and `kube-system` always.
    if let ["api", "v1", "namespaces", ns] = segs.as_slice()
        && *method == Method::GET
    {
        let known = ["default", "kube-system"].contains(ns)
            || st.objects.keys().any(|k| k.namespace == *ns);
        let t = ResourceType {
            namespaced: false,
            ..ResourceType::new("", &["v1"], "Namespace", "namespaces", false)
        };
        return if known {
            json_response(
                StatusCode::OK,
                &json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}, "status": {"phase": "Active"}}),
            )
        } else {
            not_found(&t, ns)
        };
    }
    if let ["apis", "authorization.k8s.io", "v1", review] = segs.as_slice()
        && *method == Method::POST
        && (*review == "selfsubjectaccessreviews" || *review == "subjectaccessreviews")
    {
        let Some(spec) = serde_json::from_slice::<Value>(body).ok() else {
            return bad_request("the body is not a JSON object".into());
        };
        if *review == "subjectaccessreviews" && st.rbac && user != ADMIN {
            let a = crate::authz::Attributes {
                verb: "create".into(),
                group: "authorization.k8s.io".into(),
                resource: "subjectaccessreviews".into(),
                namespace: None,
                name: None,
            };
            if crate::authz::allowed(st, user_info, &a).is_none() {
                let t = ResourceType {
                    namespaced: false,
                    ..ResourceType::new(
                        "authorization.k8s.io",
                        &["v1"],
                        "SubjectAccessReview",
                        "subjectaccessreviews",
                        false,
                    )
                };
                return forbidden(&t, Verb::Create, None, None, "", user);
            }
        }
        let answer =
            crate::authz::review(st, *review == "selfsubjectaccessreviews", &spec, user_info);
        return json_response(StatusCode::CREATED, &answer);
    }
    let target = match resolve(st, &segs) {
        Some(t) => t,
        None => return not_served(),
    };
    let dry_run = query.get("dryRun").is_some_and(|v| v == "All");
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();

    // A verb a rule forbids is refused before anything else, naming the user.
    let verb = match (method.clone(), target.name.is_some()) {
        (Method::GET, true) => Some(Verb::Get),
        (Method::GET, false) if query.get("watch").is_some_and(|w| w == "true" || w == "1") => {
            Some(Verb::Watch)
        }
        (Method::GET, false) => Some(Verb::List),
        (Method::POST, false) => Some(Verb::Create),
        (Method::PUT, true) => Some(Verb::Update),
        (Method::PATCH, true) => Some(Verb::Patch),
        (Method::DELETE, true) => Some(Verb::Delete),
        _ => None,
    };
    if let Some(v) = verb {
        let sub = if matches!(v, Verb::Get | Verb::Update | Verb::Patch) {
            target.sub.as_deref()
        } else {
            None
        };
        let denied_by_rbac = st.rbac && user != ADMIN && {
            // A list or watch narrowed to one name is authorized for that name.
            let name = target.name.clone().or_else(|| {
                query
                    .get("fieldSelector")
                    .and_then(|f| f.strip_prefix("metadata.name="))
                    .map(str::to_string)
            });
            let a = crate::authz::Attributes {
                verb: v.as_str().to_string(),
                group: target.t.group.clone(),
                resource: match sub {
                    Some(s) => format!("{}/{s}", target.t.plural),
                    None => target.t.plural.clone(),
                },
                namespace: target.namespace.clone(),
                name,
            };
            crate::authz::allowed(st, user_info, &a).is_none()
        };
        if denied_by_rbac || st.is_forbidden_for(v, &target.t, sub, user) {
            return forbidden(
                &target.t,
                v,
                sub,
                target.namespace.as_deref(),
                target.name.as_deref().unwrap_or(""),
                user,
            );
        }
    }
    let writer = Writer {
        manager: manager.to_string(),
        user: user_info.clone(),
    };
    let shape = shapes::shape(headers.get("accept").and_then(|v| v.to_str().ok()));
    match (method.clone(), target.name.is_some()) {
        (Method::GET, true) => get_object(api, st, &target, shape),
        (Method::GET, false) => {
            let watching = query.get("watch").is_some_and(|w| w == "true" || w == "1");
            if watching {
                watch(api, st, target, query)
            } else {
                list(st, &target, query, shape)
            }
        }
        (Method::POST, false) => create(api, st, &target, body, dry_run, &writer),
        (Method::PUT, true) => update(api, st, &target, body, dry_run, &writer),
        (Method::PATCH, true) => {
            patch_object(api, st, &target, &content_type, body, dry_run, &writer)
        }
        (Method::DELETE, true) => delete(api, st, &target, dry_run),
        _ => status(
            StatusCode::METHOD_NOT_ALLOWED,
            "MethodNotAllowed",
            format!(
                "the server does not allow this method on the requested resource ({method} {path})"
            ),
            None,
            "",
        ),
    }
}

fn discovery(st: &Store, segs: &[&str]) -> Option<Response> {
    let minor = if st.minor == 0 { 32 } else { st.minor };
    let resp = match segs {
        ["version"] => json_response(
            StatusCode::OK,
            &json!({
                "major": "1", "minor": minor.to_string(),
                "gitVersion": format!("v1.{minor}.4"), "gitCommit": "fake",
                "gitTreeState": "clean", "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.23",
                "compiler": "gc", "platform": "linux/amd64"
            }),
        ),
        ["api"] => json_response(
            StatusCode::OK,
            &json!({"kind": "APIVersions", "versions": ["v1"],
                    "serverAddressByClientCIDRs": [{"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1"}]}),
        ),
        ["api", "v1"] => resource_list(st, "", "v1"),
        ["apis"] => {
            let mut groups: Vec<Value> = Vec::new();
            for t in st.types.iter().filter(|t| !t.group.is_empty()) {
                if groups.iter().any(|g| g["name"] == json!(t.group)) {
                    continue;
                }
                // The group's versions: every version any of its types serves, in order.
                let mut versions: Vec<String> = Vec::new();
                for tt in st.types.iter().filter(|tt| tt.group == t.group) {
                    for v in &tt.versions {
                        if !versions.contains(v) {
                            versions.push(v.clone());
                        }
                    }
                }
                let vs: Vec<Value> = versions
                    .iter()
                    .map(|v| json!({"groupVersion": format!("{}/{}", t.group, v), "version": v}))
                    .collect();
                groups.push(json!({"name": t.group, "versions": vs, "preferredVersion": vs[0]}));
            }
            json_response(
                StatusCode::OK,
                &json!({"kind": "APIGroupList", "apiVersion": "v1", "groups": groups}),
            )
        }
        ["apis", group, version] => {
            if !st
                .types
                .iter()
                .any(|t| t.group == *group && t.versions.iter().any(|v| v == version))
            {
                return Some(not_served());
            }
            resource_list(st, group, version)
        }
        _ => return None,
    };
    Some(resp)
}

/// The short names and categories kube-apiserver and the CRDs give, so that `kubectl get
/// deploy` and `kubectl get all` work as on a cluster.
fn short_names(group: &str, plural: &str) -> (&'static [&'static str], &'static [&'static str]) {
    match (group, plural) {
        ("apps", "deployments") => (&["deploy"], &["all"]),
        ("apps", "statefulsets") => (&["sts"], &["all"]),
        ("apps", "daemonsets") => (&["ds"], &["all"]),
        ("apps", "replicasets") => (&["rs"], &["all"]),
        ("", "events") => (&["ev"], &[]),
        ("", "namespaces") => (&["ns"], &[]),
        ("apps.kruise.io", "clonesets") => (&["clone"], &["all"]),
        ("apps.kruise.io", "statefulsets") => (&["asts"], &["all"]),
        ("apps.kruise.io", "daemonsets") => (&["daemon", "ads"], &["all"]),
        ("core.oam.dev", "applications") => (&["app"], &["oam"]),
        ("core.oam.dev", "approllouts") => (&["approllout"], &["oam"]),
        ("core.oam.dev", "applicationrevisions") => (&["apprev"], &["oam"]),
        _ => (&[], &[]),
    }
}

fn resource_list(st: &Store, group: &str, version: &str) -> Response {
    let mut resources = Vec::new();
    for t in st
        .types
        .iter()
        .filter(|t| t.group == group && t.versions.iter().any(|v| v == version))
    {
        let mut resource = json!({
            "name": t.plural, "singularName": t.kind.to_lowercase(), "namespaced": t.namespaced, "kind": t.kind,
            "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"],
        });
        let (short, categories) = short_names(&t.group, &t.plural);
        if !short.is_empty() {
            resource["shortNames"] = json!(short);
        }
        if !categories.is_empty() {
            resource["categories"] = json!(categories);
        }
        resources.push(resource);
        if t.status_subresource {
            resources.push(json!({
                "name": format!("{}/status", t.plural), "singularName": "", "namespaced": t.namespaced,
                "kind": t.kind, "verbs": ["get", "patch", "update"],
            }));
        }
    }
    let gv = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    json_response(
        StatusCode::OK,
        &json!({"kind": "APIResourceList", "apiVersion": "v1", "groupVersion": gv, "resources": resources}),
    )
}

fn resolve(st: &Store, segs: &[&str]) -> Option<Target> {
    let (group, version, rest) = match segs {
        ["api", v, rest @ ..] => ("", *v, rest),
        ["apis", g, v, rest @ ..] => (*g, *v, rest),
        _ => return None,
    };
    let (namespace, plural, name, sub) = match rest {
        [plural] => (None, *plural, None, None),
        [plural, name] if *plural != "namespaces" => (None, *plural, Some(*name), None),
        ["namespaces", ns, plural] => (Some(*ns), *plural, None, None),
        ["namespaces", ns, plural, name] => (Some(*ns), *plural, Some(*name), None),
        ["namespaces", ns, plural, name, sub] => (Some(*ns), *plural, Some(*name), Some(*sub)),
        _ => return None,
    };
    let t = st.served(group, version, plural)?;
    if sub.is_some_and(|s| s != "status" || !t.status_subresource) {
        return None;
    }
    Some(Target {
        t,
        version: version.to_string(),
        namespace: namespace.map(str::to_string),
        name: name.map(str::to_string),
        sub: sub.map(str::to_string),
    })
}

fn key_of(target: &Target) -> Key {
    Key::new(
        &target.t.group,
        &target.t.plural,
        target.namespace.as_deref().unwrap_or(""),
        target.name.as_deref().unwrap_or(""),
    )
}
