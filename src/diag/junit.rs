//! JUnit XML for CI systems that show test reports (GitLab, Jenkins, Azure): one test suite per
//! file with findings, one test case per finding. Findings at or above the fail level are
//! failures; those below it are test cases with their text in `system-out`, so the report passes
//! when `drlint check` exits 0. No finding at all: one passing test case, so the run is visible.

use super::{locate, Diagnostic};
use crate::diag::Severity;
use crate::source::SourceDb;
use std::collections::BTreeMap;
use std::fmt::Write;

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot hold at all.
            c if (c as u32) < 0x20 && !matches!(c, '\n' | '\r' | '\t') => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

pub fn render(db: &SourceDb, diags: &[Diagnostic], fail_level: Severity) -> String {
    let mut by_file: BTreeMap<String, Vec<&Diagnostic>> = BTreeMap::new();
    for d in diags {
        by_file.entry(locate(db, d).path).or_default().push(d);
    }
    let failures = diags.iter().filter(|d| d.severity >= fail_level).count();
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(out, "<testsuites name=\"drlint\" tests=\"{}\" failures=\"{failures}\" errors=\"0\">", diags.len().max(1));
    if diags.is_empty() {
        out.push_str("  <testsuite name=\"drlint\" tests=\"1\" failures=\"0\" errors=\"0\">\n    <testcase name=\"no findings\" classname=\"drlint\"/>\n  </testsuite>\n");
    }
    for (path, ds) in &by_file {
        let f = ds.iter().filter(|d| d.severity >= fail_level).count();
        let _ = writeln!(out, "  <testsuite name=\"{}\" tests=\"{}\" failures=\"{f}\" errors=\"0\">", escape(path), ds.len());
        for d in ds {
            let l = locate(db, d);
            let name = format!("{} at {}:{}:{}", d.rule, l.path, l.line, l.column);
            let mut body = format!("{}:{}:{}: {}: {} [{}]", l.path, l.line, l.column, d.severity.as_str(), d.message, d.rule);
            if let Some(h) = &d.help {
                body.push_str("\nhelp: ");
                body.push_str(h);
            }
            body.push_str(&format!("\nmore: drlint explain {}", d.rule));
            let _ = writeln!(out, "    <testcase name=\"{}\" classname=\"{}\" file=\"{}\" line=\"{}\">", escape(&name), escape(d.rule), escape(&l.path), l.line);
            if d.severity >= fail_level {
                let _ = writeln!(out, "      <failure message=\"{}\" type=\"{}\">{}</failure>", escape(&d.message), d.severity.as_str(), escape(&body));
            } else {
                let _ = writeln!(out, "      <system-out>{}</system-out>", escape(&body));
            }
            out.push_str("    </testcase>\n");
        }
        out.push_str("  </testsuite>\n");
    }
    out.push_str("</testsuites>\n");
    out
}
