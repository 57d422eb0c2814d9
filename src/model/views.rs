//! Typed views of the index that several rules read (data stores, their coverage, the schema set
//! with the repository's CRDs converted): built once
//! per run, on first use, and shared by every rule, including rules running on other threads.
//! Building them per rule, or worse per object, is what made a run quadratic.

use super::coverage::{self, Coverage, Store};
use super::velero::{is_pattern, Scope};
use super::Index;
use crate::schema::SchemaSet;
use crate::settings::Settings;
use std::collections::HashMap;
use std::sync::OnceLock;

pub struct Views<'a> {
    pub index: &'a Index,
    settings: &'a Settings,
    stores: OnceLock<Stores<'a>>,
    coverage: OnceLock<Vec<Coverage<'a>>>,
    schemas: OnceLock<SchemaSet>,
    secret_providers: OnceLock<super::secrets::Providers>,
}

/// Every data store, with a lookup by cluster and namespace.
pub struct Stores<'a> {
    pub all: Vec<Store<'a>>,
    by_place: HashMap<(Option<String>, String), Vec<usize>>,
}

impl<'a> Stores<'a> {
    pub fn new(all: Vec<Store<'a>>) -> Stores<'a> {
        let mut by_place: HashMap<(Option<String>, String), Vec<usize>> = HashMap::new();
        for (i, s) in all.iter().enumerate() {
            by_place.entry((s.owner.cluster.clone(), s.namespace.clone())).or_default().push(i);
        }
        Stores { all, by_place }
    }

    /// The stores of one cluster that a Velero scope may include, in index order: those of the
    /// namespaces it names when it names them all plainly, else every store of the cluster.
    pub fn in_scope(&self, cluster: &Option<String>, scope: &Scope) -> Vec<&Store<'a>> {
        let names = &scope.included_namespaces;
        if names.is_empty() || names.iter().any(|n| n == "*" || is_pattern(n)) {
            return self.all.iter().filter(|s| &s.owner.cluster == cluster).collect();
        }
        let mut at: Vec<usize> = Vec::new();
        for ns in names {
            at.extend(self.by_place.get(&(cluster.clone(), ns.clone())).into_iter().flatten());
        }
        at.sort_unstable();
        at.dedup();
        at.into_iter().map(|i| &self.all[i]).collect()
    }
}

impl<'a> Views<'a> {
    pub fn new(index: &'a Index, settings: &'a Settings) -> Views<'a> {
        Views { index, settings, stores: OnceLock::new(), coverage: OnceLock::new(), schemas: OnceLock::new(), secret_providers: OnceLock::new() }
    }

    pub fn stores(&self) -> &Stores<'a> {
        self.stores.get_or_init(|| crate::timings::timed("view stores", || Stores::new(coverage::stores(self.index))))
    }

    /// Coverage of every store, as `coverage::coverage` computes it.
    pub fn coverage(&self) -> &[Coverage<'a>] {
        self.coverage.get_or_init(|| {
            let stores = self.stores().all.clone();
            crate::timings::timed("view coverage", || coverage::coverage_of(self.index, &self.settings.coverage, stores))
        })
    }

    /// Every provider of a Secret (manifests, generators, operators, `provided-secrets`), by name.
    pub fn secret_providers(&self) -> &super::secrets::Providers {
        self.secret_providers.get_or_init(|| super::secrets::Providers::new(self.index, &self.settings.provided_secrets))
    }

    /// The bundled schemas plus the repository's CRDs and `schema.crd-dirs`, for every schema rule.
    pub fn schemas(&self) -> &SchemaSet {
        self.schemas.get_or_init(|| crate::timings::timed("view schemas", || SchemaSet::for_index(self.index, Some(&self.settings.schema))))
    }
}
