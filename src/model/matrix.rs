//! The backup matrix: one row per data store (CNPG Cluster, PVC, volumeClaimTemplate) with its
//! method, schedule in words, worst-case RPO, retention, destination, recovery method, restore
//! drill and status. Computed from the coverage model; never reads a Secret's value.

use super::cnpg::{self, Cluster};
use super::coverage::{self, Coverage, Method, Selection, StoreKind};
use super::velero::{self, Schedule};
use super::{Index, Resource};
use crate::settings::RpoTargets;
use crate::source::SourceDb;
use serde::Serialize;

#[derive(Clone, Debug, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Row {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster: Option<String>,
    pub namespace: String,
    /// `Cluster`, `PersistentVolumeClaim` or `volumeClaimTemplate`.
    pub kind: String,
    /// The store: Cluster or PVC name, or `<statefulset>/<template>`.
    pub name: String,
    /// The PVCs the store stands for.
    pub pvcs: Vec<String>,
    pub method: String,
    pub schedule: String,
    /// Worst-case RPO (`24h`), or `-` when no schedule bounds it.
    pub rpo: String,
    pub rpo_seconds: Option<i64>,
    pub retention: String,
    pub destination: String,
    pub recovery: String,
    pub restore_drill: String,
    pub status: String,
    /// Where the store is declared, `path:line` (empty without a `SourceDb`).
    pub source: String,
}

pub const COLUMNS: [&str; 14] = [
    "cluster",
    "namespace",
    "kind",
    "name",
    "pvcs",
    "method",
    "schedule",
    "worst-case RPO",
    "retention",
    "destination",
    "recovery",
    "restore drill",
    "status",
    "source",
];

impl Row {
    /// The cells in `COLUMNS` order, `cluster` included.
    pub fn cells(&self) -> Vec<String> {
        vec![
            self.cluster.clone().unwrap_or_default(),
            self.namespace.clone(),
            self.kind.clone(),
            self.name.clone(),
            self.pvcs.join(" "),
            self.method.clone(),
            self.schedule.clone(),
            self.rpo.clone(),
            self.retention.clone(),
            self.destination.clone(),
            self.recovery.clone(),
            self.restore_drill.clone(),
            self.status.clone(),
            self.source.clone(),
        ]
    }
}

fn join(v: Vec<String>) -> String {
    let mut out: Vec<String> = Vec::new();
    for s in v {
        if !s.is_empty() && !out.contains(&s) {
            out.push(s);
        }
    }
    if out.is_empty() { "-".into() } else { out.join("; ") }
}

fn object_store<'a>(index: &'a Index, cluster: &Resource, name: &str) -> Option<&'a Resource> {
    index.get(cluster.cluster.as_deref(), cluster.namespace(), cnpg::BARMAN_CLOUD_GROUP, "ObjectStore", name).into_iter().next()
}

