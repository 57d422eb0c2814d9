//! Data stores and how each is backed up: the model behind `pvc-backup-uncovered`,
//! `rpo-target-exceeded` and `drlint matrix`.
//!
//! A data store is a CNPG Cluster, a PersistentVolumeClaim, or a StatefulSet volumeClaimTemplate.
//! Each is covered by CNPG (its own backup), a valid Velero Schedule that selects its PVCs and takes
//! their data, a VolSync ReplicationSource, or a `drlint.io/backup` annotation that states the method
//! (or `none` with a reason). Objects are compared within one `cluster` only.

use super::cnpg::{self, Cluster};
use super::velero::{self, Res, Scope};
use super::workloads::{self, Labels};
use super::{Index, Resource};
use crate::source::yaml::Node;
use crate::source::Span;

/// The annotation that states how a PVC (or StatefulSet, or volumeClaimTemplate) is backed up.
pub const BACKUP_ANNOTATION: &str = "drlint.io/backup";
/// CNPG's `archive_timeout` when `spec.postgresql.parameters.archive_timeout` is unset (5 minutes).
pub const CNPG_DEFAULT_ARCHIVE_TIMEOUT: i64 = 300;
pub const VOLSYNC_GROUP: &str = "volsync.backube";

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum StoreKind {
    Cnpg,
    Pvc,
    ClaimTemplate,
}

/// Pods that mount a PVC under a volume name.
#[derive(Clone, Debug)]
pub struct Mount<'a> {
    pub owner: &'a Resource,
    pub labels: Labels,
    pub volume: String,
    pub fs_backup_volumes: Vec<String>,
    pub fs_backup_excludes: Vec<String>,
}

impl Mount<'_> {
    fn fs_backup_takes(&self, default_to_fs: bool) -> bool {
        if default_to_fs {
            !self.fs_backup_excludes.contains(&self.volume)
        } else {
            self.fs_backup_volumes.contains(&self.volume)
        }
    }
}

/// One PVC as the cluster will have it.
#[derive(Clone, Debug)]
pub struct Claim<'a> {
    pub name: String,
    pub labels: Labels,
    pub mounts: Vec<Mount<'a>>,
}

#[derive(Clone, Debug)]
pub struct Store<'a> {
    pub kind: StoreKind,
    /// The PVC, StatefulSet or CNPG Cluster.
    pub owner: &'a Resource,
    /// PVC name, volumeClaimTemplate name, or Cluster name.
    pub name: String,
    pub namespace: String,
    /// Where findings about the store go.
    pub span: Span,
    pub claims: Vec<Claim<'a>>,
    /// `drlint.io/backup` on the PVC, the template or its StatefulSet.
    pub annotation: Option<&'a Node>,
    /// The volumeClaimTemplate entry, for `StoreKind::ClaimTemplate`.
    pub template: Option<&'a Node>,
}

impl Store<'_> {
    /// E.g. `PersistentVolumeClaim media/photos`, `StatefulSet kafka/broker volumeClaimTemplate data`.
    pub fn display(&self) -> String {
        match self.kind {
            StoreKind::ClaimTemplate => format!("StatefulSet {}/{} volumeClaimTemplate `{}`", self.namespace, self.owner.name(), self.name),
            _ => format!("{} {}/{}", self.owner.kind(), self.namespace, self.name),
        }
    }

    pub fn claim_names(&self) -> Vec<String> {
        self.claims.iter().map(|c| c.name.clone()).collect()
    }
}

fn mount_of<'a>(owner: &'a Resource, labels: Labels, volume: &str) -> Mount<'a> {
    let g = workloads::pod_group(owner);
    Mount {
        owner,
        labels,
        volume: volume.to_string(),
        fs_backup_volumes: g.as_ref().map(|g| g.fs_backup_volumes.clone()).unwrap_or_default(),
        fs_backup_excludes: g.map(|g| g.fs_backup_excludes).unwrap_or_default(),
    }
}

