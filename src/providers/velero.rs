//! Velero (`velero.io/v1`): a Schedule covers a store when its scope (namespaces, resources,
//! `labelSelector`, `orLabelSelectors`) includes the store's PVCs, directly or through a selected
//! pod that mounts them, and it takes their data: volume snapshots (`snapshotVolumes` unset or
//! true, CSI or native), or file-system backup of the pod volume (opted in by the pod annotation
//! `backup.velero.io/backup-volumes`, or by default with `defaultVolumesToFsBackup` on the Schedule
//! or on the server, less `backup.velero.io/backup-volumes-excludes`). The label
//! `velero.io/exclude-from-backup: "true"` on the PVC or its PersistentVolume drops it from every
//! backup, even when a selected pod mounts it; on a pod it drops that pod and its volumes.
//!
//! File-system backups and moved snapshot data (`snapshotMoveData` on the Schedule, or the
//! server's `defaultSnapshotMoveData`) go to the BackupStorageLocation; plain CSI snapshots stay
//! where the volume's driver keeps them (`csi`: the same Ceph pool, ZFS pool, Longhorn replicas...;
//! "unknown" for cloud disks and drivers drlint does not know).

use super::{Cover, Cx, Location, Outcome, Provider, Sched};
use crate::model::coverage::{Claim, Store};
use crate::model::velero::{self as model, Res, Schedule, Scope};
use crate::model::workloads;
use crate::model::{Index, Resource};
use crate::source::yaml::Node;
use crate::source::Span;

pub struct Velero;

/// The label that marks the VolumeSnapshotClass Velero uses for a CSI driver.
pub const CSI_CLASS_LABEL: &str = "velero.io/csi-volumesnapshot-class";

