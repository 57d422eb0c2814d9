use crate::rules::Rule;

crate::declare_rule!(
    /// A manifest drlint could not read: not UTF-8, binary, too large, a symlink loop, an I/O error.
    FileUnreadable, "file-unreadable", Warning, "a manifest file that could not be read as text, so it was not checked", engine: true
);

impl Rule for FileUnreadable {
    fn meta(&self) -> &'static crate::rules::RuleMeta {
        &META
    }
}
