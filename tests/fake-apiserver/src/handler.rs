//! HTTP routing: kube-apiserver's URL layout, verbs and error bodies.

use std::collections::HashMap;
use std::convert::Infallible;
use std::ops::Bound;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, Method, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use serde_json::{Value, json};
use tokio_stream::wrappers::BroadcastStream;

use crate::faults;
use crate::patch::{self, PatchError};
use crate::selector::Selector;
use crate::store::{Key, ResourceType, Store, Verb, WatchEvent, meta_str};
use crate::{FakeApi, RequestRecord};

pub(crate) fn router(api: FakeApi) -> axum::Router {
    axum::Router::new().fallback(serve).with_state(api)
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
    obj["apiVersion"] = json!(t.api_version(version));
    obj["kind"] = json!(t.kind);
    obj
}

async fn serve(
    State(api): State<FakeApi>,
    method: Method,
    uri: Uri,
    Query(query): Query<HashMap<String, String>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (resp, fault) = answer(&api, &method, &uri, &query, &headers, &body);
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
) -> (Response, Option<faults::Fault>) {
    let path = uri.path().to_string();
    let mut st = api.lock();
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let record = RequestRecord {
        method: method.to_string(),
        path: path.clone(),
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
    };
    // Who the request acts as, for messages: the impersonated user, else the token's user.
    let user = record
        .impersonate_user
        .clone()
        .unwrap_or_else(|| "tester".to_string());
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
    let mut resp = match &fault {
        Some(f) if f.short_circuits() => faults::short_answer(f),
        _ => route(
            api, &mut st, method, &path, query, headers, body, &user, &manager,
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
    user: &str,
    manager: &str,
) -> Response {
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
        // Not Kubernetes: how many requests were served, for benchmarks.
        return json_response(StatusCode::OK, &json!({"count": st.requests.len()}));
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
        if st.is_forbidden_for(v, &target.t, sub, user) {
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
    };
    match (method.clone(), target.name.is_some()) {
        (Method::GET, true) => get_object(api, st, &target),
        (Method::GET, false) => {
            let watching = query.get("watch").is_some_and(|w| w == "true" || w == "1");
            if watching {
                watch(api, st, target, query)
            } else {
                list(st, &target, query)
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
    let resp = match segs {
        ["version"] => json_response(
            StatusCode::OK,
            &json!({
                "major": "1", "minor": "32", "gitVersion": "v1.32.4", "gitCommit": "fake",
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

fn resource_list(st: &Store, group: &str, version: &str) -> Response {
    let mut resources = Vec::new();
    for t in st
        .types
        .iter()
        .filter(|t| t.group == group && t.versions.iter().any(|v| v == version))
    {
        resources.push(json!({
            "name": t.plural, "singularName": t.kind.to_lowercase(), "namespaced": t.namespaced, "kind": t.kind,
            "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"],
        }));
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

fn get_object(api: &FakeApi, st: &mut Store, target: &Target) -> Response {
    let name = target.name.as_deref().unwrap_or("");
    let key = key_of(target);
    let Some(obj) = st.objects.get(&key).cloned() else {
        return not_found(&target.t, name);
    };
    // Another writer lands right after this read: the client now holds a stale copy.
    if let Some(changed) = st.react_after_get(&key) {
        st.publish(&api.events, "MODIFIED", &changed);
    }
    json_response(StatusCode::OK, &as_version(obj, &target.t, &target.version))
}

fn fields_match(obj: &Value, selector: &str) -> bool {
    selector
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .all(|req| {
            let (k, v, negate) = match req.split_once("!=") {
                Some((k, v)) => (k, v, true),
                None => match req.split_once("==").or_else(|| req.split_once('=')) {
                    Some((k, v)) => (k, v, false),
                    None => return false,
                },
            };
            let actual = match k.trim() {
                "metadata.name" => meta_str(obj, "name"),
                "metadata.namespace" => meta_str(obj, "namespace"),
                _ => return false,
            };
            (actual == v.trim()) != negate
        })
}

struct Filter {
    group: String,
    plural: String,
    namespace: Option<String>,
    fields: String,
    labels: Selector,
}

impl Filter {
    /// A malformed label selector is a 400, as kube-apiserver answers it.
    fn new(target: &Target, query: &HashMap<String, String>) -> Result<Self, String> {
        let labels = Selector::parse(query.get("labelSelector").map_or("", String::as_str))?;
        Ok(Filter {
            group: target.t.group.clone(),
            plural: target.t.plural.clone(),
            namespace: target.namespace.clone(),
            fields: query.get("fieldSelector").cloned().unwrap_or_default(),
            labels,
        })
    }

    fn matches(&self, group: &str, plural: &str, obj: &Value) -> bool {
        group == self.group
            && plural == self.plural
            && self
                .namespace
                .as_deref()
                .is_none_or(|ns| meta_str(obj, "namespace") == ns)
            && fields_match(obj, &self.fields)
            && self.labels.matches(obj)
    }
}

fn list(st: &Store, target: &Target, query: &HashMap<String, String>) -> Response {
    let filter = match Filter::new(target, query) {
        Ok(f) => f,
        Err(msg) => return bad_request(msg),
    };
    // `resourceVersion=0` is served from the watch cache, which (as on a 1.28 server)
    // ignores `limit`: everything comes in one body.
    let from_cache = query.get("resourceVersion").is_some_and(|rv| rv == "0");
    let limit: usize = query
        .get("limit")
        .and_then(|l| l.parse().ok())
        .filter(|l| *l > 0 && !from_cache)
        .unwrap_or(usize::MAX);
    // The continue token is the namespace/name of the last item already returned; the
    // store is ordered by group, resource, namespace and name, so a page starts right after.
    let start = match query.get("continue").filter(|c| !c.is_empty()) {
        Some(token) => {
            let (ns, name) = token.split_once('/').unwrap_or(("", token));
            Bound::Excluded(Key::new(&target.t.group, &target.t.plural, ns, name))
        }
        None => Bound::Included(Key::new(&target.t.group, &target.t.plural, "", "")),
    };
    // Items are written straight into the body, as a server streams them: a cached list of
    // 50,000 objects is then as quick to answer as kube-apiserver's cache answers it.
    let wanted = target.t.api_version(&target.version);
    let mut body: Vec<u8> = Vec::with_capacity(64 * 1024);
    body.extend_from_slice(
        format!(
            "{{\"apiVersion\":{},\"kind\":\"{}List\",\"items\":[",
            json!(wanted),
            target.t.kind
        )
        .as_bytes(),
    );
    let (mut count, mut last, mut next) = (0usize, None::<&Key>, None);
    for (key, obj) in st.objects.range((start, Bound::Unbounded)) {
        if key.group != target.t.group || key.plural != target.t.plural {
            break;
        }
        if !filter.matches(&key.group, &key.plural, obj) {
            continue;
        }
        if count == limit {
            next = last.map(|k| format!("{}/{}", k.namespace, k.name));
            break;
        }
        if count > 0 {
            body.push(b',');
        }
        let written = if obj["apiVersion"] == json!(wanted) && obj["kind"] == json!(target.t.kind) {
            serde_json::to_writer(&mut body, obj)
        } else {
            serde_json::to_writer(
                &mut body,
                &as_version(obj.clone(), &target.t, &target.version),
            )
        };
        if written.is_err() {
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        }
        count += 1;
        last = Some(key);
    }
    let mut meta = json!({"resourceVersion": st.rv.to_string()});
    if let Some(next) = next {
        meta["continue"] = json!(next);
    }
    body.extend_from_slice(format!("],\"metadata\":{meta}}}").as_bytes());
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}

fn watch_line(kind: &str, obj: Value) -> Result<Bytes, Infallible> {
    let mut line = json!({"type": kind, "object": obj}).to_string();
    line.push('\n');
    Ok(Bytes::from(line))
}

fn watch(api: &FakeApi, st: &Store, target: Target, query: &HashMap<String, String>) -> Response {
    let filter = match Filter::new(&target, query) {
        Ok(f) => f,
        Err(msg) => return bad_request(msg),
    };
    let since: Option<u64> = query
        .get("resourceVersion")
        .and_then(|rv| rv.parse().ok())
        .filter(|rv| *rv > 0);
    let timeout = query
        .get("timeoutSeconds")
        .and_then(|t| t.parse().ok())
        .unwrap_or(1800u64);
    let (t, version) = (target.t.clone(), target.version.clone());
    let (target_api_version, target_kind) = (t.api_version(&version), t.kind.clone());

    // A resourceVersion older than the log keeps (compacted away) cannot be watched from:
    // the answer is one ERROR event, 410 Gone, as kube-apiserver sends it.
    if let Some(since) = since
        && since < st.compacted
    {
        let gone = json!({"type": "ERROR", "object": {
            "kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
            "message": format!("too old resource version: {since} ({})", st.compacted),
            "reason": "Expired", "code": 410}});
        return Response::builder()
            .status(StatusCode::OK)
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(format!("{gone}\n")))
            .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response());
    }
    // Without a starting resourceVersion a watch begins with the current state as ADDED
    // events; with one, it replays what changed after it. Taken under the store lock
    // together with the subscription, so no change falls between the two.
    let backlog: Vec<Result<Bytes, Infallible>> = match since {
        None => st
            .objects
            .iter()
            .filter(|(k, o)| filter.matches(&k.group, &k.plural, o))
            .map(|(_, o)| watch_line("ADDED", as_version(o.clone(), &t, &version)))
            .collect(),
        Some(since) => st
            .log
            .iter()
            .filter(|e| e.rv > since && filter.matches(&e.group, &e.plural, &e.object))
            .map(|e| watch_line(e.kind, as_version(e.object.clone(), &t, &version)))
            .collect(),
    };
    let rx = api.events.subscribe();
    let live = BroadcastStream::new(rx).filter_map(move |ev: Result<WatchEvent, _>| {
        let out = match ev {
            Ok(e) if filter.matches(&e.group, &e.plural, &e.object) => {
                Some(watch_line(e.kind, as_version(e.object, &t, &version)))
            }
            _ => None,
        };
        futures::future::ready(out)
    });
    // A client that allows bookmarks gets one first: the resourceVersion it has reached, as
    // kube-apiserver sends them (clients must take them and show nothing).
    let mut backlog = backlog;
    if query
        .get("allowWatchBookmarks")
        .is_some_and(|b| b == "true")
    {
        let mark = json!({"type": "BOOKMARK", "object": {
            "apiVersion": target_api_version, "kind": target_kind,
            "metadata": {"resourceVersion": st.rv.to_string()}}});
        backlog.insert(0, Ok(Bytes::from(format!("{mark}\n"))));
    }
    let mut closed = api.closer.subscribe();
    let stream = futures::stream::iter(backlog)
        .chain(live)
        .take_until(async move {
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs(timeout)) => {}
                _ = closed.recv() => {}
            }
        });
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from_stream(stream))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

fn parse_body(body: &[u8]) -> Option<Value> {
    serde_json::from_slice::<Value>(body)
        .ok()
        .filter(Value::is_object)
}

fn not_an_object() -> Response {
    bad_request("the request body is not a JSON object".into())
}

/// Who makes a write, as recorded in `metadata.managedFields`.
struct Writer {
    manager: String,
}

impl Writer {
    /// Record this write in the object's managedFields: one entry per manager, operation
    /// and subresource, as kube-apiserver keeps them.
    fn record(&self, obj: &mut Value, current: Option<&Value>, sub: Option<&str>) {
        let mut fields: Vec<Value> = current
            .and_then(|c| c.pointer("/metadata/managedFields"))
            .and_then(Value::as_array)
            .cloned()
            .unwrap_or_default();
        let mut entry = json!({
            "manager": self.manager, "operation": "Update",
            "apiVersion": obj.get("apiVersion").cloned().unwrap_or(Value::Null),
            "time": crate::store::now_rfc3339(), "fieldsType": "FieldsV1",
        });
        if let Some(sub) = sub {
            entry["subresource"] = json!(sub);
        }
        fields.retain(|f| {
            !(f["manager"] == entry["manager"]
                && f["operation"] == entry["operation"]
                && f.get("subresource") == entry.get("subresource"))
        });
        fields.push(entry);
        obj["metadata"]["managedFields"] = Value::Array(fields);
    }
}

fn create(
    api: &FakeApi,
    st: &mut Store,
    target: &Target,
    body: &[u8],
    dry_run: bool,
    writer: &Writer,
) -> Response {
    let Some(mut obj) = parse_body(body) else {
        return not_an_object();
    };
    if let Some(ns) = &target.namespace {
        obj["metadata"]["namespace"] = json!(ns);
    }
    obj = as_version(obj, &target.t, &target.version);
    if meta_str(&obj, "name").is_empty() && !meta_str(&obj, "generateName").is_empty() {
        // kube-apiserver appends five random characters; a counter is as unique here.
        let suffix = format!("{:05x}", st.rv + 1);
        obj["metadata"]["name"] = json!(format!("{}{suffix}", meta_str(&obj, "generateName")));
    }
    let name = meta_str(&obj, "name").to_string();
    if st
        .get(
            &target.t.group,
            &target.t.plural,
            meta_str(&obj, "namespace"),
            &name,
        )
        .is_some()
    {
        return status(
            StatusCode::CONFLICT,
            "AlreadyExists",
            format!("{} \"{name}\" already exists", target.t.qualified()),
            Some(&target.t),
            &name,
        );
    }
    if target.t.status_subresource {
        // With a status subresource, status is not settable on create.
        if let Some(m) = obj.as_object_mut() {
            m.remove("status");
        }
    }
    if let Some(m) = obj["metadata"].as_object_mut() {
        m.remove("resourceVersion");
        m.remove("generation");
    }
    if let Err(why) = crate::admission::admit(&target.t.group, &target.t.plural, None, &obj) {
        return status(
            StatusCode::FORBIDDEN,
            "Forbidden",
            why,
            Some(&target.t),
            &name,
        );
    }
    if dry_run {
        return json_response(StatusCode::CREATED, &obj);
    }
    writer.record(&mut obj, None, None);
    match st.insert(obj) {
        Ok(stored) => {
            st.publish(&api.events, "ADDED", &stored);
            json_response(
                StatusCode::CREATED,
                &as_version(stored, &target.t, &target.version),
            )
        }
        Err(e) => bad_request(e),
    }
}

/// Bring a candidate object back within what a write to `target` may change, check its
/// resourceVersion precondition, and store it.
fn commit(
    api: &FakeApi,
    st: &mut Store,
    target: &Target,
    current: &Value,
    mut next: Value,
    dry_run: bool,
    writer: &Writer,
) -> Response {
    let name = target.name.as_deref().unwrap_or("");
    let cur_rv = meta_str(current, "resourceVersion").to_string();
    let want_rv = meta_str(&next, "resourceVersion").to_string();
    if !want_rv.is_empty() && want_rv != cur_rv {
        return conflict(&target.t, name);
    }
    if target.sub.as_deref() == Some("status") {
        // A status write changes status and nothing else.
        let new_status = next.get("status").cloned();
        next = current.clone();
        match new_status {
            Some(s) => next["status"] = s,
            None => {
                if let Some(m) = next.as_object_mut() {
                    m.remove("status");
                }
            }
        }
    } else if target.t.status_subresource {
        // A main-resource write cannot change status.
        match current.get("status") {
            Some(s) => next["status"] = s.clone(),
            None => {
                if let Some(m) = next.as_object_mut() {
                    m.remove("status");
                }
            }
        }
    }
    // Server-owned metadata survives any write.
    for field in [
        "name",
        "namespace",
        "uid",
        "creationTimestamp",
        "generation",
    ] {
        match current["metadata"].get(field) {
            Some(v) => next["metadata"][field] = v.clone(),
            None => {
                if let Some(m) = next["metadata"].as_object_mut() {
                    m.remove(field);
                }
            }
        }
    }
    next = as_version(next, &target.t, &target.version);
    if target.sub.is_none()
        && let Err(why) =
            crate::admission::admit(&target.t.group, &target.t.plural, Some(current), &next)
    {
        return status(
            StatusCode::FORBIDDEN,
            "Forbidden",
            why,
            Some(&target.t),
            name,
        );
    }
    if current.get("spec") != next.get("spec") {
        let generation = current
            .pointer("/metadata/generation")
            .and_then(Value::as_i64)
            .unwrap_or(1);
        next["metadata"]["generation"] = json!(generation + 1);
    }
    if dry_run {
        next["metadata"]["resourceVersion"] = json!(cur_rv);
        return json_response(StatusCode::OK, &next);
    }
    writer.record(&mut next, Some(current), target.sub.as_deref());
    let rv = st.next_rv();
    next["metadata"]["resourceVersion"] = json!(rv.to_string());
    st.objects.insert(key_of(target), next.clone());
    for observe in &st.observers {
        observe(&writer.manager, target.sub.as_deref(), current, &next);
    }
    st.publish(&api.events, "MODIFIED", &next);
    json_response(StatusCode::OK, &next)
}

fn update(
    api: &FakeApi,
    st: &mut Store,
    target: &Target,
    body: &[u8],
    dry_run: bool,
    writer: &Writer,
) -> Response {
    let name = target.name.as_deref().unwrap_or("");
    let Some(next) = parse_body(body) else {
        return not_an_object();
    };
    let Some(current) = st.objects.get(&key_of(target)).cloned() else {
        return not_found(&target.t, name);
    };
    commit(api, st, target, &current, next, dry_run, writer)
}

fn patch_object(
    api: &FakeApi,
    st: &mut Store,
    target: &Target,
    content_type: &str,
    body: &[u8],
    dry_run: bool,
    writer: &Writer,
) -> Response {
    let name = target.name.as_deref().unwrap_or("");
    let Some(current) = st.objects.get(&key_of(target)).cloned() else {
        return not_found(&target.t, name);
    };
    let current_v = as_version(current, &target.t, &target.version);
    match patch::apply(content_type, &current_v, body, target.t.custom) {
        Ok(next) => commit(api, st, target, &current_v, next, dry_run, writer),
        Err(PatchError::Unsupported(m)) => status(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "UnsupportedMediaType",
            m,
            None,
            "",
        ),
        Err(PatchError::BadRequest(m)) => bad_request(m),
        Err(PatchError::Invalid(m)) => status(
            StatusCode::UNPROCESSABLE_ENTITY,
            "Invalid",
            format!("the server rejected our request due to an error in our request: {m}"),
            Some(&target.t),
            name,
        ),
    }
}

fn delete(api: &FakeApi, st: &mut Store, target: &Target, dry_run: bool) -> Response {
    let name = target.name.as_deref().unwrap_or("");
    let key = key_of(target);
    if !st.objects.contains_key(&key) {
        return not_found(&target.t, name);
    }
    if dry_run {
        return json_response(StatusCode::OK, &st.objects[&key]);
    }
    let old = st
        .remove(&key.group, &key.plural, &key.namespace, &key.name)
        .unwrap_or(Value::Null);
    st.publish(&api.events, "DELETED", &old);
    json_response(StatusCode::OK, &as_version(old, &target.t, &target.version))
}
