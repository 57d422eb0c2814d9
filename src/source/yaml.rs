//! yaml-rust2 events -> a `Node` tree in which every key and value keeps its `Span`.
//!
//! yaml-rust2 is the one YAML semantics for manifests. The builder is iterative (no recursion on
//! input depth), bounds nesting depth and alias expansion, records duplicate keys (Kubernetes keeps
//! the last one silently) and applies merge keys (`<<`). Parse errors end the file at the parser's
//! position; documents completed before the error are kept.

use super::{FileId, Span};
use std::collections::{HashMap, HashSet};
use yaml_rust2::parser::{Event, Parser};
use yaml_rust2::scanner::TScalarStyle;

/// Deepest nesting accepted. Kubernetes objects nest a few dozen levels at most.
pub const MAX_DEPTH: usize = 256;
/// Nodes an alias expansion may create per file before the file is rejected (alias bombs).
pub const MAX_ALIAS_NODES: usize = 100_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Style {
    Plain,
    SingleQuoted,
    DoubleQuoted,
    Literal,
    Folded,
}

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Scalar(String, Style),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Span,
    /// Explicit tag such as `!!str`, `!!binary` or a local `!foo`, as written (handle + suffix).
    pub tag: Option<String>,
}

/// A problem found while reading YAML. `kind` decides which rule reports it.
#[derive(Clone, Debug, PartialEq)]
pub struct YamlIssue {
    pub kind: YamlIssueKind,
    pub span: Span,
    pub message: String,
    /// A second location, such as the first occurrence of a duplicated key.
    pub related: Option<Span>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum YamlIssueKind {
    /// Syntax error, nesting too deep, alias budget exceeded, unknown anchor.
    Invalid,
    DuplicateKey,
}

#[derive(Clone, Debug)]
pub struct Document {
    /// `None` for an empty document (only comments or nothing between `---` markers).
    pub root: Option<Node>,
    /// 0-based index of the document in its file.
    pub index: usize,
    /// From the document's first token to its last.
    pub span: Span,
}

#[derive(Clone, Debug, Default)]
pub struct ParsedFile {
    pub documents: Vec<Document>,
    pub issues: Vec<YamlIssue>,
}

impl Node {
    pub fn scalar(text: impl Into<String>, span: Span) -> Node {
        Node { value: Value::Scalar(text.into(), Style::Plain), span, tag: None }
    }
    pub fn string(text: impl Into<String>, span: Span) -> Node {
        let text = text.into();
        let style = if needs_quotes(&text) { Style::DoubleQuoted } else { Style::Plain };
        Node { value: Value::Scalar(text, style), span, tag: None }
    }
    pub fn map(entries: Vec<(Node, Node)>, span: Span) -> Node {
        Node { value: Value::Map(entries), span, tag: None }
    }
    pub fn seq(items: Vec<Node>, span: Span) -> Node {
        Node { value: Value::Seq(items), span, tag: None }
    }

    pub fn is_map(&self) -> bool {
        matches!(self.value, Value::Map(_))
    }
    pub fn is_seq(&self) -> bool {
        matches!(self.value, Value::Seq(_))
    }
    pub fn is_scalar(&self) -> bool {
        matches!(self.value, Value::Scalar(..))
    }