/// Every data store of the index, in index order.
pub fn stores(index: &Index) -> Vec<Store<'_>> {
    let mut out: Vec<Store> = Vec::new();
    // Objects no render applies (a template beside a kustomization that leaves it out) hold no data.
    for r in index.resources.iter().filter(|r| !r.unlisted) {
        let Some(ns) = r.namespace() else { continue };
        if r.is("", "PersistentVolumeClaim") {
            out.push(Store {
                kind: StoreKind::Pvc,
                owner: r,
                name: r.name().to_string(),
                namespace: ns.to_string(),
                span: r.span(),
                claims: vec![Claim { name: r.name().to_string(), labels: workloads::labels_of(r.node.at(&["metadata", "labels"])), mounts: Vec::new() }],
                annotation: r.annotation(BACKUP_ANNOTATION),
                template: None,
            });
        } else if r.is("apps", "StatefulSet") {
            for t in workloads::claim_templates(r) {
                let labels = t.pvc_labels();
                let claims = (0..workloads::replicas(r))
                    .zip(t.pvc_names())
                    .map(|(i, name)| Claim { name, labels: labels.clone(), mounts: vec![mount_of(r, workloads::statefulset_pod_labels(r, i), &t.name)] })
                    .collect();
                out.push(Store {
                    kind: StoreKind::ClaimTemplate,
                    owner: r,
                    name: t.name.clone(),
                    namespace: ns.to_string(),
                    span: t.span(),
                    claims,
                    annotation: t.annotation(BACKUP_ANNOTATION).or_else(|| r.annotation(BACKUP_ANNOTATION)),
                    template: Some(t.node),
                });
            }
        } else if r.is(cnpg::GROUP, "Cluster") {
            let inherited = r.node.at(&["spec", "inheritedMetadata", "annotations"]);
            let fs = |key: &str| -> Vec<String> {
                inherited.and_then(|a| a.get(key)).and_then(Node::as_text).map(|s| s.split(',').map(|v| v.trim().to_string()).collect()).unwrap_or_default()
            };
            let claims = workloads::cnpg_pvcs(r)
                .into_iter()
                .map(|p| {
                    let volume = match p.labels.get("cnpg.io/pvcRole").map(String::as_str) {
                        Some("PG_WAL") => "pg-wal".to_string(),
                        Some("PG_DATA") => "pgdata".to_string(),
                        // Tablespace volumes are named after the tablespace.
                        _ => p.name.rsplit_once("-tbs-").map(|(_, t)| t.to_string()).unwrap_or_default(),
                    };
                    let mount = Mount {
                        owner: r,
                        labels: workloads::cnpg_pod_labels(r, &p.instance),
                        volume,
                        fs_backup_volumes: fs(workloads::FS_BACKUP_ANNOTATION),
                        fs_backup_excludes: fs(workloads::FS_BACKUP_EXCLUDE_ANNOTATION),
                    };
                    Claim { name: p.name, labels: p.labels, mounts: vec![mount] }
                })
                .collect();
            out.push(Store { kind: StoreKind::Cnpg, owner: r, name: r.name().to_string(), namespace: ns.to_string(), span: r.span(), claims, annotation: None, template: None });
        }
    }
    // Pods that mount plain PVCs by claimName.
    for r in index.resources.iter().filter(|r| !r.unlisted) {
        let Some((meta, spec)) = workloads::pod_template(r) else { continue };
        let labels = if r.is("apps", "StatefulSet") { workloads::statefulset_pod_labels(r, 0) } else { workloads::labels_of(meta.and_then(|m| m.get("labels"))) };
        for (volume, claim) in workloads::claim_volumes(spec) {
            let claim = claim.as_text().unwrap_or("");
            for s in out.iter_mut().filter(|s| s.kind == StoreKind::Pvc && s.owner.cluster == r.cluster && Some(s.namespace.as_str()) == r.namespace() && s.name == claim) {
                s.claims[0].mounts.push(mount_of(r, labels.clone(), &volume));
            }
        }
    }
    out
}

/// How Velero treats one PVC under a scope.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Selection {
    /// Outside the namespace or resource filters: not meant to be included.
    OutOfScope,
    /// Its own labels match.
    Direct,
    /// A selected pod that mounts it pulls it in (pods are in scope).
    ViaPod(String),
    /// In scope but dropped by the label filters.
    Dropped,
}

