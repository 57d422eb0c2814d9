//! A resource while it is being built: its tree, where it came from, and the identities it had
//! before transformers renamed it (name references are fixed up against those).

use crate::source::yaml::{Node, Style, Value};
use crate::source::{FileId, Span};

#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub(crate) struct Gvk {
    pub group: String,
    pub version: String,
    pub kind: String,
}

impl Gvk {
    pub fn from_api_version(api_version: &str, kind: &str) -> Gvk {
        let (group, version) = match api_version.rsplit_once('/') {
            Some((g, v)) => (g.to_string(), v.to_string()),
            None => (String::new(), api_version.to_string()),
        };
        Gvk { group, version, kind: kind.to_string() }
    }
    pub fn is_cluster_scoped(&self) -> bool {
        is_cluster_scoped(&self.group, &self.kind)
    }
    /// kustomize's `Gvk.String()`: `group_version_kind` with `~G`, `~V`, `~K` for empty parts.
    pub fn sort_string(&self) -> String {
        let or = |s: &str, d: &str| if s.is_empty() { d.to_string() } else { s.to_string() };
        format!("{}_{}_{}", or(&self.group, "~G"), or(&self.version, "~V"), or(&self.kind, "~K"))
    }
    /// kustomize's display form: `Kind.version.group` with `[noVer]`, `[noGrp]`.
    pub fn display(&self) -> String {
        let or = |s: &str, d: &str| if s.is_empty() { d.to_string() } else { s.to_string() };
        format!("{}.{}.{}", self.kind, or(&self.version, "[noVer]"), or(&self.group, "[noGrp]"))
    }
}

/// Kinds built into Kubernetes that have no namespace. kustomize knows only its embedded schema:
/// custom resources are namespaced for it, whatever their CRD says.
const CLUSTER_SCOPED: &[(&str, &str)] = &[
    ("", "ComponentStatus"),
    ("", "Namespace"),
    ("", "Node"),
    ("", "PersistentVolume"),
    ("admissionregistration.k8s.io", "MutatingWebhookConfiguration"),
    ("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"),
    ("apiextensions.k8s.io", "CustomResourceDefinition"),
    ("apiregistration.k8s.io", "APIService"),
    ("certificates.k8s.io", "CertificateSigningRequest"),
    ("flowcontrol.apiserver.k8s.io", "FlowSchema"),
    ("flowcontrol.apiserver.k8s.io", "PriorityLevelConfiguration"),
    ("networking.k8s.io", "IngressClass"),
    ("node.k8s.io", "RuntimeClass"),
    ("policy", "PodSecurityPolicy"),
    ("rbac.authorization.k8s.io", "ClusterRole"),
    ("rbac.authorization.k8s.io", "ClusterRoleBinding"),
    ("scheduling.k8s.io", "PriorityClass"),
    ("storage.k8s.io", "CSIDriver"),
    ("storage.k8s.io", "CSINode"),
    ("storage.k8s.io", "StorageClass"),
    ("storage.k8s.io", "VolumeAttachment"),
    ("authentication.k8s.io", "TokenReview"),
    ("authorization.k8s.io", "SelfSubjectAccessReview"),
    ("authorization.k8s.io", "SelfSubjectRulesReview"),
    ("authorization.k8s.io", "SubjectAccessReview"),
];

