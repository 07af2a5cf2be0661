//! Reading a template's fields: each typed as Argo types it, and every field this plugin
//! does not know or does not do refused by name.

use std::time::Duration;

use serde_json::{Map, Value};

pub type Fields<'a> = &'a Map<String, Value>;

pub fn object<'a>(v: &'a Value, at: &str) -> Result<Fields<'a>, String> {
    v.as_object()
        .ok_or_else(|| format!("{at}: expected an object"))
}

/// Refuse fields this plugin does not know or does not do, naming each.
pub fn only(
    m: Fields,
    at: &str,
    allowed: &[&str],
    unsupported: &[(&str, &str)],
) -> Result<(), String> {
    for key in m.keys() {
        if allowed.contains(&key.as_str()) {
            continue;
        }
        let path = if at.is_empty() {
            key.clone()
        } else {
            format!("{at}.{key}")
        };
        return Err(match unsupported.iter().find(|(k, _)| k == key) {
            Some((_, why)) => format!("{path} is not supported: {why}"),
            None => format!("{path} is not a field this plugin knows"),
        });
    }
    Ok(())
}

pub fn string(m: Fields, key: &str, at: &str) -> Result<Option<String>, String> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(format!("{at}{key}: expected a string")),
    }
}

pub fn has_placeholder(m: Fields, key: &str) -> bool {
    m.get(key)
        .and_then(Value::as_str)
        .is_some_and(|s| s.contains("{{"))
}

/// An int, or a string holding one (so `"{{args.n}}"` works, as in Argo).
pub fn int(m: Fields, key: &str, at: &str) -> Result<Option<i64>, String> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => n
            .as_i64()
            .map(Some)
            .ok_or_else(|| format!("{at}{key}: expected an integer")),
        Some(Value::String(s)) => s
            .trim()
            .parse()
            .map(Some)
            .map_err(|_| format!("{at}{key}: expected an integer, got {s:?}")),
        Some(_) => Err(format!("{at}{key}: expected an integer")),
    }
}

pub fn boolean(m: Fields, key: &str, at: &str) -> Result<bool, String> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(format!("{at}{key}: expected true or false")),
    }
}

/// A Go duration (`30s`, `1m30s`, `500ms`).
pub fn duration(m: Fields, key: &str, at: &str) -> Result<Option<Duration>, String> {
    string(m, key, at)?
        .map(|s| {
            humantime::parse_duration(s.trim())
                .map_err(|_| format!("{at}{key}: {s:?} is not a duration such as 30s or 1m30s"))
        })
        .transpose()
}

pub fn headers(m: Fields, at: &str) -> Result<Vec<(String, String)>, String> {
    let Some(list) = m.get("headers") else {
        return Ok(Vec::new());
    };
    let list = list
        .as_array()
        .ok_or_else(|| format!("{at}headers: expected a list of {{key, value}}"))?;
    list.iter()
        .enumerate()
        .map(|(i, h)| {
            let here = format!("{at}headers[{i}]");
            let h = object(h, &here)?;
            only(h, &here, &["key", "value"], &[])?;
            let key = string(h, "key", &format!("{here}."))?
                .ok_or_else(|| format!("{here}.key is required"))?;
            let value = string(h, "value", &format!("{here}."))?.unwrap_or_default();
            Ok((key, value))
        })
        .collect()
}

/// Kubernetes' JSONPath form (`{$.data.ok}`, `{.data}`) as a JSONPath query (`$.data.ok`).
pub fn json_path(s: &str) -> Result<String, String> {
    let inner = s.trim();
    let inner = inner
        .strip_prefix('{')
        .and_then(|x| x.strip_suffix('}'))
        .unwrap_or(inner)
        .trim();
    let query = if inner.starts_with('$') {
        inner.to_string()
    } else if inner.starts_with('.') || inner.starts_with('[') {
        format!("${inner}")
    } else {
        format!("$.{inner}")
    };
    serde_json_path::JsonPath::parse(&query)
        .map_err(|e| format!("jsonPath {s:?} is not a JSONPath: {e}"))?;
    Ok(query)
}
