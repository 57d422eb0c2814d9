//! Walk the checked paths, read and classify files, parse YAML once per file. Everything that
//! goes wrong here becomes a finding at a location; the rest of the tree is still read.

use crate::diag::{relative_to_cwd, Diagnostic, Severity};
use crate::rules::source::{file_unreadable, yaml_duplicate_key, yaml_invalid};
use crate::settings::Settings;
use crate::source::yaml::{Node, ParsedFile, YamlIssueKind};
use crate::source::{FileId, SourceDb, Span};
use std::path::{Path, PathBuf};
use std::rc::Rc;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum FileKind {
    /// `*.yaml` / `*.yml`: Kubernetes manifests (or other YAML, which is parsed and ignored).
    Manifest,
    /// `kustomization.yaml`, `kustomization.yml`, `Kustomization`.
    Kustomization,
    /// `*.md`, `*.sh`: text that may hold commands (runbooks, scripts); read, not parsed.
    Text,
}

pub struct LoadedFile {
    pub id: FileId,
    pub kind: FileKind,
    pub parsed: Rc<ParsedFile>,
}

pub struct Workspace {
    pub db: SourceDb,
    pub files: Vec<LoadedFile>,
    /// Findings raised while reading (unreadable files, invalid YAML, duplicate keys).
    pub diagnostics: Vec<Diagnostic>,
    /// Checked roots, as given.
    pub roots: Vec<PathBuf>,
    /// Text files (`FileKind::Text`), read through `SourceDb::load_text`.
    pub texts: Vec<FileId>,
}

pub fn is_kustomization_name(name: &str) -> bool {
    matches!(name, "kustomization.yaml" | "kustomization.yml" | "Kustomization")
}

fn classify(path: &Path) -> Option<FileKind> {
    let name = path.file_name()?.to_str()?;
    if is_kustomization_name(name) {
        return Some(FileKind::Kustomization);
    }
    if name.ends_with(".yaml") || name.ends_with(".yml") {
        return Some(FileKind::Manifest);
    }
    if name.ends_with(".md") || name.ends_with(".sh") {
        return Some(FileKind::Text);
    }
    None
}

/// Files under `paths` worth reading, sorted for deterministic output, plus walk errors.
fn walk(paths: &[PathBuf], settings: &Settings) -> (Vec<(PathBuf, FileKind)>, Vec<(PathBuf, String)>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for root in paths {
        if root.is_file() {
            files.push((root.clone(), classify(root).unwrap_or(FileKind::Manifest)));
            continue;
        }
        let walker = walkdir::WalkDir::new(root).follow_links(true).sort_by_file_name().into_iter().filter_entry(|e| {
            if e.depth() == 0 {
                return true;
            }
            let name = e.file_name().to_string_lossy();
            if e.file_type().is_dir() && (name == ".git" || name == "node_modules") {
                return false;
            }
            let rel = e.path().strip_prefix(root).unwrap_or(e.path()).to_string_lossy().replace('\\', "/");
            !settings.is_excluded(&rel)
        });
        for entry in walker {
            match entry {
                Ok(e) => {
                    if e.file_type().is_file() {
                        if let Some(kind) = classify(e.path()) {
                            files.push((e.path().to_path_buf(), kind));
                        }
                    }
                }
                Err(e) => {
                    let path = e.path().map(Path::to_path_buf).unwrap_or_else(|| root.clone());
                    let msg = if e.loop_ancestor().is_some() {
                        "symlink loop: this folder links back to one of its parents; not followed".to_string()
                    } else {
                        format!("cannot read: {}", e.io_error().map(|io| io.to_string()).unwrap_or_else(|| e.to_string()))
                    };
                    errors.push((path, msg));
                }
            }
        }
    }
    files.sort();
    files.dedup();
    (files, errors)
}

