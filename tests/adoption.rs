//! Adopting drlint on a real repository: checking a sub-folder or one file with the whole
//! repository as context, config discovery, `exclude`, the baseline, the output files and formats
//! CI reads, and the GitHub workflow recipe run step by step.

mod common;

use common::*;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn drlint(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_drlint")).args(args).current_dir(cwd).env("NO_COLOR", "1").env_remove("GIT_CEILING_DIRECTORIES").output().unwrap()
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

fn copy_dir(from: &Path, to: &Path) {
    for e in walkdir::WalkDir::new(from).into_iter().filter_map(Result::ok) {
        let rel = e.path().strip_prefix(from).unwrap();
        let dest = to.join(rel);
        if e.file_type().is_dir() {
            std::fs::create_dir_all(&dest).unwrap();
        } else {
            std::fs::copy(e.path(), &dest).unwrap();
        }
    }
}

/// The example repository copied into a temporary git checkout (a `.git` folder, no config).
fn example_repo() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("repo");
    copy_dir(&crate_root().join("examples"), &root);
    std::fs::remove_file(root.join(".drlint.yaml")).unwrap();
    std::fs::create_dir_all(root.join(".git")).unwrap();
    (dir, root)
}

#[test]
fn a_sub_folder_or_a_file_is_checked_with_the_whole_repository_as_context() {
    let (_t, root) = example_repo();
    let all = stdout(&drlint(&["check", "--format", "gcc", "."], &root));
    let staging = stdout(&drlint(&["check", "--format", "gcc", "apps/staging"], &root));
    assert!(!staging.contains("kustomize-build-failed"), "{staging}");
    assert!(!staging.is_empty());
    for line in staging.lines() {
        assert!(line.starts_with("apps/staging/"), "{line}");
        assert!(all.contains(line), "a finding of the sub-folder that the whole check lacks: {line}");
    }
    // One file, from inside a sub-folder: its ScheduledBackup's Cluster is found next to it.
    let base = root.join("apps/base/billing-db");
    let one = stdout(&drlint(&["check", "--format", "gcc", "scheduled-backup.yaml"], &base));
    assert!(one.contains("scheduled-backup.yaml:") && one.contains("[cnpg-schedule-six-field]"), "{one}");
    assert!(!one.contains("does not exist"), "{one}");
}

#[test]
fn config_is_found_from_the_paths_up_to_the_repository_root_and_exclude_excludes() {
    let (_t, root) = example_repo();
    let before = stdout(&drlint(&["check", "--format", "gcc", "apps"], &root));
    assert!(before.contains("apps/base/billing-db/scheduled-backup.yaml"), "{before}");
    // The root's config applies to `drlint check apps`, and an excluded file has no findings even
    // though a Flux Kustomization renders it.
    std::fs::write(root.join(".drlint.yaml"), "exclude: [\"apps/base/billing-db/scheduled-backup.yaml\"]\n").unwrap();
    let after = stdout(&drlint(&["check", "--format", "gcc", "apps"], &root));
    assert!(!after.contains("scheduled-backup.yaml"), "{after}");
    assert!(after.contains("apps/staging/"), "{after}");
}

#[test]
fn baseline_hides_known_findings_survives_line_moves_and_reports_stale_entries() {
    let (_t, root) = example_repo();
    let o = drlint(&["check", "--baseline-write", ".drlint-baseline.json"], &root);
    assert_eq!(o.status.code(), Some(0));
    let o = drlint(&["check", "--format", "gcc", "--baseline", ".drlint-baseline.json"], &root);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).is_empty(), "{}", stdout(&o));
    // Lines move: comments added above the findings. Still nothing new.
    let sb = root.join("apps/base/billing-db/scheduled-backup.yaml");
    let text = std::fs::read_to_string(&sb).unwrap();
    std::fs::write(&sb, format!("# moved\n# down\n{text}")).unwrap();
    let o = drlint(&["check", "--format", "gcc", "--baseline", ".drlint-baseline.json"], &root);
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    // A fixed finding leaves a stale entry: a note at its line of the baseline.
    std::fs::write(&sb, text.replace("0 2 * * *", "0 0 2 * * *")).unwrap();
    let o = drlint(&["check", "--format", "gcc", "--baseline", ".drlint-baseline.json", "."], &root);
    let out = stdout(&o);
    assert!(out.lines().any(|l| l.starts_with(".drlint-baseline.json:") && l.ends_with("[unused-suppression]")), "{out}");
    assert!(!out.lines().any(|l| l.starts_with("apps/base/billing-db/scheduled-backup.yaml:")), "{out}");
    // A new finding is reported and fails the check.
    std::fs::write(&sb, text.replace("0 2 * * *", "0 3 * * *")).unwrap();
    let o = drlint(&["check", "--format", "gcc", "--baseline", ".drlint-baseline.json", "."], &root);
    assert_eq!(o.status.code(), Some(1));
    assert!(stdout(&o).contains("scheduled-backup.yaml:7:13: error: 5-field schedule `0 3 * * *`"), "{}", stdout(&o));
}

