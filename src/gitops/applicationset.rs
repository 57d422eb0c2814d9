//! Argo CD `ApplicationSet` expanded statically into the Applications its controller would make.
//!
//! Generators drlint can evaluate from the repository alone: `list`, `git` (directories and
//! files, read from this repository when `repoURL` is this repository), `clusters` (over the cluster
//! Secrets declared here, labelled `argocd.argoproj.io/secret-type: cluster`, plus the local
//! `in-cluster` when there is no selector), `matrix` and `merge` of those, each with a
//! post-`selector` and `values`. The template is rendered per parameter set with fasttemplate
//! (`{{path.basename}}`: a tag with no parameter stays as written) or, with `goTemplate: true`, Go
//! text/template with Argo CD's functions (drlint's Go template engine, `crate::helm::template`,
//! configured as Argo CD configures Go's), honouring `goTemplateOptions: ["missingkey=error"]`; a
//! generator's own `template` is merged over `spec.template`, and `templatePatch` over the result.
//!
//! Generators that need a service or the live cluster (`scmProvider`, `pullRequest`,
//! `clusterDecisionResource`, `plugin`) and git generators that read another repository are not
//! expanded: the caller gets a reason for each, never an error.

use crate::helm::funcs::argo::normalize;
use crate::helm::funcs::lists::merge_into;
use crate::helm::template::{self, Config, has_action};
use crate::helm::value::{Map, Value};
use crate::source::yaml::{self, Node, Style};
use crate::source::{FileId, Span};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

pub fn is_applicationset(node: &Node) -> bool {
    node.str_at(&["kind"]) == Some("ApplicationSet") && node.str_at(&["apiVersion"]).is_some_and(|a| a.starts_with("argoproj.io/"))
}

/// `namespace/name` of an ApplicationSet as written.
pub fn display(set: &Node) -> String {
    let name = set.str_at(&["metadata", "name"]).unwrap_or("?");
    match set.str_at(&["metadata", "namespace"]) {
        Some(ns) => format!("{ns}/{name}"),
        None => name.to_string(),
    }
}

/// The server Argo CD's local cluster is known by.
const IN_CLUSTER_SERVER: &str = "https://kubernetes.default.svc";

/// A cluster Argo CD knows: a declared cluster Secret, or the local `in-cluster`.
#[derive(Clone, Debug)]
pub struct Cluster {
    pub name: String,
    pub server: String,
    pub project: String,
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
}

/// What expansion needs to know about the whole repository, built once.
#[derive(Default)]
pub struct Context {
    /// Normalised URLs known to be this repository, and known to be another one.
    local_urls: BTreeSet<String>,
    foreign_urls: BTreeSet<String>,
    clusters: Vec<Cluster>,
    top: PathBuf,
    /// Every folder (for git directories) and file (for git files) below a repository root.
    dirs: HashMap<PathBuf, std::rc::Rc<Vec<String>>>,
    files: HashMap<PathBuf, std::rc::Rc<Vec<String>>>,
}

impl Context {
    /// `sources`: (repoURL, whether its path exists here) of every written Application source;
    /// `objects`: every object as written, to find cluster Secrets.
    pub fn new<'a>(top: &Path, sources: impl IntoIterator<Item = (String, bool)>, objects: impl IntoIterator<Item = &'a Node>) -> Context {
        let mut ctx = Context { top: top.to_path_buf(), ..Context::default() };
        for (url, here) in sources {
            if here {
                ctx.local_urls.insert(normalize_url(&url));
            } else {
                ctx.foreign_urls.insert(normalize_url(&url));
            }
        }
        for url in git_remotes(top) {
            ctx.local_urls.insert(normalize_url(&url));
        }
        for o in objects {
            if let Some(c) = cluster_secret(o) {
                ctx.clusters.push(c);
            }
        }
        ctx.clusters.sort_by(|a, b| (&a.name, &a.server).cmp(&(&b.name, &b.server)));
        ctx.clusters.dedup_by(|a, b| a.name == b.name);
        ctx
    }

    fn listing(&mut self, root: &Path, dirs: bool) -> std::rc::Rc<Vec<String>> {
        let cache = if dirs { &mut self.dirs } else { &mut self.files };
        if let Some(l) = cache.get(root) {
            return l.clone();
        }
        let mut out = Vec::new();
        // Folders as the repo-server lists them (no folder whose name starts with `.`); files as
        // `git ls-files` does (anything but `.git`).
        let walker = walkdir::WalkDir::new(root).sort_by_file_name().follow_links(false).into_iter().filter_entry(|e| {
            let name = e.file_name().to_string_lossy();
            e.depth() == 0 || !e.file_type().is_dir() || if dirs { !name.starts_with('.') } else { name != ".git" }
        });
        for e in walker.filter_map(Result::ok) {
            if e.depth() == 0 || e.file_type().is_dir() != dirs {
                continue;
            }
            if let Ok(rel) = e.path().strip_prefix(root) {
                out.push(rel.to_string_lossy().replace('\\', "/"));
            }
        }
        let l = std::rc::Rc::new(out);
        cache.insert(root.to_path_buf(), l.clone());
        l
    }
}

/// `https://github.com/o/r.git`, `git@github.com:o/r` and `ssh://git@github.com/o/r/` all become
/// `github.com/o/r`.
pub fn normalize_url(url: &str) -> String {
    let mut u = url.trim().to_lowercase();
    for scheme in ["https://", "http://", "ssh://", "git://", "git+ssh://"] {
        if let Some(rest) = u.strip_prefix(scheme) {
            u = rest.to_string();
            break;
        }
    }
    if let Some((user, rest)) = u.split_once('@') {
        if !user.contains('/') {
            u = rest.to_string();
        }
    }
    // scp-like `host:org/repo`; a `host:port/` keeps its port out.
    if let Some((host, rest)) = u.split_once(':') {
        if !host.contains('/') {
            let rest = rest.trim_start_matches(|c: char| c.is_ascii_digit());
            u = format!("{host}/{}", rest.trim_start_matches('/'));
        }
    }
    let u = u.trim_end_matches('/');
    u.strip_suffix(".git").unwrap_or(u).to_string()
}

