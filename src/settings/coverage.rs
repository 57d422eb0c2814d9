//! The `coverage:` section of `.drlint.yaml`:
//!
//! ```yaml
//! coverage:
//!   providers:            # backup operators drlint does not know
//!     - apiVersion: backup.example.org/v1
//!       kind: VolumeBackup
//!       pvc-name: spec.source.claimName        # or pvc-selector: spec.selector
//!       schedule: spec.cron
//!       off-site: true
//!   none:                 # data deliberately not backed up
//!     - selector: {matchLabels: {example.org/no-backup: "true"}}
//!       reason: caches and scratch volumes, rebuilt on start
//!     - namespace: media
//!       name: "*-cache"
//!       reason: transcoding cache
//! ```
//!
//! Paths are dot-separated; a segment ending in `[]` means every item of a list
//! (`spec.sources[].pvc.name`). Every `none` entry needs a `reason`.

use super::{ConfigError, ErrFn};
use crate::model::coverage::Store;
use crate::model::velero::Selector;
use crate::model::workloads;
use crate::source::yaml::Node;

#[derive(Clone, Debug, Default)]
pub struct CoverageSettings {
    pub providers: Vec<DeclaredProvider>,
    pub none: Vec<NoneRule>,
}

/// A backup operator declared in the config.
#[derive(Clone, Debug, Default)]
pub struct DeclaredProvider {
    /// `group/version` (or `group`): the version is not compared.
    pub api_version: String,
    pub kind: String,
    pub pvc_name: Option<String>,
    pub pvc_selector: Option<String>,
    pub schedule: Option<String>,
    pub offsite: Option<bool>,
}

impl DeclaredProvider {
    pub fn group(&self) -> &str {
        match self.api_version.rsplit_once('/') {
            Some((g, _)) => g,
            None if self.api_version.contains('.') => &self.api_version,
            None => "",
        }
    }
}

/// Stores deliberately not backed up: every criterion given must match.
#[derive(Clone, Debug, Default)]
pub struct NoneRule {
    pub namespace: Option<String>,
    /// A glob (`*`, `?`, `[...]`) over the PVC, template or Cluster name.
    pub name: Option<String>,
    pub storage_class: Option<String>,
    pub selector: Option<Selector>,
    pub reason: String,
}

impl NoneRule {
    pub fn matches(&self, store: &Store) -> bool {
        let glob = crate::model::velero::glob_match;
        let names = std::iter::once(store.name.clone()).chain(store.claim_names());
        let mut labels = store.labels.clone();
        for (k, v) in workloads::labels_of(store.owner.node.at(&["metadata", "labels"])) {
            labels.entry(k).or_insert(v);
        }
        self.namespace.as_deref().is_none_or(|n| glob(n, &store.namespace))
            && self.name.as_deref().is_none_or(|n| names.into_iter().any(|s| glob(n, &s)))
            && self.storage_class.as_deref().is_none_or(|c| store.storage_class.as_deref() == Some(c))
            && self.selector.as_ref().is_none_or(|s| s.matches(&labels))
    }
}

/// Every value at a dotted path (`spec.sources[].pvc.name`): strings, and the strings of lists.
pub fn values_at<'a>(node: &'a Node, path: &str) -> Vec<&'a Node> {
    let mut cur: Vec<&Node> = vec![node];
    for seg in path.split('.').filter(|s| !s.is_empty()) {
        let (key, each) = match seg.strip_suffix("[]") {
            Some(k) => (k, true),
            None => (seg, false),
        };
        cur = cur
            .into_iter()
            .filter_map(|n| if key.is_empty() { Some(n) } else { n.get(key) })
            .flat_map(|n| if each { n.items().collect::<Vec<_>>() } else { vec![n] })
            .collect();
    }
    cur
}

const KEYS: &[&str] = &["providers", "none"];
const PROVIDER_KEYS: &[&str] = &["apiVersion", "kind", "pvc-name", "pvc-selector", "schedule", "off-site"];
const NONE_KEYS: &[&str] = &["namespace", "name", "storage-class", "selector", "reason"];

fn unknown(key: &str, known: &[&str], what: &str) -> String {
    let close = known.iter().map(|k| (crate::util::edit_distance(key, k), *k)).min().filter(|(d, _)| *d <= 3).map(|(_, k)| format!(" (did you mean `{k}`?)")).unwrap_or_default();
    format!("unknown key `{key}` in {what}{close} (expected one of: {})", known.join(", "))
}

fn text(v: &Node, what: &str, err: &ErrFn) -> Result<String, ConfigError> {
    match v.as_text() {
        Some(s) if v.is_scalar() && !s.trim().is_empty() => Ok(s.trim().to_string()),
        _ => Err(err(v.span, format!("`{what}` must be a non-empty string"))),
    }
}

