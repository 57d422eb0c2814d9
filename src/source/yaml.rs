//! yaml-rust2 events -> a `Node` tree in which every key and value keeps its `Span`.
//!
//! yaml-rust2 is the one YAML semantics for manifests. The builder is iterative (no recursion on
//! input depth), bounds nesting depth and alias expansion, records duplicate keys (kustomize
//! refuses them, but merges repeated `annotations:` blocks) and applies merge keys (`<<`). Where
//! yaml-rust2 and go-yaml v3 (kubectl, kustomize, Flux) disagree, drlint reads as go-yaml does. Parse errors end the file at the parser's
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
    /// The text: inline when short (most keys and values), shared by copies when long.
    Scalar(super::text::Text, Style),
    Seq(Vec<Node>),
    Map(Vec<(Node, Node)>),
}

#[derive(Clone, Debug, PartialEq)]
pub struct Node {
    pub value: Value,
    pub span: Span,
    /// Explicit tag such as `!!str`, `!!binary` or a local `!foo`, as written (handle + suffix).
    /// Boxed: almost no node has one, and a thin pointer keeps every node 16 bytes smaller.
    pub tag: Option<Box<String>>,
}

// Every parsed and rendered value is a Node: its size is most of a run's memory.
const _: () = assert!(std::mem::size_of::<Node>() <= 56);

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
    /// A key written twice in one mapping: kustomize (go-yaml v3) refuses the whole file.
    DuplicateKey,
    /// `annotations:` written twice in an object's `metadata`, or an annotation written twice in
    /// it: kustomize accepts these and merges them (see `merge_annotation_blocks`).
    DuplicateAnnotation,
}

