//! `policies:` in `.drlint.yaml`: a team's own rules, written as a match (which objects) and a
//! check (what they must hold), e.g. "production Clusters keep at least 30 days of backups". A
//! policy behaves like a built-in rule: its id is listed by `drlint rules`, `explain` prints its
//! description, suppressions, the baseline and `rules:` settings name it, SARIF lists it. Every
//! regex and JSON Schema is compiled here, once, so a bad one is a config error at its line.

use super::{ConfigError, ErrFn};
use crate::diag::Severity;
use crate::model::velero::Selector;
use crate::rules::RuleMeta;
use crate::source::yaml::Node;
use std::sync::Arc;

/// Keys of one policy.
const POLICY_KEYS: &[&str] = &["id", "description", "severity", "message", "match", "schema", "required", "pattern", "duration", "forbidden"];
const MATCH_KEYS: &[&str] = &["apiVersion", "kind", "namespace", "labelSelector", "cluster", "deployed-only"];

#[derive(Clone)]
pub struct Policy {
    /// The policy's rule metadata (id, severity, summary, page), made once per config load.
    pub meta: &'static RuleMeta,
    pub message: String,
    pub matcher: Match,
    pub checks: Vec<Check>,
}

impl std::fmt::Debug for Policy {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Policy").field("id", &self.meta.id).field("message", &self.message).field("matcher", &self.matcher).field("checks", &self.checks).finish()
    }
}

/// Which objects a policy looks at. Every given field must match.
#[derive(Clone, Debug, Default)]
pub struct Match {
    /// `postgresql.cnpg.io/v1` (exact) or `postgresql.cnpg.io` (any version of the group).
    pub api_version: Option<String>,
    pub kinds: Vec<String>,
    /// Names or globs (`*`) of the namespace the object lands in.
    pub namespaces: Vec<String>,
    pub selector: Option<Selector>,
    /// Cluster names (`clusters:` in the config, or a folder under `clusters/`).
    pub clusters: Vec<String>,
    /// Only objects an entry point deploys (default); `false` also checks files nothing applies.
    pub deployed_only: bool,
}

/// One segment of a policy path: `spec.backup`, `containers[0]`, `containers[*]`, `["a.b/c"]`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathSeg {
    Key(String),
    Index(usize),
    Every,
}

/// A dotted path as written, and its segments.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldPath {
    pub text: String,
    pub segs: Vec<PathSeg>,
}

/// A compiled policy schema. Never changed once built, so it stays sound across a caught panic
/// (the settings are shared with `catch_unwind` callers).
#[derive(Clone)]
pub struct CompiledSchema(pub Arc<jsonschema::Validator>);

impl std::panic::RefUnwindSafe for CompiledSchema {}
impl std::panic::UnwindSafe for CompiledSchema {}

#[derive(Clone)]
pub enum Check {
    /// A JSON Schema the whole object must satisfy (`schema:`), with its source for messages.
    Schema(CompiledSchema, serde_json::Value),
    Required(Vec<FieldPath>),
    Pattern(FieldPath, regex::Regex),
    /// Bounds in seconds.
    Duration { path: FieldPath, min: Option<(i64, String)>, max: Option<(i64, String)> },
    Forbidden(Vec<FieldPath>),
}

impl std::fmt::Debug for Check {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Check::Schema(_, s) => write!(f, "Schema({s})"),
            Check::Required(p) => write!(f, "Required({p:?})"),
            Check::Pattern(p, r) => write!(f, "Pattern({p:?}, {})", r.as_str()),
            Check::Duration { path, min, max } => write!(f, "Duration({path:?}, {min:?}, {max:?})"),
            Check::Forbidden(p) => write!(f, "Forbidden({p:?})"),
        }
    }
}

