//! All objects of one lint run, built once, with lookups by identity, kind, place, name, label
//! and reference. Rules and models look objects up here instead of scanning `resources`: a scan
//! per object makes a run quadratic in the size of the repository.

use super::{ObjectRef, Resource};
use std::collections::HashMap;

/// (cluster, namespace, kind, name) — the identity of an object in a lint run.
pub type Key = (Option<String>, Option<String>, String, String);

/// (cluster, namespace): where an object lands.
type Place = (Option<String>, Option<String>);

pub struct Index {
    /// The deployed objects: what the cluster runs, and all that rules about it see.
    pub resources: Vec<Resource>,
    /// Objects no entry point deploys (see `Resource::deployed`), for file-level rules only.
    pub undeployed: Vec<Resource>,
    by_key: HashMap<Key, Vec<usize>>,
    by_kind: HashMap<String, Vec<usize>>,
    /// Objects by (cluster, namespace, kind), namespace as `Resource::namespace` gives it.
    by_kind_place: HashMap<(Place, String), Vec<usize>>,
    /// Objects whose namespace is not known (a base linted as written), by (cluster, kind):
    /// `cnpg::same_place` matches them with any namespace.
    by_kind_unplaced: HashMap<(Option<String>, String), Vec<usize>>,
    by_place: HashMap<Place, Vec<usize>>,
    by_name: HashMap<String, Vec<usize>>,
    by_label: HashMap<(String, String), Vec<usize>>,
    /// Every object, deployed or not, by reference: positions in `all()`.
    by_ref: HashMap<ObjectRef, Vec<usize>>,
    /// Charts a bootstrap helmfile installs before GitOps runs, by repository (`model::bootstrap`).
    pub bootstrap_charts: super::bootstrap::PerRepo,
    /// API groups whose CRD files a bootstrap applies by URL, by repository (`model::bootstrap`).
    pub bootstrap_crd_groups: super::bootstrap::PerRepo,
}

fn push<K: std::hash::Hash + Eq>(map: &mut HashMap<K, Vec<usize>>, key: K, i: usize) {
    map.entry(key).or_default().push(i);
}

impl Index {
    pub fn new(all: Vec<Resource>) -> Index {
        use rayon::prelude::*;
        let (mut resources, mut undeployed): (Vec<Resource>, Vec<Resource>) = all.into_iter().partition(|r| r.deployed);
        resources.par_iter_mut().chain(undeployed.par_iter_mut()).for_each(Resource::freeze);
        // Each lookup is its own pass over the objects: built side by side on the cores.
        let by_identity = || {
            let (mut by_key, mut by_kind_place, mut by_kind_unplaced, mut by_place) = (HashMap::new(), HashMap::new(), HashMap::new(), HashMap::new());
            for (i, r) in resources.iter().enumerate() {
                let (cluster, ns, kind, name) = key_of(r);
                let place = (cluster.clone(), ns.clone());
                push(&mut by_kind_place, (place.clone(), kind.clone()), i);
                if !super::cnpg::namespace_known(r) {
                    push(&mut by_kind_unplaced, (cluster.clone(), kind.clone()), i);
                }
                push(&mut by_place, place, i);
                push(&mut by_key, (cluster, ns, kind, name), i);
            }
            (by_key, by_kind_place, by_kind_unplaced, by_place)
        };
        let by_attribute = || {
            let (mut by_kind, mut by_name, mut by_label) = (HashMap::new(), HashMap::new(), HashMap::new());
            for (i, r) in resources.iter().enumerate() {
                push(&mut by_kind, r.kind().to_string(), i);
                push(&mut by_name, r.name().to_string(), i);
                for (k, v) in r.labels() {
                    push(&mut by_label, (k.to_string(), v.to_string()), i);
                }
            }
            (by_kind, by_name, by_label)
        };
        let by_reference = || {
            let mut by_ref = HashMap::new();
            for (i, r) in resources.iter().chain(&undeployed).enumerate() {
                push(&mut by_ref, r.object_ref(), i);
            }
            by_ref
        };
        let ((identity, attribute), by_ref) = rayon::join(|| rayon::join(by_identity, by_attribute), by_reference);
        let (by_key, by_kind_place, by_kind_unplaced, by_place) = identity;
        let (by_kind, by_name, by_label) = attribute;
        Index {
            resources,
            undeployed,
            by_key,
            by_kind,
            by_kind_place,
            by_kind_unplaced,
            by_place,
            by_name,
            by_label,
            by_ref,
            bootstrap_charts: Default::default(),
            bootstrap_crd_groups: Default::default(),
        }
    }

    /// Every object, deployed ones first: position `i` is what `object(i)` returns.
    pub fn all(&self) -> impl Iterator<Item = &Resource> {
        self.resources.iter().chain(&self.undeployed)
    }

    /// The object at position `i` of `all()`.
    pub fn object(&self, i: usize) -> &Resource {
        match i.checked_sub(self.resources.len()) {
            Some(j) => &self.undeployed[j],
            None => &self.resources[i],
        }
    }

