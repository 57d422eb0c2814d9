//! A ScheduledBackup or Backup names its Cluster in `spec.cluster.name`. When no Cluster of that
//! name exists in its namespace, CNPG never takes the backup (the ScheduledBackup waits for a
//! Cluster that never comes). The classic cause is kustomize: `namePrefix`/`nameSuffix` rename the
//! Cluster but not this reference, so names are compared exactly, after rendering.

use crate::model::cnpg::{backup_requests, GROUP};
use crate::model::Index;
use crate::rules::{Context, Rule};

crate::declare_rule!(
    ScheduledBackupUnknownCluster,
    "cnpg-scheduled-backup-unknown-cluster",
    Error,
    "a ScheduledBackup or Backup whose spec.cluster.name names no Cluster in its namespace"
);

impl Rule for ScheduledBackupUnknownCluster {
    fn meta(&self) -> &'static crate::rules::RuleMeta {
        &META
    }

    fn check_index(&self, index: &Index, cx: &mut Context) {
        for (kind, req) in backup_requests(index) {
            let r = req.0;
            let Some(name_node) = req.cluster_name() else { continue };
            let name = name_node.as_str().unwrap_or("");
            if crate::model::cnpg::has_variable(name) || !req.targets(index).is_empty() {
                continue;
            }
            let near: Vec<&str> = index.of_kind_near(GROUP, "Cluster", r).into_iter().map(|c| c.name()).collect();
            let ns = r.namespace().unwrap_or("default");
            let d = cx.report_on(r, name_node.span, format!("{kind} `{}` targets Cluster `{name}`, which does not exist in namespace `{ns}`", r.name()));
            // A kustomize namePrefix/nameSuffix renamed the Cluster but not the reference.
            if let Some(renamed) = near.iter().find(|c| c.len() > name.len() && (c.ends_with(name) || c.starts_with(name))) {
                d.help(format!(
                    "Cluster `{renamed}` exists here: a namePrefix or nameSuffix renames the Cluster but not spec.cluster.name; \
                     write `{renamed}` (or add a kustomize nameReference configuration for spec.cluster.name)"
                ));
            } else if let Some(close) = crate::util::closest(name, near.iter().copied()) {
                d.help(format!("did you mean `{close}`?"));
            } else if near.is_empty() {
                d.help(format!("no Cluster is defined in namespace `{ns}`: create it, or set metadata.namespace to the Cluster's namespace"));
            } else {
                d.help(format!("Clusters in namespace `{ns}`: {}", near.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", ")));
            }
        }
    }
}
