//! The barman-cloud plugin reads its whole configuration (destinationPath, credentials) from the
//! `ObjectStore` named by `barmanObjectName`. Nothing validates that name at admission: when no
//! ObjectStore of that name exists in the Cluster's namespace, WAL archiving and backups fail (or
//! the recovery finds nothing to restore).

use crate::model::cnpg::{barman_object_name, find_object_store, Cluster, BARMAN_CLOUD_GROUP, GROUP};
use crate::model::Index;
use crate::rules::{Context, Rule};

crate::declare_rule!(
    ObjectStoreMissing,
    "cnpg-object-store-missing",
    Error,
    "a plugin barmanObjectName that names no ObjectStore in the Cluster's namespace"
);

impl Rule for ObjectStoreMissing {
    fn meta(&self) -> &'static crate::rules::RuleMeta {
        &META
    }

    fn check_index(&self, index: &Index, cx: &mut Context) {
        for r in index.of_kind(GROUP, "Cluster") {
            let cluster = Cluster(r);
            let mut refs = Vec::new();
            for p in cluster.plugins() {
                refs.push(("spec.plugins[]", p));
            }
            for e in cluster.external_clusters() {
                if let Some(p) = e.plugin() {
                    refs.push(("externalClusters[].plugin", p));
                }
            }
            for (where_, plugin) in refs {
                let Some(node) = barman_object_name(plugin) else { continue };
                let name = node.as_str().unwrap_or("");
                if name.is_empty() || crate::model::cnpg::has_variable(name) || find_object_store(index, r, name).is_some() {
                    continue;
                }
                let ns = r.namespace().unwrap_or("default");
                let d = cx.report_on(
                    r,
                    node.span,
                    format!("Cluster `{}` {where_} names ObjectStore `{name}`, which does not exist in namespace `{ns}`", r.qualified_name()),
                );
                let near: Vec<&str> = index.of_kind_near(BARMAN_CLOUD_GROUP, "ObjectStore", r).into_iter().map(|o| o.name()).collect();
                match crate::util::closest(name, near.iter().copied()) {
                    Some(c) => d.help(format!("did you mean `{c}`?")),
                    None => d.help(format!(
                        "create an ObjectStore (barmancloud.cnpg.io/v1) named `{name}` in namespace `{ns}` with spec.configuration.destinationPath and credentials"
                    )),
                };
            }
        }
    }
}
