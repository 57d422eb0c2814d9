//! A small evaluator for the Common Expression Language as CRDs use it in
//! `x-kubernetes-validations`: literals, `self` and field selection, `has()`, the logical,
//! comparison, arithmetic and `in` operators, the ternary, `size`/`startsWith`/`endsWith`/
//! `contains`/`matches` and the `all`/`exists`/`exists_one`/`filter`/`map` macros. That covers
//! every rule of the bundled CRDs (CNPG, barman-cloud, Flux, Velero, Argo CD) and the common
//! shapes of other operators' rules.
//!
//! Anything outside it (an unknown function, a type mismatch, a missing field, `oldSelf`)
//! evaluates to `Err(Unknown)`: the caller then reports nothing, so drlint never claims a rule
//! fails that the API server might accept. Values are `serde_json::Value`s, as the object is.

use serde_json::{Map, Number, Value};

/// The expression cannot be evaluated here (not an error of the object).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unknown;

type R = Result<Value, Unknown>;

#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    Lit(Value),
    Ident(String),
    Select(Box<Expr>, String),
    /// `has(x.f)`.
    Has(Box<Expr>, String),
    Index(Box<Expr>, Box<Expr>),
    /// A function call, with its receiver for `x.f(...)`.
    Call(Option<Box<Expr>>, String, Vec<Expr>),
    /// `range.all(var, body)` and the other macros; `map` with a filter has `filter`.
    Macro { name: String, range: Box<Expr>, var: String, filter: Option<Box<Expr>>, body: Box<Expr> },
    Not(Box<Expr>),
    Neg(Box<Expr>),
    Binary(&'static str, Box<Expr>, Box<Expr>),
    Cond(Box<Expr>, Box<Expr>, Box<Expr>),
    List(Vec<Expr>),
    Map(Vec<(Expr, Expr)>),
}

impl Expr {
    /// Whether the expression names `name` as a variable (`oldSelf` marks a transition rule).
    pub fn mentions(&self, name: &str) -> bool {
        let m = |e: &Expr| e.mentions(name);
        match self {
            Expr::Lit(_) => false,
            Expr::Ident(i) => i == name,
            Expr::Select(e, _) | Expr::Has(e, _) | Expr::Not(e) | Expr::Neg(e) => m(e),
            Expr::Index(a, b) | Expr::Binary(_, a, b) => m(a) || m(b),
            Expr::Call(r, _, args) => r.as_deref().is_some_and(m) || args.iter().any(m),
            Expr::Macro { range, filter, body, .. } => m(range) || filter.as_deref().is_some_and(m) || m(body),
            Expr::Cond(a, b, c) => m(a) || m(b) || m(c),
            Expr::List(items) => items.iter().any(m),
            Expr::Map(entries) => entries.iter().any(|(k, v)| m(k) || m(v)),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Lexer

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Int(i64),
    Uint(u64),
    Double(f64),
    Str(String),
    Ident(String),
    Punct(&'static str),
}

const PUNCT: &[&str] = &["||", "&&", "==", "!=", "<=", ">=", "<", ">", "!", "+", "-", "*", "/", "%", "?", ":", ".", ",", "(", ")", "[", "]", "{", "}"];

fn lex(src: &str) -> Option<Vec<Tok>> {
    let b = src.as_bytes();
    let mut i = 0;
    let mut out = Vec::new();
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
        } else if c.is_ascii_digit() {
            let start = i;
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            let mut double = false;
            if i + 1 < b.len() && b[i] == b'.' && b[i + 1].is_ascii_digit() {
                double = true;
                i += 1;
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
            }
            let text = &src[start..i];
            if double {
                out.push(Tok::Double(text.parse().ok()?));
            } else if i < b.len() && (b[i] == b'u' || b[i] == b'U') {
                i += 1;
                out.push(Tok::Uint(text.parse().ok()?));
            } else {
                out.push(Tok::Int(text.parse().ok()?));
            }
        } else if c == b'\'' || c == b'"' {
            // Triple-quoted strings are not read (the rule is then not evaluated); a raw string
            // (`r'...'`) is an identifier before a string, which does not parse.
            if src[i..].starts_with("'''") || src[i..].starts_with("\"\"\"") {
                return None;
            }
            let quote = c;
            i += 1;
            let mut s = String::new();
            loop {
                let ch = src[i..].chars().next()?;
                i += ch.len_utf8();
                if ch as u32 == u32::from(quote) {
                    break;
                }
                if ch == '\\' {
                    let e = src[i..].chars().next()?;
                    i += e.len_utf8();
                    s.push(match e {
                        '\\' => '\\',
                        '\'' => '\'',
                        '"' => '"',
                        'n' => '\n',
                        't' => '\t',
                        'r' => '\r',
                        _ => return None,
                    });
                } else if ch == '\n' {
                    return None;
                } else {
                    s.push(ch);
                }
            }
            out.push(Tok::Str(s));
        } else if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            out.push(Tok::Ident(src[start..i].to_string()));
        } else {
            let p = PUNCT.iter().find(|p| src[i..].starts_with(**p))?;
            i += p.len();
            out.push(Tok::Punct(p));
        }
    }
    Some(out)
}

