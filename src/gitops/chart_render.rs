//! A local Helm chart installed by a deployer (an Argo CD Application, a Flux HelmRelease): render
//! it with `crate::helm` and turn the manifests into objects like any other, as the deployer
//! applies them.
//!
//! Each rendered document is read by the same YAML reader as every file; its spans are then moved
//! from the rendered text to the template (or values) line that wrote each line (`LineOrigin`), so
//! a finding lands on `charts/x/templates/pvc.yaml:12`. Objects that name no namespace get the
//! release namespace (Helm does not write it; the apply does). What the engine could not do is a
//! `helm-render-incomplete` note at the template line.

use crate::diag::Diagnostic;
use crate::helm::origin::OriginFile;
use crate::helm::{ChartRender, HelmError, ReleaseOptions, RenderedManifest};
use crate::model::Resource;
use crate::rules::source::helm_render_incomplete;
use crate::source::yaml::{self, Node, Style, Value, YamlIssueKind};
use crate::source::{FileId, SourceDb, Span};
use crate::kustomize::files::Files;
use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::rc::Rc;

/// The file id rendered text is parsed under before its spans are moved to real files.
const RENDERED: FileId = FileId(u32::MAX);

/// Document numbers of objects rendered from a chart archive, in the deployer's file.
const ARCHIVE_DOCS: usize = 1 << 20;

/// One release of a local chart, as a deployer asks for it.
pub(super) struct Release {
    pub chart_dir: PathBuf,
    pub options: ReleaseOptions,
    /// `Argo CD Application argocd/x`, `Flux HelmRelease apps/x`: recorded in `Resource::renders`.
    pub label: String,
    pub cluster: Option<String>,
    /// Where notes about the release as a whole go (the deployer's chart path line).
    pub declared_at: Span,
    /// Namespace for objects that name none; `None` when the deployer leaves it to the cluster.
    pub default_namespace: Option<String>,
}

