//! CRD `x-kubernetes-validations` rules, evaluated on one object as the API server does when it is
//! created: with the schema's defaults applied, `self` bound to the value the rule is attached to.
//! Transition rules (`oldSelf`) need the stored object and are skipped; a rule drlint cannot
//! evaluate (see `cel`) reports nothing. A failing rule is reported at the key it is attached to
//! (or the field its `fieldPath` names) with the CRD's message.

use super::cel;
use super::validate::{display_path, locate, Seg, Violation};
use crate::model::Resource;
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, Mutex, OnceLock};

/// Every rule and message expression is parsed once per process.
fn compiled(text: &str) -> Option<Arc<cel::Expr>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Option<Arc<cel::Expr>>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    if let Some(e) = cache.lock().ok()?.get(text) {
        return e.clone();
    }
    let e = cel::parse(text).map(Arc::new);
    cache.lock().ok()?.insert(text.to_string(), e.clone());
    e
}

/// Whether a rule needs the object's previous state.
pub fn is_transition(rule: &Value) -> bool {
    rule.get("optionalOldSelf").and_then(Value::as_bool) == Some(true)
        || rule.get("rule").and_then(Value::as_str).and_then(compiled).is_some_and(|e| e.mentions("oldSelf"))
}

/// Whether drlint evaluates a rule: not a transition rule, and written in the CEL `cel` reads.
pub fn is_evaluable(rule: &Value) -> bool {
    !is_transition(rule) && rule.get("rule").and_then(Value::as_str).and_then(compiled).is_some_and(|e| cel::supported(&e))
}

/// Every failing rule of `root` (a converted CRD schema) on `instance`. Callers skip schemas
/// without rules (`has_rules`, asked once per kind).
pub(super) fn check(root: &Value, instance: &Value, object: &Resource, out: &mut BTreeSet<Violation>) {
    let instance = defaulted(root, instance);
    walk(root, &instance, &mut Vec::new(), object, out);
}

/// Whether any node of the schema carries rules (most kinds have none: skip the walk).
pub(super) fn has_rules(schema: &Value) -> bool {
    match schema {
        Value::Object(m) => m.contains_key("x-kubernetes-validations") || m.values().any(has_rules),
        Value::Array(items) => items.iter().any(has_rules),
        _ => false,
    }
}

/// The schema of a mapping's entry `key`.
fn child<'a>(schema: &'a Value, key: &str) -> Option<&'a Value> {
    schema.get("properties").and_then(|p| p.get(key)).or_else(|| schema.get("additionalProperties").filter(|a| a.is_object()))
}

