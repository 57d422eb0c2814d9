//! kopiur (`kopiur.home-operations.com`): a SnapshotPolicy names the PVCs it snapshots in its
//! namespace (`spec.sources[].pvc.name`, or `spec.sources[].pvcSelector` over PVC labels), its
//! repository (`spec.repository`: a Repository or a ClusterRepository, whose backend is off the
//! cluster's storage) and its `retention`. A SnapshotSchedule runs policies (`spec.policyRef.name`,
//! or `spec.policySelector` over policy labels) on `spec.schedule.cron`, a cron line whose fields
//! may be `H` (a value hashed from the object's UID, fixed per object; read with the cron engine's
//! kopiur dialect, worst case over every value since Git never knows the UID). A Restore, referenced by a PVC's
//! `dataSourceRef`, populates the PVC from the latest snapshot when it is created.

use super::{mapping_words, selects, Cover, Cx, Outcome, Provider, Sched};
use crate::model::coverage::{Store, StoreKind};
use crate::model::workloads;
use crate::model::Resource;

pub struct Kopiur;

pub const GROUP: &str = "kopiur.home-operations.com";

/// Whether a policy's sources take a PVC (by name or by label selector).
fn policy_takes(policy: &Resource, claim: &str, labels: &workloads::Labels) -> bool {
    policy.node.at(&["spec", "sources"]).into_iter().flat_map(|s| s.items()).any(|src| {
        src.str_at(&["pvc", "name"]) == Some(claim) || selects(src.get("pvcSelector").or(src.at(&["pvc", "selector"])), labels) == Some(true)
    })
}

/// Whether a SnapshotSchedule runs a policy.
fn schedule_runs(schedule: &Resource, policy: &Resource) -> bool {
    schedule.node.str_at(&["spec", "policyRef", "name"]) == Some(policy.name())
        || selects(schedule.node.at(&["spec", "policySelector"]), &workloads::labels_of(policy.node.at(&["metadata", "labels"]))) == Some(true)
}

impl Provider for Kopiur {
    fn name(&self) -> &'static str {
        "kopiur"
    }

    fn reads(&self) -> &'static [(&'static str, &'static str)] {
        &[(GROUP, "SnapshotPolicy"), (GROUP, "SnapshotSchedule"), (GROUP, "Repository"), (GROUP, "ClusterRepository"), (GROUP, "Restore")]
    }

    fn cover<'a>(&self, cx: &Cx<'a>, store: &Store<'a>, out: &mut Vec<Outcome<'a>>) {
        if store.kind == StoreKind::Cnpg {
            return;
        }
        let policies = cx.near(store, GROUP, "SnapshotPolicy");
        if policies.is_empty() {
            return;
        }
        let schedules = cx.near(store, GROUP, "SnapshotSchedule");
        for policy in policies {
            let taken: Vec<bool> = store.claims.iter().map(|cl| policy_takes(policy, &cl.name, &store.labels)).collect();
            if store.claims.is_empty() || !taken.iter().any(|t| *t) {
                continue;
            }
            if !taken.iter().all(|t| *t) {
                let missing = store.claims.iter().zip(&taken).filter(|(_, t)| !**t).map(|(c, _)| c.name.clone()).collect();
                out.push(Outcome::Partial { object: policy, missing });
                continue;
            }
            let mut c = Cover::new(self.name(), policy, format!("kopiur SnapshotPolicy {}", policy.name()));
            for s in schedules.iter().filter(|s| schedule_runs(s, policy)) {
                c.related.push(s);
                if s.node.at(&["spec", "suspend"]).and_then(|n| n.as_bool()) == Some(true) {
                    c.schedule_words.push(format!("SnapshotSchedule {} suspended", s.name()));
                    continue;
                }
                if let Some(node) = s.node.at(&["spec", "schedule", "cron"]) {
                    // The hash seed is the object's UID, which Git never knows: the worst case over every value.
                    let parsed = node.as_text().and_then(|t| crate::cron::parse(t, crate::cron::Dialect::Kopiur { seed: None }).ok());
                    c.schedules.push(Sched::new(s, node, parsed, "kopiur SnapshotSchedule"));
                }
            }
            if let Some(r) = mapping_words(policy.node.at(&["spec", "retention"])) {
                c.retention.push(r);
            }
            let repo_kind = policy.node.str_at(&["spec", "repository", "kind"]).unwrap_or("Repository");
            let repo_name = policy.node.str_at(&["spec", "repository", "name"]).unwrap_or("?");
            c.destination.push(format!("{repo_kind} {repo_name}"));
            c.restore.push("a kopiur Restore, then a PVC with dataSourceRef to it".into());
            out.push(Outcome::Covers(c));
        }
    }

    fn drills<'a>(&self, cx: &Cx<'a>, store: &Store<'a>, _covers: &[Cover<'a>]) -> Vec<String> {
        if store.kind != StoreKind::Pvc {
            return Vec::new();
        }
        let from: Vec<&str> = ["dataSourceRef", "dataSource"]
            .iter()
            .filter_map(|f| store.owner.node.at(&["spec", f]))
            .filter(|d| d.str_at(&["apiGroup"]) == Some(GROUP) && d.str_at(&["kind"]) == Some("Restore"))
            .filter_map(|d| d.str_at(&["name"]))
            .collect();
        cx.near(store, GROUP, "Restore").into_iter().filter(|r| from.contains(&r.name())).map(|r| format!("kopiur Restore {} populates it", r.name())).collect()
    }
}
