//! The part of kustomize's built-in OpenAPI schema (Kubernetes v1.21.2, the default that kustomize
//! v5.5.0 embeds) that a strategic merge patch can observe: which lists are associative (patch
//! strategy `merge`) and what their merge keys are (`x-kubernetes-list-map-keys` when present,
//! otherwise `x-kubernetes-patch-merge-key`; none for primitive lists such as `finalizers`).
//!
//! The schema is looked up by the exact `apiVersion` and `kind` of the target, as kyaml does: an
//! object of a kind or version missing from the schema (every CRD, or `apps/v1beta2` Deployment) has
//! no schema, and then every list in it is replaced by the patch's list.

/// A position in the schema. `None` where kustomize has no schema (or the field has no merge list
/// below it, which behaves the same).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ty {
    /// Known type without associative lists below it.
    Opaque,
    Root(Root),
    ObjectMeta,
    PodTemplateSpec,
    PodSpec,
    Container,
    /// `spec` of Deployment, ReplicaSet, DaemonSet, StatefulSet, ReplicationController and Job.
    WorkloadSpec,
    CronJobSpec,
    JobTemplateSpec,
    ServiceSpec,
    NodeSpec,
    NodeStatus,
    PodStatus,
    /// A status whose only associative list is `conditions` keyed by `type`.
    ConditionStatus,
    /// An associative list (patch strategy `merge`). `keys` empty: a list of primitives.
    List(ListTy),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ListTy {
    pub keys: &'static [&'static str],
    pub elem: Elem,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Elem {
    Opaque,
    Container,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Root {
    Plain,
    Pod,
    PodTemplate,
    Workload,
    CronJob,
    Service,
    ServiceAccount,
    Node,
    ConditionsOnly,
    Webhooks,
}

const fn list(keys: &'static [&'static str]) -> Option<Ty> {
    Some(Ty::List(ListTy { keys, elem: Elem::Opaque }))
}

/// Every (apiVersion, kind) kustomize v5.5.0 has a schema for, as far as merge lists matter, with
/// the shape of its top level. Kinds absent here have no schema (lists are replaced).
const KINDS: &[(&str, &str, Root)] = &[
    ("v1", "Pod", Root::Pod),
    ("v1", "PodTemplate", Root::PodTemplate),
    ("v1", "ReplicationController", Root::Workload),
    ("v1", "Service", Root::Service),
    ("v1", "ServiceAccount", Root::ServiceAccount),
    ("v1", "Node", Root::Node),
    ("v1", "Namespace", Root::ConditionsOnly),
    ("v1", "PersistentVolumeClaim", Root::ConditionsOnly),
    ("v1", "ConfigMap", Root::Plain),
    ("v1", "Secret", Root::Plain),
    ("v1", "Endpoints", Root::Plain),
    ("v1", "Event", Root::Plain),
    ("v1", "LimitRange", Root::Plain),
    ("v1", "ResourceQuota", Root::Plain),
    ("v1", "PersistentVolume", Root::Plain),
    ("v1", "Binding", Root::Plain),
    ("v1", "ComponentStatus", Root::Plain),
    ("apps/v1", "Deployment", Root::Workload),
    ("apps/v1", "ReplicaSet", Root::Workload),
    ("apps/v1", "DaemonSet", Root::Workload),
    ("apps/v1", "StatefulSet", Root::Workload),
    ("apps/v1", "ControllerRevision", Root::Plain),
    ("batch/v1", "Job", Root::Workload),
    ("batch/v1", "CronJob", Root::CronJob),
    ("batch/v1beta1", "CronJob", Root::CronJob),
    ("policy/v1", "PodDisruptionBudget", Root::ConditionsOnly),
    ("policy/v1beta1", "PodDisruptionBudget", Root::ConditionsOnly),
    ("policy/v1beta1", "PodSecurityPolicy", Root::Plain),
    ("admissionregistration.k8s.io/v1", "ValidatingWebhookConfiguration", Root::Webhooks),
    ("admissionregistration.k8s.io/v1", "MutatingWebhookConfiguration", Root::Webhooks),
    ("admissionregistration.k8s.io/v1beta1", "ValidatingWebhookConfiguration", Root::Webhooks),
    ("admissionregistration.k8s.io/v1beta1", "MutatingWebhookConfiguration", Root::Webhooks),
    ("autoscaling/v1", "HorizontalPodAutoscaler", Root::Plain),
    ("autoscaling/v2beta1", "HorizontalPodAutoscaler", Root::Plain),
    ("autoscaling/v2beta2", "HorizontalPodAutoscaler", Root::Plain),
    ("networking.k8s.io/v1", "Ingress", Root::Plain),
    ("networking.k8s.io/v1", "IngressClass", Root::Plain),
    ("networking.k8s.io/v1", "NetworkPolicy", Root::Plain),
    ("networking.k8s.io/v1beta1", "Ingress", Root::Plain),
    ("networking.k8s.io/v1beta1", "IngressClass", Root::Plain),
    ("extensions/v1beta1", "Ingress", Root::Plain),
    ("rbac.authorization.k8s.io/v1", "Role", Root::Plain),
    ("rbac.authorization.k8s.io/v1", "ClusterRole", Root::Plain),
    ("rbac.authorization.k8s.io/v1", "RoleBinding", Root::Plain),
    ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding", Root::Plain),
    ("rbac.authorization.k8s.io/v1beta1", "Role", Root::Plain),
    ("rbac.authorization.k8s.io/v1beta1", "ClusterRole", Root::Plain),
    ("rbac.authorization.k8s.io/v1beta1", "RoleBinding", Root::Plain),
    ("rbac.authorization.k8s.io/v1beta1", "ClusterRoleBinding", Root::Plain),
    ("storage.k8s.io/v1", "StorageClass", Root::Plain),
    ("storage.k8s.io/v1", "VolumeAttachment", Root::Plain),
    ("storage.k8s.io/v1", "CSIDriver", Root::Plain),
    ("storage.k8s.io/v1", "CSINode", Root::Plain),
    ("scheduling.k8s.io/v1", "PriorityClass", Root::Plain),
    ("coordination.k8s.io/v1", "Lease", Root::Plain),
    ("discovery.k8s.io/v1", "EndpointSlice", Root::Plain),
    ("discovery.k8s.io/v1beta1", "EndpointSlice", Root::Plain),
    ("node.k8s.io/v1", "RuntimeClass", Root::Plain),
    ("certificates.k8s.io/v1", "CertificateSigningRequest", Root::Plain),
    ("apiextensions.k8s.io/v1", "CustomResourceDefinition", Root::Plain),
    ("apiextensions.k8s.io/v1beta1", "CustomResourceDefinition", Root::Plain),
    ("apiregistration.k8s.io/v1", "APIService", Root::Plain),
    ("events.k8s.io/v1", "Event", Root::Plain),
];

