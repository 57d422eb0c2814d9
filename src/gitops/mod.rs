//! GitOps entry points: render what the cluster applies.
//!
//! Every Flux `Kustomization` and Argo CD `Application` with a path in the checked tree is
//! rendered the way its controller renders it; Flux Kustomizations (and Applications) that other
//! entry points render are followed from them, so each object is rendered once per cluster that
//! applies it. Kustomization folders that no entry point renders are rendered on their own (a tool
//! drlint cannot see may apply them), and manifest files that no render read are linted as written.

pub mod applicationset;
pub mod argo;
mod argo_helm;
pub(crate) mod chart_cache;
pub(crate) mod chart_render;
mod deployed;
pub mod flux;
mod helm_release;
pub mod substitute;

use crate::diag::{Diagnostic, Severity};
use crate::discover::{FileKind, Workspace};
use crate::kustomize::{self, LoadRestrictor, RenderOptions, Rendered};
use crate::model::Resource;
use crate::rules::gitops::{entrypoint_not_rendered, flux_substitution_unresolved, gitops_path_missing};
use crate::rules::source::helm_render_incomplete;
use crate::settings::Settings;
use crate::source::yaml::{Node, Value};
use crate::source::{normalize, FileId, SourceDb, Span};
use std::collections::{BTreeMap, BTreeSet, HashMap, VecDeque};
use std::path::{Path, PathBuf};

/// One entry point and what became of it, for `drlint entrypoints`.
#[derive(Clone, Debug)]
pub struct EntryPoint {
    /// `Flux Kustomization flux-system/apps`, `Argo CD Application argocd/db`, `kustomization apps/x`.
    pub label: String,
    pub declared_at: Span,
    pub cluster: Option<String>,
    /// Folders rendered (relative display paths).
    pub dirs: Vec<String>,
    pub objects: usize,
    /// Why it, or part of it, was not rendered.
    pub problems: Vec<String>,
}

#[derive(Default)]
pub struct RepoRender {
    pub resources: Vec<Resource>,
    pub diagnostics: Vec<Diagnostic>,
    pub entrypoints: Vec<EntryPoint>,
    /// Kustomization folders that no entry point renders (rendered on their own).
    pub unrendered_dirs: Vec<String>,
    /// Values that are one `${VAR}` set by a Flux `postBuild.substitute` entry: the rendered
    /// scalar points at the entry's value (where the value is written and fixed); this maps that
    /// span to the places that wrote `${VAR}`.
    pub substituted: BTreeMap<Span, BTreeSet<Span>>,
    /// When one check covers several repositories: each one's root folder and name (as
    /// `Resource::repo` gives it).
    pub repos: Vec<(PathBuf, String)>,
    /// Every Helm release a deployer installs from a chart on disk, as rendered (for `drlint
    /// entrypoints`-style reports and the conformance test against Helm with the deployer's values).
    pub releases: Vec<ChartRelease>,
}

impl RepoRender {
    /// The repository a file belongs to (`None` when the check covers one repository).
    pub fn repo_of(&self, path: &Path) -> Option<String> {
        let path = normalize(path);
        self.repos.iter().filter(|(root, _)| path.starts_with(root)).max_by_key(|(root, _)| root.components().count()).map(|(_, name)| name.clone())
    }
}

/// A chart on disk and the release options a deployer installs it with.
#[derive(Clone, Debug)]
pub struct ChartRelease {
    pub label: String,
    pub chart_dir: PathBuf,
    pub options: crate::helm::ReleaseOptions,
    pub deployed: bool,
}

/// An object as written, with where it was read (borrowed from the parsed file: a repository's
/// manifests are not copied to be looked at).
struct Written<'w> {
    file: FileId,
    doc_index: usize,
    node: &'w Node,
}

/// A kustomize build an entry point asks for: the folder, the kustomization to build it with (the
/// overlay Flux or Argo CD puts around the folder's own), and the options.
struct Build {
    dir: PathBuf,
    kus: Option<Node>,
    opts: RenderOptions,
}

/// What a render produced, cached by (folder, kustomization) so no overlay renders twice.
struct Cache {
    renders: HashMap<(PathBuf, String), std::rc::Rc<Rendered>>,
    /// Secret values that a render built ahead (`prerender`) masks, applied when it is used.
    masks: HashMap<(PathBuf, String), Vec<kustomize::files::Mask>>,
}

impl Cache {
    fn key(dir: &Path, kus: Option<&Node>) -> (PathBuf, String) {
        (dir.to_path_buf(), kus.map(|k| k.to_json().to_string()).unwrap_or_default())
    }

    fn build(db: &mut SourceDb, dir: &Path, kus: Option<&Node>, opts: &RenderOptions) -> std::rc::Rc<Rendered> {
        std::rc::Rc::new(match kus {
            Some(k) => kustomize::render_virtual(db, dir, k, opts),
            None => kustomize::render(db, dir, opts),
        })
    }

    /// Run `builds` on every core before the (sequential) walk over entry points asks for them.
    /// A build that needs only files already read is cached as `render` would build it; one that
    /// needs more is left for `render` to build when asked (see `kustomize::files`), so the run,
    /// its file ids and its output are the same whatever the number of threads.
    fn prerender(&mut self, db: &SourceDb, builds: Vec<Build>) {
        use rayon::prelude::*;
        let mut seen = std::collections::HashSet::new();
        let todo: Vec<((PathBuf, String), Build)> = builds
            .into_iter()
            .map(|b| (Self::key(&b.dir, b.kus.as_ref()), b))
            .filter(|(key, _)| !self.renders.contains_key(key) && seen.insert(key.clone()))
            .collect();
        if todo.is_empty() {
            return;
        }
        let phase = crate::timings::start(format!("prerender of {} builds", todo.len()));
        let built: Vec<Option<(Rendered, Vec<kustomize::files::Mask>)>> = todo.par_iter().map(|(_, b)| kustomize::render_shared(db, &b.dir, b.kus.as_ref(), &b.opts)).collect();
        phase.done();
        if crate::timings::on() {
            eprintln!("drlint: timing prerender: {} of {} builds need files not read yet", built.iter().filter(|b| b.is_none()).count(), built.len());
        }
        for ((key, _), built) in todo.into_iter().zip(built) {
            if let Some((rendered, masks)) = built {
                self.renders.insert(key.clone(), std::rc::Rc::new(rendered));
                if !masks.is_empty() {
                    self.masks.insert(key, masks);
                }
            }
        }
    }

    /// Mask what a render built ahead would have masked when built here.
    fn apply_masks(&mut self, db: &mut SourceDb, key: &(PathBuf, String)) {
        for (file, spans) in self.masks.remove(key).unwrap_or_default() {
            db.get_mut(file).mask(&spans);
        }
    }

    fn render(&mut self, db: &mut SourceDb, dir: &Path, kus: Option<&Node>, opts: &RenderOptions) -> std::rc::Rc<Rendered> {
        let key = Self::key(dir, kus);
        if let Some(r) = self.renders.get(&key).cloned() {
            self.apply_masks(db, &key);
            return r;
        }
        let r = Self::build(db, dir, kus, opts);
        self.renders.insert(key, r.clone());
        r
    }

    /// Drop a render nothing is expected to take (a later build of the same key builds again).
    fn forget(&mut self, dir: &Path, kus: Option<&Node>) {
        let key = Self::key(dir, kus);
        self.renders.remove(&key);
        self.masks.remove(&key);
    }

    /// The render, for the one caller that records its objects: it leaves the cache, so that
    /// caller owns it and moves its objects instead of copying them (an entry point is rendered
    /// once to see what it reaches and recorded once; a second recording renders again).
    fn take(&mut self, db: &mut SourceDb, dir: &Path, kus: Option<&Node>, opts: &RenderOptions) -> std::rc::Rc<Rendered> {
        let key = Self::key(dir, kus);
        self.apply_masks(db, &key);
        self.renders.remove(&key).unwrap_or_else(|| Self::build(db, dir, kus, opts))
    }
}