/// Remote URLs in the `.git/config` at or above `top`.
fn git_remotes(top: &Path) -> Vec<String> {
    let mut dir = Some(top);
    while let Some(d) = dir {
        let config = d.join(".git").join("config");
        if config.is_file() {
            let text = std::fs::read_to_string(config).unwrap_or_default();
            return text.lines().filter_map(|l| l.trim().strip_prefix("url")).filter_map(|l| l.trim_start().strip_prefix('=')).map(|u| u.trim().to_string()).collect();
        }
        dir = d.parent();
    }
    Vec::new()
}

/// A Secret labelled `argocd.argoproj.io/secret-type: cluster`, read from `stringData` or `data`
/// (never printed: only its name, server, project and labels are used).
fn cluster_secret(o: &Node) -> Option<Cluster> {
    if o.str_at(&["kind"]) != Some("Secret") || o.str_at(&["metadata", "labels", "argocd.argoproj.io/secret-type"]) != Some("cluster") {
        return None;
    }
    // A SOPS-encrypted Secret's name and server are not readable here.
    if o.get("sops").is_some() {
        return None;
    }
    let field = |k: &str| -> Option<String> {
        if let Some(v) = o.at(&["stringData", k]).and_then(|n| n.as_text()) {
            return Some(v.to_string());
        }
        let b = o.at(&["data", k]).and_then(|n| n.as_text())?;
        crate::util::base64_decode(b).and_then(|b| String::from_utf8(b).ok())
    };
    let strings = |path: &[&str]| -> BTreeMap<String, String> { o.at(path).into_iter().flat_map(|m| m.entries()).filter_map(|(k, _, v)| Some((k.to_string(), v.as_str()?.to_string()))).collect() };
    Some(Cluster {
        name: field("name").unwrap_or_default(),
        server: field("server")?,
        project: field("project").unwrap_or_default(),
        labels: strings(&["metadata", "labels"]),
        annotations: strings(&["metadata", "annotations"]),
    })
}

/// The Applications an ApplicationSet makes, with why any part of it was not expanded.
pub struct Expansion {
    /// Each Application with the destination cluster it is for, when the set deploys to more than one.
    pub apps: Vec<(Node, Option<String>)>,
    /// (where, why): generators not expanded, templates that failed, duplicate names.
    pub notes: Vec<(Span, String)>,
}

type Params = Map;

enum Stop {
    /// Needs something drlint does not have (a service, the live cluster, another repository).
    Unsupported(String),
    /// Argo CD would fail too.
    Failed(String),
}

struct Expander<'a> {
    ctx: &'a mut Context,
    /// `spec.applyNestedSelectors`: selectors of a matrix's or merge's children apply.
    nested_selectors: bool,
    /// The ApplicationSet's folder: generator paths resolve from it upwards.
    dir: PathBuf,
    go: bool,
    config: Config,
}

/// Expand `set`, declared in the file at `path`.
pub fn expand(set: &Node, path: &Path, ctx: &mut Context) -> Expansion {
    let spec = set.get("spec");
    let go = spec.and_then(|s| s.get("goTemplate")).and_then(Node::as_bool).unwrap_or(false);
    let config = Config::argo(spec.and_then(|s| s.get("goTemplateOptions")).into_iter().flat_map(|o| o.items()).filter_map(Node::as_str));
    let dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let nested_selectors = spec.and_then(|s| s.get("applyNestedSelectors")).and_then(Node::as_bool).unwrap_or(false);
    let mut ex = Expander { ctx, dir, go, config, nested_selectors };
    let mut out = Expansion { apps: Vec::new(), notes: Vec::new() };
    let generators: Vec<&Node> = spec.and_then(|s| s.get("generators")).into_iter().flat_map(|g| g.items()).collect();
    if generators.is_empty() {
        out.notes.push((set.span, "it has no generators".into()));
        return out;
    }
    let Some(base_template) = spec.and_then(|s| s.get("template")).filter(|t| t.is_map()) else {
        out.notes.push((set.span, "it has no template".into()));
        return out;
    };
    let patch = spec.and_then(|s| s.get("templatePatch")).filter(|p| p.as_text().is_some());
    let mut names: BTreeSet<String> = BTreeSet::new();
    let mut apps: Vec<Node> = Vec::new();
    for g in generators {
        let params = match ex.generate(g, None) {
            Ok(p) => p,
            Err(Stop::Unsupported(why)) => {
                // The folders a template names without a parameter are deployed whatever the
                // parameters are: render them once, with what depends on a parameter left out.
                match unknown_params_app(set, base_template) {
                    Some(app) => {
                        out.notes.push((g.span, format!("{why}, so its Applications are not known; the folders its template names are rendered once, without parameters")));
                        apps.push(app);
                    }
                    None => out.notes.push((g.span, format!("{why}, so its Applications are not known"))),
                }
                continue;
            }
            Err(Stop::Failed(why)) => {
                out.notes.push((g.span, format!("{why}; Argo CD generates nothing from it")));
                continue;
            }
        };
        // A generator's own template is merged over the set's.
        let own = g.entries().find_map(|(_, _, v)| v.get("template")).filter(|t| t.is_map());
        let template = match own {
            Some(t) => merge_over(base_template, t),
            None => base_template.clone(),
        };
        for p in params {
            match ex.render_app(set, &template, patch, &p) {
                Ok(app) => {
                    let name = app.str_at(&["metadata", "name"]).unwrap_or("").to_string();
                    if name.is_empty() || name.contains("{{") {
                        out.notes.push((template.span, format!("a generated Application has no usable name (`{name}`)")));
                    } else if !names.insert(name.clone()) {
                        out.notes.push((template.span, format!("two generated Applications are named `{name}`; Argo CD refuses the set")));
                    } else {
                        apps.push(app);
                    }
                }
                Err(why) => out.notes.push((template.span, format!("the template fails: {why}"))),
            }
        }
    }
    // Objects of one folder deployed to several clusters are distinct objects: name them by
    // the destination cluster's name.
    let clusters = &ex.ctx.clusters;
    let dest = |a: &Node| {
        let d = a.at(&["spec", "destination"]);
        if let Some(name) = d.and_then(|d| d.str_at(&["name"])).filter(|s| !s.is_empty()) {
            return name.to_string();
        }
        let server = d.and_then(|d| d.str_at(&["server"])).unwrap_or("");
        match clusters.iter().find(|c| c.server == server) {
            Some(c) if !c.name.is_empty() => c.name.clone(),
            _ if server == IN_CLUSTER_SERVER => "in-cluster".to_string(),
            _ => server.to_string(),
        }
    };
    let destinations: BTreeSet<String> = apps.iter().map(dest).collect();
    for app in apps {
        // The local cluster is the one the repository's other objects are in.
        let cluster = (destinations.len() > 1).then(|| dest(&app)).filter(|d| !d.is_empty() && d != "in-cluster");
        out.apps.push((app, cluster));
    }
    out
}

