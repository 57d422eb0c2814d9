//! A native implementation of `kustomize build` (kustomize v5.5.0 semantics) that keeps the
//! provenance of every rendered value.
//!
//! One module per concern: `load` (kustomization files, accumulation of resources, components and
//! the order transformers run in), `fieldspec` (kustomize's field specs and path walking),
//! `transform` (namespace, prefix/suffix, labels, annotations, images, replicas, patches),
//! `nameref` (name reference fix-ups), `generate` (ConfigMap/Secret generators and the hash
//! suffix), `vars` (legacy vars and replacements), `order` (legacy output order), `emit` (the
//! YAML kustomize prints). Strategic merge and JSON 6902 patching live behind `patch`.
//!
//! Nothing here touches the network, and nothing is read outside `RenderOptions::repo_root`.
//!
//! Not rendered (a `kustomize-unsupported` note, the rest of the overlay still renders): remote
//! resources and components, `helmCharts` whose chart is not on disk (see `helm_charts`), generator/transformer plugins other than the builtin
//! ones, KRM functions, validators. Not implemented: custom OpenAPI schemas (`openapi: path`) as a
//! source of merge keys for strategic merge (the patch API takes none), and the few builtin
//! plugins that need a schema or an exec (HashTransformer, ValueAddTransformer config).

mod emit;
mod fieldspec;
mod generate;
mod helm_charts;
pub(crate) mod hash;
pub(crate) mod files;
mod load;
mod nameref;
mod order;
pub mod patch;
pub(crate) mod resource;
mod transform;
mod vars;

pub use emit::to_yaml;
pub(crate) use hash::sha256_hex;

use crate::diag::{Diagnostic, Severity};
use crate::source::yaml::Node;
use crate::source::{FileId, SourceDb, Span};
use std::path::{Path, PathBuf};

pub const RULE_BUILD_FAILED: &str = "kustomize-build-failed";
pub const RULE_UNSUPPORTED: &str = "kustomize-unsupported";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoadRestrictor {
    /// kustomize's default: files a kustomization reads must be inside its own folder.
    RootOnly,
    None,
}

#[derive(Clone, Debug)]
pub struct RenderOptions {
    pub load_restrictor: LoadRestrictor,
    /// Never read outside this folder, whatever the restrictor (the checked repository).
    pub repo_root: PathBuf,
}

impl RenderOptions {
    pub fn new(repo_root: impl Into<PathBuf>) -> RenderOptions {
        RenderOptions { load_restrictor: LoadRestrictor::RootOnly, repo_root: repo_root.into() }
    }
}

#[derive(Clone, Debug)]
pub struct RenderedObject {
    /// Every node's span points at the text that produced it: base file, patch file, generator
    /// source, or the kustomization line for transformer-set values.
    pub node: Node,
    /// File its metadata came from.
    pub file: FileId,
    pub doc_index: usize,
}

#[derive(Clone, Debug, Default)]
pub struct Rendered {
    pub objects: Vec<RenderedObject>,
    /// `kustomize-build-failed` (error) at the kustomization line that caused it;
    /// `kustomize-unsupported` (note) at the line naming what is not rendered.
    pub diagnostics: Vec<Diagnostic>,
    /// Every file this build read.
    pub files: Vec<FileId>,
    pub ok: bool,
}

/// A build failure: a message and the kustomization line that caused it.
#[derive(Clone, Debug)]
pub(crate) struct KError {
    pub message: String,
    pub span: Option<Span>,
    /// The lines of the enclosing kustomizations that included the failing one, innermost first.
    pub included_from: Vec<Span>,
}

impl KError {
    pub fn new(message: impl Into<String>, span: Option<Span>) -> KError {
        KError { message: message.into(), span, included_from: Vec::new() }
    }
    pub fn at(span: Span, message: impl Into<String>) -> KError {
        KError { message: message.into(), span: Some(span), included_from: Vec::new() }
    }
    /// Note the entry that included the kustomization where the failure happened.
    pub fn included_at(mut self, span: Span) -> KError {
        if self.span.is_none() {
            self.span = Some(span);
        } else if self.span.map(|s| s.file) != Some(span.file) {
            self.included_from.push(span);
        }
        self
    }
}

pub(crate) type KResult<T> = Result<T, KError>;

/// Build the kustomization in `dir`.
pub fn render(db: &mut SourceDb, dir: &Path, opts: &RenderOptions) -> Rendered {
    render_in(&mut files::Files::Own(db), dir, None, opts)
}

/// Render a kustomization given in memory (Flux generates one around spec.path, with its
/// targetNamespace, patches, images, namePrefix...), resolving relative paths against `dir`.
pub fn render_virtual(db: &mut SourceDb, dir: &Path, kustomization: &Node, opts: &RenderOptions) -> Rendered {
    render_in(&mut files::Files::Own(db), dir, Some(kustomization), opts)
}

/// Build as `render` (no `kustomization`) or `render_virtual` on a db shared with other threads:
/// `None` when the build needs a file the run has not read yet (see `files`); otherwise the
/// build, and the Secret values it masks, to apply with `SourceDb::get_mut(..).mask` when used.
pub fn render_shared(db: &SourceDb, dir: &Path, kustomization: Option<&Node>, opts: &RenderOptions) -> Option<(Rendered, Vec<files::Mask>)> {
    let mut files = files::Files::shared(db);
    let rendered = render_in(&mut files, dir, kustomization, opts);
    match files {
        files::Files::Shared(s) if !s.incomplete => Some((rendered, s.masks)),
        _ => None,
    }
}

pub(crate) fn render_in(files: &mut files::Files, dir: &Path, kustomization: Option<&Node>, opts: &RenderOptions) -> Rendered {
    let mut b = load::Builder::new(files.reborrow(), opts);
    let result = b.build_top(dir, kustomization);
    let (rendered, used) = b.finish(result);
    let record = used.record();
    files.absorb(record);
    rendered
}

pub(crate) fn build_failed(span: Span, message: impl Into<String>) -> Diagnostic {
    Diagnostic::new(RULE_BUILD_FAILED, Severity::Error, span, message)
}

pub(crate) fn unsupported(span: Span, message: impl Into<String>) -> Diagnostic {
    Diagnostic::new(RULE_UNSUPPORTED, Severity::Note, span, message)
}

#[cfg(test)]
mod tests;
