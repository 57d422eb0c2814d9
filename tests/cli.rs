//! The command line as users and CI see it: every output format (golden files), exit codes, config
//! errors, hostile input, and that no Secret value ever reaches the output.

mod common;

use common::*;
use std::path::Path;
use std::process::{Command, Output};

/// Run drlint as a user would. The fixtures and test repositories inside this checkout are
/// repositories of their own: `GIT_CEILING_DIRECTORIES` stops the search for the repository root
/// below the checkout (as it stops git), so the checkout's `.git` does not make drlint's whole
/// source tree the context.
fn drlint(args: &[&str], cwd: &Path) -> Output {
    drlint_cmd(args, cwd).output().unwrap()
}

fn drlint_cmd(args: &[&str], cwd: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_drlint"));
    c.args(args).current_dir(cwd).env("NO_COLOR", "1").env("GIT_CEILING_DIRECTORIES", crate_root());
    c
}

fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

const SECRET_VALUES: &[&str] = &["AKIAEXAMPLESECRETVALUE", "super-secret-value-do-not-print"];

#[test]
fn every_format_matches_its_golden_file_and_hides_secret_values() {
    let root = crate_root();
    for format in ["human", "gcc", "json", "sarif", "github"] {
        let out = drlint(&["check", "--format", format, "tests/data/repo"], &root);
        assert_eq!(out.status.code(), Some(1), "{format}: findings at warning or above exit 1");
        let text = stdout(&out);
        for v in SECRET_VALUES {
            assert!(!text.contains(v), "{format} output shows a Secret value");
        }
        let ext = match format {
            "json" => "json",
            "sarif" => "sarif",
            _ => "txt",
        };
        let text = if format == "sarif" { normalise_sarif_root(&text) } else { text };
        golden(&root.join(format!("tests/golden/check.{format}.{ext}")), &text);
    }
}

/// SARIF names the absolute checkout folder; golden files must not depend on it.
fn normalise_sarif_root(s: &str) -> String {
    let cwd = crate_root().canonicalize().unwrap();
    s.replace(&format!("file://{}/", cwd.display()), "file://$ROOT/").replace(&format!("file://{}/", crate_root().display()), "file://$ROOT/")
}

#[test]
fn gcc_is_one_line_per_finding_in_problem_matcher_shape() {
    let out = drlint(&["check", "--format", "gcc", "tests/data/repo"], &crate_root());
    let re = regex::Regex::new(r"^[^:]+:\d+:\d+: (error|warning|note): .+ \[[a-z0-9-]+\]$").unwrap();
    let text = stdout(&out);
    assert!(!text.is_empty());
    for line in text.lines() {
        assert!(re.is_match(line), "not a problem-matcher line: {line}");
    }
}

#[test]
fn output_is_deterministic() {
    let a = stdout(&drlint(&["check", "--format", "json", "tests/data/repo"], &crate_root()));
    let b = stdout(&drlint(&["check", "--format", "json", "tests/data/repo"], &crate_root()));
    assert_eq!(a, b);
}

#[test]
fn exit_codes() {
    let root = crate_root();
    // Findings below the fail level: 0.
    let o = drlint(&["check", "--fail-level", "error", "fixtures/cnpg-cluster-no-backup/bad"], &root);
    assert_eq!(o.status.code(), Some(0));
    // At or above: 1.
    let o = drlint(&["check", "fixtures/cnpg-cluster-no-backup/bad"], &root);
    assert_eq!(o.status.code(), Some(1));
    // Clean: 0, and quiet with -q (a folder no rule has anything to say about, notes included).
    let o = drlint(&["check", "-q", "fixtures/yaml-invalid/good"], &root);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).is_empty());
    // Usage errors, missing paths, unknown rules: 2.
    assert_eq!(drlint(&["check", "--no-such-flag"], &root).status.code(), Some(2));
    assert_eq!(drlint(&["check", "does/not/exist"], &root).status.code(), Some(2));
    assert_eq!(drlint(&["explain", "no-such-rule"], &root).status.code(), Some(2));
    assert_eq!(drlint(&["frobnicate"], &root).status.code(), Some(2));
}

#[test]
fn config_errors_name_their_line_and_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("rules:\n  cnpg-cluster-no-backups: off\n", ":2:3: error: unknown rule `cnpg-cluster-no-backups` (did you mean `cnpg-cluster-no-backup`?)"),
        ("fail-level: warning\nexclude: [x]\nrulez: {}\n", ":3:1: error: unknown key `rulez`"),
        ("rules:\n  cnpg-cluster-no-backup:\n    severity: fatal\n", ":3:15: error: `fatal` is not a severity"),
        ("rules:\n  cnpg-cluster-no-backup:\n    options:\n      nope: true\n", ":4:7: error: unknown option `nope`"),
        ("rules:\n  cnpg-cluster-no-backup:\n    options:\n      ignore-replica-clusters: maybe\n", ":4:32: error: option `ignore-replica-clusters` of `cnpg-cluster-no-backup` must be true or false"),
        ("rules: [\n", ":2:1: error: invalid YAML"),
    ];
    for (text, expected) in cases {
        std::fs::write(dir.path().join(".drlint.yaml"), text).unwrap();
        let o = drlint(&["check", "."], dir.path());
        assert_eq!(o.status.code(), Some(2), "{text}");
        let err = String::from_utf8(o.stderr).unwrap();
        assert!(err.contains(expected), "{text:?}: {err}");
    }
}

