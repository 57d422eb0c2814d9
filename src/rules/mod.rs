//! Every rule, one file each, grouped by area. `all()` is the registry: sorted by id, checked by
//! a test (unique ids, a page and a fixtures folder for every rule).

pub mod cnpg;
pub mod coverage;
mod rule;
pub mod source;
pub mod velero;
pub mod workloads;

pub use rule::{Context, OptionKind, OptionSpec, Rule, RuleMeta, RuleOptions};

/// All rules, sorted by id.
pub fn all() -> &'static [&'static dyn Rule] {
    static ALL: &[&dyn Rule] = &[
        &cnpg::backup_retention_unset::BackupRetentionUnset,
        &cnpg::cluster_no_backup::ClusterNoBackup,
        &cnpg::retention_invalid::RetentionInvalid,
        &cnpg::schedule_six_field::ScheduleSixField,
        &workloads::cronjob_schedule_invalid::CronjobScheduleInvalid,
        &source::file_unreadable::FileUnreadable,
        &coverage::pvc_backup_uncovered::PvcBackupUncovered,
        &coverage::rpo_target_exceeded::RpoTargetExceeded,
        &source::suppression_unknown_rule::SuppressionUnknownRule,
        &velero::backup_pvc_label_selector::VeleroBackupPvcLabelSelector,
        &velero::cli_pvc_label_selector::VeleroCliPvcLabelSelector,
        &velero::restore_pvc_label_selector::VeleroRestorePvcLabelSelector,
        &velero::schedule_cron_invalid::VeleroScheduleCronInvalid,
        &velero::schedule_owner_references::VeleroScheduleOwnerReferences,
        &velero::schedule_ttl_unset::VeleroScheduleTtlUnset,
        &velero::unknown_namespace::VeleroUnknownNamespace,
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
