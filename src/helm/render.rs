//! `helm template` for one chart: values coalesced, every template of the chart and its enabled
//! subcharts parsed into one set, each non-partial template executed with its chart's objects,
//! then split into documents and sorted as Helm prints them.

use super::chart::{self, Chart};
use super::origin::OriginFile;
use super::template::exec::{Emitted, Exec, Out};
use super::template::TemplateSet;
use super::value::{DictCell, Map, ObjectKind, Value};
use super::{ChartRender, HelmError, HelmNote, LineOrigin, ReleaseOptions, RenderedManifest, order, values};
use std::path::{Path, PathBuf};

/// The Kubernetes version `helm template` assumes without a cluster (Helm v4's default).
const DEFAULT_KUBE_VERSION: &str = "v1.36.0";

/// The API versions Helm v4 reports in `.Capabilities.APIVersions` without a cluster, in its
/// order (`toJson` prints them so).
const DEFAULT_API_VERSIONS: &[&str] = &[
    "v1", "admissionregistration.k8s.io/v1", "admissionregistration.k8s.io/v1alpha1", "admissionregistration.k8s.io/v1beta1",
    "internal.apiserver.k8s.io/v1alpha1", "apps/v1", "apps/v1beta1", "apps/v1beta2", "authentication.k8s.io/v1",
    "authentication.k8s.io/v1alpha1", "authentication.k8s.io/v1beta1", "authorization.k8s.io/v1", "authorization.k8s.io/v1beta1",
    "autoscaling/v1", "autoscaling/v2", "batch/v1", "batch/v1beta1", "certificates.k8s.io/v1", "certificates.k8s.io/v1beta1",
    "certificates.k8s.io/v1alpha1", "coordination.k8s.io/v1alpha2", "coordination.k8s.io/v1beta1", "coordination.k8s.io/v1",
    "discovery.k8s.io/v1", "discovery.k8s.io/v1beta1", "events.k8s.io/v1", "events.k8s.io/v1beta1", "extensions/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1", "flowcontrol.apiserver.k8s.io/v1beta1", "flowcontrol.apiserver.k8s.io/v1beta2",
    "flowcontrol.apiserver.k8s.io/v1beta3", "networking.k8s.io/v1", "networking.k8s.io/v1beta1", "node.k8s.io/v1",
    "node.k8s.io/v1alpha1", "node.k8s.io/v1beta1", "policy/v1", "policy/v1beta1", "rbac.authorization.k8s.io/v1",
    "rbac.authorization.k8s.io/v1beta1", "rbac.authorization.k8s.io/v1alpha1", "resource.k8s.io/v1", "resource.k8s.io/v1beta2",
    "resource.k8s.io/v1beta1", "resource.k8s.io/v1alpha3", "scheduling.k8s.io/v1alpha2", "scheduling.k8s.io/v1beta1",
    "scheduling.k8s.io/v1", "storage.k8s.io/v1beta1", "storage.k8s.io/v1", "storage.k8s.io/v1alpha1",
    "storagemigration.k8s.io/v1beta1", "apiextensions.k8s.io/v1beta1", "apiextensions.k8s.io/v1",
];

/// One template of the release, with the objects its chart sees.
struct Tpl {
    name: String,
    path: PathBuf,
    text: String,
    dot: Value,
}

