//! Applying PATCH bodies the way kube-apiserver does for the content types it accepts.

use serde_json::Value;

pub(crate) enum PatchError {
    /// 415: the content type is not accepted for this resource.
    Unsupported(String),
    /// 400: the body is not a valid patch of that type.
    BadRequest(String),
    /// 422: a JSON patch `test` operation failed, or an operation's path is wrong.
    Invalid(String),
}

/// Apply `body` (of `content_type`) to a copy of `current`.
pub(crate) fn apply(
    content_type: &str,
    current: &Value,
    body: &[u8],
    custom: bool,
) -> Result<Value, PatchError> {
    let mime = content_type.split(';').next().unwrap_or("").trim();
    let parsed: Value = serde_json::from_slice(body)
        .map_err(|e| PatchError::BadRequest(format!("invalid JSON in patch: {e}")))?;
    let mut doc = current.clone();
    match mime {
        "application/merge-patch+json" => {
            if !parsed.is_object() {
                return Err(PatchError::BadRequest(
                    "a merge patch must be a JSON object".into(),
                ));
            }
            json_patch::merge(&mut doc, &parsed);
        }
        // Built-in types accept strategic merge patch; for the plain maps a test sends it
        // behaves like a merge patch. Custom resources refuse it, as kube-apiserver does.
        "application/strategic-merge-patch+json" if !custom => {
            json_patch::merge(&mut doc, &parsed);
        }
        "application/json-patch+json" => {
            let ops: json_patch::Patch = serde_json::from_value(parsed)
                .map_err(|e| PatchError::BadRequest(format!("invalid JSON patch: {e}")))?;
            json_patch::patch(&mut doc, &ops).map_err(|e| PatchError::Invalid(e.to_string()))?;
        }
        other => {
            return Err(PatchError::Unsupported(format!(
                "the body of the request was in an unknown format - accepted media types include: \
                 application/json-patch+json, application/merge-patch+json (got {other:?})"
            )));
        }
    }
    Ok(doc)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn merge_patch_sets_and_removes_fields() {
        let cur = json!({"spec": {"a": 1, "b": 2}});
        let out = apply(
            "application/merge-patch+json",
            &cur,
            br#"{"spec":{"a":3,"b":null}}"#,
            true,
        )
        .ok()
        .unwrap();
        assert_eq!(out, json!({"spec": {"a": 3}}));
    }

    #[test]
    fn json_patch_test_failure_is_invalid() {
        let cur = json!({"spec": {"a": 1}});
        let body = br#"[{"op":"test","path":"/spec/a","value":2},{"op":"replace","path":"/spec/a","value":5}]"#;
        assert!(matches!(
            apply("application/json-patch+json", &cur, body, true),
            Err(PatchError::Invalid(_))
        ));
    }

    #[test]
    fn strategic_merge_is_refused_for_custom_resources() {
        let cur = json!({});
        assert!(matches!(
            apply("application/strategic-merge-patch+json", &cur, b"{}", true),
            Err(PatchError::Unsupported(_))
        ));
        assert!(apply("application/strategic-merge-patch+json", &cur, b"{}", false).is_ok());
    }
}
