//! The executor: walks a parsed template with a data value, writing text and remembering, for
//! each output line, the template file and line that started it.

use super::parse::{Node, Pipe, Term};
use super::{Body, Config, Funcs, MissingKey, TemplateError, TemplateSet};
use crate::helm::funcs;
use crate::helm::origin::EntryOrigin;
use crate::helm::value::{ObjectKind, Value};

/// Rendered text and, per output line, `(file index, template line)`.
#[derive(Default, Debug)]
pub struct Out {
    pub text: String,
    pub origins: Vec<(usize, usize)>,
    /// What actions printed that may have come from values (for provenance, see `helm::origin`).
    pub values: Vec<Emitted>,
}

/// The output range of one action and the values its pipeline read (`.Values.x`, `$v.y`, `.`),
/// each with where it was written when that is known.
#[derive(Clone, Debug)]
pub struct Emitted {
    pub start: usize,
    pub end: usize,
    pub sources: Vec<(Value, Option<EntryOrigin>)>,
}

impl Out {
    /// Append `s`, written by `file`:`line`; `per_line` advances the line with each newline (text
    /// copied from the template) or keeps it (an action's value).
    fn write(&mut self, s: &str, file: usize, mut line: usize, per_line: bool) {
        for piece in s.split_inclusive('\n') {
            if self.text.is_empty() || self.text.ends_with('\n') {
                self.origins.push((file, line));
            }
            self.text.push_str(piece);
            if per_line && piece.ends_with('\n') {
                line += 1;
            }
        }
    }
}

enum Flow {
    Break,
    Continue,
    Err(TemplateError),
}

impl From<TemplateError> for Flow {
    fn from(e: TemplateError) -> Flow {
        Flow::Err(e)
    }
}

/// Limits that keep a hostile or broken chart from exhausting the stack or the clock.
const MAX_DEPTH: usize = 60;
const MAX_STEPS: u64 = 5_000_000;
const MAX_OUTPUT: usize = 64 << 20;

pub struct Exec<'a> {
    pub set: &'a TemplateSet,
    /// Extra templates (from `tpl` text) looked up before `set`.
    local: Vec<(String, Body)>,
    vars: Vec<(String, Value)>,
    depth: usize,
    steps: u64,
    file: usize,
    config: Config,
    /// The items `range` is on, with where each was written (for provenance: `{{ . }}` and
    /// `{{ $v }}` in the body print a values entry).
    ranged: Vec<(Value, EntryOrigin)>,
}

type R<T> = Result<T, Flow>;

impl<'a> Exec<'a> {
    pub fn new(set: &'a TemplateSet) -> Exec<'a> {
        Exec { set, local: Vec::new(), vars: Vec::new(), depth: 0, steps: 0, file: 0, config: Config::HELM, ranged: Vec::new() }
    }

    /// Execute with another host's functions and missing-key mode (Helm's by default).
    pub fn with_config(mut self, config: Config) -> Exec<'a> {
        self.config = config;
        self
    }

    fn error(&self, line: usize, message: impl Into<String>) -> Flow {
        Flow::Err(TemplateError { file: self.set.files.get(self.file).cloned().unwrap_or_default(), line, message: message.into() })
    }

    fn lookup(&self, name: &str) -> Option<Body> {
        self.local.iter().rev().find(|(n, _)| n == name).map(|(_, b)| b.clone()).or_else(|| self.set.named.get(name).cloned())
    }

    /// Execute the template called `name` with `dot` into `out`.
    pub fn run(&mut self, name: &str, dot: &Value, out: &mut Out) -> Result<(), TemplateError> {
        let Some(body) = self.lookup(name) else {
            return Err(TemplateError { file: name.into(), line: 0, message: format!("no template {name:?}") });
        };
        match self.call_body(&body, dot, out, 0) {
            Ok(()) => Ok(()),
            Err(Flow::Err(e)) => Err(e),
            Err(_) => Err(TemplateError { file: name.into(), line: 0, message: "break or continue outside range".into() }),
        }
    }

