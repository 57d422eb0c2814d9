//! A backup you have never restored is a hypothesis. For every Cluster that archives to an object
//! store, something in the repository should restore from that archive: a Cluster bootstrapping
//! `recovery` from it, a replica Cluster (warm standby) replaying it, or a restore-drill CronJob
//! that creates such a Cluster and checks it. Without one, the first restore is the real one.

use crate::model::cnpg::{Cluster, Location, GROUP};
use crate::model::{Index, Resource};
use crate::rules::{Context, OptionKind, OptionSpec, Rule};
use crate::source::yaml::Node;

crate::declare_rule!(
    RestoreDrillMissing,
    "cnpg-restore-drill-missing",
    Note,
    "a Cluster with object-store backups and nothing in the repo that restores from its archive",
    options: &[
        OptionSpec {
            name: "count-drill-cronjobs",
            kind: OptionKind::Bool,
            default: "true",
            doc: "accept a CronJob in the Cluster's namespace whose name contains `restore` or `drill` and whose job template names the Cluster as a restore drill",
        },
        OptionSpec {
            name: "ignore-clusters",
            kind: OptionKind::StringList,
            default: "[]",
            doc: "Cluster names not to report (scratch or throw-away databases)",
        },
    ]
);

/// Whether some string scalar in `node` equals `value`.
fn mentions(node: &Node, value: &str) -> bool {
    node.walk().into_iter().any(|n| n.is_scalar() && n.as_str() == Some(value))
}

impl Rule for RestoreDrillMissing {
    fn meta(&self) -> &'static crate::rules::RuleMeta {
        &META
    }

    fn check_index(&self, index: &Index, cx: &mut Context) {
        // Every place some Cluster restores from (recovery or replica source), with the Cluster.
        let mut restores: Vec<(Location, &Resource)> = Vec::new();
        for r in index.of_kind(GROUP, "Cluster") {
            let c = Cluster(r);
            let used: Vec<&str> = c.source_refs().iter().filter(|(f, _)| *f != "bootstrap.pg_basebackup.source").filter_map(|(_, n)| n.as_str()).collect();
            for ext in c.external_clusters() {
                // A fragment (a patch linted as written) gets the benefit of the doubt: its
                // externalClusters are merged into a Cluster that uses them.
                if !c.is_fragment() && !ext.name().is_some_and(|n| used.contains(&n)) {
                    continue;
                }
                if let Some(loc) = c.source_location(index, &ext) {
                    restores.push((loc, r));
                }
            }
        }
        // Clusters that recover from a Backup object (bootstrap.recovery.backup.name), read once.
        let from_backup: Vec<(&Resource, &str)> =
            index.of_kind(GROUP, "Cluster").filter_map(|o| o.node.str_at(&["spec", "bootstrap", "recovery", "backup", "name"]).map(|b| (o, b))).collect();
        let ignored = cx.option_list("ignore-clusters");
        let count_cronjobs = cx.option_bool("count-drill-cronjobs");
        for r in index.of_kind(GROUP, "Cluster") {
            let cluster = Cluster(r);
            if cluster.is_fragment() || ignored.iter().any(|i| i == r.name()) {
                continue;
            }
            let archives = cluster.archives(index);
            let Some(first) = archives.first() else { continue };
            let restored = archives.iter().any(|a| restores.iter().any(|(loc, _)| loc.may_be_same(&a.location())));
            if restored {
                continue;
            }
            // Recovery from a Backup object of this Cluster (bootstrap.recovery.backup.name).
            let by_backup = from_backup.iter().any(|&(o, b)| {
                index.of_kind_near(GROUP, "Backup", o).into_iter().any(|bk| bk.name() == b && bk.node.str_at(&["spec", "cluster", "name"]) == Some(r.name()))
            });
            if by_backup {
                continue;
            }
            let drills: Vec<&Resource> = if count_cronjobs {
                index
                    .of_kind_near("batch", "CronJob", r)
                    .into_iter()
                    .filter(|j| j.name().contains("restore") || j.name().contains("drill"))
                    .filter(|j| j.node.at(&["spec", "jobTemplate"]).is_some_and(|t| mentions(t, r.name())))
                    .collect()
            } else {
                Vec::new()
            };
            if drills.iter().any(|j| j.node.at(&["spec", "suspend"]).and_then(Node::as_bool) != Some(true)) {
                continue;
            }
            let loc = first.location();
            let msg = match drills.first() {
                Some(j) => format!("Cluster `{}` archives to {}, and its restore drill CronJob `{}` is suspended", r.qualified_name(), loc.display(), j.name()),
                None => format!("Cluster `{}` archives to {}, but nothing in the repository restores from it", r.qualified_name(), loc.display()),
            };
            cx.report_on(r, first.path_span, msg).help(format!(
                "prove the backup: add a restore drill (a CronJob that creates a Cluster with bootstrap.recovery from an externalClusters entry \
                 pointing at this archive, waits for Ready and checks the data), or a replica Cluster replaying it; the entry needs serverName `{}`",
                loc.server
            ));
        }
    }
}
