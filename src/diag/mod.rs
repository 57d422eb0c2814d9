//! Diagnostics and their renderers. Every output format is a thin projection of `Diagnostic`.

pub mod gcc;
pub mod github;
pub mod human;
pub mod json;
pub mod junit;
pub mod rdjsonl;
pub mod sarif;

use crate::model::ObjectRef;
use crate::source::{SourceDb, Span};
use std::path::{Path, PathBuf};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Note,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Note => "note",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
    pub fn parse(s: &str) -> Option<Severity> {
        match s {
            "note" | "info" => Some(Severity::Note),
            "warning" | "warn" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

/// A secondary location shown with a finding (the other Cluster of a collision, the first
/// occurrence of a duplicated key).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub rule: &'static str,
    pub severity: Severity,
    pub message: String,
    pub span: Span,
    pub labels: Vec<Label>,
    pub help: Option<String>,
    pub object: Option<ObjectRef>,
    /// Overlays or entry points that render the object this finding is about.
    pub renders: Vec<String>,
    /// A stable identity across runs, independent of the line (see `baseline::fingerprint`); set
    /// once the run's findings are final.
    pub fingerprint: Option<String>,
}

impl Diagnostic {
    pub fn new(rule: &'static str, severity: Severity, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic { rule, severity, message: message.into(), span, labels: Vec::new(), help: None, object: None, renders: Vec::new(), fingerprint: None }
    }
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
    pub fn with_label(mut self, span: Span, message: impl Into<String>) -> Self {
        self.labels.push(Label { span, message: message.into() });
        self
    }
}

/// Where a diagnostic is, resolved against the source database.
pub struct Located<'a> {
    pub path: String,
    pub line: usize,
    pub column: usize,
    pub end_line: usize,
    pub end_column: usize,
    pub diag: &'a Diagnostic,
}

pub fn locate<'a>(db: &SourceDb, d: &'a Diagnostic) -> Located<'a> {
    let (start, end) = db.line_col(d.span);
    Located {
        path: display_path(&db.get(d.span.file).path),
        line: start.line,
        column: start.column,
        end_line: end.line,
        end_column: end.column,
        diag: d,
    }
}

/// Paths print with forward slashes, relative to the current directory when they are below it.
pub fn display_path(p: &Path) -> String {
    let s = p.to_string_lossy().replace('\\', "/");
    s.strip_prefix("./").map(str::to_string).unwrap_or(s)
}

/// Make `p` relative to the current directory where possible (`../x` for siblings).
pub fn relative_to_cwd(p: &Path) -> PathBuf {
    if p.is_relative() {
        return p.to_path_buf();
    }
    let Ok(cwd) = std::env::current_dir() else { return p.to_path_buf() };
    let p_comps: Vec<_> = p.components().collect();
    let c_comps: Vec<_> = cwd.components().collect();
    let common = p_comps.iter().zip(&c_comps).take_while(|(a, b)| a == b).count();
    if common == 0 {
        return p.to_path_buf();
    }
    let mut out = PathBuf::new();
    for _ in common..c_comps.len() {
        out.push("..");
    }
    for c in &p_comps[common..] {
        out.push(c.as_os_str());
    }
    if out.as_os_str().is_empty() { PathBuf::from(".") } else { out }
}
