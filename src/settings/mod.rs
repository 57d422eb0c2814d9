//! `.drlint.yaml`: which rules run, at what severity, with which options, and what to skip.
//! Read through the positioned YAML reader so that every error names its line; unknown keys and
//! bad values are errors (exit 2), never silently ignored.

pub mod coverage;
pub mod glob;
pub mod policies;

use crate::diag::Severity;
use crate::rules::{self, OptionKind, RuleOptions};
use crate::source::yaml::{self, Node};
use crate::source::SourceDb;
use glob::Glob;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

pub const FILE_NAME: &str = ".drlint.yaml";

/// Every top-level key of the config (the JSON Schema in schemas/ must accept each: a test checks).
pub const KEYS: &[&str] = &["fail-level", "exclude", "rules", "provided-secrets", "rpo", "clusters", "external-variables", "lint-undeployed", "coverage", "schema", "helm", "policies"];

/// `*` matches any run of characters; everything else literally.
pub(crate) fn wildcard_match(pattern: &str, text: &str) -> bool {
    match pattern.split_once('*') {
        None => pattern == text,
        Some((head, rest)) => {
            let Some(tail) = text.strip_prefix(head) else { return false };
            (0..=tail.len()).filter(|i| tail.is_char_boundary(*i)).any(|i| wildcard_match(rest, &tail[i..]))
        }
    }
}

/// A list of strings, each read by `item` (null is empty; one string alone is a list of one).
fn parse_list<T>(n: &Node, item: impl Fn(&Node, Option<&str>) -> Result<T, ConfigError>) -> Result<Vec<T>, ConfigError> {
    if n.is_null() {
        return Ok(Vec::new());
    }
    let items: Vec<&Node> = if n.is_seq() { n.items().collect() } else { vec![n] };
    items.into_iter().map(|i| item(i, i.as_text().filter(|_| i.is_scalar()))).collect()
}

/// A list of non-empty names (`key: [A, B]`).
fn parse_names(n: &Node, key: &str, err: &ErrFn) -> Result<Vec<String>, ConfigError> {
    parse_list(n, |i, text| match text {
        Some(s) if !s.is_empty() => Ok(s.to_string()),
        _ => Err(err(i.span, format!("`{key}` must be a list of names"))),
    })
}

#[derive(Clone, Debug, Default)]
pub struct RuleSettings {
    pub enabled: Option<bool>,
    pub severity: Option<Severity>,
    pub options: RuleOptions,
    pub exclude: Vec<Glob>,
}

#[derive(Clone, Debug, Default)]
pub struct Settings {
    /// The directory globs are relative to (where the config file is, or the checked root).
    pub root: PathBuf,
    pub config_path: Option<PathBuf>,
    pub fail_level: Option<Severity>,
    pub exclude: Vec<Glob>,
    pub rules: BTreeMap<String, RuleSettings>,
    /// Secrets that exist without a manifest in the repository (made by Terraform, by hand, by a
    /// Helm chart): `provided-secrets`.
    pub provided_secrets: Vec<ProvidedSecret>,
    /// Recovery point objectives (`rpo:`), for `rpo-target-exceeded`.
    pub rpo: RpoTargets,
    /// `clusters: {production: [clusters/prod/**, apps/prod/**]}`: which files belong to which
    /// cluster, overriding the default (a folder below `clusters/`). First match wins.
    pub clusters: Vec<(String, Vec<Glob>)>,
    /// `lint-undeployed: true` (or `--all-files`): lint every kustomization folder and manifest as
    /// if deployed, even when the repository's entry points do not reach it.
    pub lint_undeployed: bool,
    /// `coverage:`: backup operators declared by the user, and data deliberately not backed up.
    pub coverage: coverage::CoverageSettings,
    /// `external-variables: [SECRET_DOMAIN, "CLUSTER_*"]`: Flux postBuild variables whose values
    /// live outside Git (a Secret made by hand, a bootstrap script); an unresolved `${VAR}` they
    /// match is not reported. `*` matches any run of characters.
    pub external_variables: Vec<String>,
    /// `schema:`, for the schema rules.
    pub schema: SchemaSettings,
    /// `policies:`: the team's own rules, run and reported like built-in ones.
    pub policies: Vec<policies::Policy>,
    /// `helm:`, for charts deployers name in chart repositories.
    pub helm: HelmSettings,
}