#[test]
fn config_turns_rules_off_changes_severity_and_excludes_paths() {
    let dir = tempfile::tempdir().unwrap();
    let src = crate_root().join("tests/data/repo/apps/db");
    std::fs::create_dir_all(dir.path().join("db")).unwrap();
    for f in ["cluster.yaml", "scratch.yaml"] {
        std::fs::copy(src.join(f), dir.path().join("db").join(f)).unwrap();
    }
    std::fs::write(
        dir.path().join(".drlint.yaml"),
        "fail-level: error\nprovided-secrets: [{name: pg-s3, namespace: db}]\nrules:\n  cnpg-schedule-six-field: warning\n  cnpg-backup-retention-unset: off\n  cnpg-cluster-no-backup:\n    exclude: [\"db/scratch.yaml\"]\n",
    )
    .unwrap();
    let o = drlint(&["check", "--format", "gcc", "."], dir.path());
    let text = stdout(&o);
    assert_eq!(o.status.code(), Some(0), "{text}");
    assert!(text.contains("warning: 5-field schedule"), "{text}");
    assert!(!text.contains("cnpg-backup-retention-unset") && !text.contains("cnpg-cluster-no-backup"), "{text}");
}

#[test]
fn hostile_input_is_reported_and_the_rest_is_checked() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::write(p.join("invalid.yaml"), "a: [1\nb: 2\n").unwrap();
    std::fs::write(p.join("binary.yaml"), [0u8, 159, 146, 150]).unwrap();
    std::fs::write(p.join("latin1.yaml"), b"name: caf\xe9\n").unwrap();
    std::fs::write(p.join("empty.yaml"), "").unwrap();
    std::fs::write(p.join("scalar.yaml"), "just a string\n---\n- a list\n").unwrap();
    std::fs::write(p.join("deep.yaml"), "[".repeat(200_000)).unwrap();
    std::fs::write(p.join("huge.yaml"), "x".repeat(9 * 1024 * 1024)).unwrap();
    let mut bomb = String::from("a: &a [x,x,x,x,x,x,x,x,x,x]\n");
    for (prev, name) in ["a", "b", "c", "d", "e", "f", "g", "h"].iter().zip(["b", "c", "d", "e", "f", "g", "h", "i"]) {
        bomb.push_str(&format!("{name}: &{name} [{}]\n", vec![format!("*{prev}"); 10].join(",")));
    }
    std::fs::write(p.join("bomb.yaml"), bomb).unwrap();
    std::fs::create_dir(p.join("loop")).unwrap();
    #[cfg(unix)]
    std::os::unix::fs::symlink("..", p.join("loop/parent")).unwrap();
    std::fs::copy(crate_root().join("tests/data/repo/apps/db/scratch.yaml"), p.join("scratch.yaml")).unwrap();
    let o = drlint(&["check", "--format", "gcc", "."], p);
    let text = stdout(&o);
    assert_eq!(o.status.code(), Some(1), "{text}\n{}", String::from_utf8_lossy(&o.stderr));
    for expected in [
        "invalid.yaml:2:2: error: invalid YAML",
        "binary.yaml:1:1: warning: binary file",
        "latin1.yaml:1:1: warning: not UTF-8",
        "deep.yaml:1:",
        "huge.yaml:1:1: warning: file is 9437184 bytes",
        "bomb.yaml:5:29: error: alias expansion exceeds",
        "scratch.yaml:4:9: warning: Cluster `db/scratch` has no backup",
    ] {
        assert!(text.contains(expected), "missing `{expected}` in:\n{text}");
    }
    #[cfg(unix)]
    assert!(text.contains("symlink loop"), "{text}");
    assert!(!text.contains("empty.yaml") && !text.contains("scalar.yaml"), "{text}");
}

#[test]
fn suppressed_findings_are_counted() {
    let o = drlint(&["check", "--format", "json", "fixtures/cnpg-cluster-no-backup/good"], &crate_root());
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["summary"]["suppressed"], 1);
}

#[test]
fn rules_lists_every_rule() {
    let text = stdout(&drlint(&["rules"], &crate_root()));
    for r in drlint::rules::all() {
        assert!(text.lines().any(|l| l.starts_with(r.meta().id)), "{}", r.meta().id);
    }
}

/// Validate the SARIF output with the Microsoft SARIF Multitool when `SARIF_MULTITOOL` names it
/// (`.ci/run` installs it from npm); otherwise say why it was skipped.
#[test]
fn sarif_passes_the_sarif_multitool_validator() {
    let Some(tool) = std::env::var_os("SARIF_MULTITOOL") else {
        println!("skipped: SARIF_MULTITOOL is not set (.ci/run installs @microsoft/sarif-multitool and sets it)");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let sarif = dir.path().join("out.sarif");
    let out = drlint(&["check", "--format", "sarif", "tests/data/repo"], &crate_root());
    std::fs::write(&sarif, &out.stdout).unwrap();
    let report = dir.path().join("report.sarif");
    let status = Command::new(tool).arg("validate").arg(&sarif).arg("-o").arg(&report).output().unwrap();
    assert!(status.status.success(), "{}", String::from_utf8_lossy(&status.stdout));
    let v: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&report).unwrap()).unwrap();
    let results = v["runs"][0]["results"].as_array().cloned().unwrap_or_default();
    assert!(results.is_empty(), "SARIF validator findings: {}", serde_json::to_string_pretty(&results).unwrap());
}