/// What a release adds: objects, and notes.
#[derive(Default)]
pub(super) struct Added {
    pub resources: Vec<Resource>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Engine results by chart and release options: the same chart installed with the same values by
/// several Applications (an ApplicationSet per cluster) renders once.
#[derive(Default)]
pub(super) struct Cache {
    renders: HashMap<String, Rc<Result<ChartRender, HelmError>>>,
}

impl Cache {
    fn render(&mut self, chart_dir: &Path, opts: &ReleaseOptions) -> Rc<Result<ChartRender, HelmError>> {
        let mut values: Vec<String> = opts.values.iter().map(|v| format!("{}@{:?}", v.to_json(), v.span)).collect();
        if opts.include_crds {
            values.push("include crds".into());
        }
        if let Some(files) = &opts.chart_values {
            values.push("chart values:".into());
            values.extend(files.iter().map(|v| format!("{}@{:?}", v.to_json(), v.span)));
        }
        let key = format!("{}\u{0}{}\u{0}{}\u{0}{}", chart_dir.display(), opts.name, opts.namespace, values.join("\u{0}"));
        if let Some(r) = self.renders.get(&key) {
            return r.clone();
        }
        let rendered = match crate::helm::render_chart(chart_dir, opts) {
            Ok(r) => Ok(r),
            // Until (or where) the engine cannot render the chart, templates without any action
            // are their own output.
            Err(e) => match crate::helm::literal::render_chart(chart_dir) {
                Ok(mut r) if !r.manifests.is_empty() => {
                    let message = format!("{}; only its templates without template actions are rendered", e.message);
                    r.notes.insert(0, crate::helm::HelmNote { file: e.file.clone(), line: e.line, column: 1, message, fatal: false });
                    Ok(r)
                }
                _ => Err(e),
            },
        };
        let r = Rc::new(rendered);
        self.renders.insert(key, r.clone());
        r
    }
}

/// Whether a folder is a Helm chart.
pub(super) fn is_chart(dir: &Path) -> bool {
    dir.join("Chart.yaml").is_file()
}

/// Render a release and read its manifests as objects.
pub(super) fn render(db: &mut SourceDb, cache: &mut Cache, release: &Release) -> Added {
    let mut out = Added::default();
    let rendered = cache.render(&release.chart_dir, &release.options);
    let chart = match rendered.as_ref() {
        Ok(c) => c,
        Err(e) => {
            let span = file_line_span(db, &e.file, e.line, 1).unwrap_or(release.declared_at);
            out.diagnostics.push(note(span, format!("chart `{}` is not rendered: {}", display(&release.chart_dir), e.message), &release.label));
            return out;
        }
    };
    for n in &chart.notes {
        let span = file_line_span(db, &n.file, n.line, n.column).unwrap_or(release.declared_at);
        out.diagnostics.push(note(span, n.message.clone(), &release.label));
    }
    // Documents counted per template file: the engine gives one manifest per document, and
    // (file, document) identifies an object (entry points are followed once per identity).
    let mut docs: HashMap<FileId, usize> = HashMap::new();
    for m in &chart.manifests {
        // Test hooks run only on `helm test`: nothing deploys them.
        if m.hook.as_deref().is_some_and(|h| h.split(',').any(|h| h.trim() == "test" || h.trim() == "test-success")) {
            continue;
        }
        let objects = match manifest_objects(&mut Files::Own(db), m, release.declared_at) {
            Ok(o) => o,
            Err((span, message)) => {
                out.diagnostics.push(note(span, message, &release.label));
                continue;
            }
        };
        for root in objects.nodes {
            // Objects of an archive are numbered past the deployer file's own documents.
            let n = docs.entry(objects.file).or_insert(if objects.in_archive { ARCHIVE_DOCS } else { 0 });
            let mut res = Resource::new(root, objects.file, *n);
            *n += 1;
            res.cluster = release.cluster.clone();
            res.renders = vec![release.label.clone()];
            res.default_namespace = release.default_namespace.clone();
            out.resources.push(res);
        }
    }
    out
}

/// The objects one rendered manifest holds, read by the same YAML reader as every file.
pub(crate) struct ManifestObjects {
    /// The template file (the deployer's file when the template is inside a chart archive).
    pub file: FileId,
    pub in_archive: bool,
    pub nodes: Vec<Node>,
}

/// Read a rendered manifest: its spans moved to the template (or values) lines that wrote them,
/// or to `fallback` (the deployer's chart line) for a template inside a chart archive, which is
/// no file drlint shows; a Secret's values masked where they were written. `Err` (where, why)
/// when the manifest is not YAML (Helm refuses the release).
pub(crate) fn manifest_objects(db: &mut Files, m: &RenderedManifest, fallback: Span) -> Result<ManifestObjects, (Span, String)> {
    let template = db.load_text(&m.template_path).ok();
    let origins: Vec<Option<(FileId, usize)>> = m.lines.iter().map(|o| db.load_text(&o.file).ok().map(|f| (f, o.line))).collect();
    let map = template.map(|t| LineMap::new(&m.text, origins, t));
    let place = |db: &SourceDb, s: Span| map.as_ref().map(|map| map.span(db, s)).unwrap_or(fallback);
    let parsed = yaml::parse(RENDERED, &m.text);
    if let Some(issue) = parsed.issues.iter().find(|i| i.kind == YamlIssueKind::Invalid) {
        return Err((place(db.db(), issue.span), format!("`{}` does not render to valid YAML ({}); Helm refuses the release", m.source, issue.message)));
    }
    let mut masks: BTreeMap<FileId, Vec<(usize, usize)>> = BTreeMap::new();
    let mut nodes = Vec::new();
    for doc in &parsed.documents {
        let Some(mut root) = doc.root.clone().filter(crate::is_object) else { continue };
        let from_values = values_spans(db, &root, &m.values);
        let shown = db.db();
        remap(&mut root, &|s| from_values.get(&(s.start, s.end)).copied().unwrap_or_else(|| place(shown, s)));
        if root.str_at(&["kind"]) == Some("Secret") {
            // Never show a Secret's values: mask where the template (or values) wrote them.
            for field in ["data", "stringData"] {
                for (_, _, v) in root.get(field).into_iter().flat_map(|d| d.entries()).filter(|(_, _, v)| v.span != fallback) {
                    masks.entry(v.span.file).or_default().push((v.span.start as usize, v.span.end as usize));
                }
            }
        }
        nodes.push(root);
    }
    for (file, spans) in masks {
        db.mask(file, &spans);
    }
    Ok(ManifestObjects { file: template.unwrap_or(fallback.file), in_archive: template.is_none(), nodes })
}

/// Rendered nodes that values wrote (by their span in the rendered text) -> the values line's span.
fn values_spans(db: &mut Files, doc: &Node, printed: &[crate::helm::template::exec::Emitted]) -> HashMap<(u32, u32), Span> {
    let mut out = HashMap::new();
    for o in crate::helm::provenance::overrides(doc, printed) {
        let file = match &o.file {
            OriginFile::Db(id) if (id.0 as usize) < db.len() => *id,
            OriginFile::Path(p) => match db.load_text(p) {
                Ok(id) => id,
                Err(_) => continue,
            },
            OriginFile::Db(_) => continue,
        };
        if (o.place.end as usize) <= db.get(file).text().len() {
            out.insert(o.at, Span::new(file, o.place.start as usize, o.place.end as usize));
        }
    }
    out
}

/// A note on the chart itself: one per place and message, whichever releases render it (the
/// engine merges equal findings and lists their `renders`).
fn note(span: Span, message: String, label: &str) -> Diagnostic {
    let mut d = Diagnostic::new(helm_render_incomplete::META.id, helm_render_incomplete::META.severity, span, message);
    d.renders = vec![label.to_string()];
    d
}

fn display(dir: &Path) -> String {
    super::display_dir(dir)
}

/// The span of a 1-based line (from the column on) of a file, read into the database if needed.
fn file_line_span(db: &mut SourceDb, path: &Path, line: usize, column: usize) -> Option<Span> {
    let id = db.load_text(path).ok()?;
    let f = db.get(id);
    let start = f.line_start(line.max(1));
    let text = f.line_text(line.max(1));
    let col = text.char_indices().nth(column.saturating_sub(1)).map(|(i, _)| i).unwrap_or(0);
    Some(Span::new(id, start + col, start + text.len()))
}

/// Rendered text -> the template (or values) lines that wrote it.
struct LineMap<'a> {
    text: &'a str,
    starts: Vec<usize>,
    origins: Vec<Option<(FileId, usize)>>,
    template: FileId,
}

