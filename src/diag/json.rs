//! The JSON report (`schemas/report.schema.json`): version 1, diagnostics in output order, summary.

use super::{locate, Diagnostic, Severity};
use crate::source::SourceDb;
use serde_json::{json, Value};

pub struct Summary {
    pub files: usize,
    pub objects: usize,
    pub suppressed: usize,
}

pub fn to_value(db: &SourceDb, diags: &[Diagnostic], summary: &Summary) -> Value {
    let items: Vec<Value> = diags
        .iter()
        .map(|d| {
            let l = locate(db, d);
            json!({
                "rule": d.rule,
                "severity": d.severity.as_str(),
                "message": d.message,
                "path": l.path,
                "line": l.line,
                "column": l.column,
                "end_line": l.end_line,
                "end_column": l.end_column,
                "object": d.object.as_ref().map(|o| json!({
                    "apiVersion": o.api_version,
                    "kind": o.kind,
                    "namespace": o.namespace,
                    "name": o.name,
                })),
                "help": d.help,
                "rendered_by": d.renders,
            })
        })
        .collect();
    let count = |s: Severity| diags.iter().filter(|d| d.severity == s).count();
    json!({
        "version": 1,
        "diagnostics": items,
        "summary": {
            "errors": count(Severity::Error),
            "warnings": count(Severity::Warning),
            "notes": count(Severity::Note),
            "suppressed": summary.suppressed,
            "files": summary.files,
            "objects": summary.objects,
        }
    })
}

pub fn render(db: &SourceDb, diags: &[Diagnostic], summary: &Summary) -> String {
    let mut s = serde_json::to_string_pretty(&to_value(db, diags, summary)).unwrap_or_default();
    s.push('\n');
    s
}