pub(crate) fn is_cluster_scoped(group: &str, kind: &str) -> bool {
    CLUSTER_SCOPED.iter().any(|&(g, k)| g == group && k == kind)
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
pub(crate) struct ResId {
    pub gvk: Gvk,
    pub name: String,
    pub namespace: String,
}

impl ResId {
    /// "" and "default" are the same namespace for a namespaced kind; cluster-scoped kinds have none.
    pub fn effective_namespace(&self) -> String {
        if self.gvk.is_cluster_scoped() {
            "_non_namespaceable_".into()
        } else if self.namespace.is_empty() {
            "default".into()
        } else {
            self.namespace.clone()
        }
    }
    pub fn ns_equals(&self, other: &ResId) -> bool {
        self.effective_namespace() == other.effective_namespace()
    }
    /// kustomize's `ResId.Equals`.
    pub fn equals(&self, other: &ResId) -> bool {
        self.gvk_equals(other) && self.name == other.name && self.ns_equals(other)
    }
    /// Gvk equality where an empty group/version in `self` (a patch) matches any.
    pub fn gvk_equals(&self, other: &ResId) -> bool {
        self.gvk.kind == other.gvk.kind && self.gvk.group == other.gvk.group && self.gvk.version == other.gvk.version
    }
    pub fn display(&self) -> String {
        let ns = if self.namespace.is_empty() { "[noNs]".to_string() } else { self.namespace.clone() };
        format!("{}/{}.{}", self.gvk.display(), self.name, ns)
    }
    pub fn sort_string(&self) -> String {
        let ns = if self.namespace.is_empty() { "~X" } else { &self.namespace };
        let nm = if self.name.is_empty() { "~N" } else { &self.name };
        format!("{}|{}|{}", self.gvk.sort_string(), ns, nm)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Behavior {
    Unspecified,
    Create,
    Merge,
    Replace,
}

#[derive(Clone, Debug)]
pub(crate) struct Res {
    pub node: Node,
    pub file: FileId,
    pub doc_index: usize,
    /// Identity when the resource entered the build.
    pub org_id: ResId,
    /// Identities before each rename (prefix, suffix, hash, namespace change).
    pub prev_ids: Vec<ResId>,
    /// Prefixes and suffixes applied, innermost first.
    pub prefixes: Vec<String>,
    pub suffixes: Vec<String>,
    /// A generated ConfigMap/Secret that gets a content-hash suffix at the end of the build.
    pub needs_hash: bool,
    pub behavior: Behavior,
    /// buildMetadata originAnnotations: the `config.kubernetes.io/origin` text.
    pub origin: Option<String>,
    /// buildMetadata transformerAnnotations: one YAML list item per transformer that ran.
    pub transformations: Vec<String>,
    /// Legacy vars this resource was matched to where they were declared.
    pub ref_vars: Vec<String>,
}

impl Res {
    pub fn new(node: Node, file: FileId, doc_index: usize) -> Res {
        let id = cur_id(&node);
        Res {
            node,
            file,
            doc_index,
            org_id: id,
            prev_ids: Vec::new(),
            prefixes: Vec::new(),
            suffixes: Vec::new(),
            needs_hash: false,
            behavior: Behavior::Unspecified,
            origin: None,
            transformations: Vec::new(),
            ref_vars: Vec::new(),
        }
    }
    pub fn cur_id(&self) -> ResId {
        cur_id(&self.node)
    }
    pub fn gvk(&self) -> Gvk {
        gvk_of(&self.node)
    }
    pub fn name(&self) -> String {
        self.node.str_at(&["metadata", "name"]).unwrap_or("").to_string()
    }
    pub fn namespace(&self) -> String {
        self.node.str_at(&["metadata", "namespace"]).unwrap_or("").to_string()
    }
    /// Every identity this resource has had, current first.
    pub fn any_ids(&self) -> Vec<ResId> {
        let mut v = vec![self.cur_id(), self.org_id.clone()];
        v.extend(self.prev_ids.iter().cloned());
        v
    }
    /// Record the current id before a rename.
    pub fn remember_id(&mut self) {
        let id = self.cur_id();
        if self.prev_ids.last() != Some(&id) {
            self.prev_ids.push(id);
        }
    }
    pub fn labels(&self) -> Vec<(String, String)> {
        string_map(self.node.at(&["metadata", "labels"]))
    }
    pub fn annotations(&self) -> Vec<(String, String)> {
        string_map(self.node.at(&["metadata", "annotations"]))
    }
}

pub(crate) fn string_map(n: Option<&Node>) -> Vec<(String, String)> {
    n.map(|n| n.entries().map(|(k, _, v)| (k.to_string(), v.as_str().unwrap_or("").to_string())).collect()).unwrap_or_default()
}

pub(crate) fn gvk_of(node: &Node) -> Gvk {
    Gvk::from_api_version(node.str_at(&["apiVersion"]).unwrap_or(""), node.str_at(&["kind"]).unwrap_or(""))
}

pub(crate) fn cur_id(node: &Node) -> ResId {
    ResId {
        gvk: gvk_of(node),
        name: node.str_at(&["metadata", "name"]).unwrap_or("").to_string(),
        namespace: node.str_at(&["metadata", "namespace"]).unwrap_or("").to_string(),
    }
}

/// A string scalar that stays a string in output (`"true"`, `"8080"` keep their quotes).
pub(crate) fn str_node(text: &str, span: Span) -> Node {
    let style = if crate::source::yaml::resolve_plain(text) == crate::source::yaml::Resolved::Str {
        Style::Plain
    } else {
        Style::DoubleQuoted
    };
    Node { value: Value::Scalar(text.into(), style), span, tag: None }
}

pub(crate) fn key_node(text: &str, span: Span) -> Node {
    str_node(text, span)
}

pub(crate) fn empty_map(span: Span) -> Node {
    Node::map(Vec::new(), span)
}

/// Set `path` (mapping keys) to `value`, creating mappings on the way.
pub(crate) fn set_path(node: &mut Node, path: &[&str], value: Node, span: Span) {
    let mut cur = node;
    for (i, k) in path.iter().enumerate() {
        if !cur.is_map() {
            *cur = empty_map(span);
        }
        if i == path.len() - 1 {
            cur.insert(key_node(k, span), value);
            return;
        }
        if cur.get(k).is_none_or(|n| !n.is_map()) {
            cur.insert(key_node(k, span), empty_map(span));
        }
        cur = cur.get_mut(k).unwrap();
    }
}

pub(crate) fn set_name(node: &mut Node, name: &str, span: Span) {
    set_path(node, &["metadata", "name"], str_node(name, span), span);
}

pub(crate) fn set_namespace(node: &mut Node, ns: &str, span: Span) {
    set_path(node, &["metadata", "namespace"], str_node(ns, span), span);
}

