//! The YAML `kubectl kustomize` prints. kustomize converts each resource to JSON and back to YAML
//! through go-yaml v2, so keys come out sorted (go-yaml's natural order), scalars are re-typed and
//! re-quoted by go-yaml's rules, and long flow scalars fold at 80 columns as libyaml folds them.

use crate::source::yaml::{resolve_plain, Node, Resolved, Style, Value};

enum V {
    Null,
    Bool(bool),
    Num(String),
    Str(String),
    Seq(Vec<V>),
    Map(Vec<(String, V)>),
}

/// kustomize's output: the same documents, order and formatting as `kubectl kustomize`.
pub fn to_yaml(objects: &[Node]) -> String {
    let mut out = String::new();
    for (i, n) in objects.iter().enumerate() {
        if i > 0 {
            out.push_str("---\n");
        }
        out.push_str(&document(n));
    }
    out
}

fn document(n: &Node) -> String {
    let v = to_v(n);
    let mut w = W { out: String::new(), col: 0 };
    match &v {
        V::Map(e) if !e.is_empty() => w.map(e, 0),
        V::Seq(items) if !items.is_empty() => w.seq(items, 0),
        other => {
            w.value_inline(other, 0);
            w.newline();
        }
    }
    w.out
}

fn to_v(n: &Node) -> V {
    match &n.value {
        Value::Scalar(s, style) => {
            if *style != Style::Plain || n.tag() == Some("!!str") {
                return V::Str(s.to_string());
            }
            if let Some(i) = v3_int(s) {
                return V::Num(i);
            }
            match resolve_plain(s) {
                Resolved::Null => V::Null,
                Resolved::Bool(b) => V::Bool(b),
                Resolved::Int(i) => V::Num(i.to_string()),
                Resolved::Float(f) => match float_text(f) {
                    Some(t) => V::Num(t),
                    None => V::Str(s.to_string()),
                },
                Resolved::Str => V::Str(s.to_string()),
            }
        }
        Value::Seq(items) => V::Seq(items.iter().map(to_v).collect()),
        Value::Map(entries) => {
            let mut m: Vec<(String, V)> = Vec::with_capacity(entries.len());
            for (k, v) in entries {
                let key = k.as_str().unwrap_or("").to_string();
                let val = to_v(v);
                if let Some(slot) = m.iter_mut().find(|(kk, _)| *kk == key) {
                    slot.1 = val;
                } else {
                    m.push((key, val));
                }
            }
            m.sort_by(|a, b| key_order(&a.0, &b.0));
            V::Map(m)
        }
    }
}

/// kyaml reads plain integers with Go's strconv.ParseInt(s, 0, 64) after dropping underscores:
/// `0555` is octal (365), `0x1F` hex, `0b101` binary, `1_000` a thousand.
fn v3_int(s: &str) -> Option<String> {
    let v = crate::source::yaml::go_int(s)?;
    if v > u64::MAX as i128 || v < i64::MIN as i128 {
        return None;
    }
    Some(v.to_string())
}

/// A float as JSON (Go) then go-yaml v2 print it; `None` for values JSON cannot hold.
fn float_text(f: f64) -> Option<String> {
    if !f.is_finite() {
        return None;
    }
    if f == f.trunc() && f.abs() < 1e21 {
        return Some(format!("{}", f as i128));
    }
    // Go's strconv.FormatFloat(f, 'g', -1, 64).
    let e = format!("{f:e}");
    let (mant, exp) = e.split_once('e')?;
    let exp: i32 = exp.parse().ok()?;
    if !(-4..21).contains(&exp) {
        let sign = if exp < 0 { '-' } else { '+' };
        return Some(format!("{mant}e{sign}{:02}", exp.abs()));
    }
    Some(format!("{f}"))
}

