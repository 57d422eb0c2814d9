//! All objects of one lint run, built once, with lookups by identity and kind.

use super::Resource;
use std::collections::BTreeMap;

/// (cluster, namespace, kind, name) — the identity of an object in a lint run.
pub type Key = (Option<String>, Option<String>, String, String);

pub struct Index {
    pub resources: Vec<Resource>,
    by_key: BTreeMap<Key, Vec<usize>>,
    by_kind: BTreeMap<String, Vec<usize>>,
    /// Charts a bootstrap helmfile installs before GitOps runs (`model::bootstrap`).
    pub bootstrap_charts: std::collections::BTreeSet<String>,
}

impl Index {
    pub fn new(resources: Vec<Resource>) -> Index {
        let mut by_key: BTreeMap<Key, Vec<usize>> = BTreeMap::new();
        let mut by_kind: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        for (i, r) in resources.iter().enumerate() {
            by_key.entry(key_of(r)).or_default().push(i);
            by_kind.entry(r.kind().to_string()).or_default().push(i);
        }
        Index { resources, by_key, by_kind, bootstrap_charts: Default::default() }
    }

    /// Objects of a kind in an API group.
    pub fn of_kind<'a>(&'a self, group: &'a str, kind: &str) -> impl Iterator<Item = &'a Resource> + 'a {
        self.by_kind.get(kind).into_iter().flatten().map(|&i| &self.resources[i]).filter(move |r| r.group() == group)
    }

    /// Objects with this identity (several when the same object is declared twice).
    pub fn get(&self, cluster: Option<&str>, namespace: Option<&str>, group: &str, kind: &str, name: &str) -> Vec<&Resource> {
        let key = (cluster.map(str::to_string), namespace.map(str::to_string), kind.to_string(), name.to_string());
        self.by_key.get(&key).into_iter().flatten().map(|&i| &self.resources[i]).filter(|r| r.group() == group).collect()
    }

    /// Whether an object of this kind and name exists in the same cluster and namespace as `near`.
    pub fn exists_near(&self, near: &Resource, group: &str, kind: &str, name: &str) -> bool {
        !self.get(near.cluster.as_deref(), near.namespace(), group, kind, name).is_empty()
    }
}

fn key_of(r: &Resource) -> Key {
    (r.cluster.clone(), r.namespace().map(str::to_string), r.kind().to_string(), r.name().to_string())
}
