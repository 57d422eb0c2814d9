use crate::rules::Rule;

crate::declare_rule!(
    /// Something a kustomization uses that drlint does not render: remote resources, Helm charts,
    /// generator and transformer plugins, KRM functions. The rest of the overlay is rendered.
    KustomizeUnsupported, "kustomize-unsupported", Note, "a kustomization feature drlint does not render (remote bases, Helm charts, plugins), so what it adds is not checked", engine: true
);

impl Rule for KustomizeUnsupported {
    fn meta(&self) -> &'static crate::rules::RuleMeta {
        &META
    }
}
