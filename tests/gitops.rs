//! Entry points render what the controllers render: Flux Kustomizations (path, targetNamespace,
//! namePrefix, commonMetadata, postBuild substitution) and Argo CD Applications (kustomize options,
//! directory sources), with clusters, and an inventory over the real repositories.

mod common;

use common::*;
use drlint::model::Resource;
use drlint::settings::Settings;
use std::path::{Path, PathBuf};

fn render(dir: &Path) -> (drlint::discover::Workspace, Vec<Resource>, drlint::gitops::RepoRender) {
    let settings = Settings { root: dir.to_path_buf(), ..Settings::default() };
    let (ws, mut repo) = drlint::load_and_render(&[dir.to_path_buf()], &settings);
    let resources = std::mem::take(&mut repo.resources);
    (ws, resources, repo)
}

fn find<'a>(rs: &'a [Resource], kind: &str, name: &str) -> &'a Resource {
    rs.iter().find(|r| r.kind() == kind && r.name() == name).unwrap_or_else(|| panic!("no {kind} {name}"))
}

#[test]
fn flux_kustomization_renders_with_its_namespace_prefix_labels_and_substitution() {
    let dir = crate_root().join("tests/data/gitops/flux");
    let (ws, rs, _) = render(&dir);
    let cm = find(&rs, "ConfigMap", "prod-settings");
    assert_eq!(cm.namespace(), Some("billing"), "targetNamespace");
    assert_eq!(cm.cluster.as_deref(), Some("prod"), "a folder below clusters/ is a cluster");
    assert_eq!(cm.node.str_at(&["metadata", "labels", "team"]), Some("payments"), "commonMetadata");
    assert_eq!(cm.renders, vec!["Flux Kustomization flux-system/db (cluster prod)".to_string()]);
    let data = |k: &str| cm.node.str_at(&["data", k]).map(str::to_string);
    assert_eq!(data("plain").as_deref(), Some("s3://acme-backups/prod"), "substitute wins over substituteFrom");
    assert_eq!(data("from-secret").as_deref(), Some("eu-west-1"), "Secret data is base64-decoded");
    assert_eq!(data("default-used").as_deref(), Some("fallback"));
    assert_eq!(data("default-dash").as_deref(), Some("dashed"));
    assert_eq!(data("empty-colon-default").as_deref(), Some("was-empty"));
    assert_eq!(data("escaped").as_deref(), Some("${CLUSTER}"), "$$ escapes");
    assert_eq!(data("shell").as_deref(), Some("$HOME stays"), "plain $VAR is not substituted");
    assert_eq!(data("unknown").as_deref(), Some("${TOKEN}"), "a SOPS value is unknown: kept as written");
    // The value still points at its source line.
    let span = cm.node.at(&["data", "plain"]).unwrap().span;
    let (lc, _) = ws.db.line_col(span);
    assert!(ws.db.get(span.file).path.ends_with("apps/db/settings.yaml"));
    assert_eq!(lc.line, 6);
    let untouched = find(&rs, "ConfigMap", "prod-untouched");
    assert_eq!(untouched.node.str_at(&["data", "raw"]), Some("${CLUSTER}"), "substitute: disabled");
}

#[test]
fn unresolved_variables_are_notes_at_their_line_naming_unreadable_sources() {
    let dir = crate_root().join("tests/data/gitops/flux");
    let report = lint_dir(&dir);
    let notes = gcc_lines(&report, &dir, |d| d.rule == "flux-substitution-unresolved");
    assert_eq!(notes.len(), 1, "{notes:#?}");
    assert!(notes[0].starts_with("apps/db/settings.yaml:13:12: note: `${TOKEN}`"), "{}", notes[0]);
    assert!(notes[0].contains("Secret/cluster-sops is SOPS-encrypted"), "{}", notes[0]);
}

