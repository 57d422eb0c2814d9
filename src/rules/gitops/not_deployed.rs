use crate::rules::Rule;

crate::declare_rule!(
    /// A folder (or files) that no entry point of the repository renders. Raised while rendering the
    /// entry points; the objects there get only file-level rules.
    NotDeployed, "gitops-not-deployed", Note,
    "a folder or file that no Flux Kustomization or Argo CD Application deploys, so only file-level rules check it",
    engine: true
);

impl Rule for NotDeployed {
    fn meta(&self) -> &'static crate::rules::RuleMeta {
        &META
    }
}
