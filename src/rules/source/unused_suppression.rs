use crate::rules::Rule;

crate::declare_rule!(
    /// A `drlint-ignore` comment, `drlint.io/ignore` annotation or baseline entry that silences no
    /// finding any more: raised by the engine (comments, annotations) and by `--baseline`.
    UnusedSuppression, "unused-suppression", Note, "a suppression or baseline entry that no longer matches any finding, so it can be removed", engine: true
);

impl Rule for UnusedSuppression {
    fn meta(&self) -> &'static crate::rules::RuleMeta {
        &META
    }
}
