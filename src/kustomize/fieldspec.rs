//! kustomize's field specs (`group/version/kind` + `path` + `create`) and the transformer
//! configuration made of them: the built-in defaults (kustomize v5.5.0's, in `defaults.tsv`)
//! merged with a kustomization's `configurations` files and CRDs.

use super::resource::{key_node, Gvk};
use super::{KError, KResult};
use crate::source::yaml::Node;
use crate::source::Span;

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Seg {
    pub key: String,
    /// Written `key[]`: the field holds a sequence.
    pub seq: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct FieldSpec {
    pub group: String,
    pub version: String,
    pub kind: String,
    pub path: Vec<Seg>,
    pub path_text: String,
    pub create: bool,
}

impl FieldSpec {
    pub fn new(path: &str, create: bool) -> FieldSpec {
        FieldSpec { group: String::new(), version: String::new(), kind: String::new(), path: parse_path(path), path_text: path.into(), create }
    }
    pub fn with_kind(mut self, kind: &str) -> FieldSpec {
        self.kind = kind.into();
        self
    }
    /// Whether this spec applies to objects of `gvk` (empty fields match anything).
    pub fn selects(&self, gvk: &Gvk) -> bool {
        (self.group.is_empty() || self.group == gvk.group)
            && (self.version.is_empty() || self.version == gvk.version)
            && (self.kind.is_empty() || self.kind == gvk.kind)
    }
    pub fn from_node(n: &Node) -> Option<FieldSpec> {
        let path = n.str_at(&["path"])?;
        let mut fs = FieldSpec::new(path, n.get("create").and_then(|c| c.as_bool()).unwrap_or(false));
        fs.group = n.str_at(&["group"]).unwrap_or("").into();
        fs.version = n.str_at(&["version"]).unwrap_or("").into();
        fs.kind = n.str_at(&["kind"]).unwrap_or("").into();
        Some(fs)
    }
}

/// Split a field-spec path on `/`, honouring `\/` inside keys.
pub(crate) fn parse_path(path: &str) -> Vec<Seg> {
    let mut segs = Vec::new();
    let mut cur = String::new();
    let mut chars = path.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' if chars.peek() == Some(&'/') => {
                cur.push('/');
                chars.next();
            }
            '/' => segs.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    segs.push(cur);
    segs.into_iter()
        .filter(|s| !s.is_empty())
        .map(|s| match s.strip_suffix("[]") {
            Some(k) => Seg { key: k.to_string(), seq: true },
            None => Seg { key: s, seq: false },
        })
        .collect()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Create {
    No,
    Scalar,
    Map,
}

/// Walk `path` in `node` and call `f` on every value found there (sequences on the way are
/// entered element by element). Missing fields are created as kustomize does when `create`.
pub(crate) fn apply(node: &mut Node, path: &[Seg], create: Create, span: Span, f: &mut dyn FnMut(&mut Node) -> KResult<()>) -> KResult<()> {
    if path.is_empty() {
        return f(node);
    }
    if node.is_seq() {
        for item in node.as_seq_mut().unwrap() {
            apply(item, path, create, span, f)?;
        }
        return Ok(());
    }
    if !node.is_map() {
        if node.is_null() {
            return Ok(());
        }
        return Err(KError::new(format!("expected sequence or mapping node at `{}`", path[0].key), None));
    }
    let seg = &path[0];
    let last = path.len() == 1;
    let want = if create == Create::No || seg.seq { Create::No } else if last { create } else { Create::Map };
    if node.get(&seg.key).is_none() {
        match want {
            Create::No => return Ok(()),
            Create::Map => node.insert(key_node(&seg.key, span), Node::map(Vec::new(), span)),
            Create::Scalar => node.insert(key_node(&seg.key, span), Node::scalar("", span)),
        }
    }
    let child = node.get_mut(&seg.key).unwrap();
    if child.is_null() {
        match want {
            Create::No => return Ok(()),
            Create::Map => *child = Node::map(Vec::new(), span),
            Create::Scalar => {}
        }
    }
    apply(child, &path[1..], create, span, f)
}

/// The field specs each built-in transformer uses.
#[derive(Clone, Debug, Default)]
pub(crate) struct TransformerConfig {
    pub name_prefix: Vec<FieldSpec>,
    pub name_suffix: Vec<FieldSpec>,
    pub namespace: Vec<FieldSpec>,
    pub common_labels: Vec<FieldSpec>,
    pub template_labels: Vec<FieldSpec>,
    /// Extra fields for `labels:` entries (a `labels:` list in a configurations file).
    pub labels: Vec<FieldSpec>,
    pub common_annotations: Vec<FieldSpec>,
    pub name_reference: Vec<NameBackRef>,
    pub var_reference: Vec<FieldSpec>,
    pub images: Vec<FieldSpec>,
    pub replicas: Vec<FieldSpec>,
}

/// A kind that others refer to by name, and the fields that hold those references.
#[derive(Clone, Debug)]
pub(crate) struct NameBackRef {
    pub gvk: Gvk,
    pub field_specs: Vec<FieldSpec>,
}

fn merge_specs(into: &mut Vec<FieldSpec>, from: &[FieldSpec]) {
    if into.is_empty() {
        into.extend_from_slice(from);
        return;
    }
    let mut seen: std::collections::HashSet<(&str, &str, &str, &str, bool)> =
        into.iter().map(|f| (f.group.as_str(), f.version.as_str(), f.kind.as_str(), f.path_text.as_str(), f.create)).collect();
    let mut add = Vec::new();
    for fs in from {
        if seen.insert((fs.group.as_str(), fs.version.as_str(), fs.kind.as_str(), fs.path_text.as_str(), fs.create)) {
            add.push(fs.clone());
        }
    }
    into.extend(add);
}

impl TransformerConfig {
    /// kustomize v5.5.0's built-in configuration (`defaults.tsv`), parsed once per thread.
    pub fn defaults() -> TransformerConfig {
        (*Self::defaults_shared()).clone()
    }

    /// The built-in configuration, shared (parsed once per thread).
    pub fn defaults_shared() -> std::rc::Rc<TransformerConfig> {
        thread_local! {
            static DEFAULTS: std::rc::Rc<TransformerConfig> = std::rc::Rc::new(TransformerConfig::from_tsv(include_str!("defaults.tsv")));
        }
        DEFAULTS.with(|d| d.clone())
    }

    pub fn is_empty(&self) -> bool {
        self.name_prefix.is_empty()
            && self.name_suffix.is_empty()
            && self.namespace.is_empty()
            && self.common_labels.is_empty()
            && self.template_labels.is_empty()
            && self.labels.is_empty()
            && self.common_annotations.is_empty()
            && self.name_reference.is_empty()
            && self.var_reference.is_empty()
            && self.images.is_empty()
            && self.replicas.is_empty()
    }

    fn from_tsv(text: &str) -> TransformerConfig {
        let mut c = TransformerConfig::default();
        for line in text.lines().filter(|l| !l.starts_with('#') && !l.is_empty()) {
            let f: Vec<&str> = line.split('\t').collect();
            if f.len() != 6 {
                continue;
            }
            let mut fs = FieldSpec::new(f[4], f[5] == "true");
            fs.group = f[1].into();
            fs.version = f[2].into();
            fs.kind = f[3].into();
            if let Some(rest) = f[0].strip_prefix("nameReference:") {
                let mut p = rest.splitn(3, ':');
                let gvk = Gvk { kind: p.next().unwrap_or("").into(), group: p.next().unwrap_or("").into(), version: p.next().unwrap_or("").into() };
                match c.name_reference.iter_mut().find(|n| n.gvk == gvk) {
                    Some(n) => n.field_specs.push(fs),
                    None => c.name_reference.push(NameBackRef { gvk, field_specs: vec![fs] }),
                }
                continue;
            }
            let list = match f[0] {
                "namePrefix" => &mut c.name_prefix,
                "nameSuffix" => &mut c.name_suffix,
                "namespace" => &mut c.namespace,
                "commonLabels" => &mut c.common_labels,
                "templateLabels" => &mut c.template_labels,
                "commonAnnotations" => &mut c.common_annotations,
                "varReference" => &mut c.var_reference,
                "images" => &mut c.images,
                "replicas" => &mut c.replicas,
                _ => continue,
            };
            list.push(fs);
        }
        c
    }

    pub fn from_node(root: &Node) -> TransformerConfig {
        let specs = |key: &str| -> Vec<FieldSpec> { root.get(key).map(|n| n.items().filter_map(FieldSpec::from_node).collect()).unwrap_or_default() };
        let mut name_reference = Vec::new();
        for item in root.get("nameReference").map(|n| n.items()).into_iter().flatten() {
            let gvk = Gvk {
                group: item.str_at(&["group"]).unwrap_or("").into(),
                version: item.str_at(&["version"]).unwrap_or("").into(),
                kind: item.str_at(&["kind"]).unwrap_or("").into(),
            };
            let field_specs = item.get("fieldSpecs").map(|n| n.items().filter_map(FieldSpec::from_node).collect()).unwrap_or_default();
            name_reference.push(NameBackRef { gvk, field_specs });
        }
        TransformerConfig {
            name_prefix: specs("namePrefix"),
            name_suffix: specs("nameSuffix"),
            namespace: specs("namespace"),
            common_labels: specs("commonLabels"),
            template_labels: specs("templateLabels"),
            labels: specs("labels"),
            common_annotations: specs("commonAnnotations"),
            name_reference,
            var_reference: specs("varReference"),
            images: specs("images"),
            replicas: specs("replicas"),
        }
    }

    /// The defaults with each category a configurations file defines taken from the files
    /// instead (name references are merged by kind).
    pub fn defaults_overridden_by(custom: &TransformerConfig, keys: &[String]) -> TransformerConfig {
        let mut out = TransformerConfig::defaults();
        let has = |k: &str| keys.iter().any(|x| x == k);
        macro_rules! take {
            ($field:ident, $key:literal) => {
                if has($key) {
                    out.$field = custom.$field.clone();
                }
            };
        }
        take!(name_prefix, "namePrefix");
        take!(name_suffix, "nameSuffix");
        take!(namespace, "namespace");
        take!(common_labels, "commonLabels");
        take!(template_labels, "templateLabels");
        take!(labels, "labels");
        take!(common_annotations, "commonAnnotations");
        take!(var_reference, "varReference");
        take!(images, "images");
        take!(replicas, "replicas");
        let mut nr = TransformerConfig { name_reference: out.name_reference.clone(), ..Default::default() };
        nr.merge(&TransformerConfig { name_reference: custom.name_reference.clone(), ..Default::default() });
        out.name_reference = nr.name_reference;
        out
    }

    pub fn merge(&mut self, other: &TransformerConfig) {
        merge_specs(&mut self.name_prefix, &other.name_prefix);
        merge_specs(&mut self.name_suffix, &other.name_suffix);
        merge_specs(&mut self.namespace, &other.namespace);
        merge_specs(&mut self.common_labels, &other.common_labels);
        merge_specs(&mut self.template_labels, &other.template_labels);
        merge_specs(&mut self.labels, &other.labels);
        merge_specs(&mut self.common_annotations, &other.common_annotations);
        merge_specs(&mut self.var_reference, &other.var_reference);
        merge_specs(&mut self.images, &other.images);
        merge_specs(&mut self.replicas, &other.replicas);
        for nb in &other.name_reference {
            match self.name_reference.iter_mut().find(|x| x.gvk == nb.gvk) {
                Some(x) => merge_specs(&mut x.field_specs, &nb.field_specs),
                None => self.name_reference.push(nb.clone()),
            }
        }
    }
}
