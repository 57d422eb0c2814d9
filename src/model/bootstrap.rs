//! What a cluster gets before GitOps takes over: the Helm charts a bootstrap helmfile installs
//! (`releases[].chart`, else the release's name, of any helmfile in the repository, including the
//! CRD-only helmfiles that template repositories use), and the CRD files a bootstrap fetches by URL
//! (k3s `server-manifests` lists in Ansible, Talos `extraManifests`, a `kubectl apply -f https://…`
//! in a script). Their CRDs exist before the first Flux Kustomization runs.

use crate::discover::{FileKind, Workspace};
use std::collections::BTreeSet;

/// What one repository's bootstrap installs: (repository, name), the repository as
/// `Resource::repo` gives it (`None` when a check covers one repository).
pub type PerRepo = BTreeSet<(Option<String>, String)>;

/// Chart names (the last path segment of `repo/chart` or `oci://…/chart`) that a helmfile installs.
pub fn charts(ws: &Workspace, repo_of: &dyn Fn(&std::path::Path) -> Option<String>) -> PerRepo {
    let mut out = BTreeSet::new();
    for f in ws.files.iter().filter(|f| f.kind == FileKind::Manifest) {
        let repo = repo_of(&ws.db.get(f.id).real_path);
        for doc in &f.parsed.documents {
            let Some(root) = &doc.root else { continue };
            if root.get("kind").is_some() {
                continue;
            }
            for release in root.get("releases").into_iter().flat_map(|r| r.items()) {
                // A chart given by a template (`{{ … }}`, or inherited from `templates:`) is known
                // only by the release's name, which names the chart in practice.
                match release.str_at(&["chart"]).filter(|c| !c.contains("{{")) {
                    Some(chart) => out.insert((repo.clone(), chart_name(chart).to_string())),
                    None => release.str_at(&["name"]).is_some_and(|n| out.insert((repo.clone(), n.to_string()))),
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

/// API groups whose CRD files the repository names by URL anywhere in its text (a bootstrap
/// playbook, machine config or script that applies them before GitOps runs). CRD files are named
/// `<group>_<plural>.yaml` by controller-gen, which nearly every operator uses, so the name says
/// the group. Over-counting here only silences `gitops-rebuild-crd-order`: unknown is not an error.
pub fn crd_groups_by_url(ws: &Workspace, repo_of: &dyn Fn(&std::path::Path) -> Option<String>) -> PerRepo {
    static URL: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let url = URL.get_or_init(|| regex::Regex::new(r"https?://[^\s'\x22]*/([a-z0-9-]+(?:\.[a-z0-9-]+)+)_[a-z0-9]+\.ya?ml").expect("valid regex"));
    let mut out = BTreeSet::new();
    for (_, file) in ws.db.iter() {
        if !file.text().contains("://") {
            continue;
        }
        let repo = repo_of(&file.real_path);
        for c in url.captures_iter(file.text()) {
            out.insert((repo.clone(), c[1].to_string()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn crd_file_urls_name_their_group() {
        let re = regex::Regex::new(r"https?://[^\s'\x22]*/([a-z0-9-]+(?:\.[a-z0-9-]+)+)_[a-z0-9]+\.ya?ml").unwrap();
        let text = "k3s_server_manifests_urls:\n  - url: https://raw.githubusercontent.com/prometheus-operator/prometheus-operator/v0.80.0/example/prometheus-operator-crd/monitoring.coreos.com_podmonitors.yaml\n";
        let groups: Vec<String> = re.captures_iter(text).map(|c| c[1].to_string()).collect();
        assert_eq!(groups, ["monitoring.coreos.com"]);
        assert!(re.captures_iter("https://example.com/charts/values.yaml").next().is_none());
    }
}
