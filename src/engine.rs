//! Run the rules over the index, then apply configuration (enabled, severity, per-rule excludes)
//! and suppressions, merge findings that several renders of one base produced, and sort.

use crate::diag::Diagnostic;
use crate::model::{Index, Resource};
use crate::rules::gitops::flux_substitution_unresolved;
use crate::rules::secrets::secret_plaintext;
use crate::rules::source::{suppression_unknown_rule, unused_suppression};
use crate::model::views::Views;
use crate::rules::{self, Context, Rule, RuleOptions};
use rayon::prelude::*;
use crate::settings::Settings;
use crate::source::{FileId, SourceDb, SourceFile, Span};
use crate::suppress::{self, FileSuppressions};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

/// Where findings are reported.
#[derive(Clone, Copy)]
pub struct Scope<'a> {
    /// Only findings at or below these paths, or with a labelled place there (the whole
    /// repository is the context either way).
    pub only: Option<&'a [PathBuf]>,
    /// Flux postBuild.substitute values and the `${VAR}` places they fill: a finding on such a
    /// value is reported at the substitute entry, with each place as a label.
    pub substituted: &'a BTreeMap<Span, BTreeSet<Span>>,
}

pub struct Outcome {
    pub diagnostics: Vec<Diagnostic>,
    pub suppressed: usize,
}

/// Per-object rules that also look at objects no entry point deploys: what they find is wrong in
/// the file itself, applied or not (a committed credential leaks either way). Every other rule is
/// about what the cluster runs.
const FILE_LEVEL_RULES: &[&str] = &[secret_plaintext::META.id];

