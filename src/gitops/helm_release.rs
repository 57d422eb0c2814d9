//! Flux `HelmRelease`s (helm.toolkit.fluxcd.io) whose chart is a folder of this repository: the
//! release helm-controller installs, rendered as objects that are deployed when the HelmRelease is.
//!
//! The chart: `spec.chart.spec.chart` (a path in the source) with a `GitRepository` source, or
//! `spec.chartRef` to a `HelmChart` object that names such a path; the path is looked up as Flux
//! paths are (from the repository root). Charts from a HelmRepository or an OCIRepository are not
//! on disk and stay unrendered, as before. Values, lowest precedence first: the chart's
//! `valuesFiles` (paths in the source; their merge replaces the chart's `values.yaml`), each `valuesFrom` ConfigMap or Secret among the rendered
//! objects (`valuesKey`, default `values.yaml`; `targetPath` sets one value `--set`-style;
//! `optional` ones may be missing), then `spec.values`. Release name: `spec.releaseName`, else
//! `[<targetNamespace>-]<name>` shortened as helm-controller does beyond 53 characters;
//! namespace: `targetNamespace`, else the HelmRelease's own.

use super::chart_render::{self, Added, Cache, Release};
use super::{chart_cache, display_dir, label_with_cluster, resolve_root, EntryPoint};
use crate::source::normalize;
use crate::diag::Diagnostic;
use crate::helm::ReleaseOptions;
use crate::model::Resource;
use crate::rules::source::helm_render_incomplete;
use crate::source::yaml::Node;
use crate::source::{SourceDb, Span};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

pub const GROUP: &str = "helm.toolkit.fluxcd.io";
const SOURCE_GROUP: &str = "source.toolkit.fluxcd.io";

/// What the HelmReleases among `resources` add.
#[derive(Default)]
pub(super) struct Releases {
    pub added: Added,
    pub entrypoints: Vec<EntryPoint>,
    pub releases: Vec<super::ChartRelease>,
}

/// Render every HelmRelease among `resources` whose chart is in the checked tree.
pub(super) fn render_all(db: &mut SourceDb, cache: &mut Cache, resources: &[Resource], top: &Path, chart_dirs: &[PathBuf]) -> Releases {
    let mut out = Releases::default();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    for hr in resources.iter().filter(|r| r.is(GROUP, "HelmRelease")) {
        let Some((release, notes)) = release(db, hr, resources, top, chart_dirs) else { continue };
        let json = |v: &[Node]| serde_json::Value::Array(v.iter().map(Node::to_json).collect());
        let key = format!("{}\u{0}{}\u{0}{}\u{0}{:?}", release.label, hr.deployed, json(&release.options.values), release.options.chart_values.as_deref().map(json));
        if !seen.insert(key) {
            continue;
        }
        let mut added = chart_render::render(db, cache, &release);
        out.releases.push(super::ChartRelease { label: release.label.clone(), chart_dir: release.chart_dir.clone(), options: release.options.clone(), deployed: hr.deployed });
        if hr.deployed {
            out.added.diagnostics.extend(notes.into_iter().map(|(span, m)| Diagnostic::new(helm_render_incomplete::META.id, helm_render_incomplete::META.severity, span, m)));
            out.added.diagnostics.extend(added.diagnostics);
        }
        for res in &mut added.resources {
            res.deployed = hr.deployed;
            res.unlisted = hr.unlisted;
        }
        out.entrypoints.push(EntryPoint {
            label: release.label.clone(),
            declared_at: hr.span(),
            cluster: hr.cluster.clone(),
            dirs: vec![display_dir(&release.chart_dir)],
            objects: added.resources.len(),
            problems: Vec::new(),
        });
        out.added.resources.extend(added.resources);
    }
    out
}

/// `[<targetNamespace>-]<name>`, shortened as helm-controller does past Helm's 53 characters: the
/// first 40, a dash, and 12 hex digits of the SHA-256 of the whole name.
pub fn default_release_name(name: &str, target_namespace: Option<&str>) -> String {
    let full = match target_namespace.filter(|t| !t.is_empty()) {
        Some(t) => format!("{t}-{name}"),
        None => name.to_string(),
    };
    if full.len() <= 53 {
        return full;
    }
    let digest: String = crate::kustomize::sha256_hex(full.as_bytes()).chars().take(12).collect();
    let keep: String = full.chars().take(40).collect();
    format!("{keep}-{digest}")
}

