//! reviewdog's rdjsonl (https://github.com/reviewdog/reviewdog/tree/master/proto/rdf): one JSON
//! diagnostic per line, for `reviewdog -f=rdjsonl` to comment on a pull request.

use super::{locate, Diagnostic, Severity};
use crate::source::SourceDb;
use serde_json::json;

/// Where a rule's page is on the web, for links in CI tools.
pub fn rule_url(rule: &str) -> String {
    format!("https://github.com/drlint/drlint/blob/main/rules/{rule}.md")
}

pub fn render(db: &SourceDb, diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diags {
        let l = locate(db, d);
        let mut message = d.message.clone();
        if let Some(help) = &d.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        let v = json!({
            "message": message,
            "location": {
                "path": l.path,
                "range": {
                    "start": {"line": l.line, "column": l.column},
                    "end": {"line": l.end_line, "column": l.end_column},
                },
            },
            "severity": match d.severity {
                Severity::Error => "ERROR",
                Severity::Warning => "WARNING",
                Severity::Note => "INFO",
            },
            "source": {"name": "drlint", "url": "https://github.com/drlint/drlint"},
            "code": {"value": d.rule, "url": rule_url(d.rule)},
        });
        out.push_str(&v.to_string());
        out.push('\n');
    }
    out
}
