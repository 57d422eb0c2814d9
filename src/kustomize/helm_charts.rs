//! `helmCharts:` (kustomize's HelmChartInflationGenerator, `kustomize build --enable-helm`) for
//! charts already on disk: kustomize pulls a chart into its `chartHome` (`helmGlobals.chartHome`,
//! default `charts/` beside the kustomization) as `<name>-<version>/<name>/` (or `<name>/`), and a
//! repository that vendors them, or a chart with no `repo`, needs no network. Such charts are
//! rendered by the native Helm engine (`crate::helm`); a chart not on disk stays a
//! `kustomize-unsupported` note and is never fetched.
//!
//! The release, as the generator runs `helm template`: `releaseName` (default `release-name`),
//! `namespace`, `includeCRDs`, values from `valuesFile` (else the chart's own) with `valuesInline` over it
//! (`valuesMerge: override`, the default; `merge` keeps the file's; `replace` leaves the file
//! out), then each of `additionalValuesFiles`; `apiVersions`, `kubeVersion`; `skipTests`
//! and `skipHooks` leave out test hooks and every hook. Objects are generated resources, after
//! the kustomization's own resources, and go through its transformers like any other.

use super::load::{Acc, Builder, Kust};
use super::resource::Res;
use super::{KError, KResult};
use crate::gitops::{chart_cache, chart_render};
use crate::helm::ReleaseOptions;
use crate::source::yaml::Node;
use crate::source::{Span, normalize};

/// Inflate every chart of `k` found on disk into `acc`; the entries whose chart is not on disk
/// are returned (as the span to note and the chart's name).
pub(crate) fn inflate(b: &mut Builder, k: &Kust, acc: &mut Acc) -> KResult<Vec<(Span, String)>> {
    let mut missing = Vec::new();
    let home = k.get("helmGlobals").and_then(|g| g.str_at(&["chartHome"])).filter(|h| !h.is_empty()).unwrap_or("charts");
    let home = normalize(&k.dir.join(home));
    for entry in k.items("helmCharts") {
        let name = entry.str_at(&["name"]).unwrap_or("");
        let at = entry.get("name").map(|n| n.span).unwrap_or(entry.span);
        let Some(chart_dir) = chart_cache::find(name, entry.str_at(&["version"]), std::slice::from_ref(&home)) else {
            missing.push((at, name.to_string()));
            continue;
        };
        let opts = release(b, k, &entry)?;
        let rendered = crate::helm::render_chart(&chart_dir, &opts).map_err(|e| KError::at(at, format!("helm chart '{name}' is not rendered: {}", e.message)))?;
        // What the engine could not render (a function it lacks, or a template Helm refuses too)
        // is a note, as for a chart a deployer installs; the rest of the chart is inflated.
        if let Some(n) = rendered.notes.iter().find(|n| n.fatal) {
            b.diags.push(super::unsupported(at, format!("helm chart '{name}' is inflated in part: {}", n.message)));
            b.unrendered += 1;
        }
        let skip_tests = entry.get("skipTests").and_then(Node::as_bool).unwrap_or(false);
        let skip_hooks = entry.get("skipHooks").and_then(Node::as_bool).unwrap_or(false);
        for (i, m) in rendered.manifests.iter().enumerate() {
            let test = m.hook.as_deref().is_some_and(|h| h.split(',').any(|h| matches!(h.trim(), "test" | "test-success")));
            if (skip_hooks && m.hook.is_some()) || (skip_tests && test) {
                continue;
            }
            let objects = chart_render::manifest_objects(&mut b.db, m, at).map_err(|(_, why)| KError::at(at, why))?;
            for (j, node) in objects.nodes.into_iter().enumerate() {
                // Numbered apart from the kustomization's own documents and from other releases.
                let doc = (1 << 20) + acc.res.len() * 1024 + i * 64 + j;
                acc.append(Res::new(node, objects.file, doc), at)?;
            }
        }
    }
    Ok(missing)
}

/// The `helm template` options of one `helmCharts` entry.
fn release(b: &mut Builder, k: &Kust, entry: &Node) -> KResult<ReleaseOptions> {
    let text = |key: &str| entry.str_at(&[key]).filter(|t| !t.is_empty()).map(str::to_string);
    let mut file_values = |path: &str, span: Span| -> KResult<Option<Node>> {
        let full = normalize(&k.dir.join(path));
        let (id, parsed) = b.db.load_yaml(&full).map_err(|e| KError::at(span, format!("helm values file '{path}': {e}")))?;
        b.files.push(id);
        Ok(parsed.documents.first().and_then(|d| d.root.clone()).filter(Node::is_map))
    };
    let mut values = Vec::new();
    let file = match entry.get("valuesFile").filter(|v| v.as_text().is_some_and(|t| !t.is_empty())) {
        Some(v) => file_values(v.as_str().unwrap_or(""), v.span)?,
        None => None,
    };
    let inline = entry.get("valuesInline").filter(|v| v.is_map()).cloned();
    match (inline, entry.str_at(&["valuesMerge"]).unwrap_or("override")) {
        (None, _) => values.extend(file),
        // The values file is left out; the chart's own values.yaml still applies (Helm's).
        (Some(i), "replace") => values.push(i),
        (Some(i), "merge") => {
            values.push(i);
            values.extend(file);
        }
        (Some(i), _) => {
            values.extend(file);
            values.push(i);
        }
    }
    for f in entry.get("additionalValuesFiles").into_iter().flat_map(|v| v.items()) {
        if let Some(path) = f.as_text() {
            values.extend(file_values(path, f.span)?);
        }
    }
    Ok(ReleaseOptions {
        name: text("releaseName").unwrap_or_else(|| "release-name".into()),
        namespace: text("namespace").unwrap_or_else(|| "default".into()),
        values,
        chart_values: None,
        include_crds: entry.get("includeCRDs").and_then(Node::as_bool).unwrap_or(false),
        kube_version: text("kubeVersion").unwrap_or_default(),
        api_versions: entry.get("apiVersions").into_iter().flat_map(|v| v.items()).filter_map(|v| v.as_text().map(str::to_string)).collect(),
    })
}

