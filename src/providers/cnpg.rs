//! CloudNativePG (`postgresql.cnpg.io`): a Cluster covers its own volumes with its backup
//! configuration: WAL archiving to an object store (`barmanObjectStore`, or a WAL-archiver plugin
//! with its ObjectStore) bounds the RPO by `archive_timeout`; base backups come from
//! ScheduledBackups; volume snapshots stay where the CSI driver keeps them (`csi`): without an
//! object store, a Cluster on Ceph, ZFS, LVM or Longhorn `snap` storage has no copy off it.

use super::{Continuous, Cover, Cx, Location, Outcome, Provider, Sched};
use crate::model::cnpg::{self, Cluster};
use crate::model::coverage::{Store, StoreKind};
use crate::model::{Index, Resource};
use crate::source::yaml::Node;
use crate::source::Span;

pub struct Cnpg;

/// CNPG's `archive_timeout` when `spec.postgresql.parameters.archive_timeout` is unset (5 minutes).
pub const DEFAULT_ARCHIVE_TIMEOUT: i64 = 300;

/// PostgreSQL duration (`archive_timeout`): a number with an optional unit (ms, s, min, h, d;
/// seconds when bare), in seconds. `None` when it does not parse.
pub fn pg_duration_secs(s: &str) -> Option<i64> {
    let t = s.trim();
    let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num.parse().ok()?;
    let mult = match unit.trim() {
        "" | "s" => 1.0,
        "ms" => 0.001,
        "min" => 60.0,
        "h" => 3600.0,
        "d" => 86400.0,
        _ => return None,
    };
    Some((n * mult).floor() as i64)
}

/// ScheduledBackups of a CNPG Cluster (same cluster and namespace, not suspended), with their parse.
pub fn scheduled_backups<'a>(index: &'a Index, cluster: &Resource) -> Vec<(&'a Resource, Option<crate::cron::Schedule>)> {
    index
        .of_kind_in(&cluster.cluster, cluster.namespace(), cnpg::GROUP, "ScheduledBackup")
        .filter(|s| s.node.str_at(&["spec", "cluster", "name"]) == Some(cluster.name()))
        .filter(|s| s.node.at(&["spec", "suspend"]).and_then(Node::as_bool) != Some(true))
        .map(|s| (s, s.node.str_at(&["spec", "schedule"]).and_then(|t| crate::cron::parse(t, crate::cron::Dialect::Cnpg).ok())))
        .collect()
}

/// Whether a CNPG Cluster archives WAL (barmanObjectStore, or a WAL-archiver plugin).
pub fn archives_wal(r: &Resource) -> bool {
    let c = Cluster(r);
    c.barman_object_store().is_some() || c.wal_archivers().next().is_some()
}

fn backup_span(r: &Resource) -> Span {
    let spec = r.node.get("spec");
    spec.and_then(|s| s.key("plugins").or_else(|| s.at(&["backup"]).and_then(|b| b.key("barmanObjectStore"))).or_else(|| s.key("backup")))
        .map(|k| k.span)
        .unwrap_or(r.span())
}

fn object_store<'a>(index: &'a Index, cluster: &Resource, name: &str) -> Option<&'a Resource> {
    index.get(cluster.cluster.as_deref(), cluster.namespace(), cnpg::BARMAN_CLOUD_GROUP, "ObjectStore", name).into_iter().next()
}

/// Why the API server rejects a CNPG Cluster, or the ObjectStore it archives to, on a retention
/// policy outside the CRD pattern (`cnpg-retention-invalid`): then nothing is backed up.
fn rejected(index: &Index, r: &Resource) -> Option<String> {
    let valid = crate::rules::cnpg::retention_invalid::is_valid_retention;
    let c = Cluster(r);
    if let Some(p) = c.backup().and_then(|b| b.str_at(&["retentionPolicy"])).filter(|p| !valid(p)) {
        return Some(format!("no backup: the API server rejects the Cluster (retentionPolicy `{p}`)"));
    }
    for p in c.wal_archivers() {
        let Some(os) = cnpg::barman_object_name(p).and_then(|n| n.as_text()).and_then(|n| object_store(index, r, n)) else { continue };
        if let Some(rp) = os.node.str_at(&["spec", "retentionPolicy"]).filter(|rp| !valid(rp)) {
            return Some(format!("no backup: the API server rejects ObjectStore {} (retentionPolicy `{rp}`)", os.name()));
        }
    }
    None
}

