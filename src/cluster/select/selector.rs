//! Label selectors, checked as kube-apiserver parses them.

/// Check a label selector's syntax as kube-apiserver parses it, so a typo is a one-line
/// usage error before any request: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`,
/// `a`, `!a`, joined by commas.
pub fn check_selector(sel: &str) -> Result<(), String> {
    let bad = |why: &str| Err(format!("invalid label selector {sel:?}: {why}"));
    let key_ok = |k: &str| {
        let k = k.trim();
        !k.is_empty()
            && k.len() <= 316
            && k.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
    };
    let value_ok = |v: &str| {
        let v = v.trim();
        v.len() <= 63
            && v.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    };
    // Split on commas outside parentheses.
    let mut reqs = Vec::new();
    let (mut depth, mut start) = (0i32, 0usize);
    for (i, c) in sel.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                reqs.push(&sel[start..i]);
                start = i + 1;
            }
            _ => {}
        }
        if !(0..=1).contains(&depth) {
            return bad("unbalanced parentheses");
        }
    }
    if depth != 0 {
        return bad("found '', expected: ',' or ')'");
    }
    reqs.push(&sel[start..]);
    for req in reqs {
        let r = req.trim();
        if r.is_empty() {
            return bad("an empty requirement");
        }
        let set_op = [" notin ", " in "].iter().find_map(|op| r.split_once(op));
        if let Some((k, values)) = set_op {
            let values = values.trim();
            let inner = values
                .strip_prefix('(')
                .and_then(|v| v.strip_suffix(')'))
                .ok_or_else(|| {
                    format!(
                        "invalid label selector {sel:?}: expected (VALUES) after the set operator"
                    )
                })?;
            if !key_ok(k) || inner.split(',').any(|v| !value_ok(v)) {
                return bad(&format!("bad requirement {r:?}"));
            }
            continue;
        }
        let ok = if let Some((k, v)) = r.split_once("!=") {
            key_ok(k) && value_ok(v)
        } else if let Some((k, v)) = r.split_once("==").or_else(|| r.split_once('=')) {
            key_ok(k) && value_ok(v) && !v.contains('=')
        } else if let Some(k) = r.strip_prefix('!') {
            key_ok(k)
        } else {
            key_ok(r)
        };
        if !ok {
            return bad(&format!("bad requirement {r:?}"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_are_checked_as_the_api_server_parses_them() {
        for ok in [
            "app=web",
            "app==web,tier!=db",
            "env in (prod, staging)",
            "env notin (dev)",
            "team",
            "!canary",
            "app.kubernetes.io/name=web",
        ] {
            assert_eq!(check_selector(ok), Ok(()), "{ok}");
        }
        for bad in ["a in (b", "=x", "a=b=c", "a,,b", "a in b", "a=(x)", ""] {
            assert!(check_selector(bad).is_err(), "{bad}");
        }
    }
}
