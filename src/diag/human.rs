//! Reports for people: miette with the source snippet, the finding's label and a help line.
//! The snippet comes from the display text, where Secret values are masked.

use super::{locate, Diagnostic, Severity};
use crate::source::SourceDb;
use miette::{GraphicalReportHandler, GraphicalTheme, LabeledSpan, MietteDiagnostic, NamedSource, Report};

pub fn render(db: &SourceDb, diags: &[Diagnostic], color: bool) -> String {
    let theme = if color { GraphicalTheme::unicode() } else { GraphicalTheme::unicode_nocolor() };
    // A fixed width keeps the output the same bytes whatever the terminal.
    let handler = GraphicalReportHandler::new_themed(theme).with_width(110).with_links(false).with_context_lines(1);
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
        let mut md = MietteDiagnostic::new(d.message.clone())
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
        out.push('\n');
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