    /// The text of a scalar, whatever its style or type (`"3"`, `3` and `'3'` all give "3").
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar(s, _) => Some(s),
            _ => None,
        }
    }

    /// A scalar's text, unless it is null.
    pub fn as_text(&self) -> Option<&str> {
        if self.is_null() { None } else { self.as_str() }
    }

    pub fn style(&self) -> Option<Style> {
        match &self.value {
            Value::Scalar(_, st) => Some(*st),
            _ => None,
        }
    }

    /// True for a plain (unquoted) scalar that YAML reads as a string, not a number/bool/null.
    pub fn is_string(&self) -> bool {
        match &self.value {
            Value::Scalar(s, st) => {
                *st != Style::Plain || self.tag.as_deref() == Some("!!str") || resolve_plain(s) == Resolved::Str
            }
            _ => false,
        }
    }

    pub fn is_null(&self) -> bool {
        match &self.value {
            Value::Scalar(s, Style::Plain) => self.tag.is_none() && resolve_plain(s) == Resolved::Null,
            _ => false,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match &self.value {
            Value::Scalar(s, Style::Plain) if self.tag.is_none() => match resolve_plain(s) {
                Resolved::Bool(b) => Some(b),
                _ => None,
            },
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match &self.value {
            Value::Scalar(s, Style::Plain) => s.parse().ok(),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(v) => Some(v),
            _ => None,
        }
    }
    pub fn as_seq_mut(&mut self) -> Option<&mut Vec<Node>> {
        match &mut self.value {
            Value::Seq(v) => Some(v),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&[(Node, Node)]> {
        match &self.value {
            Value::Map(v) => Some(v),
            _ => None,
        }
    }
    pub fn as_map_mut(&mut self) -> Option<&mut Vec<(Node, Node)>> {
        match &mut self.value {
            Value::Map(v) => Some(v),
            _ => None,
        }
    }

    /// Items of a sequence; nothing for anything else.
    pub fn items(&self) -> std::slice::Iter<'_, Node> {
        self.as_seq().unwrap_or(&[]).iter()
    }

    /// Entries of a mapping as (key text, key node, value node); nothing for anything else.
    pub fn entries(&self) -> impl Iterator<Item = (&str, &Node, &Node)> {
        self.as_map().unwrap_or(&[]).iter().map(|(k, v)| (k.as_str().unwrap_or(""), k, v))
    }

    /// The value under `key` in a mapping (the last one when a key is duplicated).
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map()?.iter().rev().find(|(k, _)| k.as_str() == Some(key)).map(|(_, v)| v)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        self.as_map_mut()?.iter_mut().rev().find(|(k, _)| k.as_str() == Some(key)).map(|(_, v)| v)
    }

    /// The key node of `key` in a mapping.
    pub fn key(&self, key: &str) -> Option<&Node> {
        self.as_map()?.iter().rev().find(|(k, _)| k.as_str() == Some(key)).map(|(k, _)| k)
    }

    /// Follow a path of mapping keys: `node.at(&["spec", "backup"])`.
    pub fn at(&self, path: &[&str]) -> Option<&Node> {
        path.iter().try_fold(self, |n, k| n.get(k))
    }

    /// Text of the scalar at a path, if it is a non-null scalar.
    pub fn str_at(&self, path: &[&str]) -> Option<&str> {
        self.at(path)?.as_text()
    }

    /// Set `key` to `value` in a mapping, replacing an existing entry or appending a new one.
    pub fn insert(&mut self, key: Node, value: Node) {
        if let Some(entries) = self.as_map_mut() {
            if let Some(slot) = entries.iter_mut().rev().find(|(k, _)| k.as_str() == key.as_str()) {
                slot.1 = value;
            } else {
                entries.push((key, value));
            }
        }
    }

    pub fn remove(&mut self, key: &str) -> Option<Node> {
        let entries = self.as_map_mut()?;
        let i = entries.iter().position(|(k, _)| k.as_str() == Some(key))?;
        Some(entries.remove(i).1)
    }

    /// Every node of the tree, depth first, without recursion.
    pub fn walk(&self) -> Vec<&Node> {
        let mut out = Vec::new();
        let mut stack = vec![self];
        while let Some(n) = stack.pop() {
            out.push(n);
            match &n.value {
                Value::Seq(items) => stack.extend(items.iter().rev()),
                Value::Map(entries) => {
                    for (k, v) in entries.iter().rev() {
                        stack.push(v);
                        stack.push(k);
                    }
                }
                Value::Scalar(..) => {}
            }
        }
        out
    }

    /// Number of nodes in the tree.
    pub fn size(&self) -> usize {
        let mut n = 0;
        let mut stack = vec![self];
        while let Some(node) = stack.pop() {
            n += 1;
            match &node.value {
                Value::Seq(items) => stack.extend(items.iter()),
                Value::Map(entries) => {
                    for (k, v) in entries {
                        stack.push(k);
                        stack.push(v);
                    }
                }
                Value::Scalar(..) => {}
            }
        }
        n
    }

    /// Convert to JSON with YAML 1.2 core-schema typing of plain scalars.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match &self.value {
            Value::Scalar(s, style) => {
                if *style != Style::Plain || self.tag.as_deref() == Some("!!str") {
                    return J::String(s.clone());
                }
                match resolve_plain(s) {
                    Resolved::Null => J::Null,
                    Resolved::Bool(b) => J::Bool(b),
                    Resolved::Int(i) => J::from(i),
                    Resolved::Float(f) => serde_json::Number::from_f64(f).map(J::Number).unwrap_or(J::String(s.clone())),
                    Resolved::Str => J::String(s.clone()),
                }
            }
            Value::Seq(items) => J::Array(items.iter().map(Node::to_json).collect()),
            Value::Map(entries) => {
                let mut m = serde_json::Map::new();
                for (k, v) in entries {
                    m.insert(k.as_str().unwrap_or_default().to_string(), v.to_json());
                }
                J::Object(m)
            }
        }
    }
}

