//! Go `text/template`: a lexer, a parser, and an executor that records which template line wrote
//! each output line. Two programs drlint reads run Go templates, each with its own function map and
//! options, chosen by a [`Config`]: Helm (`missingkey=zero`; `<no value>` is removed from the
//! output by the chart renderer) and Argo CD ApplicationSets with `goTemplate: true`.

pub mod exec;
pub mod lex;
pub mod parse;

use parse::Node;
use std::collections::HashMap;
use std::rc::Rc;

/// Whose function map a template sees (see `crate::helm::funcs`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Funcs {
    /// sprig plus Helm's own (`include`, `tpl`, `required`, `lookup`, `toToml`, ...).
    #[default]
    Helm,
    /// sprig plus Argo CD's ApplicationSet functions (`normalize`, `slugify`, `toYaml`,
    /// `fromYaml`, `fromYamlArray`, `tpl`), without `env`, `expandenv` and `getHostByName`.
    Argo,
}

/// Go's `missingkey` option, for the `map[string]interface{}` data both hosts pass. Go's
/// `default`, `invalid` and `zero` behave alike there (a missing key is nil and prints as
/// `<no value>`), so they are one mode.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum MissingKey {
    #[default]
    NoValue,
    /// `missingkey=error`: reading a key the map lacks stops the template.
    Error,
}

impl MissingKey {
    /// The mode a `missingkey=...` option string sets; `None` for any other option.
    pub fn from_option(option: &str) -> Option<MissingKey> {
        match option.trim() {
            "missingkey=error" => Some(MissingKey::Error),
            "missingkey=default" | "missingkey=invalid" | "missingkey=zero" => Some(MissingKey::NoValue),
            _ => None,
        }
    }
}

/// How a template is executed: the host's functions and the missing-key mode.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Config {
    pub funcs: Funcs,
    pub missing_key: MissingKey,
}

impl Config {
    pub const HELM: Config = Config { funcs: Funcs::Helm, missing_key: MissingKey::NoValue };

    /// An ApplicationSet's `goTemplate: true` with its `goTemplateOptions` (applied in order, as
    /// Go's `Template.Option` does; options drlint does not know are ignored).
    pub fn argo<'a>(options: impl IntoIterator<Item = &'a str>) -> Config {
        let missing_key = options.into_iter().filter_map(MissingKey::from_option).last().unwrap_or_default();
        Config { funcs: Funcs::Argo, missing_key }
    }
}

/// Whether `text` holds a template action at all (text without one renders as itself).
pub fn has_action(text: &str) -> bool {
    text.contains("{{")
}

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

#[cfg(test)]
mod tests;