pub fn render(chart_dir: &Path, opts: &ReleaseOptions) -> Result<ChartRender, HelmError> {
    let mut notes = Vec::new();
    let mut root = chart::load(chart_dir, &mut notes, 0)?;
    if let Some(files) = &opts.chart_values {
        root.values = DictCell::default();
        for n in files {
            if let Value::Dict(m) = Value::from_yaml_node_at(n, &OriginFile::Db(n.span.file)) {
                values::merge_user(&root.values, &m);
            }
        }
    }
    import_values(&mut root);
    let vals = DictCell::default();
    for n in &opts.values {
        if let Value::Dict(m) = Value::from_yaml_node_at(n, &OriginFile::Db(n.span.file)) {
            values::merge_user(&vals, &m);
        }
    }
    coalesce(&root, &vals);
    values::drop_nulls(&vals);
    let caps = capabilities(opts);
    let release = release_object(opts);
    let mut tpls = Vec::new();
    let vals = Value::Dict(std::rc::Rc::new(vals));
    let mut crds = Vec::new();
    if opts.include_crds {
        crd_manifests(&root, &root.name, &vals, &mut crds);
    }
    collect(&root, &root.name, vals, &release, &caps, &mut tpls, &mut notes);

    // Helm parses (and runs) templates deepest path first, then in reverse name order, so a
    // parent's `define` replaces a subchart's of the same name.
    tpls.sort_by(|a, b| {
        let (ca, cb) = (a.name.matches('/').count(), b.name.matches('/').count());
        cb.cmp(&ca).then_with(|| b.name.cmp(&a.name))
    });
    let mut set = TemplateSet::default();
    let mut parsed = Vec::new();
    for t in &tpls {
        match set.add(&t.name, &t.text) {
            Ok(()) => parsed.push(true),
            Err(e) => {
                notes.push(HelmNote { file: t.path.clone(), line: e.line, column: 1, message: format!("template not parsed: {}", e.message), fatal: true });
                parsed.push(false);
            }
        }
    }
    // (template name, file, rendered text, per-line origins, values printed)
    type Output = (String, PathBuf, String, Vec<(usize, usize)>, Vec<Emitted>);
    let mut outputs: Vec<Output> = Vec::new();
    for (t, ok) in tpls.iter().zip(parsed) {
        let base = t.name.rsplit('/').next().unwrap_or(&t.name);
        if !ok || base.starts_with('_') || base == "NOTES.txt" {
            continue;
        }
        let mut out = Out::default();
        let mut exec = Exec::new(&set);
        match exec.run(&t.name, &t.dot, &mut out) {
            Ok(()) => {
                let (text, printed) = strip_no_value(&out.text, out.values);
                outputs.push((t.name.clone(), t.path.clone(), text, out.origins, printed))
            }
            Err(e) => {
                let file = tpls.iter().find(|x| x.name == e.file).map(|x| x.path.clone()).unwrap_or(t.path.clone());
                notes.push(HelmNote { file, line: e.line, column: 1, message: format!("{} not rendered: {}", t.name, e.message), fatal: true });
            }
        }
    }
    outputs.sort_by(|a, b| a.0.cmp(&b.0));
    let file_paths: Vec<PathBuf> = set.files.iter().map(|f| tpls.iter().find(|t| t.name == *f).map(|t| t.path.clone()).unwrap_or_default()).collect();
    let mut generic = Vec::new();
    let mut hooks = Vec::new();
    for (name, path, text, origins, printed) in outputs {
        if text.trim().is_empty() {
            continue;
        }
        let line_starts: Vec<usize> = std::iter::once(0).chain(text.match_indices('\n').map(|(i, _)| i + 1)).collect();
        for d in order::split(&text) {
            let body = &text[d.start..d.end];
            let first = line_starts.partition_point(|&s| s <= d.start) - 1;
            let count = body.matches('\n').count() + 1;
            let lines = (first..first + count)
                .filter_map(|i| origins.get(i))
                .map(|&(f, l)| LineOrigin { file: file_paths.get(f).cloned().unwrap_or_else(|| path.clone()), line: l })
                .collect();
            let values = printed.iter().filter(|e| e.start >= d.start && e.end <= d.end).map(|e| Emitted { start: e.start - d.start, end: e.end - d.start, sources: e.sources.clone() }).collect();
            let (kind, hook) = head(body);
            if kind.is_none() {
                notes.push(HelmNote { file: path.clone(), line: 1, column: 1, message: format!("{name}: a rendered document is not a YAML mapping (helm template would fail)"), fatal: true });
            }
            let m = RenderedManifest { source: name.clone(), template_path: path.clone(), text: body.to_string(), lines, values, hook: hook.clone(), kind: kind.unwrap_or_default() };
            if hook.is_some() {
                hooks.push((m.kind.clone(), m));
            } else {
                generic.push((m.kind.clone(), m));
            }
        }
    }
    order::sort_by_kind(&mut generic);
    order::sort_by_kind(&mut hooks);
    let manifests = crds.into_iter().chain(generic.into_iter().chain(hooks).map(|(_, m)| m)).collect();
    Ok(ChartRender { manifests, notes })
}

/// Helm removes `<no value>` from the output: the text without it, and the printed values' ranges
/// moved to match.
fn strip_no_value(text: &str, mut printed: Vec<Emitted>) -> (String, Vec<Emitted>) {
    const NO_VALUE: &str = "<no value>";
    let cuts: Vec<usize> = text.match_indices(NO_VALUE).map(|(i, _)| i).collect();
    if cuts.is_empty() {
        return (text.to_string(), printed);
    }
    let shift = |o: usize| {
        let before = cuts.partition_point(|&c| c + NO_VALUE.len() <= o);
        // An offset inside a removed `<no value>` moves to where it was.
        let o = cuts.get(before).filter(|&&c| c < o).copied().unwrap_or(o);
        o - before * NO_VALUE.len()
    };
    for e in &mut printed {
        e.start = shift(e.start);
        e.end = shift(e.end).max(e.start);
    }
    (text.replace(NO_VALUE, ""), printed)
}