// ---------------------------------------------------------------------------------------------
// Parser: precedence climbing, CEL's grammar (ternary < || < && < relations < + - < * / % < unary).

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
    depth: usize,
}

/// Deeper nesting is not evaluated (hostile input must not overflow the stack).
const MAX_DEPTH: usize = 64;

/// Parse a CEL expression; `None` for anything outside the supported grammar.
pub fn parse(src: &str) -> Option<Expr> {
    let mut p = Parser { toks: lex(src)?, pos: 0, depth: 0 };
    let e = p.expr()?;
    (p.pos == p.toks.len()).then_some(e)
}

impl Parser {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos)
    }

    fn eat(&mut self, p: &str) -> bool {
        if matches!(self.peek(), Some(Tok::Punct(q)) if *q == p) {
            self.pos += 1;
            true
        } else {
            false
        }
    }

    fn expect(&mut self, p: &str) -> Option<()> {
        self.eat(p).then_some(())
    }

    fn expr(&mut self) -> Option<Expr> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return None;
        }
        let cond = self.or()?;
        let e = if self.eat("?") {
            let a = self.or()?;
            self.expect(":")?;
            let b = self.expr()?;
            Expr::Cond(Box::new(cond), Box::new(a), Box::new(b))
        } else {
            cond
        };
        self.depth -= 1;
        Some(e)
    }

    fn or(&mut self) -> Option<Expr> {
        let mut e = self.and()?;
        while self.eat("||") {
            e = Expr::Binary("||", Box::new(e), Box::new(self.and()?));
        }
        Some(e)
    }

    fn and(&mut self) -> Option<Expr> {
        let mut e = self.rel()?;
        while self.eat("&&") {
            e = Expr::Binary("&&", Box::new(e), Box::new(self.rel()?));
        }
        Some(e)
    }

    fn rel(&mut self) -> Option<Expr> {
        let mut e = self.add()?;
        loop {
            let op = match self.peek() {
                Some(Tok::Punct(p)) if matches!(*p, "==" | "!=" | "<" | "<=" | ">" | ">=") => *p,
                Some(Tok::Ident(i)) if i == "in" => "in",
                _ => return Some(e),
            };
            self.pos += 1;
            e = Expr::Binary(op, Box::new(e), Box::new(self.add()?));
        }
    }

    fn add(&mut self) -> Option<Expr> {
        let mut e = self.mul()?;
        loop {
            let op = if self.eat("+") { "+" } else if self.eat("-") { "-" } else { return Some(e) };
            e = Expr::Binary(op, Box::new(e), Box::new(self.mul()?));
        }
    }

    fn mul(&mut self) -> Option<Expr> {
        let mut e = self.unary()?;
        loop {
            let op = if self.eat("*") { "*" } else if self.eat("/") { "/" } else if self.eat("%") { "%" } else { return Some(e) };
            e = Expr::Binary(op, Box::new(e), Box::new(self.unary()?));
        }
    }

    fn unary(&mut self) -> Option<Expr> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return None;
        }
        let e = if self.eat("!") {
            Expr::Not(Box::new(self.unary()?))
        } else if self.eat("-") {
            match self.peek().cloned() {
                Some(Tok::Int(n)) => {
                    self.pos += 1;
                    self.postfix(Expr::Lit(Value::from(-n)))?
                }
                _ => Expr::Neg(Box::new(self.unary()?)),
            }
        } else {
            let p = self.primary()?;
            self.postfix(p)?
        };
        self.depth -= 1;
        Some(e)
    }

    fn args(&mut self, close: &str) -> Option<Vec<Expr>> {
        let mut out = Vec::new();
        if self.eat(close) {
            return Some(out);
        }
        loop {
            out.push(self.expr()?);
            if self.eat(close) {
                return Some(out);
            }
            self.expect(",")?;
            // A trailing comma.
            if self.eat(close) {
                return Some(out);
            }
        }
    }

    fn postfix(&mut self, mut e: Expr) -> Option<Expr> {
        loop {
            if self.eat(".") {
                let Some(Tok::Ident(name)) = self.peek().cloned() else { return None };
                self.pos += 1;
                if self.eat("(") {
                    let args = self.args(")")?;
                    e = call(Some(e), name, args)?;
                } else {
                    e = Expr::Select(Box::new(e), name);
                }
            } else if self.eat("[") {
                let i = self.expr()?;
                self.expect("]")?;
                e = Expr::Index(Box::new(e), Box::new(i));
            } else {
                return Some(e);
            }
        }
    }

    fn primary(&mut self) -> Option<Expr> {
        let t = self.peek()?.clone();
        self.pos += 1;
        Some(match t {
            Tok::Int(n) => Expr::Lit(Value::from(n)),
            Tok::Uint(n) => Expr::Lit(Value::from(n)),
            Tok::Double(d) => Expr::Lit(Number::from_f64(d).map(Value::Number)?),
            Tok::Str(s) => Expr::Lit(Value::String(s)),
            Tok::Ident(i) => match i.as_str() {
                "true" => Expr::Lit(Value::Bool(true)),
                "false" => Expr::Lit(Value::Bool(false)),
                "null" => Expr::Lit(Value::Null),
                _ if self.eat("(") => {
                    let args = self.args(")")?;
                    call(None, i, args)?
                }
                _ => Expr::Ident(i),
            },
            Tok::Punct("(") => {
                let e = self.expr()?;
                self.expect(")")?;
                e
            }
            Tok::Punct("[") => Expr::List(self.args("]")?),
            Tok::Punct("{") => {
                let mut entries = Vec::new();
                if !self.eat("}") {
                    loop {
                        let k = self.expr()?;
                        self.expect(":")?;
                        let v = self.expr()?;
                        entries.push((k, v));
                        if self.eat("}") {
                            break;
                        }
                        self.expect(",")?;
                    }
                }
                Expr::Map(entries)
            }
            _ => return None,
        })
    }
}