    fn at<'a>(&'a self, list: Option<&'a Vec<usize>>) -> impl Iterator<Item = &'a Resource> + 'a {
        list.into_iter().flatten().map(|&i| &self.resources[i])
    }

    /// Deployed objects of a kind in an API group.
    pub fn of_kind<'a>(&'a self, group: &'a str, kind: &str) -> impl Iterator<Item = &'a Resource> + 'a {
        self.at(self.by_kind.get(kind)).filter(move |r| r.group() == group)
    }

    /// Objects with this identity (several when the same object is declared twice).
    pub fn get(&self, cluster: Option<&str>, namespace: Option<&str>, group: &str, kind: &str, name: &str) -> Vec<&Resource> {
        let key = (cluster.map(str::to_string), namespace.map(str::to_string), kind.to_string(), name.to_string());
        self.at(self.by_key.get(&key)).filter(|r| r.group() == group).collect()
    }

    /// Whether an object of this kind and name exists in the same cluster and namespace as `near`.
    pub fn exists_near(&self, near: &Resource, group: &str, kind: &str, name: &str) -> bool {
        !self.get(near.cluster.as_deref(), near.namespace(), group, kind, name).is_empty()
    }

    /// Objects of a kind that land in `near`'s cluster and namespace, in index order, by the rule of
    /// `cnpg::same_place`: an object whose namespace is not known matches any namespace (so when
    /// `near`'s is not known, every object of the kind in its cluster matches).
    pub fn of_kind_near<'a>(&'a self, group: &'a str, kind: &str, near: &Resource) -> Vec<&'a Resource> {
        let cluster = near.cluster.clone();
        let mut at: Vec<usize> = if near.namespace().is_some() && super::cnpg::namespace_known(near) {
            let place = (cluster.clone(), near.namespace().map(str::to_string));
            let placed = self.by_kind_place.get(&(place, kind.to_string())).into_iter().flatten();
            let unplaced = self.by_kind_unplaced.get(&(cluster, kind.to_string())).into_iter().flatten();
            placed.chain(unplaced).copied().collect()
        } else {
            self.by_kind.get(kind).into_iter().flatten().copied().filter(|&i| self.resources[i].cluster == near.cluster).collect()
        };
        at.sort_unstable();
        at.dedup();
        at.into_iter().map(|i| &self.resources[i]).filter(|r| r.group() == group && super::cnpg::same_place(r, near)).collect()
    }

    /// Objects of a kind in an API group that land in this cluster and namespace (`None`:
    /// cluster-scoped), in index order.
    pub fn of_kind_in<'a>(&'a self, cluster: &Option<String>, namespace: Option<&str>, group: &'a str, kind: &str) -> impl Iterator<Item = &'a Resource> + 'a {
        let key = ((cluster.clone(), namespace.map(str::to_string)), kind.to_string());
        self.at(self.by_kind_place.get(&key)).filter(move |r| r.group() == group)
    }

    /// Objects that land in this cluster and namespace (`None`: cluster-scoped objects).
    pub fn in_namespace<'a>(&'a self, cluster: Option<&str>, namespace: Option<&str>) -> impl Iterator<Item = &'a Resource> + 'a {
        self.at(self.by_place.get(&(cluster.map(str::to_string), namespace.map(str::to_string))))
    }

    /// Objects with this `metadata.name`, of any kind and place.
    pub fn named<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a Resource> + 'a {
        self.at(self.by_name.get(name))
    }

    /// Objects whose `metadata.labels` hold `key: value`.
    pub fn labelled<'a>(&'a self, key: &str, value: &str) -> impl Iterator<Item = &'a Resource> + 'a {
        self.at(self.by_label.get(&(key.to_string(), value.to_string())))
    }

    /// The object a finding names, preferring one read from `file` (a finding's owner, for the
    /// `drlint.io/ignore` annotation): its position in `all()`.
    pub fn owner(&self, object: &ObjectRef, file: crate::source::FileId) -> Option<usize> {
        let all = self.by_ref.get(object)?;
        all.iter().copied().find(|&i| self.object(i).file == file).or_else(|| all.first().copied())
    }
}

fn key_of(r: &Resource) -> Key {
    (r.cluster.clone(), r.namespace().map(str::to_string), r.kind().to_string(), r.name().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::{yaml, FileId};

    fn res(text: &str, file: u32) -> Resource {
        let parsed = yaml::parse(FileId(file), text);
        let mut r = Resource::new(parsed.documents[0].root.clone().unwrap(), FileId(file), 0);
        if r.node.str_at(&["metadata", "namespace"]).is_none() && text.contains("default-ns") {
            r.default_namespace = Some("default-ns".into());
        }
        r
    }

    #[test]
    fn lookups_agree_with_scans() {
        let mut hidden = res("apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: a, namespace: x}\n", 5);
        hidden.deployed = false;
        let index = Index::new(vec![
            res("apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: a, namespace: x, labels: {app: a}}\n", 0),
            hidden,
            res("apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: b}\n", 1),
            res("apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: c, namespace: y}\n", 2),
            res("apiVersion: v1\nkind: Namespace\nmetadata: {name: x, labels: {app: a}}\n", 3),
            res("apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: a, namespace: x}\n", 4),
        ]);
        let near = |i: usize| index.of_kind_near("batch", "CronJob", &index.resources[i]).iter().map(|r| r.name()).collect::<Vec<_>>();
        // `b` has no known namespace: it matches every place, and from it every CronJob matches.
        assert_eq!(near(0), ["a", "b", "a"]);
        assert_eq!(near(1), ["a", "b", "c", "a"]);
        assert_eq!(near(2), ["b", "c"]);
        assert_eq!(index.in_namespace(None, Some("x")).count(), 2);
        assert_eq!(index.in_namespace(None, None).map(|r| r.kind()).collect::<Vec<_>>(), ["Namespace"]);
        assert_eq!(index.named("a").count(), 2);
        assert_eq!(index.labelled("app", "a").count(), 2);
        let dup = index.resources[0].object_ref();
        assert_eq!(index.owner(&dup, FileId(4)), Some(4));
        assert_eq!(index.owner(&dup, FileId(9)), Some(0));
        // Objects no entry point deploys are owners too, after the deployed ones.
        assert_eq!(index.owner(&dup, FileId(5)), Some(5));
        assert_eq!(index.object(5).file, FileId(5));
    }
}