pub fn select(scope: &Scope, namespace: &str, claim: &Claim) -> Selection {
    if !scope.includes_namespace(namespace) || !scope.includes_resource(Res::Pvcs) {
        return Selection::OutOfScope;
    }
    if scope.selects(&claim.labels) {
        return Selection::Direct;
    }
    if scope.includes_resource(Res::Pods) {
        if let Some(m) = claim.mounts.iter().find(|m| scope.selects(&m.labels)) {
            return Selection::ViaPod(m.owner.display_name());
        }
    }
    Selection::Dropped
}

/// Whether a scope's label filters select the owner of a claim: the owning object's labels or the
/// labels of a pod that mounts it. Used to tell a selector meant for a workload from one that is
/// simply about something else.
pub fn owner_selected(scope: &Scope, store: &Store, claim: &Claim) -> bool {
    scope.selects(&workloads::labels_of(store.owner.node.at(&["metadata", "labels"])))
        || claim.mounts.iter().any(|m| scope.selects(&m.labels) || scope.selects(&workloads::labels_of(m.owner.node.at(&["metadata", "labels"]))))
}

/// Whether a backup with this scope takes the data of `claim` (not only the PVC object).
pub fn takes_data(scope: &Scope, namespace: &str, claim: &Claim) -> bool {
    let sel = select(scope, namespace, claim);
    if matches!(sel, Selection::OutOfScope | Selection::Dropped) {
        return false;
    }
    let pods_in = scope.includes_namespace(namespace) && scope.includes_resource(Res::Pods);
    let default_fs = scope.default_volumes_to_fs_backup();
    let fs = pods_in && claim.mounts.iter().any(|m| scope.selects(&m.labels) && m.fs_backup_takes(default_fs));
    fs || scope.snapshot_volumes() != Some(false)
}