/// Read, classify and parse every file under `paths`.
pub fn load(paths: &[PathBuf], settings: &Settings) -> Workspace {
    let (files, walk_errors) = walk(paths, settings);
    let mut ws = Workspace { db: SourceDb::new(), files: Vec::new(), diagnostics: Vec::new(), roots: paths.to_vec(), texts: Vec::new() };
    for (path, msg) in walk_errors {
        let id = ws.db.add(relative_to_cwd(&path), path.clone(), String::new());
        ws.diagnostics.push(Diagnostic::new(file_unreadable::META.id, Severity::Warning, Span::new(id, 0, 0), msg));
    }
    for (path, kind) in files {
        if kind == FileKind::Text {
            // Unreadable text is not a finding: these files are only searched for commands.
            if let Ok(id) = ws.db.load_text(&path) {
                ws.texts.push(id);
            }
            continue;
        }
        match ws.db.load_yaml(&path) {
            Ok((id, parsed)) => {
                for issue in &parsed.issues {
                    let (rule, sev) = match issue.kind {
                        YamlIssueKind::Invalid => (yaml_invalid::META.id, yaml_invalid::META.severity),
                        YamlIssueKind::DuplicateKey => (yaml_duplicate_key::META.id, yaml_duplicate_key::META.severity),
                    };
                    let mut d = Diagnostic::new(rule, sev, issue.span, issue.message.clone());
                    if let Some(first) = issue.related {
                        d = d.with_label(first, "first written here");
                    }
                    ws.diagnostics.push(d);
                }
                mask_secret_values(&mut ws.db, id, kind, &parsed);
                ws.files.push(LoadedFile { id, kind, parsed });
            }
            Err(msg) => {
                let id = ws.db.add(relative_to_cwd(&path), path, String::new());
                ws.diagnostics.push(Diagnostic::new(file_unreadable::META.id, Severity::Warning, Span::new(id, 0, 0), msg));
            }
        }
    }
    ws
}

/// Mask the values of Secrets (`data`, `stringData`) and of `secretGenerator` literals in the text
/// that snippets are taken from: no output format may show them.
pub fn mask_secret_values(db: &mut SourceDb, id: FileId, kind: FileKind, parsed: &ParsedFile) {
    let mut spans = Vec::new();
    for doc in &parsed.documents {
        let Some(root) = &doc.root else { continue };
        let is_secret = root.str_at(&["kind"]) == Some("Secret") && root.str_at(&["apiVersion"]).is_some_and(|v| v == "v1");
        if is_secret {
            for key in ["data", "stringData"] {
                if let Some(m) = root.get(key) {
                    mask_mapping_values(&db.get(id).text, m, &mut spans);
                }
            }
        }
        if kind == FileKind::Kustomization || root.str_at(&["kind"]).is_some_and(|k| k == "Kustomization" || k == "Component") {
            for generator in root.get("secretGenerator").into_iter().flat_map(|g| g.items()) {
                for lit in generator.get("literals").into_iter().flat_map(|l| l.items()) {
                    if let Some(text) = lit.as_str() {
                        // Mask after `key=`; the key name may show.
                        let src = &db.get(id).text[lit.span.start as usize..lit.span.end as usize];
                        match (text.find('='), src.find('=')) {
                            (Some(_), Some(eq)) => spans.push((lit.span.start as usize + eq + 1, lit.span.end as usize)),
                            _ => spans.push((lit.span.start as usize, lit.span.end as usize)),
                        }
                    }
                }
            }
        }
    }
    db.get_mut(id).mask(&spans);
}

/// Mask every value of a mapping, line by line over its whole extent, so that values the tree no
/// longer holds (the first of two duplicated keys) are masked too. Keys stay readable.
fn mask_mapping_values(text: &str, m: &Node, out: &mut Vec<(usize, usize)>) {
    let (start, end) = (m.span.start as usize, m.span.end as usize);
    if !m.is_map() || text[start..end].trim_start().starts_with('{') {
        out.push((start, end));
        return;
    }
    let key_indent = start - text[..start].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let mut line_start = text[..start].rfind('\n').map(|i| i + 1).unwrap_or(0);
    while line_start < end {
        let line_end = text[line_start..].find('\n').map(|i| line_start + i).unwrap_or(text.len());
        let line = &text[line_start..line_end];
        let indent = line.len() - line.trim_start().len();
        let content_start = line_start + indent;
        if indent == key_indent && !line.trim_start().starts_with('#') {
            if let Some(colon) = line.find(':') {
                out.push((line_start + colon + 1, line_end));
            }
        } else if indent > key_indent {
            out.push((content_start, line_end));
        }
        line_start = line_end + 1;
    }
}
