//! The backup matrix: one row per data store (CNPG Cluster, PVC, volumeClaimTemplate) with its
//! method, schedule in words, worst-case RPO (every recovery point), RPO after the loss of its
//! storage (only copies that leave it), retention, destination, whether the copy leaves the
//! store's storage, recovery method, restore drill and status. Every cell comes from the provider
//! registry (`crate::providers`); the status also reflects the findings of `drlint check` on the
//! store and the objects that back it up. Never reads a Secret's value.

use super::coverage::{self, Coverage, StoreKind};
use super::{Index, ObjectRef};
use crate::diag::{Diagnostic, Severity};
use crate::providers::{self, Cx};
use crate::settings::Settings;
use crate::source::SourceDb;
use serde::Serialize;

#[derive(Clone, Debug, Serialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Row {
    /// The cluster the store is deployed to (`null` when the repository has one).
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
    /// Worst-case RPO while the storage lives (`24h`), every recovery point counted (local
    /// snapshots too), or `-` when no schedule bounds it.
    pub rpo: String,
    pub rpo_seconds: Option<i64>,
    /// Worst-case RPO after the loss of the store's storage: only copies that leave it (or may)
    /// count; `none` when every copy stays on it, `-` when no schedule bounds it.
    pub rpo_after_storage_loss: String,
    pub rpo_after_storage_loss_seconds: Option<i64>,
    pub retention: String,
    pub destination: String,
    /// `yes` when a copy leaves the store's storage, `no` for snapshots on it, `unknown`.
    pub off_site: String,
    pub recovery: String,
    pub restore_drill: String,
    pub status: String,
    /// Where the store is declared, `path:line` (empty without a `SourceDb`).
    pub source: String,
}

