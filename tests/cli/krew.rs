//! The krew manifest template, filled in as a release fills it, follows krew's rules.

use serde_json::Value;

fn rendered() -> Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/krew-manifest.yaml"))
        .unwrap();
    let text = text
        .replace("${VERSION}", env!("CARGO_PKG_VERSION"))
        .replace("${BASE_URL}", "https://example.org/kubectl-kruise")
        .replace("${SHA256_LINUX_AMD64}", &"a".repeat(64))
        .replace("${SHA256_LINUX_ARM64}", &"b".repeat(64))
        .replace("${SHA256_DARWIN_AMD64}", &"c".repeat(64))
        .replace("${SHA256_DARWIN_ARM64}", &"d".repeat(64));
    assert!(
        !text.contains("${"),
        "every placeholder is one the release fills"
    );
    serde_saphyr::from_str(&text).unwrap()
}

#[test]
fn the_manifest_follows_krews_rules() {
    let m = rendered();
    assert_eq!(
        m["apiVersion"],
        "krew.googlecontainertools.github.com/v1alpha2"
    );
    assert_eq!(m["kind"], "Plugin");
    assert_eq!(
        m["metadata"]["name"], "kruise",
        "the name kubectl is invoked with"
    );
    let spec = &m["spec"];
    assert_eq!(
        spec["version"],
        format!("v{}", env!("CARGO_PKG_VERSION")),
        "semver with a v prefix"
    );
    let short = spec["shortDescription"].as_str().unwrap();
    assert!(!short.is_empty() && !short.contains('\n'));
    assert!(!spec["description"].as_str().unwrap().trim().is_empty());
    let platforms = spec["platforms"].as_array().unwrap();
    assert!(!platforms.is_empty());
    for p in platforms {
        let labels = p["selector"]["matchLabels"].as_object().unwrap();
        assert!(
            labels.keys().all(|k| k == "os" || k == "arch"),
            "only os/arch selectors: {labels:?}"
        );
        let sha = p["sha256"].as_str().unwrap();
        assert!(
            sha.len() == 64
                && sha
                    .chars()
                    .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase())
        );
        assert!(p["uri"].as_str().unwrap().ends_with(".tar.gz"));
        assert_eq!(p["bin"], "kubectl-kruise");
    }
}