/// Run every enabled rule. `raised` are findings from earlier stages (reading, rendering).
/// `texts` are the files read as plain text (runbooks, scripts), for `Rule::check_text`;
/// `suppressions` the `drlint-ignore` comments of every file that has some (`suppress::lex_all`).
pub fn run(db: &SourceDb, index: &Index, texts: &[FileId], suppressions: &[(FileId, FileSuppressions)], settings: &Settings, raised: Vec<Diagnostic>, scope: Scope) -> Outcome {
    let phase = crate::timings::start("views");
    let views = Views::new(index, settings);
    phase.done();
    // `SourceDb` caches parses behind `Rc` and is not shared across threads; its files are.
    let texts: Vec<(FileId, &SourceFile)> = texts.iter().map(|&f| (f, db.get(f))).collect();
    let enabled: Vec<&dyn Rule> = rules::all().iter().copied().filter(|r| !r.meta().engine && settings.is_enabled(r.meta().id)).collect();
    let per_rule: Vec<Vec<(Diagnostic, Option<usize>)>> = enabled.par_iter().map(|&rule| run_rule(rule, &views, &texts, settings)).collect();
    let mut found: Vec<(Diagnostic, Option<usize>)> = raised.into_iter().map(|d| (d, None)).collect();
    found.extend(per_rule.into_iter().flatten());
    // The config's policies, after the built-in rules, through the same settings and suppressions.
    for policy in settings.policies.iter().filter(|p| settings.is_enabled(p.meta.id)) {
        let options = RuleOptions::default();
        let mut cx = Context::new(policy.meta, &options);
        cx.settings = Some(settings);
        cx.index = Some(index);
        cx.views = Some(&views);
        rules::policy::check(policy, index, &mut cx);
        found.extend(cx.out.drain(..).map(|d| {
            let owner = d.object.as_ref().and_then(|o| index.owner(o, d.span.file));
            (d, owner)
        }));
    }

    // Comment suppressions, lexed from every file before their texts were released.
    let mut comments: BTreeMap<FileId, &FileSuppressions> = BTreeMap::new();
    let mut unknown: Vec<Diagnostic> = Vec::new();
    for (id, s) in suppressions {
        for c in &s.comments {
            for (name, span) in &c.rules {
                if name != "all" && !settings.knows(name) {
                    unknown.push(Diagnostic::new(
                        suppression_unknown_rule::META.id,
                        suppression_unknown_rule::META.severity,
                        *span,
                        format!("`drlint-ignore` names unknown rule `{name}`{}", crate::settings::did_you_mean(name)),
                    ));
                }
            }
        }
        comments.insert(*id, s);
    }
    for object in index.all() {
        unknown.extend(unknown_in_annotation(object, settings));
    }
    unknown.sort_by_key(|d| d.span);
    unknown.dedup();
    found.extend(unknown.into_iter().map(|d| (d, None)));

    let mut out = Vec::new();
    let mut suppressed = 0;
    // Which suppressions silenced something: (file, line, name) for comments, (span, name) for
    // annotations. The others are `unused-suppression` notes.
    let mut used_comments: BTreeSet<(FileId, usize, String)> = BTreeSet::new();
    let mut used_annotations: BTreeSet<(crate::source::Span, String)> = BTreeSet::new();
    for (mut d, owner) in found {
        if !settings.is_enabled(d.rule) {
            continue;
        }
        let rel = relative_to_root(db, d.span.file, settings);
        // An excluded file has no findings, whoever renders it (an entry point may read it).
        if settings.is_excluded(&rel) || settings.is_excluded_for(d.rule, &rel) {
            continue;
        }
        // Located only in a file with `drlint-ignore` comments: locating a finding reads its
        // file's text again (`SourceDb::release_texts`), and most are reported elsewhere or not at
        // all (out of scope).
        let by_comment = comments.get(&d.span.file).and_then(|s| {
            let line = db.get(d.span.file).line_col(d.span.start as usize).line;
            s.silencer(line, d.rule).map(|name| (line, name))
        });
        let by_annotation = owner.and_then(|i| annotation_silencer(index.object(i), d.rule));
        if let Some((line, name)) = &by_comment {
            used_comments.insert((d.span.file, *line, name.clone()));
        }
        if let Some(key) = &by_annotation {
            used_annotations.insert(key.clone());
        }
        if by_comment.is_some() || by_annotation.is_some() {
            suppressed += 1;
            continue;
        }
        // A configured severity replaces the rule's default; a finding the rule itself reported
        // below its default (a placeholder value, say) stays at most at that lower level.
        let default = settings.rule_meta(d.rule).map(|m| m.severity).unwrap_or(d.severity);
        d.severity = match settings.rule(d.rule).and_then(|r| r.severity) {
            Some(configured) if d.severity < default => configured.min(d.severity),
            Some(configured) => configured,
            None => d.severity,
        };
        out.push(d);
    }
    out.extend(unused_suppressions(db, index, &comments, &used_comments, &used_annotations, settings));
    for d in &mut out {
        for base in scope.substituted.get(&d.span).into_iter().flatten().take(5) {
            let written = db.get(base.file).display_text().get(base.start as usize..base.end as usize).unwrap_or("").trim().to_string();
            d.labels.push(crate::diag::Label { span: *base, message: format!("the value of {written}, written here") });
        }
    }
    if let Some(only) = scope.only {
        let under = |span: &Span| crate::scope::is_under(&db.get(span.file).real_path, only);
        out.retain(|d| under(&d.span) || d.labels.iter().any(|l| under(&l.span)));
    }
    read_reported_files(db, &out);
    let out = group_unresolved(db, out, settings);
    let diagnostics = merge_and_sort(db, out);
    Outcome { diagnostics, suppressed }
}

/// Read again, on every core, the files whose texts were released and that the findings (and
/// their labels) are located in: sorting and showing the findings needs their lines.
fn read_reported_files(db: &SourceDb, found: &[Diagnostic]) {
    let files: BTreeSet<FileId> = found.iter().flat_map(|d| std::iter::once(d.span.file).chain(d.labels.iter().map(|l| l.span.file))).collect();
    let files: Vec<FileId> = files.into_iter().collect();
    files.par_iter().for_each(|&f| {
        db.get(f).line_col(0);
    });
}

