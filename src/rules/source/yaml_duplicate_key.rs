use crate::rules::Rule;

crate::declare_rule!(
    /// A mapping key written twice: kustomize refuses the whole file, so the Flux Kustomization or
    /// Argo CD Application that includes it applies nothing. Repeated `annotations:` blocks in an
    /// object's metadata, which kustomize merges, are a warning.
    YamlDuplicateKey, "yaml-duplicate-key", Error, "a mapping key written twice; kustomize refuses the file and the whole build fails", engine: true
);

impl Rule for YamlDuplicateKey {
    fn meta(&self) -> &'static crate::rules::RuleMeta {
        &META
    }
}