/// How a plain scalar resolves under the YAML 1.2 core schema.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Resolved {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str,
}

pub fn resolve_plain(s: &str) -> Resolved {
    match s {
        "" | "~" | "null" | "Null" | "NULL" => return Resolved::Null,
        "true" | "True" | "TRUE" => return Resolved::Bool(true),
        "false" | "False" | "FALSE" => return Resolved::Bool(false),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return Resolved::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Resolved::Float(f64::NEG_INFINITY),
        ".nan" | ".NaN" | ".NAN" => return Resolved::Float(f64::NAN),
        _ => {}
    }
    let b = s.as_bytes();
    let digits = |t: &str, radix: u32| !t.is_empty() && t.chars().all(|c| c.is_digit(radix));
    let unsigned = s.strip_prefix(['-', '+']).unwrap_or(s);
    if digits(unsigned, 10) {
        return s.parse().map(Resolved::Int).unwrap_or(Resolved::Float(s.parse().unwrap_or(0.0)));
    }
    if let Some(h) = s.strip_prefix("0x") {
        if digits(h, 16) {
            return i64::from_str_radix(h, 16).map(Resolved::Int).unwrap_or(Resolved::Str);
        }
    }
    if let Some(o) = s.strip_prefix("0o") {
        if digits(o, 8) {
            return i64::from_str_radix(o, 8).map(Resolved::Int).unwrap_or(Resolved::Str);
        }
    }
    // Core-schema float: [-+]? ( \. [0-9]+ | [0-9]+ ( \. [0-9]* )? ) ( [eE] [-+]? [0-9]+ )?
    if !b.is_empty() && (b[0].is_ascii_digit() || b[0] == b'.' || b[0] == b'-' || b[0] == b'+') {
        let re_ok = {
            let t = unsigned;
            let (mant, exp) = match t.find(['e', 'E']) {
                Some(i) => (&t[..i], Some(&t[i + 1..])),
                None => (t, None),
            };
            let mant_ok = match mant.split_once('.') {
                Some((a, c)) => (digits(a, 10) || a.is_empty()) && (c.is_empty() || digits(c, 10)) && !(a.is_empty() && c.is_empty()),
                None => digits(mant, 10),
            };
            let exp_ok = exp.map(|e| digits(e.strip_prefix(['-', '+']).unwrap_or(e), 10)).unwrap_or(true);
            mant_ok && exp_ok && (mant.contains('.') || exp.is_some())
        };
        if re_ok {
            if let Ok(f) = s.parse::<f64>() {
                return Resolved::Float(f);
            }
        }
    }
    Resolved::Str
}