/// The chart spec of a HelmRelease: its own `spec.chart.spec`, or that of the HelmChart its
/// `chartRef` names (found among the objects of the same cluster and namespace).
fn chart_spec<'a>(hr: &'a Resource, resources: &'a [Resource]) -> Option<&'a Node> {
    if let Some(r) = hr.node.at(&["spec", "chartRef"]) {
        if r.str_at(&["kind"]) != Some("HelmChart") {
            return None;
        }
        let name = r.str_at(&["name"])?;
        let ns = r.str_at(&["namespace"]).or(hr.namespace());
        return resources.iter().find(|c| c.is(SOURCE_GROUP, "HelmChart") && c.cluster == hr.cluster && c.name() == name && c.namespace() == ns).and_then(|c| c.spec());
    }
    hr.node.at(&["spec", "chart", "spec"])
}

type Notes = Vec<(Span, String)>;

/// Where a HelmRelease's chart is on disk: (the folder its `valuesFiles` are relative to, the
/// chart folder or archive, the line that names it).
fn chart_on_disk(db: &SourceDb, hr: &Resource, resources: &[Resource], top: &Path, chart_dirs: &[PathBuf]) -> Option<(PathBuf, PathBuf, Span)> {
    // A chart repository's chart: in the configured chart folders or vendored next to the
    // HelmRelease (see `chart_cache`).
    let repo_chart = |name: &str, version: Option<&str>, at: Span| {
        let beside = normalize(&db.get(hr.file).real_path).parent().map(|d| d.join("charts"));
        let dirs: Vec<PathBuf> = chart_dirs.iter().cloned().chain(beside).collect();
        let found = chart_cache::find(name, version, &dirs)?;
        Some((found.clone(), found, at))
    };
    if let Some(r) = hr.node.at(&["spec", "chartRef"]).filter(|r| r.str_at(&["kind"]) == Some("OCIRepository")) {
        let name = r.str_at(&["name"])?;
        let ns = r.str_at(&["namespace"]).or(hr.namespace());
        let repo = resources.iter().find(|c| c.is(SOURCE_GROUP, "OCIRepository") && c.cluster == hr.cluster && c.name() == name && c.namespace() == ns)?;
        let url = repo.node.str_at(&["spec", "url"])?;
        let chart = url.trim_end_matches('/').rsplit('/').next()?;
        let version = repo.node.str_at(&["spec", "ref", "tag"]).or(repo.node.str_at(&["spec", "ref", "semver"]));
        return repo_chart(chart, version, r.span);
    }
    let spec = chart_spec(hr, resources)?;
    let chart_node = spec.get("chart").filter(|c| c.as_text().is_some())?;
    let path = chart_node.as_str()?;
    match spec.str_at(&["sourceRef", "kind"]) {
        Some("GitRepository") => {
            // A chart name (not a path) in a Git source is not something Flux can build either way.
            let (root, dir) = resolve_root(db, hr.file, path, top)?;
            chart_render::is_chart(&dir).then_some((root, dir, chart_node.span))
        }
        Some("HelmRepository") => repo_chart(path, spec.str_at(&["version"]), chart_node.span),
        _ => None,
    }
}

fn release(db: &mut SourceDb, hr: &Resource, resources: &[Resource], top: &Path, chart_dirs: &[PathBuf]) -> Option<(Release, Notes)> {
    let spec = chart_spec(hr, resources);
    let (root, dir, declared_at) = chart_on_disk(db, hr, resources, top, chart_dirs)?;
    let ns = hr.namespace().unwrap_or("default");
    let name = hr.name();
    let label = label_with_cluster(&format!("Flux HelmRelease {ns}/{name}"), &hr.cluster);
    let spec_of = |k: &str| hr.node.at(&["spec", k]);
    let target_ns = spec_of("targetNamespace").and_then(Node::as_text).filter(|t| !t.is_empty());
    let release_ns = target_ns.unwrap_or(ns);
    let release_name = spec_of("releaseName").and_then(Node::as_text).filter(|n| !n.is_empty()).map(str::to_string).unwrap_or_else(|| default_release_name(name, target_ns));
    let mut notes = Vec::new();
    let mut values = Vec::new();
    let files = spec.and_then(|s| s.get("valuesFiles")).into_iter().flat_map(|v| v.items()).chain(spec.and_then(|s| s.get("valuesFile")));
    // `valuesFiles` replace the chart's values.yaml (source-controller packages their merge as
    // the chart's values), they are not layered over it.
    let mut chart_values: Option<Vec<Node>> = None;
    for f in files {
        let Some(text) = f.as_text() else { continue };
        let listed = chart_values.get_or_insert_with(Vec::new);
        match db.load_yaml(&root.join(text.trim_start_matches("./"))) {
            Ok((_, parsed)) => listed.extend(parsed.documents.first().and_then(|d| d.root.clone()).filter(Node::is_map)),
            Err(e) => notes.push((f.span, format!("{label}: values file `{text}` cannot be read ({e}); Flux fails to build the chart"))),
        }
    }
    for from in spec_of("valuesFrom").into_iter().flat_map(|v| v.items()) {
        match values_from(db, hr, from, resources, ns) {
            Ok(Some(v)) => values.push(v),
            Ok(None) => {}
            Err(why) if from.get("optional").and_then(Node::as_bool) == Some(true) && why.contains(MISSING) => {}
            Err(why) => notes.push((from.span, format!("{label}: {why}"))),
        }
    }
    values.extend(spec_of("values").filter(|v| v.is_map()).cloned());
    // helm-controller installs the chart's CRDs unless `install.crds: Skip`.
    let include_crds = hr.node.str_at(&["spec", "install", "crds"]) != Some("Skip");
    let options = ReleaseOptions { name: release_name, namespace: release_ns.to_string(), values, chart_values, include_crds, ..ReleaseOptions::default() };
    let release = Release { chart_dir: dir, options, label, cluster: hr.cluster.clone(), declared_at, default_namespace: Some(release_ns.to_string()) };
    Some((release, notes))
}

