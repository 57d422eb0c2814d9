//! Typed views over Velero objects (`velero.io/v1`): Schedule, Backup, Restore, and the item
//! selection they share (namespaces, resources, label selectors), evaluated as Velero does:
//! resource include/exclude, then namespace include/exclude, then `labelSelector` (absent matches
//! everything), then `orLabelSelectors` (an item is kept when it matches any).

use super::workloads::Labels;
use super::Resource;
use crate::source::yaml::Node;
use crate::source::Span;

pub const GROUP: &str = "velero.io";
/// Velero's server default for a Backup without `ttl` (`--default-backup-ttl`).
pub const DEFAULT_TTL: &str = "720h";

/// A Kubernetes label selector (`metav1.LabelSelector`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Selector {
    pub match_labels: Vec<(String, String)>,
    pub expressions: Vec<Expression>,
    pub span: Span,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Expression {
    pub key: String,
    pub op: Op,
    pub values: Vec<String>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    In,
    NotIn,
    Exists,
    DoesNotExist,
    /// An operator the API rejects: Velero fails the selector, so it matches nothing.
    Invalid,
}

impl Selector {
    /// A selector from its YAML mapping (`None` for null or a non-mapping).
    pub fn from_node(n: &Node) -> Option<Selector> {
        if !n.is_map() {
            return None;
        }
        let match_labels = n.get("matchLabels").into_iter().flat_map(|m| m.entries()).map(|(k, _, v)| (k.to_string(), v.as_text().unwrap_or("").to_string())).collect();
        let expressions = n
            .get("matchExpressions")
            .into_iter()
            .flat_map(|e| e.items())
            .map(|e| Expression {
                key: e.str_at(&["key"]).unwrap_or("").to_string(),
                op: match e.str_at(&["operator"]).unwrap_or("") {
                    "In" => Op::In,
                    "NotIn" => Op::NotIn,
                    "Exists" => Op::Exists,
                    "DoesNotExist" => Op::DoesNotExist,
                    _ => Op::Invalid,
                },
                values: e.get("values").into_iter().flat_map(|v| v.items()).filter_map(|v| v.as_text()).map(str::to_string).collect(),
            })
            .collect();
        Some(Selector { match_labels, expressions, span: n.span })
    }

    /// Parse the `kubectl`/`velero --selector` string form: `a=b,c!=d,e in (f,g),h notin (i),j,!k`.
    pub fn parse_cli(s: &str) -> Option<Selector> {
        let mut sel = Selector { match_labels: Vec::new(), expressions: Vec::new(), span: Span::default() };
        for req in split_requirements(s) {
            let req = req.trim();
            if req.is_empty() {
                continue;
            }
            let lower = req.to_ascii_lowercase();
            if let Some(i) = lower.find(" notin ").or_else(|| lower.find(" in ")) {
                let notin = lower[i..].starts_with(" notin ");
                let key = req[..i].trim().to_string();
                let rest = req[i + if notin { 7 } else { 4 }..].trim();
                let vals = rest.strip_prefix('(')?.strip_suffix(')')?;
                let values = vals.split(',').map(|v| v.trim().to_string()).filter(|v| !v.is_empty()).collect();
                sel.expressions.push(Expression { key, op: if notin { Op::NotIn } else { Op::In }, values });
            } else if let Some((k, v)) = req.split_once("!=") {
                sel.expressions.push(Expression { key: k.trim().into(), op: Op::NotIn, values: vec![v.trim().into()] });
            } else if let Some((k, v)) = req.split_once("==").or_else(|| req.split_once('=')) {
                sel.match_labels.push((k.trim().into(), v.trim().into()));
            } else if let Some(k) = req.strip_prefix('!') {
                sel.expressions.push(Expression { key: k.trim().into(), op: Op::DoesNotExist, values: Vec::new() });
            } else {
                sel.expressions.push(Expression { key: req.into(), op: Op::Exists, values: Vec::new() });
            }
        }
        Some(sel)
    }

    /// Whether an object with these labels matches (an empty selector matches everything).
    pub fn matches(&self, labels: &Labels) -> bool {
        self.match_labels.iter().all(|(k, v)| labels.get(k) == Some(v))
            && self.expressions.iter().all(|e| match e.op {
                Op::In => labels.get(&e.key).is_some_and(|v| e.values.contains(v)),
                Op::NotIn => labels.get(&e.key).is_none_or(|v| !e.values.contains(v)),
                Op::Exists => labels.contains_key(&e.key),
                Op::DoesNotExist => !labels.contains_key(&e.key),
                Op::Invalid => false,
            })
    }

