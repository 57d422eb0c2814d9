//! Rules over the coverage model: every data store backed up, within its RPO target.

pub mod backup_destination_in_cluster;
pub mod backup_snapshot_only;
pub mod pvc_backup_uncovered;
pub mod rpo_target_exceeded;