/// Whether a string must be quoted to stay a string when written as a plain scalar.
pub fn needs_quotes(s: &str) -> bool {
    if s.is_empty() || resolve_plain(s) != Resolved::Str {
        return true;
    }
    let first = s.chars().next().unwrap();
    if "-?:,[]{}#&*!|>'\"%@`".contains(first) && !(first == '-' && s.len() > 1 && !s[1..].starts_with(' ')) {
        return true;
    }
    s.contains(": ") || s.contains(" #") || s.ends_with(':') || s.starts_with(' ') || s.ends_with(' ') || s.contains('\n')
        || s.contains('\t')
        || matches!(s, "y" | "Y" | "yes" | "Yes" | "YES" | "n" | "N" | "no" | "No" | "NO" | "on" | "On" | "ON" | "off" | "Off" | "OFF")
}

/// Parse a whole file. Never panics and never recurses on input depth.
pub fn parse(file: FileId, text: &str) -> ParsedFile {
    let mut b = Builder::new(file, text);
    let mut parser = Parser::new_from_str(text);
    loop {
        match parser.next_token() {
            Ok((ev, mark)) => {
                let done = ev == Event::StreamEnd;
                if let Err(issue) = b.on_event(ev, mark.index()) {
                    b.out.issues.push(issue);
                    break;
                }
                if done {
                    break;
                }
            }
            Err(e) => {
                let off = b.byte_offset(e.marker().index());
                b.out.issues.push(YamlIssue {
                    kind: YamlIssueKind::Invalid,
                    span: Span::new(file, off, (off + 1).min(text.len()).max(off)),
                    message: format!("invalid YAML: {}", e.info()),
                    related: None,
                });
                break;
            }
        }
    }
    b.out
}

enum Frame {
    Seq { items: Vec<Node>, start: usize, anchor: usize, tag: Option<String> },
    Map { entries: Vec<(Node, Node)>, pending_key: Option<Node>, seen: HashSet<String>, first_key: Option<usize>, start: usize, anchor: usize, tag: Option<String> },
}

struct Builder<'a> {
    file: FileId,
    text: &'a str,
    /// Byte offset of every char when the text is not ASCII (yaml-rust2 markers count chars).
    char_to_byte: Option<Vec<u32>>,
    stack: Vec<Frame>,
    anchors: HashMap<usize, Node>,
    alias_nodes: usize,
    doc_start: usize,
    doc_root: Option<Node>,
    doc_index: usize,
    in_doc: bool,
    out: ParsedFile,
}

fn tag_string(tag: Option<yaml_rust2::parser::Tag>) -> Option<String> {
    tag.map(|t| if t.handle == "tag:yaml.org,2002:" { format!("!!{}", t.suffix) } else { format!("{}{}", t.handle, t.suffix) })
}

impl<'a> Builder<'a> {
    fn new(file: FileId, text: &'a str) -> Self {
        let char_to_byte = if text.is_ascii() {
            None
        } else {
            let mut v: Vec<u32> = text.char_indices().map(|(i, _)| i as u32).collect();
            v.push(text.len() as u32);
            Some(v)
        };
        Builder {
            file,
            text,
            char_to_byte,
            stack: Vec::new(),
            anchors: HashMap::new(),
            alias_nodes: 0,
            doc_start: 0,
            doc_root: None,
            doc_index: 0,
            in_doc: false,
            out: ParsedFile::default(),
        }
    }

    fn byte_offset(&self, char_index: usize) -> usize {
        match &self.char_to_byte {
            None => char_index.min(self.text.len()),
            Some(v) => v.get(char_index).copied().unwrap_or(self.text.len() as u32) as usize,
        }
    }

    fn invalid(&self, at: usize, message: String) -> YamlIssue {
        YamlIssue { kind: YamlIssueKind::Invalid, span: Span::new(self.file, at, at + 1), message, related: None }
    }

