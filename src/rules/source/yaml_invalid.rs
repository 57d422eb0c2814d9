use crate::rules::Rule;

crate::declare_rule!(
    /// YAML the parser rejects, nesting too deep, or an alias expansion over budget.
    YamlInvalid, "yaml-invalid", Error, "a YAML file that does not parse, so nothing in it is applied or checked", engine: true
);

impl Rule for YamlInvalid {
    fn meta(&self) -> &'static crate::rules::RuleMeta {
        &META
    }
}