/// `helm: {chart-dirs: [vendor/charts]}`: folders holding charts that HelmReleases and Argo CD
/// Applications name in a chart repository (`<name>-<version>.tgz`, `<name>/`), rendered from
/// there instead of left unrendered; never fetched.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HelmSettings {
    /// Resolved against the settings root.
    pub chart_dirs: Vec<PathBuf>,
}

/// `schema: {crd-dirs: [vendor/crds]}`: folders of CustomResourceDefinition manifests whose kinds
/// `schema-violation` validates (in addition to the bundled ones and those in the repository).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SchemaSettings {
    /// Resolved against the settings root.
    pub crd_dirs: Vec<PathBuf>,
    /// `kubernetes-version` (or `check --kubernetes-version`): which bundled Kubernetes schemas
    /// built-in kinds are validated with, as `crate::schema::KUBERNETES_VERSIONS` spells it.
    /// `None`: the newest bundled.
    pub kubernetes_version: Option<&'static str>,
}

/// One entry of `provided-secrets`: a Secret that exists outside the repository.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProvidedSecret {
    pub name: String,
    /// `None`: the Secret exists in every namespace.
    pub namespace: Option<String>,
    /// `None`: its keys are unknown (any key is accepted).
    pub keys: Option<Vec<String>>,
}

/// `rpo: {default: 24h, namespaces: {billing: 1h}}`: the most data, in seconds, that a restore may
/// lose, by default and per namespace.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct RpoTargets {
    pub default: Option<i64>,
    pub namespaces: BTreeMap<String, i64>,
}

impl RpoTargets {
    /// The target for a namespace and where it comes from (`rpo.namespaces.<ns>` or `rpo.default`).
    pub fn target(&self, namespace: &str) -> Option<(i64, String)> {
        match self.namespaces.get(namespace) {
            Some(t) => Some((*t, format!("rpo.namespaces.{namespace}"))),
            None => self.default.map(|t| (t, "rpo.default".to_string())),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.default.is_none() && self.namespaces.is_empty()
    }
}

/// A duration such as `24h`, `90m`, `1h30m`, `7d`, `1w` (units s, m, h, d, w), in seconds.
pub fn parse_duration(s: &str) -> Option<i64> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    let mut total: i64 = 0;
    let mut num = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            num.push(c);
            continue;
        }
        let n: i64 = num.parse().ok()?;
        num.clear();
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86400,
            'w' => 7 * 86400,
            _ => return None,
        };
        total = total.checked_add(n.checked_mul(unit)?)?;
    }
    if !num.is_empty() {
        return None;
    }
    (total > 0).then_some(total)
}

/// A config error, with where it is.
#[derive(Debug)]
pub struct ConfigError {
    pub path: PathBuf,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}: error: {}", crate::diag::display_path(&self.path), self.line, self.column, self.message)
    }
}

impl Settings {
    pub fn rule(&self, id: &str) -> Option<&RuleSettings> {
        self.rules.get(id)
    }

    /// A policy of the config by id.
    pub fn policy(&self, id: &str) -> Option<&policies::Policy> {
        self.policies.iter().find(|p| p.meta.id == id)
    }

