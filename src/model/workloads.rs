//! Typed views over workloads: the pod template of every kind that runs pods, the PVCs those pods
//! mount, and the labels each PVC and pod will carry in the cluster (what Velero's label selectors
//! are evaluated against).
//!
//! Labels are computed as the controllers set them:
//! - a plain `PersistentVolumeClaim`: its own `metadata.labels`;
//! - a StatefulSet `volumeClaimTemplates[]` PVC: the template's labels plus the StatefulSet's
//!   `spec.selector.matchLabels` (the controller copies those, and none of the other pod-template
//!   labels), named `<template>-<statefulset>-<ordinal>` for ordinals `0..spec.replicas` (default 1);
//! - a CNPG instance PVC: `cnpg.io/cluster`, `cnpg.io/instanceName`, `cnpg.io/pvcRole` and the
//!   Cluster's `spec.inheritedMetadata.labels`.

use super::cnpg;
use super::Resource;
use crate::source::yaml::Node;
use crate::source::Span;
use std::collections::BTreeMap;

pub type Labels = BTreeMap<String, String>;

/// The Velero pod annotation that opts volumes into file-system backup.
pub const FS_BACKUP_ANNOTATION: &str = "backup.velero.io/backup-volumes";
/// The Velero pod annotation that opts volumes out of file-system backup.
pub const FS_BACKUP_EXCLUDE_ANNOTATION: &str = "backup.velero.io/backup-volumes-excludes";

/// A mapping of string labels as written (`metadata.labels`, `matchLabels`).
pub fn labels_of(node: Option<&Node>) -> Labels {
    node.into_iter().flat_map(|m| m.entries()).map(|(k, _, v)| (k.to_string(), v.as_text().unwrap_or("").to_string())).collect()
}

/// Where a kind keeps its pod template: `(metadata, spec)` of the pods it creates.
pub fn pod_template(r: &Resource) -> Option<(Option<&Node>, &Node)> {
    let path: &[&str] = match (r.group(), r.kind()) {
        ("", "Pod") => &[],
        ("", "ReplicationController")
        | ("apps", "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet")
        | ("batch", "Job") => &["spec", "template"],
        ("batch", "CronJob") => &["spec", "jobTemplate", "spec", "template"],
        // KEDA's ScaledJob creates Jobs from `spec.jobTargetRef` (a JobSpec).
        ("keda.sh", "ScaledJob") => &["spec", "jobTargetRef", "template"],
        ("", "PodTemplate") => &["template"],
        _ => return None,
    };
    let t = if path.is_empty() { &r.node } else { r.node.at(path)? };
    let spec = t.get("spec").filter(|s| s.is_map())?;
    Some((t.get("metadata"), spec))
}

/// The pod spec of a built-in workload (`Pod`, `Deployment`, `StatefulSet`, `DaemonSet`,
/// `ReplicaSet`, `Job`, `CronJob`, `ReplicationController`, `PodTemplate`) or KEDA `ScaledJob`,
/// when it is a mapping.
pub fn pod_spec(r: &Resource) -> Option<&Node> {
    pod_template(r).map(|(_, spec)| spec)
}

/// Every container of a pod spec: `initContainers`, `containers` and `ephemeralContainers`.
pub fn pod_containers(pod: &Node) -> impl Iterator<Item = &Node> {
    ["initContainers", "containers", "ephemeralContainers"]
        .into_iter()
        .flat_map(move |k| pod.get(k).into_iter().flat_map(|c| c.items()))
        .filter(|c| c.is_map())
}

/// `volumes[]` of a pod spec.
pub fn pod_volumes(pod: &Node) -> impl Iterator<Item = &Node> {
    pod.get("volumes").into_iter().flat_map(|v| v.items()).filter(|v| v.is_map())
}