#[test]
fn argo_applications_render_kustomize_options_and_directory_sources() {
    let dir = crate_root().join("tests/data/gitops/argo");
    let (_, rs, repo) = render(&dir);
    let web = find(&rs, "Deployment", "argo-web");
    assert_eq!(web.namespace(), Some("web"), "destination.namespace is the default namespace");
    assert_eq!(web.node.str_at(&["metadata", "labels", "owner"]), Some("web-team"));
    let image = web.node.at(&["spec", "template", "spec", "containers"]).unwrap().items().next().unwrap().str_at(&["image"]);
    assert_eq!(image, Some("registry.example.com/nginx:1.27"));
    // Objects the `plain` Application applies (a file it excludes is still linted, as written).
    let names: Vec<&str> = rs.iter().filter(|r| r.kind() == "ConfigMap" && !r.renders.is_empty()).map(|r| r.name()).collect();
    assert!(names.contains(&"top") && names.contains(&"nested"), "recurse: {names:?}");
    assert!(!names.contains(&"skipped"), "exclude: {names:?}");
    assert_eq!(find(&rs, "ConfigMap", "nested").namespace(), Some("tools"));
    assert_eq!(repo.entrypoints.len(), 2);
}

#[test]
fn clusters_can_be_configured() {
    let dir = crate_root().join("tests/data/gitops/flux");
    let settings = Settings::parse("clusters:\n  eu-prod: [\"clusters/prod/**\"]\n", Path::new(".drlint.yaml")).map(|mut s| {
        s.root = dir.clone();
        s
    });
    let settings = settings.unwrap();
    let (_, mut repo) = drlint::load_and_render(&[dir.clone()], &settings);
    let cm = repo.resources.drain(..).find(|r| r.name() == "prod-settings").unwrap();
    assert_eq!(cm.cluster.as_deref(), Some("eu-prod"));
}

#[test]
fn examples_entry_points_render_per_cluster() {
    let dir = crate_root().join("examples");
    let (_, rs, repo) = render(&dir);
    let labels: Vec<&str> = repo.entrypoints.iter().map(|e| e.label.as_str()).collect();
    for expected in [
        "Flux Kustomization flux-system/apps (cluster production)",
        "Flux Kustomization flux-system/apps (cluster staging)",
    ] {
        assert!(labels.contains(&expected), "{labels:?}");
    }
    assert!(repo.unrendered_dirs.is_empty(), "{:?}", repo.unrendered_dirs);
    let billing: Vec<_> = rs.iter().filter(|r| r.kind() == "Cluster" && r.name() == "billing-db").collect();
    let mut places: Vec<(Option<&str>, Option<&str>)> = billing.iter().map(|r| (r.cluster.as_deref(), r.namespace())).collect();
    places.sort();
    assert_eq!(places, vec![(Some("production"), Some("billing")), (Some("staging"), Some("billing-staging"))]);
}

/// Labels of the entry points that rendered an object of `kind` named `name`, with its namespace.
fn rendered_by(rs: &[Resource], kind: &str, name: &str) -> Vec<(String, Option<String>)> {
    let mut out: Vec<(String, Option<String>)> = rs.iter().filter(|r| r.kind() == kind && r.name() == name).flat_map(|r| r.renders.iter().map(move |l| (l.clone(), r.namespace().map(str::to_string)))).collect();
    out.sort();
    out
}

