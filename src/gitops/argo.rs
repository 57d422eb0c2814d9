//! Argo CD `Application` (argoproj.io) entry points: `spec.source` or `spec.sources[]` with a path
//! in this repository, rendered with kustomize (plus the `source.kustomize` options Argo CD applies
//! with `kustomize edit`) or as a plain directory (`directory.recurse`, `include`, `exclude`).
//! `spec.destination.namespace` is the namespace of objects that name none.

use crate::settings::glob::Glob;
use crate::source::yaml::{Node, Style, Value};
use crate::source::Span;
use std::path::{Path, PathBuf};

/// How the Argo CD repo-server builds a source folder.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceType {
    Helm,
    Kustomize,
    Directory,
    Plugin,
}

impl SourceType {
    fn name(self) -> &'static str {
        match self {
            SourceType::Helm => "Helm",
            SourceType::Kustomize => "Kustomize",
            SourceType::Directory => "Directory",
            SourceType::Plugin => "Plugin",
        }
    }
}

/// The source type as the repo-server decides it: an explicit `kustomize`, `helm`, `directory` or
/// `plugin` field wins (two of them is an error Argo CD reports as "multiple application sources
/// defined"); otherwise the files at the top of the folder, in name order, the last one that
/// tells wins: a file whose name ends in `Chart.yaml` says Helm, a kustomization file says
/// Kustomize (so `kustomization.yaml` beside `Chart.yaml` is Kustomize); else a plain Directory.
pub fn source_type(dir: &Path, source: &Node) -> Result<SourceType, String> {
    let explicit: Vec<SourceType> = [("kustomize", SourceType::Kustomize), ("helm", SourceType::Helm), ("directory", SourceType::Directory), ("plugin", SourceType::Plugin)]
        .into_iter()
        .filter(|(field, _)| source.get(field).is_some_and(|n| !n.is_null()))
        .map(|(_, t)| t)
        .collect();
    match explicit.as_slice() {
        [one] => return Ok(*one),
        [] => {}
        many => return Err(format!("multiple application sources defined: {}", many.iter().map(|t| t.name()).collect::<Vec<_>>().join(","))),
    }
    let mut found = SourceType::Directory;
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(Result::ok).filter(|e| e.file_type().is_ok_and(|t| !t.is_dir())).map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    names.sort();
    for name in names {
        if name.ends_with("Chart.yaml") {
            found = SourceType::Helm;
        }
        if crate::discover::is_kustomization_name(&name) {
            found = SourceType::Kustomize;
        }
    }
    Ok(found)
}

/// The source with the parameter override files the repo-server merges onto it before anything
/// else: `.argocd-source.yaml`, then `.argocd-source-<app name>.yaml`, in the source folder.
pub fn with_overrides(db: &mut crate::source::SourceDb, dir: &Path, source: &Node, app_name: &str) -> Node {
    let mut out = source.clone();
    for name in [".argocd-source.yaml".to_string(), format!(".argocd-source-{app_name}.yaml")] {
        let path = dir.join(name);
        if !path.is_file() {
            continue;
        }
        let Ok((_, parsed)) = db.load_yaml(&path) else { continue };
        if let Some(root) = parsed.documents.first().and_then(|d| d.root.as_ref()).filter(|r| r.is_map()) {
            out = super::applicationset::merge_over(&out, root);
        }
    }
    out
}

pub fn is_application(node: &Node) -> bool {
    node.str_at(&["kind"]) == Some("Application") && node.str_at(&["apiVersion"]).is_some_and(|a| a.starts_with("argoproj.io/"))
}

/// The sources of an Application: `spec.source` and every `spec.sources[]` entry.
pub fn sources(app: &Node) -> Vec<&Node> {
    let mut out: Vec<&Node> = app.at(&["spec", "source"]).filter(|n| n.is_map()).into_iter().collect();
    out.extend(app.at(&["spec", "sources"]).into_iter().flat_map(|s| s.items()).filter(|n| n.is_map()));
    out
}

fn key(text: &str, span: Span) -> Node {
    Node { value: Value::Scalar(text.into(), Style::Plain), span, tag: None }
}

/// An Argo CD image override (`nginx:1.25`, `nginx=registry/nginx:1.25`, `nginx@sha256:…`) as a
/// kustomize `images` entry.
pub fn image_entry(spec: &str, span: Span) -> Node {
    let (name, new) = match spec.split_once('=') {
        Some((n, rest)) => (n.to_string(), Some(rest.to_string())),
        None => (strip_tag(spec).0.to_string(), None),
    };
    let target = new.clone().unwrap_or_else(|| spec.to_string());
    let (image, tag, digest) = strip_tag(&target);
    let mut entries = vec![(key("name", span), Node::string(name.clone(), span))];
    if new.is_some() && image != name {
        entries.push((key("newName", span), Node::string(image, span)));
    }
    if let Some(t) = tag {
        entries.push((key("newTag", span), Node::string(t, span)));
    }
    if let Some(d) = digest {
        entries.push((key("digest", span), Node::string(d, span)));
    }
    Node::map(entries, span)
}

