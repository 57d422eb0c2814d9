//! Helm's `toYaml`/`toJson`/`fromYaml`/`fromJson`. `toYaml` is `sigs.k8s.io/yaml`: the value goes
//! through JSON (so whole floats print as integers), then go-yaml v2 writes it: keys sorted,
//! 2-space indentation, sequences not indented under their key, strings quoted only when they
//! would read back as something else, long strings folded at 80 columns, multi-line strings as
//! literal blocks.

use crate::helm::value::{Value, go_float, yaml11_bool};
use crate::source::yaml::{self, Resolved};

pub fn to_yaml(v: &Value) -> String {
    let mut out = String::new();
    match v {
        Value::Dict(m) if !m.borrow().is_empty() => map(&mut out, v, 0),
        Value::List(l) if !l.is_empty() => seq(&mut out, l, 0),
        Value::Object(_) => map(&mut out, v, 0),
        _ => {
            out.push_str(&scalar(v, 0, 0));
            out.push('\n');
        }
    }
    out
}

fn entries(v: &Value) -> Vec<(String, Value)> {
    match v {
        Value::Dict(m) => m.borrow().iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        Value::Object(o) => o.fields.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        _ => Vec::new(),
    }
}

fn is_block(v: &Value) -> bool {
    match v {
        Value::Dict(m) => !m.borrow().is_empty(),
        Value::List(l) => !l.is_empty(),
        Value::Object(_) => true,
        _ => false,
    }
}

fn map(out: &mut String, v: &Value, indent: usize) {
    let mut first = true;
    for (k, val) in entries(v) {
        if !first {
            out.push_str(&" ".repeat(indent));
        }
        first = false;
        let key = string_scalar(&k, indent, 0, false);
        out.push_str(&key);
        out.push(':');
        write_value(out, &val, indent, indent + key.chars().count() + 2, true);
    }
}

fn seq(out: &mut String, l: &[Value], indent: usize) {
    for (i, item) in l.iter().enumerate() {
        if i > 0 {
            out.push_str(&" ".repeat(indent));
        }
        out.push('-');
        write_value(out, item, indent, indent + 2, false);
    }
}

/// After `key:` or `-`: a nested block on the next lines, or ` scalar`.
fn write_value(out: &mut String, v: &Value, indent: usize, column: usize, in_map: bool) {
    match v {
        Value::Dict(_) | Value::Object(_) if is_block(v) => {
            if in_map {
                out.push('\n');
                out.push_str(&" ".repeat(indent + 2));
            } else {
                out.push(' ');
            }
            map(out, v, indent + 2);
        }
        Value::List(l) if !l.is_empty() => {
            if in_map {
                out.push('\n');
                out.push_str(&" ".repeat(indent));
                seq(out, l, indent);
            } else {
                out.push(' ');
                seq(out, l, indent + 2);
            }
        }
        _ => {
            out.push(' ');
            out.push_str(&scalar(v, indent + 2, column));
            out.push('\n');
        }
    }
}

/// A scalar at `column`, continuation lines indented by `indent`.
fn scalar(v: &Value, indent: usize, column: usize) -> String {
    match v {
        Value::Nil => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => yaml_float(*f),
        Value::Str(s) => string_scalar(s, indent, column, true),
        Value::Dict(_) | Value::Object(_) => "{}".into(),
        Value::List(_) => "[]".into(),
    }
}

/// A float after the JSON round trip: whole numbers come back as integers.
fn yaml_float(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e21 {
        if f.abs() < 9.2e18 {
            return (f as i64).to_string();
        }
        return go_float(f, 6);
    }
    if f.is_nan() {
        return ".nan".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { ".inf".into() } else { "-.inf".into() };
    }
    go_float(f, 6)
}