/// The leading path components of a pattern that hold no glob character.
fn literal_prefix(pattern: &str) -> String {
    let parts: Vec<&str> = pattern.trim_start_matches("./").split('/').take_while(|s| !s.contains(['*', '?', '[', '{'])).collect();
    parts.join("/")
}

/// The Application a template makes whatever its parameters, when every source names a fixed
/// repository and path (or chart): fields that hold a parameter are left out.
fn unknown_params_app(set: &Node, template: &Node) -> Option<Node> {
    let spec = template.get("spec")?;
    let sources: Vec<&Node> = spec.get("source").into_iter().chain(spec.get("sources").into_iter().flat_map(|s| s.items())).filter(|s| s.is_map()).collect();
    let fixed = |s: &&Node| ["repoURL", "path", "chart"].iter().all(|k| s.get(k).and_then(Node::as_str).is_none_or(|v| !has_action(v)));
    if sources.is_empty() || !sources.iter().all(fixed) || !sources.iter().any(|s| s.get("path").is_some()) {
        return None;
    }
    let mut body = template.clone();
    let name = body.at(&["metadata", "name"]).cloned();
    body = prune_templated(body)?;
    mark_pruned_helm_values(template, &mut body);
    // Keep the name as written (with its parameters), so the user recognises the Application.
    if let (Some(name), Some(meta)) = (name, body.get_mut("metadata")) {
        let key = Node { value: yaml::Value::Scalar("name".into(), Style::Plain), span: name.span, tag: None };
        meta.insert(key, name);
    }
    let mut app = Node::map(Vec::new(), template.span);
    let key = |k: &str| Node { value: yaml::Value::Scalar(k.into(), Style::Plain), span: template.span, tag: None };
    app.insert(key("apiVersion"), Node::string("argoproj.io/v1alpha1", template.span));
    app.insert(key("kind"), Node::string("Application", template.span));
    let mut meta = body.get("metadata").cloned().unwrap_or_else(|| Node::map(Vec::new(), template.span));
    if let Some(ns) = set.at(&["metadata", "namespace"]) {
        meta.insert(key("namespace"), ns.clone());
    }
    app.insert(key("metadata"), meta);
    app.insert(key("spec"), body.get("spec")?.clone());
    Some(app)
}

/// The key `unknown_params_app` adds to a source's `helm` block whose values held parameters
/// (pruned): the chart would render with values drlint does not know.
pub const HELM_VALUES_UNKNOWN: &str = "x-drlint-values-unknown";

fn mark_pruned_helm_values(template: &Node, body: &mut Node) {
    let sources = |n: &Node| -> Vec<Option<Node>> {
        let spec = n.get("spec");
        let one = spec.and_then(|s| s.get("source")).map(|s| s.get("helm").cloned());
        let many = spec.and_then(|s| s.get("sources")).into_iter().flat_map(|s| s.items()).map(|s| s.get("helm").cloned());
        one.into_iter().chain(many).collect()
    };
    let before = sources(template);
    let after = sources(body);
    let changed: Vec<bool> = before.iter().zip(&after).map(|(b, a)| b.is_some() && b.as_ref().map(Node::to_json) != a.as_ref().map(Node::to_json)).collect();
    let Some(spec) = body.get_mut("spec") else { return };
    let mut i = 0;
    let mark = |source: &mut Node, i: usize| {
        let (Some(true), Some(helm)) = (changed.get(i).copied(), source.get_mut("helm")) else { return };
        let span = helm.span;
        if helm.is_map() {
            helm.insert(Node::scalar(HELM_VALUES_UNKNOWN, span), Node::scalar("true", span));
        }
    };
    if let Some(source) = spec.get_mut("source") {
        mark(source, i);
        i += 1;
    }
    if let Some(list) = spec.get_mut("sources").and_then(Node::as_seq_mut) {
        for source in list {
            mark(source, i);
            i += 1;
        }
    }
}

/// `node` without the map entries and list items whose text holds a template action.
fn prune_templated(mut node: Node) -> Option<Node> {
    match &mut node.value {
        yaml::Value::Scalar(s, _) => {
            if has_action(s) {
                return None;
            }
        }
        yaml::Value::Seq(items) => {
            let kept: Vec<Node> = std::mem::take(items).into_iter().filter_map(prune_templated).collect();
            *items = kept;
        }
        yaml::Value::Map(entries) => {
            let kept: Vec<(Node, Node)> = std::mem::take(entries).into_iter().filter_map(|(k, v)| Some((k, prune_templated(v)?))).collect();
            *entries = kept;
        }
    }
    Some(node)
}

