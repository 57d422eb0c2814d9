//! A chart folder as Helm's loader reads it: `Chart.yaml`, `values.yaml`, `templates/`, the other
//! files (`.Files`), subcharts in `charts/` and `file://` dependencies found on disk, with
//! `.helmignore` applied.

use crate::helm::origin::OriginFile;
use crate::helm::value::{DictCell, Map, Value};
use crate::helm::{HelmError, HelmNote};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub struct Chart {
    pub dir: PathBuf,
    /// `Chart.yaml` as a map (lower-case keys, as written).
    pub metadata: Map,
    pub name: String,
    /// `values.yaml`, each entry remembering its line when the chart is a folder on disk.
    pub values: DictCell,
    /// `templates/...` relative path -> (file on disk, text).
    pub templates: Vec<(String, PathBuf, String)>,
    /// Every other file (relative path -> bytes), for `.Files`.
    pub files: BTreeMap<String, Vec<u8>>,
    pub subcharts: Vec<Chart>,
    /// `values.schema.json`, when the chart has one.
    pub schema: Option<Vec<u8>>,
    /// `dependencies:` entries: (name or alias, condition, tags).
    pub deps: Vec<Dep>,
}

pub struct Dep {
    pub name: String,
    pub alias: Option<String>,
    pub condition: Option<String>,
    pub tags: Vec<String>,
    /// `import-values` as (path in the child's values, path in the parent's; empty for the root).
    pub import_values: Vec<(String, String)>,
}

/// The first document of a YAML file of the chart (`None` when the file is absent or empty).
fn yaml_root(bytes: Option<&Vec<u8>>, path: &Path) -> Result<Option<crate::source::yaml::Node>, HelmError> {
    let Some(bytes) = bytes else { return Ok(None) };
    let text = String::from_utf8_lossy(bytes);
    let parsed = crate::source::yaml::parse(crate::source::FileId(0), &text);
    if let Some(i) = parsed.issues.iter().find(|i| i.refused()) {
        let line = text[..(i.span.start as usize).min(text.len())].matches('\n').count() + 1;
        return Err(HelmError { file: path.to_path_buf(), line, message: i.message.clone() });
    }
    Ok(parsed.documents.into_iter().next().and_then(|d| d.root))
}

/// A YAML file of the chart as a map (an empty map when the file is absent or not a map).
fn yaml_map(bytes: Option<&Vec<u8>>, path: &Path) -> Result<Map, HelmError> {
    Ok(match yaml_root(bytes, path)?.as_ref().map(Value::from_yaml_node) {
        Some(Value::Dict(m)) => m.borrow().clone(),
        _ => Map::new(),
    })
}

/// `values.yaml` as a map whose entries remember where they were written, when `path` is a file
/// on disk (not inside an archive).
fn values_map(bytes: Option<&Vec<u8>>, path: &Path) -> Result<DictCell, HelmError> {
    let Some(root) = yaml_root(bytes, path)? else { return Ok(DictCell::default()) };
    let value = if path.is_file() { Value::from_yaml_node_at(&root, &OriginFile::Path(std::rc::Rc::new(path.to_path_buf()))) } else { Value::from_yaml_node(&root) };
    Ok(match value {
        Value::Dict(m) => m.copy(),
        _ => DictCell::default(),
    })
}

/// `.helmignore`: one glob per line, `#` comments, a trailing `/` for folders, `!` to keep.
struct Ignore(Vec<(bool, bool, bool, regex::Regex)>);

impl Ignore {
    fn load(dir: &Path) -> Ignore {
        let text = std::fs::read_to_string(dir.join(".helmignore")).unwrap_or_default();
        let mut rules = Vec::new();
        for line in text.lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (neg, l) = match line.strip_prefix('!') {
                Some(l) => (true, l),
                None => (false, line),
            };
            let (dir_only, l) = match l.strip_suffix('/') {
                Some(l) => (true, l),
                None => (false, l),
            };
            let mut re = String::from("^");
            for c in l.trim_start_matches('/').chars() {
                match c {
                    '*' => re.push_str("[^/]*"),
                    '?' => re.push_str("[^/]"),
                    c => re.push_str(&regex::escape(&c.to_string())),
                }
            }
            re.push('$');
            if let Ok(r) = regex::Regex::new(&re) {
                rules.push((neg, dir_only, l.trim_start_matches('/').contains('/'), r));
            }
        }
        Ignore(rules)
    }

    /// Whether `rel` or one of its folders is ignored.
    fn ignored(&self, rel: &str, is_dir: bool) -> bool {
        let mut at = 0;
        while let Some(i) = rel[at..].find('/') {
            if self.ignored_one(&rel[..at + i], true) {
                return true;
            }
            at += i + 1;
        }
        self.ignored_one(rel, is_dir)
    }

    fn ignored_one(&self, rel: &str, is_dir: bool) -> bool {
        let base = rel.rsplit('/').next().unwrap_or(rel);
        let mut out = false;
        for (neg, dir_only, has_slash, re) in &self.0 {
            if *dir_only && !is_dir {
                continue;
            }
            let m = if *has_slash { re.is_match(rel) } else { re.is_match(base) || re.is_match(rel) };
            if m {
                out = !neg;
            }
        }
        out
    }
}