/// Whether go-yaml v2 would read the plain text as something other than a string.
fn resolves_non_string(s: &str) -> bool {
    if yaml11_bool(s).is_some() {
        return true;
    }
    if yaml::resolve_plain(s) != Resolved::Str {
        return true;
    }
    let b = s.as_bytes();
    // Base-60 floats (`1:20`) and timestamps (`2001-12-14`) resolve too.
    let sexagesimal = b.first().is_some_and(|c| c.is_ascii_digit())
        && s.contains(':')
        && s.split(':').enumerate().all(|(i, p)| !p.is_empty() && (p.bytes().all(|c| c.is_ascii_digit() || (i > 0 && c == b'.'))));
    let date = b.len() >= 8 && b[..4].iter().all(u8::is_ascii_digit) && b[4] == b'-' && {
        let rest: Vec<&str> = s[5..].splitn(2, ['T', 't', ' ']).collect();
        let d: Vec<&str> = rest[0].split('-').collect();
        d.len() == 2 && d.iter().all(|p| !p.is_empty() && p.len() <= 2 && p.bytes().all(|c| c.is_ascii_digit()))
    };
    sexagesimal || date || s == "<<"
}

fn printable(c: char) -> bool {
    c == '\n' || (' '..='~').contains(&c) || (c as u32 >= 0xA0 && c != '\u{FEFF}' && c != '\u{FFFE}' && c != '\u{FFFF}')
        || c == '\u{85}'
}

fn plain_allowed(s: &str) -> bool {
    if s.is_empty() || s.starts_with("---") || s.starts_with("...") {
        return false;
    }
    let first = s.chars().next().unwrap();
    if "#,[]{}&*!|>'\"%@`".contains(first) {
        return false;
    }
    let second = s[first.len_utf8()..].chars().next();
    if "-?:".contains(first) && (second.is_none() || second == Some(' ')) {
        return false;
    }
    if s.starts_with(' ') || s.ends_with(' ') || s.ends_with(':') {
        return false;
    }
    !(s.contains(": ") || s.contains(" #") || s.chars().any(|c| !printable(c) || c == '\n'))
}

/// A string as go-yaml v2 writes it.
pub fn string_scalar(s: &str, indent: usize, column: usize, breaks: bool) -> String {
    let special = s.chars().any(|c| !printable(c));
    if s.contains('\n') && !special && !s.contains(" \n") && breaks {
        return literal(s, indent);
    }
    if !resolves_non_string(s) && plain_allowed(s) {
        return fold(s, indent, column, breaks, Quote::Plain);
    }
    if !resolves_non_string(s) && !special && !s.contains('\n') && !s.contains(" \n") {
        return fold(s, indent, column, breaks, Quote::Single);
    }
    fold(s, indent, column, breaks, Quote::Double)
}

#[derive(PartialEq, Clone, Copy)]
enum Quote {
    Plain,
    Single,
    Double,
}

/// Write `s` in the given style, replacing a space by a line break once past column 80.
fn fold(s: &str, indent: usize, start: usize, breaks: bool, q: Quote) -> String {
    let mut out = String::new();
    let mut col = start;
    let open = match q {
        Quote::Plain => "",
        Quote::Single => "'",
        Quote::Double => "\"",
    };
    out.push_str(open);
    col += open.len();
    let chars: Vec<char> = s.chars().collect();
    let mut spaces = false;
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' {
            let next_space = chars.get(i + 1) == Some(&' ');
            let edge = i == 0 || i == chars.len() - 1;
            let can = breaks && !spaces && col > 80 && match q {
                Quote::Plain => !next_space,
                Quote::Single => !edge && !next_space,
                Quote::Double => !edge,
            };
            if can {
                out.push('\n');
                out.push_str(&" ".repeat(indent));
                col = indent;
                if q == Quote::Double && next_space {
                    out.push('\\');
                    col += 1;
                }
            } else {
                out.push(' ');
                col += 1;
            }
            spaces = true;
            continue;
        }
        spaces = false;
        let piece = match (q, c) {
            (Quote::Single, '\'') => "''".to_string(),
            (Quote::Double, c) => double_escape(c),
            (_, c) => c.to_string(),
        };
        col += piece.chars().count();
        out.push_str(&piece);
    }
    out.push_str(open);
    out
}