/// The cluster a file belongs to: as `clusters:` in `.drlint.yaml` says, else the folder below a
/// `clusters/` folder on its path.
pub fn cluster_of(db: &SourceDb, file: FileId, settings: &Settings) -> Option<String> {
    let path = normalize(&db.get(file).real_path);
    if !settings.clusters.is_empty() {
        let root = normalize(&settings.root);
        let rel = path.strip_prefix(&root).unwrap_or(&path).to_string_lossy().replace('\\', "/");
        if let Some(name) = settings.cluster_for(&rel) {
            return Some(name.to_string());
        }
    }
    let comps: Vec<String> = path.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect();
    let i = comps.iter().rposition(|c| c == "clusters")?;
    // clusters/<name>/… : the name must be a folder, not the file itself.
    (i + 2 < comps.len()).then(|| comps[i + 1].clone())
}

/// The folder a path in an entry point is relative to: the nearest folder at or above the
/// declaring file (inside the checked tree) in which the path exists. Flux and Argo CD resolve
/// paths from the repository root, which drlint may not be checking from.
fn resolve_root(db: &SourceDb, file: FileId, rel: &str, top: &Path) -> Option<(PathBuf, PathBuf)> {
    let rel = rel.trim_start_matches("./");
    let file_path = normalize(&db.get(file).real_path);
    let top = normalize(top);
    let mut dir = file_path.parent()?.to_path_buf();
    loop {
        let candidate = normalize(&dir.join(rel));
        if candidate.starts_with(&top) && db.stat(&candidate) == crate::source::Stat::Dir {
            return Some((dir, candidate));
        }
        if dir == top || !dir.pop() || !dir.starts_with(&top) {
            return None;
        }
    }
}

/// A Flux Kustomization, an Argo CD Application or ApplicationSet: what the queue follows.
fn is_entry(node: &Node) -> bool {
    flux::is_flux_kustomization(node) || argo::is_application(node) || applicationset::is_applicationset(node)
}

fn label_with_cluster(label: &str, cluster: &Option<String>) -> String {
    match cluster {
        Some(c) => format!("{label} (cluster {c})"),
        None => label.to_string(),
    }
}

fn display_dir(dir: &Path) -> String {
    let s = crate::diag::display_path(&crate::diag::relative_to_cwd(dir));
    if s.is_empty() { ".".into() } else { s }
}

/// Whether a Flux Kustomization reads this repository (not another Git, OCI or bucket source).
fn flux_source_is_local(k: &Node, local_git: &BTreeSet<String>) -> bool {
    let Some(src) = k.at(&["spec", "sourceRef"]) else { return true };
    let kind = src.str_at(&["kind"]).unwrap_or("GitRepository");
    let name = src.str_at(&["name"]).unwrap_or("");
    kind == "GitRepository" && (name == "flux-system" || local_git.contains(name))
}