impl Expander<'_> {
    /// Parameter sets of one generator entry (`{list: …}`, `{git: …}`, … with an optional
    /// `selector`), with `parent`'s parameters interpolated into it first (a matrix's second child).
    fn generate(&mut self, entry: &Node, parent: Option<&Params>) -> Result<Vec<Params>, Stop> {
        let entry = match parent {
            Some(p) => self.render_node(entry, p).map_err(Stop::Failed)?,
            None => entry.clone(),
        };
        let mut params = Vec::new();
        let mut kinds = 0;
        for (kind, _, g) in entry.entries() {
            let found = match kind {
                "list" => self.list(g)?,
                "git" => self.git(g)?,
                "clusters" => self.clusters(g)?,
                "matrix" => self.matrix(g)?,
                "merge" => self.merge(g)?,
                "selector" | "values" => continue,
                "plugin" => {
                    let cm = g.str_at(&["configMapRef", "name"]).unwrap_or("?");
                    return Err(Stop::Unsupported(format!("a plugin generator (ConfigMap `{cm}`) gets its parameters from a plugin service at sync time")));
                }
                "scmProvider" => return Err(Stop::Unsupported("an SCM provider generator lists repositories on a Git hosting service".into())),
                "pullRequest" => return Err(Stop::Unsupported("a pull request generator lists open pull requests on a Git hosting service".into())),
                "clusterDecisionResource" => return Err(Stop::Unsupported("a cluster decision resource generator reads a resource in the live cluster".into())),
                other => return Err(Stop::Unsupported(format!("the `{other}` generator is not one drlint evaluates"))),
            };
            kinds += 1;
            params.extend(found);
        }
        if kinds == 0 {
            return Err(Stop::Failed("a generator entry names no generator".into()));
        }
        if let Some(sel) = entry.get("selector").filter(|s| s.is_map()) {
            params.retain(|p| selector_matches(sel, &|k: &str| self.param_text(p, k)));
        }
        Ok(params)
    }

    /// A parameter's text by key: a flat key in fasttemplate mode, a dotted path with goTemplate.
    fn param_text(&self, p: &Params, key: &str) -> Option<String> {
        if let Some(v) = p.get(key) {
            return Some(v.text());
        }
        if self.go {
            let (first, rest) = key.split_once('.')?;
            return rest.split('.').try_fold(p.get(first)?.clone(), |v, k| match v {
                Value::Dict(m) => m.borrow().get(k).cloned(),
                _ => None,
            }).map(|v| v.text());
        }
        None
    }

    fn list(&mut self, g: &Node) -> Result<Vec<Params>, Stop> {
        let mut elements: Vec<serde_json::Value> = g.get("elements").into_iter().flat_map(|e| e.items()).map(Node::to_json).collect();
        if let Some(y) = g.get("elementsYaml").and_then(|n| n.as_text()) {
            if has_action(y) {
                return Err(Stop::Unsupported("`elementsYaml` is itself a template".into()));
            }
            match yaml_value(y) {
                Ok(serde_json::Value::Array(items)) => elements.extend(items),
                _ => return Err(Stop::Failed("`elementsYaml` is not a YAML list".into())),
            }
        }
        let mut out = Vec::new();
        for e in elements {
            let serde_json::Value::Object(obj) = e else { return Err(Stop::Failed("a list element is not a mapping".into())) };
            let mut p = Params::new();
            if self.go {
                for (k, v) in obj {
                    p.insert(k, Value::from_json(&v));
                }
            } else {
                // Argo CD takes only strings here, `values` as `values.<key>`.
                for (k, v) in obj {
                    match (k.as_str(), v) {
                        ("values", serde_json::Value::Object(vals)) => {
                            for (vk, vv) in vals {
                                let serde_json::Value::String(s) = vv else { return Err(Stop::Failed(format!("list element value `values.{vk}` is not a string"))) };
                                p.insert(format!("values.{vk}"), Value::Str(s));
                            }
                        }
                        (_, serde_json::Value::String(s)) => {
                            p.insert(k, Value::Str(s));
                        }
                        (_, _) => return Err(Stop::Failed(format!("list element key `{k}` is not a string (use goTemplate: true)"))),
                    }
                }
            }
            out.push(p);
        }
        Ok(out)
    }

    /// Whether a git generator reads this repository; `None` when the URL is unknown.
    fn repo_is_local(&self, url: &str) -> Option<bool> {
        let u = normalize_url(url);
        if self.ctx.local_urls.contains(&u) {
            Some(true)
        } else if self.ctx.foreign_urls.contains(&u) {
            Some(false)
        } else {
            None
        }
    }

    /// The folder generator paths are relative to: the nearest one at or above the ApplicationSet
    /// (inside the checked tree) holding the pattern's literal leading folders; for a pattern that
    /// starts with a glob, the Git checkout root, else the checked tree.
    fn root_for(&self, pattern: &str) -> Option<PathBuf> {
        let literal = literal_prefix(pattern);
        let top = crate::source::normalize(&self.ctx.top);
        let mut dir = crate::source::normalize(&self.dir);
        loop {
            if literal.is_empty() {
                if dir.join(".git").exists() {
                    return Some(dir);
                }
            } else if dir.join(&literal).exists() {
                return Some(dir);
            }
            if dir == top || !dir.pop() || !dir.starts_with(&top) {
                break;
            }
        }
        literal.is_empty().then_some(top)
    }

    fn git(&mut self, g: &Node) -> Result<Vec<Params>, Stop> {
        let url = g.str_at(&["repoURL"]).unwrap_or("");
        let dirs: Vec<&Node> = g.get("directories").into_iter().flat_map(|d| d.items()).collect();
        let files: Vec<&Node> = g.get("files").into_iter().flat_map(|d| d.items()).collect();
        let pattern_of = |n: &Node| n.str_at(&["path"]).unwrap_or("").to_string();
        let excluded = |n: &Node| n.get("exclude").and_then(Node::as_bool).unwrap_or(false);
        let includes: Vec<String> = if !dirs.is_empty() { dirs.iter() } else { files.iter() }.filter(|n| !excluded(n)).map(|n| pattern_of(n)).collect();
        if includes.is_empty() {
            return Err(Stop::Failed("a git generator has neither directories nor files".into()));
        }
        let roots: Vec<Option<PathBuf>> = includes.iter().map(|p| self.root_for(p)).collect();
        match self.repo_is_local(url) {
            Some(false) => return Err(Stop::Unsupported(format!("a git generator reads {url}, another repository"))),
            // An unknown URL is taken for this repository when the folders its paths name are
            // here (a pattern that starts with a glob names none).
            None if !includes.iter().zip(&roots).any(|(p, r)| r.is_some() && !literal_prefix(p).is_empty()) => {
                return Err(Stop::Unsupported(format!("a git generator reads {url}, not known to be this repository")));
            }
            _ => {}
        }
        let Some(root) = roots.into_iter().flatten().next() else { return Ok(Vec::new()) };
        let prefix = g.str_at(&["pathParamPrefix"]).unwrap_or("").to_string();
        let values = g.get("values");
        let mut out = Vec::new();
        if !dirs.is_empty() {
            // Go's path.Match per folder; an `exclude: true` match removes it whatever includes it.
            let matchers: Vec<(regex::Regex, bool)> = dirs.iter().filter_map(|d| Some((path_match_regex(&pattern_of(d))?, excluded(d)))).collect();
            let all = self.ctx.listing(&root, true);
            for path in all.iter() {
                let inc = matchers.iter().any(|(re, ex)| !ex && re.is_match(path));
                let exc = matchers.iter().any(|(re, ex)| *ex && re.is_match(path));
                if inc && !exc {
                    let mut p = self.path_params(path, None, &prefix);
                    self.add_values(&mut p, values).map_err(Stop::Failed)?;
                    out.push(p);
                }
            }
            return Ok(out);
        }
        // Files: `git ls-files` pathspecs (`*` crosses folders), includes minus excludes, sorted.
        let all = self.ctx.listing(&root, false);
        let inc: Vec<regex::Regex> = files.iter().filter(|f| !excluded(f)).filter_map(|f| pathspec_regex(&pattern_of(f))).collect();
        let exc: Vec<regex::Regex> = files.iter().filter(|f| excluded(f)).filter_map(|f| pathspec_regex(&pattern_of(f))).collect();
        for file in all.iter().filter(|f| inc.iter().any(|re| re.is_match(f)) && !exc.iter().any(|re| re.is_match(f))) {
            let text = std::fs::read_to_string(root.join(file)).map_err(|e| Stop::Failed(format!("`{file}` cannot be read: {e}")))?;
            let objects: Vec<serde_json::Value> = match yaml_value(&text) {
                Ok(serde_json::Value::Object(o)) => vec![serde_json::Value::Object(o)],
                Ok(serde_json::Value::Null) => vec![serde_json::Value::Object(Default::default())],
                Ok(serde_json::Value::Array(items)) => items,
                _ => return Err(Stop::Failed(format!("unable to process file `{file}`: not a mapping or a list of mappings"))),
            };
            for obj in objects {
                let mut p = Params::new();
                if self.go {
                    if let serde_json::Value::Object(o) = &obj {
                        for (k, v) in o {
                            p.insert(k.clone(), Value::from_json(v));
                        }
                    }
                } else {
                    flatten("", &Value::from_json(&obj), &mut p);
                }
                let dir = file.rsplit_once('/').map(|(d, _)| d).unwrap_or(".");
                let fp = self.path_params(dir, Some(file), &prefix);
                p.extend(fp);
                self.add_values(&mut p, values).map_err(Stop::Failed)?;
                out.push(p);
            }
        }
        Ok(out)
    }

    /// `path`, `path.basename`, `path.basenameNormalized`, `path[n]` (fasttemplate) or
    /// `.path.path`, `.path.segments`, … (goTemplate); `filename` for git files.
    fn path_params(&self, path: &str, file: Option<&str>, prefix: &str) -> Params {
        let base = path.rsplit('/').next().unwrap_or(path).to_string();
        let mut out = Params::new();
        if self.go {
            let mut m = Map::new();
            m.insert("path".to_string(), Value::str(path));
            m.insert("basename".to_string(), Value::str(&base));
            m.insert("basenameNormalized".to_string(), Value::str(normalize(&base)));
            m.insert("segments".to_string(), Value::list(path.split('/').map(Value::str).collect()));
            if let Some(f) = file {
                let name = f.rsplit('/').next().unwrap_or(f);
                m.insert("filename".to_string(), Value::str(name));
                m.insert("filenameNormalized".to_string(), Value::str(normalize(name)));
            }
            if prefix.is_empty() {
                out.insert("path".into(), Value::dict(m));
            } else {
                out.insert(prefix.into(), Value::dict(Map::from([("path".to_string(), Value::dict(m))])));
            }
        } else {
            let key = if prefix.is_empty() { "path".to_string() } else { format!("{prefix}.path") };
            out.insert(key.clone(), Value::str(path));
            out.insert(format!("{key}.basename"), Value::str(&base));
            out.insert(format!("{key}.basenameNormalized"), Value::str(normalize(&base)));
            if let Some(f) = file {
                let name = f.rsplit('/').next().unwrap_or(f);
                out.insert(format!("{key}.filename"), Value::str(name));
                out.insert(format!("{key}.filenameNormalized"), Value::str(normalize(name)));
            }
            for (i, seg) in path.split('/').enumerate().filter(|(_, s)| !s.is_empty()) {
                out.insert(format!("{key}[{i}]"), Value::str(seg));
            }
        }
        out
    }

    /// A generator's `values`, rendered with its parameters, as `values.<key>` (or `.values`).
    fn add_values(&self, p: &mut Params, values: Option<&Node>) -> Result<(), String> {
        let Some(values) = values.filter(|v| v.is_map()) else { return Ok(()) };
        let mut rendered = Map::new();
        let dot = self.dot(p);
        for (k, _, v) in values.entries() {
            let text = v.as_str().unwrap_or("");
            rendered.insert(k.to_string(), Value::Str(self.render_text(text, &dot, p)?));
        }
        if self.go {
            p.insert("values".into(), Value::dict(rendered));
        } else {
            for (k, v) in rendered {
                p.insert(format!("values.{k}"), v);
            }
        }
        Ok(())
    }

    fn clusters(&mut self, g: &Node) -> Result<Vec<Params>, Stop> {
        let selector = g.get("selector").filter(|s| s.get("matchLabels").is_some_and(|m| m.entries().next().is_some()) || s.get("matchExpressions").is_some_and(|m| m.items().next().is_some()));
        let mut clusters: Vec<Cluster> = Vec::new();
        // The local cluster has no Secret (unless one declares it) and so no labels: a selector
        // leaves it out.
        if selector.is_none() && !self.ctx.clusters.iter().any(|c| c.server == IN_CLUSTER_SERVER) {
            clusters.push(Cluster { name: "in-cluster".into(), server: IN_CLUSTER_SERVER.into(), project: String::new(), labels: BTreeMap::new(), annotations: BTreeMap::new() });
        }
        for c in &self.ctx.clusters {
            if selector.is_none_or(|s| selector_matches(s, &|k: &str| c.labels.get(k).cloned())) {
                clusters.push(c.clone());
            }
        }
        let mut out = Vec::new();
        for c in clusters {
            let mut p = Params::new();
            p.insert("name".into(), Value::str(&c.name));
            p.insert("nameNormalized".into(), Value::str(normalize(&c.name)));
            p.insert("server".into(), Value::str(&c.server));
            p.insert("project".into(), Value::str(&c.project));
            let as_map = |m: &BTreeMap<String, String>| Value::dict(m.iter().map(|(k, v)| (k.clone(), Value::str(v))).collect());
            if self.go {
                p.insert("metadata".into(), Value::dict(Map::from([("labels".to_string(), as_map(&c.labels)), ("annotations".to_string(), as_map(&c.annotations))])));
            } else {
                for (k, v) in &c.labels {
                    p.insert(format!("metadata.labels.{k}"), Value::str(v));
                }
                for (k, v) in &c.annotations {
                    p.insert(format!("metadata.annotations.{k}"), Value::str(v));
                }
            }
            self.add_values(&mut p, g.get("values")).map_err(Stop::Failed)?;
            out.push(p);
        }
        Ok(out)
    }

    /// A child of a matrix or merge: its selector counts only with `spec.applyNestedSelectors`,
    /// and it must yield parameters.
    fn child(&mut self, g: &Node, parent: Option<&Params>) -> Result<Vec<Params>, Stop> {
        let mut g = g.clone();
        if !self.nested_selectors {
            g.remove("selector");
        }
        let params = self.generate(&g, parent)?;
        if params.is_empty() {
            return Err(Stop::Failed("a child generator generated no parameters".into()));
        }
        Ok(params)
    }

    /// Each child's parameters with every set of the children before it (interpolated into it);
    /// earlier children's values win with goTemplate, a flat key with two values is an error.
    fn matrix(&mut self, g: &Node) -> Result<Vec<Params>, Stop> {
        let children: Vec<&Node> = g.get("generators").into_iter().flat_map(|c| c.items()).collect();
        if children.len() < 2 {
            return Err(Stop::Failed(format!("a matrix generator needs at least 2 child generators, it has {}", children.len())));
        }
        let mut out = self.child(children[0], None)?;
        for child in &children[1..] {
            let mut next = Vec::new();
            for a in &out {
                for b in self.child(child, Some(a))? {
                    next.push(self.combine(a, b, true)?);
                }
            }
            out = next;
        }
        Ok(out)
    }

    fn merge(&mut self, g: &Node) -> Result<Vec<Params>, Stop> {
        let children: Vec<&Node> = g.get("generators").into_iter().flat_map(|c| c.items()).collect();
        let keys: Vec<String> = g.get("mergeKeys").into_iter().flat_map(|k| k.items()).filter_map(|k| k.as_str().map(str::to_string)).collect();
        if children.len() < 2 {
            return Err(Stop::Failed("a merge generator needs at least 2 child generators".into()));
        }
        if keys.is_empty() {
            return Err(Stop::Failed("a merge generator needs mergeKeys".into()));
        }
        let key_of = |p: &Params| -> Vec<String> { keys.iter().map(|k| p.get(k).map(Value::text).unwrap_or_default()).collect() };
        let mut base = self.child(children[0], None)?;
        for child in &children[1..] {
            let mut by_key: BTreeMap<Vec<String>, Params> = BTreeMap::new();
            for p in self.child(child, None)? {
                let k = key_of(&p);
                if by_key.insert(k.clone(), p).is_some() {
                    return Err(Stop::Failed(format!("a merge generator's child yields two parameter sets with the merge key {k:?}")));
                }
            }
            for p in &mut base {
                if let Some(other) = by_key.get(&key_of(p)) {
                    *p = self.combine(p, other.clone(), false)?;
                }
            }
        }
        Ok(base)
    }

    /// Parameters of two generators as one set. With goTemplate Argo CD merges them with mergo
    /// (nested maps key by key): a matrix (`matrix`) keeps `a`'s values and fills in what `a`
    /// lacks, a merge lets `b`'s non-empty values override. Flat (fasttemplate) keys: a matrix
    /// refuses a key with two values, a merge lets `b` override.
    fn combine(&self, a: &Params, b: Params, matrix: bool) -> Result<Params, Stop> {
        if self.go {
            // A copy: `a` is combined with every set of the next generator.
            let mut out: Params = a.iter().map(|(k, v)| (k.clone(), v.deep_copy())).collect();
            merge_into(&mut out, &b, !matrix);
            return Ok(out);
        }
        let mut out = a.clone();
        for (k, v) in b {
            match out.get(&k) {
                Some(old) if matrix && *old != v => {
                    return Err(Stop::Failed(format!("found duplicate key {k} with different value, a: {} ,b: {}", old.text(), v.text())));
                }
                _ => {
                    out.insert(k, v);
                }
            }
        }
        Ok(out)
    }

    /// The data a goTemplate sees: the parameters as one map, copied so that a template changing
    /// a map (sprig's `set`) changes no other parameter set.
    fn dot(&self, params: &Params) -> Value {
        if self.go { Value::dict(params.clone()).deep_copy() } else { Value::Nil }
    }

    /// `text` rendered with `dot` (goTemplate) or with `params` (fasttemplate).
    fn render_text(&self, text: &str, dot: &Value, params: &Params) -> Result<String, String> {
        if self.go {
            template::exec::render_str(text, dot, self.config).map_err(|e| e.message)
        } else {
            Ok(fast_replace(text, params))
        }
    }

    /// Every string scalar of `node` rendered, map keys too: Argo CD templates the keys of the
    /// Application's map fields (labels, annotations, Helm `valuesObject`) as it does values.
    fn render_node(&self, node: &Node, params: &Params) -> Result<Node, String> {
        let dot = self.dot(params);
        let mut out = node.clone();
        let mut stack = vec![&mut out];
        while let Some(n) = stack.pop() {
            if n.is_scalar() {
                if n.is_string() && n.as_str().is_some_and(has_action) {
                    let text = self.render_text(n.as_str().unwrap_or(""), &dot, params)?;
                    *n = Node::string(text, n.span);
                }
                continue;
            }
            match &mut n.value {
                yaml::Value::Seq(items) => stack.extend(items.iter_mut()),
                yaml::Value::Map(entries) => stack.extend(entries.iter_mut().flat_map(|(k, v)| [k, v])),
                yaml::Value::Scalar(..) => {}
            }
        }
        Ok(out)
    }

    fn render_app(&self, set: &Node, template: &Node, patch: Option<&Node>, params: &Params) -> Result<Node, String> {
        let mut body = self.render_node(template, params)?;
        if let Some(patch) = patch {
            let text = self.render_text(patch.as_str().unwrap_or(""), &self.dot(params), params)?;
            let parsed = yaml::parse(FileId(u32::MAX), &text);
            if let Some(issue) = parsed.issues.first() {
                return Err(format!("templatePatch is not YAML after rendering: {}", issue.message));
            }
            if let Some(root) = parsed.documents.into_iter().next().and_then(|d| d.root).filter(Node::is_map) {
                body = merge_over(&body, &respan(root, patch.span));
            }
        }
        let span = template.span;
        let key = |k: &str| Node { value: yaml::Value::Scalar(k.into(), Style::Plain), span, tag: None };
        let mut meta = body.get("metadata").filter(|m| m.is_map()).cloned().unwrap_or_else(|| Node::map(Vec::new(), span));
        // Applications are made in the ApplicationSet's namespace.
        if let Some(ns) = set.at(&["metadata", "namespace"]) {
            meta.insert(key("namespace"), ns.clone());
        }
        let mut entries = vec![(key("apiVersion"), Node::string("argoproj.io/v1alpha1", span)), (key("kind"), Node::string("Application", span)), (key("metadata"), meta)];
        if let Some(spec) = body.get("spec") {
            entries.push((key("spec"), spec.clone()));
        }
        Ok(Node::map(entries, span))
    }
}

