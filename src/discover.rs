//! Walk the checked paths, read and classify files, parse YAML once per file. Everything that
//! goes wrong here becomes a finding at a location; the rest of the tree is still read.

use crate::diag::{relative_to_cwd, Diagnostic, Severity};
use crate::rules::source::{file_unreadable, template_not_rendered, yaml_duplicate_key, yaml_invalid};
use crate::settings::Settings;
use crate::source::yaml::{Node, ParsedFile, YamlIssueKind};
use crate::source::{FileId, SourceDb, Span};
use std::path::{Path, PathBuf};

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
    pub parsed: std::sync::Arc<ParsedFile>,
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
    /// The `drlint-ignore` comments of the files that have some (`release_texts`).
    pub suppressions: Vec<(FileId, crate::suppress::FileSuppressions)>,
    /// The heap the trees parsed ahead were allocated from, kept until they are freed: a deleted
    /// heap's pages go to the shared heap, which fills their free space with memory that stays.
    parse_heap: Option<crate::alloc::ScratchHeap>,
}

impl Workspace {
    /// Lex the files' suppression comments, then release the texts of the files read from disk:
    /// after indexing, only the files of findings are read again (to locate and show them), and
    /// the rules that read a file's text read the text files (`texts`), which are kept.
    pub fn release_texts(&mut self) {
        self.suppressions = crate::suppress::lex_all(&self.db);
        self.db.release_texts(&self.texts);
    }

