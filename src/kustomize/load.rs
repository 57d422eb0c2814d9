//! Reading kustomizations and accumulating what they build: resources, bases, components,
//! generators, then the built-in transformers in kustomize's order. The final steps (hash
//! suffixes, name references, vars, local-config removal, ordering) run once, at the top.

use super::fieldspec::TransformerConfig;
use super::resource::{Behavior, Res};
use super::{build_failed, unsupported, KError, KResult, LoadRestrictor, RenderOptions, Rendered, RenderedObject};
use crate::diag::Diagnostic;
use crate::source::yaml::{Node, ParsedFile};
use crate::source::{Stat, normalize, FileId, SourceDb, Span};
use std::path::{Path, PathBuf};

/// Kustomization fields kustomize v5.5.0 knows (anything else fails the build).
const FIELDS: &[&str] = &[
    "apiVersion",
    "kind",
    "metadata",
    "resources",
    "bases",
    "components",
    "patches",
    "patchesStrategicMerge",
    "patchesJson6902",
    "namespace",
    "namePrefix",
    "nameSuffix",
    "commonLabels",
    "labels",
    "commonAnnotations",
    "configMapGenerator",
    "secretGenerator",
    "generatorOptions",
    "images",
    "imageTags",
    "replicas",
    "replacements",
    "vars",
    "sortOptions",
    "openapi",
    "crds",
    "configurations",
    "generators",
    "transformers",
    "validators",
    "helmCharts",
    "helmChartInflationGenerator",
    "helmGlobals",
    "buildMetadata",
];

const MAX_DEPTH: usize = 64;
/// Kustomization folders one build may enter (a base included by many overlays is built once per
/// inclusion, as kustomize does; nested diamonds would otherwise grow exponentially).
const MAX_BUILDS: usize = 2_000;
const MAX_RESOURCES: usize = 50_000;

/// One kustomization being built.
pub(crate) struct Kust {
    pub node: Node,
    /// The kustomization file (`None` for an in-memory one).
    pub file: Option<FileId>,
    /// Its folder, absolute and normalised.
    pub dir: PathBuf,
    /// Where failures with no better place are reported.
    pub span: Span,
}

impl Kust {
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.node.get(key).filter(|n| !n.is_null())
    }
    pub fn str(&self, key: &str) -> Option<&str> {
        self.get(key).and_then(|n| n.as_text())
    }
    pub fn items(&self, key: &str) -> Vec<Node> {
        self.get(key).map(|n| n.items().cloned().collect()).unwrap_or_default()
    }
    pub fn key_span(&self, key: &str) -> Span {
        self.node.key(key).map(|k| k.span).unwrap_or(self.span)
    }
}

/// Resources and the configuration that travels with them.
#[derive(Default)]
pub(crate) struct Acc {
    pub res: Vec<Res>,
    /// Shared until a kustomization changes it: most builds only ever use the built-in defaults,
    /// and copying those for every kustomization dominated small builds.
    pub config: std::rc::Rc<TransformerConfig>,
    pub vars: Vec<super::vars::Var>,
}

impl Acc {
    pub fn new() -> Acc {
        Acc { res: Vec::new(), config: std::rc::Rc::new(TransformerConfig::default()), vars: Vec::new() }
    }

    /// Add a resource; an id already present is an error, as in kustomize.
    pub fn append(&mut self, r: Res, span: Span) -> KResult<()> {
        let id = r.cur_id();
        if self.res.iter().any(|x| x.cur_id().equals(&id)) {
            return Err(KError::at(span, format!("may not add resource with an already registered id: {}", id.display())));
        }
        if self.res.len() >= MAX_RESOURCES {
            return Err(KError::at(span, "too many resources"));
        }
        self.res.push(r);
        Ok(())
    }

    /// Add resources in order, as `append` does one by one, with one set of the ids present rather
    /// than a scan of the accumulated resources per added one (that made a big file quadratic).
    pub fn append_all(&mut self, rs: Vec<Res>, span: Span) -> KResult<()> {
        let key = |id: &super::resource::ResId| (id.gvk.clone(), id.name.clone(), id.effective_namespace());
        let mut present: std::collections::HashSet<_> = self.res.iter().map(|r| key(&r.cur_id())).collect();
        if self.res.len() + rs.len() > MAX_RESOURCES {
            return Err(KError::at(span, "too many resources"));
        }
        for r in rs {
            let id = r.cur_id();
            if !present.insert(key(&id)) {
                return Err(KError::at(span, format!("may not add resource with an already registered id: {}", id.display())));
            }
            self.res.push(r);
        }
        Ok(())
    }

