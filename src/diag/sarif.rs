//! SARIF 2.1.0 for GitHub code scanning and other SARIF consumers: the rule catalogue under
//! `tool.driver.rules` (help from each rule's page) and one result per finding.

use super::{locate, Diagnostic, Severity};
use crate::rules;
use crate::source::SourceDb;
use serde_json::{json, Value};

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
    }
}

/// The first paragraph of the "What it finds" section, as plain text.
pub fn full_description(doc: &str) -> String {
    let mut lines = doc.lines().skip_while(|l| !l.starts_with("## What it finds")).skip(1);
    let mut para = Vec::new();
    for l in lines.by_ref() {
        if l.trim().is_empty() {
            if para.is_empty() {
                continue;
            }
            break;
        }
        if l.starts_with('#') {
            break;
        }
        para.push(l.trim());
    }
    para.join(" ")
}

/// A capitalised sentence with one final period (SARIF messages are sentences): a text that
/// already ends in punctuation (`.`, `?`, `!`, `:`, or a closing `)` after one) keeps it.
fn sentence(s: &str) -> String {
    let trimmed = s.trim_end();
    let mut c = trimmed.chars();
    let mut out: String = match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    };
    let ends = out.trim_end_matches([')', '`', '"', '\'']);
    if !ends.ends_with(['.', '?', '!']) {
        out.push('.');
    }
    out
}

/// The report in SARIF. `policies`: the config's policies, listed after the built-in rules.
pub fn render(db: &SourceDb, diags: &[Diagnostic], policies: &[&'static rules::RuleMeta]) -> String {
    let all: Vec<&'static rules::RuleMeta> = rules::all().iter().map(|r| r.meta()).chain(policies.iter().copied()).collect();
    let rule_index = |id: &str| all.iter().position(|m| m.id == id);
    let rules_json: Vec<Value> = all
        .iter()
        .map(|m| {
            let tags = if policies.iter().any(|p| p.id == m.id) { json!(["backup", "disaster-recovery", "policy"]) } else { json!(["backup", "disaster-recovery"]) };
            json!({
                "id": m.id,
                "name": pascal_case(m.id),
                "shortDescription": { "text": sentence(m.summary) },
                "fullDescription": { "text": sentence(&full_description(m.doc)) },
                "help": { "text": m.doc, "markdown": m.doc },
                "defaultConfiguration": { "level": level(m.severity) },
                "properties": { "tags": tags },
            })
        })
        .collect();
    let results: Vec<Value> = diags
        .iter()
        .map(|d| {
            let l = locate(db, d);
            // The message, then the help as its own sentence: one period between them, never two.
            let mut text = sentence(&d.message);
            if let Some(h) = &d.help {
                text.push_str(" Help: ");
                text.push_str(h);
            }
            let mut result = json!({
                "ruleId": d.rule,
                "level": level(d.severity),
                "message": { "text": sentence(&text) },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": uri(&l.path), "uriBaseId": "%SRCROOT%" },
                        "region": {
                            "startLine": l.line,
                            "startColumn": l.column,
                            "endLine": l.end_line,
                            "endColumn": l.end_column.max(if l.end_line == l.line { l.column + 1 } else { 1 }),
                        }
                    }
                }],
                // The baseline's fingerprint (line-independent): code scanning tracks a finding
                // across commits that move it.
                "partialFingerprints": { "drlintFinding/v2": d.fingerprint.clone().unwrap_or_else(|| fingerprint(d.rule, &l.path, &d.message)) },
            });
            if let Some(i) = rule_index(d.rule) {
                result["ruleIndex"] = json!(i);
            }
            if !d.labels.is_empty() {
                let related: Vec<Value> = d
                    .labels
                    .iter()
                    .enumerate()
                    .map(|(i, lab)| {
                        let (s, e) = db.line_col(lab.span);
                        json!({
                            "id": i,
                            "message": { "text": sentence(&lab.message) },
                            "physicalLocation": {
                                "artifactLocation": { "uri": uri(&super::display_path(&db.get(lab.span.file).path)), "uriBaseId": "%SRCROOT%" },
                                "region": { "startLine": s.line, "startColumn": s.column, "endLine": e.line, "endColumn": e.column.max(if e.line == s.line { s.column + 1 } else { 1 }) }
                            }
                        })
                    })
                    .collect();
                result["relatedLocations"] = json!(related);
            }
            result
        })
        .collect();
    let root = std::env::current_dir().map(|p| format!("file://{}/", p.to_string_lossy().trim_end_matches('/'))).unwrap_or_default();
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": { "driver": {
                "name": "drlint",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "informationUri": "https://github.com/drlint/drlint",
                "rules": rules_json,
            }},
            "originalUriBaseIds": { "%SRCROOT%": { "uri": uri(&root) } },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

/// `cnpg-schedule-six-field` -> `CnpgScheduleSixField`: SARIF wants a readable name distinct from the id.
fn pascal_case(id: &str) -> String {
    id.split('-').map(|w| {
        let mut c = w.chars();
        c.next().map(|f| f.to_uppercase().chain(c).collect::<String>()).unwrap_or_default()
    }).collect()
}

/// Percent-encode what a URI reference may not contain (spaces, `%`, non-ASCII), keep `/`.
fn uri(path: &str) -> String {
    let mut out = String::new();
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/:!$&'()*+,;=@".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A fallback identity when a finding has no fingerprint yet (FNV-1a, hex).
fn fingerprint(rule: &str, path: &str, message: &str) -> String {
    let mut h: u64 = 0xcbf29ce484222325;
    for b in rule.bytes().chain([0]).chain(path.bytes()).chain([0]).chain(message.bytes()) {
        h ^= b as u64;
        h = h.wrapping_mul(0x100000001b3);
    }
    format!("{h:016x}")
}
