//! The registry and the documentation agree: unique sorted ids, a complete page per rule whose Bad
//! example fires and whose Good example stays silent, and a current docs/rules.md.

mod common;

use common::*;
use drlint::docs;
use drlint::rules;

#[test]
fn registry_is_sorted_and_unique() {
    let ids: Vec<&str> = rules::all().iter().map(|r| r.meta().id).collect();
    let mut sorted = ids.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(ids, sorted, "rules::all() must be sorted by id without duplicates");
    for id in ids {
        assert!(id.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'), "{id} is not kebab-case");
    }
}

#[test]
fn every_page_has_the_sections() {
    for r in rules::all() {
        let m = r.meta();
        assert!(m.doc.starts_with(&format!("# {}\n", m.id)), "rules/{}.md must start with `# {}`", m.id, m.id);
        for s in ["What it finds", "Why it breaks a restore", "Bad", "Good", "How to fix"] {
            let body = docs::section(m.doc, s).unwrap_or_else(|| panic!("rules/{}.md has no `## {s}` section", m.id));
            assert!(!body.trim().is_empty(), "rules/{}.md: `## {s}` is empty", m.id);
        }
        assert!(!m.summary.ends_with('.'), "{}: summaries have no trailing period", m.id);
    }
}

/// Rules whose Bad example cannot be shown as a YAML document (they are about bytes, not YAML).
const NO_YAML_BAD_EXAMPLE: &[&str] = &["file-unreadable"];

#[test]
fn page_examples_bad_fires_good_is_silent() {
    for r in rules::all() {
        let m = r.meta();
        for (title, must_fire) in [("Bad", true), ("Good", false)] {
            if must_fire && NO_YAML_BAD_EXAMPLE.contains(&m.id) {
                continue;
            }
            let example = docs::yaml_example(m.doc, title).unwrap_or_else(|| panic!("rules/{}.md: `## {title}` has no ```yaml block", m.id));
            let dir = tempfile::tempdir().unwrap();
            for (name, text) in docs::example_files(&example) {
                let path = dir.path().join(name);
                std::fs::create_dir_all(path.parent().unwrap()).unwrap();
                std::fs::write(path, text).unwrap();
            }
            let report = lint_dir(dir.path());
            let fired = report.diagnostics.iter().any(|d| d.rule == m.id);
            assert_eq!(fired, must_fire, "rules/{}.md: the {title} example {}", m.id, if must_fire { "does not fire" } else { "fires" });
        }
    }
}

#[test]
fn docs_index_is_current() {
    golden(&crate_root().join("docs/rules.md"), &docs::rules_index());
}

#[test]
fn explain_prints_each_page() {
    for r in rules::all() {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_drlint")).args(["explain", r.meta().id]).output().unwrap();
        assert!(out.status.success());
        let text = String::from_utf8(out.stdout).unwrap();
        assert!(text.contains("## Why it breaks a restore") && text.lines().count() >= 5, "{}", r.meta().id);
    }
}

/// A fresh clone has no `../shared`: every test reaches it through `common::shared()`, which
/// `DRLINT_SHARED` can point elsewhere (`.ci/run` runs the suite once with it absent).
#[test]
fn tests_reach_shared_only_through_common() {
    let needle = format!("{}../shared", '"');
    for e in std::fs::read_dir(crate_root().join("tests")).unwrap().filter_map(Result::ok) {
        let path = e.path();
        if path.extension().is_none_or(|x| x != "rs") || path.ends_with("common.rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        for (i, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            assert!(!code.contains(&needle), "{}:{}: use common::shared() for ../shared", path.display(), i + 1);
        }
    }
}