    /// Add a generated resource honouring its behavior (create, merge, replace).
    pub fn absorb(&mut self, mut r: Res, span: Span) -> KResult<()> {
        let id = r.cur_id();
        let matches: Vec<usize> = (0..self.res.len()).filter(|&i| self.res[i].any_ids().iter().any(|x| x.equals(&id))).collect();
        match matches.len() {
            0 => match r.behavior {
                Behavior::Merge | Behavior::Replace => {
                    Err(KError::at(span, format!("id {} does not exist; cannot merge or replace", id.display())))
                }
                _ => self.append(r, span),
            },
            1 => {
                let i = matches[0];
                let old = &self.res[i];
                match r.behavior {
                    Behavior::Replace | Behavior::Merge => {
                        let merge = r.behavior == Behavior::Merge;
                        super::generate::merge_into_new(&mut r, old, merge);
                        r.org_id = old.org_id.clone();
                        r.prev_ids = old.prev_ids.clone();
                        r.prefixes = old.prefixes.clone();
                        r.suffixes = old.suffixes.clone();
                        r.needs_hash = r.needs_hash && old.needs_hash;
                        if merge && old.origin.is_some() {
                            r.origin = old.origin.clone();
                        }
                        r.transformations = old.transformations.clone();
                        self.res[i] = r;
                        Ok(())
                    }
                    _ => Err(KError::at(span, format!("id {} exists; behavior must be merge or replace", id.display()))),
                }
            }
            _ => Err(KError::at(span, format!("found multiple objects {} that could accept merge of {}", matches.len(), id.display()))),
        }
    }

    pub fn absorb_acc(&mut self, other: Acc, span: Span) -> KResult<()> {
        self.append_all(other.res, span)?;
        merge_config(&mut self.config, &other.config);
        for v in other.vars {
            self.add_var(v, span)?;
        }
        Ok(())
    }

    pub fn add_var(&mut self, v: super::vars::Var, span: Span) -> KResult<()> {
        if self.vars.iter().any(|x| x.name == v.name) {
            return Err(KError::at(span, format!("var '{}' already encountered", v.name)));
        }
        self.vars.push(v);
        Ok(())
    }
}

pub(crate) struct Builder<'a> {
    pub db: super::files::Files<'a>,
    pub opts: &'a RenderOptions,
    repo_root: PathBuf,
    pub files: Vec<FileId>,
    pub diags: Vec<Diagnostic>,
    stack: Vec<PathBuf>,
    pub fallback_span: Span,
    fallback_set: bool,
    top_dir: PathBuf,
    builds: usize,
    /// buildMetadata of the top kustomization (it applies to the whole build).
    pub origin_annotations: bool,
    pub transformer_annotations: bool,
    managed_by_label: bool,
    /// Path of the kustomization being built relative to the top one (for origin annotations).
    pub origin_dir: String,
    /// Inputs left out so far (remote resources and components, Helm charts, remote generators).
    pub unrendered: usize,
    /// Whether the kustomization whose transformers are running lost inputs that way (itself or a
    /// base): a patch whose target is missing may aim at what was not rendered.
    pub partial: bool,
}

/// Does a resource entry name something remote (git or http) rather than a local path?
pub(crate) fn is_remote(s: &str) -> bool {
    s.contains("://") || s.starts_with("git@") || s.starts_with("github.com/") || s.starts_with("gitlab.com/") || s.starts_with("bitbucket.org/") || s.starts_with("git::")
}