#[test]
fn applicationsets_expand_each_generator_type() {
    let dir = crate_root().join("tests/data/gitops/appset");
    let (_, rs, repo) = render(&dir);
    let labels: Vec<&str> = repo.entrypoints.iter().map(|e| e.label.as_str()).collect();
    let generated = |set: &str| -> Vec<String> {
        let mut v: Vec<String> = labels.iter().filter_map(|l| l.strip_suffix(&format!(" from ApplicationSet argocd/{set}")).or_else(|| l.split_once(&format!(" from ApplicationSet argocd/{set} (")).map(|(a, _)| a))).map(|l| l.trim_start_matches("Argo CD Application argocd/").to_string()).collect();
        v.sort();
        v
    };
    // list (fasttemplate, `values.x`)
    assert_eq!(generated("from-list"), ["list-web"]);
    // git directories: `apps/*` minus an `exclude: true` entry; the chart folder is Helm
    assert_eq!(generated("from-dirs"), ["dir-chart", "dir-db", "dir-web"]);
    // git files: one Application per file (JSON and YAML), flattened keys
    assert_eq!(generated("from-files"), ["files-dev", "files-prod"]);
    // matrix with goTemplate, sprig functions
    assert_eq!(generated("from-matrix"), ["db-prod"]);
    // merge by mergeKeys
    assert_eq!(generated("from-merge"), ["merge-db", "merge-web"]);
    // clusters: the selector keeps eu-1 only; without one, the local cluster and both Secrets
    assert_eq!(generated("from-clusters"), ["all-eu-1", "all-in-cluster", "all-us-1", "legacy-eu-1"]);
    // a plugin generator: its fixed folder is rendered once, without parameters
    assert_eq!(generated("from-plugin"), ["{{ .name }}"]);
    assert!(generated("from-elsewhere").is_empty() && generated("strict").is_empty());

    let web = rendered_by(&rs, "Deployment", "web");
    let expect = |l: &str, ns: &str| (format!("Argo CD Application argocd/{l}"), Some(ns.to_string()));
    for (label, ns) in [("dir-web from ApplicationSet argocd/from-dirs", "apps-web"), ("files-dev from ApplicationSet argocd/from-files", "shop-dev"), ("files-prod from ApplicationSet argocd/from-files", "shop-prod"), ] {
        assert!(web.contains(&expect(label, ns)), "{label} in {ns}: {web:?}");
    }
    // `.argocd-source-<app>.yaml` in the source folder is merged onto that Application's source.
    assert_eq!(rendered_by(&rs, "Deployment", "web-override"), vec![expect("list-web from ApplicationSet argocd/from-list", "list-ns")]);
    // templatePatch adds kustomize options to one of the two merged Applications.
    assert_eq!(rendered_by(&rs, "Deployment", "patched-web"), vec![expect("merge-web from ApplicationSet argocd/from-merge", "merged-ns")]);
    // directory.recurse reads the nested folder; the plain directory source does not.
    assert_eq!(rendered_by(&rs, "ConfigMap", "db-deep"), vec![expect("db-prod from ApplicationSet argocd/from-matrix", "db-prod")]);
    assert!(rendered_by(&rs, "ConfigMap", "db-settings").contains(&expect("merge-db from ApplicationSet argocd/from-merge", "db-base")));
    // One folder sent to several clusters is one object per cluster.
    let mut legacy: Vec<Option<String>> = rs.iter().filter(|r| r.name() == "legacy" && r.renders.iter().any(|l| l.contains("from-clusters"))).map(|r| r.cluster.clone()).collect();
    legacy.sort();
    assert_eq!(legacy, vec![None, Some("eu-1".to_string()), Some("eu-1".to_string()), Some("us-1".to_string())]);
    // The legacy folder is excluded from the directories generator.
    assert!(!rendered_by(&rs, "ConfigMap", "legacy").iter().any(|(l, _)| l.contains("from-dirs")));

    let report = lint_dir(&dir);
    let notes = gcc_lines(&report, &dir, |d| d.rule == "gitops-entrypoint-not-rendered");
    let expected = [
        "appsets/unexpandable.yaml:10:7: note: Argo CD ApplicationSet argocd/from-plugin: a plugin generator (ConfigMap `my-plugin`)",
        "appsets/unexpandable.yaml:32:7: note: Argo CD ApplicationSet argocd/from-elsewhere: an SCM provider generator",
        "appsets/unexpandable.yaml:35:7: note: Argo CD ApplicationSet argocd/from-elsewhere: a git generator reads https://github.com/someone/else.git, not known to be this repository",
        "appsets/unexpandable.yaml:64:5: note: Argo CD ApplicationSet argocd/strict: the template fails: map has no entry for key \"missing\"",
    ];
    // The generated Application whose folder is a chart installs it: release name = app name.
    assert_eq!(rendered_by(&rs, "ConfigMap", "dir-chart"), vec![expect("dir-chart from ApplicationSet argocd/from-dirs", "apps-chart")]);
    assert!(report.diagnostics.iter().all(|d| d.rule != "helm-render-incomplete"));
    assert_eq!(notes.len(), expected.len(), "{notes:#?}");
    for (n, e) in notes.iter().zip(expected) {
        assert!(n.starts_with(e), "{n}\n  expected {e}");
    }
    assert!(report.diagnostics.iter().all(|d| d.severity == drlint::diag::Severity::Note || d.rule != "gitops-entrypoint-not-rendered"));
}

