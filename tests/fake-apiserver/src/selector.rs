//! Label selectors as kube-apiserver parses them: `a=b`, `a==b`, `a!=b`, `a in (x,y)`,
//! `a notin (x)`, `a` (exists), `!a` (does not exist), joined by commas. A malformed one is
//! an error with the API server's wording (answered with 400 BadRequest).

use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Op {
    Eq(String),
    NotEq(String),
    In(Vec<String>),
    NotIn(Vec<String>),
    Exists,
    NotExists,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Selector(Vec<(String, Op)>);

fn valid_key(k: &str) -> bool {
    !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
}

fn valid_value(v: &str) -> bool {
    v.len() <= 63
        && v.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

/// Split on commas that are not inside parentheses.
fn requirements(s: &str) -> Result<Vec<&str>, String> {
    let (mut depth, mut start, mut out) = (0i32, 0usize, Vec::new());
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
        if depth < 0 {
            return Err("unable to parse requirement: found ')', expected: identifier".into());
        }
    }
    if depth != 0 {
        return Err("unable to parse requirement: found '', expected: ',' or ')'".into());
    }
    out.push(&s[start..]);
    Ok(out)
}

impl Selector {
    pub(crate) fn parse(s: &str) -> Result<Self, String> {
        let mut reqs = Vec::new();
        if s.trim().is_empty() {
            return Ok(Selector(reqs));
        }
        for raw in requirements(s)? {
            let r = raw.trim();
            if r.is_empty() {
                return Err("unable to parse requirement: found ',', expected: identifier".into());
            }
            let set = [(" notin ", false), (" in ", true)]
                .into_iter()
                .find_map(|(op, is_in)| r.split_once(op).map(|(k, v)| (k, v, is_in)));
            let (key, op) = if let Some((k, v, is_in)) = set {
                let v = v.trim();
                let inner = v
                    .strip_prefix('(')
                    .and_then(|v| v.strip_suffix(')'))
                    .ok_or_else(|| {
                        format!("unable to parse requirement: found '{v}', expected: '('")
                    })?;
                let values: Vec<String> = inner.split(',').map(|v| v.trim().to_string()).collect();
                if let Some(bad) = values.iter().find(|v| !valid_value(v)) {
                    return Err(format!(
                        "unable to parse requirement: invalid label value: \"{bad}\""
                    ));
                }
                (
                    k.trim(),
                    if is_in {
                        Op::In(values)
                    } else {
                        Op::NotIn(values)
                    },
                )
            } else if let Some((k, v)) = r.split_once("!=") {
                (k.trim(), Op::NotEq(v.trim().to_string()))
            } else if let Some((k, v)) = r.split_once("==").or_else(|| r.split_once('=')) {
                (k.trim(), Op::Eq(v.trim().to_string()))
            } else if let Some(k) = r.strip_prefix('!') {
                (k.trim(), Op::NotExists)
            } else {
                (r, Op::Exists)
            };
            if !valid_key(key) {
                return Err(format!(
                    "unable to parse requirement: invalid label key \"{key}\""
                ));
            }
            if let Op::Eq(v) | Op::NotEq(v) = &op
                && !valid_value(v)
            {
                return Err(format!(
                    "unable to parse requirement: invalid label value: \"{v}\""
                ));
            }
            reqs.push((key.to_string(), op));
        }
        Ok(Selector(reqs))
    }

    pub(crate) fn matches(&self, obj: &Value) -> bool {
        let labels = obj.pointer("/metadata/labels");
        let label = |k: &str| labels.and_then(|l| l.get(k)).and_then(Value::as_str);
        self.0.iter().all(|(k, op)| {
            let v = label(k);
            match op {
                Op::Eq(want) => v == Some(want.as_str()),
                Op::NotEq(want) => v != Some(want.as_str()),
                Op::In(set) => v.is_some_and(|v| set.iter().any(|s| s == v)),
                Op::NotIn(set) => v.is_none_or(|v| !set.iter().any(|s| s == v)),
                Op::Exists => v.is_some(),
                Op::NotExists => v.is_none(),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(labels: Value) -> Value {
        json!({"metadata": {"labels": labels}})
    }

    #[test]
    fn every_operator_matches_as_kube_apiserver_does() {
        let o = obj(json!({"app": "shop", "tier": "web"}));
        for (sel, want) in [
            ("app=shop", true),
            ("app==shop,tier=web", true),
            ("app!=shop", false),
            ("app!=cart", true),
            ("tier in (web, db)", true),
            ("tier notin (web)", false),
            ("missing notin (x)", true),
            ("app", true),
            ("!app", false),
            ("!missing", true),
            ("", true),
        ] {
            assert_eq!(Selector::parse(sel).unwrap().matches(&o), want, "{sel}");
        }
    }

    #[test]
    fn malformed_selectors_are_refused_with_the_servers_words() {
        assert_eq!(
            Selector::parse("a in (b").unwrap_err(),
            "unable to parse requirement: found '', expected: ',' or ')'"
        );
        assert!(Selector::parse("a,,b").is_err());
        assert!(Selector::parse("a=b=c").is_err());
        assert!(Selector::parse("a in b").is_err());
    }
}