/// A call, or one of the macros that CEL spells as calls.
fn call(receiver: Option<Expr>, name: String, mut args: Vec<Expr>) -> Option<Expr> {
    match (receiver, name.as_str(), args.len()) {
        (None, "has", 1) => match args.pop()? {
            Expr::Select(e, f) => Some(Expr::Has(e, f)),
            _ => None,
        },
        (Some(range), "all" | "exists" | "exists_one" | "filter" | "map", 2 | 3) => {
            let body = args.pop()?;
            let filter = if args.len() == 2 {
                if name != "map" {
                    return None;
                }
                Some(Box::new(args.pop()?))
            } else {
                None
            };
            let Some(Expr::Ident(var)) = args.pop() else { return None };
            Some(Expr::Macro { name, range: Box::new(range), var, filter, body: Box::new(body) })
        }
        (receiver, _, _) => Some(Expr::Call(receiver.map(Box::new), name, args)),
    }
}

/// The functions `eval` knows (receiver or global style).
const FUNCTIONS: &[&str] = &["size", "startsWith", "endsWith", "contains", "matches", "lowerAscii", "upperAscii", "trim", "string", "int"];

/// Whether `e` uses only what `eval` knows: its functions, and no variable but `self` and the
/// macros' own.
pub fn supported(e: &Expr) -> bool {
    fn go<'a>(e: &'a Expr, vars: &mut Vec<&'a str>) -> bool {
        match e {
            Expr::Lit(_) => true,
            Expr::Ident(i) => i == "self" || vars.contains(&i.as_str()),
            Expr::Select(x, _) | Expr::Has(x, _) | Expr::Not(x) | Expr::Neg(x) => go(x, vars),
            Expr::Index(a, b) | Expr::Binary(_, a, b) => go(a, vars) && go(b, vars),
            Expr::Call(r, name, args) => {
                FUNCTIONS.contains(&name.as_str()) && r.as_deref().is_none_or(|r| go(r, vars)) && args.iter().all(|a| go(a, vars))
            }
            Expr::Macro { range, var, filter, body, .. } => {
                if !go(range, vars) {
                    return false;
                }
                vars.push(var);
                let ok = filter.as_deref().is_none_or(|f| go(f, vars)) && go(body, vars);
                vars.pop();
                ok
            }
            Expr::Cond(a, b, c) => go(a, vars) && go(b, vars) && go(c, vars),
            Expr::List(items) => items.iter().all(|i| go(i, vars)),
            Expr::Map(entries) => entries.iter().all(|(k, v)| go(k, vars) && go(v, vars)),
        }
    }
    go(e, &mut Vec::new())
}

