//! Flux `Kustomization` (kustomize.toolkit.fluxcd.io) entry points: the kustomization that
//! kustomize-controller builds for one, and what it does to the result.
//!
//! kustomize-controller takes the kustomization file at `spec.path` (or generates one listing every
//! manifest below it, recursively, and every sub-folder that has its own kustomization file), then
//! sets `namespace` from `targetNamespace`, appends `spec.patches`, `spec.components` and the legacy
//! patch fields, merges `spec.images` by name, and sets `namePrefix`/`nameSuffix`. It builds with
//! the load restrictor off (files anywhere in the source, never outside it). After the build it adds
//! `spec.commonMetadata` labels and annotations to every object and runs `postBuild` substitution.

use crate::discover::is_kustomization_name;
use crate::source::yaml::{Node, Style, Value};
use crate::source::{SourceDb, Span};
use std::path::{Path, PathBuf};

pub const GROUP: &str = "kustomize.toolkit.fluxcd.io";
pub const SUBSTITUTE_ANNOTATION: &str = "kustomize.toolkit.fluxcd.io/substitute";

pub fn is_flux_kustomization(node: &Node) -> bool {
    node.str_at(&["kind"]) == Some("Kustomization")
        && node.str_at(&["apiVersion"]).is_some_and(|a| a.starts_with("kustomize.toolkit.fluxcd.io/"))
}

/// The kustomization file in `dir`, if any.
pub fn kustomization_file(dir: &Path) -> Option<PathBuf> {
    ["kustomization.yaml", "kustomization.yml", "Kustomization"].iter().map(|n| dir.join(n)).find(|p| p.is_file())
}

fn key(text: &str, span: Span) -> Node {
    Node { value: Value::Scalar(text.into(), Style::Plain), span, tag: None }
}

fn string(text: &str, span: Span) -> Node {
    Node::string(text, span)
}

/// The kustomization Flux generates for a folder without one: every manifest file below it
/// (recursively, sorted as a walk visits them) and every sub-folder holding a kustomization file
/// (not descended into). Files whose documents are not Kubernetes objects are left out.
pub fn generated_kustomization(db: &mut SourceDb, dir: &Path, span: Span) -> Node {
    let mut resources = Vec::new();
    let mut ordered: Vec<PathBuf> = Vec::new();
    walk_lexical(dir, &mut ordered);
    for p in ordered {
        let rel = p.strip_prefix(dir).unwrap_or(&p).to_string_lossy().replace('\\', "/");
        if p.is_dir() {
            resources.push(string(&format!("./{rel}"), span));
            continue;
        }
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if is_kustomization_name(name) || !(name.ends_with(".yaml") || name.ends_with(".yml")) {
            continue;
        }
        let Ok((_, parsed)) = db.load_yaml(&p) else { continue };
        let has_object = parsed.documents.iter().any(|d| d.root.as_ref().is_some_and(crate::is_object));
        if has_object && !parsed.issues.iter().any(|i| i.refused()) {
            resources.push(string(&format!("./{rel}"), span));
        }
    }
    Node::map(
        vec![
            (key("apiVersion", span), string("kustomize.config.k8s.io/v1beta1", span)),
            (key("kind", span), string("Kustomization", span)),
            (key("resources", span), Node::seq(resources, span)),
        ],
        span,
    )
}

/// Files and the sub-folders that hold a kustomization file, in filepath.Walk's lexical
/// pre-order, not descending into those sub-folders.
fn walk_lexical(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else { return };
    let mut entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            if p.file_name().is_some_and(|n| n == ".git") {
                continue;
            }
            if kustomization_file(&p).is_some() {
                out.push(p);
            } else {
                walk_lexical(&p, out);
            }
        } else {
            out.push(p);
        }
    }
}

/// The kustomization kustomize-controller builds for the Flux Kustomization `k` at `dir`.
pub fn overlay(db: &mut SourceDb, dir: &Path, k: &Node) -> Node {
    let path_span = k.at(&["spec", "path"]).map(|n| n.span).unwrap_or(k.span);
    let mut kus = match kustomization_file(dir).and_then(|f| db.load_yaml(&f).ok()) {
        Some((_, parsed)) => match parsed.documents.first().and_then(|d| d.root.clone()) {
            Some(root) if root.is_map() => root,
            _ => Node::map(Vec::new(), path_span),
        },
        None => generated_kustomization(db, dir, path_span),
    };
    let spec = match k.get("spec") {
        Some(s) => s,
        None => return kus,
    };
    if let Some(ns) = spec.get("targetNamespace").filter(|n| n.as_text().is_some()) {
        kus.insert(key("namespace", ns.span), ns.clone());
    }
    for field in ["namePrefix", "nameSuffix"] {
        if let Some(v) = spec.get(field).filter(|n| n.as_text().is_some()) {
            kus.insert(key(field, v.span), v.clone());
        }
    }
    for field in ["patches", "components", "patchesStrategicMerge", "patchesJson6902"] {
        let Some(items) = spec.get(field).filter(|n| n.is_seq()) else { continue };
        let span = items.span;
        if kus.get(field).is_none_or(|n| !n.is_seq()) {
            kus.insert(key(field, span), Node::seq(Vec::new(), span));
        }
        let list = kus.get_mut(field).and_then(Node::as_seq_mut).unwrap();
        list.extend(items.items().cloned());
    }
    if let Some(images) = spec.get("images").filter(|n| n.is_seq()) {
        if kus.get("images").is_none_or(|n| !n.is_seq()) {
            kus.insert(key("images", images.span), Node::seq(Vec::new(), images.span));
        }
        let list = kus.get_mut("images").and_then(Node::as_seq_mut).unwrap();
        for image in images.items() {
            let name = image.str_at(&["name"]);
            match list.iter_mut().find(|i| i.str_at(&["name"]) == name) {
                Some(existing) => *existing = image.clone(),
                None => list.push(image.clone()),
            }
        }
    }
    kus
}

/// Add `spec.commonMetadata` labels and annotations to a rendered object.
pub fn apply_common_metadata(object: &mut Node, k: &Node) {
    let Some(common) = k.at(&["spec", "commonMetadata"]) else { return };
    for field in ["labels", "annotations"] {
        let Some(values) = common.get(field).filter(|n| n.is_map()) else { continue };
        let span = values.span;
        if object.get("metadata").is_none_or(|m| !m.is_map()) {
            object.insert(key("metadata", span), Node::map(Vec::new(), span));
        }
        let meta = object.get_mut("metadata").unwrap();
        if meta.get(field).is_none_or(|m| !m.is_map()) {
            meta.insert(key(field, span), Node::map(Vec::new(), span));
        }
        let target = meta.get_mut(field).unwrap();
        for (_, k, v) in values.entries() {
            target.insert(k.clone(), v.clone());
        }
    }
}

/// `namespace/name` of a Flux Kustomization as written (namespace may be inherited).
pub fn display(k: &Node, namespace: Option<&str>) -> String {
    let name = k.str_at(&["metadata", "name"]).unwrap_or("?");
    match k.str_at(&["metadata", "namespace"]).or(namespace) {
        Some(ns) => format!("{ns}/{name}"),
        None => name.to_string(),
    }
}