    /// The selector in `kubectl` syntax, e.g. `app=pg,tier in (db)`.
    pub fn describe(&self) -> String {
        let mut parts: Vec<String> = self.match_labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
        for e in &self.expressions {
            parts.push(match e.op {
                Op::In => format!("{} in ({})", e.key, e.values.join(",")),
                Op::NotIn => format!("{} notin ({})", e.key, e.values.join(",")),
                Op::Exists => e.key.clone(),
                Op::DoesNotExist => format!("!{}", e.key),
                Op::Invalid => format!("{} <invalid operator>", e.key),
            });
        }
        if parts.is_empty() { "<everything>".into() } else { parts.join(",") }
    }
}

/// Split a selector string on commas that are not inside parentheses.
fn split_requirements(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

/// The resources drlint reasons about, as Velero resolves the names users write.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Res {
    Pods,
    Pvcs,
    Pvs,
}

impl Res {
    /// Whether a name in `includedResources`/`--include-resources` resolves to this resource
    /// (plural, singular, short name, optionally with the core group's empty suffix).
    pub fn named(self, name: &str) -> bool {
        let n = name.trim().to_ascii_lowercase();
        let n = n.strip_suffix('.').unwrap_or(&n);
        let n = n.strip_suffix(".v1").unwrap_or(n);
        let names: &[&str] = match self {
            Res::Pods => &["pods", "pod", "po"],
            Res::Pvcs => &["persistentvolumeclaims", "persistentvolumeclaim", "pvc"],
            Res::Pvs => &["persistentvolumes", "persistentvolume", "pv"],
        };
        names.contains(&n)
    }
}

/// Velero's include/exclude lists (`collections.IncludesExcludes`): excluded wins; an empty include
/// list or `*` includes everything; entries may be globs (`*`, `?`, `[...]`).
pub fn should_include(includes: &[String], excludes: &[String], matches: impl Fn(&str) -> bool) -> bool {
    if excludes.iter().any(|e| matches(e)) {
        return false;
    }
    includes.is_empty() || includes.iter().any(|i| i == "*" || matches(i))
}

/// A glob as Velero's namespace filters take it.
pub fn glob_match(pattern: &str, s: &str) -> bool {
    if !pattern.contains(['*', '?', '[']) {
        return pattern == s;
    }
    let mut re = String::from("^");
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '*' => re.push_str(".*"),
            '?' => re.push('.'),
            '[' => {
                re.push('[');
                if chars.peek() == Some(&'!') {
                    chars.next();
                    re.push('^');
                }
                for c in chars.by_ref() {
                    if c == ']' {
                        break;
                    }
                    if c == '\\' || c == '[' || c == '^' {
                        re.push('\\');
                    }
                    re.push(c);
                }
                re.push(']');
            }
            c => re.push_str(&regex::escape(&c.to_string())),
        }
    }
    re.push('$');
    regex::Regex::new(&re).is_ok_and(|r| r.is_match(s))
}

/// Whether a namespace filter entry is a pattern rather than a name.
pub fn is_pattern(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

fn strings(n: Option<&Node>) -> Vec<String> {
    n.into_iter().flat_map(|l| l.items()).filter_map(|i| i.as_text()).map(str::to_string).collect()
}

/// What a Backup spec (a Backup, a Schedule's `template`) or a Restore spec selects.
#[derive(Clone, Debug)]
pub struct Scope<'a> {
    pub spec: Option<&'a Node>,
    pub included_namespaces: Vec<String>,
    pub excluded_namespaces: Vec<String>,
    pub included_resources: Vec<String>,
    pub excluded_resources: Vec<String>,
    /// The newer scoped filters (Backups only).
    pub included_ns_scoped: Vec<String>,
    pub excluded_ns_scoped: Vec<String>,
    pub label_selector: Option<Selector>,
    pub or_label_selectors: Vec<Selector>,
}

