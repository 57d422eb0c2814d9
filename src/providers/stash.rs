//! Stash (`stash.appscode.com` BackupConfiguration, v1beta1) and KubeStash (`core.kubestash.com`
//! BackupConfiguration). Each backs up one target: a PersistentVolumeClaim by name, or the volumes a
//! workload (Deployment, StatefulSet, DaemonSet) mounts. Stash has `spec.target.ref`,
//! `spec.schedule`, `spec.retentionPolicy` and `spec.repository`; KubeStash has `spec.target`,
//! `spec.sessions[].scheduler.schedule`, and `spec.backends[]` with their storage and retention.
//! Both write restic repositories to a backend off the cluster's storage, except Stash's
//! `driver: VolumeSnapshotter`, which takes CSI VolumeSnapshots (`csi`); a RestoreSession restores.

use super::{cron5, mapping_words, Cover, Cx, Location, Outcome, Provider, Sched};
use crate::model::coverage::{Store, StoreKind};
use crate::model::Resource;
use crate::source::yaml::Node;

pub struct Stash;

pub const STASH_GROUP: &str = "stash.appscode.com";
pub const KUBESTASH_GROUP: &str = "core.kubestash.com";

/// Whether a target (`kind`, `name`) is the store's PVC or a workload that mounts it.
fn targets(store: &Store, target: &Node) -> bool {
    let (Some(kind), Some(name)) = (target.str_at(&["kind"]), target.str_at(&["name"])) else { return false };
    if kind == "PersistentVolumeClaim" {
        return store.claims.iter().any(|c| c.name == name);
    }
    (kind == store.owner.kind() && name == store.owner.name()) || store.claims.iter().flat_map(|c| &c.mounts).any(|m| m.owner.kind() == kind && m.owner.name() == name)
}

fn paused(r: &Resource) -> Option<&Node> {
    r.node.at(&["spec", "paused"]).filter(|n| n.as_bool() == Some(true))
}

impl Provider for Stash {
    fn name(&self) -> &'static str {
        "Stash"
    }

    fn reads(&self) -> &'static [(&'static str, &'static str)] {
        &[(STASH_GROUP, "BackupConfiguration"), (KUBESTASH_GROUP, "BackupConfiguration")]
    }

    fn cover<'a>(&self, cx: &Cx<'a>, store: &Store<'a>, out: &mut Vec<Outcome<'a>>) {
        if store.kind == StoreKind::Cnpg {
            return;
        }
        for b in cx.near(store, STASH_GROUP, "BackupConfiguration") {
            if !b.node.at(&["spec", "target", "ref"]).is_some_and(|t| targets(store, t)) {
                continue;
            }
            if let Some(p) = paused(b) {
                out.push(Outcome::Broken { object: b, why: "it is paused".into(), span: Some(p.span) });
                continue;
            }
            let mut c = Cover::new(self.name(), b, format!("Stash BackupConfiguration {}", b.name()));
            if let Some(node) = b.node.at(&["spec", "schedule"]) {
                c.schedules.push(Sched::new(b, node, node.as_text().and_then(cron5), "Stash BackupConfiguration"));
            }
            if let Some(r) = mapping_words(b.node.at(&["spec", "retentionPolicy"])) {
                c.retention.push(r);
            }
            if b.node.str_at(&["spec", "driver"]) == Some("VolumeSnapshotter") {
                // The VolumeSnapshotter driver takes CSI snapshots only: no restic repository.
                let class = b.node.str_at(&["spec", "target", "snapshotClassName"]);
                c.location = match super::csi::snapshot(cx, store, class, super::csi::Pick::Default).location {
                    Location::SameStorage(w) => Location::SameStorage(format!("Stash VolumeSnapshotter: {w}")),
                    other => other,
                };
                c.destination.push(format!("VolumeSnapshots ({})", class.unwrap_or("default class")));
                c.restore.push("a Stash RestoreSession from the VolumeSnapshots".into());
            } else {
                c.destination.push(format!("Repository {}", b.node.str_at(&["spec", "repository", "name"]).unwrap_or("?")));
                c.restore.push("a Stash RestoreSession".into());
            }
            out.push(Outcome::Covers(c));
        }
        // KubeStash targets may live in another namespace than the configuration.
        for b in cx.in_cluster(store, KUBESTASH_GROUP, "BackupConfiguration") {
            let Some(t) = b.node.at(&["spec", "target"]) else { continue };
            if t.str_at(&["namespace"]).or(b.namespace()) != Some(store.namespace.as_str()) || !targets(store, t) {
                continue;
            }
            if let Some(p) = paused(b) {
                out.push(Outcome::Broken { object: b, why: "it is paused".into(), span: Some(p.span) });
                continue;
            }
            let mut c = Cover::new(self.name(), b, format!("KubeStash BackupConfiguration {}", b.name()));
            for s in b.node.at(&["spec", "sessions"]).into_iter().flat_map(|s| s.items()) {
                if let Some(node) = s.at(&["scheduler", "schedule"]) {
                    c.schedules.push(Sched::new(b, node, node.as_text().and_then(cron5), "KubeStash session"));
                }
            }
            for be in b.node.at(&["spec", "backends"]).into_iter().flat_map(|s| s.items()) {
                if let Some(r) = be.str_at(&["retentionPolicy", "name"]) {
                    c.retention.push(format!("RetentionPolicy {r}"));
                }
                c.destination.push(format!("BackupStorage {}", be.str_at(&["storageRef", "name"]).unwrap_or("?")));
            }
            c.restore.push("a KubeStash RestoreSession".into());
            out.push(Outcome::Covers(c));
        }
    }
}
