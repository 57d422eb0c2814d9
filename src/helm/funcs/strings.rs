//! sprig's string functions.

use super::{FResult, arg, s};
use crate::helm::value::Value;
use base64::Engine;
use sha2::Digest;

fn st(x: String) -> Option<FResult> {
    Some(Ok(Value::Str(x)))
}

/// sprig's `strval`-based join of list elements.
fn strs(v: &Value) -> Vec<String> {
    match v {
        Value::List(l) => l.iter().map(Value::text).collect(),
        Value::Nil => Vec::new(),
        other => vec![other.text()],
    }
}

pub fn call(name: &str, a: &[Value]) -> Option<FResult> {
    match name {
        "quote" => st(a.iter().filter(|v| !matches!(v, Value::Nil)).map(|v| super::fmt::quote(&v.text())).collect::<Vec<_>>().join(" ")),
        "squote" => st(a.iter().filter(|v| !matches!(v, Value::Nil)).map(|v| format!("'{}'", v.text())).collect::<Vec<_>>().join(" ")),
        "upper" => st(s(a, 0).to_uppercase()),
        "lower" => st(s(a, 0).to_lowercase()),
        "title" => st(title(&s(a, 0))),
        "untitle" => st(s(a, 0).split(' ').map(|w| { let mut c = w.chars(); c.next().map(|f| f.to_lowercase().collect::<String>() + c.as_str()).unwrap_or_default() }).collect::<Vec<_>>().join(" ")),
        "trim" => st(s(a, 0).trim().to_string()),
        "trimAll" => st(s(a, 1).trim_matches(|c| s(a, 0).contains(c)).to_string()),
        "trimPrefix" => st(s(a, 1).strip_prefix(&s(a, 0)).map(str::to_string).unwrap_or_else(|| s(a, 1))),
        "trimSuffix" => st(s(a, 1).strip_suffix(&s(a, 0)).map(str::to_string).unwrap_or_else(|| s(a, 1))),
        "replace" => st(s(a, 2).replace(&s(a, 0), &s(a, 1))),
        "contains" => Some(Ok(Value::Bool(s(a, 1).contains(&s(a, 0))))),
        "hasPrefix" => Some(Ok(Value::Bool(s(a, 1).starts_with(&s(a, 0))))),
        "hasSuffix" => Some(Ok(Value::Bool(s(a, 1).ends_with(&s(a, 0))))),
        "repeat" => st(s(a, 1).repeat(int(a, 0).clamp(0, 100_000) as usize)),
        "substr" => {
            let t = s(a, 2);
            let (mut from, mut to) = (int(a, 0), int(a, 1));
            let n = t.len() as i64;
            if from < 0 { from = 0; }
            if to < 0 || to > n { to = n; }
            st(t.get(from.min(to) as usize..to as usize).unwrap_or("").to_string())
        }
        "trunc" => {
            let t = s(a, 1);
            let n = int(a, 0);
            let len = t.len() as i64;
            st(if n >= 0 { t.get(..n.min(len) as usize).unwrap_or(&t).to_string() } else { t.get((len + n).max(0) as usize..).unwrap_or(&t).to_string() })
        }
        "abbrev" => {
            let (w, t) = (int(a, 0), s(a, 1));
            st(if w < 4 || t.len() as i64 <= w { t } else { format!("{}...", &t[..(w - 3) as usize]) })
        }
        "indent" => st(indent(&s(a, 1), int(a, 0))),
        "nindent" => st(format!("\n{}", indent(&s(a, 1), int(a, 0)))),
        "nospace" => st(s(a, 0).chars().filter(|c| !c.is_whitespace()).collect()),
        "initials" => st(s(a, 0).split_whitespace().filter_map(|w| w.chars().next()).collect()),
        "wrap" => st(s(a, 1)),
        "plural" => st(if int(a, 2) == 1 { s(a, 0) } else { s(a, 1) }),
        "snakecase" => st(case_words(&s(a, 0)).join("_").to_lowercase()),
        "kebabcase" => st(case_words(&s(a, 0)).join("-").to_lowercase()),
        "camelcase" => st(case_words(&s(a, 0)).iter().map(|w| title(&w.to_lowercase())).collect()),
        "toString" => st(arg(a, 0).text()),
        "toStrings" => Some(Ok(Value::list(strs(&arg(a, 0)).into_iter().map(Value::Str).collect()))),
        "join" => st(strs(&arg(a, 1)).join(&s(a, 0))),
        "split" => {
            let parts: super::super::value::Map = s(a, 1).split(&s(a, 0) as &str).enumerate().map(|(i, p)| (format!("_{i}"), Value::str(p))).collect();
            Some(Ok(Value::dict(parts)))
        }
        "splitList" => Some(Ok(Value::list(if s(a, 0).is_empty() { s(a, 1).chars().map(|c| Value::str(c.to_string())).collect() } else { s(a, 1).split(&s(a, 0) as &str).map(Value::str).collect() }))),
        "splitn" => {
            let parts: super::super::value::Map = s(a, 2).splitn(int(a, 1).max(0) as usize, &s(a, 0) as &str).enumerate().map(|(i, p)| (format!("_{i}"), Value::str(p))).collect();
            Some(Ok(Value::dict(parts)))
        }
        "b64enc" => st(base64::engine::general_purpose::STANDARD.encode(s(a, 0))),
        "b64dec" => st(match base64::engine::general_purpose::STANDARD.decode(s(a, 0)) {
            Ok(b) => String::from_utf8_lossy(&b).into_owned(),
            Err(e) => e.to_string(),
        }),
        "b32enc" | "b32dec" => None,
        "sha256sum" => st(hex(&sha2::Sha256::digest(s(a, 0).as_bytes()))),
        "sha1sum" => {
            use sha1::Digest as _;
            st(hex(&sha1::Sha1::digest(s(a, 0).as_bytes())))
        }
        "adler32sum" => {
            let (mut x, mut y) = (1u32, 0u32);
            for b in s(a, 0).bytes() {
                x = (x + b as u32) % 65521;
                y = (y + x) % 65521;
            }
            st(((y << 16) | x).to_string())
        }
        "regexMatch" | "mustRegexMatch" => Some(re(&s(a, 0)).map(|r| Value::Bool(r.is_match(&s(a, 1))))),
        "regexFind" | "mustRegexFind" => Some(re(&s(a, 0)).map(|r| Value::str(r.find(&s(a, 1)).map(|m| m.as_str()).unwrap_or("")))),
        "regexFindAll" | "mustRegexFindAll" => Some(re(&s(a, 0)).map(|r| {
            let n = int(a, 2);
            let t = s(a, 1);
            Value::list(r.find_iter(&t).take(if n < 0 { usize::MAX } else { n as usize }).map(|m| Value::str(m.as_str())).collect())
        })),
        "regexReplaceAll" | "mustRegexReplaceAll" => Some(re(&s(a, 0)).map(|r| Value::Str(r.replace_all(&s(a, 1), go_repl(&s(a, 2)).as_str()).into_owned()))),
        "regexReplaceAllLiteral" | "mustRegexReplaceAllLiteral" => Some(re(&s(a, 0)).map(|r| Value::Str(r.replace_all(&s(a, 1), regex::NoExpand(&s(a, 2))).into_owned()))),
        "regexSplit" | "mustRegexSplit" => Some(re(&s(a, 0)).map(|r| {
            let n = int(a, 2);
            let t = s(a, 1);
            let parts: Vec<Value> = if n < 0 { r.split(&t).map(Value::str).collect() } else { r.splitn(&t, n as usize).map(Value::str).collect() };
            Value::list(parts)
        })),
        "regexQuoteMeta" => st(regex::escape(&s(a, 0))),
        "cat" => st(a.iter().filter(|v| !matches!(v, Value::Nil)).map(Value::text).collect::<Vec<_>>().join(" ")),
        "randAlphaNum" | "randAlpha" | "randNumeric" | "randAscii" => {
            // Deterministic: drlint never renders a different chart twice.
            let n = int(a, 0).clamp(0, 4096) as usize;
            st(if name == "randNumeric" { "0".repeat(n) } else { "x".repeat(n) })
        }
        "uuidv4" => st("00000000-0000-4000-8000-000000000000".into()),
        "shuffle" => st(s(a, 0)),
        // sprig's path functions: Go's `path` package (slash-separated, whatever the OS).
        "base" => st(path_base(&s(a, 0))),
        "dir" => st(path_dir(&s(a, 0))),
        "clean" => st(path_clean(&s(a, 0))),
        "ext" => st({
            let b = s(a, 0);
            let last = &b[b.rfind('/').map_or(0, |i| i + 1)..];
            last.rfind('.').map(|i| last[i..].to_string()).unwrap_or_default()
        }),
        "isAbs" => Some(Ok(Value::Bool(s(a, 0).starts_with('/')))),
        _ => None,
    }
}

