//! A diff of two pod templates, as YAML lines: what the release changes.

use serde_json::Value;

/// A unified diff (3 lines of context) from `old` to `new`, each rendered as YAML; empty
/// when they are the same.
pub fn template_diff(old: &Value, new: &Value, names: (&str, &str)) -> String {
    let (a, b) = (
        super::yaml(old).unwrap_or_default(),
        super::yaml(new).unwrap_or_default(),
    );
    if a == b {
        return String::new();
    }
    similar::TextDiff::from_lines(&a, &b)
        .unified_diff()
        .context_radius(3)
        .header(names.0, names.1)
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_diff_shows_what_changed_with_context() {
        let old = json!({"spec": {"containers": [{"name": "app", "image": "web:1", "env": [{"name": "A", "value": "1"}]}]}});
        let new = json!({"spec": {"containers": [{"name": "app", "image": "web:2", "env": [{"name": "A", "value": "1"}]}]}});
        let d = template_diff(&old, &new, ("revision 3", "revision 4"));
        assert!(d.starts_with("--- revision 3\n+++ revision 4\n"), "{d}");
        assert!(
            d.contains("-    image: web:1\n") && d.contains("+    image: web:2\n"),
            "{d}"
        );
        assert!(d.contains("  - name: app\n"), "{d}");
        assert_eq!(template_diff(&old, &old, ("a", "b")), "");
    }
}