#[test]
fn argo_source_type_is_the_repo_servers() {
    use drlint::gitops::argo::{source_type, SourceType};
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let source = |yaml: &str| drlint::source::yaml::parse(drlint::source::FileId(0), yaml).documents.remove(0).root.unwrap();
    let plain = source("path: x\n");
    assert_eq!(source_type(dir, &plain), Ok(SourceType::Directory));
    std::fs::write(dir.join("Chart.yaml"), "name: c\n").unwrap();
    assert_eq!(source_type(dir, &plain), Ok(SourceType::Helm));
    // Discovery records the kustomization after Chart.yaml: Kustomize wins.
    std::fs::write(dir.join("kustomization.yaml"), "resources: []\n").unwrap();
    assert_eq!(source_type(dir, &plain), Ok(SourceType::Kustomize));
    // Explicit fields win over the files; two of them is Argo CD's error.
    assert_eq!(source_type(dir, &source("directory:\n  recurse: true\n")), Ok(SourceType::Directory));
    assert_eq!(source_type(dir, &source("helm: {}\n")), Ok(SourceType::Helm));
    assert_eq!(source_type(dir, &source("plugin:\n  name: x\n")), Ok(SourceType::Plugin));
    assert!(source_type(dir, &source("helm: {}\nkustomize: {}\n")).unwrap_err().contains("multiple application sources defined"));
}

/// Every Flux Kustomization, Argo CD Application and ApplicationSet in the real repositories is
/// rendered or reported with a reason; prints the inventory per repository (ApplicationSets: how
/// many expand, the Applications they generate and render, and why the others do not).
#[test]
fn corpus_entry_points_are_all_accounted_for() {
    let Some(shared) = shared() else {
        println!("skipped: ../shared is absent");
        return;
    };
    let corpus = shared.join("corpus");
    let mut repos: Vec<PathBuf> = std::fs::read_dir(&corpus).unwrap().map(|e| e.unwrap().path()).filter(|p| p.join("SOURCE").is_file()).collect();
    repos.sort();
    println!("{:<48} {:>6} {:>6} {:>9} {:>12} {:>10}", "repository", "flux", "argo", "rendered", "not rendered", "standalone");
    for repo in repos {
        let (_, rs, render) = render(&repo);
        let _ = rs;
        let eps: Vec<_> = render.entrypoints.iter().filter(|e| !e.label.starts_with("kustomization ")).collect();
        let flux = eps.iter().filter(|e| e.label.starts_with("Flux")).count();
        let argo = eps.iter().filter(|e| e.label.starts_with("Argo")).count();
        let not_rendered = eps.iter().filter(|e| !e.problems.is_empty()).count();
        let rendered = eps.len() - not_rendered;
        println!("{:<48} {:>6} {:>6} {:>9} {:>12} {:>10}", repo.file_name().unwrap().to_string_lossy(), flux, argo, rendered, not_rendered, render.unrendered_dirs.len());
        // ApplicationSets: each expands into Applications or says why not.
        let sets: Vec<_> = eps.iter().filter(|e| e.label.starts_with("Argo CD ApplicationSet")).collect();
        if !sets.is_empty() {
            let apps: Vec<_> = eps.iter().filter(|e| e.label.contains(" from ApplicationSet ")).collect();
            let expanded = sets.iter().filter(|e| e.objects > 0).count();
            let with_notes = sets.iter().filter(|e| !e.problems.is_empty()).count();
            let apps_rendered = apps.iter().filter(|e| e.problems.is_empty()).count();
            println!("  ApplicationSets {:>4}  expanded {:>4}  with notes {:>4}  Applications {:>4}  rendered {:>4}", sets.len(), expanded, with_notes, apps.len(), apps_rendered);
            let mut reasons: std::collections::BTreeMap<String, usize> = std::collections::BTreeMap::new();
            for p in sets.iter().flat_map(|e| e.problems.iter()).chain(apps.iter().flat_map(|e| e.problems.iter())) {
                // The reason without its particulars (names in backquotes, parentheses).
                let key: String = p.split('`').enumerate().map(|(i, part)| if i % 2 == 1 { "…" } else { part }).collect::<String>().split(" (").next().unwrap_or(p).to_string();
                *reasons.entry(key).or_default() += 1;
            }
            for (why, n) in reasons {
                println!("    {n:>4} {why}");
            }
            for e in &sets {
                assert!(e.objects > 0 || !e.problems.is_empty(), "{} generated nothing and says not why", e.label);
            }
        }
        // Every Flux Kustomization and Argo CD Application as written is an entry point that was
        // reached (from the top or from another), by its name.
        let reached: std::collections::BTreeSet<String> = render.entrypoints.iter().map(|e| e.label.split(" (cluster").next().unwrap().to_string()).collect();
        for (label, path) in written_entry_points(&repo) {
            assert!(reached.iter().any(|r| r.ends_with(&label)), "{label} in {} was neither rendered nor reported", path.display());
        }
    }
}