    fn call_body(&mut self, body: &Body, dot: &Value, out: &mut Out, line: usize) -> R<()> {
        if self.depth >= MAX_DEPTH {
            return Err(self.error(line, "templates nested too deeply (a template that includes itself?)"));
        }
        self.depth += 1;
        let saved_vars = std::mem::replace(&mut self.vars, vec![("$".into(), dot.clone())]);
        let saved_file = std::mem::replace(&mut self.file, body.file);
        let r = self.nodes(&body.nodes.clone(), dot, out);
        self.file = saved_file;
        self.vars = saved_vars;
        self.depth -= 1;
        r
    }

    fn nodes(&mut self, nodes: &[Node], dot: &Value, out: &mut Out) -> R<()> {
        for n in nodes {
            self.node(n, dot, out)?;
        }
        Ok(())
    }

    fn scoped(&mut self, nodes: &[Node], dot: &Value, out: &mut Out) -> R<()> {
        let mark = self.vars.len();
        let r = self.nodes(nodes, dot, out);
        self.vars.truncate(mark);
        r
    }

    fn node(&mut self, n: &Node, dot: &Value, out: &mut Out) -> R<()> {
        self.steps += 1;
        if self.steps > MAX_STEPS || out.text.len() > MAX_OUTPUT {
            return Err(self.error(0, "template execution too long (an endless loop?)"));
        }
        match n {
            Node::Text { text, line } => out.write(text, self.file, *line, true),
            Node::Action { line, pipe } => {
                let v = self.pipe(pipe, dot)?;
                if pipe.decl.is_empty() {
                    let start = out.text.len();
                    out.write(&v.to_go_string(), self.file, *line, false);
                    let sources = self.sources(pipe, dot);
                    if !sources.is_empty() {
                        out.values.push(Emitted { start, end: out.text.len(), sources });
                    }
                }
            }
            Node::If { pipe, then, els, .. } => {
                let mark = self.vars.len();
                let c = self.pipe(pipe, dot)?.truthy();
                let r = if c { self.nodes(then, dot, out) } else { self.nodes(els, dot, out) };
                self.vars.truncate(mark);
                r?;
            }
            Node::With { pipe, then, els, .. } => {
                let mark = self.vars.len();
                let v = self.pipe(pipe, dot)?;
                let r = if v.truthy() { self.nodes(then, &v, out) } else { self.nodes(els, dot, out) };
                self.vars.truncate(mark);
                r?;
            }
            Node::Range { line, pipe, body, els } => self.range(*line, pipe, body, els, dot, out)?,
            Node::Template { line, name, pipe } => {
                let arg = match pipe {
                    Some(p) => self.pipe(p, dot)?,
                    None => Value::Nil,
                };
                let Some(b) = self.lookup(name) else {
                    return Err(self.error(*line, format!("template: no template {name:?} associated with template")));
                };
                self.call_body(&b, &arg, out, *line)?;
            }
            Node::Break { .. } => return Err(Flow::Break),
            Node::Continue { .. } => return Err(Flow::Continue),
        }
        Ok(())
    }

