//! Baselines: adopt the gate on a repository that already has findings. `drlint check
//! --baseline-write FILE` records today's findings; `drlint check --baseline FILE` hides those and
//! reports only new ones, plus an `unused-suppression` note for each entry that matches nothing
//! any more (the finding was fixed: the entry can go).
//!
//! A finding is recognised by its fingerprint: the rule, the file (relative to the repository
//! root), the message and the text of the line it points at, never the line number, so findings
//! survive lines moving above them. SARIF's `partialFingerprints` carry the same value. Entries
//! match findings as a multiset: two identical findings need two entries.

use crate::diag::Diagnostic;
use crate::rules::source::unused_suppression;
use crate::settings::Settings;
use crate::source::{normalize, SourceDb, Span};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The path of a finding's file relative to the repository root, `/`-separated.
fn root_relative(db: &SourceDb, d: &Diagnostic, root: &Path) -> String {
    let real = normalize(&db.get(d.span.file).real_path);
    match real.strip_prefix(normalize(root)) {
        Ok(rel) => rel.to_string_lossy().replace('\\', "/"),
        Err(_) => crate::diag::display_path(&db.get(d.span.file).path),
    }
}

/// A stable identity for a finding across runs (FNV-1a over rule, path, message and the trimmed
/// text of its first line; hex). The line text comes from the display text: Secret values are
/// masked there and never hashed.
pub fn fingerprint(db: &SourceDb, d: &Diagnostic, root: &Path) -> String {
    let file = db.get(d.span.file);
    let text = file.display_text();
    // Within the text and on a character boundary: a file edited during the run is read again
    // as it is now (`SourceFile::changed`), and its offsets may fall anywhere in it.
    let mut start = (d.span.start as usize).min(text.len());
    while !text.is_char_boundary(start) {
        start -= 1;
    }
    let line_start = text[..start].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let line_end = text[start..].find('\n').map(|i| start + i).unwrap_or(text.len());
    let line = text.get(line_start..line_end).unwrap_or("").trim();
    let path = root_relative(db, d, root);
    let mut h: u64 = 0xcbf29ce484222325;
    for part in [d.rule, path.as_str(), d.message.as_str(), line] {
        for b in part.bytes().chain([0]) {
            h ^= b as u64;
            h = h.wrapping_mul(0x100000001b3);
        }
    }
    format!("{h:016x}")
}

/// The baseline file's text for these findings: one entry per line, sorted, so that a diff of
/// the file reads as the findings that came and went.
pub fn to_text(db: &SourceDb, diags: &[Diagnostic], root: &Path) -> String {
    let mut entries: Vec<(String, &str, String, String)> = diags
        .iter()
        .map(|d| (root_relative(db, d, root), d.rule, d.fingerprint.clone().unwrap_or_else(|| fingerprint(db, d, root)), d.message.clone()))
        .collect();
    entries.sort();
    let mut out = String::from("{\n  \"version\": 1,\n  \"tool\": \"drlint\",\n  \"findings\": [\n");
    for (i, (path, rule, fp, message)) in entries.iter().enumerate() {
        let e = json!({"fingerprint": fp, "rule": rule, "path": path, "message": message});
        out.push_str("    ");
        out.push_str(&e.to_string());
        out.push_str(if i + 1 < entries.len() { ",\n" } else { "\n" });
    }
    out.push_str("  ]\n}\n");
    out
}

/// One entry read back, with where its fingerprint is written.
struct Entry {
    fingerprint: String,
    rule: String,
    path: String,
    span: Span,
}

/// Hide the report's findings that the baseline at `path` lists; add an `unused-suppression`
/// note for each entry under the checked `paths` that matched nothing. Returns how many findings
/// were hidden, or an error to print (exit 2).
pub fn apply(report: &mut crate::Report, path: &Path, root: &Path, paths: &[PathBuf], settings: &Settings) -> Result<usize, String> {
    let shown = crate::diag::display_path(path);
    let text = std::fs::read_to_string(path).map_err(|e| format!("{shown}: cannot read the baseline: {e}"))?;
    let value: Value = serde_json::from_str(&text).map_err(|e| format!("{shown}:{}:{}: error: not a drlint baseline: {e}", e.line(), e.column()))?;
    let Some(items) = value.get("findings").and_then(Value::as_array) else {
        return Err(format!("{shown}: error: not a drlint baseline: no `findings` list"));
    };
    let file = report.db.add(crate::diag::relative_to_cwd(&normalize(path)), path.to_path_buf(), text.clone());
    let mut entries = Vec::new();
    let mut cursor = 0;
    for item in items {
        let field = |k: &str| item.get(k).and_then(Value::as_str).unwrap_or("").to_string();
        let fp = field("fingerprint");
        let quoted = format!("\"{fp}\"");
        let span = match text[cursor..].find(&quoted) {
            Some(at) if !fp.is_empty() => {
                let s = cursor + at + 1;
                cursor = s + fp.len();
                Span::new(file, s, s + fp.len())
            }
            _ => Span::new(file, 0, 0),
        };
        entries.push(Entry { fingerprint: fp, rule: field("rule"), path: field("path"), span });
    }
    let mut open: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, e) in entries.iter().enumerate().rev() {
        open.entry(e.fingerprint.as_str()).or_default().push(i);
    }
    let before = report.diagnostics.len();
    report.diagnostics.retain(|d| {
        let Some(fp) = d.fingerprint.as_deref() else { return true };
        open.get_mut(fp).and_then(Vec::pop).is_none()
    });
    let hidden = before - report.diagnostics.len();
    let id = unused_suppression::META.id;
    if settings.is_enabled(id) {
        let sev = settings.severity(id, unused_suppression::META.severity);
        let root_abs = normalize(root);
        for i in open.into_values().flatten() {
            let e = &entries[i];
            let under = crate::scope::is_under(&root_abs.join(&e.path), paths);
            if !under || (settings.knows(&e.rule) && !settings.is_enabled(&e.rule)) {
                continue;
            }
            report.diagnostics.push(
                Diagnostic::new(id, sev, e.span, format!("baseline entry for `{}` in {} matches no finding any more", e.rule, e.path))
                    .with_help(format!("the finding is gone: rewrite the baseline with `drlint check --baseline-write {shown}`")),
            );
        }
    }
    let diags = std::mem::take(&mut report.diagnostics);
    report.diagnostics = crate::engine::merge_and_sort(&report.db, diags);
    Ok(hidden)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_edited_during_the_run_still_gets_a_fingerprint() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.yaml");
        std::fs::write(&path, "a: 1\nb: 2\n").unwrap();
        let mut db = SourceDb::new();
        let id = db.load_text(&path).unwrap();
        db.release_texts(&[]);
        // Byte 3 of the new text is inside a two-byte character.
        std::fs::write(&path, "éééé\n").unwrap();
        let d = Diagnostic::new(unused_suppression::META.id, crate::diag::Severity::Note, Span::new(id, 3, 4), "m");
        assert_eq!(fingerprint(&db, &d, dir.path()).len(), 16);
        assert!(db.get(id).changed());
    }
}
