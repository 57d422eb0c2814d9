//! Run a compiled schema over one object and turn each error into a finding at the key or value
//! that caused it (the node spans lead through patches back to the line that wrote the value).

use crate::model::Resource;
use crate::source::yaml::{Node, Style, Value as YValue};
use crate::source::Span;
use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::paths::LocationSegment;
use jsonschema::Validator;
use serde_json::Value;
use std::collections::BTreeSet;

#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Violation {
    pub span: Span,
    pub message: String,
    pub help: Option<String>,
}

#[derive(Clone, Debug)]
pub(super) enum Seg {
    Key(String),
    Index(usize),
}

/// The object as the API server decodes it: a field set to `null` is dropped (a built-in type
/// decodes it to its zero value; a custom resource prunes it unless the schema is nullable).
fn instance(node: &Node) -> Value {
    match &node.value {
        YValue::Map(entries) => {
            let mut m = serde_json::Map::new();
            for (k, v) in entries {
                let key = k.as_str().unwrap_or_default().to_string();
                if v.is_null() {
                    m.remove(&key);
                } else {
                    m.insert(key, instance(v));
                }
            }
            Value::Object(m)
        }
        YValue::Seq(items) => Value::Array(items.iter().map(instance).collect()),
        YValue::Scalar(..) => node.to_json(),
    }
}

/// The key and value nodes at `path` (the last key on the way, for findings about a whole value),
/// and whether a value on the way is a placeholder.
pub(super) fn locate<'a>(root: &'a Node, path: &[Seg]) -> (Option<&'a Node>, Option<&'a Node>, bool) {
    let mut node = root;
    let mut key = None;
    let mut placeholder = false;
    for seg in path {
        let next = match seg {
            Seg::Key(k) => {
                key = node.key(k);
                node.get(k)
            }
            Seg::Index(i) => node.as_seq().and_then(|s| s.get(*i)),
        };
        match next {
            Some(n) => node = n,
            None => return (key, None, placeholder),
        }
        placeholder |= is_placeholder(node);
    }
    (key, Some(node), placeholder)
}

pub(super) fn display_path(path: &[Seg]) -> String {
    let mut s = String::new();
    for seg in path {
        match seg {
            Seg::Key(k) => {
                if !s.is_empty() {
                    s.push('.');
                }
                s.push_str(k);
            }
            Seg::Index(i) => s.push_str(&format!("[{i}]")),
        }
    }
    s
}

/// A value filled in later, whose type is not known yet: Flux substitution (`${VAR}`), a template
/// (`{{ .Values.x }}`, which YAML reads as a mapping with a mapping for key), a SOPS-encrypted
/// value (`ENC[...]`, decrypted by Flux before it applies the object).
fn is_placeholder(node: &Node) -> bool {
    match &node.value {
        YValue::Scalar(s, _) => super::is_placeholder(s),
        YValue::Map(entries) => entries.iter().any(|(k, _)| !k.is_scalar()),
        YValue::Seq(_) => false,
    }
}

/// A plain scalar YAML 1.1 reads as a boolean (`yes`, `on`, ...): kubectl (YAML 1.1) sends a
/// boolean, kustomize and Flux (YAML 1.2) a string. Which one the API server sees depends on the
/// tool, so neither reading is reported.
fn yaml11_bool(node: &Node) -> bool {
    node.style() == Some(Style::Plain)
        && node.tag.is_none()
        && matches!(node.as_str(), Some("y" | "Y" | "yes" | "Yes" | "YES" | "n" | "N" | "no" | "No" | "NO" | "on" | "On" | "ON" | "off" | "Off" | "OFF"))
}

fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "an integer",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

fn type_name(t: &str) -> &'static str {
    match t {
        "boolean" => "a boolean",
        "integer" => "an integer",
        "number" => "a number",
        "string" => "a string",
        "array" => "a list",
        "object" => "a mapping",
        _ => "null",
    }
}

fn expected_types(kind: &TypeKind) -> String {
    let names: Vec<&str> = match kind {
        TypeKind::Single(t) => vec![type_name(&t.to_string())],
        TypeKind::Multiple(set) => set.iter().map(|t| type_name(&t.to_string())).filter(|t| *t != "null").collect(),
    };
    names.join(" or ")
}

/// Short rendering of a value for a message; nothing for Secrets (their values are never printed).
fn shown(v: &Value, secret: bool) -> String {
    if secret {
        return String::new();
    }
    let s = match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if s.chars().count() > 60 || s.contains('\n') { String::new() } else { format!(" `{s}`") }
}