    fn range(&mut self, line: usize, pipe: &Pipe, body: &[Node], els: &[Node], dot: &Value, out: &mut Out) -> R<()> {
        let mark = self.vars.len();
        let plain = Pipe { decl: Vec::new(), ..pipe.clone() };
        let v = self.pipe(&plain, dot)?;
        let items: Vec<(Value, Value)> = match &v {
            Value::Nil => Vec::new(),
            Value::List(l) => l.iter().enumerate().map(|(i, x)| (Value::Int(i as i64), x.clone())).collect(),
            Value::Dict(m) => m.borrow().iter().map(|(k, x)| (Value::str(k.clone()), x.clone())).collect(),
            Value::Int(n) => (0..(*n).clamp(0, 10_000_000)).map(|i| (Value::Int(i), Value::Int(i))).collect(),
            // `.Files` is a Go map of path to bytes.
            Value::Object(o) if matches!(o.kind, ObjectKind::Files(_)) => match &o.kind {
                ObjectKind::Files(f) => f.iter().map(|(k, b)| (Value::str(k.clone()), Value::Str(String::from_utf8_lossy(b).into_owned()))).collect(),
                _ => Vec::new(),
            },
            other => return Err(self.error(line, format!("range can't iterate over {}", other.to_go_string()))),
        };
        if items.is_empty() {
            return self.scoped(els, dot, out);
        }
        let origins = self.item_origins(&plain, dot, &v);
        for (i, (k, x)) in items.into_iter().enumerate() {
            self.steps += 1;
            if self.steps > MAX_STEPS {
                self.vars.truncate(mark);
                return Err(self.error(line, "template execution too long (an endless loop?)"));
            }
            let inner = self.vars.len();
            match pipe.decl.len() {
                0 => {}
                1 => self.vars.push((pipe.decl[0].clone(), x.clone())),
                _ => {
                    self.vars.push((pipe.decl[0].clone(), k));
                    self.vars.push((pipe.decl[1].clone(), x.clone()));
                }
            }
            let tracked = origins.get(i).cloned().flatten().map(|o| self.ranged.push((x.clone(), o))).is_some();
            let r = self.nodes(body, &x, out);
            if tracked {
                self.ranged.pop();
            }
            self.vars.truncate(inner);
            match r {
                Ok(()) | Err(Flow::Continue) => {}
                Err(Flow::Break) => break,
                Err(e) => {
                    self.vars.truncate(mark);
                    return Err(e);
                }
            }
        }
        self.vars.truncate(mark);
        Ok(())
    }

    fn pipe(&mut self, p: &Pipe, dot: &Value) -> R<Value> {
        let mut v: Option<Value> = None;
        for cmd in &p.cmds {
            v = Some(self.command(cmd, dot, v, p.line)?);
        }
        let v = v.unwrap_or(Value::Nil);
        if !p.decl.is_empty() {
            let name = p.decl.last().unwrap().clone();
            if p.assign {
                match self.vars.iter_mut().rev().find(|(n, _)| *n == name) {
                    Some(slot) => slot.1 = v.clone(),
                    None => return Err(self.error(p.line, format!("undefined variable: {name}"))),
                }
            } else {
                self.vars.push((name, v.clone()));
            }
        }
        Ok(v)
    }

    /// The values the field arguments of `p` read, with their entries' origins: maps and lists
    /// (whose entries carry their own) and values whose origin is known. Read again without side
    /// effects; what fails to read is left out.
    fn sources(&self, p: &Pipe, dot: &Value) -> Vec<(Value, Option<EntryOrigin>)> {
        let mut out = Vec::new();
        for t in p.cmds.iter().flatten() {
            let (base, chain): (Value, &[String]) = match t {
                Term::Dot => (dot.clone(), &[]),
                Term::Field(c) => (dot.clone(), c),
                Term::Var(n, c) => match self.var(n, 0) {
                    Ok(v) => (v, c),
                    Err(_) => continue,
                },
                _ => continue,
            };
            let found = match chain.split_last() {
                None => {
                    let origin = self.ranged.iter().rev().find(|(v, _)| *v == base).map(|(_, o)| o.clone());
                    Some((base, origin))
                }
                Some((last, head)) => match self.fields(base, head, 0) {
                    Ok(Value::Dict(d)) => d.borrow().get(last).cloned().map(|v| (v, d.origin(last))),
                    _ => None,
                },
            };
            if let Some((v, origin)) = found
                && (origin.is_some() || matches!(v, Value::Dict(_) | Value::List(_)))
            {
                out.push((v, origin));
            }
        }
        out
    }

    /// Where each item `range` iterates over was written: a dict's entries, or the items of a
    /// list that came from values.
    fn item_origins(&self, p: &Pipe, dot: &Value, v: &Value) -> Vec<Option<EntryOrigin>> {
        match v {
            Value::Dict(m) => m.borrow().keys().map(|k| m.origin(k)).collect(),
            Value::List(_) => {
                let Some((_, Some(o))) = self.sources(p, dot).into_iter().find(|(x, o)| x == v && o.is_some()) else { return Vec::new() };
                o.items.iter().map(|place| Some(EntryOrigin { file: o.file.clone(), key: place.clone(), value: place.clone(), items: Default::default() })).collect()
            }
            _ => Vec::new(),
        }
    }

