//! The shapes a read can be answered in, as kube-apiserver chooses by the Accept header:
//! whole objects, metadata only (`as=PartialObjectMetadataList`, what a client that needs
//! names asks for) or a Table (`as=Table`, what `kubectl get` asks for, with the columns
//! the server's printers give each kind).

use serde_json::{Value, json};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    Objects,
    Metadata,
    Table,
}

/// The first shape the Accept header lists that this server gives; whole objects otherwise.
pub(crate) fn shape(accept: Option<&str>) -> Shape {
    for part in accept.unwrap_or("").split(',') {
        let params: Vec<&str> = part.split(';').map(str::trim).collect();
        let is = |p: &str| params.contains(&p);
        if is("g=meta.k8s.io") && is("v=v1") {
            if is("as=Table") {
                return Shape::Table;
            }
            if is("as=PartialObjectMetadataList") || is("as=PartialObjectMetadata") {
                return Shape::Metadata;
            }
        }
        if params
            .first()
            .is_some_and(|m| m.starts_with("application/json") || *m == "*/*")
        {
            return Shape::Objects;
        }
    }
    Shape::Objects
}

fn partial(obj: &Value) -> Value {
    json!({"apiVersion": "meta.k8s.io/v1", "kind": "PartialObjectMetadata",
           "metadata": obj["metadata"].clone()})
}

/// A list answered in `shape`: its items as metadata, or rows of a Table.
pub(crate) fn list_as(shape: Shape, group: &str, plural: &str, list: Value) -> Value {
    let items = list["items"].as_array().cloned().unwrap_or_default();
    let meta = list["metadata"].clone();
    match shape {
        Shape::Objects => list,
        Shape::Metadata => json!({
            "apiVersion": "meta.k8s.io/v1", "kind": "PartialObjectMetadataList",
            "metadata": meta, "items": items.iter().map(partial).collect::<Vec<_>>(),
        }),
        Shape::Table => table(group, plural, &items, meta),
    }
}

/// One object answered in `shape`.
pub(crate) fn object_as(shape: Shape, group: &str, plural: &str, obj: Value) -> Value {
    match shape {
        Shape::Objects => obj,
        Shape::Metadata => partial(&obj),
        Shape::Table => table(group, plural, std::slice::from_ref(&obj), json!({})),
    }
}

/// `(name, type, priority, cell)` of each column the server prints for a kind.
type Column = (&'static str, &'static str, u8, fn(&Value) -> Value);

fn int(obj: &Value, ptr: &str) -> i64 {
    obj.pointer(ptr).and_then(Value::as_i64).unwrap_or(0)
}

fn columns(group: &str, plural: &str) -> Vec<Column> {
    let name: Column = ("Name", "string", 0, |o| o["metadata"]["name"].clone());
    let age: Column = ("Age", "string", 0, |o| {
        json!(age(o["metadata"]["creationTimestamp"].as_str()))
    });
    match (group, plural) {
        // As kube-apiserver's printers give Deployments.
        ("apps", "deployments") => vec![
            name,
            ("Ready", "string", 0, |o| {
                json!(format!(
                    "{}/{}",
                    int(o, "/status/readyReplicas"),
                    o.pointer("/spec/replicas")
                        .and_then(Value::as_i64)
                        .unwrap_or(1)
                ))
            }),
            ("Up-to-date", "integer", 0, |o| {
                json!(int(o, "/status/updatedReplicas"))
            }),
            ("Available", "integer", 0, |o| {
                json!(int(o, "/status/availableReplicas"))
            }),
            age,
            ("Containers", "string", 1, |o| json!(containers(o, "name"))),
            ("Images", "string", 1, |o| json!(containers(o, "image"))),
        ],
        // The Rollout CRD's printer columns.
        ("rollouts.kruise.io", "rollouts") => vec![
            name,
            ("STATUS", "string", 0, |o| o["status"]["phase"].clone()),
            ("CANARY_STEP", "integer", 0, |o| {
                o.pointer("/status/canaryStatus/currentStepIndex")
                    .cloned()
                    .unwrap_or(Value::Null)
            }),
            ("CANARY_STATE", "string", 0, |o| {
                o.pointer("/status/canaryStatus/currentStepState")
                    .cloned()
                    .unwrap_or(Value::Null)
            }),
            ("MESSAGE", "string", 0, |o| o["status"]["message"].clone()),
            age,
        ],
        _ => vec![name, age],
    }
}

