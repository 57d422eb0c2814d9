use crate::rules::Rule;

crate::declare_rule!(
    /// A local Helm chart that a deployer installs and that drlint rendered only in part, or not at
    /// all: a template action or function the engine does not run, a values file or `valuesFrom`
    /// source that is not in the repository, output that is not YAML. Raised while rendering; the
    /// chart's other templates are still checked.
    HelmRenderIncomplete, "helm-render-incomplete", Note,
    "a Helm chart installed from the repository that drlint could not render in full, so what the missing part creates is not checked",
    engine: true
);

impl Rule for HelmRenderIncomplete {
    fn meta(&self) -> &'static crate::rules::RuleMeta {
        &META
    }
}