impl<'a> LineMap<'a> {
    fn new(text: &'a str, origins: Vec<Option<(FileId, usize)>>, template: FileId) -> LineMap<'a> {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineMap { text, starts, origins, template }
    }

    /// A rendered offset in the origin file: the same column when the origin line reads the same
    /// (up to indentation, which `indent`/`nindent` change), else the origin line's text.
    fn offset(&self, db: &SourceDb, offset: usize, is_end: bool) -> (FileId, usize) {
        let offset = offset.min(self.text.len());
        let l = match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let Some((file, line)) = self.origins.get(l).copied().flatten() else { return (self.template, 0) };
        let f = db.get(file);
        let line_start = f.line_start(line);
        let t = f.line_text(line);
        let r_end = self.starts.get(l + 1).copied().unwrap_or(self.text.len());
        let r = self.text[self.starts[l]..r_end].trim_end_matches(['\n', '\r']);
        let col = offset - self.starts[l];
        let (t_indent, r_indent) = (t.len() - t.trim_start().len(), r.len() - r.trim_start().len());
        if t.trim_start() == r.trim_start() {
            let col = (col.max(r_indent) - r_indent + t_indent).min(t.len());
            return (file, line_start + col);
        }
        (file, line_start + if is_end { t.trim_end().len() } else { t_indent })
    }

    fn span(&self, db: &SourceDb, s: Span) -> Span {
        let (file, start) = self.offset(db, s.start as usize, false);
        let (end_file, end) = self.offset(db, s.end as usize, true);
        if end_file == file && end >= start {
            return Span::new(file, start, end);
        }
        // A node spanning lines from different origins: its first line.
        let f = db.get(file);
        let line = f.line_col(start).line;
        Span::new(file, start, f.line_start(line) + f.line_text(line).len())
    }
}

/// Apply `f` to every span of a tree.
pub(super) fn remap(node: &mut Node, f: &dyn Fn(Span) -> Span) {
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        n.span = f(n.span);
        match &mut n.value {
            Value::Scalar(..) => {}
            Value::Seq(items) => stack.extend(items.iter_mut()),
            Value::Map(entries) => {
                for (k, v) in entries.iter_mut() {
                    stack.push(k);
                    stack.push(v);
                }
            }
        }
    }
}

/// YAML held in a string (Argo CD `helm.values`, a values key of a ConfigMap): parsed by the same
/// reader, its spans in the file that holds the string. A literal block (`values: |`) keeps line
/// and column; any other style points at the string as a whole. `Ok(None)` for an empty document.
pub(super) fn parse_embedded(db: &SourceDb, holder: &Node, text: &str) -> Result<Option<Node>, String> {
    let parsed = yaml::parse(RENDERED, text);
    if let Some(issue) = parsed.issues.iter().find(|i| i.kind == YamlIssueKind::Invalid) {
        return Err(issue.message.clone());
    }
    let Some(mut root) = parsed.documents.into_iter().find_map(|d| d.root) else { return Ok(None) };
    let whole = holder.span;
    let literal = holder.style() == Some(Style::Literal) && holder.as_str() == Some(text) && (whole.file.0 as usize) < db.len();
    if !literal {
        remap(&mut root, &|_| whole);
        return Ok(Some(root));
    }
    let f = db.get(whole.file);
    let first_line = f.line_col(whole.start as usize).line + 1;
    // The block's indentation: that of its first line with text.
    let indent = (first_line..=f.line_count()).map(|l| f.line_text(l)).find(|t| !t.trim().is_empty()).map(|t| t.len() - t.trim_start().len()).unwrap_or(0);
    let starts: Vec<usize> = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
    let to_file = |o: usize| {
        let l = match starts.binary_search(&o) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let line = first_line + l;
        let ls = f.line_start(line);
        (ls + indent + (o - starts[l])).min(ls + f.line_text(line).len()).min(whole.end as usize)
    };
    remap(&mut root, &|s| Span::new(whole.file, to_file(s.start as usize), to_file(s.end as usize)));
    Ok(Some(root))
}

