use crate::rules::Rule;

crate::declare_rule!(
    /// A kustomization that `kustomize build` would reject: a missing file, a cycle, a path outside
    /// the allowed root, a patch with no target, an invalid patch, a resource listed twice.
    KustomizeBuildFailed, "kustomize-build-failed", Error, "a kustomization that does not build, so nothing it renders is applied or checked", engine: true
);

impl Rule for KustomizeBuildFailed {
    fn meta(&self) -> &'static crate::rules::RuleMeta {
        &META
    }
}
