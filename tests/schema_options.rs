//! Schema options from the command line and the config: `--crd DIR` adds CRD folders to those of
//! the config and the repository, `--kubernetes-version` picks among the bundled versions.

mod common;

use common::*;
use std::path::Path;
use std::process::{Command, Output};

fn drlint(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_drlint")).args(args).current_dir(cwd).env("NO_COLOR", "1").env("GIT_CEILING_DIRECTORIES", cwd).output().unwrap()
}

fn text(o: &Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr))
}

fn write(root: &Path, rel: &str, content: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, content).unwrap();
}

fn crd(group: &str, kind: &str, field: &str) -> String {
    format!(
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: {kind}s.{group}\nspec:\n  group: {group}\n  names: {{kind: {kind}, plural: {kind}s}}\n  scope: Namespaced\n  versions:\n    - name: v1\n      served: true\n      storage: true\n      schema:\n        openAPIV3Schema:\n          type: object\n          properties:\n            spec:\n              type: object\n              properties:\n                {field}: {{type: integer}}\n"
    )
}

/// A repository with a Widget and a Gadget, each with a misspelt field, whose CRDs live outside it:
/// the Gadget's in a folder the config names, the Widget's in one given with `--crd`.
fn repo() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    write(root, "crds/widget.yaml", &crd("example.org", "Widget", "size"));
    write(root, "vendor/gadget.yaml", &crd("example.com", "Gadget", "count"));
    write(root, "repo/.drlint.yaml", "schema:\n  crd-dirs: [../vendor]\n");
    write(root, "repo/w.yaml", "apiVersion: example.org/v1\nkind: Widget\nmetadata:\n  name: w\n  namespace: default\nspec:\n  sizee: 3\n");
    write(root, "repo/g.yaml", "apiVersion: example.com/v1\nkind: Gadget\nmetadata:\n  name: g\n  namespace: default\nspec:\n  countt: 3\n");
    dir
}

#[test]
fn crd_flag_adds_folders_to_the_configs_and_the_repositorys() {
    let dir = repo();
    let root = dir.path();
    let o = drlint(&["check", "-f", "gcc", "repo"], root);
    let t = text(&o);
    assert!(t.contains("g.yaml:7:3: error: Gadget `default/g`: unknown field `spec.countt` (did you mean `count`?) [schema-violation]"), "{t}");
    assert!(t.contains("w.yaml:2:7: note: no schema for Widget"), "{t}");
    let o = drlint(&["check", "-f", "gcc", "--crd", "crds", "repo"], root);
    let t = text(&o);
    assert_eq!(o.status.code(), Some(1), "{t}");
    assert!(t.contains("w.yaml:7:3: error: Widget `default/w`: unknown field `spec.sizee` (did you mean `size`?) [schema-violation]"), "{t}");
    assert!(t.contains("unknown field `spec.countt`"), "the config's folder still counts: {t}");
    assert!(!t.contains("schema-unknown-kind"), "{t}");
    // Repeatable; a folder that does not exist is a usage error.
    let o = drlint(&["check", "-f", "gcc", "--crd", "crds", "--crd", "vendor", "--no-config", "repo"], root);
    assert!(text(&o).contains("unknown field `spec.countt`") && text(&o).contains("unknown field `spec.sizee`"), "{}", text(&o));
    let o = drlint(&["check", "--crd", "nowhere", "repo"], root);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("--crd nowhere: not a folder"), "{}", text(&o));
}

#[test]
fn kubernetes_version_picks_a_bundled_version_and_refuses_others() {
    let dir = repo();
    let root = dir.path();
    for ok in ["1.37.0", "v1.37.0", "1.37"] {
        let o = drlint(&["check", "-f", "gcc", "--kubernetes-version", ok, "repo"], root);
        assert_eq!(o.status.code(), Some(1), "{ok}: {}", text(&o));
    }
    let o = drlint(&["check", "--kubernetes-version", "1.29.0", "repo"], root);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains("Kubernetes version `1.29.0` is not bundled (bundled: 1.37.0)"), "{}", text(&o));
    // The config key: a bad version is a config error at its line.
    write(root, "repo/.drlint.yaml", "schema:\n  crd-dirs: [../vendor]\n  kubernetes-version: \"1.29\"\n");
    let o = drlint(&["check", "repo"], root);
    assert_eq!(o.status.code(), Some(2));
    assert!(text(&o).contains(".drlint.yaml:3:23: error: Kubernetes version `1.29` is not bundled (bundled: 1.37.0)"), "{}", text(&o));
    write(root, "repo/.drlint.yaml", "schema:\n  kubernetes-version: v1.37.0\n");
    let s = drlint::settings::Settings::load(&root.join("repo/.drlint.yaml")).unwrap();
    assert_eq!(s.schema.kubernetes_version, Some("1.37.0"));
    let _ = crate_root();
}

/// A check of a folder of two repositories validates each one's objects with its own CRDs: a
/// Widget CRD in one does not judge the other's Widgets (which have no CRD there: a note).
#[test]
fn each_repository_of_a_run_is_validated_with_its_own_crds() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let flux = |path: &str| {
        format!("apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\n  namespace: flux-system\nspec:\n  interval: 10m\n  path: {path}\n  prune: true\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n")
    };
    let widget = "apiVersion: example.org/v1\nkind: Widget\nmetadata:\n  name: w\n  namespace: default\nspec:\n  size: big\n";
    write(root, "one/clusters/main/apps.yaml", &flux("./apps"));
    write(root, "one/apps/kustomization.yaml", "resources: [crd.yaml, widget.yaml]\n");
    write(root, "one/apps/crd.yaml", &crd("example.org", "Widget", "size"));
    write(root, "one/apps/widget.yaml", widget);
    write(root, "two/clusters/main/apps.yaml", &flux("./apps"));
    write(root, "two/apps/kustomization.yaml", "resources: [widget.yaml]\n");
    write(root, "two/apps/widget.yaml", widget);
    let out = drlint(&["check", "--format", "gcc", "."], root);
    let t = text(&out);
    let violations: Vec<&str> = t.lines().filter(|l| l.contains("[schema-violation]")).collect();
    assert_eq!(violations.len(), 1, "{t}");
    assert!(violations[0].starts_with("one/apps/widget.yaml:"), "{t}");
    assert!(t.lines().any(|l| l.starts_with("two/apps/widget.yaml:") && l.contains("[schema-unknown-kind]")), "{t}");
}
