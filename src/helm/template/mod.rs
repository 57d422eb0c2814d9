//! Go `text/template`, as Helm configures it (`missingkey=zero`, then `<no value>` removed from the
//! output): a lexer, a parser, and an executor that records which template line wrote each output
//! line.

pub mod exec;
pub mod lex;
pub mod parse;

use parse::Node;
use std::collections::HashMap;
use std::rc::Rc;

/// A parsed template body and the file it came from.
#[derive(Clone)]
pub struct Body {
    pub nodes: Rc<Vec<Node>>,
    /// Index into `TemplateSet::files`.
    pub file: usize,
}

/// Every template of a chart (each file by its Helm name, and every `define`), as Helm parses
/// them into one set: a later definition of a name replaces an earlier one.
#[derive(Default, Clone)]
pub struct TemplateSet {
    pub files: Vec<String>,
    pub named: HashMap<String, Body>,
}

#[derive(Clone, Debug)]
pub struct TemplateError {
    pub file: String,
    pub line: usize,
    pub message: String,
}

impl TemplateSet {
    /// Parse one file into the set under `name`.
    pub fn add(&mut self, name: &str, text: &str) -> Result<(), TemplateError> {
        let file = self.files.len();
        self.files.push(name.to_string());
        let e = |line, message| TemplateError { file: name.to_string(), line, message };
        let tokens = lex::lex(text).map_err(|x| e(x.line, x.message))?;
        let parsed = parse::parse(&tokens).map_err(|x| e(x.line, x.message))?;
        for (dname, body) in parsed.defines {
            // Go keeps an existing definition when the new one is empty.
            let empty = body.iter().all(|n| matches!(n, Node::Text { text, .. } if text.trim().is_empty()));
            if empty && self.named.contains_key(&dname) {
                continue;
            }
            self.named.insert(dname, Body { nodes: Rc::new(body), file });
        }
        self.named.insert(name.to_string(), Body { nodes: Rc::new(parsed.root), file });
        Ok(())
    }
}
