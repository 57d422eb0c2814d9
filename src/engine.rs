//! Run the rules over the index, then apply configuration (enabled, severity, per-rule excludes)
//! and suppressions, merge findings that several renders of one base produced, and sort.

use crate::diag::{Diagnostic, Severity};
use crate::model::{Index, Resource};
use crate::rules::secrets::secret_plaintext;
use crate::rules::source::suppression_unknown_rule;
use crate::rules::{self, Context, RuleOptions};
use crate::settings::Settings;
use crate::source::{FileId, SourceDb};
use crate::suppress::{self, FileSuppressions};
use std::collections::BTreeMap;

pub struct Outcome {
    pub diagnostics: Vec<Diagnostic>,
    pub suppressed: usize,
}

/// Per-object rules that also look at objects no entry point deploys: what they find is wrong in
/// the file itself, applied or not (a committed credential leaks either way). Every other rule is
/// about what the cluster runs.
const FILE_LEVEL_RULES: &[&str] = &[secret_plaintext::META.id];

/// Run every enabled rule. `raised` are findings from earlier stages (reading, rendering).
/// `texts` are the files read as plain text (runbooks, scripts), for `Rule::check_text`.
pub fn run(db: &SourceDb, index: &Index, texts: &[FileId], settings: &Settings, raised: Vec<Diagnostic>) -> Outcome {
    let default_options = RuleOptions::default();
    let mut found: Vec<(Diagnostic, Option<usize>)> = raised.into_iter().map(|d| (d, None)).collect();
    for rule in rules::all() {
        let meta = rule.meta();
        if meta.engine || !settings.is_enabled(meta.id) {
            continue;
        }
        let options = settings.rule(meta.id).map(|r| &r.options).unwrap_or(&default_options);
        let mut cx = Context::new(meta, options);
        cx.settings = Some(settings);
        cx.rpo = Some(&settings.rpo);
        cx.index = Some(index);
        let file_level = FILE_LEVEL_RULES.contains(&meta.id);
        for (i, object) in index.all().enumerate() {
            if !object.deployed && !file_level {
                continue;
            }
            let before = cx.out.len();
            rule.check_object(object, &mut cx);
            found.extend(cx.out.drain(before..).map(|d| (d, Some(i))));
        }
        rule.check_index(index, &mut cx);
        for &file in texts {
            rule.check_text(file, db.get(file), &mut cx);
        }
        for d in cx.out.drain(..) {
            // Attribute an index finding to the object it names, for annotation suppressions.
            let owner = d.object.as_ref().and_then(|o| {
                index.all().position(|r| r.object_ref() == *o && r.file == d.span.file)
                    .or_else(|| index.all().position(|r| r.object_ref() == *o))
            });
            found.push((d, owner));
        }
    }

    // Comment suppressions, lexed once per file that has a finding.
    let mut comments: BTreeMap<FileId, FileSuppressions> = BTreeMap::new();
    let mut unknown: Vec<Diagnostic> = Vec::new();
    for (id, src) in db.iter() {
        let s = suppress::lex(id, src);
        for c in &s.comments {
            for (name, span) in &c.rules {
                if name != "all" && !rules::is_known(name) {
                    unknown.push(Diagnostic::new(
                        suppression_unknown_rule::META.id,
                        suppression_unknown_rule::META.severity,
                        *span,
                        format!("`drlint-ignore` names unknown rule `{name}`{}", crate::settings::did_you_mean(name)),
                    ));
                }
            }
        }
        if !s.comments.is_empty() {
            comments.insert(id, s);
        }
    }
    for object in index.all() {
        unknown.extend(unknown_in_annotation(object));
    }
    unknown.sort_by_key(|d| d.span);
    unknown.dedup();
    found.extend(unknown.into_iter().map(|d| (d, None)));

    let mut out = Vec::new();
    let mut suppressed = 0;
    for (mut d, owner) in found {
        if !settings.is_enabled(d.rule) {
            continue;
        }
        let rel = relative_to_root(db, d.span.file, settings);
        if settings.is_excluded_for(d.rule, &rel) {
            continue;
        }
        let line = db.get(d.span.file).line_col(d.span.start as usize).line;
        let by_comment = comments.get(&d.span.file).is_some_and(|s| s.silences(line, d.rule));
        let by_annotation = owner.is_some_and(|i| annotation_silences(index.object(i), d.rule));
        if by_comment || by_annotation {
            suppressed += 1;
            continue;
        }
        // A configured severity replaces the rule's default; a finding the rule itself reported
        // below its default (a placeholder value, say) stays at most at that lower level.
        let default = rule_default(d.rule, d.severity);
        d.severity = match settings.rule(d.rule).and_then(|r| r.severity) {
            Some(configured) if d.severity < default => configured.min(d.severity),
            Some(configured) => configured,
            None => d.severity,
        };
        out.push(d);
    }
    let diagnostics = merge_and_sort(db, out);
    Outcome { diagnostics, suppressed }
}

fn rule_default(id: &str, fallback: Severity) -> Severity {
    rules::find(id).map(|r| r.meta().severity).unwrap_or(fallback)
}

fn relative_to_root(db: &SourceDb, file: FileId, settings: &Settings) -> String {
    let real = &db.get(file).real_path;
    let rel = real.strip_prefix(&settings.root).unwrap_or(real);
    rel.to_string_lossy().replace('\\', "/").trim_start_matches("./").to_string()
}

fn annotation_values(object: &Resource) -> Option<&crate::source::yaml::Node> {
    object.annotation(suppress::ANNOTATION).filter(|n| n.as_text().is_some())
}

fn annotation_silences(object: &Resource, rule: &str) -> bool {
    annotation_values(object)
        .and_then(|n| n.as_text())
        .is_some_and(|v| suppress::parse_annotation(v).iter().any(|r| *r == rule || *r == "all"))
}

fn unknown_in_annotation(object: &Resource) -> Vec<Diagnostic> {
    let Some(n) = annotation_values(object) else { return Vec::new() };
    suppress::parse_annotation(n.as_text().unwrap_or(""))
        .into_iter()
        .filter(|r| *r != "all" && !rules::is_known(r))
        .map(|r| {
            Diagnostic::new(
                suppression_unknown_rule::META.id,
                suppression_unknown_rule::META.severity,
                n.span,
                format!("`{}` names unknown rule `{r}`{}", suppress::ANNOTATION, crate::settings::did_you_mean(r)),
            )
        })
        .collect()
}

/// One finding per (rule, location, message): a base rendered by several overlays is reported
/// once at its source line, naming every overlay. Then sort by path, line, column, rule.
pub fn merge_and_sort(db: &SourceDb, diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let mut merged: BTreeMap<(String, usize, usize, &'static str, String), Diagnostic> = BTreeMap::new();
    for d in diags {
        let (start, _) = db.line_col(d.span);
        let key = (crate::diag::display_path(&db.get(d.span.file).path), start.line, start.column, d.rule, d.message.clone());
        match merged.get_mut(&key) {
            Some(existing) => {
                for r in d.renders {
                    if !existing.renders.contains(&r) {
                        existing.renders.push(r);
                    }
                }
                existing.renders.sort();
            }
            None => {
                merged.insert(key, d);
            }
        }
    }
    merged.into_values().collect()
}
