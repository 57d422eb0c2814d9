//! kustomize conformance: every case of ../shared/kustomize-conformance (kustomize's own
//! end-to-end tests with kustomize v5.5.0's output) rendered by drlint's renderer.
//! Prints pass counts per feature; the semantic pass count must not fall below `RATCHET`.

mod common;

use drlint::kustomize::{render, to_yaml, LoadRestrictor, RenderOptions};
use drlint::source::yaml::parse;
use drlint::source::{FileId, SourceDb};
use std::collections::BTreeMap;
use std::path::Path;

/// Raise as the renderer improves; never lower.
const RATCHET: usize = 290;

struct Case {
    id: String,
    dir: String,
    restrictor: String,
    expect: String,
    features: Vec<String>,
}

fn cases(root: &Path) -> Vec<Case> {
    let tsv = std::fs::read_to_string(root.join("cases.tsv")).unwrap_or_default();
    tsv.lines()
        .skip(1)
        .filter_map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            if f.len() < 5 {
                return None;
            }
            Some(Case {
                id: f[0].into(),
                dir: f[1].into(),
                restrictor: f[2].into(),
                expect: f[3].into(),
                features: f[4].split(',').map(str::to_string).collect(),
            })
        })
        .collect()
}

fn docs_json(text: &str) -> Vec<serde_json::Value> {
    parse(FileId(0), text).documents.into_iter().filter_map(|d| d.root).map(|r| r.to_json()).collect()
}

#[derive(Default)]
struct Count {
    total: usize,
    semantic: usize,
    exact: usize,
}

#[test]
fn conformance() {
    let Some(root) = common::shared().map(|s| s.join("kustomize-conformance")).filter(|r| r.join("cases.tsv").exists()) else {
        println!("skipped: ../shared/kustomize-conformance is absent");
        return;
    };
    let only = std::env::var("CASE").ok();
    let mut per_feature: BTreeMap<String, Count> = BTreeMap::new();
    let mut total = Count::default();
    let mut failures = Vec::new();
    for c in cases(&root) {
        if only.as_deref().is_some_and(|o| !c.id.contains(o)) {
            continue;
        }
        let case_dir = root.join("cases").join(&c.id);
        let input = case_dir.join("input");
        let dir = input.join(&c.dir);
        let opts = RenderOptions {
            load_restrictor: if c.restrictor == "LoadRestrictionsNone" { LoadRestrictor::None } else { LoadRestrictor::RootOnly },
            repo_root: input.clone(),
        };
        let mut db = SourceDb::new();
        let rendered = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| render(&mut db, &dir, &opts)));
        let (semantic, exact, detail) = match rendered {
            Err(_) => (false, false, "PANIC".to_string()),
            Ok(r) => {
                if c.expect == "error" {
                    (!r.ok, !r.ok, if r.ok { "expected an error, rendered fine".into() } else { String::new() })
                } else if !r.ok {
                    let msg: Vec<String> = r.diagnostics.iter().map(|d| d.message.clone()).collect();
                    (false, false, format!("failed: {}", msg.join("; ")))
                } else {
                    let nodes: Vec<_> = r.objects.into_iter().map(|o| o.node).collect();
                    let out = to_yaml(&nodes);
                    let expected = std::fs::read_to_string(case_dir.join("expected.yaml")).unwrap_or_default();
                    let exact = out == expected;
                    let semantic = exact || docs_json(&out) == docs_json(&expected);
                    (semantic, exact, if semantic { String::new() } else { "output differs".into() })
                }
            }
        };
        total.total += 1;
        total.semantic += semantic as usize;
        total.exact += exact as usize;
        for f in &c.features {
            let e = per_feature.entry(f.clone()).or_default();
            e.total += 1;
            e.semantic += semantic as usize;
            e.exact += exact as usize;
        }
        if !semantic {
            failures.push(format!("{}: {detail}", c.id));
        } else if !exact && std::env::var("SHOW_INEXACT").is_ok() {
            failures.push(format!("{} (semantic only)", c.id));
        }
    }
    println!("{:<40} {:>6} {:>9} {:>6}", "feature", "cases", "semantic", "exact");
    for (f, c) in &per_feature {
        println!("{:<40} {:>6} {:>9} {:>6}", f, c.total, c.semantic, c.exact);
    }
    println!("{:<40} {:>6} {:>9} {:>6}", "TOTAL", total.total, total.semantic, total.exact);
    for f in &failures {
        println!("FAIL {f}");
    }
    assert!(total.semantic >= RATCHET || only.is_some(), "semantic passes {} fell below the ratchet {RATCHET}", total.semantic);
}