pub fn render_repo(ws: &mut Workspace, settings: &Settings) -> RepoRender {
    let top = common_root(&ws.roots);
    let mut written: Vec<Written> = Vec::new();
    let (files, db) = (&ws.files, &mut ws.db);
    for f in files {
        if f.kind != FileKind::Manifest {
            continue;
        }
        for doc in &f.parsed.documents {
            if let Some(root) = doc.root.as_ref().filter(|r| crate::is_object(r)) {
                written.push(Written { file: f.id, doc_index: doc.index, node: root });
            }
        }
    }
    // Which GitRepository sources are this repository: `flux-system` (the bootstrap default), any
    // source not declared here (created by bootstrap), and any declared source that some Flux
    // Kustomization reads a path from that exists here. Upstream sources (a CRD repository, say)
    // point at paths this repository does not have.
    let declared_git: BTreeSet<String> = written
        .iter()
        .filter(|w| w.node.str_at(&["kind"]) == Some("GitRepository"))
        .filter_map(|w| w.node.str_at(&["metadata", "name"]).map(str::to_string))
        .collect();
    let mut local_git: BTreeSet<String> = BTreeSet::new();
    // The folders entry-point paths resolve from: the repository roots.
    let mut repo_roots: BTreeSet<PathBuf> = BTreeSet::new();
    for w in written.iter().filter(|w| flux::is_flux_kustomization(&w.node)) {
        let name = w.node.at(&["spec", "sourceRef", "name"]).and_then(|n| n.as_text()).unwrap_or("flux-system").to_string();
        let path = w.node.str_at(&["spec", "path"]).unwrap_or("./");
        let resolved = resolve_root(db, w.file, path, &top);
        if let Some((root, _)) = &resolved {
            repo_roots.insert(root.clone());
        }
        if name == "flux-system" || !declared_git.contains(&name) || resolved.is_some() {
            local_git.insert(name);
        }
    }
    for w in written.iter().filter(|w| argo::is_application(&w.node)) {
        for source in argo::sources(&w.node) {
            if let Some((root, _)) = source.str_at(&["path"]).and_then(|p| resolve_root(db, w.file, p, &top)) {
                repo_roots.insert(root);
            }
        }
    }
    // A root nested in another root is the same repository.
    let nested: Vec<PathBuf> = repo_roots.iter().filter(|r| repo_roots.iter().any(|o| o != *r && r.starts_with(o))).cloned().collect();
    for n in nested {
        repo_roots.remove(&n);
    }

    let mut r = Renderer { db, settings, top: top.clone(), cache: Cache { renders: HashMap::new(), masks: HashMap::new() }, out: RepoRender::default(), consumed: BTreeSet::new(), read: BTreeSet::new(), written_nodes: HashMap::new(), written_named: HashMap::new(), origin: None, appsets: None, generated_by: None, helm: chart_render::Cache::default() };
    for (i, w) in written.iter().enumerate() {
        r.written_nodes.insert((w.file, w.doc_index), w.node);
        if let (Some(kind), Some(name)) = (w.node.str_at(&["kind"]), w.node.str_at(&["metadata", "name"])) {
            r.written_named.entry((kind, name)).or_default().push(i);
        }
    }

    // Entry points as written; the ones another entry point renders are reached from it instead.
    let entry_written: Vec<&Written> = written.iter().filter(|w| is_entry(&w.node)).collect();
    let mut rendered_by_other: BTreeSet<(FileId, usize)> = BTreeSet::new();
    // Files some entry point's render reads, and which entry points each one renders: to tell an
    // entry point applied by hand or by bootstrap from one left out of a rendered folder.
    let mut entry_read: BTreeSet<FileId> = BTreeSet::new();
    let mut renders_entries: HashMap<(FileId, usize), Vec<(FileId, usize)>> = HashMap::new();
    let mut reads_of: HashMap<(FileId, usize), BTreeSet<FileId>> = HashMap::new();
    // Whether some entry point leads to a folder of the checked tree: entry points that all point
    // elsewhere (another repository, a chart, an example path) say nothing about what is deployed.
    // Tracked per repository root (see `entries_for` below).
    let root_of = |path: &Path| -> Option<PathBuf> {
        let path = normalize(path);
        repo_roots.iter().filter(|root| path.starts_with(root)).max_by_key(|root| root.components().count()).cloned()
    };
    let mut followable: BTreeSet<Option<PathBuf>> = BTreeSet::new();
    let builds: Vec<Build> = entry_written.iter().flat_map(|w| r.entry_builds(&w.node, w.file, &local_git)).collect();
    r.cache.prerender(r.db, builds);
    for w in &entry_written {
        let repo = root_of(&r.db.get(w.file).real_path);
        if argo::is_application(&w.node) && argo::sources(&w.node).iter().filter_map(|s| s.str_at(&["path"])).any(|p| resolve_root(r.db, w.file, p, &top).is_some()) {
            followable.insert(repo.clone());
        }
        if let Some(rendered) = r.render_entry(&w.node, w.file, &local_git) {
            followable.insert(repo);
            // The top kustomization file builds the overlay and is not among the files read.
            let mut files: BTreeSet<FileId> = rendered.files.iter().copied().collect();
            let paths: Vec<&str> = match flux::is_flux_kustomization(&w.node) {
                true => vec![w.node.str_at(&["spec", "path"]).unwrap_or("./")],
                false => argo::sources(&w.node).iter().filter_map(|s| s.str_at(&["path"])).collect(),
            };
            for p in paths {
                let kfile = resolve_root(r.db, w.file, p, &top).and_then(|(_, dir)| flux::kustomization_file(&dir));
                files.extend(kfile.and_then(|k| r.db.lookup(&k)));
            }
            entry_read.extend(files.iter().copied());
            reads_of.insert((w.file, w.doc_index), files);
            for o in &rendered.objects {
                let me = (o.file, o.doc_index) == (w.file, w.doc_index);
                if !me && is_entry(&o.node) {
                    rendered_by_other.insert((o.file, o.doc_index));
                    renders_entries.entry((w.file, w.doc_index)).or_default().push((o.file, o.doc_index));
                }
            }
        }
    }
    // An entry point another one renders is recorded as that one renders it (with its substitutions,
    // namespace and patches), seldom as written: its written render, which told what it reaches, is
    // not kept for the rest of the run (on webgrip such renders held as many nodes as every parsed
    // file). One that is recorded as written after all is built again.
    for w in entry_written.iter().filter(|w| rendered_by_other.contains(&(w.file, w.doc_index))) {
        for b in r.entry_builds(&w.node, w.file, &local_git) {
            r.cache.forget(&b.dir, b.kus.as_ref());
        }
    }
    // With entry points that lead into the tree, only what they reach is deployed (unless
    // `lint-undeployed`). A check of several repositories (a folder of checkouts) asks this of each
    // one: a checkout without entry points is judged as if checked alone, whatever its neighbours
    // have. One repository asks it of the whole tree.
    for w in written.iter().filter(|w| deployed::is_applicationset(w.node)) {
        followable.insert(root_of(&r.db.get(w.file).real_path));
    }
    let several = repo_roots.iter().filter(|p| **p != normalize(&top)).count() >= 2;
    let anywhere = !followable.is_empty();
    let entries_for = |path: &Path| -> bool {
        !settings.lint_undeployed && if several { followable.contains(&root_of(path)) } else { anywhere }
    };
    let file_has_entries = |db: &SourceDb, f: FileId| entries_for(&db.get(f).real_path);
    // An entry point that nothing renders but that sits below a kustomization another entry point
    // renders, which leaves it out (its line commented out, say), is not applied: neither is
    // anything only it renders. Kustomizations rendered only from the entry point itself (a root
    // Application beside the folder its own app renders) do not count: that is the root that
    // bootstrap applies.
    let reach = |from: (FileId, usize)| {
        let mut seen: BTreeSet<(FileId, usize)> = BTreeSet::new();
        let mut stack = vec![from];
        while let Some(e) = stack.pop() {
            if seen.insert(e) {
                stack.extend(renders_entries.get(&e).into_iter().flatten().copied());
            }
        }
        seen
    };
    let mut orphans: BTreeSet<(FileId, usize)> = BTreeSet::new();
    for w in entry_written.iter().filter(|w| file_has_entries(r.db, w.file)) {
        let id = (w.file, w.doc_index);
        if rendered_by_other.contains(&id) {
            continue;
        }
        let above = deployed::left_out_by(r.db, w.file, &entry_read, &top);
        if above.is_empty() {
            continue;
        }
        let own = reach(id);
        if reads_of.iter().any(|(e, files)| !own.contains(e) && above.iter().any(|k| files.contains(k))) {
            orphans.insert(id);
        }
    }
    let orphan_reach: BTreeSet<(FileId, usize)> = orphans.iter().flat_map(|o| reach(*o)).collect();
    // Each queued entry point carries the file of the top-level entry point that reached it (its
    // origin): postBuild sources are looked up nearest to it.
    let mut queue: VecDeque<(Node, FileId, usize, Option<String>, bool, FileId)> = entry_written
        .iter()
        .filter(|w| !rendered_by_other.contains(&(w.file, w.doc_index)) && !orphans.contains(&(w.file, w.doc_index)))
        .map(|w| (w.node.clone(), w.file, w.doc_index, cluster_of(r.db, w.file, settings), true, w.file))
        .collect();
    let mut roots: BTreeSet<(FileId, usize)> = queue.iter().map(|q| (q.1, q.2)).collect();
    let mut visited: BTreeSet<(FileId, usize, Option<String>)> = BTreeSet::new();
    let mut reached: BTreeSet<(FileId, usize)> = BTreeSet::new();
    // The queue runs in waves (the entry points found so far, then those they render, ...): the
    // builds of each wave are made ahead on every core (see `Cache::prerender`).
    let (mut popped, mut ahead_until) = (0usize, 0usize);
    loop {
        while let Some((node, file, doc, cluster, top_level, origin)) = queue.pop_front() {
            if popped >= ahead_until {
                let mut builds = r.queued_builds(&node, file, &local_git);
                for q in &queue {
                    builds.extend(r.queued_builds(&q.0, q.1, &local_git));
                }
                r.cache.prerender(r.db, builds);
                ahead_until = popped + 1 + queue.len();
            }
            popped += 1;
            if !visited.insert((file, doc, cluster.clone())) {
                continue;
            }
            reached.insert((file, doc));
            r.origin = Some(origin);
            for (child, cfile, cdoc) in r.apply_entry(&node, file, &local_git, cluster.clone(), &written, top_level) {
                queue.push_back((child, cfile, cdoc, cluster.clone(), false, origin));
            }
        }
        // Entry points that only render each other (A renders B, B renders A) have no top; start
        // from the first one not reached yet, as written.
        match entry_written.iter().find(|w| !reached.contains(&(w.file, w.doc_index)) && !orphan_reach.contains(&(w.file, w.doc_index))) {
            Some(w) => {
                roots.insert((w.file, w.doc_index));
                queue.push_back((w.node.clone(), w.file, w.doc_index, cluster_of(r.db, w.file, settings), true, w.file))
            }
            None => break,
        }
    }
    // Entry points left out, and those only they render: listed, with why, for `drlint entrypoints`.
    for w in entry_written.iter().filter(|w| !reached.contains(&(w.file, w.doc_index))) {
        let label = match flux::is_flux_kustomization(&w.node) {
            true => format!("Flux Kustomization {}", flux::display(&w.node, None)),
            false => format!("Argo CD {} {}", w.node.str_at(&["kind"]).unwrap_or("Application"), flux::display(&w.node, None)),
        };
        let why = match orphans.contains(&(w.file, w.doc_index)) {
            true => "not deployed: a kustomization that another entry point renders leaves it out (see gitops-not-deployed)",
            false => "not deployed: only entry points that are not deployed render it",
        };
        let declared_at = w.node.at(&["metadata", "name"]).map(|n| n.span).unwrap_or(w.node.span);
        r.out.entrypoints.push(EntryPoint { label, declared_at, cluster: cluster_of(r.db, w.file, settings), dirs: Vec::new(), objects: 0, problems: vec![why.into()] });
    }

    // ApplicationSets that no rendered Application came from: what they deploy is unknown.
    let mut unknown: Vec<PathBuf> = Vec::new();
    for w in written.iter().filter(|w| deployed::is_applicationset(w.node) && file_has_entries(r.db, w.file)) {
        // Applications generated from the set are labelled `… from ApplicationSet <ns/name>`.
        let from = format!("from ApplicationSet {}", applicationset::display(&w.node));
        if r.out.entrypoints.iter().any(|ep| ep.label.contains(&from)) {
            continue;
        }
        for folder in deployed::appset_folders(&w.node) {
            // The repository's root: in a check of several repositories, the one holding the
            // ApplicationSet, not the folder above them all.
            let own_root = || root_of(&r.db.get(w.file).real_path).unwrap_or_else(|| normalize(&top));
            let dir = if folder.trim_start_matches("./").is_empty() { Some(own_root()) } else { resolve_root(r.db, w.file, &folder, &top).map(|(_, d)| d) };
            unknown.extend(dir);
        }
    }
    let under_unknown = |db: &SourceDb, f: FileId| {
        let p = normalize(&db.get(f).real_path);
        unknown.iter().any(|u| p.starts_with(u))
    };

    // Kustomization folders that no entry point rendered: rendered on their own when nothing says
    // what is deployed (a tool drlint cannot see may apply them). With entry points, only those
    // that hold a root entry point are deployed: the folder bootstrap applies by hand.
    let root_files: BTreeSet<FileId> = roots.iter().map(|(f, _)| *f).collect();
    let mut candidates: Vec<PathBuf> = ws_kustomization_dirs(r.db, files)
        .into_iter()
        .filter(|(dir, kfile)| !r.consumed.contains(kfile) && !is_component(r.db, *kfile) && dir.starts_with(normalize(&top)))
        .map(|(dir, _)| dir)
        .collect();
    candidates.sort();
    let mut standalone: Vec<(PathBuf, std::rc::Rc<Rendered>)> = Vec::new();
    let opts = RenderOptions { load_restrictor: LoadRestrictor::RootOnly, repo_root: normalize(&top) };
    r.cache.prerender(r.db, candidates.iter().map(|dir| Build { dir: dir.clone(), kus: None, opts: opts.clone() }).collect());
    for dir in &candidates {
        let rendered = r.cache.take(r.db, dir, None, &opts);
        standalone.push((dir.clone(), rendered));
    }
    standalone.retain(|(dir, rendered)| !entries_for(dir) || rendered.files.iter().any(|f| root_files.contains(f)) || unknown.iter().any(|u| dir.starts_with(u)));
    // A folder that another (successful) standalone render reads is a base, not a root.
    let mut read_by_other: BTreeSet<FileId> = BTreeSet::new();
    for (dir, rendered) in standalone.iter().filter(|(_, r)| r.ok) {
        let own = flux::kustomization_file(dir).and_then(|f| r.db.lookup(&f));
        for f in &rendered.files {
            if Some(*f) != own {
                read_by_other.insert(*f);
            }
        }
    }
    for (dir, rendered) in standalone {
        let own = flux::kustomization_file(&dir).and_then(|f| r.db.lookup(&f));
        if own.is_some_and(|f| read_by_other.contains(&f)) {
            continue;
        }
        let label = format!("kustomization {}", display_dir(&dir));
        let cluster = own.and_then(|f| cluster_of(r.db, f, settings));
        r.out.unrendered_dirs.push(display_dir(&dir));
        let declared_at = own.map(|f| Span::new(f, 0, 0)).unwrap_or_default();
        r.take(rendered, &label, cluster, None, None, declared_at, vec![display_dir(&dir)]);
    }

    // Files no render read: objects as written. With entry points, deployed only when an entry
    // point applied by hand or bootstrap, or read by a render that failed (the controller tries to
    // apply it and fails: its objects are still meant to run); without, unless a kustomization
    // beside it leaves it out or it belongs to a Component nothing uses.
    let mut undeployed_files: BTreeSet<FileId> = BTreeSet::new();
    for w in written {
        if r.consumed.contains(&w.file) {
            continue;
        }
        let mut res = Resource::new(w.node.clone(), w.file, w.doc_index);
        res.cluster = cluster_of(r.db, w.file, settings);
        res.unlisted = unlisted(r.db, &r.consumed, w.file);
        res.deployed = if settings.lint_undeployed {
            true
        } else if file_has_entries(r.db, w.file) {
            roots.contains(&(w.file, w.doc_index)) || r.read.contains(&w.file) || under_unknown(r.db, w.file)
        } else {
            !res.unlisted && !deployed::in_unused_component(r.db, &r.consumed, w.file)
        };
        if !res.deployed {
            undeployed_files.insert(w.file);
        }
        r.out.resources.push(res);
    }
    // Kustomization files nothing read: their folders are not deployed either.
    for f in files.iter().filter(|f| f.kind == FileKind::Kustomization && file_has_entries(r.db, f.id)) {
        if !r.consumed.contains(&f.id) && !r.read.contains(&f.id) && !under_unknown(r.db, f.id) {
            undeployed_files.insert(f.id);
        }
    }
    // Charts that Flux HelmReleases install from this repository: their objects, deployed (or
    // not) as the HelmRelease is.
    let releases = helm_release::render_all(r.db, &mut r.helm, &r.out.resources, &top, &settings.helm.chart_dirs);
    r.out.diagnostics.extend(releases.added.diagnostics);
    r.out.entrypoints.extend(releases.entrypoints);
    r.out.releases.extend(releases.releases);
    r.out.resources.extend(releases.added.resources);
    let mut live: BTreeSet<FileId> = r.consumed.union(&r.read).copied().collect();
    live.extend(r.out.resources.iter().filter(|res| res.deployed).map(|res| res.file));
    let notes = deployed::notes(r.db, &top, &undeployed_files, &live, &entries_for);
    r.out.diagnostics.extend(notes);

    // Several repositories in one check (a folder of checkouts): scope every object to its own.
    let repos: Vec<PathBuf> = repo_roots.into_iter().filter(|p| *p != normalize(&top)).collect();
    r.out.repos = repos.iter().map(|root| (root.clone(), root.strip_prefix(normalize(&top)).unwrap_or(root).to_string_lossy().replace('\\', "/"))).collect();
    if !repos.is_empty() {
        let mut resources = std::mem::take(&mut r.out.resources);
        for res in &mut resources {
            let Some(name) = r.out.repo_of(&r.db.get(res.file).real_path) else { continue };
            res.cluster = Some(match &res.cluster {
                Some(c) => format!("{name}/{c}"),
                None => name.clone(),
            });
            res.repo = Some(name);
        }
        r.out.resources = resources;
    }
    r.out
}