impl<'a> Builder<'a> {
    pub fn new(db: super::files::Files<'a>, opts: &'a RenderOptions) -> Builder<'a> {
        Builder { repo_root: db.db().canonical(&opts.repo_root), db, opts, files: Vec::new(), diags: Vec::new(), stack: Vec::new(), fallback_span: Span::default(), fallback_set: false, top_dir: PathBuf::new(), builds: 0, origin_annotations: false, transformer_annotations: false, managed_by_label: false, origin_dir: String::new(), unrendered: 0, partial: false }
    }

    fn note_file(&mut self, id: FileId) {
        if !self.files.contains(&id) {
            self.files.push(id);
        }
    }

    /// `p` with symlinks resolved (the run's cache, see `SourceDb::canonical`).
    fn canon(&self, p: &Path) -> PathBuf {
        self.db.db().canonical(p)
    }

    fn inside_repo(&mut self, p: &Path) -> bool {
        let c = self.canon(p);
        c.starts_with(&self.repo_root)
    }

    /// Read a file a kustomization names, applying the load restrictor and the repository bound.
    pub fn read_file(&mut self, k: &Kust, rel: &str, span: Span) -> KResult<(FileId, PathBuf)> {
        let path = normalize(&k.dir.join(rel));
        if !self.inside_repo(&path) {
            return Err(KError::at(span, format!("'{rel}' is outside the checked repository; not read")));
        }
        if self.opts.load_restrictor == LoadRestrictor::RootOnly && !self.canon(&path).starts_with(self.canon(&k.dir)) {
            return Err(KError::at(
                span,
                format!("security; file '{}' is not in or below '{}'", shown(&path), shown(&k.dir)),
            ));
        }
        if self.db.db().stat(&path) == Stat::Missing {
            return Err(KError::at(span, format!("evalsymlink failure on '{}' : lstat {}: no such file or directory", shown(&path), shown(&path))));
        }
        let id = self.db.load_text(&path).map_err(|e| KError::at(span, format!("{}: {e}", shown(&path))))?;
        self.note_file(id);
        Ok((id, path))
    }

    pub fn read_yaml(&mut self, k: &Kust, rel: &str, span: Span) -> KResult<(FileId, std::sync::Arc<ParsedFile>)> {
        let (id, _) = self.read_file(k, rel, span)?;
        let parsed = self.db.parsed(id);
        if let Some(issue) = parsed.issues.iter().find(|i| i.refused()) {
            return Err(KError::at(span, format!("MalformedYAMLError: {} in File: {rel}", issue.message)));
        }
        Ok((id, parsed))
    }

    /// Path of this kustomization's file relative to the top one (origin annotations).
    pub fn configured_in(&self, k: &Kust) -> String {
        let name = k.file.map(|f| self.db.get(f).real_path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()).unwrap_or_else(|| "kustomization.yaml".into());
        join_rel(&self.origin_dir, &name)
    }

    /// Record a builtin transformer on every resource (buildMetadata transformerAnnotations).
    pub fn record_transformer(&self, k: &Kust, res: &mut [Res], kind: &str) {
        self.record_plugin(self.configured_in(k), res, kind, None, None);
    }

    pub fn record_plugin(&self, configured_in: String, res: &mut [Res], kind: &str, name: Option<&str>, ns: Option<&str>) {
        if !self.transformer_annotations {
            return;
        }
        let mut item = format!("- configuredIn: {configured_in}\n  configuredBy:\n    apiVersion: builtin\n    kind: {kind}\n");
        if let Some(n) = name {
            item.push_str(&format!("    name: {n}\n"));
        }
        if let Some(n) = ns {
            item.push_str(&format!("    namespace: {n}\n"));
        }
        for r in res.iter_mut() {
            r.transformations.push(item.clone());
        }
    }

    /// Load the kustomization file of `dir`.
    fn load_kust(&mut self, dir: &Path, span: Option<Span>) -> KResult<Kust> {
        let mut found = Vec::new();
        for name in ["kustomization.yaml", "kustomization.yml", "Kustomization"] {
            let p = dir.join(name);
            if self.db.db().stat(&p) == Stat::File {
                found.push(p);
            }
        }
        if found.len() > 1 {
            return Err(KError::new(format!("Found multiple kustomization files under: {}", shown(&dir)), span));
        }
        let Some(path) = found.pop() else {
            return Err(KError::new(
                format!("unable to find one of 'kustomization.yaml', 'kustomization.yml' or 'Kustomization' in directory '{}'", shown(&dir)),
                span,
            ));
        };
        let id = self.db.load_text(&path).map_err(|e| KError::new(format!("{}: {e}", shown(&path)), span))?;
        self.note_file(id);
        let parsed = self.db.parsed(id);
        let file_span = Span::new(id, 0, 0);
        if let Some(issue) = parsed.issues.iter().find(|i| i.kind == crate::source::yaml::YamlIssueKind::Invalid) {
            return Err(KError::at(issue.span, format!("invalid kustomization: {}", issue.message)));
        }
        let docs: Vec<&Node> = parsed.documents.iter().filter_map(|d| d.root.as_ref()).collect();
        let root = match docs.first() {
            Some(r) => (*r).clone(),
            None => return Err(KError::at(file_span, "kustomization.yaml is empty")),
        };
        self.kust_from_node(root, Some(id), dir, file_span)
    }

    fn kust_from_node(&mut self, root: Node, file: Option<FileId>, dir: &Path, file_span: Span) -> KResult<Kust> {
        if !root.is_map() {
            return Err(KError::at(root.span, "invalid Kustomization: not a mapping"));
        }
        // Go's JSON decoding matches field names case-insensitively; unknown fields fail.
        let mut node = root.clone();
        if let Some(entries) = node.as_map_mut() {
            for (k, _) in entries.iter_mut() {
                let Some(key) = k.as_str() else { continue };
                if FIELDS.contains(&key) {
                    continue;
                }
                match FIELDS.iter().find(|f| f.eq_ignore_ascii_case(key)) {
                    Some(f) => k.value = crate::source::yaml::Value::Scalar((*f).into(), crate::source::yaml::Style::Plain),
                    None => return Err(KError::at(k.span, format!("invalid Kustomization: json: unknown field \"{key}\""))),
                }
            }
        }
        if node.as_map().is_some_and(|m| m.iter().all(|(k, _)| matches!(k.as_str(), Some("apiVersion" | "kind" | "metadata")))) {
            return Err(KError::at(file_span, "kustomization.yaml is empty"));
        }
        let span = root.span;
        let k = Kust { node, file, dir: dir.to_path_buf(), span: Span { end: span.start, ..span } };
        for l in k.items("labels") {
            for (key, kn, _) in l.entries() {
                if !matches!(key, "pairs" | "includeSelectors" | "includeTemplates" | "fields") {
                    return Err(KError::at(kn.span, format!("invalid Kustomization: json: unknown field \"{key}\"")));
                }
            }
        }
        if k.str("kind") == Some("Component") && k.str("apiVersion").is_some_and(|a| a != "kustomize.config.k8s.io/v1alpha1") {
            return Err(KError::at(k.key_span("apiVersion"), format!("apiVersion for Component should be kustomize.config.k8s.io/v1alpha1, not '{}'", k.str("apiVersion").unwrap_or(""))));
        }
        if let Some(kind) = k.str("kind") {
            if kind != "Kustomization" && kind != "Component" {
                return Err(KError::at(k.key_span("kind"), format!("kind should be Kustomization or Component, not '{kind}'")));
            }
        }
        Ok(k)
    }

    pub fn build_top(&mut self, dir: &Path, virtual_k: Option<&Node>) -> KResult<Vec<Res>> {
        let dir = normalize(dir);
        self.top_dir = dir.clone();
        if !self.inside_repo(&dir) {
            return Err(KError::new(format!("'{}' is outside the checked repository", shown(&dir)), None));
        }
        let k = match virtual_k {
            Some(n) => self.kust_from_node(n.clone(), None, &dir, n.span)?,
            None => self.load_kust(&dir, None)?,
        };
        self.fallback_span = k.span;
        self.fallback_set = true;
        for m in k.items("buildMetadata") {
            match m.as_text() {
                Some("originAnnotations") => self.origin_annotations = true,
                Some("transformerAnnotations") => self.transformer_annotations = true,
                Some("managedByLabel") => self.managed_by_label = true,
                Some(other) => return Err(KError::at(m.span, format!("invalid buildMetadata option: {other}"))),
                None => {}
            }
        }
        // An in-memory kustomization is not a folder being built: it may list its own folder
        // (`resources: [.]`) to wrap the kustomization.yaml there, as Flux does.
        if virtual_k.is_none() {
            let c = self.canon(&dir);
            self.stack.push(c);
        }
        let acc = self.accumulate(&k, Acc::new());
        if virtual_k.is_none() {
            self.stack.pop();
        }
        let mut acc = acc?;
        // Content hashes, then back references, then vars: the order kustomize uses.
        for r in acc.res.iter_mut() {
            if r.needs_hash {
                r.remember_id();
                let h = super::hash::resource_hash(&r.node);
                let name = format!("{}-{}", r.name(), h);
                let span = r.node.at(&["metadata", "name"]).map(|n| n.span).unwrap_or(r.node.span);
                super::resource::set_name(&mut r.node, &name, span);
            }
        }
        super::nameref::fix(&mut acc.res, &acc.config)?;
        super::vars::resolve_vars(&mut acc.res, &acc.vars, &acc.config.var_reference)?;
        acc.res.retain(|r| {
            !r.annotations().iter().any(|(k, v)| k == "config.kubernetes.io/local-config" && v == "true")
        });
        super::order::sort(&mut acc.res, &k)?;
        for r in acc.res.iter_mut() {
            let span = k.key_span("buildMetadata");
            if let Some(o) = r.origin.take() {
                super::resource::set_path(&mut r.node, &["metadata", "annotations", "config.kubernetes.io/origin"], Node::scalar(o, span), span);
            }
            if !r.transformations.is_empty() {
                let t = r.transformations.concat();
                super::resource::set_path(&mut r.node, &["metadata", "annotations", "alpha.config.kubernetes.io/transformations"], Node::scalar(t, span), span);
            }
            if self.managed_by_label {
                super::resource::set_path(&mut r.node, &["metadata", "labels", "app.kubernetes.io/managed-by"], Node::scalar("kustomize-(devel)", span), span);
            }
        }
        Ok(acc.res)
    }

    /// The build's result, and the files it read through (for their `record`).
    pub fn finish(mut self, result: KResult<Vec<Res>>) -> (Rendered, super::files::Files<'a>) {
        let mut diagnostics = self.diags;
        let (objects, ok) = match result {
            Ok(res) => (
                res.into_iter()
                    .map(|mut r| {
                        stringify_annotations(&mut r.node);
                        RenderedObject { node: r.node, file: r.file, doc_index: r.doc_index }
                    })
                    .collect(),
                true,
            ),
            Err(e) => {
                let span = match e.span {
                    Some(s) if (s.file.0 as usize) < self.db.len() => s,
                    _ if self.fallback_set => self.fallback_span,
                    _ => {
                        // Nothing was read (no kustomization in the folder): report at the folder.
                        let shown = crate::diag::relative_to_cwd(&self.top_dir);
                        let id = self.db.add(shown, self.top_dir.clone());
                        Span::new(id, 0, 0)
                    }
                };
                let mut d = build_failed(span, e.message);
                for inc in e.included_from {
                    d = d.with_label(inc, "included from here");
                }
                diagnostics.push(d);
                (Vec::new(), false)
            }
        };
        (Rendered { objects, diagnostics, files: self.files, ok }, self.db)
    }

    /// kustomize's accumulateTarget: resources, configurations, generators, components,
    /// transformers, vars.
    pub fn accumulate(&mut self, k: &Kust, mut acc: Acc) -> KResult<Acc> {
        if self.stack.len() > MAX_DEPTH {
            return Err(KError::at(k.span, "kustomizations nested too deeply"));
        }
        let start = self.unrendered;
        let mut entries = k.items("resources");
        entries.extend(k.items("bases"));
        for e in &entries {
            let Some(path) = e.as_text() else { continue };
            self.accumulate_resource(k, path, e.span, &mut acc)?;
        }
        // kustomize's MakeTransformerConfig: the built-in defaults, where each category that a
        // `configurations` file lists replaces the default one.
        let configurations = k.items("configurations");
        if configurations.is_empty() {
            merge_config(&mut acc.config, &TransformerConfig::defaults_shared());
        } else {
            let mut custom = TransformerConfig::default();
            let mut keys = Vec::new();
            for e in configurations {
                let Some(path) = e.as_text() else { continue };
                let (_, parsed) = self.read_yaml(k, path, e.span)?;
                for d in &parsed.documents {
                    if let Some(root) = &d.root {
                        keys.extend(root.entries().map(|(k, _, _)| k.to_string()));
                        custom.merge(&TransformerConfig::from_node(root));
                    }
                }
            }
            std::rc::Rc::make_mut(&mut acc.config).merge(&TransformerConfig::defaults_overridden_by(&custom, &keys));
        }
        for e in k.items("crds") {
            let Some(path) = e.as_text() else { continue };
            let (_, parsed) = self.read_yaml(k, path, e.span)?;
            super::nameref::crd_config(&parsed, std::rc::Rc::make_mut(&mut acc.config));
        }
        self.check_openapi(k)?;
        super::generate::run_generators(self, k, &mut acc)?;
        let charts_missing = super::helm_charts::inflate(self, k, &mut acc)?;
        for e in k.items("components") {
            let Some(path) = e.as_text() else { continue };
            if is_remote(path) {
                self.diags.push(unsupported(e.span, format!("remote component '{path}' is not fetched; the rest of the overlay is rendered without it")));
                self.unrendered += 1;
                continue;
            }
            let dir = normalize(&k.dir.join(path));
            if !self.inside_repo(&dir) {
                return Err(KError::at(e.span, format!("component '{path}' is outside the checked repository")));
            }
            if self.db.db().stat(&dir) != Stat::Dir {
                return Err(KError::at(e.span, format!("accumulating components: loader.New \"must build at directory: '{}': file is not directory\"", shown(&dir))));
            }
            let sub = self.enter(&dir, e.span)?;
            if sub.str("kind") != Some("Component") {
                self.stack.pop();
                return Err(KError::at(
                    e.span,
                    format!("accumulating components: expected kind 'Component' for path '{}' but got '{}'", shown(&dir), sub.str("kind").unwrap_or("Kustomization")),
                ));
            }
            let new_dir = join_rel(&self.origin_dir, path);
            let saved = std::mem::replace(&mut self.origin_dir, new_dir);
            let r = self.accumulate(&sub, acc);
            self.origin_dir = saved;
            self.stack.pop();
            acc = r.map_err(|err| err.included_at(e.span))?;
        }
        self.unrendered += charts_missing.len() + k.items("helmChartInflationGenerator").len();
        let outer = self.partial;
        self.partial = self.unrendered > start;
        super::transform::run_builtin(self, k, &mut acc)?;
        super::transform::run_transformer_plugins(self, k, &mut acc)?;
        self.partial = outer;
        for e in k.items("validators") {
            self.diags.push(unsupported(e.span, "validator plugins are not run"));
        }
        for v in k.items("vars") {
            let var = super::vars::Var::from_node(&v).ok_or_else(|| KError::at(v.span, "invalid var"))?;
            let matched: Vec<usize> = (0..acc.res.len()).filter(|&i| var.matches(&acc.res[i])).collect();
            if matched.len() > 1 {
                return Err(KError::at(v.span, format!("found {} resId matches for var {} (unable to disambiguate)", matched.len(), var.name)));
            }
            if let Some(&i) = matched.first() {
                acc.res[i].ref_vars.push(var.name.clone());
            }
            acc.add_var(var, v.span)?;
        }
        for (span, name) in charts_missing {
            self.diags.push(unsupported(span, format!("helm chart '{name}' is not inflated (not on disk in the chartHome); the rest of the overlay is rendered without it")));
        }
        for chart in k.items("helmChartInflationGenerator") {
            let name = chart.str_at(&["name"]).or_else(|| chart.str_at(&["chartName"])).unwrap_or("?");
            let span = chart.get("name").or_else(|| chart.get("chartName")).map(|n| n.span).unwrap_or(chart.span);
            self.diags.push(unsupported(span, format!("helm chart '{name}' is not inflated; the rest of the overlay is rendered without it")));
        }
        Ok(acc)
    }

    fn check_openapi(&mut self, k: &Kust) -> KResult<()> {
        let Some(o) = k.get("openapi") else { return Ok(()) };
        let path = o.str_at(&["path"]);
        let version = o.str_at(&["version"]);
        if path.is_some() && version.is_some() {
            return Err(KError::at(k.key_span("openapi"), "builtin version and custom schema provided, cannot use both"));
        }
        if let Some(v) = version {
            if !matches!(v, "v1.21.2" | "v1212" | "default") {
                return Err(KError::at(k.key_span("openapi"), "the specified OpenAPI version is not built in"));
            }
        }
        if let Some(p) = path {
            self.read_file(k, p, o.get("path").map(|n| n.span).unwrap_or(k.span))?;
        }
        Ok(())
    }

    /// Push `dir` on the build stack (cycles fail) and load its kustomization.
    fn enter(&mut self, dir: &Path, span: Span) -> KResult<Kust> {
        let c = self.canon(dir);
        self.builds += 1;
        if self.builds > MAX_BUILDS {
            return Err(KError::at(span, format!("more than {MAX_BUILDS} kustomization builds (bases included through too many paths)")));
        }
        if self.stack.contains(&c) {
            return Err(KError::at(span, format!("cycle detected: '{}' is already being built", shown(&dir))));
        }
        let sub = self.load_kust(dir, Some(span))?;
        self.stack.push(c);
        Ok(sub)
    }

    fn accumulate_resource(&mut self, k: &Kust, path: &str, span: Span, acc: &mut Acc) -> KResult<()> {
        let full = normalize(&k.dir.join(path));
        if self.db.db().stat(&full) == Stat::Missing && is_remote(path) {
            self.diags.push(unsupported(span, format!("remote resource '{path}' is not fetched; the rest of the overlay is rendered without it")));
            self.unrendered += 1;
            return Ok(());
        }
        if self.db.db().stat(&full) == Stat::File {
            let (id, parsed) = self.read_yaml(k, path, span)?;
            let mut rs = self.resources_from(id, &parsed, span)?;
            if self.origin_annotations {
                for r in rs.iter_mut().filter(|r| r.origin.is_none()) {
                    r.origin = Some(format!("path: {}\n", join_rel(&self.origin_dir, path)));
                }
            }
            return acc.append_all(rs, span);
        }
        if self.db.db().stat(&full) == Stat::Dir {
            if !self.inside_repo(&full) {
                return Err(KError::at(span, format!("'{path}' is outside the checked repository; not read")));
            }
            let sub = self.enter(&full, span)?;
            if sub.str("kind") == Some("Component") {
                self.stack.pop();
                return Err(KError::at(span, format!("accumulating resources from '{path}': expected kind != 'Component' for path '{}'", shown(&full))));
            }
            let new_dir = join_rel(&self.origin_dir, path);
            let saved = std::mem::replace(&mut self.origin_dir, new_dir);
            let r = self.accumulate(&sub, Acc::new());
            self.origin_dir = saved;
            self.stack.pop();
            let sub_acc = r.map_err(|err| err.included_at(span))?;
            return acc.absorb_acc(sub_acc, span);
        }
        Err(KError::at(span, format!("accumulating resources from '{path}': '{}': no such file or directory", shown(&full))))
    }

    /// The objects of a resource file (a `List` contributes its items).
    pub fn resources_from(&mut self, id: FileId, parsed: &ParsedFile, span: Span) -> KResult<Vec<Res>> {
        let mut out = Vec::new();
        for d in &parsed.documents {
            let Some(root) = &d.root else { continue };
            if root.is_null() {
                continue;
            }
            if !root.is_map() {
                return Err(KError::at(span, format!("{}: document {} is not a mapping", crate::diag::display_path(&self.db.get(id).path), d.index)));
            }
            if root.as_map().is_some_and(|m| m.is_empty()) {
                continue;
            }
            let kind = root.str_at(&["kind"]).unwrap_or("");
            if kind.ends_with("List") && root.get("items").is_some_and(|i| i.is_seq()) {
                for item in root.get("items").unwrap().items() {
                    if item.is_map() {
                        out.push(Res::new(item.clone(), id, d.index));
                    }
                }
                continue;
            }
            if kind.is_empty() {
                return Err(KError::at(root.span, "missing Resource metadata: kind is required"));
            }
            out.push(Res::new(root.clone(), id, d.index));
        }
        Ok(out)
    }

    /// A patch or other file-or-inline YAML: text containing a newline (or a mapping) is inline.
    pub fn file_or_inline(&mut self, k: &Kust, n: &Node) -> KResult<(FileId, Vec<Node>)> {
        let text = n.as_text().unwrap_or("");
        if n.is_map() {
            return Ok((n.span.file, vec![n.clone()]));
        }
        let looks_inline = text.contains('\n') || text.trim_start().starts_with('{') || (text.contains(": ") && !k.dir.join(text).exists());
        if looks_inline {
            return Ok((n.span.file, inline_docs(self.db.db(), n, false)));
        }
        let (id, parsed) = self.read_yaml(k, text, n.span)?;
        Ok((id, parsed.documents.iter().filter_map(|d| d.root.clone()).filter(|r| !r.is_null()).collect()))
    }
}