/// The schema of a whole object, by its exact apiVersion and kind.
pub fn for_object(api_version: &str, kind: &str) -> Option<Ty> {
    KINDS.iter().find(|(a, k, _)| *a == api_version && *k == kind).map(|(_, _, r)| Ty::Root(*r))
}

const NAME: &[&str] = &["name"];
const TYPE: &[&str] = &["type"];

/// The schema of field `name` of a map of schema `ty`.
pub fn field(ty: Option<Ty>, name: &str) -> Option<Ty> {
    let ty = ty?;
    let containers = || Some(Ty::List(ListTy { keys: NAME, elem: Elem::Container }));
    match ty {
        Ty::Opaque | Ty::List(_) => Some(Ty::Opaque),
        Ty::Root(root) => {
            if name == "metadata" {
                return Some(Ty::ObjectMeta);
            }
            match (root, name) {
                (Root::Pod, "spec") => Some(Ty::PodSpec),
                (Root::Pod, "status") => Some(Ty::PodStatus),
                (Root::PodTemplate, "template") => Some(Ty::PodTemplateSpec),
                (Root::Workload, "spec") => Some(Ty::WorkloadSpec),
                (Root::Workload | Root::ConditionsOnly | Root::Service, "status") => Some(Ty::ConditionStatus),
                (Root::CronJob, "spec") => Some(Ty::CronJobSpec),
                (Root::Service, "spec") => Some(Ty::ServiceSpec),
                (Root::ServiceAccount, "secrets") => list(NAME),
                (Root::Node, "spec") => Some(Ty::NodeSpec),
                (Root::Node, "status") => Some(Ty::NodeStatus),
                (Root::Webhooks, "webhooks") => list(NAME),
                _ => Some(Ty::Opaque),
            }
        }
        Ty::ObjectMeta => match name {
            "finalizers" => list(&[]),
            "ownerReferences" => list(&["uid"]),
            _ => Some(Ty::Opaque),
        },
        Ty::PodTemplateSpec | Ty::JobTemplateSpec => match name {
            "metadata" => Some(Ty::ObjectMeta),
            "spec" if ty == Ty::PodTemplateSpec => Some(Ty::PodSpec),
            "spec" => Some(Ty::WorkloadSpec),
            _ => Some(Ty::Opaque),
        },
        Ty::WorkloadSpec => match name {
            "template" => Some(Ty::PodTemplateSpec),
            _ => Some(Ty::Opaque),
        },
        Ty::CronJobSpec => match name {
            "jobTemplate" => Some(Ty::JobTemplateSpec),
            _ => Some(Ty::Opaque),
        },
        Ty::PodSpec => match name {
            "containers" | "initContainers" | "ephemeralContainers" => containers(),
            "volumes" | "imagePullSecrets" => list(NAME),
            "hostAliases" => list(&["ip"]),
            "topologySpreadConstraints" => list(&["topologyKey", "whenUnsatisfiable"]),
            _ => Some(Ty::Opaque),
        },
        Ty::Container => match name {
            "env" => list(NAME),
            "ports" => list(&["containerPort", "protocol"]),
            "volumeMounts" => list(&["mountPath"]),
            "volumeDevices" => list(&["devicePath"]),
            _ => Some(Ty::Opaque),
        },
        Ty::ServiceSpec => match name {
            "ports" => list(&["port", "protocol"]),
            _ => Some(Ty::Opaque),
        },
        Ty::NodeSpec => match name {
            "podCIDRs" => list(&[]),
            _ => Some(Ty::Opaque),
        },
        Ty::NodeStatus => match name {
            "conditions" | "addresses" => list(TYPE),
            _ => Some(Ty::Opaque),
        },
        Ty::PodStatus => match name {
            "conditions" => list(TYPE),
            "podIPs" => list(&["ip"]),
            _ => Some(Ty::Opaque),
        },
        Ty::ConditionStatus => match name {
            "conditions" => list(TYPE),
            _ => Some(Ty::Opaque),
        },
    }
}