/// The label Velero honours to leave an object out of every backup.
pub const EXCLUDE_LABEL: &str = "velero.io/exclude-from-backup";

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
        if let Some(m) = claim.mounts.iter().filter(|m| !excluded(&m.labels)).find(|m| scope.selects(&m.labels)) {
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

fn excluded(labels: &workloads::Labels) -> bool {
    labels.get(EXCLUDE_LABEL).is_some_and(|v| v == "true")
}

/// Whether file-system backup is the server's default: the Velero HelmRelease's (or Argo CD
/// Application's) `configuration.defaultVolumesToFsBackup`, or `--default-volumes-to-fs-backup` in
/// the server's arguments.
pub fn server_fs_default(index: &Index, cluster: &Option<String>) -> bool {
    server_default(index, cluster, "defaultVolumesToFsBackup", "--default-volumes-to-fs-backup")
}

/// Whether moving CSI snapshot data to the BackupStorageLocation is the server's default
/// (`configuration.defaultSnapshotMoveData`, `--default-snapshot-move-data`).
pub fn server_move_data_default(index: &Index, cluster: &Option<String>) -> bool {
    server_default(index, cluster, "defaultSnapshotMoveData", "--default-snapshot-move-data")
}

/// A boolean server setting, from the chart's `configuration.<key>` or the server's `flag`.
fn server_default(index: &Index, cluster: &Option<String>, key: &str, flag: &str) -> bool {
    let values_say = |v: Option<&Node>| v.and_then(|v| v.at(&["configuration", key])).and_then(Node::as_bool) == Some(true);
    let helm = index.of_kind("helm.toolkit.fluxcd.io", "HelmRelease").filter(|r| &r.cluster == cluster).any(|r| {
        let chart = r.node.str_at(&["spec", "chart", "spec", "chart"]).or(r.node.str_at(&["spec", "chartRef", "name"])).unwrap_or(r.name());
        chart.contains("velero") && values_say(r.node.at(&["spec", "values"]))
    });
    let argo = index.of_kind("argoproj.io", "Application").filter(|r| &r.cluster == cluster).any(|r| {
        r.node.str_at(&["spec", "source", "chart"]).is_some_and(|c| c.contains("velero")) && values_say(r.node.at(&["spec", "source", "helm", "valuesObject"]))
    });
    let on = format!("{flag}=true");
    let args = index.named("velero").filter(|r| r.is("apps", "Deployment") && &r.cluster == cluster).any(|r| {
        workloads::pod_spec(r).into_iter().flat_map(workloads::pod_containers).flat_map(|c| c.get("args").into_iter().flat_map(|a| a.items())).filter_map(Node::as_text).any(|a| a == flag || a == on)
    });
    helm || argo || args
}

/// The Velero Schedules of a run, read once: each with its parsed scope, looked up by the
/// namespaces they include, and whether file-system backup is the server default, per cluster.
pub struct Prepared<'a> {
    schedules: Vec<(&'a Resource, Scope<'a>)>,
    /// (cluster, namespace) -> Schedules that name the namespace plainly in `includedNamespaces`.
    by_namespace: std::collections::HashMap<(Option<String>, String), Vec<usize>>,
    /// cluster -> Schedules that include every namespace, or name them by pattern.
    any_namespace: std::collections::HashMap<Option<String>, Vec<usize>>,
    /// (cluster, setting) -> the server default, computed once per cluster.
    server: std::sync::Mutex<std::collections::HashMap<(Option<String>, &'static str), bool>>,
    /// (cluster, namespace) -> `fs_opt_in_by_values`.
    opt_in: std::sync::Mutex<std::collections::HashMap<(Option<String>, String), bool>>,
}

impl<'a> Prepared<'a> {
    pub fn new(index: &'a Index) -> Prepared<'a> {
        let schedules: Vec<(&Resource, Scope)> = index.of_kind(model::GROUP, "Schedule").filter(|r| !r.unlisted).map(|r| (r, Schedule(r).scope())).collect();
        let mut by_namespace: std::collections::HashMap<(Option<String>, String), Vec<usize>> = Default::default();
        let mut any_namespace: std::collections::HashMap<Option<String>, Vec<usize>> = Default::default();
        for (i, (r, scope)) in schedules.iter().enumerate() {
            let names = &scope.included_namespaces;
            if names.is_empty() || names.iter().any(|n| n == "*" || model::is_pattern(n)) {
                any_namespace.entry(r.cluster.clone()).or_default().push(i);
            } else {
                for n in names {
                    by_namespace.entry((r.cluster.clone(), n.clone())).or_default().push(i);
                }
            }
        }
        Prepared { schedules, by_namespace, any_namespace, server: Default::default(), opt_in: Default::default() }
    }

    /// The Schedules of a cluster whose namespace filter may include `namespace`, in index order.
    pub fn including(&self, cluster: &Option<String>, namespace: &str) -> Vec<(&'a Resource, &Scope<'a>)> {
        let mut at: Vec<usize> = self.by_namespace.get(&(cluster.clone(), namespace.to_string())).into_iter().flatten().copied().collect();
        at.extend(self.any_namespace.get(cluster).into_iter().flatten().copied());
        at.sort_unstable();
        at.dedup();
        at.into_iter().map(|i| (self.schedules[i].0, &self.schedules[i].1)).collect()
    }

    /// `server_fs_default`, computed once per cluster.
    pub fn server_fs(&self, index: &Index, cluster: &Option<String>) -> bool {
        self.server_setting(cluster, "fs", || server_fs_default(index, cluster))
    }

    /// `server_move_data_default`, computed once per cluster.
    pub fn server_move_data(&self, index: &Index, cluster: &Option<String>) -> bool {
        self.server_setting(cluster, "move-data", || server_move_data_default(index, cluster))
    }

    /// Whether a HelmRelease or Argo CD Application deployed in this namespace writes Velero's
    /// file-system backup opt-in annotation into its chart values (pod annotations drlint cannot
    /// render). Computed once per (cluster, namespace).
    pub fn fs_opt_in_by_values(&self, index: &Index, cluster: &Option<String>, namespace: &str) -> bool {
        let mut memo = self.opt_in.lock().unwrap_or_else(|e| e.into_inner());
        *memo.entry((cluster.clone(), namespace.to_string())).or_insert_with(|| {
            let says = |r: &Resource| r.spec().is_some_and(|s| s.walk().into_iter().any(|n| n.as_str() == Some(workloads::FS_BACKUP_ANNOTATION)));
            let deploys_here = |r: &Resource| {
                let target = r.node.str_at(&["spec", "targetNamespace"]).or(r.node.str_at(&["spec", "destination", "namespace"]));
                target.or(r.namespace()) == Some(namespace)
            };
            index.of_kind("helm.toolkit.fluxcd.io", "HelmRelease").chain(index.of_kind("argoproj.io", "Application")).filter(|r| &r.cluster == cluster && deploys_here(r)).any(says)
        })
    }

    fn server_setting(&self, cluster: &Option<String>, what: &'static str, compute: impl FnOnce() -> bool) -> bool {
        let mut memo = self.server.lock().unwrap_or_else(|e| e.into_inner());
        *memo.entry((cluster.clone(), what)).or_insert_with(compute)
    }
}

/// The label node that excludes a store, for pointing at it.
fn exclude_label_span(store: &Store) -> Span {
    let labels = match store.template {
        Some(t) => t.at(&["metadata", "labels", EXCLUDE_LABEL]),
        None => store.owner.node.at(&["metadata", "labels", EXCLUDE_LABEL]),
    };
    labels.map(|n| n.span).unwrap_or(store.span)
}

/// The BackupStorageLocation a Schedule writes to, in words.
fn destination(index: &Index, schedule: &Resource, location: Option<&str>) -> String {
    let bsls: Vec<&Resource> = index.of_kind(model::GROUP, "BackupStorageLocation").filter(|b| b.cluster == schedule.cluster).collect();
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

impl Provider for Velero {
    fn name(&self) -> &'static str {
        "Velero"
    }

    fn reads(&self) -> &'static [(&'static str, &'static str)] {
        &[(model::GROUP, "Schedule"), (model::GROUP, "BackupStorageLocation"), (model::GROUP, "Restore"), ("helm.toolkit.fluxcd.io", "HelmRelease"), ("apps", "Deployment")]
    }

    fn cover<'a>(&self, cx: &Cx<'a>, store: &Store<'a>, out: &mut Vec<Outcome<'a>>) {
        let prepared = cx.velero();
        let schedules = prepared.including(&store.owner.cluster, &store.namespace);
        if schedules.is_empty() {
            return;
        }
        let server_fs = prepared.server_fs(cx.index, &store.owner.cluster);
        let server_move_data = prepared.server_move_data(cx.index, &store.owner.cluster);
        // A PVC that carries the exclusion label (or whose bound PV does) is in no backup.
        let pv_excluded = store.kind == crate::model::coverage::StoreKind::Pvc
            && super::share::bound_pv(cx.index, store.owner).is_some_and(|pv| excluded(&workloads::labels_of(pv.node.at(&["metadata", "labels"]))));
        let store_excluded = excluded(&store.labels) || pv_excluded;
        for (s, scope) in schedules {
            let sched = Schedule(s);
            let default_fs = scope.default_volumes_to_fs_backup_flag().unwrap_or(server_fs);
            let selected: Vec<bool> = store.claims.iter().map(|cl| matches!(select(&scope, &store.namespace, cl), Selection::Direct | Selection::ViaPod(_))).collect();
            if !selected.iter().any(|x| *x) {
                continue;
            }
            if store_excluded || store.claims.iter().all(|cl| excluded(&cl.labels)) {
                let on = if pv_excluded && !excluded(&store.labels) { " on its PersistentVolume" } else { "" };
                out.push(Outcome::Excluded { object: s, why: format!("label `{EXCLUDE_LABEL}: \"true\"`{on}"), span: exclude_label_span(store) });
                continue;
            }
            let pods_in = scope.includes_namespace(&store.namespace) && scope.includes_resource(Res::Pods);
            let fs_of = |cl: &Claim| pods_in && cl.mounts.iter().any(|m| !excluded(&m.labels) && scope.selects(&m.labels) && m.fs_backup_takes(default_fs));
            let takes: Vec<bool> = store
                .claims
                .iter()
                .zip(&selected)
                .map(|(cl, sel)| *sel && !excluded(&cl.labels) && (fs_of(cl) || scope.snapshot_volumes() != Some(false)))
                .collect();
            if !takes.iter().any(|t| *t) {
                let span = s.node.at(&["spec", "template", "snapshotVolumes"]).or(sched.schedule()).map(|n| n.span);
                out.push(Outcome::Broken { object: s, why: "it takes no volume data (`snapshotVolumes: false` and no file-system backup of the volume)".into(), span });
                continue;
            }
            if let Some(e) = sched.cron_error() {
                out.push(Outcome::Broken { object: s, why: format!("it is invalid ({e})"), span: sched.schedule().map(|n| n.span) });
                continue;
            }
            if sched.paused() {
                out.push(Outcome::Broken { object: s, why: "it is paused".into(), span: s.node.at(&["spec", "paused"]).map(|n| n.span) });
                continue;
            }
            if !takes.iter().all(|t| *t) {
                let missing = store.claims.iter().zip(&takes).filter(|(_, t)| !**t).map(|(cl, _)| cl.name.clone()).collect();
                out.push(Outcome::Partial { object: s, missing });
                continue;
            }
            let fs = store.claims.iter().any(fs_of);
            // A PVC no pod in the repository mounts is usually mounted by a pod drlint cannot see
            // (a remote chart's): with file-system backup the default, or opted into through a
            // chart's values, that pod's volume may well be backed up by file: where the copy
            // goes is then unknown, not "snapshots only".
            let unseen_pods = pods_in
                && store.claims.iter().any(|cl| cl.mounts.is_empty())
                && (default_fs || prepared.fs_opt_in_by_values(cx.index, &store.owner.cluster, &store.namespace));
            let move_data = scope.spec.and_then(|sp| sp.get("snapshotMoveData")).and_then(Node::as_bool).unwrap_or(server_move_data);
            let mut c = Cover::new(self.name(), s, format!("Velero Schedule {} ({})", s.name(), if fs { "file-system backup" } else { "volume snapshots" }));
            if let Some(node) = sched.schedule() {
                c.schedules.push(Sched::new(s, node, sched.cron(), "Velero Schedule"));
            }
            c.retention.push(match scope.ttl().and_then(|t| t.as_text()) {
                Some(t) => format!("ttl {t}"),
                None => format!("ttl {} (Velero default)", model::DEFAULT_TTL),
            });
            c.destination.push(destination(cx.index, s, scope.storage_location()));
            // Without a data mover the CSI snapshot stays where the volume's driver keeps it.
            c.location = if fs || move_data {
                Location::OffStorage
            } else if unseen_pods {
                Location::Unknown
            } else {
                match super::csi::snapshot(cx, store, None, super::csi::Pick::Label(CSI_CLASS_LABEL)).location {
                    Location::SameStorage(w) => {
                        c.destination.push(format!("volume data: {w}"));
                        Location::SameStorage(format!("Velero CSI snapshots without `snapshotMoveData`: {w}"))
                    }
                    other => other,
                }
            };
            c.restore.push(format!("velero restore create --from-schedule {} --include-namespaces {}", s.name(), store.namespace));
            out.push(Outcome::Covers(c));
        }
    }

    fn drills<'a>(&self, cx: &Cx<'a>, store: &Store<'a>, _covers: &[Cover<'a>]) -> Vec<String> {
        cx.in_cluster(store, model::GROUP, "Restore")
            .into_iter()
            .filter(|r| {
                let scope = Scope::from_spec(r.spec());
                store.claims.iter().any(|c| matches!(select(&scope, &store.namespace, c), Selection::Direct | Selection::ViaPod(_)))
            })
            .map(|r| format!("Restore {}", r.name()))
            .collect()
    }
}