/// (label suffix, file) of every Flux Kustomization, Argo CD Application and ApplicationSet
/// written in a repo.
fn written_entry_points(repo: &Path) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    // A Helm chart's files are templates, not manifests: drlint reads none of them.
    let charts: Vec<PathBuf> = walkdir::WalkDir::new(repo).into_iter().filter_map(Result::ok).filter(|e| e.file_name() == "Chart.yaml").filter_map(|e| e.path().parent().map(Path::to_path_buf)).collect();
    for e in walkdir::WalkDir::new(repo).into_iter().filter_map(Result::ok) {
        let p = e.path();
        if charts.iter().any(|c| p.starts_with(c)) {
            continue;
        }
        let name = p.to_string_lossy();
        if !(name.ends_with(".yaml") || name.ends_with(".yml")) {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(p) else { continue };
        let parsed = drlint::source::yaml::parse(drlint::source::FileId(0), &text);
        if !parsed.issues.is_empty() {
            continue;
        }
        for doc in parsed.documents.iter().filter_map(|d| d.root.as_ref()) {
            let is_flux = drlint::gitops::flux::is_flux_kustomization(doc);
            let is_argo = drlint::gitops::argo::is_application(doc) || drlint::gitops::applicationset::is_applicationset(doc);
            if !(is_flux || is_argo) {
                continue;
            }
            let Some(n) = doc.str_at(&["metadata", "name"]) else { continue };
            if n.contains("${") {
                continue;
            }
            let kind = if is_flux { "Flux Kustomization" } else { "Argo CD Application" };
            // The namespace may come from a kustomization, so match on kind and name only.
            out.push((format!("{n}"), p.to_path_buf()));
            let _ = kind;
        }
    }
    out
}


