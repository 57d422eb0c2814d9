//! Go `text/template` parser: the tree of text, actions and control structures, and the
//! `define`d templates a file declares (`block` both defines and calls).

use super::lex::{Tok, Token};

#[derive(Debug, Clone)]
pub enum Node {
    Text { text: String, line: usize },
    Action { line: usize, pipe: Pipe },
    If { line: usize, pipe: Pipe, then: Vec<Node>, els: Vec<Node> },
    With { line: usize, pipe: Pipe, then: Vec<Node>, els: Vec<Node> },
    Range { line: usize, pipe: Pipe, body: Vec<Node>, els: Vec<Node> },
    Template { line: usize, name: String, pipe: Option<Pipe> },
    Break { line: usize },
    Continue { line: usize },
}

#[derive(Debug, Clone)]
pub struct Pipe {
    pub line: usize,
    /// Variables declared (`:=`) or assigned (`=`).
    pub decl: Vec<String>,
    pub assign: bool,
    pub cmds: Vec<Vec<Term>>,
}

#[derive(Debug, Clone)]
pub enum Term {
    Dot,
    Nil,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Ident(String),
    /// `.a.b` on dot.
    Field(Vec<String>),
    /// `$x.a.b`.
    Var(String, Vec<String>),
    /// `(pipeline).a.b`.
    Sub(Box<Pipe>, Vec<String>),
}

/// What ended a list of nodes: `end` or `else` and its line, or the end of the text.
type Stop = Option<(String, usize)>;

pub struct ParseError {
    pub line: usize,
    pub message: String,
}

pub struct Parsed {
    pub root: Vec<Node>,
    pub defines: Vec<(String, Vec<Node>)>,
}

pub fn parse(tokens: &[Token]) -> Result<Parsed, ParseError> {
    let mut p = Parser { t: tokens, pos: 0, defines: Vec::new(), depth: 0 };
    let (root, stop) = p.list()?;
    if let Some((word, line)) = stop {
        return Err(ParseError { line, message: format!("unexpected {{{{{word}}}}}") });
    }
    Ok(Parsed { root, defines: p.defines })
}

struct Parser<'a> {
    t: &'a [Token],
    pos: usize,
    defines: Vec<(String, Vec<Node>)>,
    depth: usize,
}

