//! Shared helpers for the integration tests.
#![allow(dead_code)]

use drlint::diag::{self, Diagnostic};
use drlint::settings::{self, Settings};
use std::path::{Path, PathBuf};

pub fn crate_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared` next to the crate (or `$DRLINT_SHARED`), when present. Every test that reads the
/// shared corpus or conformance cases finds it here, so `DRLINT_SHARED=/nonexistent cargo test`
/// runs the suite as a fresh clone without `../shared` does (`.ci/run` does so).
pub fn shared() -> Option<PathBuf> {
    let p = std::env::var_os("DRLINT_SHARED").map(PathBuf::from).unwrap_or_else(|| crate_root().join("../shared"));
    p.is_dir().then_some(p)
}

/// Lint a folder with its own `.drlint.yaml` if it has one, as `drlint check DIR` does.
pub fn lint_dir(dir: &Path) -> drlint::Report {
    let settings = match settings::find_config(&[dir.to_path_buf()]) {
        Some(cfg) => Settings::load(&cfg).expect("fixture config loads"),
        None => Settings { root: dir.to_path_buf(), ..Settings::default() },
    };
    drlint::lint(&[dir.to_path_buf()], &settings)
}

/// gcc-style lines with paths relative to `base`.
pub fn gcc_lines(report: &drlint::Report, base: &Path, filter: impl Fn(&Diagnostic) -> bool) -> Vec<String> {
    let base = drlint::source::normalize(base);
    report
        .diagnostics
        .iter()
        .filter(|d| filter(d))
        .map(|d| {
            let l = diag::locate(&report.db, d);
            let real = drlint::source::normalize(&report.db.get(d.span.file).real_path);
            let rel = real.strip_prefix(&base).map(|p| p.to_string_lossy().into_owned()).unwrap_or(l.path.clone());
            format!("{}:{}:{}: {}: {} [{}]", rel, l.line, l.column, d.severity.as_str(), d.message, d.rule)
        })
        .collect()
}

/// Compare `actual` with the golden file, or write it when DRLINT_BLESS is set.
pub fn golden(path: &Path, actual: &str) {
    if std::env::var_os("DRLINT_BLESS").is_some() {
        std::fs::write(path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(path).unwrap_or_else(|_| panic!("missing golden file {} (run with DRLINT_BLESS=1)", path.display()));
    if expected != actual {
        panic!("{} differs from the output (run with DRLINT_BLESS=1 to update):\n--- expected\n{expected}\n--- actual\n{actual}", path.display());
    }
}
