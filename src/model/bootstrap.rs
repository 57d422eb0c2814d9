//! What a cluster gets before GitOps takes over: the Helm charts a bootstrap helmfile installs
//! (`releases[].chart`, else the release's name, of any helmfile in the repository, including the
//! CRD-only helmfiles that template repositories use). Their CRDs exist before the first Flux Kustomization runs.

use crate::discover::{FileKind, Workspace};
use std::collections::BTreeSet;

/// Chart names (the last path segment of `repo/chart` or `oci://…/chart`) that a helmfile installs.
pub fn charts(ws: &Workspace) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for f in ws.files.iter().filter(|f| f.kind == FileKind::Manifest) {
        for doc in &f.parsed.documents {
            let Some(root) = &doc.root else { continue };
            if root.get("kind").is_some() {
                continue;
            }
            for release in root.get("releases").into_iter().flat_map(|r| r.items()) {
                // A chart given by a template (`{{ … }}`, or inherited from `templates:`) is known
                // only by the release's name, which names the chart in practice.
                match release.str_at(&["chart"]).filter(|c| !c.contains("{{")) {
                    Some(chart) => out.insert(chart_name(chart).to_string()),
                    None => release.str_at(&["name"]).is_some_and(|n| out.insert(n.to_string())),
                };
            }
        }
    }
    out
}

/// `oci://ghcr.io/org/charts/cert-manager` and `jetstack/cert-manager` are `cert-manager`.
pub fn chart_name(chart: &str) -> &str {
    chart.trim_end_matches('/').rsplit('/').next().unwrap_or(chart)
}