// ---------------------------------------------------------------------------------------------
// Evaluation

/// Steps one evaluation may take (nested comprehensions over long lists stop here).
const MAX_STEPS: usize = 200_000;

struct Eval<'a> {
    vars: Vec<(&'a str, Value)>,
    steps: usize,
    /// A string whose value is not known yet (a placeholder filled in at deploy time).
    unknown: &'a dyn Fn(&str) -> bool,
}

/// Evaluate `e` with `self` bound to `this`. A string `unknown` accepts is a value not known
/// yet: an expression that reads it (or compares a list or map holding it) is `Unknown`.
pub fn eval(e: &Expr, this: &Value, unknown: &dyn Fn(&str) -> bool) -> R {
    let mut ev = Eval { vars: vec![("self", this.clone())], steps: 0, unknown };
    ev.eval(e)
}

/// Whether a value holds a string (or a key) `unknown` accepts.
fn holds_unknown(v: &Value, unknown: &dyn Fn(&str) -> bool) -> bool {
    match v {
        Value::String(s) => unknown(s),
        Value::Array(items) => items.iter().any(|i| holds_unknown(i, unknown)),
        Value::Object(m) => m.iter().any(|(k, v)| unknown(k) || holds_unknown(v, unknown)),
        _ => false,
    }
}

fn as_bool(v: &Value) -> Result<bool, Unknown> {
    v.as_bool().ok_or(Unknown)
}

/// A number as CEL sees it: an integer (int or uint) or a double.
#[derive(Clone, Copy)]
enum Num {
    I(i128),
    F(f64),
}

fn num(v: &Value) -> Option<Num> {
    let n = v.as_number()?;
    if let Some(i) = n.as_i64() {
        Some(Num::I(i128::from(i)))
    } else if let Some(u) = n.as_u64() {
        Some(Num::I(i128::from(u)))
    } else {
        n.as_f64().map(Num::F)
    }
}

