//! A Cluster has exactly one WAL archiver. The CNPG webhook rejects a Cluster that enables a
//! WAL-archiver plugin while `spec.backup.barmanObjectStore` is configured (`Cannot enable a WAL
//! archiver plugin when barmanObjectStore is configured`) and one that enables more than one
//! (`Cannot enable more than one WAL archiver plugin`): the Cluster is never applied.

use crate::model::cnpg::Cluster;
use crate::model::Resource;
use crate::rules::{Context, Rule};

crate::declare_rule!(
    ArchiverConflict,
    "cnpg-archiver-conflict",
    Error,
    "a Cluster with both spec.backup.barmanObjectStore and a WAL-archiver plugin, or several WAL-archiver plugins"
);

impl Rule for ArchiverConflict {
    fn meta(&self) -> &'static crate::rules::RuleMeta {
        &META
    }

    fn check_object(&self, object: &Resource, cx: &mut Context) {
        let Some(cluster) = Cluster::from(object) else { return };
        let archivers: Vec<_> = cluster.wal_archivers().collect();
        let at = |p: &crate::source::yaml::Node| p.key("isWALArchiver").map(|k| k.span).unwrap_or(p.span);
        let name = |p: &crate::source::yaml::Node| p.str_at(&["name"]).unwrap_or("?").to_string();
        if let (Some(store), Some(first)) = (cluster.barman_object_store(), archivers.first()) {
            let key = cluster.backup().and_then(|b| b.key("barmanObjectStore")).map(|k| k.span).unwrap_or(store.span);
            cx.report_on(
                object,
                at(first),
                format!("Cluster `{}` enables WAL-archiver plugin `{}` while spec.backup.barmanObjectStore is configured: the webhook rejects the Cluster", object.qualified_name(), name(first)),
            )
            .label(key, "in-tree WAL archiving configured here")
            .help("keep one archiver: finish the migration to the plugin by removing spec.backup.barmanObjectStore (move retentionPolicy to the ObjectStore), or set isWALArchiver: false");
        }
        if archivers.len() > 1 {
            for extra in &archivers[1..] {
                cx.report_on(
                    object,
                    at(extra),
                    format!("Cluster `{}` enables a second WAL-archiver plugin `{}` (the first is `{}`): the webhook rejects the Cluster", object.qualified_name(), name(extra), name(archivers[0])),
                )
                .label(at(archivers[0]), "first WAL archiver")
                .help("set isWALArchiver: true on exactly one plugin");
            }
        }
    }
}
