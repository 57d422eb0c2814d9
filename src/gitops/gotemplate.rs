//! A small evaluator for Go `text/template` with the sprig functions that Argo CD ApplicationSets
//! use in practice (`goTemplate: true`).
//!
//! Supported: text and `{{ }}` actions with `{{-`/`-}}` trimming and `{{/* comments */}}`;
//! pipelines (`.a.b | lower | quote`); field chains on `.`, `$` and variables; literals (strings
//! with `"..."` or raw `` `...` ``, numbers, `true`/`false`/`nil`); parenthesised pipelines;
//! `$x := ...` and `$x = ...`; `if`/`else if`/`else`, `with`, `range` (with `$i, $v :=`), `end`.
//! Missing map keys print `<no value>` as Go does, or fail with `missingkey=error`.
//!
//! Functions: Go's builtins (`index`, `len`, `eq`, `ne`, `lt`, `le`, `gt`, `ge`, `and`, `or`,
//! `not`, `print`, `printf`, `println`) and sprig's string, list and dict helpers (see `call`).
//! A function drlint does not know is an error naming it, so a template is never half-evaluated.
//! This is not a Helm renderer, but one could grow from it.

use std::collections::BTreeMap;

/// A template value: what YAML or JSON data holds.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    List(Vec<Value>),
    Map(BTreeMap<String, Value>),
}

impl Value {
    pub fn str(s: impl Into<String>) -> Value {
        Value::Str(s.into())
    }

    /// Go's truth: false, 0, nil, and empty strings, lists and maps are false.
    pub fn truthy(&self) -> bool {
        match self {
            Value::Nil => false,
            Value::Bool(b) => *b,
            Value::Int(i) => *i != 0,
            Value::Float(f) => *f != 0.0,
            Value::Str(s) => !s.is_empty(),
            Value::List(l) => !l.is_empty(),
            Value::Map(m) => !m.is_empty(),
        }
    }

    /// As Go's `fmt.Sprint` prints it.
    pub fn render(&self) -> String {
        match self {
            Value::Nil => "<no value>".into(),
            Value::Bool(b) => b.to_string(),
            Value::Int(i) => i.to_string(),
            Value::Float(f) => format_float(*f),
            Value::Str(s) => s.clone(),
            Value::List(l) => format!("[{}]", l.iter().map(Value::render_inner).collect::<Vec<_>>().join(" ")),
            Value::Map(m) => format!("map[{}]", m.iter().map(|(k, v)| format!("{k}:{}", v.render_inner())).collect::<Vec<_>>().join(" ")),
        }
    }

    fn render_inner(&self) -> String {
        match self {
            Value::Nil => "<nil>".into(),
            v => v.render(),
        }
    }

    /// sprig's `toString`-like conversion (nil is empty).
    pub fn text(&self) -> String {
        match self {
            Value::Nil => String::new(),
            v => v.render(),
        }
    }

    pub fn from_json(v: &serde_json::Value) -> Value {
        match v {
            serde_json::Value::Null => Value::Nil,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => match n.as_i64() {
                Some(i) => Value::Int(i),
                None => Value::Float(n.as_f64().unwrap_or(0.0)),
            },
            serde_json::Value::String(s) => Value::Str(s.clone()),
            serde_json::Value::Array(a) => Value::List(a.iter().map(Value::from_json).collect()),
            serde_json::Value::Object(o) => Value::Map(o.iter().map(|(k, v)| (k.clone(), Value::from_json(v))).collect()),
        }
    }

    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Value::Nil => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Int(i) => serde_json::Value::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f).map(serde_json::Value::Number).unwrap_or(serde_json::Value::Null),
            Value::Str(s) => serde_json::Value::String(s.clone()),
            Value::List(l) => serde_json::Value::Array(l.iter().map(Value::to_json).collect()),
            Value::Map(m) => serde_json::Value::Object(m.iter().map(|(k, v)| (k.clone(), v.to_json())).collect()),
        }
    }

    /// The value at a dotted path of map keys.
    pub fn lookup(&self, path: &str) -> Option<&Value> {
        path.split('.').try_fold(self, |v, k| match v {
            Value::Map(m) => m.get(k),
            _ => None,
        })
    }
}

fn format_float(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e21 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// The longest text a function may build (bad input must not exhaust memory).
const MAX_TEXT: usize = 1 << 20;

/// `goTemplateOptions`: only `missingkey=error` changes what drlint evaluates.
#[derive(Clone, Copy, Debug, Default)]
pub struct Options {
    pub missing_key_error: bool,
}

impl Options {
    pub fn from_list<'a>(options: impl IntoIterator<Item = &'a str>) -> Options {
        Options { missing_key_error: options.into_iter().any(|o| o.trim() == "missingkey=error") }
    }
}

/// Render `template` with `data` as `.`.
pub fn render(template: &str, data: &Value, options: Options) -> Result<String, String> {
    let tokens = lex(template)?;
    let mut pos = 0;
    let (nodes, end) = parse_list(&tokens, &mut pos)?;
    if let Some(e) = end {
        return Err(format!("unexpected {{{{{e}}}}}"));
    }
    let mut st = State { vars: vec![("$".to_string(), data.clone())], options };
    let mut out = String::new();
    st.exec(&nodes, data, &mut out)?;
    Ok(out)
}