const MISSING: &str = "is not among the repository's objects";

/// One `valuesFrom` entry: the values mapping it contributes.
fn values_from(db: &SourceDb, hr: &Resource, from: &Node, resources: &[Resource], ns: &str) -> Result<Option<Node>, String> {
    let kind = from.str_at(&["kind"]).unwrap_or("");
    let name = from.str_at(&["name"]).unwrap_or("");
    let key = from.str_at(&["valuesKey"]).filter(|k| !k.is_empty()).unwrap_or("values.yaml");
    if kind != "ConfigMap" && kind != "Secret" {
        return Err(format!("valuesFrom kind `{kind}` is not a ConfigMap or Secret"));
    }
    // A kustomize generator appends a hash to the name (Flux docs pair it with a name reference).
    let hashed = |n: &str| n.strip_prefix(name).and_then(|rest| rest.strip_prefix('-')).is_some_and(|h| h.len() == 10 && h.chars().all(|c| c.is_ascii_alphanumeric()));
    let found = resources.iter().filter(|r| r.is("", kind) && r.cluster == hr.cluster && r.namespace() == Some(ns)).find(|r| r.name() == name).or_else(|| {
        resources.iter().filter(|r| r.is("", kind) && r.cluster == hr.cluster && r.namespace() == Some(ns)).find(|r| hashed(r.name()))
    });
    let Some(obj) = found else { return Err(format!("valuesFrom {kind}/{name} {MISSING}; its values are missing")) };
    if obj.node.get("sops").is_some() {
        return Err(format!("valuesFrom {kind}/{name} is SOPS-encrypted; its values are missing"));
    }
    let (holder, text) = match (obj.node.at(&["stringData", key]), obj.node.at(&["data", key])) {
        (Some(v), _) if kind == "Secret" => (v, v.as_str().unwrap_or("").to_string()),
        (_, Some(v)) if kind == "Secret" => {
            let decoded = v.as_str().and_then(crate::util::base64_decode).and_then(|b| String::from_utf8(b).ok());
            (v, decoded.ok_or_else(|| format!("valuesFrom {kind}/{name} key `{key}` is not base64 text"))?)
        }
        (_, Some(v)) => (v, v.as_str().unwrap_or("").to_string()),
        _ => return Err(format!("valuesFrom {kind}/{name} has no key `{key}`; Flux fails the release")),
    };
    if let Some(path) = from.str_at(&["targetPath"]).filter(|p| !p.is_empty()) {
        let mut root = Node::map(Vec::new(), holder.span);
        chart_render::set_path(&mut root, path, chart_render::typed_value(&text, false, holder.span)).map_err(|e| format!("valuesFrom targetPath `{path}`: {e}"))?;
        return Ok(Some(root));
    }
    match chart_render::parse_embedded(db, holder, &text) {
        Ok(v) => Ok(v.filter(Node::is_map)),
        Err(e) => Err(format!("valuesFrom {kind}/{name} key `{key}` is not valid YAML ({e})")),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn release_names_as_helm_controller_makes_them() {
        assert_eq!(super::default_release_name("app", None), "app");
        assert_eq!(super::default_release_name("app", Some("media")), "media-app");
        let long = super::default_release_name("a-very-long-helmrelease-name-for-testing", Some("some-long-namespace"));
        assert_eq!(long.len(), 53);
        assert!(long.starts_with("some-long-namespace-a-very-long-helmrele-"));
    }
}