/// Whether a file no render read sits beside a kustomization that a render read and that does not
/// name it: the folder is applied, the file is not (`template.yaml`, a PVC left out of `resources`).
fn unlisted(db: &SourceDb, consumed: &BTreeSet<FileId>, file: FileId) -> bool {
    let path = normalize(&db.get(file).real_path);
    let (Some(dir), Some(name)) = (path.parent(), path.file_name().map(|n| n.to_string_lossy().into_owned())) else { return false };
    let Some(kpath) = flux::kustomization_file(dir) else { return false };
    let Some(kfile) = db.lookup(&kpath) else { return false };
    // The file's name anywhere outside comments counts as listed (resources, components, patches).
    let named = db.get(kfile).text().lines().map(|l| l.split(" #").next().unwrap_or("")).filter(|l| !l.trim_start().starts_with('#')).any(|l| l.contains(name.as_str()));
    kfile != file && consumed.contains(&kfile) && !named
}

/// The deepest folder holding every checked path: entry points may reference files anywhere in it.
fn common_root(roots: &[PathBuf]) -> PathBuf {
    let dirs: Vec<PathBuf> = roots
        .iter()
        .map(|r| normalize(r))
        .map(|r| if r.is_file() { r.parent().map(Path::to_path_buf).unwrap_or(r) } else { r })
        .collect();
    let Some(first) = dirs.first() else { return normalize(Path::new(".")) };
    let mut common = first.clone();
    for d in &dirs[1..] {
        while !d.starts_with(&common) {
            if !common.pop() {
                break;
            }
        }
    }
    common
}