/// One way a store is backed up.
#[derive(Clone, Debug)]
pub enum Method<'a> {
    Cnpg { cluster: &'a Resource },
    Velero { schedule: &'a Resource, fs: bool },
    VolSync { source: &'a Resource },
    Stated { text: String, node: &'a Node },
    /// Bound to a PersistentVolume on a network file share (NFS, SMB): the data lives outside the
    /// cluster and is backed up (or not) with the file server.
    External { pv: &'a Resource, what: String },
    /// A Longhorn RecurringJob with task `backup` that applies to the PVC's volume.
    Longhorn { job: &'a Resource },
}

pub const LONGHORN_GROUP: &str = "longhorn.io";
pub const LONGHORN_PROVISIONER: &str = "driver.longhorn.io";

/// The Longhorn RecurringJobs (by name, or group when `bool` is true) that apply to a PVC's volume,
/// when the PVC is on a Longhorn StorageClass: its `recurring-job.longhorn.io/<job>` and
/// `recurring-job-group.longhorn.io/<group>` labels, else the StorageClass `recurringJobSelector`,
/// else the `default` group. `None` when the PVC is not on Longhorn.
fn longhorn_selectors(index: &Index, cluster: &Option<String>, sc_name: Option<&str>, labels: &Labels) -> Option<Vec<(String, bool)>> {
    let sc_name = sc_name?;
    let sc = index.of_kind("storage.k8s.io", "StorageClass").find(|c| &c.cluster == cluster && c.name() == sc_name);
    let is_longhorn = match sc {
        Some(c) => c.node.str_at(&["provisioner"]) == Some(LONGHORN_PROVISIONER),
        None => sc_name == "longhorn",
    };
    if !is_longhorn {
        return None;
    }
    let mut out: Vec<(String, bool)> = Vec::new();
    for (k, v) in labels {
        if v != "enabled" {
            continue;
        }
        if let Some(job) = k.strip_prefix("recurring-job.longhorn.io/") {
            out.push((job.to_string(), false));
        } else if let Some(g) = k.strip_prefix("recurring-job-group.longhorn.io/") {
            out.push((g.to_string(), true));
        }
    }
    if out.is_empty() {
        if let Some(sel) = sc.and_then(|c| c.node.str_at(&["parameters", "recurringJobSelector"])) {
            if let Ok(serde_json::Value::Array(items)) = serde_json::from_str::<serde_json::Value>(sel) {
                for i in items {
                    if let Some(n) = i.get("name").and_then(|n| n.as_str()) {
                        out.push((n.to_string(), i.get("isGroup").and_then(|g| g.as_bool()).unwrap_or(false)));
                    }
                }
            }
        }
    }
    if out.is_empty() {
        out.push(("default".into(), true));
    }
    Some(out)
}

fn longhorn_backup_jobs<'a>(index: &'a Index, cluster: &Option<String>, sc_name: Option<&str>, labels: &Labels) -> Vec<&'a Resource> {
    let Some(sel) = longhorn_selectors(index, cluster, sc_name, labels) else { return Vec::new() };
    index
        .of_kind(LONGHORN_GROUP, "RecurringJob")
        .filter(|j| &j.cluster == cluster)
        .filter(|j| matches!(j.node.str_at(&["spec", "task"]), Some("backup" | "backup-force-create")))
        .filter(|j| {
            let groups: Vec<&str> = j.node.at(&["spec", "groups"]).into_iter().flat_map(|g| g.items()).filter_map(|g| g.as_text()).collect();
            let name = j.node.str_at(&["spec", "name"]).unwrap_or(j.name());
            sel.iter().any(|(n, is_group)| if *is_group { groups.contains(&n.as_str()) } else { n == name || n == j.name() })
        })
        .collect()
}

/// The network share a PersistentVolume mounts, in words (`nfs nas:/export`), if it is one.
pub fn external_share(pv: &Resource) -> Option<String> {
    let spec = pv.spec()?;
    if let Some(nfs) = spec.get("nfs") {
        return Some(format!("NFS {}:{}", nfs.str_at(&["server"]).unwrap_or("?"), nfs.str_at(&["path"]).unwrap_or("?")));
    }
    if spec.get("cifs").is_some() {
        return Some("SMB share".into());
    }
    match spec.str_at(&["csi", "driver"]) {
        Some(d @ ("nfs.csi.k8s.io" | "smb.csi.k8s.io")) => Some(format!("{d} {}", spec.str_at(&["csi", "volumeAttributes", "source"]).or(spec.str_at(&["csi", "volumeAttributes", "server"])).unwrap_or(""))),
        _ => None,
    }
}

/// The PersistentVolume in the repository a PVC binds to: by `spec.volumeName`, by the PV's
/// `claimRef`, or by a shared non-empty `storageClassName` (a static PV made for the claim).
fn bound_pv<'a>(index: &'a Index, pvc: &Resource) -> Option<&'a Resource> {
    let vn = pvc.node.str_at(&["spec", "volumeName"]);
    let sc = pvc.node.str_at(&["spec", "storageClassName"]).filter(|s| !s.is_empty());
    index.of_kind("", "PersistentVolume").filter(|pv| pv.cluster == pvc.cluster).find(|pv| {
        vn == Some(pv.name())
            || (pv.node.str_at(&["spec", "claimRef", "name"]) == Some(pvc.name()) && pv.node.str_at(&["spec", "claimRef", "namespace"]).is_none_or(|n| Some(n) == pvc.namespace()))
            || (sc.is_some() && pv.node.str_at(&["spec", "storageClassName"]) == sc)
    })
}

/// A store and what covers it.
#[derive(Clone, Debug)]
pub struct Coverage<'a> {
    pub store: Store<'a>,
    pub methods: Vec<Method<'a>>,
    /// Velero Schedules that would cover the store but are invalid or paused, with why.
    pub broken: Vec<(&'a Resource, String)>,
    /// `drlint.io/backup: none …` with a reason.
    pub stated_none: Option<&'a Node>,
    /// `drlint.io/backup: none` without a reason, or an empty value.
    pub bad_annotation: Option<&'a Node>,
    /// Claims (of a covered-in-part store) that no Velero Schedule takes.
    pub missing_claims: Vec<String>,
}

impl Coverage<'_> {
    pub fn is_covered(&self) -> bool {
        !self.methods.is_empty() || self.stated_none.is_some()
    }
}