pub(super) fn parse_coverage(n: &Node, err: &ErrFn) -> Result<CoverageSettings, ConfigError> {
    let mut out = CoverageSettings::default();
    if n.is_null() {
        return Ok(out);
    }
    if !n.is_map() {
        return Err(err(n.span, "`coverage` must be a mapping with `providers` and/or `none`".into()));
    }
    for (key, knode, value) in n.entries() {
        let list = |what: &str| -> Result<Vec<&Node>, ConfigError> {
            if value.is_null() {
                return Ok(Vec::new());
            }
            if !value.is_seq() {
                return Err(err(value.span, format!("`coverage.{what}` must be a list")));
            }
            value.items().map(|i| if i.is_map() { Ok(i) } else { Err(err(i.span, format!("an entry of `coverage.{what}` must be a mapping"))) }).collect()
        };
        match key {
            "providers" => {
                for item in list("providers")? {
                    let mut p = DeclaredProvider::default();
                    for (k, kn, v) in item.entries() {
                        match k {
                            "apiVersion" => p.api_version = text(v, "apiVersion", err)?,
                            "kind" => p.kind = text(v, "kind", err)?,
                            "pvc-name" => p.pvc_name = Some(text(v, "pvc-name", err)?),
                            "pvc-selector" => p.pvc_selector = Some(text(v, "pvc-selector", err)?),
                            "schedule" => p.schedule = Some(text(v, "schedule", err)?),
                            "off-site" => p.offsite = Some(v.as_bool().ok_or_else(|| err(v.span, "`off-site` must be true or false".into()))?),
                            _ => return Err(err(kn.span, unknown(k, PROVIDER_KEYS, "a `coverage.providers` entry"))),
                        }
                    }
                    if p.api_version.is_empty() || p.kind.is_empty() {
                        return Err(err(item.span, "a `coverage.providers` entry needs `apiVersion` and `kind`".into()));
                    }
                    if p.pvc_name.is_none() && p.pvc_selector.is_none() {
                        return Err(err(item.span, "a `coverage.providers` entry needs `pvc-name` or `pvc-selector` (the path to what it backs up)".into()));
                    }
                    out.providers.push(p);
                }
            }
            "none" => {
                for item in list("none")? {
                    let mut r = NoneRule::default();
                    for (k, kn, v) in item.entries() {
                        match k {
                            "namespace" => r.namespace = Some(text(v, "namespace", err)?),
                            "name" => r.name = Some(text(v, "name", err)?),
                            "storage-class" => r.storage_class = Some(text(v, "storage-class", err)?),
                            "selector" => {
                                for (sk, skn, _) in v.entries() {
                                    if !matches!(sk, "matchLabels" | "matchExpressions") {
                                        return Err(err(skn.span, unknown(sk, &["matchLabels", "matchExpressions"], "a label selector")));
                                    }
                                }
                                r.selector = Some(Selector::from_node(v).ok_or_else(|| err(v.span, "`selector` must be a label selector {matchLabels, matchExpressions}".into()))?)
                            }
                            "reason" => r.reason = text(v, "reason", err)?,
                            _ => return Err(err(kn.span, unknown(k, NONE_KEYS, "a `coverage.none` entry"))),
                        }
                    }
                    if r.reason.is_empty() {
                        return Err(err(item.span, "a `coverage.none` entry needs a `reason` (why this data needs no backup)".into()));
                    }
                    if r.namespace.is_none() && r.name.is_none() && r.storage_class.is_none() && r.selector.is_none() {
                        return Err(err(item.span, "a `coverage.none` entry needs at least one of namespace, name, storage-class, selector".into()));
                    }
                    out.none.push(r);
                }
            }
            _ => return Err(err(knode.span, unknown(key, KEYS, "`coverage`"))),
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use crate::settings::Settings;
    use std::path::Path;

    fn parse(t: &str) -> Result<Settings, crate::settings::ConfigError> {
        Settings::parse(t, Path::new(".drlint.yaml"))
    }

    #[test]
    fn coverage_section() {
        let s = parse("coverage:\n  providers:\n    - {apiVersion: b.example.org/v1, kind: VolumeBackup, pvc-name: spec.claim, schedule: spec.cron, off-site: true}\n  none:\n    - {selector: {matchLabels: {example.org/no-backup: \"true\"}}, reason: caches}\n").unwrap();
        assert_eq!(s.coverage.providers[0].group(), "b.example.org");
        assert_eq!(s.coverage.none[0].reason, "caches");
        let e = parse("coverage:\n  none:\n    - {namespace: media}\n").unwrap_err();
        assert!(e.message.contains("needs a `reason`"), "{}", e.message);
        let e = parse("coverage:\n  none:\n    - namespace: media\n      reasn: x\n").unwrap_err();
        assert_eq!(e.line, 4);
        assert!(e.message.contains("did you mean `reason`"), "{}", e.message);
        let e = parse("coverage:\n  provider: []\n").unwrap_err();
        assert!(e.message.contains("did you mean `providers`"), "{}", e.message);
    }

    #[test]
    fn paths() {
        let doc = crate::source::yaml::parse(crate::source::FileId(0), "spec:\n  sources:\n    - pvc: {name: a}\n    - pvc: {name: b}\n");
        let root = doc.documents[0].root.clone().unwrap();
        let names: Vec<&str> = super::values_at(&root, "spec.sources[].pvc.name").into_iter().filter_map(|n| n.as_text()).collect();
        assert_eq!(names, vec!["a", "b"]);
    }
}
