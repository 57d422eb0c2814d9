//! A chart folder as Helm's loader reads it: `Chart.yaml`, `values.yaml`, `templates/`, the other
//! files (`.Files`), subcharts in `charts/` and `file://` dependencies found on disk, with
//! `.helmignore` applied.

use crate::helm::value::{Map, Value};
use crate::helm::{HelmError, HelmNote};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

pub struct Chart {
    pub dir: PathBuf,
    /// `Chart.yaml` as a map (lower-case keys, as written).
    pub metadata: Map,
    pub name: String,
    pub values: Map,
    /// `templates/...` relative path -> (file on disk, text).
    pub templates: Vec<(String, PathBuf, String)>,
    /// Every other file (relative path -> bytes), for `.Files`.
    pub files: BTreeMap<String, Vec<u8>>,
    pub subcharts: Vec<Chart>,
    /// `dependencies:` entries: (name or alias, condition, tags).
    pub deps: Vec<Dep>,
}

pub struct Dep {
    pub name: String,
    pub alias: Option<String>,
    pub condition: Option<String>,
    pub tags: Vec<String>,
}

fn read_yaml_map(path: &Path) -> Result<Option<Map>, HelmError> {
    let Ok(text) = std::fs::read_to_string(path) else { return Ok(None) };
    let parsed = crate::source::yaml::parse(crate::source::FileId(0), &text);
    if let Some(i) = parsed.issues.iter().find(|i| i.refused()) {
        let line = text[..(i.span.start as usize).min(text.len())].matches('\n').count() + 1;
        return Err(HelmError { file: path.to_path_buf(), line, message: i.message.clone() });
    }
    Ok(Some(match parsed.documents.first().and_then(|d| d.root.as_ref()).map(Value::from_yaml_node) {
        Some(Value::Dict(m)) => m.borrow().clone(),
        _ => Map::new(),
    }))
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

    fn ignored(&self, rel: &str, is_dir: bool) -> bool {
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

pub fn load(dir: &Path, notes: &mut Vec<HelmNote>, depth: usize) -> Result<Chart, HelmError> {
    let chart_yaml = dir.join("Chart.yaml");
    let metadata = read_yaml_map(&chart_yaml)?.ok_or_else(|| HelmError { file: chart_yaml.clone(), line: 1, message: "no readable Chart.yaml".into() })?;
    let name = metadata.get("name").map(Value::text).unwrap_or_default();
    if name.is_empty() {
        return Err(HelmError { file: chart_yaml.clone(), line: 1, message: "Chart.yaml has no name".into() });
    }
    let values = read_yaml_map(&dir.join("values.yaml"))?.unwrap_or_default();
    let ignore = Ignore::load(dir);
    let mut templates = Vec::new();
    let mut files = BTreeMap::new();
    let mut sub_dirs: Vec<PathBuf> = Vec::new();
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
        if rel == "charts" && is_dir {
            walker.skip_current_dir();
            if let Ok(rd) = std::fs::read_dir(e.path()) {
                let mut subs: Vec<PathBuf> = rd.flatten().map(|x| x.path()).collect();
                subs.sort();
                for s in subs {
                    if s.join("Chart.yaml").is_file() {
                        sub_dirs.push(s);
                    } else if s.extension().is_some_and(|x| x == "tgz") {
                        notes.push(HelmNote { file: s.clone(), line: 1, column: 1, message: "packaged subchart (.tgz) not read: unpack it into charts/ to render it".into() });
                    }
                }
            }
            continue;
        }
        if is_dir {
            continue;
        }
        if rel.starts_with("templates/") {
            let text = std::fs::read_to_string(e.path()).unwrap_or_default();
            templates.push((rel, e.path().to_path_buf(), text));
        } else if !matches!(rel.as_str(), "Chart.yaml" | "values.yaml" | "Chart.lock" | "requirements.yaml" | "requirements.lock" | "values.schema.json") {
            if let Ok(b) = std::fs::read(e.path()) {
                files.insert(rel, b);
            }
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
            deps.push(Dep { name: dep_name.clone(), alias: get("alias"), condition: get("condition"), tags });
            let present = sub_dirs.iter().any(|p| p.file_name().is_some_and(|f| f.to_string_lossy() == dep_name));
            if present {
                continue;
            }
            let repo = get("repository").unwrap_or_default();
            match repo.strip_prefix("file://") {
                Some(p) if dir.join(p).join("Chart.yaml").is_file() => sub_dirs.push(dir.join(p)),
                _ => notes.push(HelmNote {
                    file: chart_yaml.clone(),
                    line: 1,
                    column: 1,
                    message: format!("dependency {dep_name:?} ({repo}) is not on disk and is skipped (drlint never downloads charts)"),
                }),
            }
        }
    }
    let mut subcharts = Vec::new();
    if depth < 10 {
        for s in sub_dirs {
            match load(&s, notes, depth + 1) {
                Ok(c) => subcharts.push(c),
                Err(e) => notes.push(HelmNote { file: e.file, line: e.line, column: 1, message: format!("subchart not rendered: {}", e.message) }),
            }
        }
    }
    Ok(Chart { dir: dir.to_path_buf(), metadata, name, values, templates, files, subcharts, deps })
}

/// `.Chart`: Chart.yaml with Helm's Go field names.
pub fn chart_object(meta: &Map) -> Value {
    let mut m = Map::new();
    for k in ["Name", "Version", "AppVersion", "Description", "Type", "Home", "Icon", "KubeVersion", "Condition", "Tags"] {
        m.insert(k.into(), Value::str(""));
    }
    m.insert("Deprecated".into(), Value::Bool(false));
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