    fn var(&self, name: &str, line: usize) -> R<Value> {
        match self.vars.iter().rev().find(|(n, _)| n == name) {
            Some((_, v)) => Ok(v.clone()),
            None => Err(self.error(line, format!("undefined variable \"{name}\""))),
        }
    }

    fn command(&mut self, cmd: &[Term], dot: &Value, piped: Option<Value>, line: usize) -> R<Value> {
        let first = &cmd[0];
        match first {
            Term::Ident(name) => {
                if name == "and" || name == "or" {
                    return self.and_or(name == "and", &cmd[1..], dot, piped, line);
                }
                let mut args = Vec::with_capacity(cmd.len());
                for t in &cmd[1..] {
                    args.push(self.term(t, dot, line)?);
                }
                if let Some(p) = piped {
                    args.push(p);
                }
                self.call(name, args, dot, line)
            }
            Term::Field(chain) | Term::Var(_, chain) | Term::Sub(_, chain) if !chain.is_empty() && (cmd.len() > 1 || piped.is_some()) => {
                // A method call: `.Files.Get "x"`, `$.Files.Get $p`, `.Capabilities.APIVersions.Has "v1"`.
                let head = &chain[..chain.len() - 1];
                let recv = match first {
                    Term::Field(_) => self.fields(dot.clone(), head, line)?,
                    Term::Var(name, _) => {
                        let v = self.var(name, line)?;
                        self.fields(v, head, line)?
                    }
                    Term::Sub(p, _) => {
                        let v = self.pipe(p, dot)?;
                        self.fields(v, head, line)?
                    }
                    _ => unreachable!(),
                };
                let mut args = Vec::new();
                for t in &cmd[1..] {
                    args.push(self.term(t, dot, line)?);
                }
                if let Some(p) = piped {
                    args.push(p);
                }
                self.method(&recv, chain.last().unwrap(), args, line)
            }
            _ => {
                if cmd.len() > 1 || piped.is_some() {
                    return Err(self.error(line, "can't give argument to non-function"));
                }
                self.term(first, dot, line)
            }
        }
    }

    fn and_or(&mut self, and: bool, terms: &[Term], dot: &Value, piped: Option<Value>, line: usize) -> R<Value> {
        let mut last = Value::Nil;
        let n = terms.len() + piped.is_some() as usize;
        if n == 0 {
            return Err(self.error(line, "wrong number of args: want at least 1 got 0"));
        }
        for t in terms {
            last = self.term(t, dot, line)?;
            if last.truthy() != and {
                return Ok(last);
            }
        }
        if let Some(p) = piped {
            last = p;
        }
        Ok(last)
    }

    fn term(&mut self, t: &Term, dot: &Value, line: usize) -> R<Value> {
        Ok(match t {
            Term::Dot => dot.clone(),
            Term::Nil => Value::Nil,
            Term::Bool(b) => Value::Bool(*b),
            Term::Int(i) => Value::Int(*i),
            Term::Float(f) => Value::Float(*f),
            Term::Str(s) => Value::str(s.clone()),
            Term::Ident(name) => self.call(name, Vec::new(), dot, line)?,
            Term::Field(chain) => self.fields(dot.clone(), chain, line)?,
            Term::Var(name, chain) => {
                let v = self.var(name, line)?;
                self.fields(v, chain, line)?
            }
            Term::Sub(p, chain) => {
                let mark = self.vars.len();
                let v = self.pipe(p, dot);
                // Go keeps variables declared inside parentheses for the rest of the action;
                // dropping them here is stricter only for code that reads them later.
                if p.decl.is_empty() {
                    self.vars.truncate(mark);
                }
                self.fields(v?, chain, line)?
            }
        })
    }

    fn fields(&self, mut v: Value, chain: &[String], line: usize) -> R<Value> {
        for f in chain {
            if is_method(&v, f) && let Value::Object(o) = &v && let ObjectKind::Files(files) = &o.kind {
                match funcs::helm::files_method(files, f, &[]) {
                    Some(r) => {
                        v = r.map_err(|m| self.error(line, m))?;
                        continue;
                    }
                    None => return Err(self.error(line, format!("method {f} needs arguments"))),
                }
            }
            if self.config.missing_key == MissingKey::Error && let Value::Dict(m) = &v && !m.borrow().contains_key(f) {
                return Err(self.error(line, format!("map has no entry for key \"{f}\"")));
            }
            v = match v.field(f) {
                Some(x) => x,
                None => match &v {
                    Value::Nil => return Err(self.error(line, format!("nil pointer evaluating interface {{}}.{f}"))),
                    other => return Err(self.error(line, format!("can't evaluate field {f} in type {}", other.type_name()))),
                },
            };
        }
        Ok(v)
    }