    /// A built-in rule's or a policy's metadata.
    pub fn rule_meta(&self, id: &str) -> Option<&'static rules::RuleMeta> {
        rules::find(id).map(|r| r.meta()).or_else(|| self.policy(id).map(|p| p.meta))
    }

    /// Whether `id` names a built-in rule or a policy (for suppressions and the baseline).
    pub fn knows(&self, id: &str) -> bool {
        self.rule_meta(id).is_some()
    }

    pub fn is_enabled(&self, id: &str) -> bool {
        self.rule(id).and_then(|r| r.enabled).unwrap_or(true)
    }

    pub fn severity(&self, id: &str, default: Severity) -> Severity {
        self.rule(id).and_then(|r| r.severity).unwrap_or(default)
    }

    /// Whether `rel_path` (relative to `root`, `/`-separated) is excluded for every rule.
    pub fn is_excluded(&self, rel_path: &str) -> bool {
        self.exclude.iter().any(|g| g.matches_path_or_parent(rel_path))
    }

    /// The cluster `clusters:` assigns to a path relative to `root`, if any.
    pub fn cluster_for(&self, rel_path: &str) -> Option<&str> {
        self.clusters.iter().find(|(_, globs)| globs.iter().any(|g| g.matches_path_or_parent(rel_path))).map(|(n, _)| n.as_str())
    }

    /// Whether `external-variables` declares this Flux variable.
    pub fn is_external_variable(&self, name: &str) -> bool {
        self.external_variables.iter().any(|p| wildcard_match(p, name))
    }

    pub fn is_excluded_for(&self, id: &str, rel_path: &str) -> bool {
        self.rule(id).is_some_and(|r| r.exclude.iter().any(|g| g.matches_path_or_parent(rel_path)))
    }

    /// Load a config file. `root` is where its globs are anchored.
    pub fn load(path: &Path) -> Result<Settings, ConfigError> {
        let text = std::fs::read_to_string(path).map_err(|e| ConfigError {
            path: path.to_path_buf(),
            line: 1,
            column: 1,
            message: format!("cannot read config: {e}"),
        })?;
        let root = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let mut s = Settings::parse(&text, path)?;
        s.root = if root.as_os_str().is_empty() { PathBuf::from(".") } else { root };
        s.schema.crd_dirs = s.schema.crd_dirs.iter().map(|d| s.root.join(d)).collect();
        s.helm.chart_dirs = s.helm.chart_dirs.iter().map(|d| s.root.join(d)).collect();
        s.config_path = Some(path.to_path_buf());
        Ok(s)
    }

    pub fn parse(text: &str, path: &Path) -> Result<Settings, ConfigError> {
        let mut db = SourceDb::new();
        let id = db.add(path.to_path_buf(), path.to_path_buf(), text.to_string());
        let src = db.get(id);
        let parsed = yaml::parse(id, text);
        let err = |span: crate::source::Span, message: String| {
            let lc = src.line_col(span.start as usize);
            ConfigError { path: path.to_path_buf(), line: lc.line, column: lc.column, message }
        };
        if let Some(issue) = parsed.issues.first() {
            return Err(err(issue.span, issue.message.clone()));
        }
        let mut settings = Settings::default();
        let docs: Vec<&Node> = parsed.documents.iter().filter_map(|d| d.root.as_ref()).collect();
        if docs.len() > 1 {
            return Err(err(docs[1].span, "the config file must hold one YAML document".into()));
        }
        let Some(root) = docs.first() else { return Ok(settings) };
        if root.is_null() {
            return Ok(settings);
        }
        if !root.is_map() {
            return Err(err(root.span, "the config file must be a mapping".into()));
        }
        // Policies first: `rules:` may configure them wherever it is written.
        if let Some(p) = root.get("policies") {
            settings.policies = policies::parse_policies(p, &err)?;
        }
        for (key, knode, value) in root.entries() {
            match key {
                "policies" => {}
                "fail-level" => settings.fail_level = Some(parse_severity(value, &err)?),
                "exclude" => settings.exclude = parse_globs(value, &err)?,
                "provided-secrets" => settings.provided_secrets = parse_provided_secrets(value, &err)?,
                "rpo" => settings.rpo = parse_rpo(value, &err)?,
                "lint-undeployed" => {
                    settings.lint_undeployed = value.as_bool().ok_or_else(|| err(value.span, "`lint-undeployed` must be true or false".into()))?
                }
                "coverage" => settings.coverage = coverage::parse_coverage(value, &err)?,
                "external-variables" => settings.external_variables = parse_names(value, "external-variables", &err)?,
                "clusters" => {
                    if value.is_null() {
                        continue;
                    }
                    if !value.is_map() {
                        return Err(err(value.span, "`clusters` must map cluster names to lists of path globs".into()));
                    }
                    for (name, _, globs) in value.entries() {
                        settings.clusters.push((name.to_string(), parse_globs(globs, &err)?));
                    }
                }
                "schema" => settings.schema = parse_schema(value, &err)?,
                "helm" => settings.helm = parse_helm(value, &err)?,
                "rules" => {
                    if value.is_null() {
                        continue;
                    }
                    if !value.is_map() {
                        return Err(err(value.span, "`rules` must map rule ids to settings".into()));
                    }
                    for (id, idnode, rs) in value.entries() {
                        let Some(meta) = settings.rule_meta(id) else {
                            return Err(err(idnode.span, format!("unknown rule `{id}`{}", did_you_mean(id))));
                        };
                        settings.rules.insert(id.to_string(), parse_rule(meta, rs, &err)?);
                    }
                }
                _ => {
                    return Err(err(
                        knode.span,
                        format!("unknown key `{key}` (expected one of: {})", KEYS.join(", ")),
                    ))
                }
            }
        }
        Ok(settings)
    }
}

