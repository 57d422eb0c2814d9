//! A Cluster that neither archives to an object store, nor takes volume snapshots, nor has a
//! WAL-archiver plugin has no backup at all: losing its volumes loses the database.
//!
//! Some repositories back a small database up logically instead: a CronJob in the Cluster's
//! namespace that runs `pg_dump` (or `pg_dumpall`) against the Cluster's service (`<name>-rw`,
//! `-ro`, `-r`). That is a backup, without point-in-time recovery: the finding is then a note
//! that names the CronJob.

use crate::diag::Severity;
use crate::model::cnpg::Cluster;
use crate::model::workloads::{pod_containers, pod_spec};
use crate::model::{Index, Resource};
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

    fn check_index(&self, index: &Index, cx: &mut Context) {
        for object in &index.resources {
            self.check_cluster(index, object, cx);
        }
    }
}

/// A CronJob in the Cluster's cluster and namespace whose containers run `pg_dump` or
/// `pg_dumpall` (in `command` or `args`) and that names one of the Cluster's services
/// (`<name>-rw`, `<name>-ro`, `<name>-r`, bare or as a DNS name) anywhere in its pod spec.
fn logical_dump<'a>(index: &'a Index, cluster: &Resource) -> Option<&'a Resource> {
    let services: Vec<String> = ["rw", "ro", "r"].iter().map(|s| format!("{}-{s}", cluster.name())).collect();
    let names_service = |text: &str| {
        services.iter().any(|svc| {
            text.match_indices(svc.as_str()).any(|(i, _)| {
                let before = text[..i].chars().next_back();
                let after = text[i + svc.len()..].chars().next();
                let boundary = |c: Option<char>| c.is_none_or(|c| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'));
                boundary(before) && boundary(after)
            })
        })
    };
    index.of_kind_near("batch", "CronJob", cluster).into_iter().find(|j| {
        let Some(pod) = pod_spec(j) else { return false };
        let dumps = pod_containers(pod).any(|c| {
            ["command", "args"].iter().filter_map(|k| c.get(k)).flat_map(|n| n.walk()).any(|n| {
                n.as_str().is_some_and(|t| t.split(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '_')).any(|w| w == "pg_dump" || w == "pg_dumpall"))
            })
        });
        dumps && pod.walk().into_iter().any(|n| n.as_str().is_some_and(names_service))
    })
}

impl ClusterNoBackup {
    fn check_cluster(&self, index: &Index, object: &Resource, cx: &mut Context) {
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
        if let Some(job) = logical_dump(index, object) {
            let d = cx.report_on(
                object,
                span,
                format!(
                    "Cluster `{}` has no CNPG backup ({what}): only CronJob `{}` takes logical pg_dump backups, with no point-in-time recovery",
                    object.qualified_name(),
                    job.name()
                ),
            );
            d.severity = d.severity.min(Severity::Note);
            d.label(job.span(), "pg_dump runs here");
            d.help(
                "a dump restores the database as of the last run only; if that is the intent, silence this with the annotation \
                 `drlint.io/ignore: cnpg-cluster-no-backup`, else add the barman-cloud plugin or spec.backup.volumeSnapshot",
            );
            return;
        }
        cx.report_on(object, span, format!("Cluster `{}` has no backup: {what}{after}", object.qualified_name())).help(
            "add the barman-cloud plugin (spec.plugins: [{name: barman-cloud.cloudnative-pg.io, isWALArchiver: true, \
             parameters: {barmanObjectName: <ObjectStore>}}]) or spec.backup.volumeSnapshot, plus a ScheduledBackup",
        );
    }
}