/// Why the API server rejects a CNPG Cluster, or the ObjectStore it archives to, on a retention
/// policy outside the CRD pattern (`cnpg-retention-invalid`): then nothing is backed up, whatever
/// the rest of the row says.
fn cnpg_rejected(index: &Index, r: &Resource) -> Option<String> {
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

/// (method, schedule, retention, destination, recovery) of a CNPG Cluster.
fn cnpg_cells(index: &Index, r: &Resource) -> [Vec<String>; 5] {
    let c = Cluster(r);
    let mut cells: [Vec<String>; 5] = Default::default();
    if let Some(store) = c.barman_object_store() {
        cells[0].push("CNPG barmanObjectStore".into());
        cells[3].push(store.str_at(&["destinationPath"]).unwrap_or("?").to_string());
    }
    for p in c.wal_archivers() {
        let name = cnpg::barman_object_name(p).and_then(|n| n.as_text());
        cells[0].push(match name {
            Some(n) => format!("CNPG {} (ObjectStore {n})", p.str_at(&["name"]).unwrap_or("plugin")),
            None => format!("CNPG plugin {}", p.str_at(&["name"]).unwrap_or("?")),
        });
        match name.and_then(|n| object_store(index, r, n)) {
            Some(os) => {
                cells[3].push(os.node.str_at(&["spec", "configuration", "destinationPath"]).unwrap_or("?").to_string());
                cells[2].push(os.node.str_at(&["spec", "retentionPolicy"]).map(str::to_string).unwrap_or_else(|| "not set (kept forever)".into()));
            }
            None => {
                if let Some(n) = name {
                    cells[3].push(format!("ObjectStore {n} (not in the repository)"));
                }
            }
        }
    }
    if let Some(vs) = c.volume_snapshot() {
        cells[0].push("CNPG volume snapshots".into());
        cells[3].push(format!("VolumeSnapshotClass {}", vs.str_at(&["className"]).unwrap_or("(default)")));
    }
    if c.backup().is_some() && (c.barman_object_store().is_some() || c.volume_snapshot().is_some()) {
        cells[2].push(c.backup().and_then(|b| b.str_at(&["retentionPolicy"])).map(str::to_string).unwrap_or_else(|| "not set (kept forever)".into()));
    }
    if coverage::cnpg_archives_wal(r) {
        let timeout = r.node.str_at(&["spec", "postgresql", "parameters", "archive_timeout"]).unwrap_or("5min");
        cells[1].push(format!("continuous WAL archiving (archive_timeout {timeout})"));
        cells[4].push("new Cluster with bootstrap.recovery from the object store (point in time)".into());
    } else if c.volume_snapshot().is_some() {
        cells[4].push("new Cluster with bootstrap.recovery.volumeSnapshots".into());
    }
    for (s, parsed) in coverage::cnpg_scheduled_backups(index, r) {
        let words = parsed.map(|p| p.describe()).unwrap_or_else(|| "invalid schedule".into());
        cells[1].push(format!("base backup {words} (ScheduledBackup {})", s.name()));
    }
    cells
}

fn bsl_destination(index: &Index, schedule: &Resource, location: Option<&str>) -> String {
    let bsls: Vec<&Resource> = index.of_kind(velero::GROUP, "BackupStorageLocation").filter(|b| b.cluster == schedule.cluster).collect();
    let bsl = match location {
        Some(name) => bsls.iter().find(|b| b.name() == name).copied(),
        None => bsls.iter().find(|b| b.node.at(&["spec", "default"]).and_then(|d| d.as_bool()) == Some(true)).copied(),
    };
    let name = location.map(str::to_string).or_else(|| bsl.map(|b| b.name().to_string())).unwrap_or_else(|| "default".into());
    match bsl {
        Some(b) => {
            let provider = b.node.str_at(&["spec", "provider"]).unwrap_or("?");
            let bucket = b.node.str_at(&["spec", "objectStorage", "bucket"]).unwrap_or("?");
            let prefix = b.node.str_at(&["spec", "objectStorage", "prefix"]).map(|p| format!("/{p}")).unwrap_or_default();
            format!("BackupStorageLocation {name} ({provider} {bucket}{prefix})")
        }
        None => format!("BackupStorageLocation {name}"),
    }
}

/// VolSync data movers, as `spec` keys of a ReplicationSource or ReplicationDestination.
const VOLSYNC_MOVERS: [&str; 6] = ["restic", "rclone", "rsync", "rsyncTLS", "kopia", "syncthing"];

/// Restore drills for a store: a Cluster that recovers from a CNPG Cluster, Velero Restores that
/// bring its PVCs back, VolSync ReplicationDestinations, CronJobs named for restores or drills in
/// its namespace.
fn drills(index: &Index, cov: &Coverage) -> Vec<String> {
    let s = &cov.store;
    let mut out = Vec::new();
    if s.kind == StoreKind::Cnpg {
        for other in index.of_kind(cnpg::GROUP, "Cluster").filter(|o| o.cluster == s.owner.cluster && !std::ptr::eq(*o, s.owner)) {
            let Some(source) = other.node.str_at(&["spec", "bootstrap", "recovery", "source"]) else { continue };
            let ext = other.node.at(&["spec", "externalClusters"]).into_iter().flat_map(|e| e.items()).find(|e| e.str_at(&["name"]) == Some(source));
            let Some(ext) = ext else { continue };
            let server = ext
                .str_at(&["barmanObjectStore", "serverName"])
                .or(ext.str_at(&["plugin", "parameters", "serverName"]))
                .unwrap_or(source);
            if server == s.owner.name() {
                out.push(format!("Cluster {}/{} recovers from it", other.namespace().unwrap_or(""), other.name()));
            }
        }
    } else {
        for r in index.of_kind(velero::GROUP, "Restore").filter(|r| r.cluster == s.owner.cluster) {
            let scope = velero::Scope::from_spec(r.spec());
            if s.claims.iter().any(|c| matches!(coverage::select(&scope, &s.namespace, c), Selection::Direct | Selection::ViaPod(_))) {
                out.push(format!("Restore {}", r.name()));
            }
        }
        // A ReplicationDestination restores this store when the PVC is populated from it
        // (`dataSourceRef`) or when it reads the repository this store's ReplicationSource writes.
        let populated_from: Vec<&str> = match s.kind {
            StoreKind::Pvc => ["dataSourceRef", "dataSource"]
                .iter()
                .filter_map(|f| s.owner.node.at(&["spec", f]))
                .filter(|d| d.str_at(&["kind"]) == Some("ReplicationDestination"))
                .filter_map(|d| d.str_at(&["name"]))
                .collect(),
            _ => Vec::new(),
        };
        let repositories: Vec<&str> = cov
            .methods
            .iter()
            .filter_map(|m| match m {
                Method::VolSync { source } => Some(*source),
                _ => None,
            })
            .flat_map(|src| VOLSYNC_MOVERS.iter().filter_map(move |k| src.node.str_at(&["spec", k, "repository"])))
            .collect();
        for r in index.of_kind(coverage::VOLSYNC_GROUP, "ReplicationDestination").filter(|r| !r.unlisted) {
            if r.cluster != s.owner.cluster || r.namespace() != Some(s.namespace.as_str()) {
                continue;
            }
            let reads = VOLSYNC_MOVERS.iter().filter_map(|k| r.node.str_at(&["spec", k, "repository"])).any(|repo| repositories.contains(&repo));
            if populated_from.contains(&r.name()) || reads {
                out.push(format!("ReplicationDestination {}", r.name()));
            }
        }
    }
    // CronJobs named for restores or drills, in the store's namespace, that name the store.
    let names: Vec<&str> = match s.kind {
        StoreKind::ClaimTemplate => vec![s.owner.name()],
        _ => vec![s.name.as_str()],
    };
    for r in index.of_kind("batch", "CronJob") {
        let n = r.name().to_ascii_lowercase();
        if r.cluster != s.owner.cluster || r.namespace() != Some(s.namespace.as_str()) || !(n.contains("restore") || n.contains("drill")) {
            continue;
        }
        let has_name = |t: &str| t.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_')).any(|w| names.contains(&w));
        let pod = r.node.at(&["spec", "jobTemplate", "spec", "template", "spec"]);
        let mounted: Vec<&str> = pod.and_then(|p| p.get("volumes")).into_iter().flat_map(|v| v.items()).filter_map(|v| v.str_at(&["persistentVolumeClaim", "claimName"])).collect();
        let mentions = if s.kind == StoreKind::Cnpg {
            // A job that mounts a PVC of the same name restores the volume, not the database.
            r.spec().is_some_and(|spec| spec.walk().iter().filter_map(|n| n.as_text()).filter(|t| !mounted.contains(t)).any(has_name))
        } else {
            // A volume is restored by a job that mounts it or names it in its command, not by one
            // whose environment merely shares the word (a CNPG restore test's EXPECTED_DATABASE).
            let claims = s.claim_names();
            let mounts = mounted.iter().any(|c| claims.iter().any(|n| n == c));
            let commands = pod
                .into_iter()
                .flat_map(|p| ["containers", "initContainers"].into_iter().filter_map(move |k| p.get(k)))
                .flat_map(|cs| cs.items())
                .flat_map(|c| ["command", "args"].into_iter().filter_map(move |k| c.get(k)))
                .flat_map(|n| n.walk())
                .filter_map(|n| n.as_text())
                .any(has_name);
            mounts || commands
        };
        if !mentions {
            continue;
        }
        if r.node.at(&["spec", "suspend"]).and_then(|n| n.as_bool()) == Some(true) {
            out.push(format!("CronJob {} (suspended)", r.name()));
        } else {
            out.push(format!("CronJob {}", r.name()));
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The backup matrix of an index, sorted by cluster, namespace, kind and name. With a `SourceDb`,
/// each row names the file and line that declares the store.
pub fn matrix(index: &Index, targets: &RpoTargets, db: Option<&SourceDb>) -> Vec<Row> {
    let mut rows = Vec::new();
    for cov in coverage::coverage(index) {
        let s = &cov.store;
        let mut cells: [Vec<String>; 5] = Default::default();
        for m in &cov.methods {
            match m {
                Method::Cnpg { cluster } => {
                    for (i, c) in cnpg_cells(index, cluster).into_iter().enumerate() {
                        cells[i].extend(c);
                    }
                }
                Method::Velero { schedule, fs } => {
                    let sched = Schedule(schedule);
                    let scope = sched.scope();
                    cells[0].push(format!("Velero Schedule {} ({})", schedule.name(), if *fs { "file-system backup" } else { "volume snapshots" }));
                    cells[1].push(sched.cron().map(|c| c.describe()).unwrap_or_default());
                    cells[2].push(match scope.ttl().and_then(|t| t.as_text()) {
                        Some(t) => format!("ttl {t}"),
                        None => format!("ttl {} (Velero default)", velero::DEFAULT_TTL),
                    });
                    cells[3].push(bsl_destination(index, schedule, scope.storage_location()));
                    cells[4].push(format!("velero restore create --from-schedule {} --include-namespaces {}", schedule.name(), s.namespace));
                }
                Method::VolSync { source } => {
                    let mover = VOLSYNC_MOVERS.into_iter().find(|k| source.node.at(&["spec", k]).is_some()).unwrap_or("?");
                    cells[0].push(format!("VolSync ReplicationSource {} ({mover})", source.name()));
                    if let Some(t) = source.node.str_at(&["spec", "trigger", "schedule"]) {
                        cells[1].push(crate::cron::parse(t, crate::cron::Dialect::CronJob).map(|c| c.describe()).unwrap_or_else(|_| format!("`{t}`")));
                    }
                    if let Some(retain) = source.node.at(&["spec", mover, "retain"]) {
                        cells[2].push(retain.entries().map(|(k, _, v)| format!("{k} {}", v.as_text().unwrap_or("?"))).collect::<Vec<_>>().join(", "));
                    }
                    if let Some(repo) = source.node.str_at(&["spec", mover, "repository"]) {
                        cells[3].push(format!("repository from Secret {repo}"));
                    }
                    cells[4].push("ReplicationDestination, then a PVC with dataSourceRef".into());
                }
                Method::Longhorn { job } => {
                    cells[0].push(format!("Longhorn RecurringJob {}", job.name()));
                    if let Some(t) = job.node.str_at(&["spec", "cron"]) {
                        cells[1].push(crate::cron::parse(t, crate::cron::Dialect::CronJob).map(|c| c.describe()).unwrap_or_else(|_| format!("`{t}`")));
                    }
                    if let Some(n) = job.node.str_at(&["spec", "retain"]) {
                        cells[2].push(format!("retain {n}"));
                    }
                    cells[3].push("Longhorn backup target".into());
                    cells[4].push("restore the Longhorn backup to a volume, then bind the PVC".into());
                }
                Method::Stated { text, .. } => {
                    cells[0].push(format!("stated: {text}"));
                }
                Method::External { what, .. } => {
                    cells[0].push(format!("external share: {what}"));
                    cells[4].push("with the file server".into());
                }
            }
        }
        if let Some(n) = cov.stated_none {
            cells[0].push(format!("stated: {}", n.as_text().unwrap_or("").trim()));
        }
        let rejected = if s.kind == StoreKind::Cnpg { cnpg_rejected(index, s.owner) } else { None };
        // A rejected object archives nothing: no RPO to state.
        let rpo = if rejected.is_some() { None } else { coverage::rpo(index, &cov) };
        let target = coverage::rpo_target(index, targets, s.owner, &s.namespace);
        let external = cov.methods.iter().all(|m| matches!(m, Method::External { .. }));
        let status = if let Some(why) = rejected {
            why
        } else if s.kind == StoreKind::Cnpg && cov.methods.is_empty() {
            "no backup".to_string()
        } else if cov.stated_none.is_some() {
            "no backup needed (stated)".to_string()
        } else if !cov.is_covered() {
            if !cov.missing_claims.is_empty() {
                format!("partly covered: {} left out", cov.missing_claims.join(" "))
            } else if !cov.broken.is_empty() {
                format!("uncovered: Schedule {} {}", cov.broken[0].0.name(), cov.broken[0].1.trim_start_matches("it "))
            } else {
                "uncovered".to_string()
            }
        } else if s.kind == StoreKind::Cnpg && coverage::cnpg_scheduled_backups(index, s.owner).is_empty() {
            "no ScheduledBackup: base backups only on demand".to_string()
        } else if external {
            "external".to_string()
        } else if cov.methods.iter().all(|m| matches!(m, Method::Stated { .. })) {
            "stated".to_string()
        } else {
            match (&rpo, &target) {
                (Some(r), Some((t, _))) if r.secs > *t => format!("RPO above target {}", coverage::format_secs(*t)),
                (Some(_), Some((t, _))) => format!("ok (target {})", coverage::format_secs(*t)),
                _ => "ok".to_string(),
            }
        };
        let drill = drills(index, &cov);
        let (kind, name) = match s.kind {
            StoreKind::Cnpg => ("Cluster".to_string(), s.name.clone()),
            StoreKind::Pvc => ("PersistentVolumeClaim".to_string(), s.name.clone()),
            StoreKind::ClaimTemplate => ("volumeClaimTemplate".to_string(), format!("{}/{}", s.owner.name(), s.name)),
        };
        let [method, schedule, retention, destination, recovery] = cells;
        rows.push(Row {
            cluster: s.owner.cluster.clone(),
            namespace: s.namespace.clone(),
            kind,
            name,
            pvcs: s.claim_names(),
            method: if method.is_empty() { "none".into() } else { join(method) },
            schedule: join(schedule),
            rpo: rpo.as_ref().map(|r| coverage::format_secs(r.secs)).unwrap_or_else(|| "-".into()),
            rpo_seconds: rpo.map(|r| r.secs),
            retention: join(retention),
            destination: join(destination),
            recovery: join(recovery),
            restore_drill: if drill.is_empty() { "no".into() } else { format!("yes: {}", drill.join(", ")) },
            status,
            source: db
                .map(|db| {
                    let (start, _) = db.line_col(s.span);
                    format!("{}:{}", crate::diag::display_path(&db.get(s.span.file).path), start.line)
                })
                .unwrap_or_default(),
        });
    }
    rows.sort();
    rows.dedup();
    rows
}

/// Markdown: a GitHub-flavoured table (pipes escaped, no line breaks in cells).
pub fn to_markdown(rows: &[Row]) -> String {
    let with_cluster = rows.iter().any(|r| r.cluster.is_some());
    let header: Vec<&str> = COLUMNS.to_vec();
    let skip = usize::from(!with_cluster);
    let cell = |s: &str| {
        let t = s.replace('\\', "\\\\").replace('|', "\\|").replace(['\n', '\r'], " ");
        if t.is_empty() { "-".to_string() } else { t }
    };
    let mut out = String::new();
    out.push_str(&format!("| {} |\n", header[skip..].join(" | ")));
    out.push_str(&format!("|{}\n", header[skip..].iter().map(|_| " --- |").collect::<String>()));
    for r in rows {
        let cells: Vec<String> = r.cells()[skip..].iter().map(|c| cell(c)).collect();
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    out
}

/// CSV (RFC 4180): a header line, then one line per row.
pub fn to_csv(rows: &[Row]) -> String {
    let quote = |s: &str| {
        if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s.to_string() }
    };
    let header: Vec<&str> = COLUMNS.to_vec();
    let mut out = header.iter().map(|h| quote(h)).collect::<Vec<_>>().join(",");
    out.push_str("\r\n");
    for r in rows {
        out.push_str(&r.cells().iter().map(|c| quote(c)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out
}

/// JSON: `{"version": 1, "stores": [...]}`.
pub fn to_json(rows: &[Row]) -> String {
    let v = serde_json::json!({"version": 1, "stores": rows});
    let mut s = serde_json::to_string_pretty(&v).unwrap_or_default();
    s.push('\n');
    s
}
