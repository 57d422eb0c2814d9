//! Every rule, one file each, grouped by area. `all()` is the registry: sorted by id, checked by
//! a test (unique ids, a page and a fixtures folder for every rule).

pub mod cnpg;
pub mod gitops;
mod rule;
pub mod secrets;
pub mod source;

pub use rule::{Context, OptionKind, OptionSpec, Rule, RuleMeta, RuleOptions};

/// All rules, sorted by id.
pub fn all() -> &'static [&'static dyn Rule] {
    static ALL: &[&dyn Rule] = &[
        &cnpg::archive_path_collision::ArchivePathCollision,
        &cnpg::archiver_conflict::ArchiverConflict,
        &cnpg::backup_credentials_unset::BackupCredentialsUnset,
        &cnpg::backup_method_mismatch::BackupMethodMismatch,
        &cnpg::backup_retention_unset::BackupRetentionUnset,
        &cnpg::barman_object_store_deprecated::BarmanObjectStoreDeprecated,
        &cnpg::cluster_no_backup::ClusterNoBackup,
        &cnpg::cluster_no_scheduled_backup::ClusterNoScheduledBackup,
        &cnpg::object_store_missing::ObjectStoreMissing,
        &cnpg::recovery_path_unknown::RecoveryPathUnknown,
        &cnpg::recovery_source_unknown::RecoverySourceUnknown,
        &cnpg::recovery_target_invalid::RecoveryTargetInvalid,
        &cnpg::restore_drill_missing::RestoreDrillMissing,
        &cnpg::retention_invalid::RetentionInvalid,
        &cnpg::schedule_invalid::ScheduleInvalid,
        &cnpg::schedule_six_field::ScheduleSixField,
        &cnpg::scheduled_backup_unknown_cluster::ScheduledBackupUnknownCluster,
        &source::file_unreadable::FileUnreadable,
        &gitops::flux_substitution_unresolved::FluxSubstitutionUnresolved,
        &gitops::entrypoint_not_rendered::EntrypointNotRendered,
        &gitops::gitops_path_missing::GitopsPathMissing,
        &source::kustomize_build_failed::KustomizeBuildFailed,
        &source::kustomize_unsupported::KustomizeUnsupported,
        &secrets::secret_duplicate_provider::SecretDuplicateProvider,
        &secrets::secret_key_missing::SecretKeyMissing,
        &secrets::secret_missing_in_namespace::SecretMissingInNamespace,
        &secrets::secret_plaintext::SecretPlaintext,
        &source::suppression_unknown_rule::SuppressionUnknownRule,
        &source::yaml_duplicate_key::YamlDuplicateKey,
        &source::yaml_invalid::YamlInvalid,
    ];
    ALL
}

pub fn find(id: &str) -> Option<&'static dyn Rule> {
    all().iter().copied().find(|r| r.meta().id == id)
}

pub fn is_known(id: &str) -> bool {
    find(id).is_some()
}