impl<'a> Scope<'a> {
    pub fn from_spec(spec: Option<&'a Node>) -> Scope<'a> {
        let g = |k: &str| strings(spec.and_then(|s| s.get(k)));
        Scope {
            spec,
            included_namespaces: g("includedNamespaces"),
            excluded_namespaces: g("excludedNamespaces"),
            included_resources: g("includedResources"),
            excluded_resources: g("excludedResources"),
            included_ns_scoped: g("includedNamespaceScopedResources"),
            excluded_ns_scoped: g("excludedNamespaceScopedResources"),
            label_selector: spec.and_then(|s| s.get("labelSelector")).and_then(Selector::from_node),
            or_label_selectors: spec.and_then(|s| s.get("orLabelSelectors")).into_iter().flat_map(|l| l.items()).filter_map(Selector::from_node).collect(),
        }
    }

    pub fn includes_namespace(&self, ns: &str) -> bool {
        should_include(&self.included_namespaces, &self.excluded_namespaces, |p| glob_match(p, ns))
    }

    pub fn includes_resource(&self, r: Res) -> bool {
        let old = should_include(&self.included_resources, &self.excluded_resources, |n| r.named(n));
        let new = r == Res::Pvs || should_include(&self.included_ns_scoped, &self.excluded_ns_scoped, |n| r.named(n));
        old && new
    }

    /// Whether the scope restricts items by label at all.
    pub fn has_selector(&self) -> bool {
        self.label_selector.is_some() || !self.or_label_selectors.is_empty()
    }

    /// The node to report selector findings at.
    pub fn selector_span(&self) -> Option<Span> {
        let spec = self.spec?;
        spec.key("labelSelector").or_else(|| spec.key("orLabelSelectors")).map(|k| k.span)
    }

    /// Whether an item with these labels passes the label filters.
    pub fn selects(&self, labels: &Labels) -> bool {
        if let Some(s) = &self.label_selector {
            if !s.matches(labels) {
                return false;
            }
        }
        self.or_label_selectors.is_empty() || self.or_label_selectors.iter().any(|s| s.matches(labels))
    }

    /// The label filters in words, e.g. `labelSelector app=pg`.
    pub fn describe_selector(&self) -> String {
        match (&self.label_selector, self.or_label_selectors.as_slice()) {
            (Some(s), _) => format!("labelSelector `{}`", s.describe()),
            (None, ors) => format!("orLabelSelectors {}", ors.iter().map(|s| format!("`{}`", s.describe())).collect::<Vec<_>>().join(", ")),
        }
    }

    /// `snapshotVolumes`, when set.
    pub fn snapshot_volumes(&self) -> Option<bool> {
        self.spec?.get("snapshotVolumes").and_then(Node::as_bool)
    }

    /// `defaultVolumesToFsBackup: true` (or its deprecated spelling `defaultVolumesToRestic`).
    pub fn default_volumes_to_fs_backup(&self) -> bool {
        self.default_volumes_to_fs_backup_flag() == Some(true)
    }

    /// `defaultVolumesToFsBackup` when set (else the server's default applies).
    pub fn default_volumes_to_fs_backup_flag(&self) -> Option<bool> {
        let flag = |k: &str| self.spec.and_then(|s| s.get(k)).and_then(Node::as_bool);
        flag("defaultVolumesToFsBackup").or(flag("defaultVolumesToRestic"))
    }

    pub fn ttl(&self) -> Option<&'a Node> {
        self.spec?.get("ttl").filter(|n| !n.is_null() && n.as_text().is_some_and(|t| !t.is_empty()))
    }

    pub fn storage_location(&self) -> Option<&'a str> {
        self.spec?.str_at(&["storageLocation"]).filter(|s| !s.is_empty())
    }
}

/// A Velero `Schedule`.
pub struct Schedule<'a>(pub &'a Resource);

impl<'a> Schedule<'a> {
    pub fn from(r: &'a Resource) -> Option<Schedule<'a>> {
        r.is(GROUP, "Schedule").then_some(Schedule(r))
    }
    pub fn schedule(&self) -> Option<&'a Node> {
        self.0.node.at(&["spec", "schedule"])
    }
    pub fn template(&self) -> Option<&'a Node> {
        self.0.node.at(&["spec", "template"])
    }
    pub fn scope(&self) -> Scope<'a> {
        Scope::from_spec(self.template())
    }
    pub fn paused(&self) -> bool {
        self.0.node.at(&["spec", "paused"]).and_then(Node::as_bool) == Some(true)
    }
    /// The status error Velero would record for the cron expression, if any.
    pub fn cron_error(&self) -> Option<String> {
        let spec = self.schedule().and_then(Node::as_text).unwrap_or("");
        crate::cron::velero_status_error(spec)
    }
    /// The parsed cron expression, when Velero accepts it.
    pub fn cron(&self) -> Option<crate::cron::Schedule> {
        crate::cron::parse(self.schedule()?.as_text()?, crate::cron::Dialect::Velero).ok()
    }
}