pub const COLUMNS: [&str; 16] = [
    "cluster",
    "namespace",
    "kind",
    "name",
    "pvcs",
    "method",
    "schedule",
    "worst-case RPO",
    "RPO after storage loss",
    "retention",
    "destination",
    "off-site",
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
            self.rpo_after_storage_loss.clone(),
            self.retention.clone(),
            self.destination.clone(),
            self.off_site.clone(),
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

/// Restore drills for a store: what the providers name (a Cluster that recovers from a CNPG
/// Cluster, Velero Restores, ReplicationDestinations, populated PVCs), and CronJobs named for
/// restores or drills in its namespace that mount or name the store.
fn drills(cx: &Cx, cov: &Coverage) -> Vec<String> {
    let s = &cov.store;
    let index = cx.index;
    let mut out: Vec<String> = providers::all().iter().flat_map(|p| p.drills(cx, s, &cov.covers)).collect();
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

/// Rule ids of the findings at `min` severity or above that concern a store: on its own object,
/// or on an object that backs it up.
fn findings_on(cov: &Coverage, diags: &[Diagnostic], min: Severity) -> Vec<&'static str> {
    let mut refs: Vec<ObjectRef> = vec![cov.store.owner.object_ref()];
    refs.extend(cov.covers.iter().flat_map(|c| c.related.iter()).map(|r| r.object_ref()));
    refs.extend(cov.broken.iter().map(|b| b.1.object_ref()));
    let mut ids: Vec<&'static str> = diags
        .iter()
        .filter(|d| d.severity >= min)
        .filter(|d| d.object.as_ref().is_some_and(|o| refs.contains(o)))
        // The status itself says what these two rules find.
        .filter(|d| !["pvc-backup-uncovered", "rpo-target-exceeded", "backup-snapshot-only"].contains(&d.rule))
        .map(|d| d.rule)
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

/// The backup matrix of an index, sorted by cluster, namespace, kind and name. With a `SourceDb`,
/// each row names the file and line that declares the store; `diags` (the findings of `drlint
/// check` on the same run) set the status of the stores they concern.
pub fn matrix(index: &Index, settings: &Settings, db: Option<&SourceDb>, diags: &[Diagnostic]) -> Vec<Row> {
    let cx = Cx { index, config: &settings.coverage };
    let mut rows = Vec::new();
    for cov in coverage::coverage(index, &settings.coverage) {
        let s = &cov.store;
        let mut cells: [Vec<String>; 5] = Default::default();
        for c in &cov.covers {
            cells[0].push(c.method.clone());
            cells[1].extend(c.schedule_words.iter().cloned());
            cells[1].extend(c.schedules.iter().map(|s| s.words()));
            cells[2].extend(c.retention.iter().cloned());
            cells[3].extend(c.destination.iter().cloned());
            cells[4].extend(c.restore.iter().cloned());
        }
        if let Some(n) = &cov.stated_none {
            cells[0].push(format!("stated: {n}"));
        }
        let rejected = cov.covers.iter().find_map(|c| c.rejected.clone());
        // A rejected object archives nothing: no RPO to state.
        let rpo = if rejected.is_some() { None } else { coverage::rpo(&cov) };
        let rpo_any = if rejected.is_some() { None } else { coverage::rpo_any(&cov) };
        let target = coverage::rpo_target(index, &settings.rpo, s.owner, &s.namespace);
        let unscheduled = cov.covers.iter().all(|c| !c.scheduled);
        let errors = findings_on(&cov, diags, Severity::Error);
        let caveat = cov.covers.iter().find_map(|c| c.caveat.clone());
        let status = if let Some(why) = rejected {
            why
        } else if !errors.is_empty() {
            format!("errors: {} (see drlint check)", errors.join(", "))
        } else if s.kind == StoreKind::Cnpg && cov.covers.is_empty() {
            "no backup".to_string()
        } else if cov.stated_none.is_some() {
            "no backup needed (stated)".to_string()
        } else if !cov.is_covered() {
            if !cov.excluded.is_empty() {
                format!("uncovered: excluded by {}", cov.excluded[0].1)
            } else if !cov.missing_claims.is_empty() {
                format!("partly covered: {} left out", cov.missing_claims.join(" "))
            } else if let Some((_, r, why, _)) = cov.broken.first() {
                format!("uncovered: {} {} {}", r.kind(), r.name(), why.trim_start_matches("it "))
            } else {
                "uncovered".to_string()
            }
        } else if let Some(c) = caveat {
            c
        } else if coverage::local_only(&cov) {
            "snapshots on its own storage only".to_string()
        } else if coverage::unbounded(&cov) {
            "no schedule: backups only on demand".to_string()
        } else if unscheduled {
            if cov.covers.iter().all(|c| c.provider == "stated") { "stated".to_string() } else { "external".to_string() }
        } else {
            match (&rpo, &target) {
                (Some(r), Some((t, _))) if r.secs > *t => format!("RPO above target {}", coverage::format_secs(*t)),
                (Some(_), Some((t, _))) => format!("ok (target {})", coverage::format_secs(*t)),
                _ => "ok".to_string(),
            }
        };
        let status = match findings_on(&cov, diags, Severity::Warning).into_iter().filter(|w| !errors.contains(w)).collect::<Vec<_>>() {
            w if w.is_empty() || !status.starts_with("ok") => status,
            w => format!("{status}; warnings: {}", w.join(", ")),
        };
        let off_site = if cov.covers.is_empty() {
            "-".to_string()
        } else if cov.covers.iter().any(|c| c.location.leaves_storage() == Some(true)) {
            "yes".to_string()
        } else if coverage::local_only(&cov) {
            "no".to_string()
        } else {
            "unknown".to_string()
        };
        let drill = drills(&cx, &cov);
        let (kind, name) = match s.kind {
            StoreKind::Cnpg => ("Cluster".to_string(), s.name.clone()),
            StoreKind::Pvc => ("PersistentVolumeClaim".to_string(), s.name.clone()),
            StoreKind::ClaimTemplate => ("volumeClaimTemplate".to_string(), format!("{}/{}", s.owner.name(), s.name)),
        };
        let [method, schedule, retention, destination, recovery] = cells;
        let rpo = rpo.as_ref();
        rows.push(Row {
            cluster: s.owner.cluster.clone(),
            namespace: s.namespace.clone(),
            kind,
            name,
            pvcs: s.claim_names(),
            method: if method.is_empty() { "none".into() } else { join(method) },
            schedule: join(schedule),
            rpo: rpo_any.as_ref().map(|r| coverage::format_secs(r.secs)).unwrap_or_else(|| "-".into()),
            rpo_seconds: rpo_any.map(|r| r.secs),
            rpo_after_storage_loss: match &rpo {
                _ if coverage::local_only(&cov) => "none".into(),
                Some(r) => coverage::format_secs(r.secs),
                None => "-".into(),
            },
            rpo_after_storage_loss_seconds: rpo.filter(|_| !coverage::local_only(&cov)).map(|r| r.secs),
            retention: join(retention),
            destination: join(destination),
            off_site,
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
