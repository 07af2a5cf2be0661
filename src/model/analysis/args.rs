//! `{{args.NAME}}` placeholders, filled in over the JSON of a whole metric as Argo does, so
//! queries, URLs, headers, conditions, durations and counts all take them.

use std::collections::BTreeMap;

use serde_json::Value;

use super::super::Rollout;

/// Replace every `{{args.NAME}}` (spaces allowed inside the braces) in `s` by what
/// `value` gives for NAME. Any other `{{…}}` is refused, as Argo refuses it, rather than
/// sent on as text.
fn replace_args(
    s: &str,
    mut value: impl FnMut(&str) -> Result<String, String>,
) -> Result<String, String> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        let after = &rest[start + 2..];
        let end = after
            .find("}}")
            .ok_or_else(|| format!("unclosed placeholder in {s:?}"))?;
        let inner = after[..end].trim();
        let name = inner.strip_prefix("args.").ok_or_else(|| {
            format!("{{{{{inner}}}}} is not an argument placeholder ({{{{args.NAME}}}})")
        })?;
        out.push_str(&value(name.trim())?);
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

/// `s` with its args filled in from `args`; an arg it names that has no value is an error.
pub fn substitute(s: &str, args: &BTreeMap<String, String>) -> Result<String, String> {
    replace_args(s, |name| {
        args.get(name)
            .cloned()
            .ok_or_else(|| format!("argument {name} was not supplied"))
    })
}

/// `s` with every arg standing as `stand_in`: the shape of an expression, to check it
/// before the args are known.
pub fn with_stand_in(s: &str, stand_in: &str) -> Result<String, String> {
    replace_args(s, |_| Ok(stand_in.to_string()))
}

/// Every string in a JSON tree, substituted.
pub fn substitute_tree(v: &Value, args: &BTreeMap<String, String>) -> Result<Value, String> {
    Ok(match v {
        Value::String(s) => Value::String(substitute(s, args)?),
        Value::Array(a) => Value::Array(
            a.iter()
                .map(|x| substitute_tree(x, args))
                .collect::<Result<_, _>>()?,
        ),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, x)| Ok((k.clone(), substitute_tree(x, args)?)))
                .collect::<Result<_, String>>()?,
        ),
        other => other.clone(),
    })
}

/// `--arg NAME=VALUE`.
pub fn parse_arg(s: &str) -> Result<(String, String), String> {
    match s.split_once('=') {
        Some((k, v)) if !k.trim().is_empty() => Ok((k.trim().to_string(), v.to_string())),
        _ => Err(format!("expected NAME=VALUE, got {s:?}")),
    }
}

/// The args the plugin fills in from the rollout a gate runs for.
#[derive(Debug, Clone, Default)]
pub struct RolloutArgs(pub BTreeMap<String, String>);

impl RolloutArgs {
    /// `rollout`, `namespace`, `step` (the step being judged), `canary-hash` and
    /// `stable-hash` (pod-template-hash of each revision) and `workload`, where known.
    pub fn of(r: &Rollout, step: Option<i64>) -> Self {
        let mut m = BTreeMap::new();
        m.insert("rollout".to_string(), r.name.clone());
        m.insert("namespace".to_string(), r.namespace.clone());
        if let Some(s) = step.or(r.current_step()) {
            m.insert("step".to_string(), s.to_string());
        }
        if let Some(rel) = &r.release {
            if let Some(h) = &rel.pod_template_hash {
                m.insert("canary-hash".to_string(), h.clone());
            }
            if let Some(h) = &rel.stable_revision {
                m.insert("stable-hash".to_string(), h.clone());
            }
        }
        if let Some(w) = &r.workload {
            m.insert("workload".to_string(), w.name.clone());
        }
        RolloutArgs(m)
    }

    /// Args of a target that is not a Kruise Rollout (a KubeVela rollout): its name,
    /// namespace and batch.
    pub fn named(name: &str, namespace: &str, step: Option<i64>) -> Self {
        let mut m = BTreeMap::new();
        m.insert("rollout".to_string(), name.to_string());
        m.insert("namespace".to_string(), namespace.to_string());
        if let Some(s) = step {
            m.insert("step".to_string(), s.to_string());
        }
        RolloutArgs(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn placeholders_take_spaces_and_refuse_what_is_not_an_arg() {
        let a = args(&[("job", "web"), ("max", "0.02")]);
        assert_eq!(
            substitute("rate{job=\"{{args.job}}\"} <= {{ args.max }}", &a).unwrap(),
            "rate{job=\"web\"} <= 0.02"
        );
        assert_eq!(
            substitute("{{args.missing}}", &a).unwrap_err(),
            "argument missing was not supplied"
        );
        assert!(
            substitute("{{templates.t.podTemplateHash}}", &a)
                .unwrap_err()
                .contains("not an argument placeholder")
        );
        assert!(
            substitute("x {{args.job", &a)
                .unwrap_err()
                .contains("unclosed")
        );
        assert_eq!(
            with_stand_in("{{args.a}} < {{ args.b }}", "1").unwrap(),
            "1 < 1"
        );
    }

    #[test]
    fn the_rollout_fills_in_its_names_step_and_hashes() {
        let r = crate::model::decode(&crate::model::fixtures::seed_v1beta1_paused()).unwrap();
        let a = RolloutArgs::of(&r, Some(2)).0;
        assert_eq!(a["rollout"], r.name);
        assert_eq!(a["namespace"], r.namespace);
        assert_eq!(a["step"], "2");
        assert_eq!(a["workload"], "nginx");
        let rel = r.release.as_ref().unwrap();
        assert_eq!(a.get("canary-hash"), rel.pod_template_hash.as_ref());
        assert_eq!(a.get("stable-hash"), rel.stable_revision.as_ref());
        assert!(a.contains_key("canary-hash") && a.contains_key("stable-hash"));
    }

    #[test]
    fn arg_flags_split_at_the_first_equals() {
        assert_eq!(
            parse_arg("q=a=b").unwrap(),
            ("q".to_string(), "a=b".to_string())
        );
        assert!(parse_arg("=x").is_err());
        assert!(parse_arg("novalue").is_err());
    }
}