fn double_escape(c: char) -> String {
    match c {
        '"' => "\\\"".into(),
        '\\' => "\\\\".into(),
        '\0' => "\\0".into(),
        '\x07' => "\\a".into(),
        '\x08' => "\\b".into(),
        '\t' => "\\t".into(),
        '\n' => "\\n".into(),
        '\x0b' => "\\v".into(),
        '\x0c' => "\\f".into(),
        '\r' => "\\r".into(),
        '\x1b' => "\\e".into(),
        '\u{85}' => "\\N".into(),
        '\u{a0}' => "\\_".into(),
        '\u{2028}' => "\\L".into(),
        '\u{2029}' => "\\P".into(),
        c if !printable(c) => {
            let u = c as u32;
            if u <= 0xff { format!("\\x{u:02X}") } else if u <= 0xffff { format!("\\u{u:04X}") } else { format!("\\U{u:08X}") }
        }
        c => c.to_string(),
    }
}

fn literal(s: &str, indent: usize) -> String {
    let mut head = String::from("|");
    if s.starts_with(' ') || s.starts_with('\n') {
        head.push('2');
    }
    let trailing = s.len() - s.trim_end_matches('\n').len();
    match trailing {
        0 => head.push('-'),
        1 => {}
        _ => head.push('+'),
    }
    let pad = " ".repeat(indent);
    let body = s.strip_suffix('\n').unwrap_or(s);
    let mut out = head;
    for line in body.split('\n') {
        out.push('\n');
        if !line.is_empty() {
            out.push_str(&pad);
            out.push_str(line);
        }
    }
    out
}

/// Go's `encoding/json` (keys sorted, `<`, `>`, `&` escaped as Go does by default).
pub fn to_json(v: &Value) -> String {
    let mut out = String::new();
    json(&mut out, v);
    out
}

fn json(out: &mut String, v: &Value) {
    match v {
        Value::Nil => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => out.push_str(&i.to_string()),
        Value::Float(f) => out.push_str(&json_float(*f)),
        Value::Str(s) => json_str(out, s),
        Value::List(l) => {
            out.push('[');
            for (i, x) in l.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json(out, x);
            }
            out.push(']');
        }
        Value::Dict(_) | Value::Object(_) => {
            out.push('{');
            for (i, (k, x)) in entries(v).iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                json_str(out, k);
                out.push(':');
                json(out, x);
            }
            out.push('}');
        }
    }
}

fn json_float(f: f64) -> String {
    if !f.is_finite() {
        return "null".into();
    }
    let a = f.abs();
    if a != 0.0 && !(1e-6..1e21).contains(&a) {
        let s = format!("{:e}", f);
        let (m, e) = s.split_once('e').unwrap_or((&s, "0"));
        let (sg, d) = match e.strip_prefix('-') {
            Some(d) => ('-', d),
            None => ('+', e),
        };
        return format!("{m}e{sg}{d}");
    }
    if f.fract() == 0.0 && a < 1e19 {
        return (f as i64).to_string();
    }
    let s = format!("{}", f);
    s
}

/// Go's `encoding/json` string escapes (shared with kustomize's hashing, which also writes
/// what Go writes).
fn json_str(out: &mut String, s: &str) {
    crate::kustomize::hash::go_json_string(s, out);
}

/// Parse YAML as Helm's `fromYaml` does; `Err` carries the parser's message.
pub fn from_yaml(text: &str) -> Result<Value, String> {
    let parsed = yaml::parse(crate::source::FileId(0), text);
    if let Some(i) = parsed.issues.iter().find(|i| i.refused()) {
        return Err(i.message.clone());
    }
    Ok(parsed.documents.first().and_then(|d| d.root.as_ref()).map(Value::from_yaml_node).unwrap_or(Value::Nil))
}

pub fn from_json(text: &str) -> Result<Value, String> {
    serde_json::from_str::<serde_json::Value>(text).map(|j| Value::from_json(&j)).map_err(|e| e.to_string())
}
