//! A Cluster that neither archives to an object store, nor takes volume snapshots, nor has a
//! WAL-archiver plugin has no backup at all: losing its volumes loses the database.

use crate::model::cnpg::Cluster;
use crate::model::Resource;
use crate::rules::{Context, OptionKind, OptionSpec, Rule};

crate::declare_rule!(
    ClusterNoBackup,
    "cnpg-cluster-no-backup",
    Warning,
    "a CNPG Cluster with no backup method: no object store, no volume snapshots, no WAL-archiver plugin",
    options: &[OptionSpec {
        name: "ignore-replica-clusters",
        kind: OptionKind::Bool,
        default: "false",
        doc: "do not report replica clusters (CNPG's IsReplica: spec.replica.enabled true, or a distributed topology whose primary is another cluster), whose source is backed up elsewhere",
    }]
);

impl Rule for ClusterNoBackup {
    fn meta(&self) -> &'static crate::rules::RuleMeta {
        &META
    }

    fn check_object(&self, object: &Resource, cx: &mut Context) {
        let Some(cluster) = Cluster::from(object) else { return };
        if cluster.has_backup() {
            return;
        }
        if cluster.is_replica() && cx.option_bool("ignore-replica-clusters") {
            return;
        }
        let span = object.node.at(&["spec", "backup"]).map(|n| n.span).unwrap_or_else(|| object.span());
        let what = if object.node.at(&["spec", "backup"]).is_some() {
            "its `backup` stanza configures neither barmanObjectStore nor volumeSnapshot, and no plugin archives WAL"
        } else {
            "no `spec.backup` and no WAL-archiver plugin"
        };
        // Replica and freshly restored clusters are often left without backups on purpose; say
        // what that means for them after a promotion.
        let after = if cluster.is_replica() {
            "; once this replica cluster is promoted, nothing archives its WAL"
        } else if object.node.at(&["spec", "bootstrap", "recovery"]).is_some() {
            "; the restored cluster starts without a backup of its own"
        } else {
            ""
        };
        cx.report_on(object, span, format!("Cluster `{}` has no backup: {what}{after}", object.name())).help(
            "add the barman-cloud plugin (spec.plugins: [{name: barman-cloud.cloudnative-pg.io, isWALArchiver: true, \
             parameters: {barmanObjectName: <ObjectStore>}}]) or spec.backup.volumeSnapshot, plus a ScheduledBackup",
        );
    }
}