/// `kind` and the hook annotation of a document (`None` kind when it is not a mapping).
fn head(doc: &str) -> (Option<String>, Option<String>) {
    let parsed = crate::source::yaml::parse(crate::source::FileId(0), doc);
    let Some(root) = parsed.documents.first().and_then(|d| d.root.as_ref()) else {
        // A document of comments only (`# installs x` before a `---`) is empty to Helm: it reads
        // as a head with no kind, which is not an error.
        let broken = parsed.issues.iter().any(|i| i.kind == crate::source::yaml::YamlIssueKind::Invalid);
        return (if broken { None } else { Some(String::new()) }, None);
    };
    if root.is_null() {
        return (Some(String::new()), None);
    }
    if !root.is_map() {
        return (None, None);
    }
    let kind = root.str_at(&["kind"]).unwrap_or("").to_string();
    let hook = root.str_at(&["metadata", "annotations", "helm.sh/hook"]).map(str::to_string);
    (Some(kind), hook)
}

/// What `helm template` prints: each document after `---` and its `# Source:` line.
pub fn print_template(r: &ChartRender) -> String {
    let mut out = String::new();
    for m in &r.manifests {
        out.push_str(&format!("---\n# Source: {}\n{}\n", m.source, m.text));
    }
    out
}

/// Coalesce `v` (the release's values for `chart`) with the chart's defaults and, recursively,
/// each subchart's section with the subchart's defaults and the parent's globals.
fn coalesce(chart: &Chart, v: &DictCell) {
    values::coalesce_defaults(v, &chart.values);
    for sub in &chart.subcharts {
        let key = sub_key(chart, sub);
        let current = v.borrow().get(&key).cloned();
        let sv = match current {
            Some(Value::Dict(d)) => d.copy(),
            _ => DictCell::default(),
        };
        values::coalesce_globals(&sv, v);
        coalesce(sub, &sv);
        v.borrow_mut().insert(key, Value::Dict(std::rc::Rc::new(sv)));
    }
}

/// Helm's `import-values`, deepest charts first: each dependency's exported values (`exports.<x>`,
/// or a `child` path) copied into its parent's defaults, below the parent's own values (Helm's
/// `processImportValues`: the chart's values, coalesced with its subcharts', win over imports).
fn import_values(chart: &mut Chart) {
    for sub in &mut chart.subcharts {
        import_values(sub);
    }
    if chart.deps.iter().all(|d| d.import_values.is_empty()) {
        return;
    }
    let own = DictCell::default();
    coalesce(chart, &own);
    let imported = DictCell::default();
    for dep in &chart.deps {
        for (child, parent) in &dep.import_values {
            // Helm renames an aliased dependency before it reads the child's values.
            let key = dep.alias.as_deref().unwrap_or(&dep.name);
            let Some(Value::Dict(table)) = values::path(&own.borrow(), &format!("{key}.{child}")) else { continue };
            // The table placed at `parent` (a dotted path; empty or `.` for the root).
            let mut placed = Value::Dict(std::rc::Rc::new(table.copy()));
            for key in parent.split('.').filter(|k| !k.is_empty()).rev() {
                let mut m = Map::new();
                m.insert(key.to_string(), placed);
                placed = Value::dict(m);
            }
            if let Value::Dict(p) = placed {
                values::merge_tables(&imported, &p);
            }
        }
    }
    values::merge_tables(&own, &imported);
    chart.values = own;
}

/// `--include-crds`: each enabled chart's `crds/` files (`.yaml`, `.yml`, `.json`), verbatim and
/// whole, a chart's before its subcharts', as Helm's `CRDObjects` lists them.
fn crd_manifests(chart: &Chart, prefix: &str, vals: &Value, out: &mut Vec<RenderedManifest>) {
    for (rel, data) in &chart.files {
        if !rel.starts_with("crds/") || ![".yaml", ".yml", ".json"].iter().any(|e| rel.ends_with(e)) {
            continue;
        }
        let text = String::from_utf8_lossy(data).into_owned();
        let path = chart.dir.join(rel);
        let lines = (1..=text.lines().count()).map(|line| LineOrigin { file: path.clone(), line }).collect();
        let kind = head(&text).0.unwrap_or_default();
        out.push(RenderedManifest { source: format!("{prefix}/{rel}"), template_path: path, text, lines, values: Vec::new(), hook: None, kind });
    }
    for sub in &chart.subcharts {
        if enabled(chart, sub, vals) {
            let key = sub_key(chart, sub);
            crd_manifests(sub, &format!("{prefix}/charts/{key}"), &vals.field(&key).unwrap_or(Value::Nil), out);
        }
    }
}

/// A subchart's name in its parent: the dependency's alias when it has one.
fn sub_key(parent: &Chart, sub: &Chart) -> String {
    parent.deps.iter().find(|d| d.name == sub.name).and_then(|d| d.alias.clone()).unwrap_or_else(|| sub.name.clone())
}