pub fn int(a: &[Value], i: usize) -> i64 {
    super::math::to_int(&arg(a, i))
}

fn title(t: &str) -> String {
    let mut out = String::new();
    let mut prev_letter = false;
    for c in t.chars() {
        if !prev_letter {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        prev_letter = c.is_alphanumeric() || c == '_' || c == '\'';
    }
    out
}

fn indent(t: &str, n: i64) -> String {
    let pad = " ".repeat(n.clamp(0, 10_000) as usize);
    format!("{pad}{}", t.replace('\n', &format!("\n{pad}")))
}

fn case_words(t: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut cur = String::new();
    for c in t.chars() {
        if c == '_' || c == '-' || c == ' ' {
            if !cur.is_empty() {
                words.push(std::mem::take(&mut cur));
            }
        } else if c.is_uppercase() && !cur.is_empty() && !cur.chars().last().is_some_and(char::is_uppercase) {
            words.push(std::mem::take(&mut cur));
            cur.push(c);
        } else {
            cur.push(c);
        }
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    words
}

/// Go's `path.Clean`: one slash between elements, no `.`, `..` resolved where it can be.
fn path_clean(p: &str) -> String {
    let rooted = p.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    for part in p.split('/') {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|l| *l != "..") => {
                parts.pop();
            }
            ".." if rooted => {}
            other => parts.push(other),
        }
    }
    let body = parts.join("/");
    match (rooted, body.is_empty()) {
        (true, _) => format!("/{body}"),
        (false, true) => ".".into(),
        (false, false) => body,
    }
}

/// Go's `path.Base`: the last element, trailing slashes ignored (`.` for empty, `/` for slashes).
fn path_base(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let t = p.trim_end_matches('/');
    if t.is_empty() {
        return "/".into();
    }
    t.rsplit('/').next().unwrap_or(t).to_string()
}

/// Go's `path.Dir`: everything before the last slash, cleaned.
fn path_dir(p: &str) -> String {
    path_clean(&p[..p.rfind('/').map_or(0, |i| i + 1)])
}

fn re(p: &str) -> Result<regex::Regex, String> {
    regex::Regex::new(p).map_err(|e| format!("error parsing regexp: {e}"))
}

/// Go's `${1}`/`$1` replacement syntax is the regex crate's too, except that Go reads `$1x` as
/// the group named `1x`; the crate does the same.
fn go_repl(r: &str) -> String {
    r.to_string()
}

pub fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}