/// Folder paths: one non-empty path or a list of them.
fn parse_dirs(value: &Node, what: &str, err: &ErrFn) -> Result<Vec<PathBuf>, ConfigError> {
    let items: Vec<&Node> = if value.is_seq() { value.items().collect() } else if value.is_null() { Vec::new() } else { vec![value] };
    items
        .into_iter()
        .map(|i| match i.as_text() {
            Some(d) if i.is_scalar() && !d.is_empty() => Ok(PathBuf::from(d)),
            _ => Err(err(i.span, format!("a {what} folder must be a non-empty path"))),
        })
        .collect()
}

/// `helm: {chart-dirs: [path, ...]}`.
fn parse_helm(n: &Node, err: &ErrFn) -> Result<HelmSettings, ConfigError> {
    let mut out = HelmSettings::default();
    if n.is_null() {
        return Ok(out);
    }
    if !n.is_map() {
        return Err(err(n.span, "`helm` must be a mapping (chart-dirs)".into()));
    }
    for (key, knode, value) in n.entries() {
        match key {
            "chart-dirs" => out.chart_dirs = parse_dirs(value, "chart", err)?,
            _ => return Err(err(knode.span, format!("unknown key `{key}` in `helm` (expected chart-dirs)"))),
        }
    }
    Ok(out)
}

/// `schema: {crd-dirs: [path, ...]}`.
fn parse_schema(n: &Node, err: &ErrFn) -> Result<SchemaSettings, ConfigError> {
    let mut out = SchemaSettings::default();
    if n.is_null() {
        return Ok(out);
    }
    if !n.is_map() {
        return Err(err(n.span, "`schema` must be a mapping (crd-dirs, kubernetes-version)".into()));
    }
    for (key, knode, value) in n.entries() {
        match key {
            "crd-dirs" => out.crd_dirs.extend(parse_dirs(value, "CRD", err)?),
            "kubernetes-version" => {
                let text = value.as_text().filter(|_| value.is_scalar()).unwrap_or("");
                out.kubernetes_version = Some(crate::schema::kubernetes_version(text).map_err(|m| err(value.span, m))?);
            }
            _ => return Err(err(knode.span, format!("unknown key `{key}` in `schema` (expected crd-dirs, kubernetes-version)"))),
        }
    }
    Ok(out)
}

type ErrFn<'a> = dyn Fn(crate::source::Span, String) -> ConfigError + 'a;

fn parse_severity(n: &Node, err: &ErrFn) -> Result<Severity, ConfigError> {
    n.as_text()
        .and_then(Severity::parse)
        .ok_or_else(|| err(n.span, format!("`{}` is not a severity (error, warning, note)", n.as_str().unwrap_or("?"))))
}

fn parse_globs(n: &Node, err: &ErrFn) -> Result<Vec<Glob>, ConfigError> {
    parse_list(n, |i, text| match text {
        Some(s) => Glob::new(s).map_err(|m| err(i.span, m)),
        None => Err(err(i.span, "a glob must be a string".into())),
    })
}

/// `provided-secrets: [{name: cnpg-s3, namespace: db, keys: [ACCESS_KEY_ID]}, {name: registry-creds}, other]`.
fn parse_provided_secrets(n: &Node, err: &ErrFn) -> Result<Vec<ProvidedSecret>, ConfigError> {
    if n.is_null() {
        return Ok(Vec::new());
    }
    if !n.is_seq() {
        return Err(err(n.span, "`provided-secrets` must be a list of {name, namespace, keys} entries".into()));
    }
    let text = |v: &Node, what: &str| -> Result<String, ConfigError> {
        match v.as_text() {
            Some(s) if v.is_scalar() && !s.is_empty() => Ok(s.to_string()),
            _ => Err(err(v.span, format!("`{what}` of a provided secret must be a non-empty string"))),
        }
    };
    let mut out = Vec::new();
    for item in n.items() {
        if item.is_scalar() {
            out.push(ProvidedSecret { name: text(item, "name")?, ..ProvidedSecret::default() });
            continue;
        }
        if !item.is_map() {
            return Err(err(item.span, "a provided secret is a name or a mapping {name, namespace, keys}".into()));
        }
        let mut p = ProvidedSecret::default();
        for (key, knode, value) in item.entries() {
            match key {
                "name" => p.name = text(value, "name")?,
                "namespace" => p.namespace = if value.is_null() { None } else { Some(text(value, "namespace")?) },
                "keys" => {
                    if value.is_null() {
                        continue;
                    }
                    if !value.is_seq() {
                        return Err(err(value.span, "`keys` of a provided secret must be a list of key names".into()));
                    }
                    p.keys = Some(value.items().map(|k| text(k, "keys")).collect::<Result<_, _>>()?);
                }
                _ => {
                    return Err(err(knode.span, format!("unknown key `{key}` in a provided secret (expected name, namespace, keys)")));
                }
            }
        }
        if p.name.is_empty() {
            return Err(err(item.span, "a provided secret needs a `name`".into()));
        }
        out.push(p);
    }
    Ok(out)
}

