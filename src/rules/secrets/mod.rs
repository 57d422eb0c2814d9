//! Secrets: every referenced Secret and key exists where it is used, and none is committed in clear.

pub mod secret_duplicate_provider;
pub mod secret_key_missing;
pub mod secret_missing_in_namespace;
pub mod secret_plaintext;
pub mod secrets_key_backup_missing;