/// The spec a Velero object selects items with: a Backup's or Restore's `spec`, a Schedule's
/// `spec.template`. `None` for other kinds.
pub fn scope_of(r: &Resource) -> Option<Scope<'_>> {
    if r.group() != GROUP {
        return None;
    }
    match r.kind() {
        "Schedule" => Some(Schedule(r).scope()),
        "Backup" | "Restore" => Some(Scope::from_spec(r.spec())),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> Labels {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn cli_selectors() {
        let s = Selector::parse_cli("app=pg,tier in (db, cache),!legacy,env!=dev").unwrap();
        assert!(s.matches(&labels(&[("app", "pg"), ("tier", "db")])));
        assert!(!s.matches(&labels(&[("app", "pg"), ("tier", "web")])));
        assert!(!s.matches(&labels(&[("app", "pg"), ("tier", "db"), ("legacy", "1")])));
        assert!(!s.matches(&labels(&[("app", "pg"), ("tier", "db"), ("env", "dev")])));
        assert_eq!(s.describe(), "app=pg,tier in (db,cache),!legacy,env notin (dev)");
    }

    fn spec(text: &str) -> crate::source::yaml::Node {
        crate::source::yaml::parse(crate::source::FileId(0), text).documents[0].root.clone().unwrap()
    }

    #[test]
    fn yaml_selectors_and_scopes() {
        let n = spec("labelSelector:\n  matchLabels: {app: pg}\n  matchExpressions:\n    - {key: tier, operator: NotIn, values: [cache]}\n    - {key: legacy, operator: DoesNotExist}\n    - {key: team, operator: Exists}\nincludedNamespaces: [\"db-*\"]\nexcludedNamespaces: [db-old]\nincludedNamespaceScopedResources: [persistentvolumeclaims]\n");
        let scope = Scope::from_spec(Some(&n));
        assert!(scope.selects(&labels(&[("app", "pg"), ("team", "a")])));
        assert!(scope.selects(&labels(&[("app", "pg"), ("team", "a"), ("tier", "db")])));
        assert!(!scope.selects(&labels(&[("app", "pg"), ("team", "a"), ("tier", "cache")])));
        assert!(!scope.selects(&labels(&[("app", "pg"), ("team", "a"), ("legacy", "")])));
        assert!(!scope.selects(&labels(&[("app", "pg")])));
        assert!(scope.includes_namespace("db-prod") && !scope.includes_namespace("db-old") && !scope.includes_namespace("web"));
        assert!(scope.includes_resource(Res::Pvcs) && !scope.includes_resource(Res::Pods) && scope.includes_resource(Res::Pvs));
        // orLabelSelectors: any one matches; an invalid operator matches nothing.
        let n = spec("orLabelSelectors:\n  - matchLabels: {app: a}\n  - matchExpressions: [{key: app, operator: In, values: [b, c]}]\n  - matchExpressions: [{key: app, operator: Like, values: [d]}]\n");
        let scope = Scope::from_spec(Some(&n));
        assert!(scope.selects(&labels(&[("app", "a")])) && scope.selects(&labels(&[("app", "c")])));
        assert!(!scope.selects(&labels(&[("app", "d")])));
        // An empty selector matches everything.
        let n = spec("labelSelector: {}\n");
        assert!(Scope::from_spec(Some(&n)).selects(&labels(&[])));
    }

    #[test]
    fn filters() {
        assert!(should_include(&[], &[], |_| false));
        assert!(should_include(&["*".into()], &[], |_| false));
        assert!(glob_match("team-*", "team-a"));
        assert!(!glob_match("team-*", "db"));
        assert!(glob_match("ns[12]", "ns1"));
        assert!(Res::Pvcs.named("PVC") && Res::Pods.named("po") && Res::Pvs.named("persistentvolumes"));
    }
}
