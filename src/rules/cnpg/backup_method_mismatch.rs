//! A Backup (or each Backup a ScheduledBackup creates) is taken with `spec.method`:
//! `barmanObjectStore` (the default) needs `spec.backup.barmanObjectStore` on the Cluster,
//! `volumeSnapshot` needs `spec.backup.volumeSnapshot`, and `plugin` needs
//! `pluginConfiguration.name` to be a plugin the Cluster enables. Otherwise every backup fails.
//! The common case: a Cluster migrated to the barman-cloud plugin while its ScheduledBackup still
//! has no `method`, so it asks for the in-tree object store that is gone.

use crate::model::cnpg::{backup_requests, Cluster};
use crate::model::Index;
use crate::rules::{Context, Rule};

crate::declare_rule!(
    BackupMethodMismatch,
    "cnpg-backup-method-mismatch",
    Error,
    "a ScheduledBackup or Backup method (barmanObjectStore by default, volumeSnapshot, plugin) its Cluster does not configure"
);

/// What the Cluster does configure, as the `method` (+ pluginConfiguration) to write instead.
fn configured(cluster: &Cluster) -> Vec<String> {
    let mut out = Vec::new();
    if cluster.barman_object_store().is_some() {
        out.push("`method: barmanObjectStore`".to_string());
    }
    if cluster.volume_snapshot().is_some() {
        out.push("`method: volumeSnapshot`".to_string());
    }
    for p in cluster.plugins() {
        if let Some(name) = p.str_at(&["name"]) {
            out.push(format!("`method: plugin` with `pluginConfiguration: {{name: {name}}}`"));
        }
    }
    out
}

impl Rule for BackupMethodMismatch {
    fn meta(&self) -> &'static crate::rules::RuleMeta {
        &META
    }

    fn check_index(&self, index: &Index, cx: &mut Context) {
        for (kind, req) in backup_requests(index) {
            let (r, Some(name_node)) = (req.0, req.cluster_name()) else { continue };
            let name = name_node.as_str().unwrap_or("");
            // Compare against the one Cluster it targets; if several copies (or none) are
            // visible, the unknown-cluster rule or nothing speaks.
            let [target] = req.targets(index)[..] else { continue };
            let cluster = Cluster(target);
            if cluster.is_fragment() {
                continue;
            }
            let method_span = req.method_node().map(|n| n.span).unwrap_or(name_node.span);
            let problem = match req.method() {
                "barmanObjectStore" if cluster.barman_object_store().is_none() => {
                    let how = if req.method_node().is_some() { "uses `method: barmanObjectStore`" } else { "has no `method`, so it uses barmanObjectStore" };
                    Some((method_span, format!("{kind} `{}` {how}, but Cluster `{name}` has no spec.backup.barmanObjectStore", r.name())))
                }
                "volumeSnapshot" if cluster.volume_snapshot().is_none() => Some((
                    method_span,
                    format!("{kind} `{}` uses `method: volumeSnapshot`, but Cluster `{name}` has no spec.backup.volumeSnapshot", r.name()),
                )),
                "plugin" => match req.plugin_name() {
                    None => Some((method_span, format!("{kind} `{}` uses `method: plugin` without pluginConfiguration.name", r.name()))),
                    Some(p) => {
                        let plugin = p.as_str().unwrap_or("");
                        (!cluster.plugins().any(|q| q.str_at(&["name"]) == Some(plugin))).then(|| {
                            (p.span, format!("{kind} `{}` asks plugin `{plugin}`, which Cluster `{name}` does not enable in spec.plugins", r.name()))
                        })
                    }
                },
                _ => None,
            };
            if let Some((span, msg)) = problem {
                let d = cx.report_on(r, span, msg);
                d.label(target.span(), format!("Cluster `{name}`"));
                help(d, &cluster);
            }
        }
    }
}

fn help(d: &mut crate::diag::Diagnostic, cluster: &Cluster) {
    let options = configured(cluster);
    if options.is_empty() {
        d.help(format!("Cluster `{}` configures no backup method: configure one on the Cluster first", cluster.name()));
    } else {
        d.help(format!("write {}", options.join(", or ")));
    }
}
