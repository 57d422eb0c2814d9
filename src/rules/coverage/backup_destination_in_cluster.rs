//! A backup written to storage inside the cluster it protects (a MinIO, Garage, SeaweedFS or
//! Rook-Ceph object store the repository deploys, reached by its Service name or through an
//! Ingress) dies with that cluster: the disaster the backup exists for takes the backup too.
//!
//! Destinations read: Velero BackupStorageLocation `config.s3Url`, CNPG in-tree
//! `barmanObjectStore.endpointURL` and barman-cloud ObjectStore `configuration.endpointURL`, K8up
//! `backend.s3.endpoint`, Kasten K10 Profile `location.objectStore.endpoint`, Longhorn BackupTarget
//! `backupTargetURL`, and the repository URL of a VolSync restic/kopia mover when its Secret is
//! readable in the repository. Silent when the same data has a second destination outside (another
//! BSL, another archive, another ReplicationSource of the PVC), or when a workload in the cluster
//! copies a bucket elsewhere (`rclone sync|copy`, `mc mirror`, `restic copy`, `kopia … sync-to`).

use crate::model::cnpg::{self, Cluster, Via};
use crate::diag::Severity;
use crate::model::destination::{in_cluster, Inside};
use crate::model::{Index, Resource};
use crate::rules::{Context, Rule};
use crate::source::Span;
use std::collections::BTreeMap;

crate::declare_rule!(
    BackupDestinationInCluster,
    "backup-destination-in-cluster",
    Warning,
    "a backup destination inside the cluster it protects (a cluster-local Service, or a host routed to one): it is lost with the cluster"
);

/// One place a backup is written.
struct Dest<'a> {
    object: &'a Resource,
    span: Span,
    /// What is written there, for the message (`Velero backups`, `the archive of Cluster db/pg`).
    what: String,
    /// Destinations in one group back up the same data: one outside silences the group.
    group: String,
    /// Why it is in the cluster; `None` when outside or unknown.
    inside: Option<Inside>,
}

impl<'a> Dest<'a> {
    /// A destination written as a URL in `node` of `object`.
    fn at_url(index: &'a Index, object: &'a Resource, node: &crate::source::yaml::Node, what: String, group: String) -> Dest<'a> {
        let inside = in_cluster(index, &object.cluster, object.namespace(), node.as_str().unwrap_or(""));
        Dest { object, span: node.span, what, group, inside }
    }
}

impl Rule for BackupDestinationInCluster {
    fn meta(&self) -> &'static crate::rules::RuleMeta {
        &META
    }

    fn check_index(&self, index: &Index, cx: &mut Context) {
        let dests = destinations(index);
        let mut groups: BTreeMap<&str, Vec<&Dest>> = BTreeMap::new();
        for d in &dests {
            groups.entry(d.group.as_str()).or_default().push(d);
        }
        let mut reported: Vec<(Span, String)> = Vec::new();
        for members in groups.values() {
            if members.iter().any(|d| d.inside.is_none()) {
                continue;
            }
            for d in members {
                if copies_elsewhere(index, &d.object.cluster) || reported.iter().any(|(s, w)| *s == d.span && *w == d.what) {
                    continue;
                }
                reported.push((d.span, d.what.clone()));
                let Some(inside) = &d.inside else { continue };
                // Where the store keeps its bytes is not among the rendered objects (a chart makes
                // its volumes): it may be a NAS share that outlives the cluster. A note.
                let (severity, caveat) = match inside.storage_known {
                    true => (cx.meta.severity, ""),
                    false => (Severity::Note, "; where that store keeps its data is not in the rendered objects, so this is a note: if it is a share outside the cluster, the backups survive, but a restore still waits for the store to be rebuilt"),
                };
                let diag = cx.report_on(
                    d.object,
                    d.span,
                    format!("{} go to storage inside the cluster they protect ({}): when the cluster is lost, so are the backups{caveat}", d.what, inside.why),
                );
                diag.severity = severity;
                diag.help("write backups to object storage outside the cluster (another site, a cloud bucket), or add a second destination or a replication job (rclone, `mc mirror`) that copies this one out");
            }
        }
    }
}