/// The object with the schema's defaults filled in where a field is absent (the API server
/// defaults before it validates).
fn defaulted(schema: &Value, value: &Value) -> Value {
    match value {
        Value::Object(m) => {
            let mut out = m.clone();
            for (k, s) in schema.get("properties").and_then(Value::as_object).into_iter().flatten() {
                if let (false, Some(d)) = (out.contains_key(k), s.get("default")) {
                    out.insert(k.clone(), d.clone());
                }
            }
            for (k, v) in out.iter_mut() {
                if let Some(s) = child(schema, k) {
                    *v = defaulted(s, v);
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => match schema.get("items") {
            Some(s) => Value::Array(items.iter().map(|i| defaulted(s, i)).collect()),
            None => value.clone(),
        },
        _ => value.clone(),
    }
}

fn walk(schema: &Value, value: &Value, path: &mut Vec<Seg>, object: &Resource, out: &mut BTreeSet<Violation>) {
    if value.is_null() {
        return;
    }
    for rule in schema.get("x-kubernetes-validations").and_then(Value::as_array).into_iter().flatten() {
        evaluate(rule, value, path, object, out);
    }
    match value {
        Value::Object(m) => {
            for (k, v) in m {
                if let Some(s) = child(schema, k) {
                    path.push(Seg::Key(k.clone()));
                    walk(s, v, path, object, out);
                    path.pop();
                }
            }
        }
        Value::Array(items) => {
            if let Some(s) = schema.get("items") {
                for (i, v) in items.iter().enumerate() {
                    path.push(Seg::Index(i));
                    walk(s, v, path, object, out);
                    path.pop();
                }
            }
        }
        _ => {}
    }
}

/// `fieldPath` (`.spec.foo`, `.items[0]`, `['a.b']`), relative to the rule's node, as segments.
fn field_path(text: &str) -> Option<Vec<Seg>> {
    let mut out = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        if let Some(r) = rest.strip_prefix("['") {
            let (name, after) = r.split_once("']")?;
            out.push(Seg::Key(name.to_string()));
            rest = after;
        } else if let Some(r) = rest.strip_prefix('[') {
            let (i, after) = r.split_once(']')?;
            out.push(Seg::Index(i.parse().ok()?));
            rest = after;
        } else if let Some(r) = rest.strip_prefix('.') {
            let end = r.find(['.', '[']).unwrap_or(r.len());
            if end == 0 {
                return None;
            }
            out.push(Seg::Key(r[..end].to_string()));
            rest = &r[end..];
        } else {
            return None;
        }
    }
    Some(out)
}

fn evaluate(rule: &Value, value: &Value, path: &[Seg], object: &Resource, out: &mut BTreeSet<Violation>) {
    let Some(text) = rule.get("rule").and_then(Value::as_str) else { return };
    if !is_evaluable(rule) {
        return;
    }
    let (key, _, placeholder) = locate(&object.node, path);
    if placeholder {
        return;
    }
    let Some(expr) = compiled(text) else { return };
    if cel::eval(&expr, value, &super::is_placeholder) != Ok(Value::Bool(false)) {
        return;
    }
    let from_expression = rule
        .get("messageExpression")
        .and_then(Value::as_str)
        .and_then(compiled)
        .and_then(|e| cel::eval(&e, value, &super::is_placeholder).ok())
        .and_then(|v| v.as_str().map(str::to_string))
        .filter(|m| !m.trim().is_empty());
    let message = from_expression
        .or_else(|| rule.get("message").and_then(Value::as_str).map(str::to_string))
        .unwrap_or_else(|| format!("fails the rule `{text}`"));
    let mut at_path = path.to_vec();
    let mut span = key.map(|k| k.span).unwrap_or_else(|| object.span());
    if let Some(extra) = rule.get("fieldPath").and_then(Value::as_str).and_then(field_path) {
        let mut full = path.to_vec();
        full.extend(extra);
        if let (Some(k), _, _) = locate(&object.node, &full) {
            span = k.span;
            at_path = full;
        }
    }
    let at = display_path(&at_path);
    let message = if at.is_empty() { message } else { format!("`{at}`: {message}") };
    out.insert(Violation { span, message, help: Some(format!("the CRD's validation rule is `{text}`")) });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every rule of the bundled CRDs, counted: transition rules are skipped, every other one
    /// must be evaluable (a CRD update that brings a new shape shows here).
    #[test]
    fn every_bundled_rule_but_transition_rules_is_evaluable() {
        let bundle: Value = serde_json::from_str(super::super::CRD_BUNDLE).unwrap();
        let mut rules = Vec::new();
        fn collect<'a>(v: &'a Value, out: &mut Vec<&'a Value>) {
            match v {
                Value::Object(m) => {
                    out.extend(m.get("x-kubernetes-validations").and_then(Value::as_array).into_iter().flatten());
                    m.iter().filter(|(k, _)| *k != "x-kubernetes-validations").for_each(|(_, v)| collect(v, out));
                }
                Value::Array(items) => items.iter().for_each(|v| collect(v, out)),
                _ => {}
            }
        }
        collect(&bundle, &mut rules);
        let transition = rules.iter().filter(|r| is_transition(r)).count();
        let evaluable = rules.iter().filter(|r| is_evaluable(r)).count();
        let not: Vec<&str> = rules.iter().filter(|r| !is_transition(r) && !is_evaluable(r)).filter_map(|r| r["rule"].as_str()).collect();
        println!("bundled CEL rules: {} in all, {transition} transition rules (skipped), {evaluable} evaluated", rules.len());
        assert!(not.is_empty(), "rules drlint cannot evaluate: {not:?}");
        assert!(evaluable >= 40, "{evaluable}");
    }

    #[test]
    fn field_paths() {
        assert_eq!(display_path(&field_path(".serverName").unwrap()), "serverName");
        assert_eq!(display_path(&field_path(".a['b.c'][2].d").unwrap()), "a.b.c[2].d");
        assert!(field_path("serverName").is_none());
    }
}
