//! drlint: static checks that a GitOps repository's backups can be restored.
//!
//! The pipeline, one module per stage: `discover` (walk and parse) -> `model` (objects and the
//! index) -> `rules` (via `engine`) -> `diag` (renderers). `lint` runs it for the CLI and tests.

pub mod cli;
pub mod cron;
pub mod diag;
pub mod discover;
pub mod engine;
pub mod kustomize;
pub mod model;
pub mod rules;
pub mod settings;
pub mod source;
pub mod suppress;
pub mod util;

use diag::Diagnostic;
use discover::FileKind;
use model::{Index, Resource};
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
}

/// Lint the files under `paths`.
pub fn lint(paths: &[PathBuf], settings: &Settings) -> Report {
    let ws = discover::load(paths, settings);
    let resources = objects_as_written(&ws);
    let objects = resources.len();
    let index = Index::new(resources);
    let outcome = engine::run(&ws.db, &index, settings, ws.diagnostics);
    Report { files: ws.files.len(), db: ws.db, diagnostics: outcome.diagnostics, suppressed: outcome.suppressed, objects }
}

/// Every Kubernetes object in the manifests, as written (kustomize configuration excluded).
pub fn objects_as_written(ws: &discover::Workspace) -> Vec<Resource> {
    let mut out = Vec::new();
    for f in &ws.files {
        if f.kind == FileKind::Kustomization {
            continue;
        }
        for doc in &f.parsed.documents {
            let Some(root) = &doc.root else { continue };
            if !is_object(root) {
                continue;
            }
            out.push(Resource::new(root.clone(), f.id, doc.index));
        }
    }
    out
}

/// A mapping with string `apiVersion` and `kind`, and not kustomize's own configuration.
pub fn is_object(root: &source::yaml::Node) -> bool {
    let (Some(api), Some(kind)) = (root.str_at(&["apiVersion"]), root.str_at(&["kind"])) else { return false };
    !api.is_empty() && !kind.is_empty() && !api.starts_with("kustomize.config.k8s.io/")
}