impl Provider for Cnpg {
    fn name(&self) -> &'static str {
        "CNPG"
    }

    fn reads(&self) -> &'static [(&'static str, &'static str)] {
        &[(cnpg::GROUP, "Cluster"), (cnpg::GROUP, "ScheduledBackup"), (cnpg::BARMAN_CLOUD_GROUP, "ObjectStore")]
    }

    fn native(&self, store: &Store) -> bool {
        store.kind == StoreKind::Cnpg
    }

    fn cover<'a>(&self, cx: &Cx<'a>, store: &Store<'a>, out: &mut Vec<Outcome<'a>>) {
        if store.kind != StoreKind::Cnpg || !Cluster(store.owner).has_backup() {
            return;
        }
        let (index, r) = (cx.index, store.owner);
        let c = Cluster(r);
        let mut methods: Vec<String> = Vec::new();
        let mut cover = Cover::new(self.name(), r, String::new());
        if let Some(os) = c.barman_object_store() {
            methods.push("CNPG barmanObjectStore".into());
            cover.destination.push(os.str_at(&["destinationPath"]).unwrap_or("?").to_string());
        }
        for p in c.wal_archivers() {
            let name = cnpg::barman_object_name(p).and_then(|n| n.as_text());
            methods.push(match name {
                Some(n) => format!("CNPG {} (ObjectStore {n})", p.str_at(&["name"]).unwrap_or("plugin")),
                None => format!("CNPG plugin {}", p.str_at(&["name"]).unwrap_or("?")),
            });
            match name.and_then(|n| object_store(index, r, n)) {
                Some(os) => {
                    cover.related.push(os);
                    cover.destination.push(os.node.str_at(&["spec", "configuration", "destinationPath"]).unwrap_or("?").to_string());
                    cover.retention.push(os.node.str_at(&["spec", "retentionPolicy"]).map(str::to_string).unwrap_or_else(|| "not set (kept forever)".into()));
                }
                None => {
                    if let Some(n) = name {
                        cover.destination.push(format!("ObjectStore {n} (not in the repository)"));
                    }
                }
            }
        }
        let snapshots_only = !archives_wal(r) && c.volume_snapshot().is_some();
        if let Some(vs) = c.volume_snapshot() {
            methods.push("CNPG volume snapshots".into());
            cover.destination.push(format!("VolumeSnapshotClass {}", vs.str_at(&["className"]).unwrap_or("(default)")));
        }
        if c.backup().is_some() && (c.barman_object_store().is_some() || c.volume_snapshot().is_some()) {
            cover.retention.push(c.backup().and_then(|b| b.str_at(&["retentionPolicy"])).map(str::to_string).unwrap_or_else(|| "not set (kept forever)".into()));
        }
        if archives_wal(r) {
            let param = r.node.at(&["spec", "postgresql", "parameters", "archive_timeout"]);
            let timeout = param.and_then(Node::as_text).unwrap_or("5min");
            cover.schedule_words.push(format!("continuous WAL archiving (archive_timeout {timeout})"));
            cover.restore.push("new Cluster with bootstrap.recovery from the object store (point in time)".into());
            let (secs, span, how) = match (param, param.and_then(Node::as_text).and_then(pg_duration_secs)) {
                (Some(p), Some(s)) => (s, p.span, format!("WAL archiving, archive_timeout {timeout}")),
                _ => (DEFAULT_ARCHIVE_TIMEOUT, backup_span(r), "WAL archiving, archive_timeout 5min (CNPG default)".to_string()),
            };
            if secs > 0 {
                cover.continuous = Some(Continuous { secs, span, at: r, how });
            }
        } else if c.volume_snapshot().is_some() {
            cover.restore.push("new Cluster with bootstrap.recovery.volumeSnapshots".into());
        }
        let backups = scheduled_backups(index, r);
        for (s, parsed) in &backups {
            cover.related.push(s);
            if let Some(node) = s.node.at(&["spec", "schedule"]) {
                let mut sched = Sched::new(s, node, parsed.clone(), "ScheduledBackup");
                sched.prefix = "base backup ".into();
                sched.suffix = format!(" (ScheduledBackup {})", s.name());
                cover.schedules.push(sched);
            }
        }
        if backups.is_empty() {
            cover.caveat = Some("no ScheduledBackup: base backups only on demand".into());
        }
        cover.method = methods.join("; ");
        // Volume snapshots alone: whether they outlive the storage depends on the CSI driver.
        if snapshots_only {
            let class = c.volume_snapshot().and_then(|vs| vs.str_at(&["className"]));
            cover.location = match super::csi::snapshot(cx, store, class, super::csi::Pick::Default).location {
                Location::SameStorage(w) => Location::SameStorage(format!("CNPG `backup.volumeSnapshot` without an object store: {w}")),
                other => other,
            };
        }
        cover.rejected = rejected(index, r);
        out.push(Outcome::Covers(cover));
    }

    fn drills<'a>(&self, cx: &Cx<'a>, store: &Store<'a>, _covers: &[Cover<'a>]) -> Vec<String> {
        if store.kind != StoreKind::Cnpg {
            return Vec::new();
        }
        cx.cnpg_recoveries()
            .from(&store.owner.cluster, store.owner.name())
            .filter(|other| !std::ptr::eq(*other, store.owner))
            .map(|other| format!("Cluster {}/{} recovers from it", other.namespace().unwrap_or(""), other.name()))
            .collect()
    }
}

