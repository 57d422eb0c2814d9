//! Every rule's fixtures: `fixtures/<rule-id>/bad*/` must produce exactly the findings of that rule
//! listed in its `expected.gcc` (rule, path, line, column, message); `fixtures/<rule-id>/good*/`
//! must produce none of that rule. Run with DRLINT_BLESS=1 to rewrite the expected files.

mod common;

use common::*;
use std::fs;

#[test]
fn fixtures_bad_fire_good_stay_silent() {
    let root = crate_root().join("fixtures");
    let mut checked = 0;
    let mut failures = Vec::new();
    let mut rule_dirs: Vec<_> = fs::read_dir(&root).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_dir()).collect();
    rule_dirs.sort();
    for rule_dir in rule_dirs {
        let id = rule_dir.file_name().unwrap().to_string_lossy().to_string();
        if id == "kustomize" {
            continue;
        }
        assert!(drlint::rules::is_known(&id), "fixtures/{id} names no rule");
        let mut cases: Vec<_> = fs::read_dir(&rule_dir).unwrap().map(|e| e.unwrap().path()).filter(|p| p.is_dir()).collect();
        cases.sort();
        for case in cases {
            let name = case.file_name().unwrap().to_string_lossy().to_string();
            let report = lint_dir(&case);
            let lines = gcc_lines(&report, &case, |d| d.rule == id);
            if name.starts_with("bad") {
                if lines.is_empty() {
                    failures.push(format!("fixtures/{id}/{name}: the rule found nothing on its bad fixture"));
                    continue;
                }
                // kustomize's messages name absolute paths: write the checkout's as `$ROOT`, so the
                // expected files hold in every checkout and worktree.
                let abs_root = crate_root().canonicalize().unwrap_or_else(|_| crate_root());
                let actual = (lines.join("\n") + "\n").replace(&format!("{}/", abs_root.display()), "$ROOT/");
                let expected_path = case.join("expected.gcc");
                if std::env::var_os("DRLINT_BLESS").is_some() {
                    fs::write(&expected_path, &actual).unwrap();
                } else {
                    let expected = fs::read_to_string(&expected_path).unwrap_or_default();
                    if expected != actual {
                        failures.push(format!("fixtures/{id}/{name}:\n--- expected.gcc\n{expected}--- actual\n{actual}"));
                    }
                }
            } else if name.starts_with("good") {
                if !lines.is_empty() {
                    failures.push(format!("fixtures/{id}/{name}: good fixture has findings:\n{}", lines.join("\n")));
                }
            } else {
                failures.push(format!("fixtures/{id}/{name}: case folders are named bad* or good*"));
            }
            checked += 1;
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    println!("{checked} fixture cases checked");
}

/// Every rule has a bad and a good fixture folder.
#[test]
fn every_rule_has_fixtures() {
    for rule in drlint::rules::all() {
        let id = rule.meta().id;
        let dir = crate_root().join("fixtures").join(id);
        let names: Vec<String> = fs::read_dir(&dir)
            .unwrap_or_else(|_| panic!("fixtures/{id}/ is missing"))
            .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
            .collect();
        assert!(names.iter().any(|n| n.starts_with("bad")), "fixtures/{id} has no bad case");
        assert!(names.iter().any(|n| n.starts_with("good")), "fixtures/{id} has no good case");
    }
}