fn ws_kustomization_dirs(db: &SourceDb, files: &[crate::discover::LoadedFile]) -> Vec<(PathBuf, FileId)> {
    files
        .iter()
        .filter(|f| f.kind == FileKind::Kustomization)
        .filter_map(|f| {
            let p = normalize(&db.get(f.id).real_path);
            Some((p.parent()?.to_path_buf(), f.id))
        })
        .collect()
}

fn is_component(db: &mut SourceDb, kfile: FileId) -> bool {
    let parsed = db.parsed(kfile);
    parsed.documents.first().and_then(|d| d.root.as_ref()).and_then(|r| r.str_at(&["kind"])) == Some("Component")
}

struct Renderer<'a> {
    db: &'a mut SourceDb,
    settings: &'a Settings,
    top: PathBuf,
    cache: Cache,
    out: RepoRender,
    consumed: BTreeSet<FileId>,
    /// Files any entry point's render read, whether or not the build succeeded.
    read: BTreeSet<FileId>,
    written_nodes: HashMap<(FileId, usize), &'a Node>,
    /// Positions in `written` by (kind, name): postBuild sources are looked up, not scanned for.
    written_named: HashMap<(&'a str, &'a str), Vec<usize>>,
    /// The file of the top-level entry point being followed (see the queue in `render_repo`).
    origin: Option<FileId>,
    /// What ApplicationSet expansion knows of the repository, built at the first one.
    appsets: Option<applicationset::Context>,
    /// The ApplicationSet whose generated Application `apply_argo` is rendering.
    generated_by: Option<String>,
    /// Helm charts rendered so far (see `chart_render`).
    helm: chart_render::Cache,
}