/// Objects per unit of parallel work in `check_object`: large enough that a unit's bookkeeping is
/// noise, small enough that both cores get work on a few thousand objects.
const OBJECTS_PER_TASK: usize = 256;

/// One rule's findings, each with the position in `Index::all` of the object it concerns (for
/// annotation suppressions): per-object findings in object order, then index findings, then text
/// findings. Per-object checks run over chunks of objects in parallel and are put back in order,
/// so the result does not depend on the number of threads.
fn run_rule<'v>(rule: &dyn Rule, views: &Views<'v>, texts: &[(FileId, &SourceFile)], settings: &Settings) -> Vec<(Diagnostic, Option<usize>)> {
    static DEFAULT_OPTIONS: std::sync::OnceLock<RuleOptions> = std::sync::OnceLock::new();
    let meta = rule.meta();
    let options = settings.rule(meta.id).map(|r| &r.options).unwrap_or_else(|| DEFAULT_OPTIONS.get_or_init(RuleOptions::default));
    let index = views.index;
    let phase = crate::timings::on().then(|| crate::timings::start(format!("rule {}", meta.id)));
    let context = || {
        let mut cx = Context::new(meta, options);
        cx.settings = Some(settings);
        cx.rpo = Some(&settings.rpo);
        cx.index = Some(index);
        cx.views = Some(views);
        cx
    };
    // Objects no entry point deploys are checked by file-level rules only.
    let objects: Vec<(usize, &Resource)> = index.all().enumerate().filter(|(_, o)| o.deployed || FILE_LEVEL_RULES.contains(&meta.id)).collect();
    let chunks: Vec<Vec<(Diagnostic, Option<usize>)>> = objects
        .par_chunks(OBJECTS_PER_TASK)
        .map(|chunk| {
            let mut cx = context();
            let mut out = Vec::new();
            for &(i, object) in chunk {
                rule.check_object(object, &mut cx);
                out.extend(cx.out.drain(..).map(|d| (d, Some(i))));
            }
            out
        })
        .collect();
    let mut found: Vec<(Diagnostic, Option<usize>)> = chunks.into_iter().flatten().collect();
    let mut cx = context();
    rule.check_index(index, &mut cx);
    for &(file, text) in texts {
        rule.check_text(file, text, &mut cx);
    }
    // Attribute an index finding to the object it names, for annotation suppressions.
    found.extend(cx.out.drain(..).map(|d| {
        let owner = d.object.as_ref().and_then(|o| index.owner(o, d.span.file));
        (d, owner)
    }));
    if let Some(p) = phase {
        p.done();
    }
    found
}

fn relative_to_root(db: &SourceDb, file: FileId, settings: &Settings) -> String {
    // Both sides normalized: a render may have read the file by an absolute path.
    let real = crate::source::normalize(&db.get(file).real_path);
    let root = crate::source::normalize(&settings.root);
    let rel = real.strip_prefix(&root).unwrap_or(&real);
    rel.to_string_lossy().replace('\\', "/").trim_start_matches("./").to_string()
}

fn annotation_values(object: &Resource) -> Option<&crate::source::yaml::Node> {
    object.annotation(suppress::ANNOTATION).filter(|n| n.as_text().is_some())
}

/// The annotation entry that silences `rule` on this object (its span and the name written).
fn annotation_silencer(object: &Resource, rule: &str) -> Option<(crate::source::Span, String)> {
    let n = annotation_values(object)?;
    let names = suppress::parse_annotation(n.as_text()?);
    let name = names.iter().find(|r| **r == rule).or_else(|| names.iter().find(|r| **r == "all"))?;
    Some((n.span, name.to_string()))
}