fn err<T>(line: usize, message: impl Into<String>) -> Result<T, ParseError> {
    Err(ParseError { line, message: message.into() })
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Token> {
        self.t.get(self.pos)
    }
    fn line(&self) -> usize {
        self.peek().or(self.t.last()).map(|t| t.line).unwrap_or(1)
    }
    fn next(&mut self) -> Option<Token> {
        let t = self.t.get(self.pos).cloned();
        self.pos += 1;
        t
    }
    fn expect_close(&mut self) -> Result<(), ParseError> {
        match self.next() {
            Some(Token { tok: Tok::Close, .. }) => Ok(()),
            t => err(t.map(|t| t.line).unwrap_or(0), "expected }}"),
        }
    }

    /// Nodes up to `{{end}}` or `{{else ...}}`, returning which stopped it (the `else` keyword's
    /// action is left open for the caller to read the rest of).
    fn list(&mut self) -> Result<(Vec<Node>, Stop), ParseError> {
        self.depth += 1;
        if self.depth > 200 {
            return err(self.line(), "templates nested too deeply");
        }
        let mut nodes = Vec::new();
        while let Some(t) = self.next() {
            match t.tok {
                Tok::Text(s) => nodes.push(Node::Text { text: s, line: t.line }),
                Tok::Open => {
                    let line = self.line();
                    let word = match self.peek() {
                        Some(Token { tok: Tok::Ident(w), .. }) => w.clone(),
                        _ => String::new(),
                    };
                    match word.as_str() {
                        "end" => {
                            self.pos += 1;
                            self.expect_close()?;
                            self.depth -= 1;
                            return Ok((nodes, Some(("end".into(), line))));
                        }
                        "else" => {
                            self.pos += 1;
                            self.depth -= 1;
                            return Ok((nodes, Some(("else".into(), line))));
                        }
                        "if" | "with" | "range" => {
                            self.pos += 1;
                            nodes.push(self.control(&word, line)?);
                        }
                        "define" | "block" => {
                            self.pos += 1;
                            let name = self.name(line)?;
                            let pipe = if word == "block" { Some(self.pipe(line, false)?) } else { self.expect_close().map(|_| None)? };
                            let (body, stop) = self.list()?;
                            if stop.as_ref().map(|s| s.0.as_str()) != Some("end") {
                                return err(line, format!("unexpected EOF in {word}"));
                            }
                            self.defines.push((name.clone(), body));
                            if word == "block" {
                                nodes.push(Node::Template { line, name, pipe });
                            }
                        }
                        "template" => {
                            self.pos += 1;
                            let name = self.name(line)?;
                            let pipe = if matches!(self.peek(), Some(Token { tok: Tok::Close, .. })) {
                                self.pos += 1;
                                None
                            } else {
                                Some(self.pipe(line, false)?)
                            };
                            nodes.push(Node::Template { line, name, pipe });
                        }
                        "break" | "continue" => {
                            self.pos += 1;
                            self.expect_close()?;
                            nodes.push(if word == "break" { Node::Break { line } } else { Node::Continue { line } });
                        }
                        _ => {
                            let pipe = self.pipe(line, true)?;
                            nodes.push(Node::Action { line, pipe });
                        }
                    }
                }
                _ => return err(t.line, "unexpected token outside action"),
            }
        }
        self.depth -= 1;
        Ok((nodes, None))
    }

    fn name(&mut self, line: usize) -> Result<String, ParseError> {
        match self.next() {
            Some(Token { tok: Tok::Str(s), .. }) => Ok(s),
            _ => err(line, "expected a quoted template name"),
        }
    }

    fn control(&mut self, word: &str, line: usize) -> Result<Node, ParseError> {
        let pipe = self.pipe(line, word == "range" || word == "with" || word == "if")?;
        let (then, stop) = self.list()?;
        let els = match stop {
            Some((s, _)) if s == "end" => Vec::new(),
            Some((_, eline)) => {
                // `{{else}}`, `{{else if ...}}` or `{{else with ...}}`.
                match self.peek().map(|t| t.tok.clone()) {
                    Some(Tok::Ident(w)) if (w == "if" || w == "with") && word != "range" => {
                        self.pos += 1;
                        vec![self.control(&w, eline)?]
                    }
                    _ => {
                        self.expect_close()?;
                        let (els, stop) = self.list()?;
                        if stop.as_ref().map(|s| s.0.as_str()) != Some("end") {
                            return err(line, format!("unexpected EOF in {word}"));
                        }
                        els
                    }
                }
            }
            None => return err(line, format!("unexpected EOF in {word}")),
        };
        Ok(match word {
            "if" => Node::If { line, pipe, then, els },
            "with" => Node::With { line, pipe, then, els },
            _ => Node::Range { line, pipe, body: then, els },
        })
    }

    /// A pipeline up to `}}` (or `)` when `sub`), with an optional declaration.
    fn pipe(&mut self, line: usize, allow_decl: bool) -> Result<Pipe, ParseError> {
        self.pipe_until(line, allow_decl, false)
    }

    fn pipe_until(&mut self, line: usize, allow_decl: bool, sub: bool) -> Result<Pipe, ParseError> {
        let mut pipe = Pipe { line, decl: Vec::new(), assign: false, cmds: Vec::new() };
        if allow_decl {
            // `$x :=`, `$x =`, `$i, $v :=`
            let save = self.pos;
            let mut vars = Vec::new();
            while let Some(Token { tok: Tok::Var(v), .. }) = self.peek().cloned() {
                vars.push(v);
                self.pos += 1;
                match self.peek().map(|t| t.tok.clone()) {
                    Some(Tok::Comma) => {
                        self.pos += 1;
                        continue;
                    }
                    Some(Tok::Declare) => {
                        self.pos += 1;
                        pipe.decl = vars.clone();
                    }
                    Some(Tok::Assign) => {
                        self.pos += 1;
                        pipe.decl = vars.clone();
                        pipe.assign = true;
                    }
                    _ => {}
                }
                break;
            }
            if pipe.decl.is_empty() {
                self.pos = save;
            }
        }
        let mut cmd: Vec<Term> = Vec::new();
        loop {
            let Some(t) = self.next() else {
                return err(line, "unclosed action");
            };
            match t.tok {
                Tok::Close if !sub => break,
                Tok::RParen if sub => break,
                Tok::Pipe => {
                    if cmd.is_empty() {
                        return err(t.line, "missing command before |");
                    }
                    pipe.cmds.push(std::mem::take(&mut cmd));
                }
                Tok::LParen => {
                    self.depth += 1;
                    if self.depth > 200 {
                        return err(t.line, "expression nested too deeply");
                    }
                    let inner = self.pipe_until(t.line, true, true)?;
                    self.depth -= 1;
                    let fields = self.fields();
                    cmd.push(Term::Sub(Box::new(inner), fields));
                }
                Tok::Field(f) => {
                    let mut fields = vec![f];
                    fields.extend(self.fields());
                    cmd.push(Term::Field(fields));
                }
                Tok::Var(v) => {
                    let fields = self.fields();
                    cmd.push(Term::Var(v, fields));
                }
                Tok::Dot => cmd.push(Term::Dot),
                Tok::Str(s) => cmd.push(Term::Str(s)),
                Tok::Char(c) => cmd.push(Term::Int(c as i64)),
                Tok::Num(n) => cmd.push(number(&n).ok_or(ParseError { line: t.line, message: format!("bad number syntax: {n}") })?),
                Tok::Ident(w) => cmd.push(match w.as_str() {
                    "true" => Term::Bool(true),
                    "false" => Term::Bool(false),
                    "nil" => Term::Nil,
                    _ => Term::Ident(w),
                }),
                other => return err(t.line, format!("unexpected {other:?} in command")),
            }
        }
        if !cmd.is_empty() {
            pipe.cmds.push(cmd);
        }
        if pipe.cmds.is_empty() {
            return err(line, "missing value for command");
        }
        Ok(pipe)
    }

    /// Field links directly attached to the previous term (`$x.a.b`, `(...).a`).
    fn fields(&mut self) -> Vec<String> {
        let mut out = Vec::new();
        while let Some(Token { tok: Tok::Field(f), spaced: false, .. }) = self.peek() {
            out.push(f.clone());
            self.pos += 1;
        }
        out
    }
}

fn number(n: &str) -> Option<Term> {
    let clean = n.replace('_', "");
    let (neg, body) = match clean.strip_prefix('-') {
        Some(b) => (true, b.to_string()),
        None => (false, clean.trim_start_matches('+').to_string()),
    };
    let int = if let Some(h) = body.strip_prefix("0x").or(body.strip_prefix("0X")) {
        i64::from_str_radix(h, 16).ok()
    } else if let Some(o) = body.strip_prefix("0o").or(body.strip_prefix("0O")) {
        i64::from_str_radix(o, 8).ok()
    } else if let Some(x) = body.strip_prefix("0b").or(body.strip_prefix("0B")) {
        i64::from_str_radix(x, 2).ok()
    } else if body.len() > 1 && body.starts_with('0') && body.bytes().all(|c| c.is_ascii_digit()) {
        i64::from_str_radix(&body[1..], 8).ok()
    } else {
        body.parse::<i64>().ok()
    };
    if let Some(i) = int {
        return Some(Term::Int(if neg { -i } else { i }));
    }
    let f: f64 = body.parse().ok()?;
    Some(Term::Float(if neg { -f } else { f }))
}
