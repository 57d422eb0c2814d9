//! The schema files drlint bundles (`schemas/kubernetes/v1.37.0.json`, `schemas/crds.json`) are
//! what `drlint::schema::import` makes of `../shared` (the `kubernetes-validate` strict schemas and
//! the operators' CRDs). Run with DRLINT_REGENERATE=1 to rewrite them after an upstream update.

mod common;

use common::*;

#[test]
fn bundled_schemas_are_fresh() {
    let Some(shared) = shared() else {
        println!("skipped: ../shared is absent");
        return;
    };
    let files = [
        ("schemas/kubernetes/v1.37.0.json", drlint::schema::import::kubernetes(&shared.join("k8s-schemas/v1.37.0-strict"))),
        ("schemas/crds.json", drlint::schema::import::crds(&shared.join("crds"))),
    ];
    for (path, made) in files {
        let made = made.unwrap();
        let path = crate_root().join(path);
        if std::env::var_os("DRLINT_REGENERATE").is_some() {
            std::fs::write(&path, &made).unwrap();
            continue;
        }
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert!(committed == made, "{} is stale: run DRLINT_REGENERATE=1 cargo test --test schema_bundle", path.display());
    }
}
