//! Every rule, one file each, grouped by area. `all()` is the registry: sorted by id, checked by
//! a test (unique ids, a page and a fixtures folder for every rule).

pub mod cnpg;
mod rule;
pub mod source;

pub use rule::{Context, OptionKind, OptionSpec, Rule, RuleMeta, RuleOptions};

/// All rules, sorted by id.
pub fn all() -> &'static [&'static dyn Rule] {
    static ALL: &[&dyn Rule] = &[
        &cnpg::backup_retention_unset::BackupRetentionUnset,
        &cnpg::cluster_no_backup::ClusterNoBackup,
        &cnpg::retention_invalid::RetentionInvalid,
        &cnpg::schedule_six_field::ScheduleSixField,
        &source::file_unreadable::FileUnreadable,
        &source::kustomize_build_failed::KustomizeBuildFailed,
        &source::kustomize_unsupported::KustomizeUnsupported,
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
