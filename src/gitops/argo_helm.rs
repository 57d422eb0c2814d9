//! An Argo CD Application source that is a Helm chart in this repository: the release the
//! repo-server renders (`helm template`), with the values Argo CD passes.
//!
//! Release name: `helm.releaseName`, else the Application's name. Namespace: `helm.namespace`, else
//! the destination namespace. Values, lowest precedence first, as Argo CD documents them
//! (`parameters > valuesObject > values > valueFiles > the chart's values.yaml`):
//! `helm.valueFiles` (relative to the chart folder, or `$ref/path` in the repository of the
//! source named `ref`), then `helm.valuesObject` (which replaces `helm.values` when both are
//! set), then `helm.parameters` (`--set`, or `--set-string` with `forceString`).

use super::chart_render::{self, Release};
use super::{applicationset, argo};
use crate::helm::ReleaseOptions;
use crate::source::yaml::Node;
use crate::source::{SourceDb, Span};
use std::path::Path;

/// A chart source's release, and notes on what of its values could not be read.
pub(super) struct Deploy {
    pub release: Release,
    pub notes: Vec<(Span, String)>,
    /// The values held ApplicationSet parameters drlint could not know (a plugin generator, say):
    /// the chart renders with values that are not the cluster's (see `applicationset`).
    pub values_unknown: Option<Span>,
}

/// The release for `source` (a Helm source whose `path` is the chart folder `dir`, in the
/// repository checked out at `root`) of Application `app`.
#[allow(clippy::too_many_arguments)]
pub(super) fn release(db: &mut SourceDb, app: &Node, source: &Node, dir: &Path, root: &Path, label: &str, cluster: Option<String>, declared_at: Span) -> Deploy {
    let helm = source.get("helm").filter(|h| h.is_map());
    let at = |k: &str| helm.and_then(|h| h.get(k));
    let app_name = app.str_at(&["metadata", "name"]).unwrap_or("");
    let dest_ns = app.str_at(&["spec", "destination", "namespace"]).filter(|n| !n.is_empty());
    let namespace = at("namespace").and_then(Node::as_text).filter(|n| !n.is_empty()).or(dest_ns);
    let name = at("releaseName").and_then(Node::as_text).filter(|n| !n.is_empty()).unwrap_or(app_name);
    let mut notes = Vec::new();
    let mut values = Vec::new();
    let ignore_missing = at("ignoreMissingValueFiles").and_then(Node::as_bool).unwrap_or(false);
    for f in at("valueFiles").into_iter().flat_map(|v| v.items()) {
        let Some(text) = f.as_text() else { continue };
        let path = match text.strip_prefix('$') {
            Some(rest) => {
                let (ref_name, rel) = rest.split_once('/').unwrap_or((rest, ""));
                match ref_root(app, source, ref_name, root) {
                    Ok(r) => r.join(rel),
                    Err(why) => {
                        notes.push((f.span, format!("{label}: values file `{text}` is not read: {why}")));
                        continue;
                    }
                }
            }
            None if text.contains("://") => {
                notes.push((f.span, format!("{label}: values file `{text}` is fetched from a URL, which drlint does not do")));
                continue;
            }
            None => dir.join(text),
        };
        match db.load_yaml(&path) {
            Ok((_, parsed)) => {
                // A values file of several documents: Helm reads the first.
                if let Some(v) = parsed.documents.first().and_then(|d| d.root.clone()).filter(Node::is_map) {
                    values.push(v);
                }
            }
            Err(_) if ignore_missing && !path.exists() => {}
            Err(_) if !path.exists() => notes.push((f.span, format!("{label}: values file `{text}` does not exist: Argo CD fails to render this source"))),
            Err(e) => notes.push((f.span, format!("{label}: values file `{text}` cannot be read ({e}): Argo CD fails to render this source"))),
        }
    }
    match (at("valuesObject").filter(|v| v.is_map()), at("values")) {
        (Some(obj), _) => values.push(obj.clone()),
        (None, Some(v)) => match v.as_text() {
            Some(text) => match chart_render::parse_embedded(db, v, text) {
                Ok(Some(parsed)) if parsed.is_map() => values.push(parsed),
                Ok(_) => {}
                Err(e) => notes.push((v.span, format!("{label}: `helm.values` is not valid YAML ({e}); Argo CD fails to render this source"))),
            },
            // Older Applications write `values` as a mapping.
            None if v.is_map() => values.push(v.clone()),
            None => {}
        },
        _ => {}
    }
    let params = at("parameters").map(|p| p.items().collect::<Vec<_>>()).unwrap_or_default();
    if !params.is_empty() {
        let mut set = Node::map(Vec::new(), params[0].span);
        for p in params {
            let Some(pname) = p.str_at(&["name"]) else { continue };
            let value = p.get("value");
            let text = value.and_then(|v| v.as_str()).unwrap_or("");
            let force = p.get("forceString").and_then(Node::as_bool).unwrap_or(false);
            let span = value.map(|v| v.span).unwrap_or(p.span);
            if let Err(e) = chart_render::set_path(&mut set, pname, chart_render::typed_value(text, force, span)) {
                notes.push((p.span, format!("{label}: parameter `{pname}` is not a Helm value path ({e})")));
            }
        }
        values.push(set);
    }
    if let Some(fp) = at("fileParameters").filter(|f| f.items().next().is_some()) {
        notes.push((fp.span, format!("{label}: `helm.fileParameters` are not read; the values they set are missing")));
    }
    let options = ReleaseOptions {
        name: name.to_string(),
        namespace: namespace.unwrap_or("default").to_string(),
        values,
        chart_values: None,
        // The repo-server passes `--include-crds` unless `skipCrds`.
        include_crds: !at("skipCrds").and_then(Node::as_bool).unwrap_or(false),
        kube_version: at("kubeVersion").and_then(Node::as_text).unwrap_or("").to_string(),
        api_versions: at("apiVersions").into_iter().flat_map(|v| v.items()).filter_map(|v| v.as_text().map(str::to_string)).collect(),
    };
    let release = Release {
        chart_dir: dir.to_path_buf(),
        options,
        label: label.to_string(),
        cluster,
        declared_at,
        default_namespace: namespace.map(str::to_string),
    };
    let values_unknown = at(applicationset::HELM_VALUES_UNKNOWN).map(|n| n.span);
    Deploy { release, notes, values_unknown }
}

/// The checkout a `$ref` values file reads: the source with `ref: <name>`, when its repoURL is
/// the repository the chart is in (this one).
fn ref_root<'a>(app: &Node, chart_source: &Node, ref_name: &str, root: &'a Path) -> Result<&'a Path, String> {
    let Some(src) = argo::sources(app).into_iter().find(|s| s.str_at(&["ref"]) == Some(ref_name)) else {
        return Err(format!("no source has `ref: {ref_name}`"));
    };
    let url = src.str_at(&["repoURL"]).map(applicationset::normalize_url);
    let here = chart_source.str_at(&["repoURL"]).map(applicationset::normalize_url);
    match (url, here) {
        (Some(u), Some(h)) if u == h => Ok(root),
        (Some(_), _) => Err(format!("source `{ref_name}` is another repository ({})", src.str_at(&["repoURL"]).unwrap_or("?"))),
        _ => Err(format!("source `{ref_name}` has no repoURL")),
    }
}
