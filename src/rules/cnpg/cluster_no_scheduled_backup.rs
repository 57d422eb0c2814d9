//! Archiving WAL is half a backup: a restore starts from a base backup and replays WAL from
//! there. With backups configured but no ScheduledBackup, CNPG takes no base backup at all (or
//! only the one-off a Backup object asked for), so a restore has nothing to start from or must
//! replay the whole WAL history; volume snapshots are never taken.

use crate::model::cnpg::{BackupRequest, Cluster, GROUP};
use crate::model::Index;
use crate::rules::{Context, OptionKind, OptionSpec, Rule};

crate::declare_rule!(
    ClusterNoScheduledBackup,
    "cnpg-cluster-no-scheduled-backup",
    Warning,
    "a Cluster with backups configured but no ScheduledBackup targeting it, so no base backup is ever taken",
    options: &[OptionSpec {
        name: "ignore-replica-clusters",
        kind: OptionKind::Bool,
        default: "true",
        doc: "do not report replica clusters (CNPG's IsReplica), whose base backups are taken on the source",
    }]
);

impl Rule for ClusterNoScheduledBackup {
    fn meta(&self) -> &'static crate::rules::RuleMeta {
        &META
    }

    fn check_index(&self, index: &Index, cx: &mut Context) {
        for r in index.of_kind(GROUP, "Cluster") {
            let cluster = Cluster(r);
            if !cluster.has_backup() || cluster.is_fragment() {
                continue;
            }
            if cluster.is_replica() && cx.option_bool("ignore-replica-clusters") {
                continue;
            }
            let targeting: Vec<_> = index
                .of_kind_near(GROUP, "ScheduledBackup", r)
                .into_iter()
                .filter(|s| BackupRequest(s).cluster_name().and_then(|n| n.as_str()) == Some(r.name()))
                .collect();
            if targeting.iter().any(|s| !BackupRequest(s).suspended()) {
                continue;
            }
            // Point at what configures the backup: the archiver plugin, else spec.backup.
            let span = cluster
                .wal_archivers()
                .next()
                .map(|p| p.span)
                .or_else(|| r.node.at(&["spec"]).and_then(|s| s.key("backup")).map(|k| k.span))
                .unwrap_or_else(|| r.span());
            let what = if cluster.barman_object_store().is_some() || cluster.wal_archivers().next().is_some() {
                "archives WAL"
            } else {
                "configures volume snapshots"
            };
            let msg = match targeting.first() {
                Some(s) => format!("Cluster `{}` {what} but its only ScheduledBackup `{}` is suspended: no base backup is taken", r.qualified_name(), s.name()),
                None => format!("Cluster `{}` {what} but no ScheduledBackup targets it: no base backup is taken", r.qualified_name()),
            };
            let d = cx.report_on(r, span, msg);
            let method = if let Some(p) = cluster.wal_archivers().next() {
                format!("\n  method: plugin\n  pluginConfiguration:\n    name: {}", p.str_at(&["name"]).unwrap_or(crate::model::cnpg::BARMAN_CLOUD_PLUGIN))
            } else if cluster.barman_object_store().is_some() {
                String::new()
            } else {
                "\n  method: volumeSnapshot".to_string()
            };
            d.help(format!(
                "add a ScheduledBackup in namespace `{}`:\nspec:\n  schedule: \"0 0 2 * * *\"\n  backupOwnerReference: self\n  cluster:\n    name: {}{method}",
                r.namespace().unwrap_or("default"),
                r.name()
            ));
        }
    }
}
