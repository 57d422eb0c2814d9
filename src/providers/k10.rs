//! Kasten K10 (`config.kio.kasten.io`): a Policy with a `backup` action protects the applications
//! its `selector` names (`k10.kasten.io/appNamespace` in `matchLabels` or `matchExpressions`, or
//! labels of the namespace), every PVC of those namespaces. Its `frequency` (`@hourly`, `@daily`,
//! `@weekly`, `@monthly`, `@yearly`; `@onDemand` never runs) and `retention` come from the Policy or
//! from the PolicyPreset of `presetRef`. A `backup` alone keeps snapshots on the cluster's storage
//! (or, for cloud disks, in the provider's snapshot service: unknown); an `export` action (with its
//! location profile) copies them off it.

use super::{mapping_words, Cover, Cx, Location, Outcome, Provider, Sched};
use crate::model::coverage::Store;
use crate::model::velero::Selector;
use crate::model::workloads::{self, Labels};
use crate::model::Resource;
use crate::source::yaml::Node;

pub struct K10;

pub const GROUP: &str = "config.kio.kasten.io";
const APP_NAMESPACE: &str = "k10.kasten.io/appNamespace";
/// The annotation that marks the VolumeSnapshotClass K10 uses for a CSI driver.
const SNAPSHOT_CLASS_ANNOTATION: &str = "k10.kasten.io/is-snapshot-class";

/// The labels a namespace is matched with: its own, plus `k10.kasten.io/appNamespace: <name>`.
fn namespace_labels(cx: &Cx, store: &Store) -> Labels {
    let mut l: Labels = cx
        .index
        .of_kind("", "Namespace")
        .filter(|n| n.cluster == store.owner.cluster && n.name() == store.namespace)
        .map(|n| workloads::labels_of(n.node.at(&["metadata", "labels"])))
        .next()
        .unwrap_or_default();
    l.insert(APP_NAMESPACE.into(), store.namespace.clone());
    l.insert("kubernetes.io/metadata.name".into(), store.namespace.clone());
    l
}

/// `@hourly` .. `@yearly` as the cron macro of the same period.
fn frequency(f: &str) -> Option<crate::cron::Schedule> {
    match f.trim() {
        "@onDemand" => None,
        other => crate::cron::parse(other, crate::cron::Dialect::K10).ok(),
    }
}

/// The node holding a setting: the Policy's own, else its preset's `backup` part.
fn setting<'a>(policy: &'a Resource, preset: Option<&'a Resource>, key: &str) -> Option<&'a Node> {
    policy.node.at(&["spec", key]).or_else(|| preset.and_then(|p| p.node.at(&["spec", "backup", key])))
}

impl Provider for K10 {
    fn name(&self) -> &'static str {
        "K10"
    }

    fn reads(&self) -> &'static [(&'static str, &'static str)] {
        &[(GROUP, "Policy"), (GROUP, "PolicyPreset"), ("", "Namespace")]
    }

    fn cover<'a>(&self, cx: &Cx<'a>, store: &Store<'a>, out: &mut Vec<Outcome<'a>>) {
        let policies = cx.in_cluster(store, GROUP, "Policy");
        if policies.is_empty() {
            return;
        }
        let labels = namespace_labels(cx, store);
        for p in policies {
            let actions: Vec<&str> = p.node.at(&["spec", "actions"]).into_iter().flat_map(|a| a.items()).filter_map(|a| a.str_at(&["action"])).collect();
            if !actions.contains(&"backup") {
                continue;
            }
            let Some(sel) = p.node.at(&["spec", "selector"]).and_then(Selector::from_node) else { continue };
            if !sel.matches(&labels) {
                continue;
            }
            let preset = p.node.str_at(&["spec", "presetRef", "name"]).and_then(|name| {
                let ns = p.node.str_at(&["spec", "presetRef", "namespace"]).or(p.namespace());
                cx.index.of_kind(GROUP, "PolicyPreset").find(|r| r.cluster == p.cluster && r.name() == name && r.namespace() == ns)
            });
            let export = actions.contains(&"export");
            let mut c = Cover::new(self.name(), p, format!("K10 Policy {} ({})", p.name(), if export { "backup and export" } else { "backup, no export" }));
            if let Some(pr) = preset {
                c.related.push(pr);
            }
            match setting(p, preset, "frequency") {
                Some(node) => {
                    let f = node.as_text().unwrap_or("");
                    if f == "@onDemand" {
                        c.schedule_words.push("on demand only".into());
                    } else {
                        c.schedules.push(Sched::new(p, node, frequency(f), "K10 Policy"));
                    }
                }
                None if p.node.str_at(&["spec", "presetRef", "name"]).is_some() => c.schedule_words.push("from a PolicyPreset not in the repository".into()),
                None => {}
            }
            if let Some(r) = mapping_words(setting(p, preset, "retention")) {
                c.retention.push(format!("snapshots: {r}"));
            }
            if export {
                let export_retention = p.node.at(&["spec", "actions"]).into_iter().flat_map(|a| a.items()).find(|a| a.str_at(&["action"]) == Some("export")).and_then(|a| a.at(&["exportParameters", "retention"]));
                if let Some(r) = mapping_words(export_retention.or_else(|| preset.and_then(|pr| pr.node.at(&["spec", "export", "retention"])))) {
                    c.retention.push(format!("exports: {r}"));
                }
                let profile = p.node.at(&["spec", "actions"]).into_iter().flat_map(|a| a.items()).find_map(|a| a.str_at(&["exportParameters", "profile", "name"])).or_else(|| preset.and_then(|pr| pr.node.str_at(&["spec", "export", "profile", "name"])));
                c.destination.push(format!("location profile {}", profile.unwrap_or("?")));
                c.location = Location::OffStorage;
            } else {
                // K10 snapshots with the volume's CSI driver (its `k10.kasten.io/is-snapshot-class`
                // class): on the storage itself, except for cloud disks whose provider keeps them apart.
                let snap = super::csi::snapshot(cx, store, None, super::csi::Pick::Annotation(SNAPSHOT_CLASS_ANNOTATION));
                c.location = match snap.location {
                    Location::Unknown if snap.driver.as_deref().is_some_and(super::csi::is_cloud) => Location::Unknown,
                    Location::Unknown => Location::SameStorage(format!("K10 Policy `{}` has no export action: snapshots on the cluster's storage", p.name())),
                    Location::SameStorage(w) => Location::SameStorage(format!("K10 Policy `{}` has no export action: {w}", p.name())),
                    Location::OffStorage => Location::OffStorage,
                };
                c.destination.push("snapshots on the cluster's storage".into());
            }
            c.restore.push("a K10 RestoreAction from a restore point".into());
            out.push(Outcome::Covers(c));
        }
    }
}
