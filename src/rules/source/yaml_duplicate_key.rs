use crate::rules::Rule;

crate::declare_rule!(
    /// A mapping key written twice: Kubernetes keeps the last value without a word.
    YamlDuplicateKey, "yaml-duplicate-key", Error, "a mapping key written twice; Kubernetes silently keeps the last value", engine: true
);

impl Rule for YamlDuplicateKey {
    fn meta(&self) -> &'static crate::rules::RuleMeta {
        &META
    }
}
