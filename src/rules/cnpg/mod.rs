//! CloudNativePG rules.

pub mod backup_retention_unset;
pub mod cluster_no_backup;
pub mod retention_invalid;
pub mod schedule_six_field;