/// Whether `text` holds a template action at all.
pub fn has_action(text: &str) -> bool {
    text.contains("{{")
}

// ---- lexing: text and actions ----

enum Token {
    Text(String),
    Action(String),
}

fn lex(src: &str) -> Result<Vec<Token>, String> {
    let mut out = Vec::new();
    let mut rest = src;
    let mut trim_next = false;
    while let Some(i) = rest.find("{{") {
        let mut text = &rest[..i];
        if trim_next {
            text = text.trim_start();
        }
        let after = &rest[i + 2..];
        let trim_left = after.starts_with("- ") || after.starts_with("-\t") || after.starts_with("-\n");
        if trim_left {
            text = text.trim_end();
        }
        if !text.is_empty() {
            out.push(Token::Text(text.to_string()));
        }
        let body_start = if trim_left { 2 } else { 0 };
        let body = &after[body_start..];
        // A comment may hold `}}`; otherwise find the close outside string literals.
        let close = find_close(body).ok_or_else(|| "unclosed action".to_string())?;
        let mut inner = &body[..close];
        trim_next = false;
        if inner.ends_with(" -") || inner.ends_with("\t-") || inner.ends_with("\n-") {
            inner = &inner[..inner.len() - 1];
            trim_next = true;
        }
        let inner = inner.trim();
        if !(inner.starts_with("/*") && inner.ends_with("*/")) {
            out.push(Token::Action(inner.to_string()));
        }
        rest = &body[close + 2..];
    }
    let mut text = rest;
    if trim_next {
        text = text.trim_start();
    }
    if !text.is_empty() {
        out.push(Token::Text(text.to_string()));
    }
    Ok(out)
}

