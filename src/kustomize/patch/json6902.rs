//! RFC 6902 JSON patch with the behaviour kustomize v5.5.0 shows (it applies evanphx/json-patch to
//! the object's JSON). Where that library departs from the RFC, kustomize's behaviour is kept:
//!
//! - `replace` of a missing key in an existing mapping adds it (the RFC says error);
//! - `copy` from a missing key of an existing mapping copies `null`; `test` of a missing key
//!   compares against `null`; `add` without `value` adds `null`;
//! - negative indices: `add` at `-1` appends, `remove`/`replace` at `-1` is the last element;
//! - indices are read like Go's `strconv.Atoi` (`01` is 1, `+1` is 1); `-` only appends;
//! - the whole document (path `""`) can only be tested, or replaced by a mapping or a sequence
//!   (`replace` with a scalar or null leaves it unchanged; a document that ends up not a mapping is
//!   an error); a path without its leading `/` loses its first segment;
//! - `test` without a `value` fails.
//!
//! Error messages follow kustomize's wording.

use crate::source::yaml::{Node, Value};

pub(super) fn apply(target: &Node, ops: &Node) -> Result<Node, String> {
    let Some(list) = ops.as_seq() else {
        return Err("a JSON patch must be a sequence of operations".to_string());
    };
    let mut doc = target.clone();
    for op in list {
        apply_op(&mut doc, op)?;
    }
    if !doc.is_map() {
        return Err("the JSON patch leaves a document that is not a mapping".to_string());
    }
    Ok(doc)
}

struct Pointer<'a> {
    text: &'a str,
    node: Option<&'a Node>,
    /// Unescaped reference tokens; empty for the whole document.
    tokens: Vec<String>,
}

fn pointer<'a>(op: &'a Node, field: &str, opname: &str) -> Result<Pointer<'a>, String> {
    let Some(node) = op.get(field).filter(|n| n.is_scalar() && !n.is_null()) else {
        return Err(format!("{opname} operation failed to decode {field}: missing value"));
    };
    let text = node.as_str().unwrap_or("");
    if text.is_empty() {
        return Ok(Pointer { text, node: Some(node), tokens: Vec::new() });
    }
    // Like kustomize's json-patch, the first segment is dropped whatever it is: `data/x` is `/x`.
    let tokens = text.split('/').skip(1).map(|t| t.replace("~1", "/").replace("~0", "~")).collect();
    Ok(Pointer { text, node: Some(node), tokens })
}

/// Go's `strconv.Atoi`.
fn atoi(s: &str) -> Result<i64, String> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(format!("strconv.Atoi: parsing {s:?}: invalid syntax"));
    }
    s.parse::<i64>().map_err(|_| format!("strconv.Atoi: parsing {s:?}: value out of range"))
}

/// The container holding the pointer's last token.
fn parent_mut<'a>(doc: &'a mut Node, tokens: &[String]) -> Option<&'a mut Node> {
    let mut cur = doc;
    for t in &tokens[..tokens.len().saturating_sub(1)] {
        cur = match &mut cur.value {
            Value::Map(entries) => entries.iter_mut().rev().find(|(k, _)| k.as_str() == Some(t.as_str())).map(|(_, v)| v)?,
            Value::Seq(items) => {
                let i = atoi(t).ok()?;
                if i < 0 {
                    return None;
                }
                items.get_mut(usize::try_from(i).ok()?)?
            }
            Value::Scalar(..) => return None,
        };
    }
    Some(cur)
}

fn null_at(span_of: &Node) -> Node {
    Node::scalar("", span_of.span)
}