/// go-yaml v2's key order: letters after non-letters, runs of digits compared as numbers.
fn key_order(a: &str, b: &str) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    let ar: Vec<char> = a.chars().collect();
    let br: Vec<char> = b.chars().collect();
    let mut i = 0;
    while i < ar.len() && i < br.len() {
        if ar[i] == br[i] {
            i += 1;
            continue;
        }
        let al = ar[i].is_alphabetic();
        let bl = br[i].is_alphabetic();
        if al && bl {
            return ar[i].cmp(&br[i]);
        }
        if al || bl {
            return if bl { Ordering::Less } else { Ordering::Greater };
        }
        let (mut an, mut bn) = (0i64, 0i64);
        if ar[i] == '0' || br[i] == '0' {
            let mut j = i;
            while j > 0 && ar[j - 1].is_ascii_digit() {
                j -= 1;
                if ar[j] != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let mut ai = i;
        while ai < ar.len() && ar[ai].is_ascii_digit() {
            an = an.wrapping_mul(10).wrapping_add(ar[ai] as i64 - '0' as i64);
            ai += 1;
        }
        let mut bi = i;
        while bi < br.len() && br[bi].is_ascii_digit() {
            bn = bn.wrapping_mul(10).wrapping_add(br[bi] as i64 - '0' as i64);
            bi += 1;
        }
        if an != bn {
            return an.cmp(&bn);
        }
        if ai != bi {
            return ai.cmp(&bi);
        }
        return ar[i].cmp(&br[i]);
    }
    ar.len().cmp(&br.len())
}

/// Whether go-yaml v2 would read the plain scalar `s` as something other than a string.
fn v2_not_string(s: &str) -> bool {
    if s.is_empty() {
        return true;
    }
    const MAP: &[&str] = &[
        "y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON", "n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off",
        "OFF", "~", "null", "Null", "NULL", ".nan", ".NaN", ".NAN", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", "<<",
    ];
    if MAP.contains(&s) {
        return true;
    }
    let c = s.as_bytes()[0];
    if c == b'.' {
        return go_parse_float(s);
    }
    if c.is_ascii_digit() || c == b'+' || c == b'-' {
        let plain = s.replace('_', "");
        if go_parse_int(&plain) {
            return true;
        }
        if is_yaml_float(&plain) {
            return true;
        }
        if let Some(b) = plain.strip_prefix("0b").or_else(|| plain.strip_prefix("-0b")) {
            if !b.is_empty() && b.chars().all(|c| c == '0' || c == '1') {
                return true;
            }
        }
        if is_timestamp(s) {
            return true;
        }
        if c.is_ascii_digit() && is_base60(s) {
            return true;
        }
    }
    false
}

fn go_parse_int(s: &str) -> bool {
    let t = s.strip_prefix(['+', '-']).unwrap_or(s);
    if t.is_empty() {
        return false;
    }
    let (digits, radix) = if let Some(h) = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")) {
        (h, 16)
    } else if let Some(b) = t.strip_prefix("0b").or_else(|| t.strip_prefix("0B")) {
        (b, 2)
    } else if let Some(o) = t.strip_prefix("0o").or_else(|| t.strip_prefix("0O")) {
        (o, 8)
    } else if t.len() > 1 && t.starts_with('0') {
        (&t[1..], 8)
    } else {
        (t, 10)
    };
    !digits.is_empty() && digits.chars().all(|c| c.is_digit(radix))
}

fn is_yaml_float(s: &str) -> bool {
    // ^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$
    let t = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (mant, exp) = match t.find(['e', 'E']) {
        Some(i) => (&t[..i], Some(&t[i + 1..])),
        None => (t, None),
    };
    let dig = |x: &str| !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit());
    let mant_ok = match mant.split_once('.') {
        Some(("", frac)) => dig(frac),
        Some((int, frac)) => dig(int) && (frac.is_empty() || dig(frac)),
        None => dig(mant),
    };
    let exp_ok = match exp {
        None => true,
        Some(e) => dig(e.strip_prefix(['+', '-']).unwrap_or(e)),
    };
    mant_ok && exp_ok
}

fn go_parse_float(s: &str) -> bool {
    is_yaml_float(s) || matches!(s.to_ascii_lowercase().trim_start_matches(['+', '-']), "inf" | "infinity" | "nan")
}

fn is_base60(s: &str) -> bool {
    // ^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$
    let t = s.strip_prefix(['+', '-']).unwrap_or(s);
    let (main, _frac) = match t.split_once('.') {
        Some((m, f)) => {
            if !f.bytes().all(|b| b.is_ascii_digit() || b == b'_') {
                return false;
            }
            (m, Some(f))
        }
        None => (t, None),
    };
    let mut parts = main.split(':');
    let first = parts.next().unwrap_or("");
    if first.is_empty() || !first.as_bytes()[0].is_ascii_digit() || !first.bytes().all(|b| b.is_ascii_digit() || b == b'_') {
        return false;
    }
    let mut n = 0;
    for p in parts {
        n += 1;
        let ok = match p.len() {
            1 => p.as_bytes()[0].is_ascii_digit(),
            2 => (b'0'..=b'5').contains(&p.as_bytes()[0]) && p.as_bytes()[1].is_ascii_digit(),
            _ => false,
        };
        if !ok {
            return false;
        }
    }
    n > 0
}