/// Suppressions that silenced nothing in this run. A name for a rule that is off, or excluded for
/// the file, says nothing (the finding could not be raised); unknown names are
/// `suppression-unknown-rule` instead.
fn unused_suppressions(
    db: &SourceDb,
    index: &Index,
    comments: &BTreeMap<FileId, &FileSuppressions>,
    used_comments: &BTreeSet<(FileId, usize, String)>,
    used_annotations: &BTreeSet<(crate::source::Span, String)>,
    settings: &Settings,
) -> Vec<Diagnostic> {
    let id = unused_suppression::META.id;
    if !settings.is_enabled(id) {
        return Vec::new();
    }
    let sev = settings.severity(id, unused_suppression::META.severity);
    let could_fire = |name: &str, rel: &str| {
        name == "all" || (settings.knows(name) && settings.is_enabled(name) && !settings.is_excluded_for(name, rel))
    };
    let mut out = Vec::new();
    for (file, s) in comments {
        let rel = relative_to_root(db, *file, settings);
        if settings.is_excluded(&rel) || settings.is_excluded_for(id, &rel) {
            continue;
        }
        for c in &s.comments {
            for (name, span) in &c.rules {
                if could_fire(name, &rel) && name != id && !used_comments.contains(&(*file, c.target_line, name.clone())) {
                    let what = if name == "all" { "no finding".to_string() } else { format!("no `{name}` finding") };
                    out.push(Diagnostic::new(id, sev, *span, format!("`drlint-ignore: {name}` silences {what} on line {}", c.target_line))
                        .with_help("remove it (or the name) from the comment"));
                }
            }
        }
    }
    let mut seen: BTreeSet<(crate::source::Span, String)> = BTreeSet::new();
    for object in &index.resources {
        let Some(n) = annotation_values(object) else { continue };
        let rel = relative_to_root(db, n.span.file, settings);
        if settings.is_excluded(&rel) || settings.is_excluded_for(id, &rel) {
            continue;
        }
        for name in suppress::parse_annotation(n.as_text().unwrap_or("")) {
            let key = (n.span, name.to_string());
            if could_fire(name, &rel) && name != id && !used_annotations.contains(&key) && seen.insert(key) {
                out.push(Diagnostic::new(id, sev, n.span, format!("`{}: {name}` silences no finding on {} `{}`", suppress::ANNOTATION, object.kind(), object.name()))
                    .with_help("remove it (or the name) from the annotation"));
            }
        }
    }
    out
}

