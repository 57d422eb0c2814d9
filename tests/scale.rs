//! The generated monorepo of scripts/gen-monorepo.sh (the one scripts/bench-scale.sh times) gives
//! the same findings on one thread as on rayon's default pool: rules run in parallel, and their
//! findings are put back in order. No timing here.

mod common;

use std::path::Path;
use std::process::Command;

fn findings(dir: &Path, threads: usize) -> Vec<String> {
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
    pool.install(|| {
        let report = common::lint_dir(dir);
        common::gcc_lines(&report, dir, |_| true)
    })
}

#[test]
fn generated_monorepo_same_findings_on_one_thread_and_many() {
    let tmp = tempfile::tempdir().unwrap();
    let script = common::crate_root().join("scripts/gen-monorepo.sh");
    // 12 overlays: 12 x 51 objects, more than one chunk of per-object work per rule.
    let status = match Command::new("bash").arg(&script).arg(tmp.path()).arg("12").status() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("skipped: cannot run bash ({e})");
            return;
        }
    };
    assert!(status.success(), "{} failed", script.display());
    let one = findings(tmp.path(), 1);
    let many = findings(tmp.path(), 4);
    assert!(!one.is_empty(), "the generated repository has findings (namePrefix breaks CNPG references)");
    assert_eq!(one, many);
    // Every overlay renders the base: one finding per overlay for a reference namePrefix breaks.
    let unknown = one.iter().filter(|l| l.ends_with("[cnpg-scheduled-backup-unknown-cluster]")).count();
    assert_eq!(unknown, 12, "{one:#?}");
}