/// Load the chart in folder `dir` (files below it, `.helmignore` applied), or the packaged chart
/// `dir` names (a `.tgz` from `helm pull`).
pub fn load(dir: &Path, notes: &mut Vec<HelmNote>, depth: usize) -> Result<Chart, HelmError> {
    if dir.is_file() {
        let bytes = std::fs::read(dir).map_err(|e| HelmError { file: dir.to_path_buf(), line: 1, message: format!("unreadable chart archive: {e}") })?;
        return load_tgz(&bytes, dir, notes, depth);
    }
    let ignore = Ignore::load(dir);
    let mut files = BTreeMap::new();
    let mut walker = walkdir::WalkDir::new(dir).follow_links(false).sort_by_file_name().min_depth(1).into_iter();
    while let Some(Ok(e)) = walker.next() {
        let rel = e.path().strip_prefix(dir).unwrap_or(e.path()).to_string_lossy().replace('\\', "/");
        let is_dir = e.file_type().is_dir();
        if ignore.ignored(&rel, is_dir) {
            if is_dir {
                walker.skip_current_dir();
            }
            continue;
        }
        if !is_dir && let Ok(b) = std::fs::read(e.path()) {
            files.insert(rel, b);
        }
    }
    from_files(dir, files, notes, depth)
}

/// Load a packaged chart (`.tgz`): every entry below the archive's top folder.
fn load_tgz(bytes: &[u8], path: &Path, notes: &mut Vec<HelmNote>, depth: usize) -> Result<Chart, HelmError> {
    let err = |m: String| HelmError { file: path.to_path_buf(), line: 1, message: m };
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(bytes));
    let mut files = BTreeMap::new();
    let mut total = 0usize;
    for entry in archive.entries().map_err(|e| err(format!("unreadable chart archive: {e}")))? {
        let mut entry = entry.map_err(|e| err(format!("unreadable chart archive: {e}")))?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let name = entry.path().map(|p| p.to_string_lossy().replace('\\', "/")).unwrap_or_default();
        let Some((_, rel)) = name.split_once('/') else { continue };
        let mut buf = Vec::new();
        use std::io::Read;
        // A bound on what an archive may expand to (a chart is kilobytes, not gigabytes).
        let _ = entry.by_ref().take(64 << 20).read_to_end(&mut buf);
        total += buf.len();
        if total > 256 << 20 {
            return Err(err("chart archive expands to more than 256 MiB".into()));
        }
        files.insert(rel.to_string(), buf);
    }
    from_files(path, files, notes, depth)
}

