//! Build the schema files drlint bundles (`schemas/kubernetes/`, `schemas/crds.json`) from their
//! upstream sources: the strict Kubernetes JSON Schemas of `kubernetes-validate` and the operators'
//! CRD manifests. `tests/schema_bundle.rs` runs this against `../shared` and fails when the
//! committed files are stale (`DRLINT_REGENERATE=1` rewrites them).

use super::convert;
use serde_json::{Map, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The Kubernetes bundle: `{"kinds": {"apps/v1/Deployment": "io.k8s.api.apps.v1.Deployment", ...},
/// "$defs": {...}}` from a `kubernetes-validate` schema folder's `_definitions.json`.
pub fn kubernetes(dir: &Path) -> Result<String, String> {
    let path = dir.join("_definitions.json");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let doc: Value = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    let defs = doc.get("$defs").and_then(Value::as_object).ok_or("no $defs")?;
    let mut kinds = BTreeMap::new();
    let mut stripped = BTreeMap::new();
    for (name, def) in defs {
        for gvk in def.get("x-kubernetes-group-version-kind").and_then(Value::as_array).into_iter().flatten() {
            let s = |k: &str| gvk.get(k).and_then(Value::as_str).unwrap_or("").to_string();
            let api = if s("group").is_empty() { s("version") } else { format!("{}/{}", s("group"), s("version")) };
            // Kinds the API server serves as objects, not the meta types (WatchEvent, DeleteOptions)
            // every group lists: those are never manifests.
            if def.pointer("/properties/metadata").is_some() {
                kinds.insert(format!("{api}/{}", s("kind")), Value::from(name.clone()));
            }
        }
        stripped.insert(name.clone(), convert::strip_k8s(def));
    }
    let mut out = Map::new();
    out.insert("kinds".into(), Value::Object(kinds.into_iter().collect()));
    out.insert("$defs".into(), Value::Object(stripped.into_iter().collect()));
    Ok(to_text(&Value::Object(out)))
}

/// The CRD bundle: `{"kinds": {"postgresql.cnpg.io/v1/Cluster": {schema}, ...}}` from every CRD
/// manifest under `dir` (files read in sorted order; a later definition of a kind wins).
pub fn crds(dir: &Path) -> Result<String, String> {
    let mut files: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .map(|e| e.into_path())
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml")))
        .collect();
    files.sort();
    let mut kinds = BTreeMap::new();
    for path in files {
        let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        // Read by drlint's own loader, as the manifests are (go-yaml's reading).
        for doc in crate::source::yaml::parse(crate::source::FileId(0), &text).documents {
            let Some(value) = doc.root.map(|r| r.to_json()) else { continue };
            for (key, schema) in convert::crd_versions(&value) {
                kinds.insert(key, schema);
            }
        }
    }
    let mut out = Map::new();
    out.insert("kinds".into(), Value::Object(kinds.into_iter().collect()));
    Ok(to_text(&Value::Object(out)))
}

/// One definition per line: compact enough to bundle, diffable when upstream changes.
fn to_text(doc: &Value) -> String {
    let mut s = String::from("{\n");
    let top = doc.as_object().expect("bundle is an object");
    for (i, (section, entries)) in top.iter().enumerate() {
        s.push_str(&format!("{}:{{\n", Value::from(section.clone())));
        let entries = entries.as_object().expect("bundle sections are objects");
        for (j, (k, v)) in entries.iter().enumerate() {
            let comma = if j + 1 < entries.len() { "," } else { "" };
            s.push_str(&format!("{}:{}{comma}\n", Value::from(k.clone()), v));
        }
        s.push_str(if i + 1 < top.len() { "},\n" } else { "}\n" });
    }
    s.push_str("}\n");
    s
}
