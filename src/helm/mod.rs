//! Helm charts rendered natively, as `helm template` renders them (issue 16).
//!
//! Two halves meet at `render_chart`: the engine side (Go `text/template`, sprig and Helm's own
//! functions, chart loading, values merging, Helm's output order) turns a chart folder and a
//! release's values into manifests that remember, line by line, which template (or values) line
//! wrote them; the deploy side (`gitops`) finds who installs which local chart with which values,
//! and feeds the manifests to the same loader, index and rules as every other object.

pub mod chart;
pub mod funcs;
pub mod order;
pub mod origin;
pub mod provenance;
mod render;
pub mod schema;
#[cfg(test)]
mod tests;
pub mod template;
pub mod value;
pub mod values;

use crate::source::yaml::Node;
use std::path::{Path, PathBuf};

pub use render::print_template;

/// One release of a chart: what `helm template NAME CHART -n NS -f A -f B --set ...` is given.
#[derive(Clone, Debug, Default)]
pub struct ReleaseOptions {
    pub name: String,
    pub namespace: String,
    /// Values layered over the chart's `values.yaml`, lowest precedence first (values files,
    /// then inline values, then `--set`-style parameters), each a mapping that keeps its source
    /// positions so a finding can point at the deployer's line.
    pub values: Vec<Node>,
    /// Values files that replace the chart's own `values.yaml`, merged in order (Flux's
    /// `spec.chart.spec.valuesFiles`, which source-controller packages as the chart's values).
    pub chart_values: Option<Vec<Node>>,
    /// `--include-crds`: the charts' `crds/` files first, verbatim (Argo CD and Flux install them;
    /// `helm template` and kustomize only when asked).
    pub include_crds: bool,
    /// `.Capabilities.KubeVersion`, e.g. "v1.37.0".
    pub kube_version: String,
    /// Extra `.Capabilities.APIVersions` entries (`--api-versions`).
    pub api_versions: Vec<String>,
}

/// Where one line of rendered output came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LineOrigin {
    /// The template file (values that actions printed are found with `provenance`).
    pub file: PathBuf,
    /// 1-based line in `file`.
    pub line: usize,
}

/// One rendered YAML document, as `helm template` prints it after `# Source: <source>` (a
/// template file that renders several documents gives several manifests with the same source).
#[derive(Clone, Debug)]
pub struct RenderedManifest {
    /// `<chart name>/templates/<file>` (subcharts: `<parent>/charts/<sub>/templates/<file>`).
    pub source: String,
    /// The template file on disk.
    pub template_path: PathBuf,
    /// The rendered text (possibly several YAML documents).
    pub text: String,
    /// One entry per line of `text`; may be shorter than `text`'s line count when unknown.
    pub lines: Vec<LineOrigin>,
    /// What actions printed from values, offsets in `text` (see `provenance`).
    pub values: Vec<template::exec::Emitted>,
    /// `metadata.annotations["helm.sh/hook"]` (e.g. `test`, `pre-install`): hooks are printed
    /// after the other manifests, and test hooks are not deployed objects.
    pub hook: Option<String>,
    /// The document's `kind` (empty when it has none).
    pub kind: String,
}

/// Something the engine could not do (an unsupported function, a failed `required`, a template
/// error). The chart's other templates are still rendered.
#[derive(Clone, Debug)]
pub struct HelmNote {
    pub file: PathBuf,
    pub line: usize,
    pub column: usize,
    pub message: String,
    /// `helm template` would refuse the release (a template that fails, values that break the
    /// schema, output that is not YAML); the rest of the chart is still rendered.
    pub fatal: bool,
}

#[derive(Clone, Debug, Default)]
pub struct ChartRender {
    /// In the order `helm template` prints them.
    pub manifests: Vec<RenderedManifest>,
    pub notes: Vec<HelmNote>,
}

/// A chart that cannot be rendered at all (no readable `Chart.yaml`, a missing dependency).
#[derive(Clone, Debug)]
pub struct HelmError {
    pub file: PathBuf,
    pub line: usize,
    pub message: String,
}

/// Render the chart in `chart_dir` for one release, as `helm template` does. Never reads the
/// network: a dependency that is not on disk is a note.
pub fn render_chart(chart_dir: &Path, opts: &ReleaseOptions) -> Result<ChartRender, HelmError> {
    render::render(chart_dir, opts)
}

/// The deploy side's fallback for charts whose templates hold no template action (see `literal`).
pub mod literal;