/// `none` followed by a reason (`none: scratch data`, `none -- cache`, `none (rebuilt from git)`).
fn none_reason(text: &str) -> Option<Option<&str>> {
    let t = text.trim();
    let rest = t.strip_prefix("none").or_else(|| t.strip_prefix("None")).or_else(|| t.strip_prefix("NONE"))?;
    if !rest.is_empty() && rest.starts_with(|c: char| c.is_alphanumeric()) {
        return None;
    }
    let reason = rest.trim_start_matches(|c: char| c.is_whitespace() || matches!(c, ':' | '-' | '(' | ',' | ';' | '—')).trim_end_matches(')').trim();
    Some((!reason.is_empty()).then_some(reason))
}

fn same_cluster(a: &Resource, b: &Resource) -> bool {
    a.cluster == b.cluster
}

/// Coverage of every store.
pub fn coverage(index: &Index) -> Vec<Coverage<'_>> {
    let schedules: Vec<&Resource> = index.of_kind(velero::GROUP, "Schedule").filter(|r| !r.unlisted).collect();
    let volsync: Vec<&Resource> = index.of_kind(VOLSYNC_GROUP, "ReplicationSource").filter(|r| !r.unlisted).collect();
    let mut out = Vec::new();
    // Stores whose name or namespace still holds a Flux `${VAR}` are judged once rendered.
    for store in stores(index).into_iter().filter(|s| !s.name.contains("${") && !s.namespace.contains("${")) {
        let mut c = Coverage { store, methods: Vec::new(), broken: Vec::new(), stated_none: None, bad_annotation: None, missing_claims: Vec::new() };
        let store = &c.store;
        if store.kind == StoreKind::Cnpg {
            if Cluster(store.owner).has_backup() {
                c.methods.push(Method::Cnpg { cluster: store.owner });
            }
        } else {
            if let Some(a) = store.annotation {
                match a.as_text().map(none_reason) {
                    Some(Some(Some(_))) => c.stated_none = Some(a),
                    Some(Some(None)) => c.bad_annotation = Some(a),
                    Some(None) if !a.as_text().unwrap_or("").trim().is_empty() => {
                        c.methods.push(Method::Stated { text: a.as_text().unwrap_or("").trim().to_string(), node: a })
                    }
                    _ => c.bad_annotation = Some(a),
                }
            }
            let sc_name = match store.kind {
                StoreKind::Pvc => store.owner.node.str_at(&["spec", "storageClassName"]),
                _ => store.template.and_then(|t| t.str_at(&["spec", "storageClassName"])),
            };
            for job in longhorn_backup_jobs(index, &store.owner.cluster, sc_name, &store.claims[0].labels) {
                c.methods.push(Method::Longhorn { job });
            }
            if store.kind == StoreKind::Pvc {
                if let Some(pv) = bound_pv(index, store.owner) {
                    if let Some(what) = external_share(pv) {
                        c.methods.push(Method::External { pv, what });
                    }
                }
            }
            for src in &volsync {
                if same_cluster(src, store.owner)
                    && src.namespace() == Some(store.namespace.as_str())
                    && src.node.str_at(&["spec", "sourcePVC"]).is_some_and(|p| store.claims.iter().any(|cl| cl.name == p))
                {
                    c.methods.push(Method::VolSync { source: src });
                }
            }
        }
        if store.kind != StoreKind::Cnpg || c.methods.is_empty() {
            let mut missing: Vec<String> = Vec::new();
            let mut any = false;
            for s in &schedules {
                if !same_cluster(s, store.owner) {
                    continue;
                }
                let sched = velero::Schedule(s);
                let scope = sched.scope();
                let takes: Vec<bool> = store.claims.iter().map(|cl| takes_data(&scope, &store.namespace, cl)).collect();
                if !takes.iter().any(|t| *t) {
                    let selected = store.claims.iter().any(|cl| matches!(select(&scope, &store.namespace, cl), Selection::Direct | Selection::ViaPod(_)));
                    if selected {
                        c.broken.push((s, "it takes no volume data (`snapshotVolumes: false` and no file-system backup of the volume)".into()));
                    }
                    continue;
                }
                if let Some(e) = sched.cron_error() {
                    c.broken.push((s, format!("it is invalid ({e})")));
                    continue;
                }
                if sched.paused() {
                    c.broken.push((s, "it is paused".into()));
                    continue;
                }
                let fs = store.claims.iter().any(|cl| {
                    scope.includes_resource(Res::Pods) && cl.mounts.iter().any(|m| scope.selects(&m.labels) && m.fs_backup_takes(scope.default_volumes_to_fs_backup()))
                });
                if takes.iter().all(|t| *t) {
                    c.methods.push(Method::Velero { schedule: s, fs });
                    any = true;
                } else {
                    missing.extend(store.claims.iter().zip(&takes).filter(|(_, t)| !**t).map(|(cl, _)| cl.name.clone()));
                }
            }
            if !any {
                missing.sort();
                missing.dedup();
                c.missing_claims = missing;
            }
        }
        out.push(c);
    }
    out
}

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