/// One step of a `--set` path.
#[derive(Debug, PartialEq)]
enum Step {
    Key(String),
    Index(usize),
}

/// `a.b[0].c`, with `\.` for a dot inside a key, as Helm's `--set` reads a name.
fn parse_path(path: &str) -> Result<Vec<Step>, String> {
    let mut steps = Vec::new();
    let mut key = String::new();
    let mut chars = path.chars().peekable();
    let mut after_index = false;
    while let Some(c) = chars.next() {
        match c {
            '\\' => key.extend(chars.next()),
            '.' => {
                if !key.is_empty() {
                    steps.push(Step::Key(std::mem::take(&mut key)));
                } else if !after_index {
                    return Err(format!("empty key in `{path}`"));
                }
                after_index = false;
            }
            '[' => {
                if !key.is_empty() {
                    steps.push(Step::Key(std::mem::take(&mut key)));
                }
                let mut digits = String::new();
                for d in chars.by_ref() {
                    if d == ']' {
                        break;
                    }
                    digits.push(d);
                }
                let i: usize = digits.trim().parse().map_err(|_| format!("bad list index `[{digits}]` in `{path}`"))?;
                if i > 65_536 {
                    return Err(format!("list index {i} in `{path}` is too large"));
                }
                steps.push(Step::Index(i));
                after_index = true;
            }
            c => key.push(c),
        }
    }
    if !key.is_empty() {
        steps.push(Step::Key(key));
    }
    if steps.is_empty() {
        return Err("empty name".into());
    }
    Ok(steps)
}

/// A `--set` value as Helm types it (`--set-string`: always a string): `true`/`false`/`null` in
/// any case, integers not written with a leading zero, `{a,b}` a list; anything else a string.
pub(super) fn typed_value(text: &str, force_string: bool, span: Span) -> Node {
    let string = |t: &str| Node { value: Value::Scalar(t.into(), Style::DoubleQuoted), span, tag: None };
    if force_string {
        return string(text);
    }
    if let Some(inner) = text.strip_prefix('{').and_then(|t| t.strip_suffix('}')) {
        let items = if inner.is_empty() { Vec::new() } else { inner.split(',').map(|i| typed_value(i, false, span)).collect() };
        return Node::seq(items, span);
    }
    let lower = text.to_ascii_lowercase();
    if matches!(lower.as_str(), "true" | "false" | "null") {
        return Node::scalar(lower, span);
    }
    let int = text == "0" || (!text.starts_with('0') && !text.starts_with('+') && text.parse::<i64>().is_ok());
    if int { Node::scalar(text, span) } else { string(text) }
}

/// Set `path` (Helm `--set` syntax) to `value` in the mapping `root`, creating what is missing.
pub(super) fn set_path(root: &mut Node, path: &str, value: Node) -> Result<(), String> {
    let steps = parse_path(path)?;
    let span = value.span;
    let mut cur = root;
    for (i, step) in steps.iter().enumerate() {
        let last = i + 1 == steps.len();
        match step {
            Step::Key(k) => {
                if !cur.is_map() {
                    *cur = Node::map(Vec::new(), span);
                }
                if cur.get(k).is_none() {
                    cur.insert(Node::scalar(k.clone(), span), Node::map(Vec::new(), span));
                }
                let next = cur.get_mut(k).unwrap();
                if last {
                    *next = value;
                    return Ok(());
                }
                cur = next;
            }
            Step::Index(n) => {
                if !cur.is_seq() {
                    *cur = Node::seq(Vec::new(), span);
                }
                let items = cur.as_seq_mut().unwrap();
                while items.len() <= *n {
                    items.push(Node::scalar("null", span));
                }
                let next = &mut items[*n];
                if last {
                    *next = value;
                    return Ok(());
                }
                cur = next;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_paths_build_maps_and_lists() {
        let s = Span::default();
        let mut root = Node::map(Vec::new(), s);
        set_path(&mut root, "a.b[1].c", typed_value("3", false, s)).unwrap();
        set_path(&mut root, r"ann.x\.io/y", typed_value("true", true, s)).unwrap();
        assert_eq!(root.to_json().to_string(), r#"{"a":{"b":[null,{"c":3}]},"ann":{"x.io/y":"true"}}"#);
        assert_eq!(typed_value("007", false, s).to_json(), serde_json::json!("007"));
        assert_eq!(typed_value("TRUE", false, s).to_json(), serde_json::json!(true));
        assert_eq!(typed_value("{a,2}", false, s).to_json(), serde_json::json!(["a", 2]));
        assert!(parse_path("a..b").is_err());
    }
}