    /// Free the parsed trees once the objects are rendered and indexed (each object owns its
    /// nodes; nothing after reads a file's tree, and `SourceDb::parsed` parses again if asked):
    /// they are a large part of memory, and freeing them before the rules run lowers the peak.
    /// They are dropped on a thread of their own, as nothing waits for it, and their heap after
    /// them.
    pub fn release_parses(&mut self) {
        let mut parses = self.db.take_parses();
        let none = std::sync::Arc::new(ParsedFile::default());
        for f in &mut self.files {
            parses.push(std::mem::replace(&mut f.parsed, none.clone()));
        }
        let heap = self.parse_heap.take();
        std::thread::spawn(move || {
            drop(parses);
            drop(heap);
        });
    }
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
        // `-`: the document stream on stdin, read in `load`.
        if root.is_file() || root.as_os_str() == "-" {
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
    // A folder with a Chart.yaml is a Helm chart: its templates, values and tests are Helm's input,
    // not manifests, so none of them is parsed (Argo CD and Flux hand the folder to Helm).
    let charts: Vec<PathBuf> = files.iter().filter(|(p, _)| p.file_name().is_some_and(|n| n == "Chart.yaml")).filter_map(|(p, _)| p.parent().map(Path::to_path_buf)).collect();
    files.retain(|(p, kind)| *kind == FileKind::Text || !charts.iter().any(|c| p.starts_with(c)));
    (files, errors)
}

/// Whether a file that does not parse as YAML is a template for some engine (Helm, Jinja,
/// makejinja, gomplate) rather than a broken manifest: a template file name, a line that is a
/// template directive of its own, or template syntax on the line the parser stopped at (or the
/// one before it). A syntax error elsewhere in a file that merely quotes `{{ }}` stays an error.
pub fn is_template(path: &Path, text: &str, error_line: usize) -> bool {
    let name = path.file_name().map(|n| n.to_string_lossy().to_lowercase()).unwrap_or_default();
    if name.split('.').any(|part| matches!(part, "j2" | "jinja" | "jinja2" | "tmpl" | "tpl" | "gotmpl")) {
        return true;
    }
    let has_syntax = |l: &str| (l.contains("{{") && l.contains("}}")) || (l.contains("{%") && l.contains("%}"));
    let lines: Vec<&str> = text.lines().collect();
    let directive = lines.iter().any(|l| {
        let t = l.trim_start();
        (t.starts_with("{{") || t.starts_with("{%")) && has_syntax(t)
    });
    let near = (error_line.saturating_sub(2)..error_line).any(|i| lines.get(i).is_some_and(|l| has_syntax(l)));
    directive || near
}

/// Read, classify and parse every file under `paths`.
pub fn load(paths: &[PathBuf], settings: &Settings) -> Workspace {
    let (files, walk_errors) = crate::timings::timed("discover: walk", || walk(paths, settings));
    let mut ws = Workspace { db: SourceDb::new(), files: Vec::new(), diagnostics: Vec::new(), roots: paths.to_vec(), texts: Vec::new(), suppressions: Vec::new(), parse_heap: None };
    for (path, msg) in walk_errors {
        let id = ws.db.add(relative_to_cwd(&path), path.clone(), String::new());
        ws.diagnostics.push(Diagnostic::new(file_unreadable::META.id, Severity::Warning, Span::new(id, 0, 0), msg));
    }
    ws.parse_heap = Some(crate::timings::timed("discover: read and parse", || parse_ahead(&mut ws.db, &files)));
    for (path, kind) in files {
        if kind == FileKind::Text {
            // Unreadable text is not a finding: these files are only searched for commands.
            if let Ok(id) = ws.db.load_text(&path) {
                ws.texts.push(id);
            }
            continue;
        }
        let loaded = if path.as_os_str() == "-" { read_stdin(&mut ws.db) } else { ws.db.load_yaml(&path) };
        match loaded {
            Ok((id, parsed)) => {
                let first_invalid = parsed.issues.iter().find(|i| i.kind == YamlIssueKind::Invalid);
                if let Some(issue) = first_invalid {
                    let line = ws.db.get(id).line_col(issue.span.start as usize).line;
                    if is_template(&path, ws.db.get(id).text(), line) {
                        // Not a manifest until a template engine runs: one note, and nothing in
                        // it is read as objects.
                        let msg = format!("this file holds template syntax and is not YAML until a template engine renders it ({}); it is not checked", issue.message);
                        ws.diagnostics.push(Diagnostic::new(template_not_rendered::META.id, template_not_rendered::META.severity, issue.span, msg));
                        mask_secret_values(&mut ws.db, id, kind, &parsed);
                        continue;
                    }
                }
                for issue in &parsed.issues {
                    let (rule, sev) = match issue.kind {
                        YamlIssueKind::Invalid => (yaml_invalid::META.id, yaml_invalid::META.severity),
                        YamlIssueKind::DuplicateKey => (yaml_duplicate_key::META.id, yaml_duplicate_key::META.severity),
                        // kustomize merges these: worth a look, not a broken build.
                        YamlIssueKind::DuplicateAnnotation => (yaml_duplicate_key::META.id, Severity::Warning),
                    };
                    let mut message = issue.message.clone();
                    if kind == FileKind::Kustomization && issue.kind != YamlIssueKind::Invalid {
                        // kustomize reads its own kustomization file with the last value winning.
                        let key = message.split('`').nth(1).unwrap_or_default();
                        message = format!("duplicate key `{key}`: kustomize reads only the last one and ignores the first");
                    }
                    let mut sev = sev;
                    let in_object = parsed
                        .documents
                        .iter()
                        .find(|d| d.span.start <= issue.span.start && issue.span.start <= d.span.end)
                        .and_then(|d| d.root.as_ref())
                        .is_some_and(|r| r.get("apiVersion").is_some() && r.get("kind").is_some());
                    if kind == FileKind::Manifest && issue.kind == YamlIssueKind::DuplicateKey && !in_object {
                        // Not a Kubernetes object (Helm values, an app's config file that a
                        // generator reads as data): no kustomize build parses it as YAML.
                        let key = message.split('`').nth(1).unwrap_or_default();
                        message = format!("duplicate key `{key}` in a file that is not a Kubernetes object: most readers (Helm values, YAML config loaders) keep only the last value and silently drop the first");
                        sev = Severity::Warning;
                    }
                    let mut d = Diagnostic::new(rule, sev, issue.span, message);
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

/// Read every file (on all cores, ids in walk order as the loop below would give them), then parse the
/// YAML ones on all cores: parsing is most of reading a repository, and each file's parse is
/// independent. The loop then finds each parse cached. A file that cannot be read is left to the
/// loop, which reports it.
fn parse_ahead(db: &mut SourceDb, files: &[(PathBuf, FileKind)]) -> crate::alloc::ScratchHeap {
    use rayon::prelude::*;
    let mut yaml: Vec<FileId> = Vec::new();
    let paths: Vec<&std::path::Path> = files.iter().filter(|(p, _)| p.as_os_str() != "-").map(|(p, _)| p.as_path()).collect();
    db.load_texts(&paths);
    for (path, _) in files.iter().filter(|(p, kind)| p.as_os_str() != "-" && *kind != FileKind::Text) {
        yaml.extend(db.lookup(path));
    }
    let texts: Vec<(FileId, &str)> = yaml.iter().map(|&id| (id, db.get(id).text())).collect();
    // The trees are freed together after indexing: in a heap of their own, that frees whole pages.
    let scratch = crate::alloc::ScratchHeap::new();
    let parsed: Vec<(FileId, ParsedFile)> =
        texts.par_iter().map(|&(id, text)| (id, scratch.run(|| crate::source::yaml::parse(id, text)))).collect();
    for (id, p) in parsed {
        db.set_parsed(id, p);
    }
    scratch
}

/// `drlint check -`: stdin as one manifest file, shown as `<stdin>`.
fn read_stdin(db: &mut SourceDb) -> Result<(FileId, std::sync::Arc<ParsedFile>), String> {
    use std::io::Read;
    let mut bytes = Vec::new();
    std::io::stdin().read_to_end(&mut bytes).map_err(|e| format!("cannot read stdin: {e}"))?;
    let text = String::from_utf8(bytes).map_err(|_| "stdin is not UTF-8 text".to_string())?;
    let id = db.add(PathBuf::from("<stdin>"), PathBuf::from("-"), text);
    Ok((id, db.parsed(id)))
}

/// Mask the values of Secrets (`data`, `stringData`) and of `secretGenerator` literals in the text
/// that snippets are taken from: no output format may show them. Masking works on the text, not
/// only on the tree, so values the tree no longer holds (the first of two duplicated keys, a
/// duplicated `data:` block) are masked too. Any `kind: Secret` is masked, whatever its apiVersion.
pub fn mask_secret_values(db: &mut SourceDb, id: FileId, kind: FileKind, parsed: &ParsedFile) {
    let mut spans = Vec::new();
    let text = db.get(id).text();
    for doc in &parsed.documents {
        let Some(root) = &doc.root else { continue };
        if root.str_at(&["kind"]) == Some("Secret") {
            mask_secret_document(text, root, &mut spans);
        }
        // `kind: List` (or `SecretList`) with Secrets among its items.
        for item in root.get("items").into_iter().flat_map(|i| i.items()) {
            if item.str_at(&["kind"]) == Some("Secret") {
                for key in ["data", "stringData"] {
                    if let Some(m) = item.get(key) {
                        mask_mapping_values(text, m, &mut spans);
                    }
                }
            }
        }
        if kind == FileKind::Kustomization || root.str_at(&["kind"]).is_some_and(|k| k == "Kustomization" || k == "Component") {
            mask_generator_literals(text, root, &mut spans);
        }
    }
    // Documents the parser could not finish (a syntax error) have no tree: mask by text every
    // document with a top-level `kind: Secret` line.
    mask_secret_documents_by_text(text, &mut spans);
    db.get_mut(id).mask(&spans);
}

/// Split the text into `---` documents and mask the `data` / `stringData` blocks of those with a
/// top-level `kind: Secret` line, whether or not they parse.
fn mask_secret_documents_by_text(text: &str, out: &mut Vec<(usize, usize)>) {
    let is_secret_kind = |line: &str| {
        line.strip_prefix("kind:").is_some_and(|v| v.split('#').next().unwrap_or("").trim().trim_matches(|c| c == '"' || c == '\'') == "Secret")
    };
    let mut doc_start = 0;
    let mut offset = 0;
    let mut secret = false;
    for line in text.split_inclusive('\n') {
        let bare = line.trim_end_matches(['\n', '\r']);
        if bare.starts_with("---") || bare.starts_with("...") {
            if secret {
                mask_blocks(text, doc_start, offset, 0, |key| key == "data" || key == "stringData", true, out);
            }
            doc_start = offset + line.len();
            secret = false;
        } else if is_secret_kind(bare) {
            secret = true;
        }
        offset += line.len();
    }
    if secret {
        mask_blocks(text, doc_start, text.len(), 0, |key| key == "data" || key == "stringData", true, out);
    }
}

/// Mask every `data` / `stringData` block of a Secret document, each occurrence, by lines: keys
/// stay readable, values (block scalars included) are masked. A flow-style document
/// (`{"kind": "Secret", ...}`) is masked whole.
fn mask_secret_document(text: &str, root: &Node, out: &mut Vec<(usize, usize)>) {
    let (start, end) = (root.span.start as usize, (root.span.end as usize).min(text.len()));
    if !root.is_map() || text[start..end].trim_start().starts_with('{') {
        out.push((start, end));
        return;
    }
    let root_indent = start - text[..start].rfind('\n').map(|i| i + 1).unwrap_or(0);
    mask_blocks(text, start, end, root_indent, |key| key == "data" || key == "stringData", true, out);
}

/// Scan the lines of `text[start..end]` for keys at `key_indent` that `is_target` accepts, and
/// mask their values. With `keep_keys`, the entries of a block mapping keep their key names.
fn mask_blocks(text: &str, start: usize, end: usize, key_indent: usize, is_target: impl Fn(&str) -> bool, keep_keys: bool, out: &mut Vec<(usize, usize)>) {
    let mut line_start = text[..start].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let mut in_block = false;
    let mut entry_indent: Option<usize> = None;
    while line_start < end {
        let line_end = text[line_start..].find('\n').map(|i| line_start + i).unwrap_or(text.len());
        let line = &text[line_start..line_end];
        let content = line.trim_start();
        let indent = line.len() - content.len();
        if content.is_empty() || content.starts_with('#') {
            if in_block {
                out.push((line_start + indent, line_end));
            }
        } else if indent < key_indent || (indent == key_indent && !content.starts_with("- ")) || (indent == key_indent && !in_block) {
            let key = content.split(':').next().unwrap_or("").trim().trim_matches(|c| c == '"' || c == '\'');
            in_block = indent == key_indent && content.contains(':') && is_target(key);
            entry_indent = None;
            if in_block {
                out.push((value_start(line, line_start), line_end));
            }
        } else if in_block {
            let entries_at = *entry_indent.get_or_insert(indent);
            match line.find(':') {
                Some(_) if keep_keys && indent == entries_at && !content.starts_with("- ") => out.push((value_start(line, line_start), line_end)),
                _ => out.push((line_start + indent, line_end)),
            }
        }
        line_start = line_end + 1;
    }
}

/// Where the value of a `key: value` line starts (after the colon and its spaces).
fn value_start(line: &str, line_start: usize) -> usize {
    let colon = line.find(':').map(|c| c + 1).unwrap_or(0);
    line_start + colon + (line.len() - colon - line[colon..].trim_start_matches([' ', '\t']).len())
}

/// Mask `secretGenerator` literals in a kustomization, every `literals` block of every generator
/// (duplicated keys included): after `key=` when there is one, else the whole item.
fn mask_generator_literals(text: &str, root: &Node, out: &mut Vec<(usize, usize)>) {
    for (key, _, generators) in root.entries() {
        if key != "secretGenerator" {
            continue;
        }
        for generator in generators.items() {
            for lit in generator.get("literals").into_iter().flat_map(|l| l.items()) {
                let src = &text[lit.span.start as usize..lit.span.end as usize];
                match src.find('=') {
                    Some(eq) if lit.as_str().is_some_and(|v| v.contains('=')) => out.push((lit.span.start as usize + eq + 1, lit.span.end as usize)),
                    _ => out.push((lit.span.start as usize, lit.span.end as usize)),
                }
            }
            // Every `literals:` block by lines, for those the tree dropped as duplicates.
            let (gs, ge) = (generator.span.start as usize, (generator.span.end as usize).min(text.len()));
            let line_begin = text[..gs].rfind('\n').map(|i| i + 1).unwrap_or(0);
            let first = &text[line_begin..gs];
            // An item `- name: x` puts its keys two columns right of the dash.
            let indent = first.len();
            mask_blocks(text, gs, ge, indent, |k| k == "literals", false, out);
        }
    }
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