/// Split `registry:5000/app:tag@sha256:x` into image, tag and digest.
fn strip_tag(s: &str) -> (&str, Option<&str>, Option<&str>) {
    let (rest, digest) = match s.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (s, None),
    };
    let last_slash = rest.rfind('/').map(|i| i + 1).unwrap_or(0);
    match rest[last_slash..].rfind(':') {
        Some(i) => (&rest[..last_slash + i], Some(&rest[last_slash + i + 1..]), digest),
        None => (rest, None, digest),
    }
}

/// The kustomization Argo CD builds: the folder's own, edited with `source.kustomize` options.
pub fn overlay(mut kus: Node, source: &Node) -> Node {
    let Some(opts) = source.get("kustomize").filter(|n| n.is_map()) else { return kus };
    for (field, target) in [("namePrefix", "namePrefix"), ("nameSuffix", "nameSuffix"), ("namespace", "namespace")] {
        if let Some(v) = opts.get(field).filter(|n| n.as_text().is_some()) {
            kus.insert(key(target, v.span), v.clone());
        }
    }
    for (field, target) in [("commonLabels", "commonLabels"), ("commonAnnotations", "commonAnnotations")] {
        let Some(values) = opts.get(field).filter(|n| n.is_map()) else { continue };
        if kus.get(target).is_none_or(|n| !n.is_map()) {
            kus.insert(key(target, values.span), Node::map(Vec::new(), values.span));
        }
        let map = kus.get_mut(target).unwrap();
        for (_, k, v) in values.entries() {
            map.insert(k.clone(), v.clone());
        }
    }
    for field in ["patches", "components", "replicas"] {
        let Some(items) = opts.get(field).filter(|n| n.is_seq()) else { continue };
        if kus.get(field).is_none_or(|n| !n.is_seq()) {
            kus.insert(key(field, items.span), Node::seq(Vec::new(), items.span));
        }
        kus.get_mut(field).and_then(Node::as_seq_mut).unwrap().extend(items.items().cloned());
    }
    if let Some(images) = opts.get("images").filter(|n| n.is_seq()) {
        if kus.get("images").is_none_or(|n| !n.is_seq()) {
            kus.insert(key("images", images.span), Node::seq(Vec::new(), images.span));
        }
        let list = kus.get_mut("images").and_then(Node::as_seq_mut).unwrap();
        for image in images.items() {
            let Some(text) = image.as_text() else { continue };
            let entry = image_entry(text, image.span);
            let name = entry.str_at(&["name"]).map(str::to_string);
            match list.iter_mut().find(|i| i.str_at(&["name"]).map(str::to_string) == name) {
                Some(existing) => *existing = entry,
                None => list.push(entry),
            }
        }
    }
    kus
}

/// Files of a directory source: `*.yaml`, `*.yml` and `*.json` (only YAML is read here), below
/// `dir` (recursively when `directory.recurse`), filtered by `include` and `exclude` globs.
pub fn directory_files(dir: &Path, source: &Node) -> Vec<PathBuf> {
    let d = source.get("directory");
    let recurse = d.and_then(|d| d.get("recurse")).and_then(Node::as_bool).unwrap_or(false);
    let include = d.and_then(|d| d.str_at(&["include"])).map(brace_globs).unwrap_or_default();
    let exclude = d.and_then(|d| d.str_at(&["exclude"])).map(brace_globs).unwrap_or_default();
    let mut out = Vec::new();
    let walker = walkdir::WalkDir::new(dir).follow_links(false).sort_by_file_name().max_depth(if recurse { usize::MAX } else { 1 });
    for e in walker.into_iter().filter_map(Result::ok) {
        if !e.file_type().is_file() {
            continue;
        }
        let name = e.file_name().to_string_lossy();
        if !(name.ends_with(".yaml") || name.ends_with(".yml")) {
            continue;
        }
        let rel = e.path().strip_prefix(dir).unwrap_or(e.path()).to_string_lossy().replace('\\', "/");
        if !include.is_empty() && !include.iter().any(|g| g.matches(&rel)) {
            continue;
        }
        if exclude.iter().any(|g| g.matches(&rel)) {
            continue;
        }
        out.push(e.path().to_path_buf());
    }
    out
}

/// Argo CD include/exclude patterns: `{a.yaml,b.yaml}` alternatives of globs.
fn brace_globs(pattern: &str) -> Vec<Glob> {
    let inner = pattern.strip_prefix('{').and_then(|p| p.strip_suffix('}')).unwrap_or(pattern);
    inner.split(',').filter(|p| !p.trim().is_empty()).filter_map(|p| Glob::new(p.trim()).ok()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn images() {
        let s = Span::default();
        let e = image_entry("nginx:1.25", s);
        assert_eq!(e.str_at(&["name"]), Some("nginx"));
        assert_eq!(e.str_at(&["newTag"]), Some("1.25"));
        let e = image_entry("nginx=registry:5000/mirror/nginx:1.25", s);
        assert_eq!(e.str_at(&["newName"]), Some("registry:5000/mirror/nginx"));
        assert_eq!(e.str_at(&["newTag"]), Some("1.25"));
    }
}