/// Flatten nested maps and lists to `a.b` / `a.0` keys with text values, as Argo CD does for
/// git files without goTemplate.
fn flatten(prefix: &str, v: &Value, out: &mut Params) {
    let join = |k: &str| if prefix.is_empty() { k.to_string() } else { format!("{prefix}.{k}") };
    match v {
        Value::Dict(m) => {
            for (k, x) in m.borrow().iter() {
                flatten(&join(k), x, out);
            }
        }
        Value::List(l) => {
            for (i, x) in l.iter().enumerate() {
                flatten(&join(&i.to_string()), x, out);
            }
        }
        Value::Nil => {
            out.insert(prefix.to_string(), Value::str("<nil>"));
        }
        other => {
            out.insert(prefix.to_string(), Value::Str(other.text()));
        }
    }
}

/// fasttemplate with `{{` `}}`: a tag whose trimmed name is a string parameter is replaced, any
/// other tag is kept as written.
pub fn fast_replace(text: &str, params: &Params) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("{{") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        let Some(j) = after.find("}}") else {
            out.push_str(&rest[i..]);
            return out;
        };
        let tag = &after[..j];
        match params.get(tag.trim()) {
            Some(Value::Str(s)) if !tag.trim().is_empty() => out.push_str(s),
            _ => {
                out.push_str("{{");
                out.push_str(tag);
                out.push_str("}}");
            }
        }
        rest = &after[j + 2..];
    }
    out.push_str(rest);
    out
}

