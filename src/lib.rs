//! drlint: static checks that a GitOps repository's backups can be restored.
//!
//! The pipeline, one module per stage: `discover` (walk and parse) -> `model` (objects and the
//! index) -> `rules` (via `engine`) -> `diag` (renderers). `lint` runs it for the CLI and tests.

pub mod cli;
pub mod cron;
pub mod diag;
pub mod discover;
pub mod docs;
pub mod engine;
pub mod fix;
pub mod gitops;
pub mod kustomize;
pub mod model;
pub mod rules;
pub mod schema;
pub mod settings;
pub mod source;
pub mod suppress;
pub mod util;

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
    pub files: usize,
    pub objects: usize,
    pub entrypoints: Vec<gitops::EntryPoint>,
    /// Kustomization folders no entry point renders (rendered and linted on their own).
    pub unrendered_dirs: Vec<String>,
}

/// Lint the files under `paths`: read and parse them, render every entry point and kustomization,
/// index the objects, run the rules.
pub fn lint(paths: &[PathBuf], settings: &Settings) -> Report {
    let (ws, index, repo) = load_index(paths, settings);
    let objects = index.resources.len();
    let mut raised = ws.diagnostics;
    raised.extend(repo.diagnostics);
    let outcome = engine::run(&ws.db, &index, &ws.texts, settings, raised);
    Report {
        files: ws.files.len(),
        db: ws.db,
        diagnostics: outcome.diagnostics,
        suppressed: outcome.suppressed,
        objects,
        entrypoints: repo.entrypoints,
        unrendered_dirs: repo.unrendered_dirs,
    }
}

/// The discover and render stages: every object the cluster will see, with provenance.
pub fn load_and_render(paths: &[PathBuf], settings: &Settings) -> (discover::Workspace, gitops::RepoRender) {
    let mut ws = discover::load(paths, settings);
    let repo = gitops::render_repo(&mut ws, settings);
    (ws, repo)
}

/// Read, render and index (for `check` and `matrix` alike). The returned `RepoRender` no longer
/// holds the objects: they are in the index.
pub fn load_index(paths: &[PathBuf], settings: &Settings) -> (discover::Workspace, Index, gitops::RepoRender) {
    let (ws, mut repo) = load_and_render(paths, settings);
    let mut index = Index::new(std::mem::take(&mut repo.resources));
    index.bootstrap_charts = model::bootstrap::charts(&ws);
    (ws, index, repo)
}

/// A mapping with string `apiVersion` and `kind`, and not kustomize's own configuration.
pub fn is_object(root: &source::yaml::Node) -> bool {
    let (Some(api), Some(kind)) = (root.str_at(&["apiVersion"]), root.str_at(&["kind"])) else { return false };
    !api.is_empty() && !kind.is_empty() && !api.starts_with("kustomize.config.k8s.io/")
}