/// Every schema error in `object`, at its key or value. `root` is the kind's schema and `resolve`
/// looks up a `$ref` (for "did you mean").
pub fn check<'r>(
    validator: &Validator,
    root: &Value,
    resolve: &dyn Fn(&str) -> Option<&'r Value>,
    object: &Resource,
    cel: bool,
) -> Vec<Violation> {
    let secret = object.is("", "Secret");
    let mut inst = instance(&object.node);
    // A SOPS-encrypted manifest carries its metadata in a top-level `sops` field, which Flux
    // removes when it decrypts the object.
    if let Some(m) = inst.as_object_mut() {
        if m.get("sops").is_some_and(Value::is_object) {
            m.remove("sops");
        }
    }
    let mut out = BTreeSet::new();
    for e in validator.iter_errors(&inst) {
        let path: Vec<Seg> = e
            .instance_path()
            .iter()
            .map(|s| match s {
                LocationSegment::Property(p) => Seg::Key(p.to_string()),
                LocationSegment::Index(i) => Seg::Index(i),
            })
            .collect();
        let (key, value, placeholder) = locate(&object.node, &path);
        let at = display_path(&path);
        let whole = key.map(|k| k.span).unwrap_or_else(|| object.span());
        let value_span = value.map(|v| v.span).unwrap_or(whole);
        match e.kind() {
            ValidationErrorKind::AdditionalProperties { unexpected } => {
                let known = property_names(root, &path, resolve);
                for name in unexpected {
                    if placeholder || name.is_empty() || name.contains("${") || name.contains("{{") {
                        continue;
                    }
                    let span = value.and_then(|v| v.key(name)).map(|k| k.span).unwrap_or(whole);
                    let field = if at.is_empty() { name.clone() } else { format!("{at}.{name}") };
                    let suggestion = crate::util::closest(name, known.iter().map(String::as_str));
                    let message = match suggestion {
                        Some(s) => format!("unknown field `{field}` (did you mean `{s}`?)"),
                        None => format!("unknown field `{field}`"),
                    };
                    let help = match suggestion {
                        Some(s) => format!("rename it to `{s}`"),
                        None if known.is_empty() => "remove it".to_string(),
                        None => format!("remove it; the fields allowed here are: {}", known.iter().cloned().collect::<Vec<_>>().join(", ")),
                    };
                    out.insert(Violation { span, message, help: Some(help) });
                }
            }
            ValidationErrorKind::Required { property } => {
                if placeholder {
                    continue;
                }
                let name = property.as_str().unwrap_or_default();
                let message = if at.is_empty() {
                    format!("missing required field `{name}`")
                } else {
                    format!("missing required field `{at}.{name}`")
                };
                out.insert(Violation { span: whole, message, help: Some(format!("set `{name}`")) });
            }
            ValidationErrorKind::Type { kind } => {
                if placeholder || value.is_some_and(yaml11_bool) {
                    continue;
                }
                let found = json_type(e.instance());
                let expected = expected_types(kind);
                let mut help = format!("write {expected}");
                if expected == "a string" && e.instance().is_number() || e.instance().is_boolean() {
                    help.push_str("; quote the value to keep it a string");
                }
                out.insert(Violation { span: value_span, message: format!("`{at}` must be {expected}, not {found}"), help: Some(help) });
            }
            ValidationErrorKind::Enum { options } => {
                if placeholder {
                    continue;
                }
                let list: Vec<String> = options.as_array().into_iter().flatten().filter(|o| !o.is_null()).map(|o| match o {
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                }).collect();
                let suggestion = e.instance().as_str().and_then(|v| crate::util::closest(v, list.iter().map(String::as_str)));
                let mut message = format!("`{at}` is{}, not one of: {}", shown(e.instance(), secret), list.join(", "));
                if let Some(s) = suggestion {
                    message.push_str(&format!(" (did you mean `{s}`?)"));
                }
                out.insert(Violation { span: value_span, message, help: None });
            }
            ValidationErrorKind::AnyOf { .. } | ValidationErrorKind::OneOfNotValid { .. } | ValidationErrorKind::OneOfMultipleValid { .. } => {
                if placeholder {
                    continue;
                }
                out.insert(Violation {
                    span: value_span,
                    message: format!("`{at}`{} does not match the schema ({} alternatives)", shown(e.instance(), secret), e.kind().keyword()),
                    help: None,
                });
            }
            ValidationErrorKind::Not { schema } => {
                if placeholder {
                    continue;
                }
                out.insert(Violation { span: value_span, message: format!("`{at}`{} matches `{schema}`, which it must not", shown(e.instance(), secret)), help: None });
            }
            _ => {
                if placeholder {
                    continue;
                }
                let text = if secret { format!("fails `{}`", e.kind().keyword()) } else { e.to_string() };
                out.insert(Violation { span: value_span, message: format!("`{at}`: {text}"), help: None });
            }
        }
    }
    // CRD validation rules (CEL), on the object as validated above.
    if cel {
        super::validations::check(root, &inst, object, &mut out);
    }
    out.into_iter().collect()
}

/// The property names the schema allows for the mapping at `path`.
fn property_names<'r>(root: &Value, path: &[Seg], resolve: &dyn Fn(&str) -> Option<&'r Value>) -> BTreeSet<String> {
    let mut current = expand(root, resolve);
    for seg in path {
        let mut next = Vec::new();
        for s in &current {
            let child = match seg {
                Seg::Key(k) => s.pointer(&format!("/properties/{}", k.replace('~', "~0").replace('/', "~1"))).or_else(|| s.get("additionalProperties").filter(|a| a.is_object())),
                Seg::Index(_) => s.get("items"),
            };
            if let Some(c) = child {
                next.extend(expand(c, resolve));
            }
        }
        current = next;
    }
    current.iter().filter_map(|s| s.get("properties").and_then(Value::as_object)).flat_map(|p| p.keys().cloned()).collect()
}

/// A schema and what it stands for: its `$ref` target and its `allOf`/`anyOf`/`oneOf` branches.
fn expand<'r>(schema: &Value, resolve: &dyn Fn(&str) -> Option<&'r Value>) -> Vec<Value> {
    let mut out = Vec::new();
    let mut stack = vec![schema.clone()];
    let mut budget = 64;
    while let Some(s) = stack.pop() {
        budget -= 1;
        if budget == 0 {
            break;
        }
        if let Some(target) = s.get("$ref").and_then(Value::as_str).and_then(resolve) {
            stack.push(target.clone());
        }
        for k in ["allOf", "anyOf", "oneOf"] {
            stack.extend(s.get(k).and_then(Value::as_array).into_iter().flatten().cloned());
        }
        out.push(s);
    }
    out
}