impl YamlIssue {
    /// Whether kustomize (kubectl kustomize, Flux, Argo CD) refuses a file with this problem.
    pub fn refused(&self) -> bool {
        self.kind != YamlIssueKind::DuplicateAnnotation
    }
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
    pub fn scalar(text: impl Into<super::text::Text>, span: Span) -> Node {
        Node { value: Value::Scalar(text.into(), Style::Plain), span, tag: None }
    }
    pub fn string(text: impl Into<super::text::Text>, span: Span) -> Node {
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

    /// The explicit tag, as written (`!!str`, `!foo`).
    pub fn tag(&self) -> Option<&str> {
        self.tag.as_deref().map(String::as_str)
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
                *st != Style::Plain || self.tag() == Some("!!str") || resolve_plain(s) == Resolved::Str
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
                if *style != Style::Plain || self.tag() == Some("!!str") {
                    return J::String(s.to_string());
                }
                match resolve_plain(s) {
                    Resolved::Null => J::Null,
                    Resolved::Bool(b) => J::Bool(b),
                    Resolved::Int(i) => J::from(i),
                    Resolved::Float(f) => serde_json::Number::from_f64(f).map(J::Number).unwrap_or(J::String(s.to_string())),
                    Resolved::Str => J::String(s.to_string()),
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
    if let Some(i) = go_int(s).and_then(|v| i64::try_from(v).ok()) {
        return Resolved::Int(i);
    }
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

/// go-yaml v3 reads a plain scalar that starts with a digit or sign as Go's
/// `strconv.ParseInt(s, 0, 64)` does after dropping underscores: `0x1F`, `0o17`, `0b101`, `017`
/// (octal, as YAML 1.1) and `1_000` are integers. The caller checks the range it needs.
pub fn go_int(s: &str) -> Option<i128> {
    let first = *s.as_bytes().first()?;
    if !(first.is_ascii_digit() || first == b'+' || first == b'-') {
        return None;
    }
    let plain = s.replace('_', "");
    let (neg, t) = match plain.strip_prefix('-') {
        Some(t) => (true, t),
        None => (false, plain.strip_prefix('+').unwrap_or(&plain)),
    };
    let (digits, radix) = if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        (h, 16)
    } else if let Some(o) = t.strip_prefix("0o").or_else(|| t.strip_prefix("0O")) {
        (o, 8)
    } else if let Some(x) = t.strip_prefix("0b").or_else(|| t.strip_prefix("0B")) {
        (x, 2)
    } else if t.len() > 1 && t.starts_with('0') {
        (&t[1..], 8)
    } else {
        (t, 10)
    };
    if digits.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let v = i128::from_str_radix(digits, radix).ok()?;
    Some(if neg { -v } else { v })
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
///
/// yaml-rust2 is stricter than go-yaml v3 (what kubectl, kustomize and Flux read with) in a few
/// places that do not change any value: lines inside a flow collection or a quoted scalar that sit
/// at or left of the parent key's indentation, a tab right after `:` or at the start of a line
/// inside a flow collection, a byte-order mark at the start of a later document. go-yaml accepts
/// these, so when yaml-rust2 stops on one of them the text is repaired (spaces inserted, a tab made
/// a space, the mark dropped) and parsed again; every position still points into the original
/// text.
pub fn parse(file: FileId, text: &str) -> ParsedFile {
    let mut edits = Edits::default();
    for b in text.match_indices('\u{feff}').map(|(i, _)| i).filter(|&i| i == 0 || text[..i].ends_with('\n')) {
        edits.delete.insert(b);
    }
    let mut out = ParsedFile::default();
    for _ in 0..MAX_REPAIRS {
        let (parsed, next) = parse_with(file, text, &edits);
        out = parsed;
        match next {
            Some(next) if next != edits => edits = next,
            _ => break,
        }
    }
    out
}

/// Repairs tried per file before its syntax error is reported.
const MAX_REPAIRS: usize = 64;

/// Edits of the text given to yaml-rust2, by byte offset in the original text.
#[derive(Clone, Debug, Default, PartialEq)]
struct Edits {
    /// Spaces inserted before the byte.
    insert: std::collections::BTreeMap<usize, usize>,
    /// A tab at this byte read as a space.
    space: std::collections::BTreeSet<usize>,
    /// A byte-order mark at this byte dropped.
    delete: std::collections::BTreeSet<usize>,
}

/// Where each char of the text yaml-rust2 reads (whose marks count chars) is in the original
/// text, in bytes.
enum CharMap {
    /// Nothing edited, ASCII text: char index = byte offset.
    Ascii,
    /// Nothing edited: after each multi-byte char, (the next char's index, bytes beyond one per
    /// char so far). Texts are mostly ASCII (a few in comments): a map per char cost a third of
    /// parsing.
    Sparse(Vec<(u32, u32)>),
    /// Edited: the byte offset of every char.
    Full(Vec<u32>),
}

/// The edited text and where its chars are in the original text.
fn apply_edits<'t>(text: &'t str, e: &Edits) -> (std::borrow::Cow<'t, str>, CharMap) {
    if e.insert.is_empty() && e.space.is_empty() && e.delete.is_empty() {
        if text.is_ascii() {
            return (std::borrow::Cow::Borrowed(text), CharMap::Ascii);
        }
        let mut extra = 0u32;
        let mut v: Vec<(u32, u32)> = Vec::new();
        for (k, (_, c)) in text.char_indices().enumerate() {
            if c.len_utf8() > 1 {
                extra += c.len_utf8() as u32 - 1;
                v.push((k as u32 + 1, extra));
            }
        }
        return (std::borrow::Cow::Borrowed(text), CharMap::Sparse(v));
    }
    let mut out = String::with_capacity(text.len() + 64);
    let mut map = Vec::with_capacity(text.len() + 64);
    for (i, c) in text.char_indices() {
        if let Some(&n) = e.insert.get(&i) {
            for _ in 0..n {
                out.push(' ');
                map.push(i as u32);
            }
        }
        if e.delete.contains(&i) {
            continue;
        }
        out.push(if c == '\t' && e.space.contains(&i) { ' ' } else { c });
        map.push(i as u32);
    }
    map.push(text.len() as u32);
    (std::borrow::Cow::Owned(out), CharMap::Full(map))
}

fn parse_with(file: FileId, text: &str, edits: &Edits) -> (ParsedFile, Option<Edits>) {
    let (edited, map) = apply_edits(text, edits);
    let ascii = matches!(map, CharMap::Ascii);
    let mut b = Builder::new(file, text, map);
    b.line_starts.push(0);
    if ascii && !edited.contains('\r') {
        // Char index = byte offset: the newlines, found by memchr.
        b.line_starts.extend(edited.match_indices('\n').map(|(i, _)| i + 1));
    } else {
        let mut chars = edited.chars().enumerate().peekable();
        while let Some((i, c)) = chars.next() {
            if c == '\n' || (c == '\r' && chars.peek().map(|p| p.1) != Some('\n')) {
                b.line_starts.push(i + 1);
            }
        }
    }
    let mut parser = Parser::new_from_str(&edited);
    loop {
        match parser.next_token() {
            Ok((ev, mark)) => {
                let done = ev == Event::StreamEnd;
                let at = b.char_index(&mark);
                if let Err(issue) = b.on_event(ev, at) {
                    b.out.issues.push(issue);
                    break;
                }
                if done {
                    break;
                }
            }
            Err(e) => {
                let off = b.byte_offset(b.char_index(e.marker()));
                if let Some(next) = b.repair(e.info(), off, edits) {
                    return (b.out, Some(next));
                }
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
    (b.out, None)
}

/// Byte offset of the start of the line holding `off`.
fn line_start(text: &str, off: usize) -> usize {
    text[..off.min(text.len())].rfind('\n').map(|i| i + 1).unwrap_or(0)
}

/// Leading spaces of the line starting at `ls`.
fn indentation(text: &str, ls: usize) -> usize {
    text[ls..].bytes().take_while(|&c| c == b' ').count()
}

/// The next line start after the line starting at `ls`, if any.
fn next_line(text: &str, ls: usize) -> Option<usize> {
    text[ls..].find('\n').map(|i| ls + i + 1).filter(|&n| n < text.len())
}

enum Frame {
    Seq { items: Vec<Node>, start: usize, anchor: usize, tag: Option<Box<String>> },
    Map { entries: Vec<(Node, Node)>, pending_key: Option<Node>, seen: HashSet<String>, first_key: Option<usize>, start: usize, anchor: usize, tag: Option<Box<String>> },
}

struct Builder<'a> {
    file: FileId,
    text: &'a str,
    /// Byte offset in `text` of every char yaml-rust2 read, when the text is not ASCII or was
    /// repaired (yaml-rust2 markers count chars of the text it read).
    char_to_byte: CharMap,
    stack: Vec<Frame>,
    /// Char index of the start of every line of the text yaml-rust2 read (see `char_index`).
    line_starts: Vec<usize>,
    anchors: HashMap<usize, Node>,
    alias_nodes: usize,
    doc_start: usize,
    doc_root: Option<Node>,
    doc_index: usize,
    in_doc: bool,
    out: ParsedFile,
}

fn tag_string(tag: Option<yaml_rust2::parser::Tag>) -> Option<Box<String>> {
    tag.map(|t| Box::new(if t.handle == "tag:yaml.org,2002:" { format!("!!{}", t.suffix) } else { format!("{}{}", t.handle, t.suffix) }))
}

impl<'a> Builder<'a> {
    fn new(file: FileId, text: &'a str, char_to_byte: CharMap) -> Self {
        Builder {
            file,
            text,
            char_to_byte,
            stack: Vec::new(),
            line_starts: Vec::new(),
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
            CharMap::Ascii => char_index.min(self.text.len()),
            CharMap::Sparse(v) => {
                let extra = match v.partition_point(|&(k, _)| k as usize <= char_index) {
                    0 => 0,
                    n => v[n - 1].1 as usize,
                };
                (char_index + extra).min(self.text.len())
            }
            CharMap::Full(v) => v.get(char_index).copied().unwrap_or(self.text.len() as u32) as usize,
        }
    }

    /// An edit that gets yaml-rust2 past an error go-yaml v3 does not raise, or `None` when the
    /// error is real. `off` is where yaml-rust2 stopped, in the original text.
    fn repair(&self, info: &str, off: usize, edits: &Edits) -> Option<Edits> {
        let text = self.text;
        let mut next = edits.clone();
        match info {
            // Only raised inside flow collections: go-yaml does not check their indentation.
            "invalid indentation" | "invalid indentation in flow construct" => {
                let ls = line_start(text, off);
                let shifted = |l: usize, e: &Edits| indentation(text, l) + e.insert.get(&l).copied().unwrap_or(0);
                // Indent past the line above (the parent key sits there or further left).
                let mut prev = None;
                let mut l = ls;
                while l > 0 {
                    l = line_start(text, l - 1);
                    let t = text[l..].split('\n').next().unwrap_or("").trim();
                    if !t.is_empty() && !t.starts_with('#') {
                        prev = Some(l);
                        break;
                    }
                }
                let mut target = prev.map(|p| shifted(p, edits)).unwrap_or(0) + 1;
                if let Some(&n) = edits.insert.get(&ls) {
                    target = target.max(shifted(ls, edits) + n.max(2));
                }
                // This line and the rest of the flow collection it is in.
                let mut depth = 1i32;
                let mut quote: Option<char> = None;
                let mut l = Some(ls);
                while let Some(cur) = l {
                    let line = text[cur..].split('\n').next().unwrap_or("");
                    if cur != ls && quote.is_none() && (line.starts_with("---") || line.starts_with("...")) {
                        break;
                    }
                    let have = shifted(cur, &next);
                    if !line.trim().is_empty() && have < target {
                        *next.insert.entry(cur).or_insert(0) += target - have;
                    }
                    let mut prev_c = ' ';
                    let mut chars = line.chars().peekable();
                    while let Some(c) = chars.next() {
                        match quote {
                            Some('"') if c == '\\' => {
                                chars.next();
                            }
                            Some(q) if c == q => {
                                if q == '\'' && chars.peek() == Some(&'\'') {
                                    chars.next();
                                } else {
                                    quote = None;
                                }
                            }
                            Some(_) => {}
                            None => match c {
                                '"' | '\'' if matches!(prev_c, ' ' | '\t' | '[' | '{' | ',' | ':') => quote = Some(c),
                                '#' if matches!(prev_c, ' ' | '\t') => break,
                                '[' | '{' => depth += 1,
                                ']' | '}' => depth -= 1,
                                _ => {}
                            },
                        }
                        prev_c = c;
                    }
                    if depth <= 0 && quote.is_none() {
                        break;
                    }
                    l = next_line(text, cur);
                }
            }
            // go-yaml does not check the indentation of a quoted scalar's continuation lines.
            "invalid indentation in quoted scalar" => {
                let style = if text[off..].starts_with('\'') { Style::SingleQuoted } else { Style::DoubleQuoted };
                let end = scalar_end(text, off, style, "");
                let first = line_start(text, off);
                let target = off - first + next.insert.get(&first).copied().unwrap_or(0);
                let mut l = next_line(text, first);
                while let Some(cur) = l.filter(|&c| c < end) {
                    let have = indentation(text, cur) + next.insert.get(&cur).copied().unwrap_or(0);
                    if have < target && !text[cur..].split('\n').next().unwrap_or("").trim().is_empty() {
                        *next.insert.entry(cur).or_insert(0) += target - have;
                    }
                    l = next_line(text, cur);
                }
            }
            // go-yaml reads a tab after `:` as the separating blank.
            "':' must be followed by a valid YAML whitespace" => {
                let ls = line_start(text, off);
                let le = text[ls..].find('\n').map(|i| ls + i).unwrap_or(text.len());
                let at = ls + text[ls..le].find(":\t")?;
                next.space.insert(at + 1);
            }
            // Tabs that start a line inside a flow collection are blanks to go-yaml.
            "tabs disallowed within this context (block indentation)" if self.in_flow() => {
                let ls = line_start(text, off);
                for (i, c) in text[ls..].char_indices() {
                    match c {
                        '\t' => {
                            next.space.insert(ls + i);
                        }
                        ' ' => {}
                        _ => break,
                    }
                }
            }
            _ => return None,
        }
        (next != *edits).then_some(next)
    }

    /// The char index of a marker, from its line and column: yaml-rust2 advances its own index by
    /// the bytes, not the chars, of a block scalar's lines, so after non-ASCII block content the
    /// index runs ahead; line and column stay right.
    fn char_index(&self, m: &yaml_rust2::scanner::Marker) -> usize {
        match self.line_starts.get(m.line().saturating_sub(1)) {
            Some(start) => start + m.col(),
            None => m.index(),
        }
    }

    /// Whether a flow collection (`[` or `{`) is open.
    fn in_flow(&self) -> bool {
        self.stack.iter().any(|f| {
            let start = match f {
                Frame::Seq { start, .. } | Frame::Map { start, .. } => *start,
            };
            matches!(self.text.as_bytes().get(start), Some(b'[' | b'{'))
        })
    }

    /// Column (in chars) of a byte offset.
    fn column(&self, off: usize) -> usize {
        let off = off.min(self.text.len());
        self.text.get(line_start(self.text, off)..off).map(|s| s.chars().count()).unwrap_or(0)
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
                let parent = match self.stack.last() {
                    Some(Frame::Map { pending_key: Some(k), .. }) => Some(self.column(k.span.start as usize)),
                    Some(Frame::Seq { start, .. }) => Some(self.column(*start)),
                    None => Some(0),
                    _ => None,
                };
                let (start, end) = scalar_span(self.text, at, style, &value, parent);
                if style == Style::DoubleQuoted && has_slash_escape(&self.text[start..end]) {
                    // YAML 1.2 allows `\/`; go-yaml v3 does not.
                    return Err(self.invalid(start, "invalid YAML: found unknown escape character `\\/` (kubectl and kustomize refuse it)".into()));
                }
                let value = if matches!(style, Style::Literal | Style::Folded) {
                    block_value(self.text, start, end, style, value, parent)
                } else {
                    value
                };
                let node = Node { value: Value::Scalar(value.into(), style), span: Span::new(self.file, start, end), tag: tag_string(tag) };
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
                if let Some(Frame::Seq { mut items, start, anchor, tag }) = self.stack.pop() {
                    // Parsed trees live until every object is indexed: no room left from growing.
                    items.shrink_to_fit();
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
                    entries.shrink_to_fit();
                    let object_metadata = self.stack.len() == 1
                        && matches!(self.stack.first(), Some(Frame::Map { pending_key: Some(k), .. }) if k.as_str() == Some("metadata"));
                    if object_metadata {
                        merge_annotation_blocks(&mut entries, &mut self.out.issues);
                    }
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
        let in_root_meta = self.in_object_metadata(2);
        let in_root_annotations = self.in_object_metadata(3);
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
                    if !fresh {
                        if let Some((first, _)) = entries.iter().find(|(k, _)| k.is_scalar() && k.as_str() == key.as_str()) {
                            let name = key.as_str().unwrap_or_default();
                            let first_span = first.span;
                            // kustomize merges `annotations:` blocks of an object's metadata and
                            // keeps the last of an annotation written twice; it refuses every
                            // other duplicate. Annotation entries stay as written until the
                            // metadata mapping ends (`merge_annotation_blocks`).
                            let accepted = (in_root_meta && name == "annotations") || in_root_annotations;
                            let (kind, message) = if accepted && in_root_annotations {
                                (YamlIssueKind::DuplicateAnnotation, format!("annotation `{name}` written twice: kustomize keeps the last value"))
                            } else if accepted {
                                (YamlIssueKind::DuplicateAnnotation, "`annotations` written twice: kustomize merges the blocks (a key in both keeps the first block's value)".to_string())
                            } else if is_merge {
                                (YamlIssueKind::DuplicateKey, "merge key `<<` written twice: kustomize refuses the whole file (duplicate merge key); list the anchors in one `<<: [*a, *b]`".to_string())
                            } else {
                                (YamlIssueKind::DuplicateKey, format!("duplicate key `{name}`: kustomize refuses the whole file (mapping key \"{name}\" already defined), so every build that includes it fails"))
                            };
                            self.out.issues.push(YamlIssue { kind, span: key.span, message, related: Some(first_span) });
                            if !accepted && !is_merge {
                                // Keep the last value in place of the first, as the readers that
                                // accept duplicates do.
                                entries.retain(|(k, _)| k.as_str() != key.as_str());
                            }
                        }
                    }
                    entries.push((key, node));
                }
            },
        }
        Ok(())
    }

    /// Whether the mapping being built is an object's `metadata` (`depth` 2) or its
    /// `metadata.annotations` (`depth` 3): the root mapping's pending key is `metadata`, and at
    /// depth 3 the metadata mapping's pending key is `annotations`.
    fn in_object_metadata(&self, depth: usize) -> bool {
        let key_is = |f: &Frame, name: &str| matches!(f, Frame::Map { pending_key: Some(k), .. } if k.as_str() == Some(name));
        self.stack.len() == depth
            && self.stack.first().is_some_and(|f| key_is(f, "metadata"))
            && (depth == 2 || self.stack.get(1).is_some_and(|f| key_is(f, "annotations")))
            && matches!(self.stack.last(), Some(Frame::Map { .. }))
    }
}

/// kustomize (kyaml) reads an object's annotations and writes them back a few times while it
/// loads a file; each pass takes the first `annotations:` block (the last value of a key written
/// twice in it), removes it and writes its keys into the next block, replacing the first
/// occurrence of a key there. Three passes: up to four blocks end as one, more are refused like
/// any duplicate key. `issues` are the file's issues; those about these blocks become refusals
/// when the blocks are not merged.
fn merge_annotation_blocks(entries: &mut Vec<(Node, Node)>, issues: &mut [YamlIssue]) {
    let is_ann = |k: &Node| k.as_str() == Some("annotations");
    let blocks: Vec<usize> = entries.iter().enumerate().filter(|(_, (k, _))| is_ann(k)).map(|(i, _)| i).collect();
    if blocks.is_empty() {
        return;
    }
    let mergeable = blocks.len() <= 4 && blocks.iter().all(|&i| entries[i].1.is_map() || entries[i].1.is_null());
    if !mergeable {
        let spans: Vec<Span> = blocks.iter().skip(1).map(|&i| entries[i].0.span).collect();
        for issue in issues.iter_mut().filter(|i| i.kind == YamlIssueKind::DuplicateAnnotation && spans.contains(&i.span)) {
            issue.kind = YamlIssueKind::DuplicateKey;
            issue.message = "duplicate key `annotations`: kustomize merges at most four `annotations:` blocks and refuses the whole file (mapping key \"annotations\" already defined)".to_string();
        }
        let last = entries[*blocks.last().unwrap_or(&0)].clone();
        entries.retain(|(k, _)| !is_ann(k));
        entries.push(last);
        return;
    }
    let last_wins = |items: Vec<(Node, Node)>| {
        let mut out: Vec<(Node, Node)> = Vec::new();
        for (k, v) in items {
            out.retain(|(ok, _)| ok.as_str() != k.as_str());
            out.push((k, v));
        }
        out
    };
    let map_entries = |n: &Node| n.as_map().map(|m| m.to_vec()).unwrap_or_default();
    let mut acc = last_wins(map_entries(&entries[blocks[0]].1));
    for &b in &blocks[1..] {
        let mut next = map_entries(&entries[b].1);
        if !acc.is_empty() {
            acc.sort_by(|a, b| a.0.as_str().cmp(&b.0.as_str()));
            for (k, v) in acc {
                match next.iter_mut().find(|(nk, _)| nk.as_str() == k.as_str()) {
                    Some(slot) => slot.1 = v,
                    None => next.push((k, v)),
                }
            }
        }
        acc = last_wins(next);
    }
    let first = blocks[0];
    let span = entries[first].1.span;
    let tag = entries[first].1.tag.clone();
    entries[first].1 = Node { value: Value::Map(acc), span, tag };
    let mut i = 0;
    entries.retain(|(k, _)| {
        i += 1;
        !(is_ann(k) && i - 1 != first)
    });
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
fn scalar_span(text: &str, at: usize, style: Style, value: &str, parent: Option<usize>) -> (usize, usize) {
    if matches!(style, Style::Literal | Style::Folded) {
        let at = at.min(text.len());
        // The header is on the line of `at` when something precedes it there, else on the last
        // non-blank line above (the content may start after blank lines).
        let mut ls = line_start(text, at);
        let mut limit = at;
        if text[ls..at].trim().is_empty() {
            while ls > 0 {
                ls = line_start(text, ls - 1);
                limit = text[ls..].find('\n').map(|i| ls + i).unwrap_or(text.len());
                if !text[ls..limit].trim().is_empty() {
                    break;
                }
            }
        }
        let line = &text[ls..limit];
        let code = line.find(" #").or_else(|| line.find("\t#")).map(|i| &line[..i]).unwrap_or(line).trim_end();
        let ind = code.trim_end_matches(|c: char| c.is_ascii_digit() || c == '+' || c == '-');
        let (start, digit) = match ind.chars().last() {
            Some('|') | Some('>') => (ls + ind.len() - 1, code[ind.len()..].chars().find(|c| c.is_ascii_digit()).and_then(|c| c.to_digit(10))),
            _ => (at, None),
        };
        let fixed = digit.and_then(|n| Some(parent? + n as usize));
        return (start, block_scalar_end(text, at, fixed));
    }
    (at, scalar_end(text, at, style, value))
}

/// End of a block scalar's content: its lines are blank or indented at least as deep as the first
/// content line, which starts at or after `content` (or as `fixed`, from an indentation indicator).
fn block_scalar_end(text: &str, content: usize, fixed: Option<usize>) -> usize {
    let mut line_begin = text[..content.min(text.len())].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let mut indent = fixed;
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

/// A block scalar's value as go-yaml v3 reads it, from yaml-rust2's `value` and the source
/// (`start` is the `|` or `>` indicator, `end` the end of the last content line; `parent` the
/// parent node's indentation, for an explicit indentation indicator).
///
/// go-yaml differs from yaml-rust2 in three places: a block whose last line ends the file without
/// a line break has no final `\n` (clip and keep chomping; kubectl prints `|-`); a block with no
/// content is empty; folded blocks are folded its own way (`refold`).
fn block_value(text: &str, start: usize, end: usize, style: Style, value: String, parent: Option<usize>) -> String {
    let header_end = text[start..].find('\n').map(|i| start + i).unwrap_or(text.len());
    let header = text[start..header_end].split('#').next().unwrap_or("").trim();
    let chomp = if header.contains('-') { '-' } else if header.contains('+') { '+' } else { ' ' };
    let has_content = text.get(header_end..end).is_some_and(|c| !c.trim().is_empty());
    if !has_content {
        if chomp != '+' {
            return String::new();
        }
        // Keep: one line break per blank line below the header.
        let rest = text.get(header_end + 1..).unwrap_or("");
        let run = rest.find(|c: char| !c.is_whitespace()).unwrap_or(rest.len());
        return "\n".repeat(rest[..run].matches('\n').count());
    }
    let mut value = if style == Style::Folded { refold(text, header_end, end, header, chomp, parent).unwrap_or(value) } else { value };
    if end >= text.len() && chomp != '-' && value.ends_with('\n') {
        value.pop();
    }
    value
}

/// yaml-rust2 folds every line break of a folded (`>`) block scalar, but YAML keeps the breaks
/// around "more-indented" lines (lines indented deeper than the block's content). go-yaml v3 —
/// what kustomize, kubectl and Flux read manifests with, so what the cluster receives — also adds
/// one more line break where a normal line is followed by a more-indented one, and one more after
/// the trailing blank lines of a keep (`>+`) block; drlint does the same. When a folded block has
/// such lines, fold it again from the source text. `None` when yaml-rust2's value is right.
fn refold(text: &str, header_end: usize, end: usize, header: &str, chomp: char, parent: Option<usize>) -> Option<String> {
    let lines: Vec<&str> = text.get(header_end + 1..end)?.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l)).collect();
    let indent = match header.chars().find(|c| c.is_ascii_digit()).and_then(|c| c.to_digit(10)) {
        Some(n) => parent? + n as usize,
        None => lines.iter().find(|l| !l.trim().is_empty()).map(|l| l.len() - l.trim_start_matches(' ').len())?,
    };
    // Blank lines after the last content line, up to the next content or the end of the file.
    let rest = &text[end..];
    let run = rest.find(|c: char| !c.is_whitespace()).unwrap_or(rest.len());
    let trailing = rest[..run].matches('\n').count().saturating_sub(1);
    let is_more = |l: &str| l.len() > indent && (l[indent..].starts_with(' ') || l[indent..].starts_with('\t'));
    let has_more = lines.iter().any(|l| !l.trim().is_empty() && is_more(l));
    if !has_more && !(chomp == '+' && trailing > 0) {
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
        // Observed: the extra break is not there when the block starts more-indented.
        '+' if trailing > 0 => {
            let first_more = lines.iter().find(|l| !l.trim().is_empty()).is_some_and(|l| is_more(l));
            out.push_str(&"\n".repeat(trailing + if first_more { 1 } else { 2 }));
        }
        _ => out.push('\n'),
    }
    Some(out)
}

/// Whether a double-quoted scalar's source holds the `\/` escape.
fn has_slash_escape(src: &str) -> bool {
    let mut chars = src.chars();
    while let Some(c) = chars.next() {
        if c == '\\' && chars.next() == Some('/') {
            return true;
        }
    }
    false
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
        Style::Literal | Style::Folded => block_scalar_end(text, start, None),
    }
}
