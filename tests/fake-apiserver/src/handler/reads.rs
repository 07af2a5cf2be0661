//! Reads: get, list (label and field selectors, paging, cache reads), watch.

use std::collections::HashMap;
use std::convert::Infallible;
use std::ops::Bound;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures::StreamExt;
use serde_json::{Value, json};
use tokio_stream::wrappers::BroadcastStream;

use super::shapes::{Shape, list_as, object_as};
use super::{Target, as_version, bad_request, json_response, key_of, not_found};
use crate::FakeApi;
use crate::selector::Selector;
use crate::store::{Key, Store, WatchEvent, meta_str};

pub(super) fn get_object(api: &FakeApi, st: &mut Store, target: &Target, shape: Shape) -> Response {
    let name = target.name.as_deref().unwrap_or("");
    let key = key_of(target);
    let Some(obj) = st.objects.get(&key).cloned() else {
        return not_found(&target.t, name);
    };
    // Another writer lands right after this read: the client now holds a stale copy.
    if let Some(changed) = st.react_after_get(&key) {
        st.publish(&api.events, "MODIFIED", &changed);
    }
    let obj = as_version(obj, &target.t, &target.version);
    json_response(
        StatusCode::OK,
        &object_as(shape, &target.t.group, &target.t.plural, obj),
    )
}

pub(super) fn fields_match(obj: &Value, selector: &str) -> bool {
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
                // The fields kube-apiserver lets an Event be selected by.
                f @ ("reason"
                | "type"
                | "reportingComponent"
                | "involvedObject.kind"
                | "involvedObject.name"
                | "involvedObject.namespace"
                | "involvedObject.uid") => {
                    let at = format!("/{}", f.replace('.', "/"));
                    obj.pointer(&at).and_then(Value::as_str).unwrap_or("")
                }
                _ => return false,
            };
            (actual == v.trim()) != negate
        })
}

pub(super) struct Filter {
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

pub(super) fn list(
    st: &Store,
    target: &Target,
    query: &HashMap<String, String>,
    shape: Shape,
) -> Response {
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
    if shape != Shape::Objects {
        // Metadata or a Table: few clients ask, so the list is reshaped after it is made.
        let Ok(list) = serde_json::from_slice::<Value>(&body) else {
            return StatusCode::INTERNAL_SERVER_ERROR.into_response();
        };
        return json_response(
            StatusCode::OK,
            &list_as(shape, &target.t.group, &target.t.plural, list),
        );
    }
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        body,
    )
        .into_response()
}

pub(super) fn watch_line(kind: &str, obj: Value) -> Result<Bytes, Infallible> {
    let mut line = json!({"type": kind, "object": obj}).to_string();
    line.push('\n');
    Ok(Bytes::from(line))
}

pub(super) fn watch(
    api: &FakeApi,
    st: &Store,
    target: Target,
    query: &HashMap<String, String>,
) -> Response {
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