/// A workload's pods, as far as Velero sees them.
#[derive(Clone, Debug)]
pub struct PodGroup<'a> {
    pub owner: &'a Resource,
    /// Labels every pod of the group carries.
    pub labels: Labels,
    /// Volume names listed in `backup.velero.io/backup-volumes`.
    pub fs_backup_volumes: Vec<String>,
    /// Volume names listed in `backup.velero.io/backup-volumes-excludes`.
    pub fs_backup_excludes: Vec<String>,
}

impl PodGroup<'_> {
    /// Whether file-system backup takes `volume` of these pods: opted in by annotation, or by
    /// `defaultVolumesToFsBackup` and not opted out.
    pub fn fs_backup_takes(&self, volume: &str, default_to_fs: bool) -> bool {
        if default_to_fs {
            !self.fs_backup_excludes.iter().any(|v| v == volume)
        } else {
            self.fs_backup_volumes.iter().any(|v| v == volume)
        }
    }
}

fn annotation_list(meta: Option<&Node>, key: &str) -> Vec<String> {
    meta.and_then(|m| m.at(&["annotations", key]))
        .and_then(Node::as_text)
        .map(|s| s.split(',').map(|v| v.trim().to_string()).filter(|v| !v.is_empty()).collect())
        .unwrap_or_default()
}

/// The pods a workload runs (none for kinds that run no pods).
pub fn pod_group(r: &Resource) -> Option<PodGroup<'_>> {
    let (meta, _) = pod_template(r)?;
    Some(PodGroup {
        owner: r,
        labels: labels_of(meta.and_then(|m| m.get("labels"))),
        fs_backup_volumes: annotation_list(meta, FS_BACKUP_ANNOTATION),
        fs_backup_excludes: annotation_list(meta, FS_BACKUP_EXCLUDE_ANNOTATION),
    })
}

/// `(volume name, claimName node)` of every `persistentVolumeClaim` volume in a pod spec.
pub fn claim_volumes(spec: &Node) -> Vec<(String, &Node)> {
    spec.get("volumes")
        .into_iter()
        .flat_map(|v| v.items())
        .filter_map(|v| {
            let claim = v.at(&["persistentVolumeClaim", "claimName"]).filter(|n| n.as_text().is_some())?;
            Some((v.str_at(&["name"]).unwrap_or("").to_string(), claim))
        })
        .collect()
}

/// `spec.replicas` of a StatefulSet (default 1; an unparsable value counts as 1).
pub fn replicas(r: &Resource) -> i64 {
    match r.node.at(&["spec", "replicas"]) {
        Some(n) if !n.is_null() => n.as_i64().unwrap_or(1).max(0),
        _ => 1,
    }
}

/// A StatefulSet `volumeClaimTemplates[]` entry.
#[derive(Clone, Debug)]
pub struct ClaimTemplate<'a> {
    pub statefulset: &'a Resource,
    pub node: &'a Node,
    /// `metadata.name` of the template (the volume name in the pod).
    pub name: String,
}

impl<'a> ClaimTemplate<'a> {
    /// Labels each PVC made from the template carries: the template's own plus the StatefulSet's
    /// `spec.selector.matchLabels` (which win on conflict, as the controller sets them last).
    pub fn pvc_labels(&self) -> Labels {
        let mut l = labels_of(self.node.at(&["metadata", "labels"]));
        l.extend(labels_of(self.statefulset.node.at(&["spec", "selector", "matchLabels"])));
        l
    }

    /// `<template>-<statefulset>-<ordinal>` for every replica.
    pub fn pvc_names(&self) -> Vec<String> {
        let set = self.statefulset.name();
        (0..replicas(self.statefulset)).map(|i| format!("{}-{set}-{i}", self.name)).collect()
    }

    pub fn span(&self) -> Span {
        self.node.at(&["metadata", "name"]).map(|n| n.span).unwrap_or(self.node.span)
    }

    pub fn annotation(&self, key: &str) -> Option<&'a Node> {
        self.node.at(&["metadata", "annotations", key])
    }
}

