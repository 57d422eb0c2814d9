//! An ObjectStore with a retention policy that no Cluster archives to. barman-cloud applies an
//! ObjectStore's `retentionPolicy` from the plugin running beside a Cluster that uses it: with no
//! such Cluster, nothing prunes the archive (it grows and is billed forever), and the newest backup
//! in it only gets older, so a restore from it is from a stale timeline.
//!
//! Not judged when another object in the namespace names the store (a HelmRelease or Argo CD
//! Application whose chart makes the Cluster): the archiver is then one drlint cannot see.

use crate::model::cnpg::{self, barman_object_name, Cluster};
use crate::model::{Index, Resource};
use crate::rules::{Context, Rule};
use crate::source::yaml::{Node, Value};

crate::declare_rule!(
    CnpgArchiveOrphaned,
    "cnpg-archive-orphaned",
    Note,
    "an ObjectStore with a retention policy that no Cluster archives to: nothing prunes it, and it only grows staler"
);

impl Rule for CnpgArchiveOrphaned {
    fn meta(&self) -> &'static crate::rules::RuleMeta {
        &META
    }

    fn check_index(&self, index: &Index, cx: &mut Context) {
        for store in index.of_kind(cnpg::BARMAN_CLOUD_GROUP, "ObjectStore") {
            let Some(retention) = store.node.at(&["spec", "retentionPolicy"]).filter(|n| n.as_text().is_some_and(|s| !s.trim().is_empty())) else { continue };
            let mut readers: Vec<&Resource> = Vec::new();
            let mut archived = false;
            for c in index.of_kind_near(cnpg::GROUP, "Cluster", store) {
                let cluster = Cluster(c);
                if cluster.plugins().filter_map(barman_object_name).any(|n| n.as_str() == Some(store.name())) {
                    archived = true;
                    break;
                }
                if cluster.external_clusters().filter_map(|e| e.plugin()).filter_map(barman_object_name).any(|n| n.as_str() == Some(store.name())) {
                    readers.push(c);
                }
            }
            if archived || named_elsewhere(index, store) {
                continue;
            }
            let why = match readers.as_slice() {
                [] => "no Cluster names it".to_string(),
                rs => format!(
                    "it is only read for recovery by {}",
                    rs.iter().map(|r| format!("`{}`", r.qualified_name())).collect::<Vec<_>>().join(", ")
                ),
            };
            cx.report_on(
                store,
                retention.span,
                format!(
                    "ObjectStore `{}` keeps backups for {} but no Cluster archives to it ({why}): nothing applies the retention, and the archive only grows staler",
                    store.qualified_name(),
                    retention.as_str().unwrap_or("")
                ),
            )
            .help("delete the ObjectStore (and, once no restore needs it, the bucket prefix), or point a Cluster's barman-cloud plugin at it again");
        }
    }
}

/// Whether some object other than a Cluster, in the store's cluster and namespace, holds the
/// store's name as a value (a chart's values naming it).
fn named_elsewhere(index: &Index, store: &Resource) -> bool {
    let name = store.name();
    let holders = index
        .of_kind("helm.toolkit.fluxcd.io", "HelmRelease")
        .chain(index.of_kind("argoproj.io", "Application"))
        .chain(index.of_kind("argoproj.io", "ApplicationSet"))
        .map(|r| (r, r.spec()))
        .chain(index.of_kind_in(&store.cluster, store.namespace(), "", "ConfigMap").map(|r| (r, r.node.get("data"))));
    holders.filter(|(r, _)| r.cluster == store.cluster).any(|(_, values)| holds_value(values, name))
}

fn holds_value(node: Option<&Node>, value: &str) -> bool {
    let Some(node) = node else { return false };
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        match &n.value {
            Value::Scalar(s, _) => {
                if s == value || s.contains(&format!("barmanObjectName: {value}")) {
                    return true;
                }
            }
            Value::Seq(items) => stack.extend(items.iter()),
            Value::Map(entries) => stack.extend(entries.iter().map(|(_, v)| v)),
        }
    }
    false
}
