//! `drlint matrix` on a fixture repository (tests/data/matrix): every format against its golden file,
//! deterministic, a valid Markdown table, and no Secret value anywhere.

mod common;

use common::*;
use std::process::Command;

const SECRET_VALUES: &[&str] = &["AKIAEXAMPLESECRETVALUE", "super-secret-value-do-not-print"];

fn matrix(format: &str) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_drlint"))
        .args(["matrix", "--format", format, "tests/data/matrix"])
        .current_dir(crate_root())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn every_format_matches_its_golden_file() {
    for (format, ext) in [("md", "md"), ("json", "json"), ("csv", "csv")] {
        let text = matrix(format);
        for v in SECRET_VALUES {
            assert!(!text.contains(v), "{format} output shows a Secret value");
        }
        assert_eq!(text, matrix(format), "{format}: two runs differ");
        golden(&crate_root().join(format!("tests/golden/matrix.{ext}")), &text);
    }
}

#[test]
fn markdown_is_a_valid_table() {
    let text = matrix("md");
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.len() > 2);
    let columns = |l: &str| {
        assert!(l.starts_with("| ") && l.ends_with(" |"), "not a table row: {l}");
        // Unescaped pipes separate cells.
        l.replace("\\|", "").matches('|').count() - 1
    };
    let n = columns(lines[0]);
    assert!(lines[1].split('|').filter(|c| !c.is_empty()).all(|c| c.trim() == "---"));
    for l in &lines {
        assert_eq!(columns(l), n, "row with another number of cells: {l}");
    }
}

#[test]
fn json_rows_are_sorted_and_name_every_store() {
    let v: serde_json::Value = serde_json::from_str(&matrix("json")).unwrap();
    let stores = v["stores"].as_array().unwrap();
    let keys: Vec<(String, String, String)> = stores
        .iter()
        .map(|s| (s["namespace"].as_str().unwrap().into(), s["kind"].as_str().unwrap().into(), s["name"].as_str().unwrap().into()))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
    for want in ["ledger", "ledger-drill", "reports", "immich-ml/cache", "library", "scratch", "config", "notes"] {
        assert!(keys.iter().any(|k| k.2 == want), "no row for {want}");
    }
}

#[test]
fn missing_path_and_bad_config_exit_2() {
    let out = Command::new(env!("CARGO_BIN_EXE_drlint")).args(["matrix", "no/such/dir"]).current_dir(crate_root()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join(".drlint.yaml"), "rpo:\n  default: soon\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_drlint")).args(["matrix"]).arg(dir.path()).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(":2:12: error: rpo.default `soon` is not a duration"), "{err}");
}
