//! GitHub Actions workflow commands: `::error file=PATH,line=L,col=C,title=RULE::MESSAGE`.
//! Properties and messages are escaped as the runner expects (`%`, CR, LF; plus `:` and `,` in
//! properties).

use super::{locate, Diagnostic, Severity};
use crate::source::SourceDb;
use std::fmt::Write;

fn escape_data(s: &str) -> String {
    s.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

pub fn render(db: &SourceDb, diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diags {
        let l = locate(db, d);
        let level = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "notice",
        };
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        let _ = writeln!(
            out,
            "::{level} file={},line={},col={},endLine={},endColumn={},title={}::{}",
            escape_property(&l.path),
            l.line,
            l.column,
            l.end_line,
            l.end_column,
            escape_property(d.rule),
            escape_data(&message)
        );
    }
    out
}
