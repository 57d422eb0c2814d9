//! The object model rules see: a `Resource` is one Kubernetes object (as written, or rendered by
//! kustomize with provenance), and the `Index` finds objects by cluster, namespace, kind and name.

pub mod bootstrap;
pub mod cnpg;
pub mod coverage;
pub mod destination;
pub mod index;
pub mod kinds;
pub mod matrix;
pub mod secret_values;
pub mod secrets;
pub mod velero;
pub mod views;
pub mod workloads;

pub use index::Index;

use crate::source::yaml::Node;
use crate::source::{FileId, Span};

/// One Kubernetes object.
#[derive(Clone, Debug)]
pub struct Resource {
    /// The object's mapping. Every node's span points at the text that produced its value.
    pub node: Node,
    /// The file and document the object was read from (for a rendered object: the file its
    /// `metadata` came from).
    pub file: FileId,
    pub doc_index: usize,
    /// The entry points or overlays that render this object; empty when linted as written.
    pub renders: Vec<String>,
    /// The cluster the object is deployed to, when known (Flux layout: a folder under clusters/).
    /// When one check covers several repositories, it is prefixed with the repository's folder,
    /// so that objects of different repositories never meet in the index.
    pub cluster: Option<String>,
    /// The repository the object belongs to, when one check covers several (else `None`).
    /// Repository-wide comparisons (archive paths, say) compare objects of one repository only.
    pub repo: Option<String>,
    /// Namespace the object lands in when it is namespaced and its own `metadata.namespace` is
    /// unset: the kustomize `namespace`, the Flux `targetNamespace` or Argo CD destination.
    pub default_namespace: Option<String>,
    /// Linted as written from a folder whose kustomization (read by a render) does not list the
    /// file: nothing applies it (a template, a file left out). Rules about what the cluster runs
    /// (data stores, coverage, namespaces in use) leave it out.
    pub unlisted: bool,
    /// Whether an entry point's render reaches the object (always, in a repository without entry
    /// points or with `lint-undeployed`). The index keeps the others apart: only file-level rules
    /// (a committed plaintext Secret leaks whether or not it is applied) look at them.
    pub deployed: bool,
    /// The object's identity, read once when the index is built (`freeze`): rules ask for kind,
    /// name and namespace of every object many times, and each ask is a walk of the mapping.
    ident: Option<Box<Ident>>,
}

/// What `Resource::freeze` caches.
#[derive(Clone, Debug)]
struct Ident {
    api_version: String,
    kind: String,
    name: String,
    namespace: Option<String>,
}

/// What a diagnostic says about the object it concerns.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ObjectRef {
    pub api_version: String,
    pub kind: String,
    pub namespace: Option<String>,
    pub name: String,
}

impl Resource {
    pub fn new(node: Node, file: FileId, doc_index: usize) -> Resource {
        Resource { node, file, doc_index, renders: Vec::new(), cluster: None, repo: None, default_namespace: None, unlisted: false, deployed: true, ident: None }
    }

    /// Cache the identity. Called when the index is built, after which objects no longer change;
    /// `thaw` drops the cache before a change.
    pub fn freeze(&mut self) {
        self.ident = None;
        let ident = Ident {
            api_version: self.api_version().to_string(),
            kind: self.kind().to_string(),
            name: self.name().to_string(),
            namespace: self.namespace().map(str::to_string),
        };
        self.ident = Some(Box::new(ident));
    }

    /// Drop the cached identity (for code that edits `node` of an indexed object, such as tests).
    pub fn thaw(&mut self) {
        self.ident = None;
    }

    pub fn api_version(&self) -> &str {
        if let Some(id) = &self.ident {
            return &id.api_version;
        }
        self.node.str_at(&["apiVersion"]).unwrap_or("")
    }
    /// API group: "" for the core group, "postgresql.cnpg.io" for `postgresql.cnpg.io/v1`.
    pub fn group(&self) -> &str {
        self.api_version().rsplit_once('/').map(|(g, _)| g).unwrap_or("")
    }
    pub fn kind(&self) -> &str {
        if let Some(id) = &self.ident {
            return &id.kind;
        }
        self.node.str_at(&["kind"]).unwrap_or("")
    }
    pub fn name(&self) -> &str {
        if let Some(id) = &self.ident {
            return &id.name;
        }
        self.node.str_at(&["metadata", "name"]).unwrap_or("")
    }
    /// True when the object is `kind` in API group `group`.
    pub fn is(&self, group: &str, kind: &str) -> bool {
        self.kind() == kind && self.group() == group
    }
    pub fn is_namespaced(&self) -> bool {
        if let Some(id) = &self.ident {
            return id.namespace.is_some();
        }
        !kinds::is_cluster_scoped(self.group(), self.kind())
    }
    /// The namespace the object lands in: its own, else the inherited default, else `default`.
    /// `None` for cluster-scoped kinds.
    pub fn namespace(&self) -> Option<&str> {
        if let Some(id) = &self.ident {
            return id.namespace.as_deref();
        }
        if !self.is_namespaced() {
            return None;
        }
        Some(
            self.node
                .str_at(&["metadata", "namespace"])
                .or(self.default_namespace.as_deref())
                .unwrap_or("default"),
        )
    }
    pub fn spec(&self) -> Option<&Node> {
        self.node.get("spec")
    }
    pub fn labels(&self) -> impl Iterator<Item = (&str, &str)> {
        self.node.at(&["metadata", "labels"]).into_iter().flat_map(|m| m.entries()).map(|(k, _, v)| (k, v.as_str().unwrap_or("")))
    }
    pub fn annotation(&self, key: &str) -> Option<&Node> {
        self.node.at(&["metadata", "annotations"])?.get(key)
    }
    /// Where to report a finding about the object as a whole: its `metadata.name`, else `kind`.
    pub fn span(&self) -> Span {
        self.node
            .at(&["metadata", "name"])
            .or_else(|| self.node.get("kind"))
            .map(|n| n.span)
            .unwrap_or(self.node.span)
    }
    pub fn object_ref(&self) -> ObjectRef {
        ObjectRef {
            api_version: self.api_version().to_string(),
            kind: self.kind().to_string(),
            namespace: self.namespace().map(str::to_string),
            name: self.name().to_string(),
        }
    }
    /// `namespace/name` when the namespace the object lands in is known (its own, or given by
    /// the kustomization or entry point that renders it), else `name`: for messages, so that one
    /// base rendered into several namespaces gives one finding per namespace.
    pub fn qualified_name(&self) -> String {
        match self.namespace() {
            Some(ns) if crate::model::cnpg::namespace_known(self) => format!("{ns}/{}", self.name()),
            _ => self.name().to_string(),
        }
    }
    /// `Kind/namespace/name` (or `Kind/name`), for messages.
    pub fn display_name(&self) -> String {
        match self.namespace() {
            Some(ns) => format!("{} {}/{}", self.kind(), ns, self.name()),
            None => format!("{} {}", self.kind(), self.name()),
        }
    }
}
