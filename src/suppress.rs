//! Suppressions. A comment `# drlint-ignore: rule-a, rule-b -- reason` silences those rules on its
//! own line (trailing comment) or on the next line that holds YAML (comment on a line of its own).
//! An annotation `drlint.io/ignore: "rule-a, rule-b"` silences them for the whole object.
//! yaml-rust2 has no comment events, so comments are lexed from the raw text.

use crate::source::{FileId, SourceFile, Span};
use std::collections::BTreeMap;

pub const ANNOTATION: &str = "drlint.io/ignore";

/// One `drlint-ignore` comment.
#[derive(Clone, Debug)]
pub struct IgnoreComment {
    /// 1-based line the comment silences.
    pub target_line: usize,
    pub rules: Vec<(String, Span)>,
}

/// Comments of one file, by the line they silence.
#[derive(Default, Debug)]
pub struct FileSuppressions {
    pub by_line: BTreeMap<usize, Vec<String>>,
    pub comments: Vec<IgnoreComment>,
}

impl FileSuppressions {
    pub fn silences(&self, line: usize, rule: &str) -> bool {
        self.silencer(line, rule).is_some()
    }

    /// The name on `line` that silences `rule`: the rule itself, else `all`.
    pub fn silencer(&self, line: usize, rule: &str) -> Option<String> {
        let rules = self.by_line.get(&line)?;
        rules.iter().find(|r| *r == rule).or_else(|| rules.iter().find(|r| *r == "all")).cloned()
    }
}

/// The `drlint-ignore` comments of every file of `db` that has some, lexed on every core, in file
/// order.
pub fn lex_all(db: &crate::source::SourceDb) -> Vec<(FileId, FileSuppressions)> {
    use rayon::prelude::*;
    let files: Vec<(FileId, &SourceFile)> = db.iter().collect();
    files.par_iter().map(|&(id, src)| (id, lex(id, src))).filter(|(_, s)| !s.comments.is_empty()).collect()
}

/// Find `# drlint-ignore:` comments. A `#` starts a comment only at line start or after
/// whitespace, as in YAML; the text after ` --` is the reason.
pub fn lex(file: FileId, src: &SourceFile) -> FileSuppressions {
    let mut out = FileSuppressions::default();
    let mut pending: Vec<IgnoreComment> = Vec::new();
    let text = src.text();
    let mut offset = 0;
    for (i, raw) in text.split_inclusive('\n').enumerate() {
        let line_no = i + 1;
        let line = raw.trim_end_matches(['\n', '\r']);
        let trimmed = line.trim_start();
        let comment_at = find_comment(line);
        let is_comment_only = trimmed.starts_with('#');
        let holds_content = !trimmed.is_empty() && !is_comment_only;
        if holds_content {
            for mut c in pending.drain(..) {
                c.target_line = line_no;
                out.comments.push(c);
            }
        }
        if let Some(at) = comment_at {
            let body = &line[at + 1..];
            if let Some(p) = body.find("drlint-ignore:") {
                let list_start = at + 1 + p + "drlint-ignore:".len();
                let list = &line[list_start..];
                let list_end = list.find(" --").unwrap_or(list.len());
                let mut rules = Vec::new();
                let mut pos = list_start;
                for part in line[list_start..list_start + list_end].split(',') {
                    let name = part.trim();
                    let lead = part.len() - part.trim_start().len();
                    if !name.is_empty() {
                        let s = offset + pos + lead;
                        rules.push((name.to_string(), Span::new(file, s, s + name.len())));
                    }
                    pos += part.len() + 1;
                }
                let c = IgnoreComment { target_line: line_no, rules };
                if is_comment_only { pending.push(c) } else { out.comments.push(c) }
            }
        }
        offset += raw.len();
    }
    for c in &out.comments {
        out.by_line.entry(c.target_line).or_default().extend(c.rules.iter().map(|(r, _)| r.clone()));
    }
    out
}

/// Byte index of the `#` that starts a comment on this line, skipping quoted strings.
fn find_comment(line: &str) -> Option<usize> {
    let b = line.as_bytes();
    let mut quote: Option<u8> = None;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match quote {
            Some(q) => {
                if c == b'\\' && q == b'"' {
                    i += 1;
                } else if c == q {
                    quote = None;
                }
            }
            None => {
                if c == b'#' && (i == 0 || b[i - 1] == b' ' || b[i - 1] == b'\t') {
                    return Some(i);
                }
                if (c == b'"' || c == b'\'') && (i == 0 || matches!(b[i - 1], b' ' | b':' | b'[' | b'{' | b',' | b'-')) {
                    quote = Some(c);
                }
            }
        }
        i += 1;
    }
    None
}

/// Rule ids in an annotation value: comma or whitespace separated.
pub fn parse_annotation(value: &str) -> Vec<&str> {
    value.split([',', ' ', '\n', '\t']).map(str::trim).filter(|s| !s.is_empty()).collect()
}