/// The `volumeClaimTemplates` of a StatefulSet (`apps/v1`).
pub fn claim_templates(r: &Resource) -> Vec<ClaimTemplate<'_>> {
    if !r.is("apps", "StatefulSet") {
        return Vec::new();
    }
    r.node
        .at(&["spec", "volumeClaimTemplates"])
        .into_iter()
        .flat_map(|v| v.items())
        .filter_map(|t| Some(ClaimTemplate { statefulset: r, node: t, name: t.str_at(&["metadata", "name"])?.to_string() }))
        .collect()
}

/// Labels of the pods a StatefulSet's ordinal runs: the template's plus what the controller adds.
pub fn statefulset_pod_labels(r: &Resource, ordinal: i64) -> Labels {
    let mut l = pod_group(r).map(|g| g.labels).unwrap_or_default();
    l.insert("statefulset.kubernetes.io/pod-name".into(), format!("{}-{ordinal}", r.name()));
    l.insert("apps.kubernetes.io/pod-index".into(), ordinal.to_string());
    l
}

/// One PVC of a CNPG instance.
#[derive(Clone, Debug)]
pub struct CnpgPvc {
    pub name: String,
    /// The instance (pod) name, `<cluster>-<serial>`.
    pub instance: String,
    pub labels: Labels,
}

/// `spec.inheritedMetadata.labels` of a CNPG Cluster.
pub fn cnpg_inherited_labels(r: &Resource) -> Labels {
    labels_of(r.node.at(&["spec", "inheritedMetadata", "labels"]))
}

/// Number of instances of a CNPG Cluster (`spec.instances`, default 1).
pub fn cnpg_instances(r: &Resource) -> i64 {
    r.node.at(&["spec", "instances"]).and_then(Node::as_i64).unwrap_or(1).max(0)
}

/// Labels of a CNPG instance pod: `cnpg.io/cluster`, `cnpg.io/instanceName`, `cnpg.io/podRole`
/// plus the inherited labels. (The role labels change on failover and are left out.)
pub fn cnpg_pod_labels(r: &Resource, instance: &str) -> Labels {
    let mut l = cnpg_inherited_labels(r);
    l.insert("cnpg.io/cluster".into(), r.name().to_string());
    l.insert("cnpg.io/instanceName".into(), instance.to_string());
    l.insert("cnpg.io/podRole".into(), "instance".into());
    l
}

/// A PostgreSQL identifier as CNPG puts it in a Kubernetes name (`convertPostgresIDToK8sName`):
/// a leading `_` becomes `1`, `$` and `_` become `-`, lower case.
pub fn cnpg_k8s_name(id: &str) -> String {
    let id = match id.strip_prefix('_') {
        Some(rest) => format!("1{rest}"),
        None => id.to_string(),
    };
    id.replace(['$', '_'], "-").to_lowercase()
}

