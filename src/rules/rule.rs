//! The `Rule` trait, the metadata every rule declares, and the context rules report through.

use crate::diag::{Diagnostic, Severity};
use crate::model::{Index, Resource};
use crate::source::yaml::Node;
use crate::source::{FileId, SourceFile, Span};

/// A rule option that `.drlint.yaml` may set under `rules.<id>.options`.
pub struct OptionSpec {
    pub name: &'static str,
    pub kind: OptionKind,
    /// Default value, written as it would be in YAML.
    pub default: &'static str,
    pub doc: &'static str,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptionKind {
    Bool,
    String,
    StringList,
}

pub struct RuleMeta {
    /// kebab-case id, the name users type.
    pub id: &'static str,
    pub severity: Severity,
    /// One line, lower case, no period: what the rule finds.
    pub summary: &'static str,
    /// The rule's page, `rules/<id>.md`.
    pub doc: &'static str,
    pub options: &'static [OptionSpec],
    /// Raised by the engine (parsing, rendering, suppression) rather than by `check_*`.
    pub engine: bool,
}

pub trait Rule: Sync {
    fn meta(&self) -> &'static RuleMeta;
    /// Called once per object.
    fn check_object(&self, _object: &Resource, _cx: &mut Context) {}
    /// Called once per lint run, for rules that compare objects.
    fn check_index(&self, _index: &Index, _cx: &mut Context) {}
    /// Called once per text file that may hold commands (`*.md`, `*.sh`); not YAML-parsed.
    fn check_text(&self, _file: FileId, _text: &SourceFile, _cx: &mut Context) {}
}

/// Declare a rule: the unit struct and its `RuleMeta`, with its page pulled in from `rules/<id>.md`.
#[macro_export]
macro_rules! declare_rule {
    ($(#[$attr:meta])* $name:ident, $id:literal, $severity:ident, $summary:literal $(, options: $options:expr)? $(, engine: $engine:expr)?) => {
        $(#[$attr])*
        pub struct $name;
        pub static META: $crate::rules::RuleMeta = $crate::rules::RuleMeta {
            id: $id,
            severity: $crate::diag::Severity::$severity,
            summary: $summary,
            doc: include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/rules/", $id, ".md")),
            options: $crate::__or!(&[]; $($options)?),
            engine: $crate::__or!(false; $($engine)?),
        };
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! __or {
    ($default:expr;) => {
        $default
    };
    ($default:expr; $value:expr) => {
        $value
    };
}

/// Options a rule was given, already validated against its `OptionSpec`s.
#[derive(Clone, Debug, Default)]
pub struct RuleOptions {
    pub values: Vec<(String, Node)>,
}

/// What a rule sees while it runs: its options and where to put findings.
pub struct Context<'a, 'v> {
    pub meta: &'static RuleMeta,
    pub options: &'a RuleOptions,
    /// The run's settings, for rules that read shared configuration (`provided-secrets`).
    pub settings: Option<&'a crate::settings::Settings>,
    pub out: Vec<Diagnostic>,
    /// The configured RPO targets (`rpo:` in `.drlint.yaml`), when the run has settings.
    pub rpo: Option<&'a crate::settings::RpoTargets>,
    /// The run's objects, for `check_text` rules that compare a command with the manifests.
    pub index: Option<&'a Index>,
    /// Typed views of the index (data stores, coverage), built once per run and shared by every
    /// rule: use them rather than building one's own (see `views_or`).
    pub views: Option<&'a crate::model::views::Views<'v>>,
}

impl<'a, 'v> Context<'a, 'v> {
    pub fn new(meta: &'static RuleMeta, options: &'a RuleOptions) -> Context<'a, 'v> {
        Context { meta, options, settings: None, out: Vec::new(), rpo: None, index: None, views: None }
    }

    /// Secrets declared in `.drlint.yaml` as existing outside the repository.
    pub fn provided_secrets(&self) -> &'a [crate::settings::ProvidedSecret] {
        self.settings.map(|s| s.provided_secrets.as_slice()).unwrap_or(&[])
    }

    /// Report a finding at `span`. Severity is the rule's default; the engine applies config.
    pub fn report(&mut self, span: Span, message: impl Into<String>) -> &mut Diagnostic {
        self.out.push(Diagnostic::new(self.meta.id, self.meta.severity, span, message));
        self.out.last_mut().unwrap()
    }

    /// Report a finding about `object` at `span` (the object is named in machine output).
    pub fn report_on(&mut self, object: &Resource, span: Span, message: impl Into<String>) -> &mut Diagnostic {
        let d = self.report(span, message);
        d.object = Some(object.object_ref());
        d.renders = object.renders.clone();
        d
    }

    fn option(&self, name: &str) -> Option<&Node> {
        self.options.values.iter().rev().find(|(k, _)| k == name).map(|(_, v)| v)
    }

    fn default_of(&self, name: &str) -> &'static str {
        self.meta.options.iter().find(|o| o.name == name).map(|o| o.default).unwrap_or("")
    }

    pub fn option_bool(&self, name: &str) -> bool {
        match self.option(name) {
            Some(n) => n.as_bool().unwrap_or(false),
            None => self.default_of(name) == "true",
        }
    }

    pub fn option_str(&self, name: &str) -> String {
        match self.option(name).and_then(|n| n.as_text()) {
            Some(s) => s.to_string(),
            None => self.default_of(name).to_string(),
        }
    }

    pub fn option_list(&self, name: &str) -> Vec<String> {
        match self.option(name) {
            Some(n) => n.items().filter_map(|i| i.as_text()).map(str::to_string).collect(),
            None => Vec::new(),
        }
    }
}

impl Diagnostic {
    pub fn help(&mut self, help: impl Into<String>) -> &mut Self {
        self.help = Some(help.into());
        self
    }
    pub fn label(&mut self, span: Span, message: impl Into<String>) -> &mut Self {
        self.labels.push(crate::diag::Label { span, message: message.into() });
        self
    }
}
