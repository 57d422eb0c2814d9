//! Every rule, one file each, grouped by area. `all()` is the registry: sorted by id, checked by
//! a test (unique ids, a page and a fixtures folder for every rule).

pub mod cnpg;
pub mod coverage;
pub mod gitops;
pub mod policy;
mod rule;
pub mod schema;
pub mod secrets;
pub mod source;
pub mod velero;
pub mod workloads;

pub use rule::{Context, OptionKind, OptionSpec, Rule, RuleMeta, RuleOptions};

/// All rules, sorted by id (the list below is grouped by area; order does not matter there).
pub fn all() -> &'static [&'static dyn Rule] {
    static ALL: std::sync::OnceLock<Vec<&'static dyn Rule>> = std::sync::OnceLock::new();
    ALL.get_or_init(|| {
        let mut rules: Vec<&'static dyn Rule> = vec![
            &cnpg::archive_orphaned::CnpgArchiveOrphaned,
            &cnpg::archive_path_collision::ArchivePathCollision,
            &cnpg::archiver_conflict::ArchiverConflict,
            &cnpg::backup_credentials_unset::BackupCredentialsUnset,
            &cnpg::backup_method_mismatch::BackupMethodMismatch,
            &cnpg::backup_retention_unset::BackupRetentionUnset,
            &cnpg::barman_object_store_deprecated::BarmanObjectStoreDeprecated,
            &cnpg::cluster_no_backup::ClusterNoBackup,
            &cnpg::cluster_no_scheduled_backup::ClusterNoScheduledBackup,
            &cnpg::object_store_missing::ObjectStoreMissing,
            &cnpg::recovery_major_version::CnpgRecoveryMajorVersion,
            &cnpg::recovery_path_unknown::RecoveryPathUnknown,
            &cnpg::recovery_source_unknown::RecoverySourceUnknown,
            &cnpg::recovery_target_invalid::RecoveryTargetInvalid,
            &cnpg::restore_drill_missing::RestoreDrillMissing,
            &cnpg::retention_invalid::RetentionInvalid,
            &cnpg::schedule_invalid::ScheduleInvalid,
            &cnpg::schedule_six_field::ScheduleSixField,
            &cnpg::scheduled_backup_unknown_cluster::ScheduledBackupUnknownCluster,
            &coverage::backup_destination_in_cluster::BackupDestinationInCluster,
            &coverage::backup_snapshot_only::BackupSnapshotOnly,
            &coverage::pvc_backup_uncovered::PvcBackupUncovered,
            &coverage::rpo_target_exceeded::RpoTargetExceeded,
            &gitops::entrypoint_not_rendered::EntrypointNotRendered,
            &gitops::flux_substitution_unresolved::FluxSubstitutionUnresolved,
            &gitops::gitops_path_missing::GitopsPathMissing,
            &gitops::not_deployed::NotDeployed,
            &gitops::rebuild_crd_order::GitopsRebuildCrdOrder,
            &schema::schema_unknown_kind::SchemaUnknownKind,
            &schema::schema_violation::SchemaViolation,
            &secrets::secret_duplicate_provider::SecretDuplicateProvider,
            &secrets::secret_key_missing::SecretKeyMissing,
            &secrets::secret_missing_in_namespace::SecretMissingInNamespace,
            &secrets::secret_plaintext::SecretPlaintext,
            &secrets::secrets_key_backup_missing::SecretsKeyBackupMissing,
            &source::file_unreadable::FileUnreadable,
            &source::helm_render_incomplete::HelmRenderIncomplete,
            &source::kustomize_build_failed::KustomizeBuildFailed,
            &source::kustomize_unsupported::KustomizeUnsupported,
            &source::suppression_unknown_rule::SuppressionUnknownRule,
            &source::template_not_rendered::TemplateNotRendered,
            &source::unused_suppression::UnusedSuppression,
            &source::yaml_duplicate_key::YamlDuplicateKey,
            &source::yaml_invalid::YamlInvalid,
            &velero::backup_pvc_label_selector::VeleroBackupPvcLabelSelector,
            &velero::cli_pvc_label_selector::VeleroCliPvcLabelSelector,
            &velero::cli_restore_existing::VeleroCliRestoreExisting,
            &velero::restore_pvc_label_selector::VeleroRestorePvcLabelSelector,
            &velero::schedule_cron_invalid::VeleroScheduleCronInvalid,
            &velero::schedule_owner_references::VeleroScheduleOwnerReferences,
            &velero::schedule_ttl_unset::VeleroScheduleTtlUnset,
            &velero::unknown_namespace::VeleroUnknownNamespace,
            &workloads::cronjob_schedule_invalid::CronjobScheduleInvalid,
        ];
        rules.sort_by_key(|r| r.meta().id);
        rules
    })
}

pub fn find(id: &str) -> Option<&'static dyn Rule> {
    all().iter().copied().find(|r| r.meta().id == id)
}

pub fn is_known(id: &str) -> bool {
    find(id).is_some()
}