/// Read a dotted path: keys separated by `.`, `[N]` or `[*]` for list items, `["key"]` for a
/// key with dots or slashes in it (`metadata.annotations["velero.io/exclude-from-backup"]`).
pub fn parse_path(text: &str) -> Option<FieldPath> {
    let mut segs = Vec::new();
    let mut rest = text.trim();
    let mut first = true;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix('[') {
            let (inner, after) = if let Some(q) = r.strip_prefix('"').or_else(|| r.strip_prefix('\'')) {
                let quote = &r[..1];
                let (name, after) = q.split_once(&format!("{quote}]"))?;
                segs.push(PathSeg::Key(name.to_string()));
                ("", after)
            } else {
                r.split_once(']')?
            };
            match inner {
                "" => {}
                "*" => segs.push(PathSeg::Every),
                n => segs.push(PathSeg::Index(n.parse().ok()?)),
            }
            rest = after;
        } else {
            let r = if first { rest } else { rest.strip_prefix('.')? };
            let end = r.find(['.', '[']).unwrap_or(r.len());
            if end == 0 {
                return None;
            }
            segs.push(PathSeg::Key(r[..end].to_string()));
            rest = &r[end..];
        }
        first = false;
    }
    (!segs.is_empty()).then(|| FieldPath { text: text.trim().to_string(), segs })
}

/// A duration bound or value: Go's (`720h`, `1h30m`), or days and weeks (`30d`, `4w`, `1d12h`).
pub fn duration_secs(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Ok(ns) = crate::cron::parse_go_duration(s) {
        return Some(ns / 1_000_000_000);
    }
    super::parse_duration(s)
}

/// A CNPG/barman retention policy (`30d`, `4w`, `3m`: m is months, taken as 30 days), in seconds.
pub fn retention_secs(s: &str) -> Option<i64> {
    if !crate::rules::cnpg::retention_invalid::is_valid_retention(s) {
        return None;
    }
    let (n, unit) = s.split_at(s.len() - 1);
    let n: i64 = n.parse().ok()?;
    let days = match unit {
        "d" => 1,
        "w" => 7,
        _ => 30,
    };
    n.checked_mul(days * 86400)
}

fn is_kebab(id: &str) -> bool {
    !id.is_empty()
        && id.split('-').all(|w| !w.is_empty() && w.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()))
        && id.as_bytes()[0].is_ascii_lowercase()
}

fn text(v: &Node, what: &str, err: &ErrFn) -> Result<String, ConfigError> {
    match v.as_text() {
        Some(s) if v.is_scalar() && !s.trim().is_empty() => Ok(s.trim().to_string()),
        _ => Err(err(v.span, format!("`{what}` of a policy must be a non-empty string"))),
    }
}

fn texts(v: &Node, what: &str, err: &ErrFn) -> Result<Vec<String>, ConfigError> {
    let items: Vec<&Node> = if v.is_seq() { v.items().collect() } else { vec![v] };
    items.into_iter().map(|i| text(i, what, err)).collect()
}

fn path(v: &Node, what: &str, err: &ErrFn) -> Result<FieldPath, ConfigError> {
    let t = text(v, what, err)?;
    parse_path(&t).ok_or_else(|| err(v.span, format!("`{t}` is not a field path (write it as spec.backup.retentionPolicy, items[0], items[*] or annotations[\"a/b\"])")))
}

fn unknown(key: &str, known: &[&str], what: &str) -> String {
    let close = crate::util::closest(key, known.iter().copied()).map(|k| format!(" (did you mean `{k}`?)")).unwrap_or_default();
    format!("unknown key `{key}` in {what}{close} (expected one of: {})", known.join(", "))
}

