//! The sandbox's demo objects, built into the binary so `fake-apiserver --sandbox` needs
//! nothing but itself: one of each kind of release the plugin drives.

/// (file name, text) of each demo file, in load order.
pub const FILES: &[(&str, &str)] = &[
    // A three-batch canary of a Deployment (the seed document's example).
    (
        "deployment-nginx.yaml",
        include_str!("../../fixtures/deployment-nginx.yaml"),
    ),
    (
        "rollout-seed-v1beta1.yaml",
        include_str!("../../fixtures/rollout-seed-v1beta1.yaml"),
    ),
    (
        "replicasets-nginx.yaml",
        include_str!("../../fixtures/replicasets-nginx.yaml"),
    ),
    // A blue-green release.
    (
        "deployment-shop.yaml",
        include_str!("../../fixtures/deployment-shop.yaml"),
    ),
    (
        "rollout-v1beta1-bluegreen.yaml",
        include_str!("../../fixtures/rollout-v1beta1-bluegreen.yaml"),
    ),
    // A v1alpha1 rollout.
    (
        "deployment-echo.yaml",
        include_str!("../../fixtures/deployment-echo.yaml"),
    ),
    (
        "rollout-v1alpha1-canary.yaml",
        include_str!("../../fixtures/rollout-v1alpha1-canary.yaml"),
    ),
    // The release the README's analysis block judges, and the template it names.
    (
        "sandbox-web.yaml",
        include_str!("../../fixtures/sandbox-web.yaml"),
    ),
    (
        "error-rate.yaml",
        include_str!("../../../examples/analysis/error-rate.yaml"),
    ),
    // Workloads of every kind, a CloneSet among them.
    (
        "workloads.yaml",
        include_str!("../../fixtures/workloads.yaml"),
    ),
    // KubeVela: an AppRollout, a trait Rollout and its Application, an app-owned Kruise Rollout.
    (
        "kubevela/approllout.yaml",
        include_str!("../../fixtures/kubevela/approllout.yaml"),
    ),
    (
        "kubevela/trait.yaml",
        include_str!("../../fixtures/kubevela/trait.yaml"),
    ),
    (
        "kubevela/kruise-app.yaml",
        include_str!("../../fixtures/kubevela/kruise-app.yaml"),
    ),
    (
        "kubevela/deployment-canary-demo.yaml",
        include_str!("../../fixtures/kubevela/deployment-canary-demo.yaml"),
    ),
];

impl crate::FakeApi {
    /// A fake as the sandbox serves it: Kruise Rollouts (with its conversion webhook) and
    /// KubeVela installed, the demo set stored. No controllers run; tests drive them.
    pub fn sandbox() -> crate::FakeApi {
        let api = crate::FakeApi::new();
        api.serve_rollouts(&["v1beta1", "v1alpha1"])
            .convert_rollouts()
            .serve_kubevela()
            .serve_argo_analysis();
        for (name, text) in FILES {
            let docs: Vec<serde_json::Value> = serde_saphyr::from_multiple(text)
                .unwrap_or_else(|e| panic!("demo file {name}: {e}"));
            for doc in docs.into_iter().filter(|d| !d.is_null()) {
                api.insert(doc);
            }
        }
        api
    }
}