fn find_close(body: &str) -> Option<usize> {
    let b = body.as_bytes();
    if body.trim_start().starts_with("/*") {
        let start = body.find("/*")?;
        let end = body[start..].find("*/")? + start + 2;
        return body[end..].find("}}").map(|i| i + end);
    }
    let mut i = 0;
    while i + 1 < b.len() {
        match b[i] {
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    i += 1;
                }
            }
            b'`' => {
                i += 1;
                while i < b.len() && b[i] != b'`' {
                    i += 1;
                }
            }
            b'}' if b[i + 1] == b'}' => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

// ---- parsing ----

#[derive(Clone, Debug)]
enum Node {
    Text(String),
    Action(Pipeline),
    If(Vec<(Pipeline, Vec<Node>)>, Vec<Node>),
    With(Pipeline, Vec<Node>, Vec<Node>),
    Range(Pipeline, Vec<Node>, Vec<Node>),
}

#[derive(Clone, Debug)]
struct Pipeline {
    /// `$a, $b :=` (declare) or `$a =` (assign).
    vars: Vec<String>,
    declare: bool,
    cmds: Vec<Vec<Arg>>,
}

#[derive(Clone, Debug)]
enum Arg {
    Dot(Vec<String>),
    Var(String, Vec<String>),
    Lit(Value),
    Func(String),
    Paren(Box<Pipeline>, Vec<String>),
}

/// Nodes up to an `else`/`end` (returned as the second element with its text).
fn parse_list(tokens: &[Token], pos: &mut usize) -> Result<(Vec<Node>, Option<String>), String> {
    let mut nodes = Vec::new();
    while *pos < tokens.len() {
        let tok = &tokens[*pos];
        *pos += 1;
        match tok {
            Token::Text(t) => nodes.push(Node::Text(t.clone())),
            Token::Action(a) => {
                let word = a.split_whitespace().next().unwrap_or("");
                match word {
                    "end" | "else" => return Ok((nodes, Some(a.clone()))),
                    "if" => nodes.push(parse_if(tokens, pos, &a[2..])?),
                    "with" | "range" => {
                        let pipe = parse_pipeline(&a[word.len()..])?;
                        let (body, end) = parse_list(tokens, pos)?;
                        let else_body = match end.as_deref() {
                            Some("end") => Vec::new(),
                            Some(e) if e.trim() == "else" => {
                                let (b, end) = parse_list(tokens, pos)?;
                                if end.as_deref() != Some("end") {
                                    return Err(format!("missing {{{{end}}}} for {word}"));
                                }
                                b
                            }
                            _ => return Err(format!("missing {{{{end}}}} for {word}")),
                        };
                        nodes.push(if word == "with" { Node::With(pipe, body, else_body) } else { Node::Range(pipe, body, else_body) });
                    }
                    "define" | "template" | "block" | "break" | "continue" => return Err(format!("`{word}` is not supported")),
                    _ => nodes.push(Node::Action(parse_pipeline(a)?)),
                }
            }
        }
    }
    Ok((nodes, None))
}

fn parse_if(tokens: &[Token], pos: &mut usize, cond: &str) -> Result<Node, String> {
    let mut branches = vec![(parse_pipeline(cond)?, Vec::new())];
    loop {
        let (body, end) = parse_list(tokens, pos)?;
        branches.last_mut().unwrap().1 = body;
        match end.as_deref().map(str::trim) {
            Some("end") => return Ok(Node::If(branches, Vec::new())),
            Some("else") => {
                let (body, end) = parse_list(tokens, pos)?;
                if end.as_deref().map(str::trim) != Some("end") {
                    return Err("missing {{end}} for if".into());
                }
                return Ok(Node::If(branches, body));
            }
            Some(e) if e.starts_with("else if ") => branches.push((parse_pipeline(&e["else if ".len()..])?, Vec::new())),
            _ => return Err("missing {{end}} for if".into()),
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Lex {
    Word(String),
    Str(String),
    Pipe,
    Open,
    Close,
    Declare,
    Assign,
    Comma,
}

fn lex_action(src: &str) -> Result<Vec<Lex>, String> {
    let c: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < c.len() {
        match c[i] {
            ch if ch.is_whitespace() => i += 1,
            '|' => {
                out.push(Lex::Pipe);
                i += 1;
            }
            '(' => {
                out.push(Lex::Open);
                i += 1;
            }
            ')' => {
                out.push(Lex::Close);
                i += 1;
                // A field chain on a parenthesised value: `(index .x 0).name`.
                if c.get(i) == Some(&'.') {
                    let start = i;
                    while i < c.len() && !c[i].is_whitespace() && !matches!(c[i], '|' | '(' | ')') {
                        i += 1;
                    }
                    out.push(Lex::Word(c[start..i].iter().collect()));
                }
            }
            ',' => {
                out.push(Lex::Comma);
                i += 1;
            }
            ':' if c.get(i + 1) == Some(&'=') => {
                out.push(Lex::Declare);
                i += 2;
            }
            '=' => {
                out.push(Lex::Assign);
                i += 1;
            }
            '"' => {
                let mut s = String::new();
                i += 1;
                while i < c.len() && c[i] != '"' {
                    if c[i] == '\\' && i + 1 < c.len() {
                        i += 1;
                        s.push(match c[i] {
                            'n' => '\n',
                            't' => '\t',
                            'r' => '\r',
                            other => other,
                        });
                    } else {
                        s.push(c[i]);
                    }
                    i += 1;
                }
                if i >= c.len() {
                    return Err("unterminated string".into());
                }
                i += 1;
                out.push(Lex::Str(s));
            }
            '`' => {
                let start = i + 1;
                let end = c[start..].iter().position(|&x| x == '`').ok_or("unterminated raw string")? + start;
                out.push(Lex::Str(c[start..end].iter().collect()));
                i = end + 1;
            }
            _ => {
                let start = i;
                while i < c.len() && !c[i].is_whitespace() && !matches!(c[i], '|' | '(' | ')' | ',' | '"' | '`') && !(c[i] == ':' && c.get(i + 1) == Some(&'=')) && c[i] != '=' {
                    i += 1;
                }
                out.push(Lex::Word(c[start..i].iter().collect()));
            }
        }
    }
    Ok(out)
}

fn parse_pipeline(src: &str) -> Result<Pipeline, String> {
    let toks = lex_action(src)?;
    let mut pos = 0;
    let p = pipeline_from(&toks, &mut pos)?;
    if pos < toks.len() {
        return Err(format!("unexpected `{:?}` in `{src}`", toks[pos]));
    }
    Ok(p)
}

fn pipeline_from(toks: &[Lex], pos: &mut usize) -> Result<Pipeline, String> {
    let mut vars = Vec::new();
    let mut declare = false;
    // `$a :=`, `$a, $b :=`, `$a =`
    let mut look = *pos;
    let mut names = Vec::new();
    while let Some(Lex::Word(w)) = toks.get(look) {
        if !w.starts_with('$') || w.contains('.') {
            break;
        }
        names.push(w.clone());
        look += 1;
        match toks.get(look) {
            Some(Lex::Comma) => look += 1,
            Some(Lex::Declare) | Some(Lex::Assign) => {
                declare = toks[look] == Lex::Declare;
                vars = std::mem::take(&mut names);
                *pos = look + 1;
                break;
            }
            _ => break,
        }
    }
    let mut cmds = Vec::new();
    let mut cmd = Vec::new();
    while *pos < toks.len() {
        match &toks[*pos] {
            Lex::Pipe => {
                if cmd.is_empty() {
                    return Err("empty command in pipeline".into());
                }
                cmds.push(std::mem::take(&mut cmd));
                *pos += 1;
            }
            Lex::Close => break,
            Lex::Open => {
                *pos += 1;
                let inner = pipeline_from(toks, pos)?;
                if toks.get(*pos) != Some(&Lex::Close) {
                    return Err("unclosed (".into());
                }
                *pos += 1;
                let mut fields = Vec::new();
                if let Some(Lex::Word(w)) = toks.get(*pos) {
                    if w.starts_with('.') && !w[1..].is_empty() {
                        fields = w[1..].split('.').map(str::to_string).collect();
                        *pos += 1;
                    }
                }
                cmd.push(Arg::Paren(Box::new(inner), fields));
            }
            Lex::Str(s) => {
                cmd.push(Arg::Lit(Value::Str(s.clone())));
                *pos += 1;
            }
            Lex::Word(w) => {
                cmd.push(word_arg(w)?);
                *pos += 1;
            }
            other => return Err(format!("unexpected {other:?}")),
        }
    }
    if !cmd.is_empty() {
        cmds.push(cmd);
    }
    if cmds.is_empty() {
        return Err("missing value".into());
    }
    Ok(Pipeline { vars, declare, cmds })
}

fn word_arg(w: &str) -> Result<Arg, String> {
    if w == "." {
        return Ok(Arg::Dot(Vec::new()));
    }
    if let Some(rest) = w.strip_prefix('.') {
        return Ok(Arg::Dot(rest.split('.').map(str::to_string).collect()));
    }
    if w.starts_with('$') {
        let mut parts = w.split('.');
        let name = parts.next().unwrap().to_string();
        return Ok(Arg::Var(name, parts.map(str::to_string).collect()));
    }
    match w {
        "true" => return Ok(Arg::Lit(Value::Bool(true))),
        "false" => return Ok(Arg::Lit(Value::Bool(false))),
        "nil" => return Ok(Arg::Lit(Value::Nil)),
        _ => {}
    }
    if w.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '+') {
        if let Ok(i) = w.parse::<i64>() {
            return Ok(Arg::Lit(Value::Int(i)));
        }
        if let Ok(f) = w.parse::<f64>() {
            return Ok(Arg::Lit(Value::Float(f)));
        }
        return Err(format!("bad number `{w}`"));
    }
    if w.starts_with('\'') && w.ends_with('\'') && w.len() >= 3 {
        let ch = w[1..w.len() - 1].chars().next().unwrap_or('\0');
        return Ok(Arg::Lit(Value::Int(ch as i64)));
    }
    if w.chars().all(|c| c.is_alphanumeric() || c == '_') {
        return Ok(Arg::Func(w.to_string()));
    }
    Err(format!("unexpected `{w}`"))
}

// ---- evaluation ----

struct State {
    vars: Vec<(String, Value)>,
    options: Options,
}

impl State {
    fn exec(&mut self, nodes: &[Node], dot: &Value, out: &mut String) -> Result<(), String> {
        for n in nodes {
            match n {
                Node::Text(t) => out.push_str(t),
                Node::Action(p) => {
                    let v = self.pipeline(p, dot)?;
                    if p.vars.is_empty() {
                        out.push_str(&v.render());
                    }
                }
                Node::If(branches, else_body) => {
                    let depth = self.vars.len();
                    let mut done = false;
                    for (cond, body) in branches {
                        if self.pipeline(cond, dot)?.truthy() {
                            self.exec(body, dot, out)?;
                            done = true;
                            break;
                        }
                    }
                    if !done {
                        self.exec(else_body, dot, out)?;
                    }
                    self.vars.truncate(depth);
                }
                Node::With(p, body, else_body) => {
                    let depth = self.vars.len();
                    let v = self.pipeline(p, dot)?;
                    if v.truthy() {
                        self.exec(body, &v, out)?;
                    } else {
                        self.exec(else_body, dot, out)?;
                    }
                    self.vars.truncate(depth);
                }
                Node::Range(p, body, else_body) => {
                    let depth = self.vars.len();
                    let mut inner = p.clone();
                    let names = std::mem::take(&mut inner.vars);
                    let v = self.pipeline(&inner, dot)?;
                    let items: Vec<(Value, Value)> = match v {
                        Value::List(l) => l.into_iter().enumerate().map(|(i, v)| (Value::Int(i as i64), v)).collect(),
                        Value::Map(m) => m.into_iter().map(|(k, v)| (Value::Str(k), v)).collect(),
                        Value::Int(n) if n as usize > MAX_TEXT => return Err(format!("range over {n}: too many iterations")),
                        Value::Int(n) => (0..n.max(0)).map(|i| (Value::Int(i), Value::Int(i))).collect(),
                        Value::Nil => Vec::new(),
                        other => return Err(format!("range can't iterate over {}", other.render())),
                    };
                    if items.is_empty() {
                        self.exec(else_body, dot, out)?;
                    }
                    for (k, v) in items {
                        match names.len() {
                            1 => self.vars.push((names[0].clone(), v.clone())),
                            2 => {
                                self.vars.push((names[0].clone(), k));
                                self.vars.push((names[1].clone(), v.clone()));
                            }
                            _ => {}
                        }
                        self.exec(body, &v, out)?;
                        self.vars.truncate(depth);
                    }
                }
            }
        }
        Ok(())
    }

    fn pipeline(&mut self, p: &Pipeline, dot: &Value) -> Result<Value, String> {
        let mut last: Option<Value> = None;
        for cmd in &p.cmds {
            last = Some(self.command(cmd, dot, last)?);
        }
        let v = last.unwrap_or(Value::Nil);
        if !p.vars.is_empty() {
            let name = p.vars.last().unwrap().clone();
            if p.declare {
                self.vars.push((name, v.clone()));
            } else if let Some(slot) = self.vars.iter_mut().rev().find(|(n, _)| *n == name) {
                slot.1 = v.clone();
            } else {
                return Err(format!("undefined variable {name}"));
            }
        }
        Ok(v)
    }

    fn command(&mut self, cmd: &[Arg], dot: &Value, piped: Option<Value>) -> Result<Value, String> {
        if let Some(Arg::Func(name)) = cmd.first() {
            let mut args = Vec::new();
            for a in &cmd[1..] {
                args.push(self.arg(a, dot)?);
            }
            if let Some(p) = piped {
                args.push(p);
            }
            return call(name, args, self.options);
        }
        if cmd.len() != 1 || piped.is_some() {
            return Err("can't give argument to non-function".into());
        }
        self.arg(&cmd[0], dot)
    }

    fn arg(&mut self, a: &Arg, dot: &Value) -> Result<Value, String> {
        match a {
            Arg::Lit(v) => Ok(v.clone()),
            Arg::Dot(fields) => self.fields(dot.clone(), fields),
            Arg::Var(name, fields) => {
                let v = self.vars.iter().rev().find(|(n, _)| n == name).map(|(_, v)| v.clone()).ok_or_else(|| format!("undefined variable {name}"))?;
                self.fields(v, fields)
            }
            Arg::Paren(p, fields) => {
                let v = self.pipeline(p, dot)?;
                self.fields(v, fields)
            }
            Arg::Func(name) => call(name, Vec::new(), self.options),
        }
    }

    fn fields(&self, mut v: Value, fields: &[String]) -> Result<Value, String> {
        for (i, f) in fields.iter().enumerate() {
            v = match v {
                Value::Map(mut m) => match m.remove(f) {
                    Some(x) => x,
                    None if self.options.missing_key_error => return Err(format!("map has no entry for key \"{f}\"")),
                    // Go yields "no value"; a further field on it fails.
                    None if i + 1 < fields.len() => return Err(format!("nil pointer evaluating interface {{}}.{}", fields[i + 1])),
                    None => Value::Nil,
                },
                Value::Nil => return Err(format!("nil pointer evaluating interface {{}}.{f}")),
                other => return Err(format!("can't evaluate field {f} in {}", other.render())),
            };
        }
        Ok(v)
    }
}

fn want_str(args: &[Value], i: usize) -> String {
    args.get(i).map(Value::text).unwrap_or_default()
}

fn as_int(v: &Value) -> Result<i64, String> {
    match v {
        Value::Int(i) => Ok(*i),
        Value::Float(f) => Ok(*f as i64),
        Value::Str(s) => s.trim().parse::<i64>().or_else(|_| s.trim().parse::<f64>().map(|f| f as i64)).map_err(|_| format!("`{s}` is not a number")),
        Value::Bool(b) => Ok(*b as i64),
        Value::Nil => Ok(0),
        other => Err(format!("{} is not a number", other.render())),
    }
}

fn compare(a: &Value, b: &Value) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Some(x.cmp(y)),
        (Value::Str(x), Value::Str(y)) => Some(x.cmp(y)),
        (Value::Float(_) | Value::Int(_), Value::Float(_) | Value::Int(_)) => {
            let f = |v: &Value| match v {
                Value::Int(i) => *i as f64,
                Value::Float(f) => *f,
                _ => 0.0,
            };
            f(a).partial_cmp(&f(b))
        }
        _ => None,
    }
}

/// sprig/Go `printf` for the verbs templates use: `%s %v %d %q %f %%` (with simple widths ignored).
fn printf(format: &str, args: &[Value]) -> String {
    let mut out = String::new();
    let mut it = args.iter();
    let mut chars = format.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        // Skip flags and width.
        let mut spec = String::new();
        while let Some(&n) = chars.peek() {
            if n.is_ascii_digit() || matches!(n, '-' | '+' | '.' | '#' | ' ') {
                spec.push(n);
                chars.next();
            } else {
                break;
            }
        }
        let Some(verb) = chars.next() else {
            out.push_str("%!(NOVERB)");
            break;
        };
        if verb == '%' {
            out.push('%');
            continue;
        }
        let Some(arg) = it.next() else {
            out.push_str(&format!("%!{verb}(MISSING)"));
            continue;
        };
        match verb {
            'q' => out.push_str(&format!("{:?}", arg.text())),
            'd' => out.push_str(&as_int(arg).map(|i| i.to_string()).unwrap_or_else(|_| format!("%!d({})", arg.render()))),
            'f' => {
                let precision = spec.split('.').nth(1).and_then(|p| p.parse::<usize>().ok()).unwrap_or(6);
                let f = match arg {
                    Value::Int(i) => *i as f64,
                    Value::Float(f) => *f,
                    _ => 0.0,
                };
                out.push_str(&format!("{f:.precision$}"));
            }
            _ => out.push_str(&arg.render_inner()),
        }
    }
    out
}