fn parse_rpo_duration(n: &Node, what: &str, err: &ErrFn) -> Result<i64, ConfigError> {
    n.as_text()
        .filter(|_| n.is_scalar())
        .and_then(parse_duration)
        .ok_or_else(|| err(n.span, format!("{what} `{}` is not a duration such as 24h, 90m or 7d", n.as_str().unwrap_or("?"))))
}

fn parse_rpo(n: &Node, err: &ErrFn) -> Result<RpoTargets, ConfigError> {
    let mut t = RpoTargets::default();
    if n.is_null() {
        return Ok(t);
    }
    if !n.is_map() {
        return Err(err(n.span, "`rpo` must be a mapping with `default` and/or `namespaces`".into()));
    }
    for (key, knode, value) in n.entries() {
        match key {
            "default" => t.default = Some(parse_rpo_duration(value, "rpo.default", err)?),
            "namespaces" => {
                if value.is_null() {
                    continue;
                }
                if !value.is_map() {
                    return Err(err(value.span, "`rpo.namespaces` must map namespace names to durations".into()));
                }
                for (ns, _, d) in value.entries() {
                    let secs = parse_rpo_duration(d, &format!("rpo.namespaces.{ns}"), err)?;
                    t.namespaces.insert(ns.to_string(), secs);
                }
            }
            _ => return Err(err(knode.span, format!("unknown key `{key}` in `rpo` (expected default, namespaces)"))),
        }
    }
    Ok(t)
}

fn parse_bool(n: &Node, err: &ErrFn) -> Result<bool, ConfigError> {
    n.as_bool().ok_or_else(|| err(n.span, format!("`{}` is not true or false", n.as_str().unwrap_or("?"))))
}

fn parse_rule(meta: &'static rules::RuleMeta, n: &Node, err: &ErrFn) -> Result<RuleSettings, ConfigError> {
    let mut rs = RuleSettings::default();
    // Short forms: `rule: off`, `rule: false`, `rule: on`, `rule: warning`.
    if n.is_scalar() {
        let t = n.as_str().unwrap_or("");
        match t {
            "off" | "false" | "disabled" => rs.enabled = Some(false),
            "on" | "true" | "enabled" => rs.enabled = Some(true),
            _ => match Severity::parse(t) {
                Some(s) => rs.severity = Some(s),
                None => {
                    return Err(err(
                        n.span,
                        format!("`{t}` is not a rule setting (off, on, error, warning, note, or a mapping)"),
                    ))
                }
            },
        }
        return Ok(rs);
    }
    if !n.is_map() {
        return Err(err(n.span, format!("settings for `{}` must be a mapping", meta.id)));
    }
    for (key, knode, value) in n.entries() {
        match key {
            "enabled" => rs.enabled = Some(parse_bool(value, err)?),
            "severity" => rs.severity = Some(parse_severity(value, err)?),
            "exclude" => rs.exclude = parse_globs(value, err)?,
            "options" => {
                if !value.is_map() {
                    return Err(err(value.span, "`options` must be a mapping".into()));
                }
                for (name, oknode, ovalue) in value.entries() {
                    let Some(spec) = meta.options.iter().find(|o| o.name == name) else {
                        let known: Vec<&str> = meta.options.iter().map(|o| o.name).collect();
                        return Err(err(
                            oknode.span,
                            if known.is_empty() {
                                format!("rule `{}` has no options", meta.id)
                            } else {
                                format!("unknown option `{name}` for `{}` (options: {})", meta.id, known.join(", "))
                            },
                        ));
                    };
                    let ok = match spec.kind {
                        OptionKind::Bool => ovalue.as_bool().is_some(),
                        OptionKind::String => ovalue.is_scalar() && !ovalue.is_null(),
                        OptionKind::StringList => ovalue.is_seq() && ovalue.items().all(|i| i.is_scalar() && !i.is_null()),
                    };
                    if !ok {
                        let want = match spec.kind {
                            OptionKind::Bool => "true or false",
                            OptionKind::String => "a string",
                            OptionKind::StringList => "a list of strings",
                        };
                        return Err(err(ovalue.span, format!("option `{name}` of `{}` must be {want}", meta.id)));
                    }
                    rs.options.values.push((name.to_string(), ovalue.clone()));
                }
            }
            _ => {
                return Err(err(
                    knode.span,
                    format!("unknown key `{key}` in settings of `{}` (expected enabled, severity, exclude, options)", meta.id),
                ))
            }
        }
    }
    Ok(rs)
}

