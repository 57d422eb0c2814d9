//! Secrets: every referenced Secret and key exists where it is used, and none is committed in clear.

pub mod secret_duplicate_provider;
pub mod secret_key_missing;
pub mod secret_missing_in_namespace;
pub mod secret_plaintext;
pub mod secrets_key_backup_missing;

/// The run's Secret providers: the view every Secret rule shares, or built here for a rule run
/// without views (on its own, in a test).
pub(crate) fn providers<'a>(index: &crate::model::Index, cx: &crate::rules::Context<'a, '_>) -> std::borrow::Cow<'a, crate::model::secrets::Providers> {
    match cx.views {
        Some(views) => std::borrow::Cow::Borrowed(views.secret_providers()),
        None => std::borrow::Cow::Owned(crate::model::secrets::Providers::new(index, cx.provided_secrets())),
    }
}