/// The lower-case, DNS-safe form Argo CD's `normalize` gives a name.
pub fn sanitize_name(name: &str) -> String {
    let lower = name.to_lowercase();
    let mut s: String = lower.chars().map(|c| if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.' { c } else { '-' }).collect();
    if s.len() > 253 {
        s.truncate(253);
    }
    s.trim_matches(|c| c == '-' || c == '.').to_string()
}

fn words(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let chars: Vec<char> = s.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !cur.is_empty() {
                out.push(std::mem::take(&mut cur));
            }
            continue;
        }
        let boundary = c.is_uppercase() && i > 0 && (chars[i - 1].is_lowercase() || chars[i - 1].is_ascii_digit());
        if boundary && !cur.is_empty() {
            out.push(std::mem::take(&mut cur));
        }
        cur.push(c);
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

fn call(name: &str, a: Vec<Value>, options: Options) -> Result<Value, String> {
    let s = |i: usize| want_str(&a, i);
    let need = |n: usize| if a.len() < n { Err(format!("wrong number of args for {name}: want {n} got {}", a.len())) } else { Ok(()) };
    let last = || a.last().cloned().unwrap_or(Value::Nil);
    let _ = options;
    Ok(match name {
        // Go builtins.
        "index" => {
            need(1)?;
            let mut v = a[0].clone();
            for k in &a[1..] {
                v = match (v, k) {
                    (Value::List(l), k) => {
                        let i = as_int(k)?;
                        l.get(usize::try_from(i).map_err(|_| format!("index out of range: {i}"))?).cloned().ok_or_else(|| format!("index out of range: {i}"))?
                    }
                    (Value::Map(m), k) => m.get(&k.text()).cloned().unwrap_or(Value::Nil),
                    (Value::Nil, _) => return Err("index of untyped nil".into()),
                    (other, _) => return Err(format!("can't index item of type {}", other.render())),
                };
            }
            v
        }
        "len" => {
            need(1)?;
            Value::Int(match &a[0] {
                Value::Str(x) => x.len(),
                Value::List(l) => l.len(),
                Value::Map(m) => m.len(),
                Value::Nil => 0,
                other => return Err(format!("len of {}", other.render())),
            } as i64)
        }
        "eq" => {
            need(2)?;
            Value::Bool(a[1..].iter().any(|b| compare(&a[0], b).map(|o| o.is_eq()).unwrap_or(a[0] == *b)))
        }
        "ne" => {
            need(2)?;
            Value::Bool(compare(&a[0], &a[1]).map(|o| o.is_ne()).unwrap_or(a[0] != a[1]))
        }
        "lt" | "le" | "gt" | "ge" => {
            need(2)?;
            let o = compare(&a[0], &a[1]).ok_or_else(|| format!("incompatible types for comparison in {name}"))?;
            Value::Bool(match name {
                "lt" => o.is_lt(),
                "le" => o.is_le(),
                "gt" => o.is_gt(),
                _ => o.is_ge(),
            })
        }
        "and" => {
            need(1)?;
            a.iter().find(|v| !v.truthy()).cloned().unwrap_or_else(last)
        }
        "or" => {
            need(1)?;
            a.iter().find(|v| v.truthy()).cloned().unwrap_or_else(last)
        }
        "not" => {
            need(1)?;
            Value::Bool(!a[0].truthy())
        }
        "print" => Value::Str(a.iter().map(Value::render).collect::<Vec<_>>().join("")),
        "println" => Value::Str(format!("{}\n", a.iter().map(Value::render).collect::<Vec<_>>().join(" "))),
        "printf" => {
            need(1)?;
            Value::Str(printf(&s(0), &a[1..]))
        }
        // sprig: defaults and flow.
        "default" => {
            need(1)?;
            if a.len() >= 2 && a[1].truthy() { a[1].clone() } else { a[0].clone() }
        }
        "empty" => Value::Bool(!a.first().is_some_and(Value::truthy)),
        "coalesce" => a.iter().find(|v| v.truthy()).cloned().unwrap_or(Value::Nil),
        "ternary" => {
            need(3)?;
            if a[2].truthy() { a[0].clone() } else { a[1].clone() }
        }
        "required" => {
            need(2)?;
            if !a[1].truthy() {
                return Err(s(0));
            }
            a[1].clone()
        }
        "fail" => return Err(s(0)),
        // sprig: strings.
        "lower" => Value::Str(s(0).to_lowercase()),
        "upper" => Value::Str(s(0).to_uppercase()),
        "title" => Value::Str(s(0).split(' ').map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_uppercase().collect::<String>() + c.as_str()).unwrap_or_default()
        }).collect::<Vec<_>>().join(" ")),
        "trim" => Value::Str(s(0).trim().to_string()),
        "trimAll" => Value::Str(s(1).trim_matches(|c| s(0).contains(c)).to_string()),
        "trimPrefix" => Value::Str(s(1).strip_prefix(&s(0)).map(str::to_string).unwrap_or_else(|| s(1))),
        "trimSuffix" => Value::Str(s(1).strip_suffix(&s(0)).map(str::to_string).unwrap_or_else(|| s(1))),
        "replace" => {
            need(3)?;
            Value::Str(s(2).replace(&s(0), &s(1)))
        }
        "quote" => Value::Str(a.iter().map(|v| format!("{:?}", v.text())).collect::<Vec<_>>().join(" ")),
        "squote" => Value::Str(a.iter().map(|v| format!("'{}'", v.text())).collect::<Vec<_>>().join(" ")),
        "contains" => Value::Bool(s(1).contains(&s(0))),
        "hasPrefix" => Value::Bool(s(1).starts_with(&s(0))),
        "hasSuffix" => Value::Bool(s(1).ends_with(&s(0))),
        "repeat" => {
            let n = usize::try_from(as_int(a.first().unwrap_or(&Value::Nil))?).unwrap_or(0);
            if n.saturating_mul(s(1).len()) > MAX_TEXT {
                return Err("repeat: result too long".into());
            }
            Value::Str(s(1).repeat(n))
        }
        "trunc" => {
            need(2)?;
            let n = as_int(&a[0])?;
            let chars: Vec<char> = s(1).chars().collect();
            let len = chars.len() as i64;
            Value::Str(if n >= 0 { chars[..n.min(len) as usize].iter().collect() } else { chars[(len + n).max(0) as usize..].iter().collect() })
        }
        "substr" => {
            need(3)?;
            let chars: Vec<char> = s(2).chars().collect();
            let len = chars.len() as i64;
            let start = as_int(&a[0])?.clamp(0, len);
            let end = as_int(&a[1])?;
            let end = if end < 0 || end > len { len } else { end.max(start) };
            Value::Str(chars[start as usize..end as usize].iter().collect())
        }
        "normalize" => Value::Str(sanitize_name(&s(0))),
        "kebabcase" => Value::Str(words(&s(0)).iter().map(|w| w.to_lowercase()).collect::<Vec<_>>().join("-")),
        "snakecase" => Value::Str(words(&s(0)).iter().map(|w| w.to_lowercase()).collect::<Vec<_>>().join("_")),
        "camelcase" => Value::Str(words(&s(0)).iter().map(|w| {
            let mut c = w.chars();
            c.next().map(|f| f.to_uppercase().collect::<String>() + &c.as_str().to_lowercase()).unwrap_or_default()
        }).collect()),
        "toString" => Value::Str(s(0)),
        "cat" => Value::Str(a.iter().filter(|v| **v != Value::Nil).map(Value::text).collect::<Vec<_>>().join(" ")),
        "indent" | "nindent" => {
            need(2)?;
            let pad = " ".repeat(usize::try_from(as_int(&a[0])?).unwrap_or(0));
            let body = s(1).lines().map(|l| format!("{pad}{l}")).collect::<Vec<_>>().join("\n");
            Value::Str(if name == "nindent" { format!("\n{body}") } else { body })
        }
        "b64dec" => Value::Str(crate::util::base64_decode(&s(0)).and_then(|b| String::from_utf8(b).ok()).ok_or("b64dec: invalid input")?),
        "regexReplaceAll" | "regexReplaceAllLiteral" => {
            need(3)?;
            let re = regex::Regex::new(&s(0)).map_err(|e| format!("{name}: {e}"))?;
            let (input, rep) = (s(1), s(2));
            let out = if name == "regexReplaceAll" { re.replace_all(&input, rep.as_str()).into_owned() } else { re.replace_all(&input, regex::NoExpand(rep.as_str())).into_owned() };
            Value::Str(out)
        }
        "regexMatch" => {
            need(2)?;
            Value::Bool(regex::Regex::new(&s(0)).map_err(|e| format!("{name}: {e}"))?.is_match(&s(1)))
        }
        "base" => Value::Str(s(0).trim_end_matches('/').rsplit('/').next().unwrap_or("").to_string()),
        "dir" => Value::Str(match s(0).trim_end_matches('/').rsplit_once('/') {
            Some(("", _)) => "/".into(),
            Some((d, _)) => d.to_string(),
            None => ".".into(),
        }),
        // sprig: lists and dicts.
        "list" => Value::List(a),
        "first" => match a.first() {
            Some(Value::List(l)) => l.first().cloned().unwrap_or(Value::Nil),
            _ => Value::Nil,
        },
        "last" => match a.first() {
            Some(Value::List(l)) => l.last().cloned().unwrap_or(Value::Nil),
            _ => Value::Nil,
        },
        "rest" | "initial" => match a.first() {
            Some(Value::List(l)) if !l.is_empty() => Value::List(if name == "rest" { l[1..].to_vec() } else { l[..l.len() - 1].to_vec() }),
            _ => Value::List(Vec::new()),
        },
        "join" => {
            need(2)?;
            match &a[1] {
                Value::List(l) => Value::Str(l.iter().map(Value::text).collect::<Vec<_>>().join(&s(0))),
                other => Value::Str(other.text()),
            }
        }
        "splitList" => Value::List(s(1).split(s(0).as_str()).map(Value::str).collect()),
        "split" => Value::Map(s(1).split(s(0).as_str()).enumerate().map(|(i, p)| (format!("_{i}"), Value::str(p))).collect()),
        "has" => Value::Bool(matches!(a.get(1), Some(Value::List(l)) if l.contains(&a[0]))),
        "uniq" => match a.first() {
            Some(Value::List(l)) => {
                let mut out: Vec<Value> = Vec::new();
                for v in l {
                    if !out.contains(v) {
                        out.push(v.clone());
                    }
                }
                Value::List(out)
            }
            _ => Value::List(Vec::new()),
        },
        "dict" => Value::Map(a.chunks(2).map(|c| (c[0].text(), c.get(1).cloned().unwrap_or(Value::Str(String::new())))).collect()),
        "get" => match a.first() {
            Some(Value::Map(m)) => m.get(&s(1)).cloned().unwrap_or(Value::Str(String::new())),
            _ => Value::Str(String::new()),
        },
        "hasKey" => Value::Bool(matches!(a.first(), Some(Value::Map(m)) if m.contains_key(&s(1)))),
        "keys" => Value::List(a.iter().filter_map(|v| if let Value::Map(m) = v { Some(m.keys().map(Value::str).collect::<Vec<_>>()) } else { None }).flatten().collect()),
        "toJson" | "mustToJson" => Value::Str(a.first().unwrap_or(&Value::Nil).to_json().to_string()),
        // sprig: numbers.
        "int" | "int64" | "atoi" => Value::Int(as_int(a.first().unwrap_or(&Value::Nil)).unwrap_or(0)),
        "add" => Value::Int(a.iter().map(as_int).sum::<Result<i64, _>>()?),
        "sub" => {
            need(2)?;
            Value::Int(as_int(&a[0])? - as_int(&a[1])?)
        }
        "mul" => Value::Int(a.iter().map(as_int).product::<Result<i64, _>>()?),
        "add1" => Value::Int(as_int(a.first().unwrap_or(&Value::Nil))? + 1),
        _ => return Err(format!("function \"{name}\" not defined")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data() -> Value {
        let v = serde_json::json!({
            "path": {"path": "apps/prod/db", "basename": "db", "segments": ["apps", "prod", "db"]},
            "name": "In Cluster",
            "values": {"tier": ""},
            "n": 3
        });
        Value::from_json(&v)
    }

    fn r(t: &str) -> String {
        render(t, &data(), Options::default()).unwrap_or_else(|e| format!("ERR {e}"))
    }

    #[test]
    fn fields_pipelines_and_functions() {
        assert_eq!(r("{{ .path.basename }}"), "db");
        assert_eq!(r("{{.path.path}}-x"), "apps/prod/db-x");
        assert_eq!(r("{{ index .path.segments 1 }}"), "prod");
        assert_eq!(r("{{ .name | lower | replace \" \" \"-\" }}"), "in-cluster");
        assert_eq!(r("{{ normalize .name }}"), "in-cluster");
        assert_eq!(r("{{ default \"std\" .values.tier }}"), "std");
        assert_eq!(r("{{ .path.basename | upper | quote }}"), "\"DB\"");
        assert_eq!(r("{{ printf \"%s-%d\" .path.basename .n }}"), "db-3");
        assert_eq!(r("{{ trimPrefix \"apps/\" .path.path }}"), "prod/db");
        assert_eq!(r("{{ trimSuffix \"/db\" .path.path }}"), "apps/prod");
        assert_eq!(r("{{ .missing }}"), "<no value>");
        assert_eq!(r("{{ last .path.segments }}"), "db");
        assert_eq!(r("{{ join \"-\" .path.segments }}"), "apps-prod-db");
        assert_eq!(r("{{ (index .path.segments 0) | upper }}"), "APPS");
    }

    #[test]
    fn control_flow_and_trimming() {
        assert_eq!(r("{{ if eq .path.basename \"db\" }}yes{{ else }}no{{ end }}"), "yes");
        assert_eq!(r("{{ if .values.tier }}a{{ else if .n }}b{{ end }}"), "b");
        assert_eq!(r("a  {{- \"b\" -}}  c"), "abc");
        assert_eq!(r("{{ range $i, $s := .path.segments }}{{ $i }}={{ $s }};{{ end }}"), "0=apps;1=prod;2=db;");
        assert_eq!(r("{{ with .path }}{{ .basename }}{{ end }}"), "db");
        assert_eq!(r("{{ $x := .path.basename }}{{ $x }}"), "db");
        assert_eq!(r("{{/* a comment */}}x"), "x");
    }

    #[test]
    fn errors() {
        let strict = Options { missing_key_error: true };
        assert!(render("{{ .nope }}", &data(), strict).is_err());
        assert!(render("{{ .nope.deeper }}", &data(), Options::default()).is_err());
        assert!(render("{{ frobnicate .x }}", &data(), Options::default()).unwrap_err().contains("frobnicate"));
        assert!(render("{{ if .x }}", &data(), Options::default()).is_err());
        assert_eq!(sanitize_name("Hello_World."), "hello-world");
    }
}
