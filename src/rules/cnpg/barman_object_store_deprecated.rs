//! In-tree Barman Cloud support (`spec.backup.barmanObjectStore`,
//! `spec.externalClusters[].barmanObjectStore`) is deprecated and is removed in CloudNativePG
//! 1.31.0; the webhook already warns. The replacement is the barman-cloud plugin: an `ObjectStore`
//! holding the same configuration and a plugin entry naming it.

use crate::model::cnpg::{Cluster, BARMAN_CLOUD_PLUGIN};
use crate::model::Resource;
use crate::rules::{Context, Rule};
use crate::source::yaml::{needs_quotes, Node, Value};

crate::declare_rule!(
    BarmanObjectStoreDeprecated,
    "cnpg-barman-object-store-deprecated",
    Note,
    "in-tree barmanObjectStore, deprecated in favour of the barman-cloud plugin and removed in CNPG 1.31"
);

/// A node as flow-style YAML on one line (for help text).
pub fn flow(n: &Node) -> String {
    match &n.value {
        Value::Scalar(s, _) => {
            if n.is_string() && needs_quotes(s) || s.is_empty() {
                format!("{s:?}")
            } else {
                s.to_string()
            }
        }
        Value::Seq(items) => format!("[{}]", items.iter().map(flow).collect::<Vec<_>>().join(", ")),
        Value::Map(entries) => {
            format!("{{{}}}", entries.iter().map(|(k, v)| format!("{}: {}", k.as_str().unwrap_or(""), flow(v))).collect::<Vec<_>>().join(", "))
        }
    }
}

/// The `spec.configuration` of the equivalent ObjectStore: every key but serverName, which
/// becomes a plugin parameter.
fn configuration(store: &Node) -> String {
    store
        .entries()
        .filter(|(k, _, _)| *k != "serverName")
        .map(|(k, _, v)| format!("    {k}: {}\n", flow(v)))
        .collect()
}

fn object_store_yaml(name: &str, namespace: Option<&str>, retention: Option<&Node>, store: &Node) -> String {
    let mut s = format!("apiVersion: barmancloud.cnpg.io/v1\nkind: ObjectStore\nmetadata:\n  name: {name}\n");
    if let Some(ns) = namespace {
        s.push_str(&format!("  namespace: {ns}\n"));
    }
    s.push_str("spec:\n");
    if let Some(r) = retention {
        s.push_str(&format!("  retentionPolicy: {}\n", flow(r)));
    }
    s.push_str("  configuration:\n");
    s.push_str(&configuration(store));
    s
}

impl Rule for BarmanObjectStoreDeprecated {
    fn meta(&self) -> &'static crate::rules::RuleMeta {
        &META
    }

    fn check_object(&self, object: &Resource, cx: &mut Context) {
        let Some(cluster) = Cluster::from(object) else { return };
        let ns = object.node.str_at(&["metadata", "namespace"]);
        if let Some(store) = cluster.barman_object_store() {
            let backup = cluster.backup().unwrap();
            let key = backup.key("barmanObjectStore").map(|k| k.span).unwrap_or(store.span);
            let store_name = format!("{}-store", object.name());
            let server = store.str_at(&["serverName"]).unwrap_or(object.name());
            let retention = backup.get("retentionPolicy").filter(|n| !n.is_null());
            let mut help = format!(
                "move it to the barman-cloud plugin (then remove spec.backup.barmanObjectStore{}):\n{}---\n# in Cluster `{}`:\nspec:\n  plugins:\n    - name: {BARMAN_CLOUD_PLUGIN}\n      isWALArchiver: true\n      parameters:\n        barmanObjectName: {store_name}\n",
                if retention.is_some() { " and spec.backup.retentionPolicy" } else { "" },
                object_store_yaml(&store_name, ns, retention, store),
                object.name()
            );
            if server != object.name() {
                help.push_str(&format!("        serverName: {server}\n"));
            }
            help.push_str("and ScheduledBackups with `method: plugin` and `pluginConfiguration: {name: barman-cloud.cloudnative-pg.io}`");
            cx.report_on(object, key, format!("Cluster `{}` uses in-tree spec.backup.barmanObjectStore, deprecated and removed in CloudNativePG 1.31", object.qualified_name()))
                .help(help);
        }
        for ext in cluster.external_clusters() {
            let Some(store) = ext.barman_object_store() else { continue };
            let ext_name = ext.name().unwrap_or("source");
            let key = ext.0.key("barmanObjectStore").map(|k| k.span).unwrap_or(store.span);
            let store_name = format!("{ext_name}-store");
            // In-tree: serverName defaults to the entry's name; the plugin defaults to the
            // recovering Cluster's name, so spell it out.
            let server = store.str_at(&["serverName"]).unwrap_or(ext_name);
            let help = format!(
                "move it to the barman-cloud plugin:\n{}---\n# in Cluster `{}`, replace the entry's barmanObjectStore with:\nplugin:\n  name: {BARMAN_CLOUD_PLUGIN}\n  parameters:\n    barmanObjectName: {store_name}\n    serverName: {server}",
                object_store_yaml(&store_name, ns, None, store),
                object.name()
            );
            cx.report_on(
                object,
                key,
                format!("Cluster `{}` externalClusters entry `{ext_name}` uses in-tree barmanObjectStore, deprecated and removed in CloudNativePG 1.31", object.qualified_name()),
            )
            .help(help);
        }
    }
}