/// Parse YAML written inside a kustomization string, giving its nodes spans in the
/// kustomization: in a literal block (`patch: |`) each node points at its own line and column;
/// otherwise at the string. `trim`: parse the text with surrounding whitespace removed, as
/// kustomize does for inline patches.
pub(crate) fn inline_docs(db: &SourceDb, n: &Node, trim: bool) -> Vec<Node> {
    let full = n.as_str().unwrap_or("");
    let (text, lead) = if trim { (full.trim(), full.len() - full.trim_start().len()) } else { (full, 0) };
    let parsed = crate::source::yaml::parse(n.span.file, text);
    let mut out: Vec<Node> = parsed.documents.into_iter().filter_map(|d| d.root).filter(|r| !r.is_null()).collect();
    // A block scalar that ends the text without a final line break has no trailing newline
    // (yaml-rust2 adds one under clip chomping; kustomize's parser does not).
    if !text.ends_with('\n') {
        if let Some(last) = out.last_mut() {
            let n = last_node(last);
            if let crate::source::yaml::Value::Scalar(v, st) = &mut n.value {
                let header = text.rfind(['|', '>']).map(|i| &text[i..]).unwrap_or("");
                if matches!(st, crate::source::yaml::Style::Literal | crate::source::yaml::Style::Folded) && !header.starts_with("|+") && !header.starts_with(">+") && v.ends_with('\n') {
                    *v = v[..v.len() - 1].into();
                }
            }
        }
    }
    let mapper = LiteralMap::new(db, n, full);
    for doc in &mut out {
        match &mapper {
            Some(m) => m.remap(doc, lead),
            None => respan(doc, n.span),
        }
    }
    out
}