    fn on_event(&mut self, ev: Event, char_index: usize) -> Result<(), YamlIssue> {
        let at = self.byte_offset(char_index);
        match ev {
            Event::StreamStart | Event::StreamEnd | Event::Nothing => {}
            Event::DocumentStart => {
                self.in_doc = true;
                self.doc_start = at;
                self.doc_root = None;
                self.anchors.clear();
            }
            Event::DocumentEnd => {
                let root = self.doc_root.take();
                let end = root.as_ref().map(|r| r.span.end as usize).unwrap_or(at).max(self.doc_start);
                let start = root.as_ref().map(|r| (r.span.start as usize).min(self.doc_start)).unwrap_or(self.doc_start);
                self.out.documents.push(Document { root, index: self.doc_index, span: Span::new(self.file, start, end) });
                self.doc_index += 1;
                self.in_doc = false;
            }
            Event::Alias(id) => {
                let node = match self.anchors.get(&id) {
                    Some(n) => n,
                    None => return Err(self.invalid(at, "alias refers to an unknown anchor".into())),
                };
                self.alias_nodes += node.size();
                if self.alias_nodes > MAX_ALIAS_NODES {
                    return Err(self.invalid(
                        at,
                        format!("alias expansion exceeds {MAX_ALIAS_NODES} nodes (an alias bomb?); the rest of the file is not read"),
                    ));
                }
                let mut node = node.clone();
                // The alias keeps the anchored content but is located where the alias is written.
                let len = self.text[at..].find(|c: char| c.is_whitespace() || c == ',' || c == ']' || c == '}').unwrap_or(self.text.len() - at);
                node.span = Span::new(self.file, at, at + len);
                self.push_node(node, 0)?;
            }
            Event::Scalar(value, style, anchor, tag) => {
                let style = match style {
                    TScalarStyle::SingleQuoted => Style::SingleQuoted,
                    TScalarStyle::DoubleQuoted => Style::DoubleQuoted,
                    TScalarStyle::Literal => Style::Literal,
                    TScalarStyle::Folded => Style::Folded,
                    _ => Style::Plain,
                };
                let (start, end) = scalar_span(self.text, at, style, &value);
                let value = if style == Style::Folded { refold_more_indented(self.text, start, end).unwrap_or(value) } else { value };
                let node = Node { value: Value::Scalar(value, style), span: Span::new(self.file, start, end), tag: tag_string(tag) };
                self.push_node(node, anchor)?;
            }
            Event::SequenceStart(anchor, tag) => {
                self.check_depth(at)?;
                self.stack.push(Frame::Seq { items: Vec::new(), start: at, anchor, tag: tag_string(tag) });
            }
            Event::MappingStart(anchor, tag) => {
                self.check_depth(at)?;
                self.stack.push(Frame::Map { entries: Vec::new(), pending_key: None, seen: HashSet::new(), first_key: None, start: at, anchor, tag: tag_string(tag) });
            }
            Event::SequenceEnd => {
                if let Some(Frame::Seq { items, start, anchor, tag }) = self.stack.pop() {
                    let start = items.first().map(|n| (n.span.start as usize).min(start)).unwrap_or(start);
                    let end = items.last().map(|n| n.span.end as usize).unwrap_or(at.max(start));
                    let node = Node { value: Value::Seq(items), span: Span::new(self.file, start, end), tag };
                    self.push_node(node, anchor)?;
                }
            }
            Event::MappingEnd => {
                if let Some(Frame::Map { mut entries, start, anchor, tag, first_key, .. }) = self.stack.pop() {
                    // Block mappings report their start after the first key; flow ones at `{`.
                    let start = first_key.map(|k| k.min(start)).unwrap_or(start);
                    let end = entries.last().map(|(_, v)| v.span.end as usize).unwrap_or(at.max(start));
                    apply_merge_keys(&mut entries);
                    let node = Node { value: Value::Map(entries), span: Span::new(self.file, start, end), tag };
                    self.push_node(node, anchor)?;
                }
            }
        }
        Ok(())
    }

