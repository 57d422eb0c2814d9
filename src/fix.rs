//! `drlint check --fix`: rewrite what can be rewritten safely, in place. Today: each 5-field CNPG
//! ScheduledBackup schedule (a `cnpg-schedule-six-field` finding) becomes its 6-field equivalent
//! (a `0` seconds field in front), keeping quotes, comments and layout: only the bytes of the
//! scalar change. Files are re-read from disk here and edited only if the scalar's bytes are still
//! what was linted. Fixing is idempotent: a 6-field schedule is never a finding.

use crate::cron::{self, Dialect};
use crate::rules::cnpg::schedule_six_field;
use crate::source::SourceDb;
use crate::source::Span;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// One applied edit.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fixed {
    /// The path as shown in findings.
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub old: String,
    pub new: String,
}

impl Fixed {
    /// `path:line:col: fixed: "<old>" -> "<new>"`
    pub fn line(&self) -> String {
        format!("{}:{}:{}: fixed: \"{}\" -> \"{}\"", self.path, self.line, self.column, self.old, self.new)
    }
}

/// The replacement text for the raw scalar `raw` (as written in the file, quotes included), and
/// the old and new values; `None` when the scalar cannot be edited verbatim (escapes, block or
/// multi-line scalars) or the result would not be a valid CNPG schedule.
pub fn six_field_edit(raw: &str) -> Option<(String, String, String)> {
    let (open, inner, close) = match raw.chars().next()? {
        q @ ('"' | '\'') => {
            let inner = raw.strip_prefix(q)?.strip_suffix(q)?;
            // Escapes (`\` in double quotes, `''` in single quotes) make bytes and value differ.
            if (q == '"' && inner.contains(['\\', '"'])) || (q == '\'' && inner.contains('\'')) {
                return None;
            }
            (q.to_string(), inner, q.to_string())
        }
        '|' | '>' => return None,
        _ => ("".to_string(), raw, "".to_string()),
    };
    if inner.contains(['\n', '\r']) || !schedule_six_field::is_five_field(inner) {
        return None;
    }
    let at = inner.len() - inner.trim_start().len();
    let new_inner = format!("{}0 {}", &inner[..at], &inner[at..]);
    cron::parse(&new_inner, Dialect::Cnpg).ok()?;
    Some((format!("{open}{new_inner}{close}"), inner.to_string(), new_inner))
}

/// What `--fix` did: the edits made (path/line order), the findings it left and why
/// (`path:line:col: not fixed: reason`), and the files it could not read or write.
#[derive(Default)]
pub struct Outcome {
    pub fixed: Vec<Fixed>,
    pub skipped: Vec<String>,
    pub errors: Vec<String>,
}

/// Why the scalar `raw` is not rewritten in place, for the `not fixed` line.
fn why_not(raw: &str) -> &'static str {
    if raw.contains("${") {
        "the value is built from a Flux postBuild variable; change the value where it is set"
    } else if raw.starts_with(['|', '>']) || raw.contains(['\n', '\r']) {
        "a block or multi-line scalar is not rewritten; write the 6-field schedule by hand"
    } else if raw.contains('\\') || raw.contains("''") {
        "the scalar holds escapes; write the 6-field schedule by hand"
    } else {
        "the 6-field form would not be a valid CNPG schedule; write it by hand"
    }
}

