use crate::rules::Rule;

crate::declare_rule!(
    /// A `${VAR}` that the Flux Kustomization's postBuild does not define (or defines from a source drlint cannot read).
    FluxSubstitutionUnresolved, "flux-substitution-unresolved", Note,
    "a ${VAR} that the rendering Flux Kustomization's postBuild does not define, so drlint checks the text as written",
    engine: true
);

impl Rule for FluxSubstitutionUnresolved {
    fn meta(&self) -> &'static crate::rules::RuleMeta {
        &META
    }
}