/// ` (did you mean `x`?)` when a known rule id is close.
pub fn did_you_mean(id: &str) -> String {
    let best = rules::all()
        .iter()
        .map(|r| r.meta().id)
        .map(|known| (crate::util::edit_distance(id, known), known))
        .min();
    match best {
        Some((d, known)) if d <= 3 || known.contains(id) => format!(" (did you mean `{known}`?)"),
        _ => String::new(),
    }
}

/// Find `.drlint.yaml` at the root of a checked tree.
pub fn find_config(paths: &[PathBuf]) -> Option<PathBuf> {
    paths.iter().filter(|p| p.is_dir()).map(|p| p.join(FILE_NAME)).find(|p| p.is_file())
}


#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Settings, ConfigError> {
        Settings::parse(text, Path::new(".drlint.yaml"))
    }

    #[test]
    fn provided_secrets_read_every_form() {
        let s = parse("provided-secrets:\n  - registry-creds\n  - {name: cnpg-s3, namespace: db, keys: [ACCESS_KEY_ID]}\n  - name: any-key\n    keys: ~\n").unwrap();
        assert_eq!(
            s.provided_secrets,
            vec![
                ProvidedSecret { name: "registry-creds".into(), namespace: None, keys: None },
                ProvidedSecret { name: "cnpg-s3".into(), namespace: Some("db".into()), keys: Some(vec!["ACCESS_KEY_ID".into()]) },
                ProvidedSecret { name: "any-key".into(), namespace: None, keys: None },
            ]
        );
    }

    #[test]
    fn provided_secrets_errors_name_their_line() {
        let cases = [
            ("provided-secrets: cnpg-s3\n", 1, "must be a list"),
            ("provided-secrets:\n  - {name: a, namspace: db}\n", 2, "unknown key `namspace` in a provided secret"),
            ("provided-secrets:\n  - namespace: db\n", 2, "needs a `name`"),
            ("provided-secrets:\n  - name: a\n    keys: ACCESS_KEY_ID\n", 3, "must be a list of key names"),
            ("provided-secrets:\n  - name: a\n    keys: [[x]]\n", 3, "must be a non-empty string"),
            ("provided-secret: []\n", 1, "unknown key `provided-secret`"),
        ];
        for (text, line, expected) in cases {
            let e = parse(text).expect_err(text);
            assert_eq!(e.line, line, "{text}: {e}");
            assert!(e.message.contains(expected), "{text}: {e}");
        }
    }
}

#[cfg(test)]
mod rpo_tests {
    use super::*;

    fn parse(text: &str) -> Result<Settings, ConfigError> {
        Settings::parse(text, Path::new(".drlint.yaml"))
    }

    #[test]
    fn rpo_targets() {
        let s = parse("rpo:\n  default: 24h\n  namespaces:\n    billing: 1h30m\n    archive: 7d\n").unwrap();
        assert_eq!(s.rpo.default, Some(86400));
        assert_eq!(s.rpo.target("billing"), Some((5400, "rpo.namespaces.billing".into())));
        assert_eq!(s.rpo.target("archive").map(|t| t.0), Some(7 * 86400));
        assert_eq!(s.rpo.target("other").map(|t| t.0), Some(86400));
    }

    #[test]
    fn rpo_errors_name_the_line() {
        let e = parse("rpo:\n  default: 24h\n  namespaces:\n    billing: soon\n").unwrap_err();
        assert_eq!((e.line, e.column), (4, 14));
        assert!(e.message.contains("rpo.namespaces.billing `soon` is not a duration"), "{}", e.message);
        let e = parse("rpo:\n  defualt: 24h\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert!(e.message.contains("unknown key `defualt` in `rpo`"), "{}", e.message);
        let e = parse("rpo: 24h\n").unwrap_err();
        assert_eq!(e.line, 1);
        let e = parse("rpo:\n  default: 0h\n").unwrap_err();
        assert_eq!(e.line, 2);
        assert_eq!(parse_duration("90m"), Some(5400));
        assert_eq!(parse_duration("1d12h"), Some(129600));
        assert_eq!(parse_duration("24"), None);
        assert_eq!(parse_duration("1y"), None);
    }
}
