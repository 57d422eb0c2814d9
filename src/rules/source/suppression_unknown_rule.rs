use crate::rules::Rule;

crate::declare_rule!(
    /// A `drlint-ignore` comment or `drlint.io/ignore` annotation naming a rule that does not exist.
    SuppressionUnknownRule, "suppression-unknown-rule", Warning, "a suppression names a rule drlint does not have, so it silences nothing", engine: true
);

impl Rule for SuppressionUnknownRule {
    fn meta(&self) -> &'static crate::rules::RuleMeta {
        &META
    }
}