fn num_value(n: Num) -> R {
    match n {
        Num::I(i) => i64::try_from(i).map(Value::from).or_else(|_| u64::try_from(i).map(Value::from)).map_err(|_| Unknown),
        Num::F(f) => Number::from_f64(f).map(Value::Number).ok_or(Unknown),
    }
}

fn cmp_num(a: Num, b: Num) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Num::I(x), Num::I(y)) => Some(x.cmp(&y)),
        (Num::I(x), Num::F(y)) => (x as f64).partial_cmp(&y),
        (Num::F(x), Num::I(y)) => x.partial_cmp(&(y as f64)),
        (Num::F(x), Num::F(y)) => x.partial_cmp(&y),
    }
}

/// CEL equality: numbers compare by value across int, uint and double; lists and maps deeply.
fn equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(_), Value::Number(_)) => {
            matches!(num(a).zip(num(b)).and_then(|(x, y)| cmp_num(x, y)), Some(std::cmp::Ordering::Equal))
        }
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(p, q)| equal(p, q)),
        (Value::Object(x), Value::Object(y)) => x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| equal(v, w))),
        _ => a == b,
    }
}

/// Logical `&&`/`||` as CEL defines them: commutative, an error on one side is absorbed by the
/// deciding value on the other.
fn logic(short: bool, a: R, b: impl FnOnce() -> R) -> R {
    let a = a.and_then(|v| as_bool(&v));
    if a == Ok(short) {
        return Ok(Value::Bool(short));
    }
    let b = b().and_then(|v| as_bool(&v));
    if b == Ok(short) {
        return Ok(Value::Bool(short));
    }
    a?;
    b?;
    Ok(Value::Bool(!short))
}

impl<'a> Eval<'a> {
    fn eval(&mut self, e: &'a Expr) -> R {
        self.steps += 1;
        if self.steps > MAX_STEPS {
            return Err(Unknown);
        }
        let v = self.eval_inner(e)?;
        match &v {
            Value::String(s) if (self.unknown)(s) => Err(Unknown),
            _ => Ok(v),
        }
    }

    fn eval_inner(&mut self, e: &'a Expr) -> R {
        match e {
            Expr::Lit(v) => Ok(v.clone()),
            Expr::Ident(name) => self.vars.iter().rev().find(|(n, _)| n == name).map(|(_, v)| v.clone()).ok_or(Unknown),
            Expr::Select(target, field) => match self.eval(target)? {
                Value::Object(m) => m.get(field).cloned().ok_or(Unknown),
                _ => Err(Unknown),
            },
            Expr::Has(target, field) => match self.eval(target)? {
                Value::Object(m) => Ok(Value::Bool(m.contains_key(field))),
                _ => Err(Unknown),
            },
            Expr::Index(target, index) => {
                let t = self.eval(target)?;
                let i = self.eval(index)?;
                match (t, &i) {
                    (Value::Array(items), _) => match num(&i) {
                        Some(Num::I(n)) => usize::try_from(n).ok().and_then(|n| items.get(n).cloned()).ok_or(Unknown),
                        _ => Err(Unknown),
                    },
                    (Value::Object(m), Value::String(k)) => m.get(k).cloned().ok_or(Unknown),
                    _ => Err(Unknown),
                }
            }
            Expr::Not(x) => Ok(Value::Bool(!as_bool(&self.eval(x)?)?)),
            Expr::Neg(x) => match num(&self.eval(x)?).ok_or(Unknown)? {
                Num::I(i) => num_value(Num::I(-i)),
                Num::F(f) => num_value(Num::F(-f)),
            },
            Expr::Cond(c, a, b) => {
                if as_bool(&self.eval(c)?)? {
                    self.eval(a)
                } else {
                    self.eval(b)
                }
            }
            Expr::List(items) => items.iter().map(|i| self.eval(i)).collect::<Result<Vec<_>, _>>().map(Value::Array),
            Expr::Map(entries) => {
                let mut m = Map::new();
                for (k, v) in entries {
                    let Value::String(k) = self.eval(k)? else { return Err(Unknown) };
                    let v = self.eval(v)?;
                    m.insert(k, v);
                }
                Ok(Value::Object(m))
            }
            Expr::Binary("&&", a, b) => {
                let a = self.eval(a);
                logic(false, a, || self.eval(b))
            }
            Expr::Binary("||", a, b) => {
                let a = self.eval(a);
                logic(true, a, || self.eval(b))
            }
            Expr::Binary(op, a, b) => {
                let a = self.eval(a)?;
                let b = self.eval(b)?;
                if holds_unknown(&a, self.unknown) || holds_unknown(&b, self.unknown) {
                    return Err(Unknown);
                }
                binary(op, &a, &b)
            }
            Expr::Call(receiver, name, args) => {
                let r = match receiver {
                    Some(r) => Some(self.eval(r)?),
                    None => None,
                };
                let args = args.iter().map(|a| self.eval(a)).collect::<Result<Vec<_>, _>>()?;
                function(r, name, &args)
            }
            Expr::Macro { name, range, var, filter, body } => self.comprehension(name, range, var, filter.as_deref(), body),
        }
    }