/// With entry points, only what they reach is deployed: an archived folder, a commented-out Flux
/// Kustomization, a file its kustomization lists only in a comment and an unused Component get
/// file-level rules (a plaintext Secret is still reported) and none about the running cluster;
/// `lint-undeployed` restores the old behaviour.
#[test]
fn objects_no_entry_point_reaches_get_only_file_level_rules() {
    let dir = crate_root().join("fixtures/gitops-not-deployed/bad");
    let report = lint_dir(&dir);
    let rules_at = |report: &drlint::Report, file: &str| -> Vec<&str> {
        report.diagnostics.iter().filter(|d| report.db.get(d.span.file).real_path.ends_with(file)).map(|d| d.rule).collect()
    };
    assert!(rules_at(&report, "archive/old-db/secret.yaml").contains(&"secret-plaintext"), "file-level rules still run");
    for file in ["archive/old-db/cluster.yaml", "apps/db/pvc.yaml", "apps/cache/app/pvc.yaml", "apps/components/extra/pvc.yaml"] {
        let rules = rules_at(&report, file);
        assert!(rules.iter().all(|r| *r == "gitops-not-deployed"), "{file}: {rules:?}");
    }
    assert_eq!(report.objects, 8, "not-deployed objects are still read");

    let settings = Settings { root: dir.clone(), lint_undeployed: true, ..Settings::default() };
    let all = drlint::lint(&[dir.clone()], &settings);
    assert!(all.diagnostics.iter().all(|d| d.rule != "gitops-not-deployed"));
    assert!(rules_at(&all, "archive/old-db/cluster.yaml").contains(&"cnpg-cluster-no-backup"), "--all-files lints everything as deployed");
    assert!(rules_at(&all, "apps/cache/app/pvc.yaml").contains(&"pvc-backup-uncovered"));
}

/// A patch or `$patch: delete` whose target may come from a remote resource that is not fetched is
/// a note on the patch, not a failed build.
#[test]
fn a_patch_aimed_at_an_unfetched_resource_is_a_note() {
    let dir = crate_root().join("fixtures/kustomize-unsupported/bad-patch-remote-target");
    let report = lint_dir(&dir);
    assert!(report.diagnostics.iter().all(|d| d.rule != "kustomize-build-failed"), "{:?}", report.diagnostics.iter().map(|d| &d.message).collect::<Vec<_>>());
    assert_eq!(report.diagnostics.iter().filter(|d| d.message.contains("of this patch is not among the rendered objects")).count(), 2);
}

/// Helm chart folders are not read; a template that does not parse is one note, not yaml-invalid;
/// a real syntax error in a manifest that quotes `{{ }}` elsewhere stays yaml-invalid.
#[test]
fn templates_are_not_manifests() {
    let bad = lint_dir(&crate_root().join("fixtures/template-not-rendered/bad"));
    let rules: Vec<&str> = bad.diagnostics.iter().map(|d| d.rule).collect();
    assert_eq!(rules, vec!["template-not-rendered", "template-not-rendered"], "{rules:?}");
    let good = lint_dir(&crate_root().join("fixtures/template-not-rendered/good"));
    let rules: Vec<&str> = good.diagnostics.iter().map(|d| d.rule).collect();
    assert_eq!(rules, vec!["yaml-invalid"], "{rules:?}");
}

/// Where a node of a rendered object points: `path:line` relative to `dir`.
fn at(ws: &drlint::discover::Workspace, dir: &Path, node: &drlint::source::yaml::Node) -> String {
    let f = ws.db.get(node.span.file);
    let path = drlint::source::normalize(&f.real_path);
    let rel = path.strip_prefix(drlint::source::normalize(dir)).unwrap_or(&path).display().to_string();
    format!("{rel}:{}", f.line_col(node.span.start as usize).line)
}