fn containers(o: &Value, field: &str) -> String {
    o.pointer("/spec/template/spec/containers")
        .and_then(Value::as_array)
        .map(|cs| {
            cs.iter()
                .filter_map(|c| c[field].as_str())
                .collect::<Vec<_>>()
                .join(",")
        })
        .unwrap_or_default()
}

fn table(group: &str, plural: &str, items: &[Value], meta: Value) -> Value {
    let cols = columns(group, plural);
    let defs: Vec<Value> = cols
        .iter()
        .map(|(name, type_, priority, _)| {
            json!({"name": name, "type": type_, "format": if *name == "Name" { "name" } else { "" },
                   "description": "", "priority": priority})
        })
        .collect();
    let rows: Vec<Value> = items
        .iter()
        .map(|o| {
            let cells: Vec<Value> = cols.iter().map(|(_, _, _, cell)| cell(o)).collect();
            json!({"cells": cells, "object": partial(o)})
        })
        .collect();
    json!({"apiVersion": "meta.k8s.io/v1", "kind": "Table", "metadata": meta,
           "columnDefinitions": defs, "rows": rows})
}

/// An age as kubectl prints it: `45s`, `3m12s`, `2h`, `5d`.
fn age(created: Option<&str>) -> String {
    let Some(t) = created.and_then(|c| c.parse::<jiff::Timestamp>().ok()) else {
        return "<unknown>".into();
    };
    let s = (jiff::Timestamp::now().as_second() - t.as_second()).max(0);
    let (m, h, d) = (s / 60, s / 3600, s / 86400);
    match s {
        _ if s < 120 => format!("{s}s"),
        _ if m < 10 => format!("{m}m{}s", s % 60),
        _ if h < 3 => format!("{m}m"),
        _ if h < 8 => format!("{h}h{}m", m % 60),
        _ if d < 2 => format!("{h}h"),
        _ if d < 8 => format!("{d}d{}h", h % 24),
        _ => format!("{d}d"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_accept_header_picks_the_shape() {
        let kubectl = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json";
        assert_eq!(shape(Some(kubectl)), Shape::Table);
        assert_eq!(
            shape(Some(
                "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1"
            )),
            Shape::Metadata
        );
        assert_eq!(shape(Some("application/json")), Shape::Objects);
        assert_eq!(shape(None), Shape::Objects);
    }

    #[test]
    fn a_deployment_row_has_kubectls_columns() {
        let d = json!({"metadata": {"name": "nginx", "creationTimestamp": "2020-01-01T00:00:00Z"},
            "spec": {"replicas": 3, "template": {"spec": {"containers": [{"name": "c", "image": "nginx:1"}]}}},
            "status": {"readyReplicas": 2, "updatedReplicas": 1, "availableReplicas": 2}});
        let t = list_as(
            Shape::Table,
            "apps",
            "deployments",
            json!({"items": [d], "metadata": {}}),
        );
        let names: Vec<&str> = t["columnDefinitions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap())
            .collect();
        assert_eq!(
            names,
            [
                "Name",
                "Ready",
                "Up-to-date",
                "Available",
                "Age",
                "Containers",
                "Images"
            ]
        );
        assert_eq!(
            t["rows"][0]["cells"].as_array().unwrap()[..4],
            [json!("nginx"), json!("2/3"), json!(1), json!(2)]
        );
        assert_eq!(t["rows"][0]["object"]["metadata"]["name"], "nginx");
    }
}