#[test]
fn output_files_exit_zero_and_ci_formats() {
    let (_t, root) = example_repo();
    let o = drlint(&["check", "--exit-zero", "-o", "sarif:out.sarif", "-o", "report.xml", "-o", "rd.jsonl", "."], &root);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("more: drlint explain "), "human output on stdout");
    let sarif: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(root.join("out.sarif")).unwrap()).unwrap();
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert!(!results.is_empty());
    for r in results {
        let text = r["message"]["text"].as_str().unwrap();
        assert!(!text.contains(".."), "no doubled period: {text}");
    }
    let junit = std::fs::read_to_string(root.join("report.xml")).unwrap();
    assert!(junit.starts_with("<?xml") && junit.contains("<failure ") && junit.trim_end().ends_with("</testsuites>"));
    let rd = std::fs::read_to_string(root.join("rd.jsonl")).unwrap();
    assert_eq!(rd.lines().count(), results.len());
    for line in rd.lines() {
        let v: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(v["location"]["range"]["start"]["line"].as_u64().is_some() && v["code"]["value"].is_string());
    }
    assert_eq!(drlint(&["check", "-o", "noformat", "."], &root).status.code(), Some(2));
}

#[test]
fn plain_terminals_get_ascii_and_help_code_is_never_wrapped() {
    let (_t, root) = example_repo();
    let o = Command::new(env!("CARGO_BIN_EXE_drlint")).args(["check", "."]).current_dir(&root).env("TERM", "dumb").env_remove("NO_COLOR").output().unwrap();
    let out = stdout(&o);
    assert!(out.is_ascii(), "TERM=dumb output is ASCII");
    assert!(!out.contains('\u{1b}'), "no colour");
    assert_eq!(drlint(&["explain", "CNPG-Schedule-Six-Field"], &root).status.code(), Some(0));
    // Prose wraps at spaces, code lines never.
    let wrapped = drlint::diag::human::wrap_prose("move it to the plugin, and name it in the Cluster's plugins list today\n    parameters: {barmanObjectName: cnpg-s3-store-with-a-long-name}", 30);
    assert!(wrapped.contains("    parameters: {barmanObjectName: cnpg-s3-store-with-a-long-name}"), "{wrapped}");
    assert!(wrapped.lines().next().unwrap().len() <= 30);
}

#[test]
fn unresolved_variables_are_one_note_per_variable_and_external_ones_are_declared() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join(".git")).unwrap();
    std::fs::create_dir_all(root.join("apps")).unwrap();
    std::fs::create_dir_all(root.join("clusters/prod")).unwrap();
    let cm = |n: usize| format!("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c{n}\n  namespace: app\ndata:\n  host: \"db.${{SECRET_DOMAIN}}\"\n");
    let docs: Vec<String> = (0..5).map(cm).collect();
    std::fs::write(root.join("apps/cms.yaml"), docs.join("---\n")).unwrap();
    std::fs::write(root.join("apps/kustomization.yaml"), "resources: [cms.yaml]\n").unwrap();
    std::fs::write(
        root.join("clusters/prod/apps.yaml"),
        "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\n  namespace: flux-system\nspec:\n  path: ./apps\n  postBuild:\n    substituteFrom:\n      - kind: Secret\n        name: cluster-secrets\n",
    )
    .unwrap();
    let out = stdout(&drlint(&["check", "--format", "gcc", "."], root));
    let notes: Vec<&str> = out.lines().filter(|l| l.ends_with("[flux-substitution-unresolved]")).collect();
    assert_eq!(notes.len(), 1, "{out}");
    assert!(notes[0].contains("(here and in 4 more places)"), "{}", notes[0]);
    std::fs::write(root.join(".drlint.yaml"), "external-variables: [\"SECRET_*\"]\n").unwrap();
    let out = stdout(&drlint(&["check", "--format", "gcc", "."], root));
    assert!(!out.contains("[flux-substitution-unresolved]"), "{out}");
}

/// The workflow in docs/ci/github-workflow.yml, its drlint step run as written (with this build
/// of drlint first on PATH) in a repository with findings: annotations on stdout, the SARIF and
/// JUnit files written although the step fails, as the upload step needs.
#[test]
fn the_github_workflow_steps_run_locally() {
    let workflow = std::fs::read_to_string(crate_root().join("docs/ci/github-workflow.yml")).unwrap();
    let parsed = drlint::source::yaml::parse(drlint::source::FileId(0), &workflow);
    let wf = parsed.documents[0].root.as_ref().unwrap().to_json();
    let steps = wf["jobs"]["drlint"]["steps"].as_array().unwrap();
    let step = steps.iter().find(|s| s["name"] == "drlint").expect("a step named drlint");
    let run = step["run"].as_str().unwrap();
    let upload = steps.iter().find(|s| s["uses"].as_str().is_some_and(|u| u.starts_with("github/codeql-action/upload-sarif"))).expect("an upload step");
    assert!(upload["if"].as_str().unwrap().contains("!cancelled()"), "the upload runs when findings fail the job");
    let sarif_file = upload["with"]["sarif_file"].as_str().unwrap();
    assert!(steps.iter().any(|s| s["run"].as_str().is_some_and(|r| r.contains("cargo install --locked"))));

    let (_t, root) = example_repo();
    let bin_dir = PathBuf::from(env!("CARGO_BIN_EXE_drlint")).parent().unwrap().to_path_buf();
    let path = format!("{}:{}", bin_dir.display(), std::env::var("PATH").unwrap_or_default());
    let o = Command::new("sh").arg("-c").arg(run).current_dir(&root).env("PATH", path).output().unwrap();
    assert_eq!(o.status.code(), Some(1), "findings fail the job");
    let out = stdout(&o);
    assert!(out.lines().any(|l| l.starts_with("::error file=")), "{out}");
    let sarif: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(root.join(sarif_file)).unwrap()).unwrap();
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), out.lines().filter(|l| l.starts_with("::")).count());
    assert!(root.join("drlint-junit.xml").is_file());
}