/// Offsets in the value of a literal block scalar mapped back to the file: content line k is
/// file line k after the header, shifted by the block's indentation.
struct LiteralMap {
    file: FileId,
    line_starts: Vec<usize>,
    indent: usize,
    value_line_starts: Vec<usize>,
    fallback: Span,
}

impl LiteralMap {
    fn new(db: &SourceDb, n: &Node, value: &str) -> Option<LiteralMap> {
        if n.style() != Some(crate::source::yaml::Style::Literal) || (n.span.file.0 as usize) >= db.len() {
            return None;
        }
        let text = db.get(n.span.file).text();
        let start = (n.span.start as usize).min(text.len());
        // The scalar's span starts at the `|` indicator or at its first content line.
        let first = if text.as_bytes().get(start) == Some(&b'|') {
            text[start..].find('\n')? + start + 1
        } else {
            text[..start].rfind('\n').map(|i| i + 1).unwrap_or(0)
        };
        let wanted = value.matches('\n').count() + 1;
        let mut line_starts = Vec::new();
        let mut pos = first;
        while line_starts.len() < wanted && pos <= text.len() {
            line_starts.push(pos);
            match text[pos..].find('\n') {
                Some(i) => pos += i + 1,
                None => break,
            }
        }
        let indent = line_starts
            .iter()
            .map(|&ls| &text[ls..text[ls..].find('\n').map(|i| ls + i).unwrap_or(text.len())])
            .find(|l| !l.trim().is_empty())
            .map(|l| l.len() - l.trim_start_matches(' ').len())?;
        let mut value_line_starts = vec![0];
        value_line_starts.extend(value.match_indices('\n').map(|(i, _)| i + 1));
        Some(LiteralMap { file: n.span.file, line_starts, indent, value_line_starts, fallback: n.span })
    }