/// `over` merged onto `base`: maps key by key, anything else replaced.
pub fn merge_over(base: &Node, over: &Node) -> Node {
    match (&base.value, &over.value) {
        (yaml::Value::Map(_), yaml::Value::Map(entries)) => {
            let mut out = base.clone();
            for (k, v) in entries {
                let Some(name) = k.as_str() else { continue };
                let merged = match out.get(name) {
                    Some(existing) => merge_over(existing, v),
                    None => v.clone(),
                };
                out.insert(k.clone(), merged);
            }
            out
        }
        _ => over.clone(),
    }
}

fn respan(mut n: Node, span: Span) -> Node {
    n.span = span;
    match &mut n.value {
        yaml::Value::Scalar(..) => {}
        yaml::Value::Seq(items) => {
            for i in items.iter_mut() {
                *i = respan(std::mem::replace(i, Node::scalar("", span)), span);
            }
        }
        yaml::Value::Map(entries) => {
            for (k, v) in entries.iter_mut() {
                k.span = span;
                *v = respan(std::mem::replace(v, Node::scalar("", span)), span);
            }
        }
    }
    n
}

/// A Kubernetes label selector (`matchLabels`, `matchExpressions`) over `get`.
fn selector_matches(sel: &Node, get: &dyn Fn(&str) -> Option<String>) -> bool {
    for (k, _, v) in sel.get("matchLabels").into_iter().flat_map(|m| m.entries()) {
        if get(k).as_deref() != v.as_str() {
            return false;
        }
    }
    for e in sel.get("matchExpressions").into_iter().flat_map(|m| m.items()) {
        let key = e.str_at(&["key"]).unwrap_or("");
        let values: Vec<&str> = e.get("values").into_iter().flat_map(|v| v.items()).filter_map(Node::as_str).collect();
        let have = get(key);
        let ok = match e.str_at(&["operator"]).unwrap_or("") {
            "In" => have.as_deref().is_some_and(|h| values.contains(&h)),
            "NotIn" => have.as_deref().is_none_or(|h| !values.contains(&h)),
            "Exists" => have.is_some(),
            "DoesNotExist" => have.is_none(),
            _ => false,
        };
        if !ok {
            return false;
        }
    }
    true
}