#[test]
fn local_helm_charts_render_with_the_deployers_values_at_template_lines() {
    let dir = crate_root().join("tests/data/gitops/helm");
    let (ws, rs, repo) = render(&dir);
    // Argo CD: valueFiles < valuesObject (which replaces `values`) < parameters; the release name
    // and the destination namespace.
    let pvc = find(&rs, "PersistentVolumeClaim", "photos-data");
    assert_eq!(pvc.namespace(), Some("media"));
    assert_eq!(pvc.renders, vec!["Argo CD Application argocd/media".to_string()]);
    assert_eq!(pvc.node.str_at(&["spec", "resources", "requests", "storage"]), Some("20Gi"));
    assert_eq!(pvc.node.str_at(&["spec", "storageClassName"]), Some("fast"));
    assert_eq!(pvc.node.str_at(&["metadata", "labels", "tier"]), Some("1"));
    assert_eq!(at(&ws, &dir, pvc.node.at(&["metadata", "name"]).unwrap()), "charts/store/templates/pvc.yaml:4");
    assert_eq!(at(&ws, &dir, pvc.node.at(&["spec", "accessModes"]).unwrap()), "charts/store/templates/pvc.yaml:9");
    // Values an action printed whole point at the values line that won: valuesObject, parameters.
    let line = |pvc: &drlint::model::Resource, path: &[&str]| at(&ws, &dir, pvc.node.at(path).unwrap());
    assert_eq!(line(pvc, &["spec", "resources", "requests", "storage"]), "apps/argo.yaml:22");
    assert_eq!(line(pvc, &["spec", "storageClassName"]), "apps/argo.yaml:25");
    assert_eq!(line(pvc, &["metadata", "labels", "tier"]), "apps/argo.yaml:27");
    // Flux: valuesFrom in order (a whole values key, then one value at targetPath), then
    // spec.values; release `<targetNamespace>-<name>` in the target namespace.
    let pvc = find(&rs, "PersistentVolumeClaim", "media-store-data");
    assert_eq!(pvc.namespace(), Some("media"));
    assert_eq!(pvc.renders, vec!["Flux HelmRelease flux-system/store".to_string()]);
    assert_eq!(pvc.node.str_at(&["spec", "resources", "requests", "storage"]), Some("7Gi"));
    assert_eq!(pvc.node.str_at(&["spec", "storageClassName"]), Some("slow"));
    assert_eq!(pvc.node.str_at(&["metadata", "labels", "tier"]), Some("gold"));
    // spec.values, a valuesFrom key (a literal block: its own line), a targetPath value.
    assert_eq!(line(pvc, &["metadata", "labels", "tier"]), "apps/flux.yaml:24");
    assert_eq!(line(pvc, &["spec", "resources", "requests", "storage"]), "apps/flux.yaml:34");
    assert_eq!(line(pvc, &["spec", "storageClassName"]), "apps/flux.yaml:32");
    // `chartRef` to a HelmChart of this repository, with its valuesFiles (paths in the source).
    let pvc = find(&rs, "PersistentVolumeClaim", "store2-data");
    assert_eq!(pvc.namespace(), Some("flux-system"));
    assert_eq!(pvc.node.str_at(&["spec", "resources", "requests", "storage"]), Some("5Gi"));
    assert_eq!(line(pvc, &["spec", "resources", "requests", "storage"]), "charts/store/values-prod.yaml:1");
    // valuesFiles replace the chart's values.yaml (source-controller packages them as the
    // chart's values): its storageClass default is gone.
    assert_eq!(pvc.node.at(&["spec", "storageClassName"]).map(|n| n.is_null()), Some(true));
    // Test hooks are not deployed; the chart's Secret is an object like any other.
    assert!(!rs.iter().any(|r| r.kind() == "Pod"));
    let secret = find(&rs, "Secret", "photos-auth");
    let value = secret.node.at(&["stringData", "password"]).unwrap();
    // `valuesObject` replaces `values` (Argo CD reads one or the other).
    assert_eq!(value.as_str(), Some("chart-default"));
    // The chart's values.yaml line when no deployer value wins.
    assert_eq!(at(&ws, &dir, value), "charts/store/values.yaml:3");
    // Its value is never shown: masked where it was written.
    let shown = ws.db.get(value.span.file).display_text().get(value.span.start as usize..value.span.end as usize).unwrap_or("");
    assert!(shown.chars().all(|c| c == '*' || c.is_whitespace()), "{shown}");
    assert!(repo.entrypoints.iter().any(|e| e.label == "Flux HelmRelease flux-system/store" && e.objects == 2), "{:#?}", repo.entrypoints.iter().map(|e| (&e.label, e.objects)).collect::<Vec<_>>());
}