/// `policies: [...]`.
pub fn parse_policies(n: &Node, err: &ErrFn) -> Result<Vec<Policy>, ConfigError> {
    if n.is_null() {
        return Ok(Vec::new());
    }
    if !n.is_seq() {
        return Err(err(n.span, "`policies` must be a list of policies, each with an id, a match and a check".into()));
    }
    let mut out: Vec<Policy> = Vec::new();
    for item in n.items() {
        let p = parse_policy(item, err)?;
        if out.iter().any(|o| o.meta.id == p.meta.id) {
            return Err(err(item.get("id").map(|i| i.span).unwrap_or(item.span), format!("policy id `{}` is used twice", p.meta.id)));
        }
        out.push(p);
    }
    Ok(out)
}

fn parse_policy(item: &Node, err: &ErrFn) -> Result<Policy, ConfigError> {
    if !item.is_map() {
        return Err(err(item.span, "a policy is a mapping with an id, a match and a check".into()));
    }
    let mut id = None;
    let mut description = String::new();
    let mut severity = Severity::Warning;
    let mut message = None;
    let mut matcher = None;
    let mut checks = Vec::new();
    for (key, knode, v) in item.entries() {
        match key {
            "id" => {
                let t = text(v, "id", err)?;
                if !is_kebab(&t) {
                    return Err(err(v.span, format!("policy id `{t}` must be kebab-case (lower-case words joined by -)")));
                }
                if t == "all" || crate::rules::is_known(&t) {
                    return Err(err(v.span, format!("policy id `{t}` is the id of a built-in rule: choose another")));
                }
                id = Some(t);
            }
            "description" => description = text(v, "description", err)?,
            "severity" => {
                severity = v.as_text().and_then(Severity::parse).ok_or_else(|| err(v.span, "`severity` of a policy must be error, warning or note".into()))?
            }
            "message" => message = Some(text(v, "message", err)?),
            "match" => matcher = Some(parse_match(v, err)?),
            "schema" => {
                if !v.is_map() {
                    return Err(err(v.span, "`schema` of a policy must be a JSON Schema (a mapping)".into()));
                }
                let schema = v.to_json();
                let validator = jsonschema::options()
                    .with_pattern_options(jsonschema::PatternOptions::regex())
                    .should_validate_formats(false)
                    .build(&schema)
                    .map_err(|e| err(v.span, format!("`schema` of a policy is not a valid JSON Schema: {e}")))?;
                checks.push(Check::Schema(CompiledSchema(Arc::new(validator)), schema));
            }
            "required" => checks.push(Check::Required(paths(v, "required", err)?)),
            "forbidden" => checks.push(Check::Forbidden(paths(v, "forbidden", err)?)),
            "pattern" => {
                let (mut p, mut re) = (None, None);
                for (k, kn, val) in entries(v, "pattern", "{path, regex}", err)? {
                    match k {
                        "path" => p = Some(path(val, "pattern.path", err)?),
                        "regex" => {
                            let t = val.as_text().filter(|_| val.is_scalar()).ok_or_else(|| err(val.span, "`pattern.regex` must be a string".into()))?;
                            re = Some(regex::Regex::new(t).map_err(|e| err(val.span, format!("`pattern.regex` is not a regular expression: {}", e.to_string().lines().last().unwrap_or(""))))?);
                        }
                        _ => return Err(err(kn.span, unknown(k, &["path", "regex"], "`pattern`"))),
                    }
                }
                match (p, re) {
                    (Some(p), Some(re)) => checks.push(Check::Pattern(p, re)),
                    _ => return Err(err(v.span, "`pattern` needs `path` and `regex`".into())),
                }
            }
            "duration" => {
                let (mut p, mut min, mut max) = (None, None, None);
                for (k, kn, val) in entries(v, "duration", "{path, min, max}", err)? {
                    let bound = |val: &Node| -> Result<(i64, String), ConfigError> {
                        let t = text(val, k, err)?;
                        duration_secs(&t).map(|s| (s, t.clone())).ok_or_else(|| err(val.span, format!("`duration.{k}` `{t}` is not a duration such as 30d, 4w, 12h or 720h0m0s")))
                    };
                    match k {
                        "path" => p = Some(path(val, "duration.path", err)?),
                        "min" => min = Some(bound(val)?),
                        "max" => max = Some(bound(val)?),
                        _ => return Err(err(kn.span, unknown(k, &["path", "min", "max"], "`duration`"))),
                    }
                }
                let Some(p) = p else { return Err(err(v.span, "`duration` needs a `path`".into())) };
                if min.is_none() && max.is_none() {
                    return Err(err(v.span, "`duration` needs `min` and/or `max`".into()));
                }
                checks.push(Check::Duration { path: p, min, max });
            }
            _ => return Err(err(knode.span, unknown(key, POLICY_KEYS, "a policy"))),
        }
    }
    let Some(id) = id else { return Err(err(item.span, "a policy needs an `id`".into())) };
    let Some(matcher) = matcher else { return Err(err(item.span, format!("policy `{id}` needs a `match` (apiVersion and/or kind)"))) };
    if checks.is_empty() {
        return Err(err(item.span, format!("policy `{id}` needs a check: schema, required, pattern, duration or forbidden")));
    }
    let message = message.unwrap_or_else(|| if description.is_empty() { format!("breaks policy `{id}`") } else { description.clone() });
    let meta = leak_meta(&id, severity, &description, &message, &matcher, &checks);
    Ok(Policy { meta, message, matcher, checks })
}