fn destinations(index: &Index) -> Vec<Dest<'_>> {
    let mut out = Vec::new();
    let live = |r: &&Resource| !r.unlisted;
    for bsl in index.of_kind("velero.io", "BackupStorageLocation").filter(live) {
        // A location with no s3Url (AWS, GCS, Azure) is outside: it still counts for its group.
        let n = bsl.node.at(&["spec", "config", "s3Url"]);
        out.push(Dest {
            object: bsl,
            span: n.map(|n| n.span).unwrap_or(bsl.span()),
            what: format!("Velero backups (BackupStorageLocation `{}`)", bsl.qualified_name()),
            group: format!("velero {:?}", bsl.cluster),
            inside: n.and_then(|n| in_cluster(index, &bsl.cluster, bsl.namespace(), n.as_str().unwrap_or(""))),
        });
    }
    for c in index.of_kind(cnpg::GROUP, "Cluster").filter(live) {
        for a in Cluster(c).archives(index) {
            let (object, node) = match a.via {
                Via::InTree(store) => (c, store.get("endpointURL")),
                Via::Plugin { object_store, .. } => (object_store, object_store.node.at(&["spec", "configuration", "endpointURL"])),
            };
            out.push(Dest {
                object,
                span: node.map(|n| n.span).unwrap_or(a.path_span),
                what: format!("base backups and WAL of Cluster `{}`", c.qualified_name()),
                group: format!("cnpg {:?} {}", c.cluster, c.qualified_name()),
                inside: node.and_then(|n| in_cluster(index, &object.cluster, object.namespace(), n.as_str().unwrap_or(""))),
            });
        }
    }
    for kind in ["Schedule", "Backup"] {
        for s in index.of_kind("k8up.io", kind).filter(live) {
            let Some(n) = s.node.at(&["spec", "backend", "s3", "endpoint"]) else { continue };
            let what = format!("K8up backups of namespace `{}` ({kind} `{}`)", s.namespace().unwrap_or("default"), s.name());
            out.push(Dest::at_url(index, s, n, what, format!("k8up {:?} {}", s.cluster, s.namespace().unwrap_or(""))));
        }
    }
    for p in index.of_kind("config.kio.kasten.io", "Profile").filter(live) {
        let Some(n) = p.node.at(&["spec", "location", "objectStore", "endpoint"]) else { continue };
        out.push(Dest::at_url(index, p, n, format!("Kasten K10 exports (Profile `{}`)", p.qualified_name()), format!("k10 {:?}", p.cluster)));
    }
    for t in index.of_kind("longhorn.io", "BackupTarget").filter(live) {
        let Some(n) = t.node.at(&["spec", "backupTargetURL"]) else { continue };
        out.push(Dest::at_url(index, t, n, format!("Longhorn backups (BackupTarget `{}`)", t.qualified_name()), format!("longhorn {:?}", t.cluster)));
    }
    for rs in index.of_kind("volsync.backube", "ReplicationSource").filter(live) {
        for (mover, keys) in [("restic", &["RESTIC_REPOSITORY"][..]), ("kopia", &["KOPIA_REPOSITORY", "KOPIA_S3_ENDPOINT"][..])] {
            let Some(secret_ref) = rs.node.at(&["spec", mover, "repository"]) else { continue };
            let Some(url) = secret_value(index, rs, secret_ref.as_str().unwrap_or(""), keys) else { continue };
            out.push(Dest {
                object: rs,
                span: secret_ref.span,
                what: format!("VolSync {mover} backups of PVC `{}`", rs.node.str_at(&["spec", "sourcePVC"]).unwrap_or("?")),
                group: format!("volsync {:?} {:?} {}", rs.cluster, rs.namespace(), rs.node.str_at(&["spec", "sourcePVC"]).unwrap_or("")),
                inside: in_cluster(index, &rs.cluster, rs.namespace(), &url),
            });
        }
    }
    out
}

/// A readable (not SOPS-encrypted) value of one of `keys` in Secret `name` beside `near`.
/// Used only to locate the repository's host; the value is never printed.
fn secret_value(index: &Index, near: &Resource, name: &str, keys: &[&str]) -> Option<String> {
    let secret = index.get(near.cluster.as_deref(), near.namespace(), "", "Secret", name).into_iter().find(|s| s.node.get("sops").is_none())?;
    for key in keys {
        if let Some(v) = secret.node.at(&["stringData", key]).and_then(|n| n.as_text()) {
            return Some(v.to_string());
        }
        if let Some(v) = secret.node.at(&["data", key]).and_then(|n| n.as_text()).and_then(crate::util::base64_decode).and_then(|b| String::from_utf8(b).ok()) {
            return Some(v);
        }
    }
    None
}

/// Whether a workload in the cluster copies backups elsewhere (`rclone sync`, `mc mirror`, …).
fn copies_elsewhere(index: &Index, cluster: &Option<String>) -> bool {
    const COPIERS: &[&str] = &["rclone sync", "rclone copy", "mc mirror", "restic copy", "sync-to", "aws s3 sync", "rclone bisync"];
    ["CronJob", "Job", "Deployment"].iter().any(|kind| {
        index.of_kind(if *kind == "Deployment" { "apps" } else { "batch" }, kind).filter(|r| &r.cluster == cluster && !r.unlisted).any(|r| {
            let Some(pod) = crate::model::workloads::pod_spec(r) else { return false };
            crate::model::workloads::pod_containers(pod).any(|c| {
                let text: Vec<&str> = ["command", "args"].iter().flat_map(|k| c.get(k).into_iter().flat_map(|l| l.items())).filter_map(|n| n.as_text()).collect();
                let joined = text.join(" ");
                COPIERS.iter().any(|p| joined.contains(p))
            })
        })
    })
}
