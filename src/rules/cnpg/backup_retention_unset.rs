//! Without a retention policy, barman never deletes base backups or WAL: the bucket grows until
//! it is full (then archiving fails and WAL piles up on the primary's volume) or someone prunes it
//! by hand. Retention must be a decision. CNPG applies `retentionPolicy` to object-store backups;
//! for the barman-cloud plugin it lives on the ObjectStore the Cluster archives to.

use crate::model::cnpg::{barman_object_name, Cluster, BARMAN_CLOUD_GROUP, BARMAN_CLOUD_PLUGIN, GROUP};
use crate::model::{Index, Resource};
use crate::rules::{Context, Rule};
use std::collections::BTreeSet;

crate::declare_rule!(
    BackupRetentionUnset,
    "cnpg-backup-retention-unset",
    Warning,
    "object-store backups configured without a retention policy, so nothing is ever pruned"
);

impl Rule for BackupRetentionUnset {
    fn meta(&self) -> &'static crate::rules::RuleMeta {
        &META
    }

    fn check_object(&self, object: &Resource, cx: &mut Context) {
        let Some(cluster) = Cluster::from(object) else { return };
        let Some(store) = cluster.barman_object_store() else { return };
        let backup = cluster.backup().unwrap();
        if backup.get("retentionPolicy").is_some_and(|n| !n.is_null()) {
            return;
        }
        let span = object.node.at(&["spec", "backup"]).map(|_| store.span).unwrap_or(object.span());
        let key_span = backup.key("barmanObjectStore").map(|k| k.span).unwrap_or(span);
        cx.report_on(
            object,
            key_span,
            format!("Cluster `{}` archives to an object store with no `spec.backup.retentionPolicy`: backups and WAL are kept forever", object.qualified_name()),
        )
        .help("set spec.backup.retentionPolicy, e.g. `retentionPolicy: \"30d\"`");
    }

    fn check_index(&self, index: &Index, cx: &mut Context) {
        // ObjectStores that some Cluster's WAL-archiver plugin writes to, by (cluster, namespace, name).
        let mut archived_to = BTreeSet::new();
        for r in index.of_kind(GROUP, "Cluster") {
            let cluster = Cluster(r);
            for plugin in cluster.wal_archivers() {
                if plugin.str_at(&["name"]) != Some(BARMAN_CLOUD_PLUGIN) {
                    continue;
                }
                if let Some(name) = barman_object_name(plugin).and_then(|n| n.as_text()) {
                    archived_to.insert((r.cluster.clone(), r.namespace().map(str::to_string), name.to_string()));
                }
            }
        }
        for store in index.of_kind(BARMAN_CLOUD_GROUP, "ObjectStore") {
            let key = (store.cluster.clone(), store.namespace().map(str::to_string), store.name().to_string());
            if !archived_to.contains(&key) {
                continue;
            }
            if store.node.at(&["spec", "retentionPolicy"]).is_some_and(|n| !n.is_null()) {
                continue;
            }
            let span = store.node.get("spec").map(|s| s.span).unwrap_or(store.span());
            let span = store.node.key("spec").map(|k| k.span).unwrap_or(span);
            cx.report_on(
                store,
                span,
                format!("ObjectStore `{}` receives a Cluster's WAL and base backups but has no `spec.retentionPolicy`: nothing is ever pruned", store.qualified_name()),
            )
            .help("set spec.retentionPolicy on the ObjectStore, e.g. `retentionPolicy: \"30d\"`");
        }
    }
}