#[cfg(test)]
mod tests {
    use crate::kustomize::{RenderOptions, render};
    use crate::source::SourceDb;

    fn write_tree(dir: &std::path::Path, files: &[(&str, &str)]) {
        for (p, t) in files {
            let p = dir.join(p);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, t).unwrap();
        }
    }

    #[test]
    fn charts_in_the_chart_home_are_inflated_with_inline_and_file_values() {
        let tmp = tempfile::tempdir().unwrap();
        let files = [
            ("app/kustomization.yaml", "namespace: db\nresources:\n- cm.yaml\nhelmCharts:\n- name: pg\n  version: 1.0.0\n  repo: https://charts.example.com\n  releaseName: main\n  valuesFile: values.yaml\n  valuesInline:\n    size: 9Gi\n- name: absent\n  repo: https://charts.example.com\n"),
            ("app/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n"),
            ("app/values.yaml", "size: 2Gi\nclass: fast\n"),
            ("app/charts/pg-1.0.0/pg/Chart.yaml", "apiVersion: v2\nname: pg\nversion: 1.0.0\n"),
            ("app/charts/pg-1.0.0/pg/values.yaml", "size: 1Gi\nclass: slow\n"),
            (
                "app/charts/pg-1.0.0/pg/templates/pvc.yaml",
                "apiVersion: v1\nkind: PersistentVolumeClaim\nmetadata:\n  name: {{ .Release.Name }}-data\nspec:\n  storageClassName: {{ .Values.class }}\n  resources:\n    requests:\n      storage: {{ .Values.size }}\n",
            ),
            ("app/charts/pg-1.0.0/pg/templates/tests/t.yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: t\n  annotations:\n    helm.sh/hook: test\n"),
        ];
        write_tree(tmp.path(), &files);
        let mut db = SourceDb::new();
        let r = render(&mut db, &tmp.path().join("app"), &RenderOptions::new(tmp.path()));
        assert!(r.ok, "{:?}", r.diagnostics);
        let names: Vec<String> = r.objects.iter().map(|o| format!("{}/{}", o.node.str_at(&["kind"]).unwrap(), o.node.str_at(&["metadata", "name"]).unwrap())).collect();
        assert_eq!(names, ["ConfigMap/cm", "PersistentVolumeClaim/main-data", "Pod/t"]);
        let pvc = &r.objects[1].node;
        // The kustomization's transformers apply to what the chart made.
        assert_eq!(pvc.str_at(&["metadata", "namespace"]), Some("db"));
        assert_eq!(pvc.str_at(&["spec", "resources", "requests", "storage"]), Some("9Gi"));
        assert_eq!(pvc.str_at(&["spec", "storageClassName"]), Some("fast"));
        // Template lines and values lines, as for charts a deployer installs.
        let line = |path: &[&str]| {
            let s = pvc.at(path).unwrap().span;
            let f = db.get(s.file);
            format!("{}:{}", f.path.file_name().unwrap().to_string_lossy(), f.line_col(s.start as usize).line)
        };
        assert_eq!(line(&["metadata", "name"]), "pvc.yaml:4");
        assert_eq!(line(&["spec", "storageClassName"]), "values.yaml:2");
        assert_eq!(line(&["spec", "resources", "requests", "storage"]), "kustomization.yaml:11");
        let notes: Vec<&str> = r.diagnostics.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(notes.len(), 1, "{notes:?}");
        assert!(notes[0].contains("'absent' is not inflated"), "{notes:?}");
    }

    #[test]
    fn a_template_the_engine_cannot_render_is_a_note_and_the_rest_inflates() {
        let tmp = tempfile::tempdir().unwrap();
        let files = [
            ("kustomization.yaml", "helmCharts:\n- name: app\n"),
            ("charts/app/Chart.yaml", "apiVersion: v2\nname: app\nversion: 0.1.0\n"),
            ("charts/app/templates/cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n"),
            ("charts/app/templates/bad.yaml", "{{ noSuchFunction 1 }}\n"),
        ];
        write_tree(tmp.path(), &files);
        let mut db = SourceDb::new();
        let r = render(&mut db, tmp.path(), &RenderOptions::new(tmp.path()));
        assert!(r.ok, "{:?}", r.diagnostics);
        assert_eq!(r.objects.len(), 1);
        assert_eq!(r.objects[0].node.str_at(&["metadata", "name"]), Some("release-name"));
        assert!(r.diagnostics.iter().any(|d| d.message.contains("inflated in part")), "{:?}", r.diagnostics);
    }
}