/// The associative-list description of a schema position, if it is one.
pub fn as_list(ty: Option<Ty>) -> Option<ListTy> {
    match ty {
        Some(Ty::List(l)) => Some(l),
        _ => None,
    }
}

/// The schema of the elements of an associative list.
pub fn elements(l: ListTy) -> Option<Ty> {
    match l.elem {
        Elem::Opaque => Some(Ty::Opaque),
        Elem::Container => Some(Ty::Container),
    }
}

/// Every associative list the schema above knows, as (kinds, field path, merge keys), for
/// documentation and tests. Paths use `[]` for "each element of".
pub const MERGE_TABLE: &[(&str, &str, &[&str])] = &[
    ("every kind with a schema", "metadata.finalizers", &[]),
    ("every kind with a schema", "metadata.ownerReferences", &["uid"]),
    ("pod templates (*)", "spec.containers", &["name"]),
    ("pod templates (*)", "spec.initContainers", &["name"]),
    ("pod templates (*)", "spec.ephemeralContainers", &["name"]),
    ("pod templates (*)", "spec.volumes", &["name"]),
    ("pod templates (*)", "spec.imagePullSecrets", &["name"]),
    ("pod templates (*)", "spec.hostAliases", &["ip"]),
    ("pod templates (*)", "spec.topologySpreadConstraints", &["topologyKey", "whenUnsatisfiable"]),
    ("pod templates (*)", "spec.<containers>[].env", &["name"]),
    ("pod templates (*)", "spec.<containers>[].ports", &["containerPort", "protocol"]),
    ("pod templates (*)", "spec.<containers>[].volumeMounts", &["mountPath"]),
    ("pod templates (*)", "spec.<containers>[].volumeDevices", &["devicePath"]),
    ("v1 Service", "spec.ports", &["port", "protocol"]),
    ("v1 ServiceAccount", "secrets", &["name"]),
    ("v1 Node", "spec.podCIDRs", &[]),
    ("v1 Node", "status.conditions", &["type"]),
    ("v1 Node", "status.addresses", &["type"]),
    ("v1 Pod", "status.conditions", &["type"]),
    ("v1 Pod", "status.podIPs", &["ip"]),
    ("workloads, Service, Namespace, PVC, PDB", "status.conditions", &["type"]),
    ("admissionregistration.k8s.io Validating/MutatingWebhookConfiguration", "webhooks", &["name"]),
];
