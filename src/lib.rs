//! drlint: static checks that a GitOps repository's backups can be restored.
//!
//! The pipeline, one module per stage: `discover` (walk and parse) -> `model` (objects and the
//! index) -> `rules` (via `engine`) -> `diag` (renderers). `lint` runs it for the CLI and tests.

pub mod alloc;
pub mod cli;
pub mod cron;
pub mod diag;
pub mod discover;
pub mod docs;
pub mod engine;
pub mod fix;
pub mod gitops;
pub mod helm;
pub mod kustomize;
pub mod model;
pub mod providers;
pub mod rules;
pub mod schema;
pub mod scope;
pub mod settings;
pub mod source;
pub mod suppress;
pub mod timings;
pub mod util;
pub mod baseline;

use diag::Diagnostic;
use model::Index;
use settings::Settings;
use source::SourceDb;
use std::path::PathBuf;

/// The result of one lint run.
pub struct Report {
    pub db: SourceDb,
    pub diagnostics: Vec<Diagnostic>,
    pub suppressed: usize,
    /// Findings hidden by `--baseline`.
    pub baselined: usize,
    pub files: usize,
    pub objects: usize,
    pub entrypoints: Vec<gitops::EntryPoint>,
    /// Kustomization folders no entry point renders (rendered and linted on their own).
    pub unrendered_dirs: Vec<String>,
    /// Flux postBuild.substitute values and the `${VAR}` places they fill (see `gitops`).
    pub substituted: std::collections::BTreeMap<source::Span, std::collections::BTreeSet<source::Span>>,
    /// The config's policies (rules of the user's), for renderers that list the rules (SARIF).
    pub policies: Vec<&'static rules::RuleMeta>,
}

/// Lint the files under `paths`: read and parse them, render every entry point and kustomization,
/// index the objects, run the rules.
pub fn lint(paths: &[PathBuf], settings: &Settings) -> Report {
    run(paths, None, settings)
}

/// Lint the repository at `root` as a whole and report only the findings located at or below
/// `paths` (files or folders): checking a sub-folder or one file keeps the whole repository as
/// context (see `scope`). This is what `drlint check PATH...` and the pre-commit hook run.
pub fn lint_in(root: &std::path::Path, paths: &[PathBuf], settings: &Settings) -> Report {
    let only = (!scope::covers(root, paths)).then_some(paths);
    run(&[root.to_path_buf()], only, settings)
}

fn run(paths: &[PathBuf], only: Option<&[PathBuf]>, settings: &Settings) -> Report {
    let (ws, index, repo) = load_index(paths, settings);
    let objects = index.resources.len() + index.undeployed.len();
    let mut raised = ws.diagnostics;
    raised.extend(repo.diagnostics);
    let phase = timings::start("rules");
    let mut outcome = engine::run(&ws.db, &index, &ws.texts, &ws.suppressions, settings, raised, engine::Scope { only, substituted: &repo.substituted });
    phase.done();
    for d in &mut outcome.diagnostics {
        d.fingerprint = Some(baseline::fingerprint(&ws.db, d, &settings.root));
    }
    let files = match only {
        Some(only) => ws.files.iter().filter(|f| scope::is_under(&ws.db.get(f.id).real_path, only)).count(),
        None => ws.files.len(),
    };
    // Freeing every object of a large repository takes a tenth of a run, and nothing waits for it.
    std::thread::spawn(move || drop(index));
    Report {
        files,
        db: ws.db,
        diagnostics: outcome.diagnostics,
        suppressed: outcome.suppressed,
        baselined: 0,
        objects,
        entrypoints: repo.entrypoints,
        unrendered_dirs: repo.unrendered_dirs,
        substituted: repo.substituted,
        policies: settings.policies.iter().map(|p| p.meta).collect(),
    }
}

/// The discover and render stages: every object the cluster will see, with provenance.
pub fn load_and_render(paths: &[PathBuf], settings: &Settings) -> (discover::Workspace, gitops::RepoRender) {
    if [rules::schema::schema_violation::META.id, rules::schema::schema_unknown_kind::META.id].iter().any(|id| settings.is_enabled(id)) {
        schema::warm_up();
    }
    let phase = timings::start("discover");
    let mut ws = discover::load(paths, settings);
    phase.done();
    let phase = timings::start("render");
    let repo = gitops::render_repo(&mut ws, settings);
    phase.done();
    (ws, repo)
}

/// Read, render and index (for `check` and `matrix` alike). The returned `RepoRender` no longer
/// holds the objects: they are in the index.
pub fn load_index(paths: &[PathBuf], settings: &Settings) -> (discover::Workspace, Index, gitops::RepoRender) {
    let (ws, mut repo) = load_and_render(paths, settings);
    let phase = timings::start("index");
    let repo_of = |p: &std::path::Path| repo.repo_of(p);
    let bootstrap_charts = model::bootstrap::charts(&ws, &repo_of);
    let bootstrap_crd_groups = model::bootstrap::crd_groups_by_url(&ws, &repo_of);
    // The bootstrap models are the last readers of the parsed files and of most file texts: the
    // objects are rendered copies. Both are freed before the index is built, so they are never
    // resident together with it.
    let mut ws = ws;
    ws.release_parses();
    ws.release_texts();
    let mut index = Index::new(std::mem::take(&mut repo.resources));
    index.bootstrap_charts = bootstrap_charts;
    index.bootstrap_crd_groups = bootstrap_crd_groups;
    phase.done();
    (ws, index, repo)
}

/// A mapping with string `apiVersion` and `kind`, and not kustomize's own configuration.
pub fn is_object(root: &source::yaml::Node) -> bool {
    let (Some(api), Some(kind)) = (root.str_at(&["apiVersion"]), root.str_at(&["kind"])) else { return false };
    !api.is_empty() && !kind.is_empty() && !api.starts_with("kustomize.config.k8s.io/")
}
