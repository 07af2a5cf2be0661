//! Writes: create, update, patch, delete, with resourceVersion checks, admission,
//! managedFields and the events they publish.

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use super::{Target, as_version, bad_request, conflict, json_response, key_of, not_found, status};
use crate::FakeApi;
use crate::patch::{self, PatchError};
use crate::store::{Store, meta_str};

pub(super) fn parse_body(body: &[u8]) -> Option<Value> {
    serde_json::from_slice::<Value>(body)
        .ok()
        .filter(Value::is_object)
}

pub(super) fn not_an_object() -> Response {
    bad_request("the request body is not a JSON object".into())
}

/// Who makes a write, as recorded in `metadata.managedFields`.
pub(super) struct Writer {
    pub(super) manager: String,
    /// Who writes, for admission policies.
    pub(super) user: crate::authz::UserInfo,
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

pub(super) fn create(
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
pub(super) fn commit(
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
    if let Err((code, reason, message)) = crate::policy::admit(
        st,
        &writer.user,
        &target.t,
        &target.version,
        target.sub.as_deref(),
        target.namespace.as_deref().unwrap_or(""),
        name,
        current,
        &next,
    ) {
        let code = StatusCode::from_u16(code).unwrap_or(StatusCode::FORBIDDEN);
        return status(code, reason, message, Some(&target.t), name);
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

pub(super) fn update(
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

pub(super) fn patch_object(
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

pub(super) fn delete(api: &FakeApi, st: &mut Store, target: &Target, dry_run: bool) -> Response {
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