impl Renderer<'_> {
    /// The kustomize builds rendering an entry point takes (none for a source elsewhere).
    fn entry_builds(&mut self, node: &Node, file: FileId, local_git: &BTreeSet<String>) -> Vec<Build> {
        if flux::is_flux_kustomization(node) {
            if !flux_source_is_local(node, local_git) {
                return Vec::new();
            }
            let path = node.str_at(&["spec", "path"]).unwrap_or("./");
            let Some((root, dir)) = resolve_root(self.db, file, path, &self.top) else { return Vec::new() };
            let kus = flux::overlay(self.db, &dir, node);
            let opts = RenderOptions { load_restrictor: LoadRestrictor::None, repo_root: root };
            return vec![Build { dir, kus: Some(kus), opts }];
        }
        let mut builds = Vec::new();
        for source in argo::sources(node) {
            let Some(path) = source.str_at(&["path"]) else { continue };
            let Some((root, dir)) = resolve_root(self.db, file, path, &self.top) else { continue };
            if argo::source_type(&dir, source) != Ok(argo::SourceType::Kustomize) {
                continue;
            }
            if let Some(kfile) = flux::kustomization_file(&dir) {
                let Ok((_, parsed)) = self.db.load_yaml(&kfile) else { continue };
                let Some(kus) = parsed.documents.first().and_then(|d| d.root.clone()) else { continue };
                let kus = argo::overlay(kus, source);
                let opts = RenderOptions { load_restrictor: LoadRestrictor::RootOnly, repo_root: root };
                builds.push(Build { dir, kus: Some(kus), opts });
            }
        }
        builds
    }

    /// Render an entry point without recording anything (used to find which entry points are
    /// rendered by others).
    fn render_entry(&mut self, node: &Node, file: FileId, local_git: &BTreeSet<String>) -> Option<std::rc::Rc<Rendered>> {
        let mut last = None;
        for b in self.entry_builds(node, file, local_git) {
            last = Some(self.cache.render(self.db, &b.dir, b.kus.as_ref(), &b.opts));
        }
        last
    }

    /// The kustomize builds `apply_entry` takes for an entry point (to build them ahead).
    fn queued_builds(&mut self, node: &Node, file: FileId, local_git: &BTreeSet<String>) -> Vec<Build> {
        if flux::is_flux_kustomization(node) {
            self.entry_builds(node, file, local_git)
        } else if applicationset::is_applicationset(node) {
            // Its Applications are generated, and built ahead, when it is applied.
            Vec::new()
        } else {
            self.argo_builds(node, file)
        }
    }

    /// The kustomize builds `apply_argo` takes for an Application (to build them ahead).
    fn argo_builds(&mut self, app: &Node, file: FileId) -> Vec<Build> {
        let name = app.str_at(&["metadata", "name"]).unwrap_or("?");
        let mut builds = Vec::new();
        for source in argo::sources(app).into_iter().filter(|s| s.get("chart").is_none()) {
            let Some(path) = source.str_at(&["path"]) else { continue };
            let Some((root, dir)) = resolve_root(self.db, file, path, &self.top) else { continue };
            let merged = argo::with_overrides(self.db, &dir, source, name);
            if !matches!(argo::source_type(&dir, &merged), Ok(argo::SourceType::Kustomize | argo::SourceType::Plugin)) {
                continue;
            }
            let Some(kfile) = flux::kustomization_file(&dir) else { continue };
            let Ok((_, parsed)) = self.db.load_yaml(&kfile) else { continue };
            let Some(kus) = parsed.documents.first().and_then(|d| d.root.clone()) else { continue };
            let kus = argo::overlay(kus, &merged);
            builds.push(Build { dir, kus: Some(kus), opts: RenderOptions { load_restrictor: LoadRestrictor::RootOnly, repo_root: root } });
        }
        builds
    }

    /// Render an entry point for a cluster, record its objects, and return the entry points it
    /// renders (to follow).
    fn apply_entry(&mut self, node: &Node, file: FileId, local_git: &BTreeSet<String>, cluster: Option<String>, written: &[Written], top_level: bool) -> Vec<(Node, FileId, usize)> {
        if flux::is_flux_kustomization(node) {
            self.apply_flux(node, file, local_git, cluster, written, top_level)
        } else if applicationset::is_applicationset(node) {
            self.apply_appset(node, file, cluster)
        } else {
            self.apply_argo(node, file, cluster)
        }
    }

    fn note(&mut self, rule: &'static str, severity: Severity, span: Span, message: String) {
        self.out.diagnostics.push(Diagnostic::new(rule, severity, span, message));
    }

    /// `top_level`: no other entry point renders this one. Whether it is applied at all is then
    /// unknown (bootstrap, or a template in the docs), so a missing path is a note, not an error.
    fn apply_flux(&mut self, k: &Node, file: FileId, local_git: &BTreeSet<String>, cluster: Option<String>, written: &[Written], top_level: bool) -> Vec<(Node, FileId, usize)> {
        let ns_default = k.str_at(&["metadata", "namespace"]).map(str::to_string);
        let label = label_with_cluster(&format!("Flux Kustomization {}", flux::display(k, ns_default.as_deref())), &cluster);
        let declared_at = k.at(&["metadata", "name"]).map(|n| n.span).unwrap_or(k.span);
        let mut ep = EntryPoint { label: label.clone(), declared_at, cluster: cluster.clone(), dirs: Vec::new(), objects: 0, problems: Vec::new() };
        if !flux_source_is_local(k, local_git) {
            let src = k.at(&["spec", "sourceRef"]).unwrap();
            let what = format!("{} {}", src.str_at(&["kind"]).unwrap_or("GitRepository"), src.str_at(&["name"]).unwrap_or("?"));
            let msg = format!("{label} reads {what}, another source than this repository; not rendered");
            ep.problems.push(format!("source {what} is not this repository"));
            self.note(entrypoint_not_rendered::META.id, entrypoint_not_rendered::META.severity, src.span, msg);
            self.out.entrypoints.push(ep);
            return Vec::new();
        }
        let path_node = k.at(&["spec", "path"]);
        let path = path_node.and_then(|n| n.as_text()).unwrap_or("./");
        if substitute::has_expression(path) {
            ep.problems.push(format!("spec.path `{path}` holds a variable"));
        }
        let Some((root, dir)) = resolve_root(self.db, file, path, &self.top) else {
            let span = path_node.map(|n| n.span).unwrap_or(declared_at);
            ep.problems.push(format!("spec.path `{path}` does not exist in the checked tree"));
            if top_level {
                self.note(entrypoint_not_rendered::META.id, entrypoint_not_rendered::META.severity, span, format!("{label}: spec.path `{path}` is not a folder in this repository; no other entry point applies this Kustomization, so it is not rendered"));
            } else {
                self.note(gitops_path_missing::META.id, gitops_path_missing::META.severity, span, format!("{label}: spec.path `{path}` is not a folder in this repository, so Flux fails to build it"));
            }
            self.out.entrypoints.push(ep);
            return Vec::new();
        };
        ep.dirs.push(display_dir(&dir));
        let kus = flux::overlay(self.db, &dir, k);
        let opts = RenderOptions { load_restrictor: LoadRestrictor::None, repo_root: root };
        let rendered = self.cache.take(self.db, &dir, Some(&kus), &opts);
        let vars = self.flux_vars(k, file, cluster.as_deref(), written, ns_default.as_deref());
        let target_ns = k.str_at(&["spec", "targetNamespace"]).map(str::to_string);
        ep.objects = rendered.objects.len();
        if !rendered.ok {
            ep.problems.push("the build failed (see kustomize-build-failed)".into());
        }
        // The kustomization file was read to build the overlay, not by the renderer.
        if let Some(f) = flux::kustomization_file(&dir).and_then(|f| self.db.lookup(&f)) {
            self.read.insert(f);
        }
        if rendered.ok {
            if let Some(f) = flux::kustomization_file(&dir).and_then(|f| self.db.lookup(&f)) {
                self.consumed.insert(f);
            }
        }
        let mut ep = ep;
        ep.dirs.extend(self.dirs_of(&rendered));
        let children = self.take(rendered, &label, cluster, Some((k, vars)), target_ns, declared_at, Vec::new());
        ep.dirs.sort();
        ep.dirs.dedup();
        self.out.entrypoints.push(ep);
        children
    }

    /// Folders whose kustomization files a render read.
    fn dirs_of(&self, rendered: &Rendered) -> Vec<String> {
        rendered
            .files
            .iter()
            .filter_map(|f| {
                let p = &self.db.get(*f).real_path;
                let name = p.file_name()?.to_str()?;
                let parent = p.parent()?;
                crate::discover::is_kustomization_name(name).then(|| display_dir(&normalize(parent)))
            })
            .collect()
    }

    /// postBuild variables: substituteFrom ConfigMaps and Secrets found in the repository (in the
    /// Kustomization's namespace when the object names one), then inline `substitute`, which wins.
    /// `None` when the Kustomization has no postBuild at all. Values that cannot be read (SOPS, or
    /// a Secret an operator makes) are left out, so the variables they define stay unresolved.
    ///
    /// A repository that deploys several sites often holds one `cluster-configuration` ConfigMap per
    /// site, all in `flux-system`: the one in the same cluster wins, then the one whose path is
    /// nearest to the entry point that started this chain of Kustomizations (else to `file`).
    fn flux_vars(&mut self, k: &Node, file: FileId, cluster: Option<&str>, written: &[Written], namespace: Option<&str>) -> Option<(substitute::Vars, Vec<String>)> {
        let post = k.at(&["spec", "postBuild"])?;
        let mut vars = substitute::Vars::new();
        let mut missing = Vec::new();
        let near = normalize(&self.db.get(self.origin.unwrap_or(file)).real_path);
        for src in post.get("substituteFrom").into_iter().flat_map(|s| s.items()) {
            let kind = src.str_at(&["kind"]).unwrap_or("");
            let name = src.str_at(&["name"]).unwrap_or("");
            let optional = src.get("optional").and_then(Node::as_bool).unwrap_or(false);
            let named = self.written_named.get(&(kind, name)).map(Vec::as_slice).unwrap_or_default();
            let candidates = named.iter().map(|&i| &written[i]).filter(|w| {
                match (w.node.str_at(&["metadata", "namespace"]), namespace) {
                        (Some(a), Some(b)) => a == b,
                        _ => true,
                    }
            });
            let found = candidates.max_by_key(|w| {
                let same_cluster = cluster_of(self.db, w.file, self.settings).as_deref() == cluster;
                let path = normalize(&self.db.get(w.file).real_path);
                let shared = path.components().zip(near.components()).take_while(|(a, b)| a == b).count();
                // Ties: the first one written (max_by_key keeps the last maximum).
                (same_cluster, shared, std::cmp::Reverse((w.file, w.doc_index)))
            });
            match found {
                Some(w) => {
                    let sops = w.node.get("sops").is_some();
                    if kind == "ConfigMap" || !sops {
                        for (key, value) in config_values(&w.node, kind) {
                            vars.insert(key, value.replace('\n', ""));
                        }
                    } else {
                        missing.push(format!("{kind}/{name} is SOPS-encrypted"));
                    }
                }
                // An optional source that an operator makes still explains unresolved variables.
                None if optional => {
                    if let Some(maker) = secret_maker(written, kind, name, namespace) {
                        missing.push(format!("{kind}/{name} is made by {maker}, its values are not in the repository"));
                    }
                }
                None => match secret_maker(written, kind, name, namespace) {
                    Some(maker) => missing.push(format!("{kind}/{name} is made by {maker}, its values are not in the repository")),
                    None => missing.push(format!("{kind}/{name} is not in the repository")),
                },
            }
        }
        for (key, _, v) in post.get("substitute").into_iter().flat_map(|s| s.entries()) {
            if let Some(text) = v.as_str() {
                vars.insert(key.to_string(), text.replace('\n', ""));
            }
        }
        Some((vars, missing))
    }

    /// A Helm source of Application `app` whose chart is `dir` (a folder, or an archive found on
    /// disk): its release rendered, its objects added; the entry points among them are returned.
    #[allow(clippy::too_many_arguments)]
    fn helm_source(&mut self, app: &Node, source: &Node, dir: &Path, root: &Path, label: &str, cluster: &Option<String>, at: Span, ep: &mut EntryPoint) -> Vec<(Node, FileId, usize)> {
        let mut children = Vec::new();
        let deploy = argo_helm::release(self.db, app, source, dir, root, label, cluster.clone(), at);
                for (span, why) in deploy.notes {
                    self.note(helm_render_incomplete::META.id, helm_render_incomplete::META.severity, span, why);
                }
                let mut added = chart_render::render(self.db, &mut self.helm, &deploy.release);
        let r = &deploy.release;
        self.out.releases.push(ChartRelease { label: r.label.clone(), chart_dir: r.chart_dir.clone(), options: r.options.clone(), deployed: deploy.values_unknown.is_none() });
                ep.objects += added.resources.len();
                if deploy.values_unknown.is_some() {
                    // Values made of generator parameters drlint does not know (the generator's
                    // note says so): what the chart renders from its defaults is not what the
                    // cluster runs. Its objects are checked by file-level rules only, and its
                    // template notes are moot.
                    ep.problems.push(format!("the Helm values of `{}` hold ApplicationSet parameters drlint cannot know; the chart's objects are checked by file-level rules only", display_dir(dir)));
                    added.diagnostics.clear();
                    for res in &mut added.resources {
                        res.deployed = false;
                    }
                }
                self.out.diagnostics.extend(added.diagnostics);
                for res in added.resources {
                    if res.deployed && is_entry(&res.node) {
                        children.push((res.node.clone(), res.file, res.doc_index));
                    }
                    self.out.resources.push(res);
                }
        children
    }

    fn apply_argo(&mut self, app: &Node, file: FileId, cluster: Option<String>) -> Vec<(Node, FileId, usize)> {
        let ns = app.str_at(&["metadata", "namespace"]);
        let name = app.str_at(&["metadata", "name"]).unwrap_or("?");
        let from = self.generated_by.as_ref().map(|s| format!(" from ApplicationSet {s}")).unwrap_or_default();
        let label = label_with_cluster(&format!("Argo CD Application {}{name}{from}", ns.map(|n| format!("{n}/")).unwrap_or_default()), &cluster);
        let declared_at = app.at(&["metadata", "name"]).map(|n| n.span).unwrap_or(app.span);
        let mut ep = EntryPoint { label: label.clone(), declared_at, cluster: cluster.clone(), dirs: Vec::new(), objects: 0, problems: Vec::new() };
        let dest_ns = app.str_at(&["spec", "destination", "namespace"]).map(str::to_string);
        let mut children = Vec::new();
        let sources = argo::sources(app);
        if sources.is_empty() {
            ep.problems.push("no source".into());
        }
        for source in sources {
            if let Some(chart_node) = source.get("chart") {
                let chart = source.str_at(&["chart"]).unwrap_or("?");
                // A chart repository's chart found on disk (see `chart_cache`) renders as a chart
                // folder of this repository would.
                let beside = normalize(&self.db.get(file).real_path).parent().map(|d| d.join("charts"));
                let dirs: Vec<PathBuf> = self.settings.helm.chart_dirs.iter().cloned().chain(beside).collect();
                if let Some(found) = chart_cache::find(chart, source.str_at(&["targetRevision"]), &dirs) {
                    ep.dirs.push(display_dir(&found));
                    let top = normalize(&self.top);
                    children.extend(self.helm_source(app, source, &found, &top, &label, &cluster, chart_node.span, &mut ep));
                    continue;
                }
                ep.problems.push(format!("Helm chart `{chart}` is not rendered"));
                self.note(entrypoint_not_rendered::META.id, entrypoint_not_rendered::META.severity, source.span, format!("{label}: Helm chart `{chart}` from {} is not rendered: not on disk (`helm.chart-dirs`, `charts/` beside the Application), never fetched", source.str_at(&["repoURL"]).unwrap_or("a chart repository")));
                continue;
            }
            let Some(path_node) = source.get("path").filter(|n| n.as_text().is_some()) else {
                if source.get("ref").is_none() {
                    ep.problems.push("a source without a path".into());
                }
                continue;
            };
            let path = path_node.as_str().unwrap();
            let Some((root, dir)) = resolve_root(self.db, file, path, &self.top) else {
                ep.problems.push(format!("path `{path}` is not in the checked tree"));
                self.note(entrypoint_not_rendered::META.id, entrypoint_not_rendered::META.severity, path_node.span, format!("{label}: path `{path}` of {} is not in the checked tree; not rendered", source.str_at(&["repoURL"]).unwrap_or("its repository")));
                continue;
            };
            ep.dirs.push(display_dir(&dir));
            let merged = argo::with_overrides(self.db, &dir, source, name);
            let source = &merged;
            // The repo-server's choice: explicit fields, else the folder's files.
            let kind = argo::source_type(&dir, source);
            let not_rendered = match &kind {
                Err(e) => Some(format!("Argo CD cannot build `{path}`: {e}")),
                Ok(argo::SourceType::Helm) if !chart_render::is_chart(&dir) => Some(format!("`{path}` is built with Helm but has no Chart.yaml, so `helm template` fails")),
                Ok(argo::SourceType::Plugin) if flux::kustomization_file(&dir).is_none() => Some(format!("`{path}` is built by a config management plugin, which drlint does not run")),
                Ok(argo::SourceType::Kustomize) if flux::kustomization_file(&dir).is_none() => Some(format!("`{path}` has no kustomization file, so `kustomize build` fails")),
                _ => None,
            };
            if let Some(why) = not_rendered {
                ep.problems.push(why.clone());
                self.note(entrypoint_not_rendered::META.id, entrypoint_not_rendered::META.severity, path_node.span, format!("{label}: {why}"));
                continue;
            }
            if kind == Ok(argo::SourceType::Plugin) {
                // Plugins over a kustomization are nearly always a kustomize build with extra
                // flags (Helm, SOPS): render it as kustomize would, and say so.
                let plugin = source.str_at(&["plugin", "name"]).unwrap_or("unnamed");
                self.note(entrypoint_not_rendered::META.id, entrypoint_not_rendered::META.severity, path_node.span, format!("{label}: `{path}` is built by config management plugin `{plugin}`; drlint renders its kustomization as kustomize would"));
            }
            if kind == Ok(argo::SourceType::Helm) {
                children.extend(self.helm_source(app, source, &dir, &root, &label, &cluster, path_node.span, &mut ep));
                continue;
            }
            if matches!(kind, Ok(argo::SourceType::Kustomize | argo::SourceType::Plugin)) {
                let kfile = flux::kustomization_file(&dir).unwrap_or_default();
                let Ok((_, parsed)) = self.db.load_yaml(&kfile) else { continue };
                let Some(kus) = parsed.documents.first().and_then(|d| d.root.clone()) else { continue };
                let kus = argo::overlay(kus, source);
                let opts = RenderOptions { load_restrictor: LoadRestrictor::RootOnly, repo_root: root };
                let rendered = self.cache.take(self.db, &dir, Some(&kus), &opts);
                self.read.extend(self.db.lookup(&kfile));
                if rendered.ok {
                    if let Some(f) = self.db.lookup(&kfile) {
                        self.consumed.insert(f);
                    }
                }
                ep.objects += rendered.objects.len();
                ep.dirs.extend(self.dirs_of(&rendered));
                children.extend(self.take(rendered, &label, cluster.clone(), None, dest_ns.clone(), declared_at, Vec::new()));
            } else {
                for path in argo::directory_files(&dir, source) {
                    let Ok((fid, parsed)) = self.db.load_yaml(&path) else { continue };
                    self.consumed.insert(fid);
                    for doc in &parsed.documents {
                        let Some(root) = doc.root.as_ref().filter(|r| crate::is_object(r)) else { continue };
                        let mut res = Resource::new(root.clone(), fid, doc.index);
                        res.cluster = cluster.clone();
                        res.renders = vec![label.clone()];
                        res.default_namespace = dest_ns.clone();
                        ep.objects += 1;
                        if is_entry(root) {
                            children.push((root.clone(), fid, doc.index));
                        }
                        self.out.resources.push(res);
                    }
                }
            }
        }
        ep.dirs.sort();
        ep.dirs.dedup();
        self.out.entrypoints.push(ep);
        children
    }

    /// An ApplicationSet: the Applications it generates, each rendered like a written one (see
    /// `applicationset`); what cannot be expanded is one note per generator.
    fn apply_appset(&mut self, set: &Node, file: FileId, cluster: Option<String>) -> Vec<(Node, FileId, usize)> {
        if self.appsets.is_none() {
            let mut keys: Vec<&(FileId, usize)> = self.written_nodes.keys().collect();
            keys.sort();
            let mut sources = Vec::new();
            for k in &keys {
                let node = self.written_nodes[k];
                for source in argo::sources(node).into_iter().filter(|_| argo::is_application(node)) {
                    let (Some(url), Some(path)) = (source.str_at(&["repoURL"]), source.str_at(&["path"])) else { continue };
                    sources.push((url.to_string(), resolve_root(self.db, k.0, path, &self.top).is_some()));
                }
            }
            let objects = keys.iter().map(|k| self.written_nodes[k]);
            self.appsets = Some(applicationset::Context::new(&self.top, sources, objects));
        }
        let set_label = applicationset::display(set);
        let label = label_with_cluster(&format!("Argo CD ApplicationSet {set_label}"), &cluster);
        let declared_at = set.at(&["metadata", "name"]).map(|n| n.span).unwrap_or(set.span);
        let path = normalize(&self.db.get(file).real_path);
        let expansion = applicationset::expand(set, &path, self.appsets.as_mut().unwrap());
        let mut ep = EntryPoint { label: label.clone(), declared_at, cluster: cluster.clone(), dirs: Vec::new(), objects: 0, problems: Vec::new() };
        for (span, why) in expansion.notes {
            self.note(entrypoint_not_rendered::META.id, entrypoint_not_rendered::META.severity, span, format!("{label}: {why}"));
            ep.problems.push(why);
        }
        ep.objects = expansion.apps.len();
        self.out.entrypoints.push(ep);
        let mut children = Vec::new();
        let builds: Vec<Build> = expansion.apps.iter().flat_map(|(app, _)| self.argo_builds(app, file)).collect();
        self.cache.prerender(self.db, builds);
        for (app, destination) in expansion.apps {
            self.generated_by = Some(set_label.clone());
            let app_cluster = match (&cluster, destination) {
                (Some(c), Some(d)) => Some(format!("{c}/{d}")),
                (c, d) => d.or(c.clone()),
            };
            children.extend(self.apply_argo(&app, file, app_cluster));
            self.generated_by = None;
        }
        children
    }

    /// Record a render's objects and diagnostics; return the entry points among its objects.
    #[allow(clippy::too_many_arguments)]
    fn take(
        &mut self,
        rendered: std::rc::Rc<Rendered>,
        label: &str,
        cluster: Option<String>,
        flux: Option<(&Node, Option<(substitute::Vars, Vec<String>)>)>,
        default_namespace: Option<String>,
        declared_at: Span,
        dirs: Vec<String>,
    ) -> Vec<(Node, FileId, usize)> {
        self.out.diagnostics.extend(rendered.diagnostics.iter().cloned());
        self.read.extend(rendered.files.iter().copied());
        if rendered.ok {
            self.consumed.extend(rendered.files.iter().copied());
        }
        if !dirs.is_empty() {
            self.out.entrypoints.push(EntryPoint { label: label.to_string(), declared_at, cluster: cluster.clone(), dirs, objects: rendered.objects.len(), problems: if rendered.ok { Vec::new() } else { vec!["the build failed (see kustomize-build-failed)".into()] } });
        }
        let mut children = Vec::new();
        // Unshared (the usual case: see `Cache::take`), the objects move; shared, they are copied.
        let objects = std::rc::Rc::try_unwrap(rendered).map(|r| r.objects).unwrap_or_else(|shared| shared.objects.clone());
        for o in objects {
            let mut node = o.node;
            if let Some((k, vars)) = &flux {
                flux::apply_common_metadata(&mut node, k);
                if let Some((vars, missing)) = vars {
                    self.substitute(&mut node, vars, missing, label, k);
                }
            }
            if is_entry(&node) {
                children.push((node.clone(), o.file, o.doc_index));
            }
            let mut res = Resource::new(node, o.file, o.doc_index);
            res.cluster = cluster.clone();
            res.renders = vec![label.to_string()];
            res.default_namespace = default_namespace.clone();
            self.out.resources.push(res);
        }
        let _ = &self.written_nodes;
        let _ = self.settings;
        children
    }

    /// Flux postBuild substitution on one object (skipped when disabled by label or annotation,
    /// and when no variable is defined at all, as Flux does).
    fn substitute(&mut self, node: &mut Node, vars: &substitute::Vars, missing: &[String], label: &str, k: &Node) {
        let disabled = |field: &str| node.at(&["metadata", field]).and_then(|m| m.get(flux::SUBSTITUTE_ANNOTATION)).and_then(|v| v.as_text()) == Some("disabled");
        if disabled("labels") || disabled("annotations") {
            return;
        }
        if vars.is_empty() && missing.is_empty() {
            return;
        }
        let mut notes = Vec::new();
        let mut stack = vec![node];
        while let Some(n) = stack.pop() {
            match &mut n.value {
                Value::Scalar(text, style) => {
                    if !substitute::has_expression(text) {
                        continue;
                    }
                    if let Ok(outcome) = substitute::substitute(text, vars) {
                        for u in &outcome.unresolved {
                            notes.push((n.span, u.name.clone()));
                        }
                        // A value that is one `${VAR}` from the Kustomization's own `substitute`
                        // is written there: findings and fixes go to that line.
                        let inline = substitute::whole_variable(text).and_then(|name| k.at(&["spec", "postBuild", "substitute", name]));
                        if let Some(value) = inline.filter(|v| v.is_scalar() && outcome.unresolved.is_empty()) {
                            self.out.substituted.entry(value.span).or_default().insert(n.span);
                            n.span = value.span;
                        }
                        *text = outcome.text.into();
                        // Flux substitutes the object's YAML text (marshalled again, so the
                        // quotes written in Git are gone) and parses it again: a value that became
                        // `"250m"` (from `${CPU:="250m"}`) is the string 250m.
                        if let Some((value, new_style)) = substitute::reread_scalar(text) {
                            *text = value.into();
                            *style = new_style;
                        }
                    }
                }
                Value::Seq(items) => stack.extend(items.iter_mut()),
                Value::Map(entries) => {
                    for (k, v) in entries.iter_mut() {
                        stack.push(k);
                        stack.push(v);
                    }
                }
            }
        }
        for (span, name) in notes {
            let from = if missing.is_empty() { String::new() } else { format!(" ({})", missing.join("; ")) };
            self.note(
                flux_substitution_unresolved::META.id,
                flux_substitution_unresolved::META.severity,
                span,
                format!("`${{{name}}}` has no known value in the postBuild of {label}{from}; the text is checked as written"),
            );
        }
    }
}