/// The worst-case RPO of a store in seconds, with the node that sets it and how it was computed.
#[derive(Clone, Debug)]
pub struct Rpo<'a> {
    pub secs: i64,
    /// The node to point at: a Schedule's `spec.schedule`, the `archive_timeout` parameter, or the
    /// Cluster's backup configuration.
    pub node_span: Span,
    pub at: &'a Resource,
    pub how: String,
}

/// ScheduledBackups of a CNPG Cluster (same cluster and namespace, not suspended), with their parse.
pub fn cnpg_scheduled_backups<'a>(index: &'a Index, cluster: &Resource) -> Vec<(&'a Resource, Option<crate::cron::Schedule>)> {
    index
        .of_kind(cnpg::GROUP, "ScheduledBackup")
        .filter(|s| same_cluster(s, cluster) && s.namespace() == cluster.namespace())
        .filter(|s| s.node.str_at(&["spec", "cluster", "name"]) == Some(cluster.name()))
        .filter(|s| s.node.at(&["spec", "suspend"]).and_then(Node::as_bool) != Some(true))
        .map(|s| (s, s.node.str_at(&["spec", "schedule"]).and_then(|t| crate::cron::parse(t, crate::cron::Dialect::Cnpg).ok())))
        .collect()
}

/// Whether a CNPG Cluster archives WAL (barmanObjectStore, or a WAL-archiver plugin).
pub fn cnpg_archives_wal(r: &Resource) -> bool {
    let c = Cluster(r);
    c.barman_object_store().is_some() || c.wal_archivers().next().is_some()
}

/// Longest gap between consecutive firings of several schedules together, firings `a` in
/// `[from, from + 365 days)`. `@every d` fires at `from + k·d`. `None` when nothing fires or the
/// union fires too often to walk (more than two million times a year: minutes at most anyway).
pub fn union_max_gap(scheds: &[&crate::cron::Schedule], from: i64) -> Option<i64> {
    use crate::cron::ScheduleKind;
    let end = from + 365 * 86_400;
    let next = |s: &crate::cron::Schedule, t: i64| -> Option<i64> {
        match &s.kind {
            ScheduleKind::Every(d) => {
                let d = (d.as_secs() as i64).max(1);
                Some(from + ((t - from).div_euclid(d) + 1) * d)
            }
            ScheduleKind::Spec(_) => s.next_after(t),
        }
    };
    let first = |t: i64| scheds.iter().filter_map(|s| next(s, t)).min();
    let mut t = first(from - 1)?;
    let mut best = 0;
    let mut steps = 0u32;
    while t < end {
        let n = first(t)?;
        best = best.max(n - t);
        t = n;
        steps += 1;
        if steps > 2_000_000 {
            return None;
        }
    }
    Some(best)
}

/// A schedule that takes a store's backups, with where it is written and how to name it.
struct Scheduled<'a> {
    cron: crate::cron::Schedule,
    span: Span,
    at: &'a Resource,
    how: String,
}