fn is_timestamp(s: &str) -> bool {
    // go-yaml v2 accepts 2006-1-2, optionally followed by [Tt ]15:4:5(.frac)?(Z|±hh:mm)?
    let b = s.as_bytes();
    let mut i = 0;
    let digits = |i: &mut usize, min: usize, max: usize| -> bool {
        let st = *i;
        while *i < b.len() && b[*i].is_ascii_digit() && *i - st < max {
            *i += 1;
        }
        *i - st >= min
    };
    if !digits(&mut i, 4, 4) || b.get(i) != Some(&b'-') {
        return false;
    }
    i += 1;
    if !digits(&mut i, 1, 2) || b.get(i) != Some(&b'-') {
        return false;
    }
    i += 1;
    if !digits(&mut i, 1, 2) {
        return false;
    }
    if i == b.len() {
        return true;
    }
    if !matches!(b[i], b'T' | b't' | b' ') {
        return false;
    }
    i += 1;
    if !digits(&mut i, 1, 2) || b.get(i) != Some(&b':') {
        return false;
    }
    i += 1;
    if !digits(&mut i, 1, 2) || b.get(i) != Some(&b':') {
        return false;
    }
    i += 1;
    if !digits(&mut i, 1, 2) {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        digits(&mut i, 1, 9);
    }
    let rest = &s[i..];
    rest.is_empty() || rest == "Z" || {
        let r = rest.as_bytes();
        r.len() == 6 && (r[0] == b'+' || r[0] == b'-') && r[1].is_ascii_digit() && r[2].is_ascii_digit() && r[3] == b':'
    }
}

/// libyaml's IS_PRINTABLE: characters outside the Basic Multilingual Plane (emoji) and U+0085
/// are not printable for it, so a string holding one is written double-quoted with escapes.
fn printable(c: char) -> bool {
    let u = c as u32;
    u == 0x0A || (0x20..=0x7E).contains(&u) || (0xA0..=0xD7FF).contains(&u) || ((0xE000..=0xFFFD).contains(&u) && u != 0xFEFF)
}