/// Clusters that bootstrap by recovery from an external cluster, by (cluster, server name): the
/// server name is `barmanObjectStore.serverName` or the plugin's `serverName` of the external
/// cluster `bootstrap.recovery.source` names, else the source's own name.
pub struct Recoveries<'a> {
    by_server: std::collections::HashMap<(Option<String>, String), Vec<&'a Resource>>,
}

impl<'a> Recoveries<'a> {
    pub fn new(index: &'a Index) -> Recoveries<'a> {
        let mut by_server: std::collections::HashMap<(Option<String>, String), Vec<&'a Resource>> = Default::default();
        for other in index.of_kind(cnpg::GROUP, "Cluster") {
            let Some(source) = other.node.str_at(&["spec", "bootstrap", "recovery", "source"]) else { continue };
            let ext = other.node.at(&["spec", "externalClusters"]).into_iter().flat_map(|e| e.items()).find(|e| e.str_at(&["name"]) == Some(source));
            let Some(ext) = ext else { continue };
            let server = ext.str_at(&["barmanObjectStore", "serverName"]).or(ext.str_at(&["plugin", "parameters", "serverName"])).unwrap_or(source);
            by_server.entry((other.cluster.clone(), server.to_string())).or_default().push(other);
        }
        Recoveries { by_server }
    }

    /// Clusters (index order) in `cluster` that recover from the server `name`.
    pub fn from<'s>(&'s self, cluster: &Option<String>, name: &str) -> impl Iterator<Item = &'a Resource> + 's {
        self.by_server.get(&(cluster.clone(), name.to_string())).into_iter().flatten().copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn durations() {
        assert_eq!(pg_duration_secs("5min"), Some(300));
        assert_eq!(pg_duration_secs("60"), Some(60));
        assert_eq!(pg_duration_secs("1h"), Some(3600));
        assert_eq!(pg_duration_secs("10 parsecs"), None);
    }
}
