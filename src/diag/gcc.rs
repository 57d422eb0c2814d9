//! `path:line:col: severity: message [rule-id]`, one line per finding: what editors' problem
//! matchers and `grep` expect.

use super::{locate, Diagnostic};
use crate::source::SourceDb;
use std::fmt::Write;

pub fn render(db: &SourceDb, diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    for d in diags {
        let l = locate(db, d);
        let _ = writeln!(out, "{}:{}:{}: {}: {} [{}]", l.path, l.line, l.column, d.severity.as_str(), one_line(&d.message), d.rule);
    }
    out
}

/// Problem matchers read one line per finding: fold any newline a message might contain.
pub fn one_line(s: &str) -> String {
    s.replace(['\r', '\n'], " ")
}