fn entries<'a>(v: &'a Node, what: &str, shape: &str, err: &ErrFn) -> Result<Vec<(&'a str, &'a Node, &'a Node)>, ConfigError> {
    if !v.is_map() {
        return Err(err(v.span, format!("`{what}` of a policy must be a mapping {shape}")));
    }
    Ok(v.entries().collect())
}

fn paths(v: &Node, what: &str, err: &ErrFn) -> Result<Vec<FieldPath>, ConfigError> {
    let items: Vec<&Node> = if v.is_seq() { v.items().collect() } else { vec![v] };
    if items.is_empty() {
        return Err(err(v.span, format!("`{what}` needs at least one path")));
    }
    items.into_iter().map(|i| path(i, what, err)).collect()
}

fn parse_match(v: &Node, err: &ErrFn) -> Result<Match, ConfigError> {
    let mut m = Match { deployed_only: true, ..Match::default() };
    for (k, kn, val) in entries(v, "match", "{apiVersion, kind, namespace, labelSelector, cluster, deployed-only}", err)? {
        match k {
            "apiVersion" => m.api_version = Some(text(val, "match.apiVersion", err)?),
            "kind" => m.kinds = texts(val, "match.kind", err)?,
            "namespace" => m.namespaces = texts(val, "match.namespace", err)?,
            "cluster" => m.clusters = texts(val, "match.cluster", err)?,
            "labelSelector" => {
                for (sk, skn, _) in entries(val, "match.labelSelector", "{matchLabels, matchExpressions}", err)? {
                    if !matches!(sk, "matchLabels" | "matchExpressions") {
                        return Err(err(skn.span, unknown(sk, &["matchLabels", "matchExpressions"], "a label selector")));
                    }
                }
                m.selector = Selector::from_node(val);
            }
            "deployed-only" => m.deployed_only = val.as_bool().ok_or_else(|| err(val.span, "`match.deployed-only` must be true or false".into()))?,
            _ => return Err(err(kn.span, unknown(k, MATCH_KEYS, "a policy's `match`"))),
        }
    }
    if m.api_version.is_none() && m.kinds.is_empty() {
        return Err(err(v.span, "a policy's `match` needs `apiVersion` and/or `kind`".into()));
    }
    Ok(m)
}

