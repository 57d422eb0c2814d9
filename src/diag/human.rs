//! Reports for people: miette with the source snippet, the finding's label and a help line.
//! The snippet comes from the display text, where Secret values are masked.
//!
//! Text must paste: miette never wraps (it would split `cnpg-s3` at the hyphen inside a YAML
//! snippet); prose lines are wrapped here, at spaces only, to the terminal's width, and never
//! inside a `code span`; code lines (YAML, comments, indented lines) are never wrapped. Piped
//! output is not wrapped at all, so it is the same bytes whatever the terminal.

use super::{locate, Diagnostic, Severity};
use crate::source::SourceDb;
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource, Report};

/// How to draw: colour, ASCII-only (NO_COLOR, TERM=dumb), the width prose is wrapped to.
#[derive(Clone, Debug, Default)]
pub struct Style {
    pub color: bool,
    pub ascii: bool,
    pub width: Option<usize>,
}

/// The terminal's width in columns, when stdout is one.
pub fn terminal_width() -> Option<usize> {
    terminal_size::terminal_size().map(|(w, _)| w.0 as usize).filter(|w| *w >= 40)
}

/// Whether a help line is code to paste (YAML, a comment, an indented or list line), not prose.
fn is_code(line: &str) -> bool {
    if line.starts_with([' ', '\t', '#', '-', '{', '[']) {
        return true;
    }
    let key = line.split(": ").next().unwrap_or("");
    (line.contains(": ") || line.ends_with(':')) && !key.is_empty() && !key.contains(' ') && !key.contains('`')
}

/// Wrap the prose lines of `text` to `width` columns, at spaces outside `code spans`.
pub fn wrap_prose(text: &str, width: usize) -> String {
    let mut out = Vec::new();
    for (i, line) in text.split('\n').enumerate() {
        // The first line of a help text is prose even when it reads like `key: value`.
        if line.chars().count() <= width || (i > 0 && is_code(line)) {
            out.push(line.to_string());
            continue;
        }
        // Words, with a `code span` (spaces included) kept as one word.
        let mut words: Vec<String> = Vec::new();
        let mut in_code = false;
        for w in line.split(' ') {
            match words.last_mut() {
                Some(last) if in_code => {
                    last.push(' ');
                    last.push_str(w);
                }
                _ => words.push(w.to_string()),
            }
            if w.matches('`').count() % 2 == 1 {
                in_code = !in_code;
            }
        }
        let mut current = String::new();
        for w in words {
            if !current.is_empty() && current.chars().count() + 1 + w.chars().count() > width {
                out.push(std::mem::take(&mut current));
            }
            if !current.is_empty() {
                current.push(' ');
            }
            current.push_str(&w);
        }
        out.push(current);
    }
    out.join("\n")
}

pub fn render(db: &SourceDb, diags: &[Diagnostic], style: &Style) -> String {
    let theme = match (style.color, style.ascii) {
        (_, true) => GraphicalTheme::none(),
        (true, false) => GraphicalTheme::unicode(),
        (false, false) => GraphicalTheme::unicode_nocolor(),
    };
    let handler = GraphicalReportHandler::new_themed(theme).with_width(usize::MAX / 4).with_wrap_lines(false).with_links(false).with_context_lines(1);
    // The gutter miette puts before message and help lines.
    let wrap = |t: &str| match style.width {
        Some(w) => wrap_prose(t, w.saturating_sub(10).max(30)),
        None => t.to_string(),
    };
    let mut out = String::new();
    for d in diags {
        let l = locate(db, d);
        let file = db.get(d.span.file);
        let mut labels = vec![LabeledSpan::new_primary_with_span(Some(label_text(d)), (d.span.start as usize, d.span.len()))];
        let mut elsewhere = Vec::new();
        for lab in &d.labels {
            if lab.span.file == d.span.file {
                labels.push(LabeledSpan::new_with_span(Some(lab.message.clone()), (lab.span.start as usize, lab.span.len())));
            } else {
                let (s, _) = db.line_col(lab.span);
                elsewhere.push(format!("{}:{}:{}: {}", super::display_path(&db.get(lab.span.file).path), s.line, s.column, lab.message));
            }
        }
        let mut help = d.help.clone().unwrap_or_default();
        for e in elsewhere {
            if !help.is_empty() {
                help.push('\n');
            }
            help.push_str(&e);
        }
        if !d.renders.is_empty() {
            if !help.is_empty() {
                help.push('\n');
            }
            help.push_str(&format!("rendered by: {}", d.renders.join(", ")));
        }
        let help = wrap(&help);
        let mut md = MietteDiagnostic::new(wrap(&d.message))
            .with_code(d.rule)
            .with_severity(match d.severity {
                Severity::Error => miette::Severity::Error,
                Severity::Warning => miette::Severity::Warning,
                Severity::Note => miette::Severity::Advice,
            })
            .with_labels(labels);
        if !help.is_empty() {
            md = md.with_help(help);
        }
        let name = l.path.clone();
        let report = Report::new(md).with_source_code(NamedSource::new(name, file.display_text().to_string()));
        let _ = handler.render_report(&mut out, report.as_ref());
        out.push_str(&format!("  more: drlint explain {}\n\n", d.rule));
    }
    out
}

fn label_text(d: &Diagnostic) -> String {
    match d.severity {
        Severity::Error => "here".to_string(),
        Severity::Warning => "here".to_string(),
        Severity::Note => "here".to_string(),
    }
}