/// Build a chart from its files (paths relative to the chart's root, `/`-separated).
fn from_files(dir: &Path, mut all: BTreeMap<String, Vec<u8>>, notes: &mut Vec<HelmNote>, depth: usize) -> Result<Chart, HelmError> {
    let chart_yaml = dir.join("Chart.yaml");
    if !all.contains_key("Chart.yaml") {
        return Err(HelmError { file: chart_yaml, line: 1, message: "no readable Chart.yaml".into() });
    }
    let metadata = yaml_map(all.get("Chart.yaml"), &chart_yaml)?;
    let name = metadata.get("name").map(Value::text).unwrap_or_default();
    if name.is_empty() {
        return Err(HelmError { file: chart_yaml.clone(), line: 1, message: "Chart.yaml has no name".into() });
    }
    let values = values_map(all.get("values.yaml"), &dir.join("values.yaml"))?;
    let schema = all.get("values.schema.json").cloned();
    let mut templates = Vec::new();
    let mut files = BTreeMap::new();
    let mut sub_trees: BTreeMap<String, BTreeMap<String, Vec<u8>>> = BTreeMap::new();
    let mut sub_archives: Vec<(String, Vec<u8>)> = Vec::new();
    for (rel, bytes) in std::mem::take(&mut all) {
        if let Some(rest) = rel.strip_prefix("charts/") {
            match rest.split_once('/') {
                Some((sub, inner)) => {
                    sub_trees.entry(sub.to_string()).or_default().insert(inner.to_string(), bytes);
                }
                None if rest.ends_with(".tgz") => sub_archives.push((rest.to_string(), bytes)),
                None => {}
            }
        } else if rel.starts_with("templates/") {
            templates.push((rel.clone(), dir.join(&rel), String::from_utf8_lossy(&bytes).into_owned()));
        } else if !matches!(rel.as_str(), "Chart.yaml" | "values.yaml" | "Chart.lock" | "requirements.yaml" | "requirements.lock" | "values.schema.json") {
            files.insert(rel, bytes);
        }
    }
    let mut subcharts = Vec::new();
    fn add(subcharts: &mut Vec<Chart>, r: Result<Chart, HelmError>, notes: &mut Vec<HelmNote>) {
        match r {
            Ok(c) => subcharts.push(c),
            Err(e) => notes.push(HelmNote { file: e.file, line: e.line, column: 1, message: format!("subchart not rendered: {}", e.message), fatal: true }),
        }
    }
    if depth < 10 {
        for (sub, tree) in sub_trees {
            if tree.contains_key("Chart.yaml") {
                let r = from_files(&dir.join("charts").join(&sub), tree, notes, depth + 1);
                add(&mut subcharts, r, notes);
            }
        }
        for (file, bytes) in &sub_archives {
            let r = load_tgz(bytes, &dir.join("charts").join(file), notes, depth + 1);
            add(&mut subcharts, r, notes);
        }
    }
    let mut deps = Vec::new();
    if let Some(Value::List(l)) = metadata.get("dependencies") {
        for d in l.iter() {
            let get = |k: &str| d.field(k).filter(|v| !matches!(v, Value::Nil)).map(|v| v.text());
            let dep_name = get("name").unwrap_or_default();
            let tags = match d.field("tags") {
                Some(Value::List(t)) => t.iter().map(Value::text).collect(),
                _ => Vec::new(),
            };
            // `import-values`: `name` imports the child's `exports.name` into the parent's root;
            // `{child: a.b, parent: c}` the child's `a.b` at the parent's `c`.
            let import_values = match d.field("import-values") {
                Some(Value::List(l)) => l
                    .iter()
                    .filter_map(|iv| match iv {
                        Value::Str(s) => Some((format!("exports.{s}"), String::new())),
                        Value::Dict(_) => Some((iv.field("child")?.text(), iv.field("parent")?.text())),
                        _ => None,
                    })
                    .collect(),
                _ => Vec::new(),
            };
            deps.push(Dep { name: dep_name.clone(), alias: get("alias"), condition: get("condition"), tags, import_values });
            if subcharts.iter().any(|c| c.name == dep_name) {
                continue;
            }
            let repo = get("repository").unwrap_or_default();
            match repo.strip_prefix("file://") {
                // What `helm dependency build` would vendor into charts/ (Argo CD runs it).
                Some(p) if depth < 10 && dir.join(p).join("Chart.yaml").is_file() => {
                    let r = load(&dir.join(p), notes, depth + 1);
                    add(&mut subcharts, r, notes);
                }
                _ => notes.push(HelmNote {
                    file: chart_yaml.clone(),
                    line: 1,
                    column: 1,
                    message: format!("dependency {dep_name:?} ({repo}) is not on disk and is skipped (drlint never downloads charts)"),
                    fatal: true,
                }),
            }
        }
    }
    Ok(Chart { dir: dir.to_path_buf(), metadata, name, values, templates, files, subcharts, schema, deps })
}

/// `.Chart`: Chart.yaml with Helm's Go field names.
pub fn chart_object(meta: &Map, is_root: bool) -> Value {
    let mut m = Map::new();
    for k in ["Name", "Version", "AppVersion", "Description", "Type", "Home", "Icon", "KubeVersion", "Condition", "Tags", "APIVersion"] {
        m.insert(k.into(), Value::str(""));
    }
    for k in ["Keywords", "Maintainers", "Sources", "Dependencies"] {
        m.insert(k.into(), Value::list(Vec::new()));
    }
    m.insert("Annotations".into(), Value::Nil);
    m.insert("Deprecated".into(), Value::Bool(false));
    m.insert("IsRoot".into(), Value::Bool(is_root));
    for (k, v) in meta {
        let key = match k.as_str() {
            "apiVersion" => "APIVersion".to_string(),
            "appVersion" => "AppVersion".to_string(),
            "kubeVersion" => "KubeVersion".to_string(),
            other => {
                let mut c = other.chars();
                c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
            }
        };
        m.insert(key, v.clone());
    }
    Value::object(crate::helm::value::ObjectKind::Plain, m, None)
}
