//! Say which objects drlint validates nothing of: kinds with no bundled schema and no CRD in the
//! repository. A note, so that a user knows what `schema-violation` did not look at. Kinds with no
//! schema at all make one note per repository, grouped by API group (a typical GitOps repository
//! has two dozen such kinds from a handful of operators: one note per kind would bury the
//! findings, and the fix, adding an operator's CRDs, is per group anyway). A known kind in an API
//! version drlint does not know is one note per kind and version: that is often an API version the
//! cluster no longer serves, and its fix is specific.

use crate::model::{Index, Resource};
use crate::rules::{Context, Rule};
use crate::schema::{self, Lookup};
use std::collections::BTreeMap;

crate::declare_rule!(
    SchemaUnknownKind,
    "schema-unknown-kind",
    Note,
    "a kind or API version drlint has no schema for, so its objects are not validated"
);

/// How many API groups a note labels at their first object.
const MAX_LABELS: usize = 10;

/// `example.com` for `example.com/v1`; `core` for `v1`.
fn group_of(api: &str) -> &str {
    api.rsplit_once('/').map(|(g, _)| g).unwrap_or("core")
}

impl Rule for SchemaUnknownKind {
    fn meta(&self) -> &'static crate::rules::RuleMeta {
        &META
    }

    fn check_index(&self, index: &Index, cx: &mut Context) {
        // The engine always provides the run's shared views.
        let Some(views) = cx.views else { return };
        let schemas = views.schemas();
        // The first object of each (repository, apiVersion, kind), with its place in index order:
        // each repository of a run has its own CRDs.
        let mut first: BTreeMap<(Option<String>, String, String), (usize, &Resource)> = BTreeMap::new();
        for (i, object) in index.resources.iter().enumerate().filter(|(_, o)| schema::validated(o)) {
            first.entry((object.repo.clone(), object.api_version().to_string(), object.kind().to_string())).or_insert((i, object));
        }
        // Kinds without any schema: repository -> API group -> (first place, apiVersion, kind, object).
        type Kinds<'a> = Vec<(usize, String, String, &'a Resource)>;
        let mut unknown: BTreeMap<Option<String>, BTreeMap<String, Kinds>> = BTreeMap::new();
        for ((repo, api, kind), (i, object)) in first {
            let span = object.node.get("kind").map(|n| n.span).unwrap_or(object.span());
            match schemas.lookup(&repo, &api, &kind) {
                Lookup::Found => {}
                Lookup::OtherVersions(known) => {
                    cx.report_on(object, span, format!("no schema for {kind} in `{api}` (drlint knows {}): objects of this kind are not validated", known.join(", ")))
                        .help("move to a served API version, or add the CRD of this version to the repository or to `schema.crd-dirs`");
                }
                Lookup::Unknown => unknown.entry(object.repo.clone()).or_default().entry(group_of(&api).to_string()).or_default().push((i, api, kind, object)),
            }
        }
        for groups in unknown.into_values() {
            report_repository(&groups, cx);
        }
    }
}

/// One note for a repository's kinds without a schema, at the first such object.
fn report_repository(groups: &BTreeMap<String, Vec<(usize, String, String, &Resource)>>, cx: &mut Context) {
    let kind_span = |o: &Resource| o.node.get("kind").map(|n| n.span).unwrap_or(o.span());
    let count: usize = groups.values().map(Vec::len).sum();
    let Some((_, api, kind, anchor)) = groups.values().flatten().min_by_key(|(i, ..)| *i) else { return };
    let add = "add the CustomResourceDefinitions to the repository, or name a folder holding them with `--crd` or `schema.crd-dirs`";
    if count == 1 {
        cx.report_on(anchor, kind_span(anchor), format!("no schema for {kind} (`{api}`): objects of this kind are not validated")).help(add);
        return;
    }
    let names: Vec<&str> = groups.keys().map(String::as_str).collect();
    let plural = |n: usize, w: &str| format!("{n} {w}{}", if n == 1 { "" } else { "s" });
    let message = format!(
        "no schema for {} of {} ({}): their objects are not validated",
        plural(count, "kind"),
        plural(groups.len(), "API group"),
        names.join(", ")
    );
    let listing: Vec<String> = groups
        .iter()
        .map(|(g, kinds)| format!("  {g}: {}", kinds.iter().map(|(_, api, k, _)| format!("{k} ({api})")).collect::<Vec<_>>().join(", ")))
        .collect();
    let help = format!("kinds without a schema, by API group:\n{}\n{add}", listing.join("\n"));
    let labels: Vec<(crate::source::Span, String)> = groups
        .iter()
        .filter_map(|(g, kinds)| kinds.iter().min_by_key(|(i, ..)| *i).map(|(_, _, _, o)| (kind_span(o), g)))
        .filter(|(span, _)| *span != kind_span(anchor))
        .take(MAX_LABELS)
        .map(|(span, g)| (span, format!("the first object of {g}")))
        .collect();
    let d = cx.report_on(anchor, kind_span(anchor), message);
    d.help(help);
    for (span, text) in labels {
        d.label(span, text);
    }
}