    fn map(&self, off: usize) -> u32 {
        let k = match self.value_line_starts.binary_search(&off) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        match self.line_starts.get(k) {
            Some(&ls) => (ls + self.indent + (off - self.value_line_starts[k])) as u32,
            None => self.fallback.end,
        }
    }

    fn remap(&self, node: &mut Node, lead: usize) {
        let mut stack = vec![node];
        while let Some(n) = stack.pop() {
            n.span = Span { file: self.file, start: self.map(n.span.start as usize + lead), end: self.map(n.span.end as usize + lead) };
            match &mut n.value {
                crate::source::yaml::Value::Seq(items) => stack.extend(items.iter_mut()),
                crate::source::yaml::Value::Map(entries) => {
                    for (k, v) in entries.iter_mut() {
                        k.span = Span { file: self.file, start: self.map(k.span.start as usize + lead), end: self.map(k.span.end as usize + lead) };
                        stack.push(v);
                    }
                }
                _ => {}
            }
        }
    }
}

/// Point every node of a tree parsed from an inline string at `span` (the string in the
/// kustomization): byte offsets inside the string do not map 1:1 to the file once unescaped.
pub(crate) fn respan(node: &mut Node, span: Span) {
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        n.span = span;
        match &mut n.value {
            crate::source::yaml::Value::Seq(items) => stack.extend(items.iter_mut()),
            crate::source::yaml::Value::Map(entries) => {
                for (k, v) in entries.iter_mut() {
                    k.span = span;
                    stack.push(v);
                }
            }
            _ => {}
        }
    }
}