/// Apply the fixes for the `cnpg-schedule-six-field` findings of a lint run.
/// `substituted`: Flux postBuild.substitute values and the places they fill (a finding there is
/// fixed at the substitute entry, unless the value fills other places too).
pub fn apply(db: &SourceDb, diagnostics: &[crate::diag::Diagnostic], substituted: &BTreeMap<Span, BTreeSet<Span>>) -> Outcome {
    let mut by_file: BTreeMap<PathBuf, Vec<&crate::diag::Diagnostic>> = BTreeMap::new();
    for d in diagnostics.iter().filter(|d| d.rule == schedule_six_field::META.id) {
        by_file.entry(db.get(d.span.file).real_path.clone()).or_default().push(d);
    }
    let mut fixed = Vec::new();
    let mut errors = Vec::new();
    let mut skipped = Vec::new();
    for (real, mut diags) in by_file {
        let Ok(mut text) = std::fs::read_to_string(&real) else {
            errors.push(format!("{}: cannot read the file to fix it", real.display()));
            continue;
        };
        let file = db.get(diags[0].span.file);
        let linted = file.text();
        if file.changed() {
            // Read again after its release and found edited: the findings' places are not known.
            skipped.push(format!("{}: not fixed: the file changed while drlint ran", file.path.display()));
            continue;
        }
        // Edit from the end so earlier offsets stay valid.
        diags.sort_by_key(|d| std::cmp::Reverse(d.span.start));
        diags.dedup_by_key(|d| d.span.start);
        let mut here = Vec::new();
        for d in diags {
            let (s, e) = (d.span.start as usize, d.span.end as usize);
            let (Some(now), Some(then)) = (text.get(s..e), linted.get(s..e)) else { continue };
            if now != then {
                continue; // the file changed since it was linted
            }
            let l = crate::diag::locate(db, d);
            let uses = substituted.get(&d.span).map_or(0, BTreeSet::len);
            if uses > 1 {
                skipped.push(format!(
                    "{}:{}:{}: not fixed: this postBuild.substitute value fills {uses} places; a 6-field value may not suit all of them, change it by hand",
                    l.path, l.line, l.column
                ));
                continue;
            }
            let Some((replacement, old, new)) = six_field_edit(now) else {
                skipped.push(format!("{}:{}:{}: not fixed: {}", l.path, l.line, l.column, why_not(now)));
                continue;
            };
            text.replace_range(s..e, &replacement);
            here.push(Fixed { path: l.path, line: l.line, column: l.column, old, new });
        }
        if here.is_empty() {
            continue;
        }
        match std::fs::write(&real, &text) {
            Ok(()) => fixed.extend(here.into_iter().rev()),
            Err(e) => errors.push(format!("{}: cannot write the fix: {e}", real.display())),
        }
    }
    skipped.sort();
    Outcome { fixed, skipped, errors }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_edited_after_its_text_was_released_is_not_fixed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("backup.yaml");
        std::fs::write(&path, "schedule: \"0 2 * * *\"\n").unwrap();
        let mut db = SourceDb::new();
        let id = db.load_text(&path).unwrap();
        db.release_texts(&[]);
        let edited = "# a new first line\nschedule: \"0 2 * * *\"\n";
        std::fs::write(&path, edited).unwrap();
        let finding = crate::diag::Diagnostic::new(schedule_six_field::META.id, crate::diag::Severity::Error, Span::new(id, 10, 21), "5 fields");
        let outcome = apply(&db, &[finding], &BTreeMap::new());
        assert!(outcome.fixed.is_empty());
        assert_eq!(outcome.skipped.len(), 1);
        assert!(outcome.skipped[0].ends_with("not fixed: the file changed while drlint ran"), "{:?}", outcome.skipped);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), edited);
    }

    #[test]
    fn edits_keep_quotes_and_spacing() {
        assert_eq!(six_field_edit("\"0 2 * * *\"").unwrap().0, "\"0 0 2 * * *\"");
        assert_eq!(six_field_edit("'0 3 * * 0'").unwrap().0, "'0 0 3 * * 0'");
        assert_eq!(six_field_edit("30 1 * * MON-FRI").unwrap().0, "0 30 1 * * MON-FRI");
        assert_eq!(six_field_edit("\"0  2 * * *\"").unwrap().0, "\"0 0  2 * * *\"");
        assert!(six_field_edit("\"0 0 2 * * *\"").is_none());
        assert!(six_field_edit("\"0 2 * * 7\"").is_none(), "invalid after conversion");
        assert!(six_field_edit("\"0 2 \\u002a * *\"").is_none());
        assert!(six_field_edit("|\n  0 2 * * *").is_none());
    }
}