    fn with_var(&mut self, var: &'a str, value: Value, e: &'a Expr) -> R {
        self.vars.push((var, value));
        let r = self.eval(e);
        self.vars.pop();
        r
    }

    fn comprehension(&mut self, name: &str, range: &'a Expr, var: &'a str, filter: Option<&'a Expr>, body: &'a Expr) -> R {
        let items: Vec<Value> = match self.eval(range)? {
            Value::Array(items) => items,
            Value::Object(m) => m.keys().cloned().map(Value::String).collect(),
            _ => return Err(Unknown),
        };
        match name {
            "all" | "exists" => {
                // AND (OR) over the elements; an error matters only when no element decides.
                let decisive = name == "exists";
                let mut err = false;
                for item in items {
                    match self.with_var(var, item, body).and_then(|v| as_bool(&v)) {
                        Ok(b) if b == decisive => return Ok(Value::Bool(decisive)),
                        Ok(_) => {}
                        Err(_) => err = true,
                    }
                }
                if err { Err(Unknown) } else { Ok(Value::Bool(!decisive)) }
            }
            "exists_one" => {
                let mut n = 0;
                for item in items {
                    if as_bool(&self.with_var(var, item, body)?)? {
                        n += 1;
                    }
                }
                Ok(Value::Bool(n == 1))
            }
            "filter" => {
                let mut out = Vec::new();
                for item in items {
                    if as_bool(&self.with_var(var, item.clone(), body)?)? {
                        out.push(item);
                    }
                }
                Ok(Value::Array(out))
            }
            "map" => {
                let mut out = Vec::new();
                for item in items {
                    if let Some(f) = filter {
                        if !as_bool(&self.with_var(var, item.clone(), f)?)? {
                            continue;
                        }
                    }
                    out.push(self.with_var(var, item, body)?);
                }
                Ok(Value::Array(out))
            }
            _ => Err(Unknown),
        }
    }
}