    fn check_depth(&self, at: usize) -> Result<(), YamlIssue> {
        if self.stack.len() >= MAX_DEPTH {
            return Err(self.invalid(at, format!("nesting deeper than {MAX_DEPTH} levels; the rest of the file is not read")));
        }
        Ok(())
    }

    fn push_node(&mut self, node: Node, anchor: usize) -> Result<(), YamlIssue> {
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        match self.stack.last_mut() {
            None => {
                if self.in_doc {
                    self.doc_root = Some(node);
                }
            }
            Some(Frame::Seq { items, .. }) => items.push(node),
            Some(Frame::Map { entries, pending_key, seen, first_key, .. }) => match pending_key.take() {
                None => {
                    first_key.get_or_insert(node.span.start as usize);
                    *pending_key = Some(node);
                }
                Some(key) => {
                    let is_merge = key.as_str() == Some("<<") && key.style() == Some(Style::Plain);
                    let fresh = match key.as_str() {
                        Some(k) => seen.insert(k.to_string()),
                        None => false,
                    };
                    if !is_merge && !fresh {
                        if let Some((first, _)) = entries.iter().find(|(k, _)| k.is_scalar() && k.as_str() == key.as_str()) {
                            self.out.issues.push(YamlIssue {
                                kind: YamlIssueKind::DuplicateKey,
                                span: key.span,
                                message: format!(
                                    "duplicate key `{}`: Kubernetes keeps only the last value",
                                    key.as_str().unwrap_or_default()
                                ),
                                related: Some(first.span),
                            });
                            // Keep the last value in place of the first, as Kubernetes does.
                            entries.retain(|(k, _)| k.as_str() != key.as_str());
                        }
                    }
                    entries.push((key, node));
                }
            },
        }
        Ok(())
    }
}

/// Resolve `<<: *anchor` (or a list of anchors): keys already present win, earlier maps win.
fn apply_merge_keys(entries: &mut Vec<(Node, Node)>) {
    if !entries.iter().any(|(k, _)| k.as_str() == Some("<<") && k.style() == Some(Style::Plain)) {
        return;
    }
    let mut own = Vec::new();
    let mut merged: Vec<(Node, Node)> = Vec::new();
    for (k, v) in entries.drain(..) {
        if k.as_str() == Some("<<") && k.style() == Some(Style::Plain) {
            let sources: Vec<Node> = match v.value {
                Value::Map(_) => vec![v],
                Value::Seq(items) => items,
                _ => vec![],
            };
            for src in sources {
                if let Value::Map(src_entries) = src.value {
                    for (sk, sv) in src_entries {
                        if !merged.iter().any(|(mk, _)| mk.value == sk.value) {
                            merged.push((sk, sv));
                        }
                    }
                }
            }
        } else {
            own.push((k, v));
        }
    }
    for (k, v) in merged {
        if !own.iter().any(|(ok, _)| ok.value == k.value) {
            own.push((k, v));
        }
    }
    *entries = own;
}

/// The source range of a scalar whose event was reported at byte `at`. A block scalar's event
/// is reported at its first content line; its span starts at the `|` or `>` indicator.
fn scalar_span(text: &str, at: usize, style: Style, value: &str) -> (usize, usize) {
    if matches!(style, Style::Literal | Style::Folded) {
        let before = text[..at.min(text.len())].trim_end_matches([' ', '\t', '\n', '\r']);
        let header = before.trim_end_matches(|c: char| c.is_ascii_digit() || c == '+' || c == '-');
        let start = match header.chars().last() {
            Some('|') | Some('>') => header.len() - 1,
            _ => at,
        };
        return (start, block_scalar_end(text, at));
    }
    (at, scalar_end(text, at, style, value))
}