/// Every PVC CNPG creates for a Cluster's instances: data (`<instance>`), WAL (`<instance>-wal`,
/// with `spec.walStorage`) and one per tablespace (`<instance>-tbs-<name>`), for serials
/// `1..=instances`. Labels as CNPG's PVC builder sets them: `cnpg.io/instanceName`,
/// `cnpg.io/pvcRole`, `app.kubernetes.io/managed-by`, `cnpg.io/tablespaceName` for tablespaces,
/// then the Cluster's inherited labels and `cnpg.io/cluster`.
pub fn cnpg_pvcs(r: &Resource) -> Vec<CnpgPvc> {
    if !r.is(cnpg::GROUP, "Cluster") {
        return Vec::new();
    }
    // (name suffix, role, tablespace)
    let mut roles: Vec<(String, &str, Option<String>)> = vec![(String::new(), "PG_DATA", None)];
    if r.node.at(&["spec", "walStorage"]).is_some_and(Node::is_map) {
        roles.push(("-wal".into(), "PG_WAL", None));
    }
    for t in r.node.at(&["spec", "tablespaces"]).into_iter().flat_map(|t| t.items()) {
        if let Some(name) = t.str_at(&["name"]) {
            roles.push((format!("-tbs-{}", cnpg_k8s_name(name)), "PG_TABLESPACE", Some(name.to_string())));
        }
    }
    let mut out = Vec::new();
    for serial in 1..=cnpg_instances(r) {
        let instance = format!("{}-{serial}", r.name());
        for (suffix, role, tablespace) in &roles {
            let mut labels = Labels::new();
            labels.insert("cnpg.io/instanceName".into(), instance.clone());
            labels.insert("cnpg.io/pvcRole".into(), role.to_string());
            labels.insert("app.kubernetes.io/managed-by".into(), "cloudnative-pg".into());
            if let Some(t) = tablespace {
                labels.insert("cnpg.io/tablespaceName".into(), t.clone());
            }
            labels.extend(cnpg_inherited_labels(r));
            labels.insert("cnpg.io/cluster".into(), r.name().to_string());
            out.push(CnpgPvc { name: format!("{instance}{suffix}"), instance: instance.clone(), labels });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::yaml;
    use crate::source::FileId;

    fn res(text: &str) -> Resource {
        let p = yaml::parse(FileId(0), text);
        Resource::new(p.documents[0].root.clone().unwrap(), FileId(0), 0)
    }

    #[test]
    fn statefulset_pvc_labels_and_names() {
        let r = res("apiVersion: apps/v1\nkind: StatefulSet\nmetadata: {name: pg}\nspec:\n  replicas: 2\n  selector: {matchLabels: {app.kubernetes.io/name: pg}}\n  template:\n    metadata: {labels: {app.kubernetes.io/name: pg, app: postgres}}\n    spec: {containers: []}\n  volumeClaimTemplates:\n  - metadata: {name: data, labels: {tier: db}}\n");
        let t = &claim_templates(&r)[0];
        assert_eq!(t.pvc_names(), vec!["data-pg-0", "data-pg-1"]);
        let l = t.pvc_labels();
        assert_eq!(l.get("app.kubernetes.io/name").map(String::as_str), Some("pg"));
        assert_eq!(l.get("tier").map(String::as_str), Some("db"));
        assert!(!l.contains_key("app"));
    }

    #[test]
    fn cnpg_pvcs_with_wal_and_tablespaces() {
        let r = res("apiVersion: postgresql.cnpg.io/v1\nkind: Cluster\nmetadata: {name: db}\nspec:\n  instances: 2\n  inheritedMetadata: {labels: {team: a}}\n  walStorage: {size: 1Gi}\n  tablespaces: [{name: Idx_2}]\n");
        let names: Vec<String> = cnpg_pvcs(&r).into_iter().map(|p| p.name).collect();
        assert_eq!(names, vec!["db-1", "db-1-wal", "db-1-tbs-idx-2", "db-2", "db-2-wal", "db-2-tbs-idx-2"]);
        let p = &cnpg_pvcs(&r)[1];
        assert_eq!(p.labels.get("cnpg.io/pvcRole").map(String::as_str), Some("PG_WAL"));
        assert_eq!(p.labels.get("team").map(String::as_str), Some("a"));
    }
}

#[cfg(test)]
mod pod_spec_tests {
    use super::*;
    use crate::source::{yaml, FileId};

    fn resource(text: &str) -> Resource {
        let parsed = yaml::parse(FileId(0), text);
        Resource::new(parsed.documents[0].root.clone().unwrap(), FileId(0), 0)
    }

    #[test]
    fn finds_the_pod_spec_of_each_kind() {
        let cron = resource(
            "apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c}\nspec:\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers: [{name: a}]\n          initContainers: [{name: b}]\n",
        );
        let pod = pod_spec(&cron).unwrap();
        assert_eq!(pod_containers(pod).count(), 2);
        let dep = resource("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {template: {spec: {containers: []}}}\n");
        assert!(pod_spec(&dep).is_some());
        let other = resource("apiVersion: example.com/v1\nkind: Deployment\nmetadata: {name: d}\nspec: {template: {spec: {}}}\n");
        assert!(pod_spec(&other).is_none());
    }
}
