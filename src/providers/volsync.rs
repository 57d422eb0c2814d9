//! VolSync (`volsync.backube`): a ReplicationSource copies the PVC named by `spec.sourcePVC` (in
//! its namespace) with one mover: restic, rclone or kopia to a repository, rsync/rsyncTLS or
//! syncthing to another host. Every mover copies the data off the volume's storage, whatever the
//! `copyMethod` (`Snapshot` or `Clone` only makes the point-in-time source the mover reads). `spec.trigger.schedule` is a cron schedule (`trigger.manual` runs only
//! when asked); the mover's `retain` keeps snapshots. A restore is a ReplicationDestination that
//! reads the same repository, and a PVC whose `dataSourceRef` names it is populated on create.

use super::{cron5, mapping_words, Cover, Cx, Outcome, Provider, Sched};
use crate::model::coverage::{Store, StoreKind};

pub struct VolSync;

pub const GROUP: &str = "volsync.backube";

/// VolSync data movers, as `spec` keys of a ReplicationSource or ReplicationDestination.
pub const MOVERS: [&str; 6] = ["restic", "rclone", "rsync", "rsyncTLS", "kopia", "syncthing"];

impl Provider for VolSync {
    fn name(&self) -> &'static str {
        "VolSync"
    }

    fn reads(&self) -> &'static [(&'static str, &'static str)] {
        &[(GROUP, "ReplicationSource"), (GROUP, "ReplicationDestination")]
    }

    fn cover<'a>(&self, cx: &Cx<'a>, store: &Store<'a>, out: &mut Vec<Outcome<'a>>) {
        if store.kind == StoreKind::Cnpg && store.claims.is_empty() {
            return;
        }
        for src in cx.near(store, GROUP, "ReplicationSource") {
            let Some(pvc) = src.node.str_at(&["spec", "sourcePVC"]) else { continue };
            if !store.claims.iter().any(|c| c.name == pvc) {
                continue;
            }
            let mover = MOVERS.into_iter().find(|k| src.node.at(&["spec", k]).is_some()).unwrap_or("?");
            let mut c = Cover::new(self.name(), src, format!("VolSync ReplicationSource {} ({mover})", src.name()));
            if let Some(node) = src.node.at(&["spec", "trigger", "schedule"]) {
                c.schedules.push(Sched::new(src, node, node.as_text().and_then(cron5), "ReplicationSource"));
            } else if src.node.at(&["spec", "trigger", "manual"]).is_some() {
                c.schedule_words.push("manual trigger only".into());
            }
            if let Some(r) = mapping_words(src.node.at(&["spec", mover, "retain"])) {
                c.retention.push(r);
            }
            if let Some(repo) = src.node.str_at(&["spec", mover, "repository"]) {
                c.destination.push(format!("repository from Secret {repo}"));
            } else if let Some(addr) = src.node.str_at(&["spec", mover, "address"]) {
                c.destination.push(format!("{mover} to {addr}"));
            }
            c.restore.push("ReplicationDestination, then a PVC with dataSourceRef".into());
            out.push(Outcome::Covers(c));
        }
    }

    /// A ReplicationDestination restores this store when the PVC is populated from it
    /// (`dataSourceRef`) or when it reads the repository this store's ReplicationSource writes.
    fn drills<'a>(&self, cx: &Cx<'a>, store: &Store<'a>, covers: &[Cover<'a>]) -> Vec<String> {
        let populated_from: Vec<&str> = match store.kind {
            StoreKind::Pvc => ["dataSourceRef", "dataSource"]
                .iter()
                .filter_map(|f| store.owner.node.at(&["spec", f]))
                .filter(|d| d.str_at(&["kind"]) == Some("ReplicationDestination"))
                .filter_map(|d| d.str_at(&["name"]))
                .collect(),
            _ => Vec::new(),
        };
        let repositories: Vec<&str> = covers
            .iter()
            .filter(|c| c.provider == self.name())
            .flat_map(|c| MOVERS.iter().filter_map(move |k| c.object.node.str_at(&["spec", k, "repository"])))
            .collect();
        cx.near(store, GROUP, "ReplicationDestination")
            .into_iter()
            .filter(|r| populated_from.contains(&r.name()) || MOVERS.iter().filter_map(|k| r.node.str_at(&["spec", k, "repository"])).any(|repo| repositories.contains(&repo)))
            .map(|r| format!("ReplicationDestination {}", r.name()))
            .collect()
    }
}
