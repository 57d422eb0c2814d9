use crate::rules::Rule;

crate::declare_rule!(
    /// An entry point drlint cannot render offline: another repository, an OCI or bucket source, a Helm chart.
    EntrypointNotRendered, "gitops-entrypoint-not-rendered", Note,
    "a Flux Kustomization, Argo CD Application or ApplicationSet whose source or generator drlint cannot render offline, so its objects are not checked",
    engine: true
);

impl Rule for EntrypointNotRendered {
    fn meta(&self) -> &'static crate::rules::RuleMeta {
        &META
    }
}