/// Worst-case RPO of a covered store. Continuous WAL archiving counts as `archive_timeout`;
/// otherwise every schedule that takes the store's backups counts together (a weekday schedule
/// and a weekend one make a daily recovery point).
pub fn rpo<'a>(index: &'a Index, cov: &Coverage<'a>) -> Option<Rpo<'a>> {
    let mut continuous: Option<Rpo> = None;
    let mut scheduled: Vec<Scheduled> = Vec::new();
    let parse5 = |t: &str| crate::cron::parse(t, crate::cron::Dialect::CronJob).ok();
    for m in &cov.methods {
        match m {
            Method::Cnpg { cluster } => {
                if cnpg_archives_wal(cluster) {
                    let param = cluster.node.at(&["spec", "postgresql", "parameters", "archive_timeout"]);
                    let (secs, span, how) = match param.and_then(Node::as_text).and_then(pg_duration_secs) {
                        Some(s) => (s, param.unwrap().span, format!("WAL archiving, archive_timeout {}", param.unwrap().as_text().unwrap_or(""))),
                        None => (CNPG_DEFAULT_ARCHIVE_TIMEOUT, cluster_backup_span(cluster), "WAL archiving, archive_timeout 5min (CNPG default)".to_string()),
                    };
                    if secs > 0 {
                        if continuous.as_ref().is_none_or(|c| secs < c.secs) {
                            continuous = Some(Rpo { secs, node_span: span, at: cluster, how });
                        }
                        continue;
                    }
                }
                for (s, parsed) in cnpg_scheduled_backups(index, cluster) {
                    if let Some(cron) = parsed {
                        let node = s.node.at(&["spec", "schedule"]).unwrap();
                        scheduled.push(Scheduled { cron, span: node.span, at: s, how: format!("ScheduledBackup `{}` `{}`", s.name(), node.as_text().unwrap_or("")) });
                    }
                }
            }
            Method::Velero { schedule, .. } => {
                let sched = velero::Schedule(schedule);
                if let (Some(cron), Some(node)) = (sched.cron(), sched.schedule()) {
                    scheduled.push(Scheduled { cron, span: node.span, at: schedule, how: format!("Velero Schedule `{}` `{}`", schedule.name(), node.as_text().unwrap_or("")) });
                }
            }
            Method::VolSync { source } => {
                let node = source.node.at(&["spec", "trigger", "schedule"]);
                if let Some((cron, node)) = node.and_then(|n| Some((parse5(n.as_text()?)?, n))) {
                    scheduled.push(Scheduled { cron, span: node.span, at: source, how: format!("ReplicationSource `{}` `{}`", source.name(), node.as_text().unwrap_or("")) });
                }
            }
            Method::Longhorn { job } => {
                let node = job.node.at(&["spec", "cron"]);
                if let Some((cron, node)) = node.and_then(|n| Some((parse5(n.as_text()?)?, n))) {
                    scheduled.push(Scheduled { cron, span: node.span, at: job, how: format!("Longhorn RecurringJob `{}` `{}`", job.name(), node.as_text().unwrap_or("")) });
                }
            }
            Method::Stated { .. } | Method::External { .. } => {}
        }
    }
    if continuous.is_some() {
        return continuous;
    }
    let from = crate::cron::DEFAULT_GAP_FROM;
    let gaps: Vec<(usize, i64)> = scheduled.iter().enumerate().filter_map(|(i, s)| Some((i, s.cron.max_gap_over_year(from)?))).collect();
    let &(best_i, best_gap) = gaps.iter().min_by_key(|(i, g)| (*g, *i))?;
    let best = &scheduled[best_i];
    let mut rpo = Rpo { secs: best_gap, node_span: best.span, at: best.at, how: best.how.clone() };
    if gaps.len() > 1 {
        let all: Vec<&crate::cron::Schedule> = gaps.iter().map(|(i, _)| &scheduled[*i].cron).collect();
        if let Some(u) = union_max_gap(&all, from).filter(|u| *u < best_gap) {
            rpo.secs = u;
            rpo.how = format!("{} together", gaps.iter().map(|(i, _)| scheduled[*i].how.clone()).collect::<Vec<_>>().join(" and "));
        }
    }
    Some(rpo)
}

