//! `bootstrap.recovery.source`, `bootstrap.pg_basebackup.source`, `replica.source`,
//! `replica.primary` and `replica.self` name entries of `spec.externalClusters`. The CNPG webhook
//! rejects a Cluster whose name is not there (`External cluster <name> not found`), so the
//! recovery or replica Cluster is never created.

use crate::model::cnpg::Cluster;
use crate::model::Resource;
use crate::rules::{Context, Rule};

crate::declare_rule!(
    RecoverySourceUnknown,
    "cnpg-recovery-source-unknown",
    Error,
    "bootstrap.recovery.source or replica.source (or pg_basebackup.source, replica.primary/self) not among externalClusters"
);

impl Rule for RecoverySourceUnknown {
    fn meta(&self) -> &'static crate::rules::RuleMeta {
        &META
    }

    fn check_object(&self, object: &Resource, cx: &mut Context) {
        let Some(cluster) = Cluster::from(object) else { return };
        let mut refs = cluster.source_refs();
        for key in ["primary", "self"] {
            if let Some(n) = cluster.replica().and_then(|r| r.get(key)).filter(|n| n.as_text().is_some_and(|s| !s.is_empty())) {
                refs.push((if key == "primary" { "replica.primary" } else { "replica.self" }, n));
            }
        }
        let names: Vec<&str> = cluster.external_clusters().filter_map(|e| e.name()).collect();
        for (field, node) in refs {
            let name = node.as_str().unwrap_or("");
            if names.contains(&name) || crate::model::cnpg::has_variable(name) {
                continue;
            }
            let msg = if names.is_empty() {
                format!("Cluster `{}` {field} names `{name}`, but the Cluster has no externalClusters", object.qualified_name())
            } else {
                format!("Cluster `{}` {field} names `{name}`, which is not among its externalClusters", object.qualified_name())
            };
            let d = cx.report_on(object, node.span, msg);
            match crate::util::closest(name, names.iter().copied()) {
                Some(c) => d.help(format!("did you mean `{c}`?")),
                None if names.is_empty() => d.help(format!(
                    "add spec.externalClusters with an entry named `{name}` pointing at the source's archive (plugin + barmanObjectName, or barmanObjectStore) or connection"
                )),
                None => d.help(format!("externalClusters names: {}", names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", "))),
            };
        }
    }
}