/// Whether a dependency is enabled by its `condition` (first path that holds a bool) or `tags`.
fn enabled(parent: &Chart, sub: &Chart, vals: &Value) -> bool {
    let Some(dep) = parent.deps.iter().find(|d| d.name == sub.name) else { return true };
    let Value::Dict(m) = vals else { return true };
    let m = m.borrow();
    if let Some(cond) = &dep.condition {
        for c in cond.split(',').map(str::trim) {
            if let Some(Value::Bool(b)) = values::path(&m, c) {
                return b;
            }
        }
    }
    if !dep.tags.is_empty() {
        let tags = values::path(&m, "tags");
        let vals: Vec<bool> = dep.tags.iter().filter_map(|t| match tags.as_ref().and_then(|x| x.field(t)) {
            Some(Value::Bool(b)) => Some(b),
            _ => None,
        }).collect();
        if !vals.is_empty() {
            return vals.iter().any(|b| *b);
        }
    }
    true
}

fn collect(chart: &Chart, prefix: &str, vals: Value, release: &Value, caps: &Value, out: &mut Vec<Tpl>, notes: &mut Vec<HelmNote>) {
    super::schema::check(chart, &vals, notes);
    let chart_obj = chart::chart_object(&chart.metadata, prefix == chart.name);
    let files = super::funcs::helm::files_object(chart.files.clone());
    for (rel, path, text) in &chart.templates {
        let name = format!("{prefix}/{rel}");
        let mut tmpl = Map::new();
        tmpl.insert("Name".into(), Value::str(name.clone()));
        tmpl.insert("BasePath".into(), Value::str(format!("{prefix}/templates")));
        let mut top = Map::new();
        top.insert("Values".into(), vals.clone());
        top.insert("Release".into(), release.clone());
        top.insert("Chart".into(), chart_obj.clone());
        top.insert("Capabilities".into(), caps.clone());
        top.insert("Files".into(), files.clone());
        top.insert("Template".into(), Value::object(ObjectKind::Plain, tmpl, None));
        top.insert("Subcharts".into(), Value::dict(Map::new()));
        out.push(Tpl { name, path: path.clone(), text: text.clone(), dot: Value::object(ObjectKind::Plain, top, None) });
    }
    for sub in &chart.subcharts {
        if !enabled(chart, sub, &vals) {
            continue;
        }
        let key = sub_key(chart, sub);
        let sv = vals.field(&key).unwrap_or(Value::Nil);
        let sv = if matches!(sv, Value::Dict(_)) { sv } else { Value::dict(Map::new()) };
        collect(sub, &format!("{prefix}/charts/{key}"), sv, release, caps, out, notes);
    }
}

fn release_object(opts: &ReleaseOptions) -> Value {
    let mut m = Map::new();
    m.insert("Name".into(), Value::str(opts.name.clone()));
    m.insert("Namespace".into(), Value::str(if opts.namespace.is_empty() { "default".into() } else { opts.namespace.clone() }));
    m.insert("IsInstall".into(), Value::Bool(true));
    m.insert("IsUpgrade".into(), Value::Bool(false));
    m.insert("Revision".into(), Value::Int(1));
    m.insert("Service".into(), Value::str("Helm"));
    Value::object(ObjectKind::Plain, m, None)
}

fn capabilities(opts: &ReleaseOptions) -> Value {
    let kv = if opts.kube_version.is_empty() { DEFAULT_KUBE_VERSION.to_string() } else { opts.kube_version.clone() };
    let kv = if kv.starts_with('v') { kv } else { format!("v{kv}") };
    let mut parts = kv.trim_start_matches('v').split('.');
    let mut k = Map::new();
    k.insert("Version".into(), Value::str(kv.clone()));
    k.insert("GitVersion".into(), Value::str(kv.clone()));
    k.insert("Major".into(), Value::str(parts.next().unwrap_or("1")));
    k.insert("Minor".into(), Value::str(parts.next().unwrap_or("0")));
    let mut apis: Vec<String> = DEFAULT_API_VERSIONS.iter().map(|s| s.to_string()).collect();
    apis.extend(opts.api_versions.iter().cloned());
    let mut h = Map::new();
    h.insert("Version".into(), Value::str("v4.2"));
    let mut c = Map::new();
    c.insert("KubeVersion".into(), Value::object(ObjectKind::Plain, k, Some(kv)));
    c.insert("APIVersions".into(), Value::object(ObjectKind::ApiVersions(apis), Map::new(), None));
    c.insert("HelmVersion".into(), Value::object(ObjectKind::Plain, h, None));
    Value::object(ObjectKind::Plain, c, None)
}