    fn method(&mut self, recv: &Value, name: &str, args: Vec<Value>, line: usize) -> R<Value> {
        if let Value::Object(o) = recv {
            let r = match &o.kind {
                ObjectKind::Files(files) => funcs::helm::files_method(files, name, &args),
                ObjectKind::ApiVersions(list) if name == "Has" => {
                    let want = args.first().map(Value::text).unwrap_or_default();
                    Some(Ok(Value::Bool(list.contains(&want))))
                }
                _ => None,
            };
            if let Some(r) = r {
                return r.map_err(|m| self.error(line, m));
            }
        }
        let v = self.fields(recv.clone(), &[name.to_string()], line)?;
        if args.is_empty() {
            return Ok(v);
        }
        Err(self.error(line, format!("{name} is not a method but has arguments")))
    }

    /// Functions that need the template set (`include`, `tpl`) and everything else via `funcs`.
    fn call(&mut self, name: &str, args: Vec<Value>, dot: &Value, line: usize) -> R<Value> {
        match name {
            "include" if self.config.funcs == Funcs::Helm => {
                let tname = args.first().map(Value::text).unwrap_or_default();
                let arg = args.get(1).cloned().unwrap_or(Value::Nil);
                let Some(b) = self.lookup(&tname) else {
                    return Err(self.error(line, format!("error calling include: template: no template {tname:?} associated with template")));
                };
                let mut o = Out::default();
                self.call_body(&b, &arg, &mut o, line)?;
                Ok(Value::Str(o.text))
            }
            "tpl" => {
                let text = args.first().map(Value::text).unwrap_or_default();
                let arg = args.get(1).cloned().unwrap_or(Value::Nil);
                let file_name = self.set.files.get(self.file).cloned().unwrap_or_default();
                let mut tmp = TemplateSet::default();
                tmp.add(&file_name, &text).map_err(|e| self.error(line, format!("error calling tpl: {}", e.message)))?;
                let root = Body { nodes: tmp.named.get(&file_name).map(|b| b.nodes.clone()).unwrap_or_default(), file: self.file };
                let saved = self.local.len();
                for (n, b) in tmp.named {
                    if n != file_name {
                        self.local.push((n, Body { nodes: b.nodes, file: self.file }));
                    }
                }
                let mut o = Out::default();
                let r = self.call_body(&root, &arg, &mut o, line);
                self.local.truncate(saved);
                r?;
                Ok(Value::Str(o.text.replace("<no value>", "")))
            }
            _ => match funcs::call(name, args, dot, self.config.funcs) {
                Ok(v) => Ok(v),
                Err(m) => Err(self.error(line, m)),
            },
        }
    }
}

fn is_method(v: &Value, name: &str) -> bool {
    match v {
        Value::Object(o) => match o.kind {
            ObjectKind::Files(_) => matches!(name, "Get" | "GetBytes" | "Glob" | "AsConfig" | "AsSecrets" | "Lines"),
            ObjectKind::ApiVersions(_) => name == "Has",
            ObjectKind::Plain => false,
        },
        _ => false,
    }
}

/// Render a standalone template text as Helm would (for tests and small uses).
pub fn render_text(text: &str, dot: &Value) -> Result<String, TemplateError> {
    render_str(text, dot, Config::HELM)
}

/// Render a standalone template text with `config` (an ApplicationSet's string field, say).
pub fn render_str(text: &str, dot: &Value, config: Config) -> Result<String, TemplateError> {
    let mut set = TemplateSet::default();
    set.add("t", text)?;
    let mut out = Out::default();
    Exec::new(&set).with_config(config).run("t", dot, &mut out)?;
    Ok(out.text)
}