fn binary(op: &str, a: &Value, b: &Value) -> R {
    use std::cmp::Ordering::*;
    match op {
        "==" => Ok(Value::Bool(equal(a, b))),
        "!=" => Ok(Value::Bool(!equal(a, b))),
        "<" | "<=" | ">" | ">=" => {
            let ord = match (a, b) {
                (Value::String(x), Value::String(y)) => Some(x.cmp(y)),
                (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
                _ => num(a).zip(num(b)).and_then(|(x, y)| cmp_num(x, y)),
            }
            .ok_or(Unknown)?;
            Ok(Value::Bool(match op {
                "<" => ord == Less,
                "<=" => ord != Greater,
                ">" => ord == Greater,
                _ => ord != Less,
            }))
        }
        "in" => match b {
            Value::Array(items) => Ok(Value::Bool(items.iter().any(|i| equal(i, a)))),
            Value::Object(m) => match a {
                Value::String(k) => Ok(Value::Bool(m.contains_key(k))),
                _ => Err(Unknown),
            },
            _ => Err(Unknown),
        },
        "+" => match (a, b) {
            (Value::String(x), Value::String(y)) => Ok(Value::String(format!("{x}{y}"))),
            (Value::Array(x), Value::Array(y)) => Ok(Value::Array(x.iter().chain(y).cloned().collect())),
            _ => arith(op, a, b),
        },
        _ => arith(op, a, b),
    }
}

/// Arithmetic on two numbers of one kind (CEL has no implicit int/double conversion).
fn arith(op: &str, a: &Value, b: &Value) -> R {
    match (num(a).ok_or(Unknown)?, num(b).ok_or(Unknown)?) {
        (Num::I(x), Num::I(y)) => {
            let r = match op {
                "+" => x.checked_add(y),
                "-" => x.checked_sub(y),
                "*" => x.checked_mul(y),
                "/" => x.checked_div(y),
                "%" => x.checked_rem(y),
                _ => None,
            };
            // Overflow of CEL's 64-bit int is an error (uint arithmetic, rare in CRDs, is read as int).
            r.and_then(|r| i64::try_from(r).ok()).map(Value::from).ok_or(Unknown)
        }
        (Num::F(x), Num::F(y)) => num_value(Num::F(match op {
            "+" => x + y,
            "-" => x - y,
            "*" => x * y,
            "/" => x / y,
            _ => return Err(Unknown),
        })),
        _ => Err(Unknown),
    }
}

fn size(v: &Value) -> R {
    let n = match v {
        Value::String(s) => s.chars().count(),
        Value::Array(a) => a.len(),
        Value::Object(m) => m.len(),
        _ => return Err(Unknown),
    };
    Ok(Value::from(n as i64))
}

fn function(receiver: Option<Value>, name: &str, args: &[Value]) -> R {
    let s = |v: &Value| v.as_str().map(str::to_string).ok_or(Unknown);
    match (receiver.as_ref(), name, args) {
        (Some(r), "size", []) | (None, "size", [r]) => size(r),
        (Some(r), "startsWith", [p]) => Ok(Value::Bool(s(r)?.starts_with(&s(p)?))),
        (Some(r), "endsWith", [p]) => Ok(Value::Bool(s(r)?.ends_with(&s(p)?))),
        (Some(r), "contains", [p]) => Ok(Value::Bool(s(r)?.contains(&s(p)?))),
        (Some(r), "matches", [p]) | (None, "matches", [r, p]) => {
            let re = regex::Regex::new(&s(p)?).map_err(|_| Unknown)?;
            Ok(Value::Bool(re.is_match(&s(r)?)))
        }
        (Some(r), "lowerAscii", []) => Ok(Value::String(s(r)?.to_ascii_lowercase())),
        (Some(r), "upperAscii", []) => Ok(Value::String(s(r)?.to_ascii_uppercase())),
        (Some(r), "trim", []) => Ok(Value::String(s(r)?.trim().to_string())),
        (None, "string", [v]) => match v {
            Value::String(_) => Ok(v.clone()),
            Value::Number(n) if !n.is_f64() => Ok(Value::String(n.to_string())),
            Value::Bool(b) => Ok(Value::String(b.to_string())),
            _ => Err(Unknown),
        },
        (None, "int", [v]) => match v {
            Value::String(t) => t.parse::<i64>().map(Value::from).map_err(|_| Unknown),
            Value::Number(_) => match num(v).ok_or(Unknown)? {
                Num::I(i) => num_value(Num::I(i)),
                Num::F(f) if f.is_finite() && f.abs() < 9.2e18 => Ok(Value::from(f.trunc() as i64)),
                Num::F(_) => Err(Unknown),
            },
            _ => Err(Unknown),
        },
        _ => Err(Unknown),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(rule: &str, this: Value) -> R {
        eval(&parse(rule).unwrap_or_else(|| panic!("parse {rule}")), &this, &|s| s.contains("${"))
    }

    #[test]
    fn the_shapes_the_bundled_crds_use() {
        let t = Ok(Value::Bool(true));
        let f = Ok(Value::Bool(false));
        assert_eq!(run("!(has(self.imageCatalogRef) && has(self.imageName))", json!({"imageName": "x"})), t);
        assert_eq!(run("!(has(self.imageCatalogRef) && has(self.imageName))", json!({"imageName": "x", "imageCatalogRef": {}})), f);
        assert_eq!(run("!has(self.icuLocale) || self.localeProvider == 'icu'", json!({"icuLocale": "en"})), Err(Unknown));
        assert_eq!(run("!has(self.icuLocale) || self.localeProvider == 'icu'", json!({"localeProvider": "libc"})), t);
        assert_eq!(run("self.all(e, self.filter(f, f.key==e.key).size() == 1)", json!([{"key": "a"}, {"key": "b"}])), t);
        assert_eq!(run("self.all(e, self.filter(f, f.key==e.key).size() == 1)", json!([{"key": "a"}, {"key": "a"}])), f);
        assert_eq!(run("self > 0", json!(0)), f);
        assert_eq!(run("self > 0", json!(2)), t);
        assert_eq!(run("!self.name.startsWith('pg_')", json!({"name": "pg_x"})), f);
        assert_eq!(run("self.name.size() != 0", json!({"name": ""})), f);
        assert_eq!(run("!self.exists(a, a.startsWith('--log-level'))", json!(["--log-level=debug"])), f);
        assert_eq!(run("self.dataDurability!='preferred' || ((!has(self.standbyNamesPre) || self.standbyNamesPre.size()==0))", json!({"dataDurability": "preferred", "standbyNamesPre": ["a"]})), f);
        assert_eq!(run("(has(self.allTables) && !has(self.objects)) || (!has(self.allTables) && has(self.objects))", json!({})), f);
    }

    #[test]
    fn errors_are_absorbed_as_cel_does_and_otherwise_unknown() {
        assert_eq!(run("self.missing == 1 || true", json!({})), Ok(Value::Bool(true)));
        assert_eq!(run("self.missing == 1 && false", json!({})), Ok(Value::Bool(false)));
        assert_eq!(run("self.missing == 1 || false", json!({})), Err(Unknown));
        assert_eq!(run("self.quantity('1Gi')", json!({})), Err(Unknown));
        assert_eq!(run("self == oldSelf", json!(1)), Err(Unknown));
        assert_eq!(run("1 == 1.0 && 'a' + 'b' == 'ab' && [1, 2] + [3] == [1, 2, 3] && 2 in [1, 2] && 'k' in {'k': 1}", json!(null)), Ok(Value::Bool(true)));
        assert_eq!(run("self.x > 1 ? 'big' : 'small'", json!({"x": 3})), Ok(json!("big")));
        assert_eq!(run("self.map(x, x > 1, x * 2)", json!([1, 2, 3])), Ok(json!([4, 6])));
        assert_eq!(run("self.exists_one(x, x == 'a')", json!(["a", "b"])), Ok(Value::Bool(true)));
        assert_eq!(run("9223372036854775807 + 1 > 0", json!(null)), Err(Unknown));
        // A placeholder is unknown where it is read, and only there.
        assert_eq!(run("self.kind == 'ImageCatalog'", json!({"kind": "${KIND}"})), Err(Unknown));
        assert_eq!(run("!has(self.serverName)", json!({"endpointURL": "${URL}"})), Ok(Value::Bool(true)));
        assert_eq!(run("self.args == ['a']", json!({"args": ["${A}"]})), Err(Unknown));
        assert!(parse("self.a ? : b").is_none());
        assert!(parse(&"(".repeat(500)).is_none());
        assert!(parse("'''x'''").is_none());
        assert!(parse("self == oldSelf").unwrap().mentions("oldSelf"));
    }
}
