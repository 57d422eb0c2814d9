//! `drlint check --fix` on a temporary copy: 5-field CNPG schedules become 6-field in place, quotes,
//! comments and layout kept; each change printed; a second run changes nothing.

mod common;

use common::*;
use std::process::Command;

fn run(dir: &std::path::Path) -> (String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_drlint"))
        .args(["check", "--fix", "--no-config", "--format", "gcc", "."])
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .output()
        .unwrap();
    // With a machine format the changes go to stderr: both streams, changes first.
    (String::from_utf8(out.stderr).unwrap() + &String::from_utf8(out.stdout).unwrap(), out.status.code().unwrap())
}

#[test]
fn fix_rewrites_five_field_schedules_in_place_and_is_idempotent() {
    let src = crate_root().join("tests/data/fix/scheduled-backups.yaml");
    let original = std::fs::read_to_string(&src).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("scheduled-backups.yaml");
    std::fs::write(&file, &original).unwrap();

    let (out, _) = run(dir.path());
    let fixed: Vec<&str> = out.lines().filter(|l| l.contains(": fixed: ")).collect();
    assert_eq!(
        fixed,
        [
            r#"scheduled-backups.yaml:8:13: fixed: "0 2 * * *" -> "0 0 2 * * *""#,
            r#"scheduled-backups.yaml:19:13: fixed: "0 3 * * 0" -> "0 0 3 * * 0""#,
            r#"scheduled-backups.yaml:30:13: fixed: "30  1 * * MON-FRI" -> "0 30  1 * * MON-FRI""#,
        ]
    );
    let after = std::fs::read_to_string(&file).unwrap();
    let expected = original
        .replace(r#"schedule: "0 2 * * *"   # daily"#, r#"schedule: "0 0 2 * * *"   # daily"#)
        .replace("schedule: '0 3 * * 0'", "schedule: '0 0 3 * * 0'")
        .replace("schedule: 30  1 * * MON-FRI", "schedule: 0 30  1 * * MON-FRI");
    assert_eq!(after, expected, "only the three scalars change");

    // The remaining findings are reported as usual: the unfixable day-of-week 7 is still there.
    assert!(out.lines().any(|l| l.starts_with("scheduled-backups.yaml:61:13: error:") && l.ends_with("[cnpg-schedule-six-field]")), "{out}");
    let six: Vec<&str> = out.lines().filter(|l| l.ends_with("[cnpg-schedule-six-field]")).collect();
    assert_eq!(six.len(), 1, "only the unfixable schedule is still reported: {out}");

    // The finding left is said, with why.
    assert!(out.lines().any(|l| l.starts_with("scheduled-backups.yaml:61:13: not fixed: ")), "{out}");

    // Idempotent: nothing left to fix, the file is unchanged.
    let (again, _) = run(dir.path());
    assert!(!again.contains(": fixed: "), "{again}");
    assert_eq!(std::fs::read_to_string(&file).unwrap(), expected);
}

#[test]
fn without_fix_nothing_is_written() {
    let src = crate_root().join("tests/data/fix/scheduled-backups.yaml");
    let original = std::fs::read_to_string(&src).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("scheduled-backups.yaml");
    std::fs::write(&file, &original).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_drlint")).args(["check", "--no-config", "--format", "gcc", "."]).current_dir(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), original);
}

#[test]
fn machine_formats_keep_stdout_a_single_document() {
    let src = crate_root().join("tests/data/fix/scheduled-backups.yaml");
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(&src, dir.path().join("scheduled-backups.yaml")).unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_drlint"))
        .args(["check", "--fix", "--no-config", "--format", "json", "."])
        .current_dir(dir.path())
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(serde_json::from_str::<serde_json::Value>(&stdout).is_ok(), "{stdout}");
    assert_eq!(stderr.lines().filter(|l| l.contains(": fixed: ")).count(), 3, "{stderr}");
}

/// A schedule that is one `${VAR}` from the Flux Kustomization's postBuild.substitute is reported
/// and fixed at the substitute entry; a value that fills two places is left, with the reason.
#[test]
fn substituted_values_are_fixed_where_they_are_set() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    std::fs::create_dir_all(root.join("apps/db")).unwrap();
    std::fs::create_dir_all(root.join("clusters/prod")).unwrap();
    std::fs::write(root.join("apps/db/kustomization.yaml"), "resources: [backups.yaml]\n").unwrap();
    let backup = |name: &str, var: &str| format!("apiVersion: postgresql.cnpg.io/v1\nkind: ScheduledBackup\nmetadata:\n  name: {name}\n  namespace: db\nspec:\n  schedule: \"${{{var}}}\"\n  method: volumeSnapshot\n  cluster:\n    name: pg\n");
    std::fs::write(root.join("apps/db/backups.yaml"), format!("{}---\n{}---\n{}", backup("a", "ONE"), backup("b", "TWO"), backup("c", "TWO"))).unwrap();
    let flux = "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\n  namespace: flux-system\nspec:\n  path: ./apps/db\n  postBuild:\n    substitute:\n      ONE: \"0 2 * * *\"\n      TWO: \"0 3 * * *\"\n";
    std::fs::write(root.join("clusters/prod/apps.yaml"), flux).unwrap();
    let (out, _) = run(root);
    assert!(out.contains("clusters/prod/apps.yaml:10:12: fixed: \"0 2 * * *\" -> \"0 0 2 * * *\""), "{out}");
    assert!(out.contains("clusters/prod/apps.yaml:11:12: not fixed: this postBuild.substitute value fills 2 places"), "{out}");
    let after = std::fs::read_to_string(root.join("clusters/prod/apps.yaml")).unwrap();
    assert_eq!(after, flux.replace("ONE: \"0 2 * * *\"", "ONE: \"0 0 2 * * *\""));
    // The base keeps its `${ONE}`; the finding named it as a label.
    assert!(std::fs::read_to_string(root.join("apps/db/backups.yaml")).unwrap().contains("${ONE}"));
}
