//! Say once per kind that drlint validates nothing of it: no bundled schema and no CRD in the
//! repository. A note, so that a user knows which objects `schema-violation` did not look at.

use crate::model::{Index, Resource};
use crate::rules::{Context, Rule};
use crate::schema::{self, Lookup, SchemaSet};
use std::collections::BTreeMap;

crate::declare_rule!(
    SchemaUnknownKind,
    "schema-unknown-kind",
    Note,
    "a kind or API version drlint has no schema for, so its objects are not validated"
);

impl Rule for SchemaUnknownKind {
    fn meta(&self) -> &'static crate::rules::RuleMeta {
        &META
    }

    fn check_index(&self, index: &Index, cx: &mut Context) {
        let schemas = SchemaSet::for_index(index, cx.settings.map(|s| &s.schema));
        // The first object of each (apiVersion, kind), in index order (deterministic).
        let mut first: BTreeMap<(String, String), &Resource> = BTreeMap::new();
        for object in index.resources.iter().filter(|o| schema::validated(o)) {
            first.entry((object.api_version().to_string(), object.kind().to_string())).or_insert(object);
        }
        for ((api, kind), object) in first {
            let span = object.node.get("kind").map(|n| n.span).unwrap_or(object.span());
            match schemas.lookup(&api, &kind) {
                Lookup::Found => {}
                Lookup::OtherVersions(known) => {
                    cx.report_on(object, span, format!("no schema for {kind} in `{api}` (drlint knows {}): objects of this kind are not validated", known.join(", ")))
                        .help("move to a served API version, or add the CRD of this version to the repository or to `schema.crd-dirs`");
                }
                Lookup::Unknown => {
                    cx.report_on(object, span, format!("no schema for {kind} (`{api}`): objects of this kind are not validated"))
                        .help("add its CustomResourceDefinition to the repository or list a folder holding it in `schema.crd-dirs`");
                }
            }
        }
    }
}
