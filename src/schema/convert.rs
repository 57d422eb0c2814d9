//! Turn the schemas the API server validates with into JSON Schemas the `jsonschema` crate runs:
//! the Kubernetes OpenAPI definitions (stripped of documentation), and CRDs' `openAPIV3Schema`
//! (structural schemas with Kubernetes extensions) for every served version.

use serde_json::{Map, Value};

/// Where the Kubernetes definitions live in the validators' registry. A made-up URI: nothing is
/// ever fetched (the registry holds the document, and the crate is built without network).
pub const K8S_URI: &str = "https://schemas.drlint.invalid/kubernetes.json";
const OBJECT_META: &str = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta";

/// Keywords that constrain values. Everything else (descriptions, examples, list and map types,
/// formats) is dropped, but for CEL rules and defaults (below): it validates nothing or is not
/// checked.
const KEPT: &[&str] = &[
    "type", "enum", "pattern", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength",
    "minItems", "maxItems", "minProperties", "maxProperties", "multipleOf", "required",
];

/// A Kubernetes OpenAPI definition with its documentation and non-validating extensions
/// removed (`$ref`s stay as they are: they point into the same document).
pub fn strip_k8s(schema: &Value) -> Value {
    match schema {
        Value::Object(m) => {
            let mut out = Map::new();
            for (k, v) in m {
                match k.as_str() {
                    "description" | "format" | "readOnly" => {}
                    k if k.starts_with("x-kubernetes-") => {}
                    // Property names are data, not keywords: keep them all, strip their schemas.
                    "properties" | "$defs" | "patternProperties" => {
                        let props = v.as_object().map(|p| p.iter().map(|(n, s)| (n.clone(), strip_k8s(s))).collect());
                        out.insert(k.clone(), Value::Object(props.unwrap_or_default()));
                    }
                    _ => {
                        out.insert(k.clone(), strip_k8s(v));
                    }
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(strip_k8s).collect()),
        other => other.clone(),
    }
}

/// The served versions of a `apiextensions.k8s.io/v1` CustomResourceDefinition, as
/// (`group/version/Kind`, JSON Schema). Empty for anything else or a CRD without schemas.
pub fn crd_versions(crd: &Value) -> Vec<(String, Value)> {
    let api = crd.get("apiVersion").and_then(Value::as_str).unwrap_or("");
    if api != "apiextensions.k8s.io/v1" || crd.get("kind").and_then(Value::as_str) != Some("CustomResourceDefinition") {
        return Vec::new();
    }
    let Some(spec) = crd.get("spec") else { return Vec::new() };
    let group = spec.get("group").and_then(Value::as_str).unwrap_or("");
    let kind = spec.pointer("/names/kind").and_then(Value::as_str).unwrap_or("");
    if group.is_empty() || kind.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for v in spec.get("versions").and_then(Value::as_array).into_iter().flatten() {
        let (Some(name), Some(schema)) = (v.get("name").and_then(Value::as_str), v.pointer("/schema/openAPIV3Schema")) else {
            continue;
        };
        if v.get("served").and_then(Value::as_bool) == Some(false) || !schema.is_object() {
            continue;
        }
        out.push((format!("{group}/{name}/{kind}"), crd_root(schema)));
    }
    out
}

/// A CRD version's root schema: `metadata` is validated as ObjectMeta (the API server does), and
/// `apiVersion`/`kind` are always allowed.
fn crd_root(schema: &Value) -> Value {
    let mut root = crd_schema(schema, true);
    if let Some(m) = root.as_object_mut() {
        let props = m.entry("properties").or_insert_with(|| Value::Object(Map::new()));
        if let Some(p) = props.as_object_mut() {
            p.insert("metadata".into(), serde_json::json!({ "$ref": format!("{K8S_URI}#/$defs/{OBJECT_META}") }));
            p.insert("apiVersion".into(), serde_json::json!({ "type": "string" }));
            p.insert("kind".into(), serde_json::json!({ "type": "string" }));
        }
    }
    root
}

/// One node of a structural schema. `structural`: the node is where the API server prunes unknown
/// fields (not inside `allOf`/`anyOf`/`oneOf`/`not`, which only add value checks).
fn crd_schema(schema: &Value, structural: bool) -> Value {
    let Some(m) = schema.as_object() else { return Value::Object(Map::new()) };
    let flag = |k: &str| m.get(k).and_then(Value::as_bool) == Some(true);
    let nullable = flag("nullable");
    let mut out = Map::new();
    for &k in KEPT {
        if let Some(v) = m.get(k) {
            out.insert(k.to_string(), v.clone());
        }
    }
    // OpenAPI v3.0 writes an exclusive bound as a boolean next to the bound; JSON Schema 2020-12
    // takes the bound itself.
    for (excl, bound) in [("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")] {
        match out.get(excl) {
            Some(Value::Bool(true)) => {
                let b = out.remove(bound).unwrap_or(Value::Null);
                out.insert(excl.to_string(), b);
            }
            Some(Value::Bool(false)) => {
                out.remove(excl);
            }
            _ => {}
        }
        if out.get(excl).is_some_and(Value::is_null) {
            out.remove(excl);
        }
    }
    // Kept for the CEL rules (`validations`): the rules themselves, and the defaults the API
    // server fills in before it evaluates them. The validator ignores both keywords.
    for k in ["x-kubernetes-validations", "default"] {
        if let Some(v) = m.get(k) {
            out.insert(k.to_string(), v.clone());
        }
    }
    if flag("x-kubernetes-int-or-string") {
        out.remove("type");
        let mut types = vec![Value::from("integer"), Value::from("string")];
        if nullable {
            types.push(Value::from("null"));
        }
        out.insert("type".into(), Value::Array(types));
    } else if nullable {
        if let Some(Value::String(t)) = out.get("type").cloned() {
            out.insert("type".into(), serde_json::json!([t, "null"]));
        }
        if let Some(Value::Array(options)) = out.get_mut("enum") {
            options.push(Value::Null);
        }
    }
    // The API server applies a CRD's defaults before it validates: a required field with a
    // default is never missing.
    if let (Some(Value::Array(required)), Some(Value::Object(props))) = (out.get_mut("required"), m.get("properties")) {
        required.retain(|r| r.as_str().and_then(|n| props.get(n)).is_none_or(|p| p.get("default").is_none()));
    }
    if let Some(Value::Object(props)) = m.get("properties") {
        let converted: Map<String, Value> = props.iter().map(|(n, s)| (n.clone(), crd_schema(s, structural))).collect();
        out.insert("properties".into(), Value::Object(converted));
    }
    match m.get("additionalProperties") {
        Some(Value::Object(s)) => {
            out.insert("additionalProperties".into(), crd_schema(&Value::Object(s.clone()), structural));
        }
        Some(Value::Bool(b)) => {
            out.insert("additionalProperties".into(), Value::Bool(*b));
        }
        _ => {}
    }
    if let Some(items) = m.get("items") {
        if items.is_object() {
            out.insert("items".into(), crd_schema(items, structural));
        }
    }
    for k in ["allOf", "anyOf", "oneOf"] {
        if let Some(Value::Array(list)) = m.get(k) {
            out.insert(k.into(), Value::Array(list.iter().map(|s| crd_schema(s, false)).collect()));
        }
    }
    if let Some(not) = m.get("not") {
        out.insert("not".into(), crd_schema(not, false));
    }
    // Unknown fields: the API server prunes (and strict field validation rejects) a field the
    // schema does not name, unless the node preserves unknown fields. An object that names no
    // properties at all is left open: drlint reports a field only when the schema says which
    // fields exist.
    let has_props = m.get("properties").and_then(Value::as_object).is_some_and(|p| !p.is_empty());
    if structural && has_props && !flag("x-kubernetes-preserve-unknown-fields") && !m.contains_key("additionalProperties") {
        if flag("x-kubernetes-embedded-resource") {
            if let Some(Value::Object(props)) = out.get_mut("properties") {
                for k in ["apiVersion", "kind", "metadata"] {
                    props.entry(k).or_insert_with(|| Value::Object(Map::new()));
                }
            }
        }
        out.insert("additionalProperties".into(), Value::Bool(false));
    }
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn structural_objects_are_closed_unless_they_preserve_unknown_fields() {
        let s = json!({"type": "object", "properties": {
            "a": {"type": "object", "properties": {"b": {"type": "string"}}},
            "open": {"type": "object", "x-kubernetes-preserve-unknown-fields": true, "properties": {"c": {"type": "string"}}},
            "bare": {"type": "object"},
            "n": {"type": "string", "nullable": true, "enum": ["x"]},
            "ios": {"x-kubernetes-int-or-string": true, "anyOf": [{"type": "integer"}, {"type": "string"}]},
            "lim": {"type": "integer", "minimum": 0, "exclusiveMinimum": true}
        }});
        let c = crd_schema(&s, true);
        assert_eq!(c["additionalProperties"], json!(false));
        assert_eq!(c["properties"]["a"]["additionalProperties"], json!(false));
        assert!(c["properties"]["open"].get("additionalProperties").is_none());
        assert!(c["properties"]["bare"].get("additionalProperties").is_none());
        assert_eq!(c["properties"]["n"]["type"], json!(["string", "null"]));
        assert_eq!(c["properties"]["n"]["enum"], json!(["x", null]));
        assert_eq!(c["properties"]["ios"]["type"], json!(["integer", "string"]));
        assert_eq!(c["properties"]["lim"]["exclusiveMinimum"], json!(0));
        assert!(c["properties"]["lim"].get("minimum").is_none());
    }
}