/// The policy's rule metadata and page. Leaked: a config is loaded once per run, and rule ids
/// are `&'static str` throughout the report.
fn leak_meta(id: &str, severity: Severity, description: &str, message: &str, m: &Match, checks: &[Check]) -> &'static RuleMeta {
    let summary = if description.is_empty() { message } else { description };
    let summary = summary.lines().next().unwrap_or("").to_string();
    let mut doc = format!("# {id}\n\nA policy from the config file (`.drlint.yaml`), not a built-in rule.\n\n");
    doc.push_str(&format!("## What it finds\n{}\n\n", if description.is_empty() { message } else { description }));
    doc.push_str(&format!("## Message\n{message}\n\n## Objects it checks\n{}\n\n## What they must hold\n", describe_match(m)));
    for c in checks {
        doc.push_str(&format!("- {}\n", describe_check(c)));
    }
    Box::leak(Box::new(RuleMeta {
        id: Box::leak(id.to_string().into_boxed_str()),
        severity,
        summary: Box::leak(summary.into_boxed_str()),
        doc: Box::leak(doc.into_boxed_str()),
        options: &[],
        engine: false,
    }))
}

fn describe_match(m: &Match) -> String {
    let mut parts = Vec::new();
    if !m.kinds.is_empty() {
        parts.push(format!("kind {}", m.kinds.join(" or ")));
    }
    if let Some(a) = &m.api_version {
        parts.push(format!("apiVersion {a}"));
    }
    if !m.namespaces.is_empty() {
        parts.push(format!("in namespace {}", m.namespaces.join(" or ")));
    }
    if let Some(s) = &m.selector {
        parts.push(format!("labels {}", s.describe()));
    }
    if !m.clusters.is_empty() {
        parts.push(format!("in cluster {}", m.clusters.join(" or ")));
    }
    parts.push(if m.deployed_only { "deployed objects only".into() } else { "deployed or not".into() });
    parts.join(", ")
}

fn describe_check(c: &Check) -> String {
    match c {
        Check::Schema(_, s) => format!("the JSON Schema `{s}`"),
        Check::Required(p) => format!("set: {}", p.iter().map(|p| format!("`{}`", p.text)).collect::<Vec<_>>().join(", ")),
        Check::Forbidden(p) => format!("not set: {}", p.iter().map(|p| format!("`{}`", p.text)).collect::<Vec<_>>().join(", ")),
        Check::Pattern(p, r) => format!("`{}` matches `{}`", p.text, r.as_str()),
        Check::Duration { path, min, max } => {
            let mut s = format!("`{}` is a duration", path.text);
            if let Some((_, t)) = min {
                s.push_str(&format!(" of at least {t}"));
            }
            if let Some((_, t)) = max {
                s.push_str(&format!("{} at most {t}", if min.is_some() { " and" } else { " of" }));
            }
            s
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_durations() {
        let p = parse_path("spec.template.spec.containers[*].env[0]").unwrap();
        assert_eq!(p.segs.len(), 7);
        assert_eq!(p.segs[4], PathSeg::Every);
        assert_eq!(p.segs[6], PathSeg::Index(0));
        let p = parse_path("metadata.annotations[\"velero.io/exclude-from-backup\"]").unwrap();
        assert_eq!(p.segs, vec![PathSeg::Key("metadata".into()), PathSeg::Key("annotations".into()), PathSeg::Key("velero.io/exclude-from-backup".into())]);
        assert!(parse_path("spec..x").is_none());
        assert!(parse_path("").is_none());
        assert_eq!(duration_secs("720h0m0s"), Some(30 * 86400));
        assert_eq!(duration_secs("30d"), Some(30 * 86400));
        assert_eq!(duration_secs("4w"), Some(28 * 86400));
        assert_eq!(duration_secs("1d12h"), Some(129600));
        assert_eq!(duration_secs("soon"), None);
        assert_eq!(retention_secs("3m"), Some(90 * 86400));
        assert_eq!(retention_secs("30days"), None);
        assert!(is_kebab("prod-retention-30d") && !is_kebab("Prod") && !is_kebab("a--b") && !is_kebab("-a") && !is_kebab("1a"));
    }
}