fn is_break(c: char) -> bool {
    matches!(c, '\r' | '\n' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

fn is_blankz(c: Option<char>) -> bool {
    match c {
        None => true,
        Some(c) => c == ' ' || c == '\t' || is_break(c) || c == '\0',
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Sty {
    Plain,
    Single,
    Double,
    Literal,
}

/// libyaml's scalar analysis and go-yaml v2's style choice, for a block context.
fn choose_style(s: &str, simple_key: bool) -> Sty {
    if s.contains('\n') {
        let (_, _, block) = analyze(s);
        return if block && !simple_key { Sty::Literal } else { Sty::Double };
    }
    if v2_not_string(s) {
        return Sty::Double;
    }
    let (plain, single, _) = analyze(s);
    if plain {
        Sty::Plain
    } else if single {
        Sty::Single
    } else {
        Sty::Double
    }
}

/// (block plain allowed, single quoted allowed, block scalar allowed)
fn analyze(s: &str) -> (bool, bool, bool) {
    if s.is_empty() {
        return (false, true, false);
    }
    let chars: Vec<char> = s.chars().collect();
    let (mut block_ind, mut flow_ind) = (false, false);
    if s.starts_with("---") || s.starts_with("...") {
        block_ind = true;
        flow_ind = true;
    }
    let mut preceded_ws = true;
    let (mut leading_space, mut leading_break, mut trailing_space, mut trailing_break) = (false, false, false, false);
    let (mut break_space, mut space_break, mut prev_space, mut prev_break) = (false, false, false, false);
    let (mut special, mut line_breaks) = (false, false);
    let n = chars.len();
    for i in 0..n {
        let c = chars[i];
        let followed_ws = is_blankz(chars.get(i + 1).copied());
        if i == 0 {
            if "#,[]{}&*!|>'\"%@`".contains(c) {
                flow_ind = true;
                block_ind = true;
            }
            if c == '?' || c == ':' {
                flow_ind = true;
                if followed_ws {
                    block_ind = true;
                }
            }
            if c == '-' && followed_ws {
                flow_ind = true;
                block_ind = true;
            }
        } else {
            if ",?[]{}".contains(c) {
                flow_ind = true;
            }
            if c == ':' {
                flow_ind = true;
                if followed_ws {
                    block_ind = true;
                }
            }
            if c == '#' && preceded_ws {
                flow_ind = true;
                block_ind = true;
            }
        }
        if !printable(c) {
            special = true;
        }
        if is_break(c) {
            line_breaks = true;
        }
        if c == ' ' {
            if i == 0 {
                leading_space = true;
            }
            if i == n - 1 {
                trailing_space = true;
            }
            if prev_break {
                break_space = true;
            }
            prev_space = true;
            prev_break = false;
        } else if is_break(c) {
            if i == 0 {
                leading_break = true;
            }
            if i == n - 1 {
                trailing_break = true;
            }
            if prev_space {
                space_break = true;
            }
            prev_space = false;
            prev_break = true;
        } else {
            prev_space = false;
            prev_break = false;
        }
        preceded_ws = is_blankz(Some(c));
    }
    let mut plain = true;
    let mut single = true;
    let mut block = true;
    if leading_space || leading_break || trailing_space || trailing_break {
        plain = false;
    }
    if trailing_space {
        block = false;
    }
    if break_space {
        plain = false;
        single = false;
    }
    if space_break || special {
        plain = false;
        single = false;
        block = false;
    }
    if line_breaks {
        plain = false;
    }
    if block_ind {
        plain = false;
    }
    let _ = flow_ind;
    (plain, single, block)
}

const WIDTH: usize = 80;

struct W {
    out: String,
    col: usize,
}

impl W {
    fn put(&mut self, s: &str) {
        self.out.push_str(s);
        self.col += s.chars().count();
    }
    fn putc(&mut self, c: char) {
        self.out.push(c);
        self.col += 1;
    }
    fn newline(&mut self) {
        self.out.push('\n');
        self.col = 0;
    }
    fn indent_to(&mut self, indent: usize) {
        if self.col != 0 {
            self.newline();
        }
        for _ in 0..indent {
            self.out.push(' ');
        }
        self.col = indent;
    }

    fn map(&mut self, entries: &[(String, V)], indent: usize) {
        for (i, (k, v)) in entries.iter().enumerate() {
            if i > 0 || self.col != indent {
                self.indent_to(indent);
            }
            self.scalar_str(k, indent + 2, true);
            self.putc(':');
            self.value_after_key(v, indent);
        }
    }

    fn value_after_key(&mut self, v: &V, indent: usize) {
        match v {
            V::Map(e) if !e.is_empty() => {
                self.newline();
                self.indent_to(indent + 2);
                self.map(e, indent + 2);
            }
            V::Seq(items) if !items.is_empty() => {
                self.newline();
                self.indent_to(indent);
                self.seq(items, indent);
            }
            other => {
                self.putc(' ');
                self.value_inline(other, indent + 2);
                if self.col != 0 {
                    self.newline();
                }
            }
        }
    }

    fn seq(&mut self, items: &[V], indent: usize) {
        for (i, item) in items.iter().enumerate() {
            if i > 0 || self.col != indent {
                self.indent_to(indent);
            }
            self.put("- ");
            match item {
                V::Map(e) if !e.is_empty() => self.map(e, indent + 2),
                V::Seq(s) if !s.is_empty() => self.seq(s, indent + 2),
                other => {
                    self.value_inline(other, indent + 2);
                    if self.col != 0 {
                        self.newline();
                    }
                }
            }
        }
    }

    /// A scalar or an empty collection at the current position.
    fn value_inline(&mut self, v: &V, indent: usize) {
        match v {
            V::Null => self.put("null"),
            V::Bool(b) => self.put(if *b { "true" } else { "false" }),
            V::Num(n) => self.put(n),
            V::Str(s) => self.scalar_str(s, indent, false),
            V::Map(_) => self.put("{}"),
            V::Seq(_) => self.put("[]"),
        }
    }

    fn fold(&mut self, indent: usize) {
        self.newline();
        for _ in 0..indent {
            self.out.push(' ');
        }
        self.col = indent;
    }

    fn scalar_str(&mut self, s: &str, indent: usize, simple_key: bool) {
        let allow_breaks = !simple_key;
        let chars: Vec<char> = s.chars().collect();
        let n = chars.len();
        match choose_style(s, simple_key) {
            Sty::Plain => {
                let mut spaces = false;
                for i in 0..n {
                    let c = chars[i];
                    if c == ' ' {
                        if allow_breaks && !spaces && self.col > WIDTH && chars.get(i + 1) != Some(&' ') {
                            self.fold(indent);
                        } else {
                            self.putc(' ');
                        }
                        spaces = true;
                    } else {
                        self.putc(c);
                        spaces = false;
                    }
                }
            }
            Sty::Single => {
                self.putc('\'');
                let mut spaces = false;
                for i in 0..n {
                    let c = chars[i];
                    if c == ' ' {
                        if allow_breaks && !spaces && self.col > WIDTH && i != 0 && i != n - 1 && chars.get(i + 1) != Some(&' ') {
                            self.fold(indent);
                        } else {
                            self.putc(' ');
                        }
                        spaces = true;
                    } else {
                        if c == '\'' {
                            self.putc('\'');
                        }
                        self.putc(c);
                        spaces = false;
                    }
                }
                self.putc('\'');
            }
            Sty::Double => {
                self.putc('"');
                let mut spaces = false;
                for i in 0..n {
                    let c = chars[i];
                    if !printable(c) || c == '\u{feff}' || is_break(c) || c == '"' || c == '\\' {
                        let esc = match c {
                            '\0' => "\\0".to_string(),
                            '\u{7}' => "\\a".into(),
                            '\u{8}' => "\\b".into(),
                            '\t' => "\\t".into(),
                            '\n' => "\\n".into(),
                            '\u{b}' => "\\v".into(),
                            '\u{c}' => "\\f".into(),
                            '\r' => "\\r".into(),
                            '\u{1b}' => "\\e".into(),
                            '"' => "\\\"".into(),
                            '\\' => "\\\\".into(),
                            '\u{85}' => "\\N".into(),
                            '\u{a0}' => "\\_".into(),
                            '\u{2028}' => "\\L".into(),
                            '\u{2029}' => "\\P".into(),
                            c if (c as u32) <= 0xFF => format!("\\x{:02X}", c as u32),
                            c if (c as u32) <= 0xFFFF => format!("\\u{:04X}", c as u32),
                            c => format!("\\U{:08X}", c as u32),
                        };
                        self.put(&esc);
                        spaces = false;
                    } else if c == ' ' {
                        if allow_breaks && !spaces && self.col > WIDTH && i != 0 && i != n - 1 {
                            self.fold(indent);
                            if chars.get(i + 1) == Some(&' ') {
                                self.putc('\\');
                            }
                        } else {
                            self.putc(' ');
                        }
                        spaces = true;
                    } else {
                        self.putc(c);
                        spaces = false;
                    }
                }
                self.putc('"');
            }
            Sty::Literal => {
                self.putc('|');
                if chars.first().is_some_and(|&c| c == ' ' || is_break(c)) {
                    self.putc('2');
                }
                let last = chars[n - 1];
                if !is_break(last) {
                    self.putc('-');
                } else if n == 1 || is_break(chars[n - 2]) {
                    self.putc('+');
                }
                self.newline();
                let mut breaks = true;
                for &c in &chars {
                    if is_break(c) {
                        self.newline();
                        breaks = true;
                    } else {
                        if breaks {
                            for _ in 0..indent {
                                self.out.push(' ');
                            }
                            self.col = indent;
                            breaks = false;
                        }
                        self.putc(c);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn y(text: &str) -> String {
        let p = crate::source::yaml::parse(crate::source::FileId(0), text);
        to_yaml(&[p.documents[0].root.clone().unwrap()])
    }

    #[test]
    fn sorts_and_quotes() {
        assert_eq!(y("kind: A\napiVersion: v1\ndata: {b: 'true', a: \"x: y\"}\n"), "apiVersion: v1\ndata:\n  a: 'x: y'\n  b: \"true\"\nkind: A\n");
        assert_eq!(y("a:\n- x\n- {b: 1}\n"), "a:\n- x\n- b: 1\n");
        assert_eq!(y("a: \"l1\\nl2\\n\"\n"), "a: |\n  l1\n  l2\n");
        assert_eq!(y("a: []\nb: {}\nc: ~\n"), "a: []\nb: {}\nc: null\n");
        assert_eq!(y("a: \"ok \u{1F534}\\nnext\\n\"\n"), "a: \"ok \\U0001F534\\nnext\\n\"\n");
    }
}