fn unknown_in_annotation(object: &Resource, settings: &Settings) -> Vec<Diagnostic> {
    let Some(n) = annotation_values(object) else { return Vec::new() };
    suppress::parse_annotation(n.as_text().unwrap_or(""))
        .into_iter()
        .filter(|r| *r != "all" && !settings.knows(r))
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

/// The variable a `flux-substitution-unresolved` message names (its messages start with
/// `` `${NAME}` ``; a test in gitops keeps the two in step).
pub fn unresolved_variable(message: &str) -> Option<&str> {
    message.strip_prefix("`${")?.split_once("}`").map(|(name, _)| name)
}

/// `flux-substitution-unresolved`: one note per variable and Kustomization, at its first place,
/// listing the others, instead of one per use (a variable kept in a SOPS Secret is used
/// everywhere). Variables the config declares as `external-variables` (values outside Git) are
/// not reported.
fn group_unresolved(db: &SourceDb, diags: Vec<Diagnostic>, settings: &Settings) -> Vec<Diagnostic> {
    let id = flux_substitution_unresolved::META.id;
    let mut groups: BTreeMap<String, Vec<Diagnostic>> = BTreeMap::new();
    let mut out = Vec::new();
    for d in diags {
        if d.rule != id {
            out.push(d);
            continue;
        }
        if unresolved_variable(&d.message).is_some_and(|v| settings.is_external_variable(v)) {
            continue;
        }
        groups.entry(d.message.clone()).or_default().push(d);
    }
    for (_, mut ds) in groups {
        ds.sort_by_key(|d| {
            let (s, _) = db.line_col(d.span);
            (crate::diag::display_path(&db.get(d.span.file).path), s.line, s.column)
        });
        ds.dedup_by_key(|d| d.span);
        let mut first = ds.remove(0);
        if !ds.is_empty() {
            first.message.push_str(&format!(" (here and in {} more place{})", ds.len(), if ds.len() == 1 { "" } else { "s" }));
            for other in ds.iter().take(MAX_PLACES) {
                first = first.with_label(other.span, "also used here");
            }
            if ds.len() > MAX_PLACES {
                let more = ds.len() - MAX_PLACES;
                let note = format!("and {more} more place{}", if more == 1 { "" } else { "s" });
                first.help = Some(match first.help.take() {
                    Some(h) => format!("{h}\n{note}"),
                    None => note,
                });
            }
            for other in ds {
                for r in other.renders {
                    if !first.renders.contains(&r) {
                        first.renders.push(r);
                    }
                }
            }
        }
        out.push(first);
    }
    out
}

/// How many other places a grouped note lists as labels.
const MAX_PLACES: usize = 10;

/// Findings at one place that differ only in the namespace of the object they name (one base
/// rendered into two namespaces): one finding, `Kind `name` (in namespaces a, b)`.
fn merge_namespaces(diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    // The first `ns/name` code span of a message, split into (before, ns, name, after).
    fn split(message: &str) -> Option<(&str, &str, &str, &str)> {
        let mut rest = message;
        let mut offset = 0;
        while let Some(open) = rest.find('`') {
            let after_open = &rest[open + 1..];
            let close = after_open.find('`')?;
            let span = &after_open[..close];
            if let Some((ns, name)) = span.split_once('/') {
                if !ns.is_empty() && !name.is_empty() && !name.contains('/') && !span.contains(' ') {
                    let start = offset + open;
                    let end = start + close + 2;
                    return Some((&message[..start], ns, name, &message[end..]));
                }
            }
            offset += open + close + 2;
            rest = &after_open[close + 1..];
        }
        None
    }
    let mut groups: BTreeMap<(FileId, u32, &'static str, String), Vec<usize>> = BTreeMap::new();
    for (i, d) in diags.iter().enumerate() {
        if let Some((before, _, name, after)) = split(&d.message) {
            groups.entry((d.span.file, d.span.start, d.rule, format!("{before}\u{0}{name}\u{0}{after}"))).or_default().push(i);
        }
    }
    let mut drop: BTreeSet<usize> = BTreeSet::new();
    let mut diags = diags;
    for (_, idx) in groups {
        if idx.len() < 2 {
            continue;
        }
        let mut namespaces: Vec<String> = idx.iter().filter_map(|&i| split(&diags[i].message).map(|(_, ns, _, _)| ns.to_string())).collect();
        namespaces.sort();
        namespaces.dedup();
        if namespaces.len() < 2 {
            continue;
        }
        let first = idx[0];
        let (before, _, name, after) = split(&diags[first].message).map(|(b, n, m, a)| (b.to_string(), n.to_string(), m.to_string(), a.to_string())).unwrap_or_default();
        let mut renders: Vec<String> = Vec::new();
        for &i in &idx {
            renders.extend(diags[i].renders.iter().cloned());
        }
        renders.sort();
        renders.dedup();
        let d = &mut diags[first];
        d.message = format!("{before}`{name}` (in namespaces {}){after}", namespaces.join(", "));
        d.renders = renders;
        drop.extend(idx[1..].iter().copied());
    }
    diags.into_iter().enumerate().filter(|(i, _)| !drop.contains(i)).map(|(_, d)| d).collect()
}

/// One finding per (rule, location, message): a base rendered by several overlays is reported
/// once at its source line, naming every overlay; and one per base rendered into several
/// namespaces (`merge_namespaces`). Then sort by path, line, column, rule.
pub fn merge_and_sort(db: &SourceDb, diags: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let diags = merge_namespaces(diags);
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
