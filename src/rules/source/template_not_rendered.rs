use crate::rules::Rule;

crate::declare_rule!(
    /// A file that is a template (Helm, Jinja, makejinja) rather than a manifest: it does not parse as
    /// YAML and holds template syntax. Raised while reading files; Helm chart folders are not read.
    TemplateNotRendered, "template-not-rendered", Note,
    "a file that holds template syntax and is not YAML until a template engine renders it, so it is not checked",
    engine: true
);

impl Rule for TemplateNotRendered {
    fn meta(&self) -> &'static crate::rules::RuleMeta {
        &META
    }
}
