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
    (String::from_utf8(out.stdout).unwrap(), out.status.code().unwrap())
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