/// Charts named in a chart repository render when they are on disk: in the config's
/// `helm.chart-dirs` (an archive from `helm pull`) or vendored in `charts/` beside the deployer.
/// Objects from an archive point at the deployer's chart line, values at their values line; a
/// chart that is not on disk stays a note.
#[test]
fn repository_charts_render_from_the_chart_folders_and_vendored_copies() {
    let dir = crate_root().join("tests/data/gitops/helm-cache");
    let settings = Settings::load(&dir.join(".drlint.yaml")).unwrap();
    let (ws, mut repo) = drlint::load_and_render(&[dir.clone()], &settings);
    let rs = std::mem::take(&mut repo.resources);
    let redis = find(&rs, "PersistentVolumeClaim", "redis-data");
    assert_eq!(redis.renders, vec!["Flux HelmRelease cache/redis".to_string()]);
    assert_eq!(at(&ws, &dir, redis.node.at(&["metadata", "name"]).unwrap()), "apps/flux.yaml:19");
    assert_eq!(at(&ws, &dir, redis.node.at(&["spec", "resources", "requests", "storage"]).unwrap()), "apps/flux.yaml:26");
    let pg = find(&rs, "PersistentVolumeClaim", "pg-data");
    assert_eq!(pg.namespace(), Some("db"));
    assert_eq!(at(&ws, &dir, pg.node.at(&["metadata", "name"]).unwrap()), "apps/charts/pg/templates/pvc.yaml:4");
    assert_eq!(pg.node.str_at(&["spec", "resources", "requests", "storage"]), Some("3Gi"));
    // Argo CD installs the chart's crds/ (the repo-server's `--include-crds`), at their own lines.
    let crd = find(&rs, "CustomResourceDefinition", "pgs.example.org");
    assert_eq!(at(&ws, &dir, crd.node.at(&["spec", "group"]).unwrap()), "apps/charts/pg/crds/pg.yaml:6");
    let missing = repo.entrypoints.iter().find(|e| e.label == "Argo CD Application argocd/missing").unwrap();
    assert_eq!(missing.problems, vec!["Helm chart `pg` is not rendered".to_string()]);
    // Without the config, the archive is not found and the HelmRelease renders nothing.
    let (_, bare) = drlint::load_and_render(&[dir.clone()], &Settings { root: dir.clone(), ..Settings::default() });
    assert!(!bare.resources.iter().any(|r| r.name() == "redis-data"));
}

/// A check of a folder of checkouts decides what is deployed per checkout: one without entry
/// points is checked as if alone (its objects deployed), whatever entry points its neighbours have.
#[test]
fn a_checkout_without_entry_points_is_judged_on_its_own_beside_others() {
    let dir = tempfile::tempdir().unwrap();
    let write = |rel: &str, text: &str| {
        let p = dir.path().join(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    };
    let flux = "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\n  namespace: flux-system\nspec:\n  interval: 10m\n  path: ./apps\n  prune: true\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n";
    let cm = |name: &str| format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {name}\n  namespace: default\n");
    for repo in ["one", "two"] {
        write(&format!("{repo}/clusters/main/apps.yaml"), flux);
        write(&format!("{repo}/apps/kustomization.yaml"), "resources: [cm.yaml]\n");
        write(&format!("{repo}/apps/cm.yaml"), &cm(&format!("{repo}-applied")));
        write(&format!("{repo}/unused/cm.yaml"), &cm(&format!("{repo}-unused")));
    }
    write("samples/cm.yaml", &cm("sample"));
    let (_, rs, _) = render(dir.path());
    assert!(find(&rs, "ConfigMap", "one-applied").deployed);
    assert!(!find(&rs, "ConfigMap", "one-unused").deployed, "a checkout with entry points deploys what they reach");
    assert!(!find(&rs, "ConfigMap", "two-unused").deployed);
    assert!(find(&rs, "ConfigMap", "sample").deployed, "a checkout without entry points is checked as if alone");
}