/// kustomize rewrites every object's annotations as strings (`port: 8080` prints as "8080"), and
/// drops an `annotations:` that is null or empty (it sets and clears its own annotations on every
/// object, and clearing the last one removes the field; `labels:` is kept as written).
fn stringify_annotations(node: &mut Node) {
    if let Some(meta) = node.get_mut("metadata") {
        let empty = meta.get("annotations").is_some_and(|a| a.is_null() || a.as_map().is_some_and(|m| m.is_empty()));
        if empty {
            meta.remove("annotations");
        }
    }
    if let Some(m) = node.get_mut("metadata").and_then(|m| m.get_mut("annotations")).and_then(|a| a.as_map_mut()) {
        for (_, v) in m.iter_mut() {
            let null = v.is_null();
            let untagged = v.tag.is_none();
            if let crate::source::yaml::Value::Scalar(s, st) = &mut v.value {
                if *st == crate::source::yaml::Style::Plain && untagged {
                    if null {
                        *s = Default::default();
                    }
                    *st = crate::source::yaml::Style::DoubleQuoted;
                }
            }
        }
    }
}

/// `base` joined with `rel` and cleaned lexically, as Go's filepath.Join does.
pub(crate) fn join_rel(base: &str, rel: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for p in base.split('/').chain(rel.split('/')) {
        match p {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else {
                    parts.push("..");
                }
            }
            p => parts.push(p),
        }
    }
    if parts.is_empty() { ".".into() } else { parts.join("/") }
}

/// The last node of a tree in document order (the deepest last entry or item).
fn last_node(n: &mut Node) -> &mut Node {
    let has_child = match &n.value {
        crate::source::yaml::Value::Map(e) => !e.is_empty(),
        crate::source::yaml::Value::Seq(i) => !i.is_empty(),
        _ => false,
    };
    if !has_child {
        return n;
    }
    if n.is_map() {
        return last_node(&mut n.as_map_mut().unwrap().last_mut().unwrap().1);
    }
    last_node(n.as_seq_mut().unwrap().last_mut().unwrap())
}

/// A path as messages show it: relative to the current directory, so that findings read the same
/// on every machine and in every checkout.
fn shown(p: &std::path::Path) -> String {
    crate::diag::display_path(&crate::diag::relative_to_cwd(p))
}

/// Merge `other` into `into`, sharing instead of copying when one side is empty or both are the
/// same configuration.
fn merge_config(into: &mut std::rc::Rc<TransformerConfig>, other: &std::rc::Rc<TransformerConfig>) {
    if std::rc::Rc::ptr_eq(into, other) || other.is_empty() {
        return;
    }
    if into.is_empty() {
        *into = other.clone();
        return;
    }
    std::rc::Rc::make_mut(into).merge(other);
}
