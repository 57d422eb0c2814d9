//! Bad input never panics: `drlint::lint` over every folder of ../shared as the checked path —
//! each corpus repository, each of its immediate sub-folders on its own (so that a base, an
//! overlay or a loose folder is the whole repository), each kustomize conformance case, and the
//! other shared folders (CRDs, schemas, hooks). A panic in any of them fails the test with the
//! folder and the panic message.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Mutex;

fn subdirs(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(Result::ok).map(|e| e.path()).filter(|p| p.is_dir()).collect())
        .unwrap_or_default();
    out.sort();
    out
}

#[test]
fn lint_never_panics_on_shared() {
    let Some(shared) = common::shared() else {
        println!("skipped: ../shared is absent");
        return;
    };
    let mut dirs = vec![shared.clone()];
    for top in subdirs(&shared) {
        dirs.push(top.clone());
        if top.ends_with("corpus") {
            for repo in subdirs(&top) {
                dirs.push(repo.clone());
                dirs.extend(subdirs(&repo).into_iter().filter(|d| !d.ends_with(".git")));
            }
        } else if top.ends_with("kustomize-conformance") {
            dirs.extend(subdirs(&top.join("cases")));
        }
    }
    // The whole of ../shared at once is the corpus again; lint its parts only.
    dirs.retain(|d| d != &shared && !d.ends_with("corpus"));
    let started = std::time::Instant::now();
    let queue = Mutex::new(dirs.clone());
    let panics: Mutex<Vec<String>> = Mutex::new(Vec::new());
    // Panics are expected to be caught and reported below, not printed as they happen.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    std::thread::scope(|s| {
        for _ in 0..2 {
            s.spawn(|| {
                loop {
                    let Some(dir) = queue.lock().unwrap().pop() else { break };
                    let settings = drlint::settings::Settings { root: dir.clone(), ..Default::default() };
                    let result = std::panic::catch_unwind(|| drlint::lint(std::slice::from_ref(&dir), &settings));
                    if let Err(e) = result {
                        let msg = e.downcast_ref::<String>().cloned().or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string())).unwrap_or_default();
                        panics.lock().unwrap().push(format!("{}: {msg}", dir.display()));
                    }
                }
            });
        }
    });
    std::panic::set_hook(hook);
    let panics = panics.into_inner().unwrap();
    println!("linted {} folders of ../shared in {:.1}s; {} panicked", dirs.len(), started.elapsed().as_secs_f64(), panics.len());
    for p in &panics {
        println!("PANIC {p}");
    }
    assert!(panics.is_empty(), "drlint panicked on {} folders", panics.len());
}