/// Go's `path.Match` as a regex: `*` and `?` stay within a folder, `[...]` classes, `\` escapes.
fn path_match_regex(pattern: &str) -> Option<regex::Regex> {
    glob_regex(pattern, "[^/]*", "[^/]")
}

/// A `git ls-files` pathspec as a regex: `*` and `?` cross folders (fnmatch without
/// FNM_PATHNAME); a pattern without glob characters also matches everything below it.
fn pathspec_regex(pattern: &str) -> Option<regex::Regex> {
    let p = pattern.trim_start_matches("./");
    if !p.contains(['*', '?', '[']) {
        return regex::Regex::new(&format!("^{}(?:/.*)?$", regex::escape(p.trim_end_matches('/')))).ok();
    }
    glob_regex(p, ".*", ".")
}

fn glob_regex(pattern: &str, star: &str, any: &str) -> Option<regex::Regex> {
    let mut re = String::from("^");
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '*' => re.push_str(star),
            '?' => re.push_str(any),
            '\\' => re.push_str(&regex::escape(&chars.next()?.to_string())),
            '[' => {
                re.push('[');
                if chars.peek() == Some(&'^') || chars.peek() == Some(&'!') {
                    chars.next();
                    re.push('^');
                }
                let mut closed = false;
                for c in chars.by_ref() {
                    if c == ']' {
                        closed = true;
                        break;
                    }
                    if c == '\\' || c == '[' {
                        re.push('\\');
                    }
                    re.push(c);
                }
                if !closed {
                    return None;
                }
                re.push(']');
            }
            c => re.push_str(&regex::escape(&c.to_string())),
        }
    }
    re.push('$');
    regex::Regex::new(&re).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_normalise() {
        for u in ["https://github.com/Org/Repo.git", "git@github.com:org/repo", "ssh://git@github.com/org/repo/", "http://github.com/org/repo"] {
            assert_eq!(normalize_url(u), "github.com/org/repo", "{u}");
        }
    }

    #[test]
    fn globs() {
        let re = path_match_regex("apps/*").unwrap();
        assert!(re.is_match("apps/db") && !re.is_match("apps/db/x") && !re.is_match("apps"));
        let re = pathspec_regex("clusters/*/config.json").unwrap();
        assert!(re.is_match("clusters/a/config.json") && re.is_match("clusters/a/b/config.json"));
        let re = pathspec_regex("cluster-config/**/config.json").unwrap();
        assert!(re.is_match("cluster-config/eu/prod/config.json"));
        assert!(pathspec_regex("apps").unwrap().is_match("apps/x.yaml"));
    }

    /// The one ApplicationSet in `text`, expanded with no repository around it.
    fn expand_text(text: &str) -> Expansion {
        let root = yaml::parse(FileId(0), text).documents.into_iter().next().and_then(|d| d.root).unwrap();
        let ex = expand(&root, Path::new("appsets/s.yaml"), &mut Context::default());
        assert!(ex.notes.is_empty(), "{:?}", ex.notes);
        ex
    }

    #[test]
    fn go_templates_render_keys_with_argo_functions() {
        let text = "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata: {name: s, namespace: argocd}\nspec:\n  goTemplate: true\n  goTemplateOptions: [\"missingkey=error\"]\n  generators:\n  - list:\n      elements:\n      - {name: My.App, n: 1000000}\n  template:\n    metadata:\n      name: '{{ slugify .name }}'\n      labels:\n        '{{ normalize .name }}': 'x{{ .n }}'\n    spec: {project: default}\n";
        let ex = expand_text(text);
        let app = &ex.apps[0].0;
        assert_eq!(app.str_at(&["metadata", "name"]), Some("my-app"));
        // A number from the element is a float64, printed as Go prints one.
        assert_eq!(app.str_at(&["metadata", "labels", "my.app"]), Some("x1e+06"));
    }

    #[test]
    fn go_merge_overrides_with_non_empty_values_only() {
        let text = "kind: ApplicationSet\napiVersion: argoproj.io/v1alpha1\nmetadata: {name: s}\nspec:\n  goTemplate: true\n  generators:\n  - merge:\n      mergeKeys: [name]\n      generators:\n      - list: {elements: [{name: a, ns: base, extra: {x: '1', y: '2'}}]}\n      - list: {elements: [{name: a, ns: '', extra: {y: '3'}}]}\n  template:\n    metadata: {name: '{{ .name }}'}\n    spec: {project: default, destination: {namespace: '{{ .ns }}-{{ .extra.x }}{{ .extra.y }}'}}\n";
        let ex = expand_text(text);
        // mergo.WithOverride: an empty value does not override; nested maps merge key by key.
        assert_eq!(ex.apps[0].0.str_at(&["spec", "destination", "namespace"]), Some("base-13"));
    }

    #[test]
    fn fasttemplate_keeps_unknown_tags() {
        let p = Params::from([("path.basename".to_string(), Value::str("db")), ("n".to_string(), Value::Int(1))]);
        assert_eq!(fast_replace("{{path.basename}}-{{ path.basename }}-{{other}}-{{n}}", &p), "db-db-{{other}}-{{n}}");
    }
}

/// A YAML text as JSON data, read by drlint's own loader (go-yaml's reading, as Argo CD's is):
/// `Err` when it does not parse; an empty text is `null`.
fn yaml_value(text: &str) -> Result<serde_json::Value, ()> {
    let parsed = crate::source::yaml::parse(crate::source::FileId(0), text);
    if parsed.issues.iter().any(|i| i.kind == crate::source::yaml::YamlIssueKind::Invalid) {
        return Err(());
    }
    Ok(parsed.documents.into_iter().find_map(|d| d.root).map(|r| r.to_json()).unwrap_or(serde_json::Value::Null))
}