fn apply_op(doc: &mut Node, op: &Node) -> Result<(), String> {
    if !op.is_map() {
        return Err("a JSON patch operation must be a mapping".to_string());
    }
    let name = op.get("op").and_then(|n| n.as_text()).unwrap_or("unknown");
    match name {
        "add" => {
            let p = pointer(op, "path", "add")?;
            let value = op.get("value").cloned().unwrap_or_else(|| null_at(op));
            add(doc, &p, value, "add")
        }
        "remove" => {
            let p = pointer(op, "path", "remove")?;
            remove(doc, &p, "remove").map(|_| ())
        }
        "replace" => {
            let p = pointer(op, "path", "replace")?;
            if p.tokens.is_empty() && op.get("value").is_none() {
                // kustomize v5.5.0 (json-patch v4.12.0) crashes on this one.
                return Err("replace operation on the whole document without a value".to_string());
            }
            let value = op.get("value").cloned().unwrap_or_else(|| null_at(op));
            replace(doc, &p, value)
        }
        "move" => {
            let from = pointer(op, "from", "move")?;
            let p = pointer(op, "path", "move")?;
            if from.tokens.is_empty() {
                return Err(format!("move operation does not apply: doc is missing from path: {}: missing value", from.text));
            }
            let v = remove(doc, &from, "move")?;
            add(doc, &p, v, "move")
        }
        "copy" => {
            let from = pointer(op, "from", "copy")?;
            let p = pointer(op, "path", "copy")?;
            let v = get(doc, &from, "copy", op)?;
            add(doc, &p, v, "copy")
        }
        "test" => {
            let p = pointer(op, "path", "test")?;
            let actual = get(doc, &p, "test", op)?;
            // Without a value kustomize fails the test (or crashes, for a missing key).
            let Some(expected) = op.get("value").cloned() else {
                return Err(format!("testing value {} failed: test failed", p.text));
            };
            if actual.to_json() == expected.to_json() {
                Ok(())
            } else {
                Err(format!("testing value {} failed: test failed", p.text))
            }
        }
        other => Err(format!("Unexpected kind: {other}")),
    }
}

fn new_key(p: &Pointer<'_>, token: &str, fallback: &Node) -> Node {
    Node::string(token, p.node.map(|n| n.span).unwrap_or(fallback.span))
}

fn add(doc: &mut Node, p: &Pointer<'_>, value: Node, opname: &str) -> Result<(), String> {
    let missing = || match opname {
        "add" => format!("add operation does not apply: doc is missing path: {:?}: missing value", p.text),
        _ => format!("{opname} operation does not apply: doc is missing destination path: {}: missing value", p.text),
    };
    // kustomize's json-patch does not replace the whole document.
    let Some(last) = p.tokens.last() else { return Err(missing()) };
    let key_node = new_key(p, last, &value);
    let Some(parent) = parent_mut(doc, &p.tokens) else { return Err(missing()) };
    match &mut parent.value {
        Value::Map(entries) => {
            match entries.iter_mut().rev().find(|(k, _)| k.as_str() == Some(last.as_str())) {
                Some(slot) => slot.1 = value,
                None => entries.push((key_node, value)),
            }
            Ok(())
        }
        Value::Seq(items) => {
            if last == "-" {
                items.push(value);
                return Ok(());
            }
            let idx = atoi(last).map_err(|e| format!("error in {opname} for path: '{}': value was not a proper array index: '{last}': {e}", p.text))?;
            let size = items.len() as i64 + 1;
            let invalid = || format!("error in {opname} for path: '{}': Unable to access invalid index: {idx}: invalid index referenced", p.text);
            if idx >= size || idx < -size {
                return Err(invalid());
            }
            let at = if idx < 0 { idx + size } else { idx };
            items.insert(at as usize, value);
            Ok(())
        }
        Value::Scalar(..) => Err(missing()),
    }
}