/// End of a block scalar's content: its lines are blank or indented at least as deep as the first
/// content line, which starts at or after `content`.
fn block_scalar_end(text: &str, content: usize) -> usize {
    let mut line_begin = text[..content.min(text.len())].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let mut indent = None;
    let mut end = content;
    while line_begin < text.len() {
        let line_end = text[line_begin..].find('\n').map(|i| line_begin + i).unwrap_or(text.len());
        let line = &text[line_begin..line_end];
        if !line.trim().is_empty() {
            let this = line.len() - line.trim_start_matches(' ').len();
            match indent {
                None => indent = Some(this),
                Some(i) if this < i => break,
                _ => {}
            }
            end = line_end;
        }
        line_begin = line_end + 1;
    }
    end
}

/// yaml-rust2 folds every line break of a folded (`>`) block scalar, but YAML keeps the breaks
/// around "more-indented" lines (lines indented deeper than the block's content). go-yaml v3 —
/// what kustomize, kubectl and Flux read manifests with, so what the cluster receives — also adds
/// one more line break where a normal line is followed by a more-indented one; drlint does the same. When a folded block has such lines, fold it again from the source text
/// (`start` is the `>` indicator, `end` the end of the last content line). `None` when the block has
/// no more-indented line (yaml-rust2's value is right) or uses an explicit indentation indicator.
fn refold_more_indented(text: &str, start: usize, end: usize) -> Option<String> {
    let header_end = text[start..end].find('\n').map(|i| start + i)?;
    let header = text[start..header_end].split('#').next().unwrap_or("").trim();
    if header.chars().any(|c| c.is_ascii_digit()) {
        return None;
    }
    let chomp = if header.contains('-') { '-' } else if header.contains('+') { '+' } else { ' ' };
    let lines: Vec<&str> = text[header_end + 1..end].split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)).collect();
    let indent = lines.iter().find(|l| !l.trim().is_empty()).map(|l| l.len() - l.trim_start_matches(' ').len())?;
    let is_more = |l: &str| l.len() > indent && (l[indent..].starts_with(' ') || l[indent..].starts_with('\t'));
    if !lines.iter().any(|l| !l.trim().is_empty() && is_more(l)) {
        return None;
    }
    let mut out = String::new();
    let mut prev_more: Option<bool> = None;
    let mut empties = 0usize;
    for line in &lines {
        if line.trim().is_empty() {
            empties += 1;
            continue;
        }
        let more = is_more(line);
        let content = line.get(indent..).unwrap_or("");
        match prev_more {
            None => out.push_str(&"\n".repeat(empties)),
            Some(false) if !more && empties == 0 => out.push(' '),
            Some(false) if !more => out.push_str(&"\n".repeat(empties)),
            Some(false) => out.push_str(&"\n".repeat(empties + 2)),
            _ => out.push_str(&"\n".repeat(empties + 1)),
        }
        out.push_str(content);
        prev_more = Some(more);
        empties = 0;
    }
    match chomp {
        '-' => {}
        '+' => out.push_str(&"\n".repeat(empties + 1)),
        _ => out.push('\n'),
    }
    Some(out)
}

/// Where a scalar that starts at byte `start` ends in the source.
fn scalar_end(text: &str, start: usize, style: Style, value: &str) -> usize {
    let rest = &text[start.min(text.len())..];
    let b = rest.as_bytes();
    match style {
        Style::DoubleQuoted => {
            let mut i = 1;
            while i < b.len() {
                match b[i] {
                    b'\\' => i += 2,
                    b'"' => return start + i + 1,
                    _ => i += 1,
                }
            }
            start + b.len()
        }
        Style::SingleQuoted => {
            let mut i = 1;
            while i < b.len() {
                if b[i] == b'\'' {
                    if b.get(i + 1) == Some(&b'\'') {
                        i += 2;
                        continue;
                    }
                    return start + i + 1;
                }
                i += 1;
            }
            start + b.len()
        }
        Style::Plain => {
            if !value.is_empty() && rest.starts_with(value) {
                return start + value.len();
            }
            if value.is_empty() {
                return start;
            }
            // Multi-line plain scalar: cover the first line.
            start + rest.find('\n').unwrap_or(rest.len())
        }
        Style::Literal | Style::Folded => block_scalar_end(text, start),
    }
}
