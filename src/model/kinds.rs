//! Which kinds are cluster-scoped. The built-in kinds are the ones kustomize's embedded schema
//! knows (one list, `kustomize::resource`); rules also need newer built-ins and well-known custom
//! resources that kustomize treats as namespaced. Unknown kinds are namespaced.

/// Cluster-scoped kinds kustomize's embedded schema (Kubernetes 1.21) does not know.
const CLUSTER_SCOPED_BEYOND_KUSTOMIZE: &[(&str, &str)] = &[
    ("admissionregistration.k8s.io", "ValidatingAdmissionPolicy"),
    ("admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding"),
    ("cert-manager.io", "ClusterIssuer"),
    ("postgresql.cnpg.io", "ClusterImageCatalog"),
    ("snapshot.storage.k8s.io", "VolumeSnapshotClass"),
    ("snapshot.storage.k8s.io", "VolumeSnapshotContent"),
];

pub fn is_cluster_scoped(group: &str, kind: &str) -> bool {
    crate::kustomize::resource::is_cluster_scoped(group, kind)
        || CLUSTER_SCOPED_BEYOND_KUSTOMIZE.iter().any(|&(g, k)| g == group && k == kind)
}