/// The object that makes Secret `name` when it is not written as a Secret: an ExternalSecret or
/// ClusterExternalSecret (its target name, else its own), or a SealedSecret; `Kind name`.
fn secret_maker(written: &[Written], kind: &str, name: &str, namespace: Option<&str>) -> Option<String> {
    if kind != "Secret" {
        return None;
    }
    written.iter().find_map(|w| {
        let n = &w.node;
        let own = n.str_at(&["metadata", "name"])?;
        let (target, namespaced) = match n.str_at(&["kind"])? {
            "ExternalSecret" => (n.str_at(&["spec", "target", "name"]).filter(|s| !s.is_empty()).unwrap_or(own), true),
            "ClusterExternalSecret" => (
                n.str_at(&["spec", "externalSecretSpec", "target", "name"])
                    .or(n.str_at(&["spec", "externalSecretName"]))
                    .filter(|s| !s.is_empty())
                    .unwrap_or(own),
                false,
            ),
            "SealedSecret" => (n.str_at(&["spec", "template", "metadata", "name"]).unwrap_or(own), true),
            _ => return None,
        };
        let ns_ok = !namespaced || match (n.str_at(&["metadata", "namespace"]), namespace) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        };
        (target == name && ns_ok).then(|| format!("{} {own}", n.str_at(&["kind"]).unwrap_or("?")))
    })
}

/// `data` (ConfigMap) or `stringData` and base64-decoded `data` (Secret) as strings.
fn config_values(node: &Node, kind: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Some(d) = node.get("data") {
        for (k, _, v) in d.entries() {
            let Some(text) = v.as_str() else { continue };
            if kind == "Secret" {
                if let Some(decoded) = crate::util::base64_decode(text).and_then(|b| String::from_utf8(b).ok()) {
                    out.push((k.to_string(), decoded));
                }
            } else {
                out.push((k.to_string(), text.to_string()));
            }
        }
    }
    if kind == "Secret" {
        if let Some(d) = node.get("stringData") {
            for (k, _, v) in d.entries() {
                if let Some(text) = v.as_str() {
                    out.push((k.to_string(), text.to_string()));
                }
            }
        }
    }
    out
}