fn remove(doc: &mut Node, p: &Pointer<'_>, opname: &str) -> Result<Node, String> {
    let Some(last) = p.tokens.last() else {
        return Err(format!("{opname} operation does not apply: doc is missing path: {:?}: missing value", p.text));
    };
    // evanphx names the pointer in `remove` errors, the bare key in `move` errors.
    let shown = if opname == "move" { last.as_str() } else { p.text };
    let Some(parent) = parent_mut(doc, &p.tokens) else {
        return Err(format!("{opname} operation does not apply: doc is missing path: {:?}: missing value", p.text));
    };
    match &mut parent.value {
        Value::Map(entries) => match entries.iter().rposition(|(k, _)| k.as_str() == Some(last.as_str())) {
            Some(i) => Ok(entries.remove(i).1),
            None => Err(format!("error in {opname} for path: '{shown}': Unable to remove nonexistent key: {last}: missing value")),
        },
        Value::Seq(items) => {
            let idx = atoi(last).map_err(|e| format!("error in {opname} for path: '{shown}': {e}"))?;
            let len = items.len() as i64;
            if idx >= len || idx < -len {
                return Err(format!("error in {opname} for path: '{shown}': Unable to access invalid index: {idx}: invalid index referenced"));
            }
            let at = if idx < 0 { idx + len } else { idx };
            Ok(items.remove(at as usize))
        }
        Value::Scalar(..) => Err(format!("{opname} operation does not apply: doc is missing path: {:?}: missing value", p.text)),
    }
}

fn replace(doc: &mut Node, p: &Pointer<'_>, value: Node) -> Result<(), String> {
    let Some(last) = p.tokens.last() else {
        // The whole document: replaced by a mapping or a sequence; a scalar or null leaves it as
        // it was.
        if value.is_map() || value.is_seq() {
            *doc = value;
        }
        return Ok(());
    };
    let key_node = new_key(p, last, &value);
    let Some(parent) = parent_mut(doc, &p.tokens) else {
        return Err(format!("replace operation does not apply: doc is missing path: {}: missing value", p.text));
    };
    match &mut parent.value {
        Value::Map(entries) => {
            match entries.iter_mut().rev().find(|(k, _)| k.as_str() == Some(last.as_str())) {
                Some(slot) => slot.1 = value,
                // kustomize's json-patch adds a missing key on replace.
                None => entries.push((key_node, value)),
            }
            Ok(())
        }
        Value::Seq(items) => {
            let missing = || format!("replace operation does not apply: doc is missing key: {}: missing value", p.text);
            let idx = atoi(last).map_err(|_| missing())?;
            let len = items.len() as i64;
            if idx >= len || idx < -len {
                return Err(missing());
            }
            let at = if idx < 0 { idx + len } else { idx };
            items[at as usize] = value;
            Ok(())
        }
        Value::Scalar(..) => Err(format!("replace operation does not apply: doc is missing path: {}: missing value", p.text)),
    }
}

/// The value at a pointer (a missing key of an existing mapping reads as null, as in kustomize).
fn get(doc: &mut Node, p: &Pointer<'_>, opname: &str, op: &Node) -> Result<Node, String> {
    let Some(last) = p.tokens.last() else {
        return match opname {
            "test" => Ok(doc.clone()),
            _ => Err(format!("{opname} operation does not apply: doc is missing from path: {}: missing value", p.text)),
        };
    };
    let Some(parent) = parent_mut(doc, &p.tokens) else {
        return Err(match opname {
            "test" => format!("test operation does not apply: is missing path: {}: missing value", p.text),
            _ => format!("{opname} operation does not apply: doc is missing from path: {}: missing value", p.text),
        });
    };
    match &parent.value {
        Value::Map(entries) => Ok(entries.iter().rev().find(|(k, _)| k.as_str() == Some(last.as_str())).map(|(_, v)| v.clone()).unwrap_or_else(|| null_at(op))),
        Value::Seq(items) => {
            let idx = atoi(last).map_err(|e| format!("error in {opname} for path: '{}': {e}", p.text))?;
            let len = items.len() as i64;
            if idx >= len || idx < -len {
                return Err(format!("error in {opname} for path: '{}': Unable to access invalid index: {idx}: invalid index referenced", p.text));
            }
            let at = if idx < 0 { idx + len } else { idx };
            Ok(items[at as usize].clone())
        }
        Value::Scalar(..) => Err(format!("{opname} operation does not apply: doc is missing path: {}: missing value", p.text)),
    }
}