fn cluster_backup_span(r: &Resource) -> Span {
    let spec = r.node.get("spec");
    spec.and_then(|s| s.key("plugins").or_else(|| s.at(&["backup"]).and_then(|b| b.key("barmanObjectStore"))).or_else(|| s.key("backup")))
        .map(|k| k.span)
        .unwrap_or(r.span())
}

/// The annotation on a Namespace that sets its RPO target (`drlint.io/rpo: 1h`).
pub const RPO_ANNOTATION: &str = "drlint.io/rpo";

/// The target for a store's namespace: `rpo.namespaces.<ns>` in `.drlint.yaml`, else the
/// Namespace's `drlint.io/rpo` annotation, else `rpo.default`.
pub fn rpo_target(index: &Index, targets: &crate::settings::RpoTargets, owner: &Resource, ns: &str) -> Option<(i64, String)> {
    if let Some(t) = targets.namespaces.get(ns) {
        return Some((*t, format!("rpo.namespaces.{ns} in .drlint.yaml")));
    }
    let annotated = index
        .of_kind("", "Namespace")
        .filter(|n| n.cluster == owner.cluster && n.name() == ns)
        .find_map(|n| n.annotation(RPO_ANNOTATION).and_then(|a| a.as_text()).and_then(crate::settings::parse_duration));
    if let Some(t) = annotated {
        return Some((t, format!("{RPO_ANNOTATION} on Namespace {ns}")));
    }
    targets.default.map(|t| (t, "rpo.default in .drlint.yaml".to_string()))
}

/// `45s`, `5m`, `1h30m`, `24h`, `72h`: hours for anything of a day or more (a weekend reads as 72h).
pub fn format_secs(secs: i64) -> String {
    if secs >= 3600 {
        return format_hours(secs);
    }
    let (m, s) = (secs / 60, secs % 60);
    match (m, s) {
        (0, s) => format!("{s}s"),
        (m, 0) => format!("{m}m"),
        (m, s) => format!("{m}m{s}s"),
    }
}

fn format_hours(secs: i64) -> String {
    let (h, m, s) = (secs / 3600, secs % 3600 / 60, secs % 60);
    let mut out = format!("{h}h");
    if m > 0 {
        out.push_str(&format!("{m}m"));
    }
    if s > 0 {
        out.push_str(&format!("{s}s"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn union_of_schedules() {
        let p = |t: &str| crate::cron::parse(t, crate::cron::Dialect::Velero).unwrap();
        let (weekdays, weekends) = (p("0 2 * * 1-5"), p("0 2 * * 0,6"));
        let from = crate::cron::DEFAULT_GAP_FROM;
        assert_eq!(weekdays.max_gap_over_year(from), Some(72 * 3600));
        assert_eq!(union_max_gap(&[&weekdays, &weekends], from), Some(24 * 3600));
        assert_eq!(union_max_gap(&[&p("0 2 * * *"), &p("0 14 * * *")], from), Some(12 * 3600));
        assert_eq!(union_max_gap(&[&p("@every 6h"), &p("0 2 * * 1-5")], from), Some(6 * 3600));
    }

    #[test]
    fn durations() {
        assert_eq!(pg_duration_secs("5min"), Some(300));
        assert_eq!(pg_duration_secs("60"), Some(60));
        assert_eq!(pg_duration_secs("1h"), Some(3600));
        assert_eq!(pg_duration_secs("10 parsecs"), None);
        assert_eq!(format_secs(300), "5m");
        assert_eq!(format_secs(72 * 3600), "72h");
        assert_eq!(format_secs(86400 + 1800), "24h30m");
        assert_eq!(none_reason("none: cache"), Some(Some("cache")));
        assert_eq!(none_reason("none"), Some(None));
        assert_eq!(none_reason("nonexistent"), None);
        assert_eq!(none_reason("restic to b2"), None);
    }
}
