//! No Secret value reaches the output: `drlint check` in every format on a repository full of
//! Secrets written every way YAML allows (block and flow style, quoted, block scalars, duplicated
//! keys and blocks, JSON documents, `kind: List`, SOPS, placeholders, kustomize `secretGenerator`
//! literals). Every value in tests/data/redaction holds `RedactMe` (base64: `UmVkYWN0TWU`).
//! (`drlint matrix` joins this test when the command exists; `drlint render` prints what
//! kustomize prints, values included, by design.)

mod common;

use common::*;
use std::process::Command;

const MARKERS: &[&str] = &["RedactMe", "UmVkYWN0TWU", "redactme"];

#[test]
fn no_secret_value_in_any_format() {
    let root = crate_root();
    for format in ["human", "gcc", "json", "sarif", "github"] {
        let out = Command::new(env!("CARGO_BIN_EXE_drlint"))
            .args(["check", "--format", format, "tests/data/redaction"])
            .current_dir(&root)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stdout.trim().is_empty(), "{format}: no output");
        for m in MARKERS {
            assert!(!stdout.contains(m), "{format}: stdout shows a Secret value ({m}):\n{stdout}");
            assert!(!stderr.contains(m), "{format}: stderr shows a Secret value ({m}):\n{stderr}");
        }
    }
}

/// The fixture does exercise snippets next to values: the human report shows masked lines.
#[test]
fn snippets_show_masked_lines_and_key_names() {
    let out = Command::new(env!("CARGO_BIN_EXE_drlint"))
        .args(["check", "--format", "human", "tests/data/redaction"])
        .current_dir(crate_root())
        .env("NO_COLOR", "1")
        // The fixture is its own repository, not a folder of drlint's (whose fixtures hold entry
        // points that do not deploy it).
        .env("GIT_CEILING_DIRECTORIES", crate_root().join("tests/data"))
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    for rule in ["secret-plaintext", "secret-key-missing", "secret-missing-in-namespace", "yaml-duplicate-key"] {
        assert!(text.contains(rule), "the redaction fixture no longer triggers {rule}");
    }
    assert!(text.contains("password: ****"), "key names stay readable, values are masked:\n{text}");
}

/// Masking covers what the tree no longer holds and what is not written in block style.
#[test]
fn mask_covers_every_shape() {
    let report = lint_dir(&crate_root().join("tests/data/redaction"));
    for (_, file) in report.db.iter() {
        let shown = file.display_text();
        for m in MARKERS {
            assert!(!shown.contains(m), "{} still shows a value:\n{shown}", file.path.display());
        }
        // Masking never moves text: spans computed on the original stay valid.
        assert_eq!(shown.len(), file.text().len());
        assert_eq!(shown.lines().count(), file.text().lines().count());
    }
}
