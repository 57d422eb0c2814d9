use crate::rules::Rule;

crate::declare_rule!(
    /// A Flux Kustomization whose spec.path is not a folder of the repository.
    GitopsPathMissing, "gitops-path-missing", Error,
    "a Flux Kustomization whose spec.path is not a folder in the repository, so Flux cannot build it",
    engine: true
);

impl Rule for GitopsPathMissing {
    fn meta(&self) -> &'static crate::rules::RuleMeta {
        &META
    }
}
