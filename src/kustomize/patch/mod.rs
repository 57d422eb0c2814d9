//! Strategic merge and JSON 6902 patching.
//!
//! STAND-IN: the real implementation (merge keys of built-in kinds, every `$patch` directive,
//! `$setElementOrder`, `$deleteFromPrimitiveList`) is developed on branch `patch` and replaces
//! this folder at merge. This version merges mappings recursively, merges lists of mappings by
//! their `name` field, honours `$patch: delete|replace` and null deletions, and implements the
//! six JSON patch operations.

use crate::source::yaml::{Node, Value};

/// Apply a strategic-merge patch. `Ok(None)`: `$patch: delete` removed the whole object.
pub fn strategic_merge(target: &Node, patch: &Node) -> Result<Option<Node>, String> {
    if patch.str_at(&["$patch"]) == Some("delete") {
        return Ok(None);
    }
    Ok(merge(Some(target), patch))
}

fn directive(n: &Node) -> Option<&str> {
    n.get("$patch").and_then(|v| v.as_str())
}

fn strip_directives(n: &Node) -> Node {
    let mut n = n.clone();
    if let Some(entries) = n.as_map_mut() {
        entries.retain(|(k, _)| !k.as_str().is_some_and(|s| s.starts_with('$')));
        for (_, v) in entries.iter_mut() {
            *v = strip_directives(v);
        }
    } else if let Some(items) = n.as_seq_mut() {
        items.retain(|i| directive(i) != Some("delete"));
        for i in items.iter_mut() {
            *i = strip_directives(i);
        }
    }
    n
}

/// Merge `patch` into `target`; `None` means the value is deleted.
fn merge(target: Option<&Node>, patch: &Node) -> Option<Node> {
    if patch.is_null() {
        return None;
    }
    match (target.map(|t| &t.value), &patch.value) {
        (Some(Value::Map(t_entries)), Value::Map(p_entries)) => {
            match directive(patch) {
                Some("delete") => return None,
                Some("replace") => return Some(strip_directives(patch)),
                _ => {}
            }
            let mut out = t_entries.clone();
            for (k, pv) in p_entries {
                let key = k.as_str().unwrap_or("");
                if key.starts_with('$') {
                    continue;
                }
                let pos = out.iter().position(|(ok, _)| ok.as_str() == Some(key));
                let merged = merge(pos.map(|i| &out[i].1), pv);
                match (pos, merged) {
                    (Some(i), Some(v)) => out[i].1 = v,
                    (Some(i), None) => {
                        out.remove(i);
                    }
                    (None, Some(v)) => out.push((k.clone(), v)),
                    (None, None) => {}
                }
            }
            Some(Node { value: Value::Map(out), span: target.unwrap().span, tag: target.unwrap().tag.clone() })
        }
        (Some(Value::Seq(t_items)), Value::Seq(p_items)) => {
            let keyed = |items: &[Node]| items.iter().all(|i| i.is_map() && (i.get("name").is_some() || directive(i).is_some()));
            if !p_items.is_empty() && keyed(p_items) && keyed(t_items) && !t_items.is_empty() {
                if p_items.iter().any(|i| directive(i) == Some("replace")) {
                    return Some(strip_directives(&Node::seq(p_items.iter().filter(|i| directive(i) != Some("replace")).cloned().collect(), patch.span)));
                }
                let mut out = t_items.clone();
                for pi in p_items {
                    let name = pi.get("name").map(|n| n.value.clone());
                    let pos = name.as_ref().and_then(|nm| out.iter().position(|o| o.get("name").map(|n| &n.value) == Some(nm)));
                    if directive(pi) == Some("delete") {
                        if let Some(i) = pos {
                            out.remove(i);
                        }
                        continue;
                    }
                    match pos {
                        Some(i) => {
                            if let Some(v) = merge(Some(&out[i]), pi) {
                                out[i] = v;
                            }
                        }
                        None => out.push(strip_directives(pi)),
                    }
                }
                let t = target.unwrap();
                return Some(Node { value: Value::Seq(out), span: t.span, tag: t.tag.clone() });
            }
            Some(strip_directives(patch))
        }
        _ => {
            if directive(patch) == Some("delete") {
                return None;
            }
            Some(strip_directives(patch))
        }
    }
}

/// Apply JSON 6902 operations (a sequence of `{op, path, value, from}`).
pub fn json6902(target: &Node, ops: &Node) -> Result<Node, String> {
    let mut doc = target.clone();
    let Some(list) = ops.as_seq() else { return Err("a JSON patch must be a list of operations".into()) };
    for op in list {
        let kind = op.str_at(&["op"]).ok_or("operation without `op`")?;
        let path = op.str_at(&["path"]).unwrap_or("");
        match kind {
            "add" => add(&mut doc, path, op.get("value").cloned().ok_or("add without value")?)?,
            "replace" => {
                let v = op.get("value").cloned().ok_or("replace without value")?;
                let slot = get_mut(&mut doc, path).ok_or_else(|| format!("replace operation does not apply: doc is missing key: {path}"))?;
                *slot = v;
            }
            "remove" => {
                remove(&mut doc, path)?;
            }
            "move" => {
                let from = op.str_at(&["from"]).ok_or("move without from")?;
                let v = remove(&mut doc, from)?;
                add(&mut doc, path, v)?;
            }
            "copy" => {
                let from = op.str_at(&["from"]).ok_or("copy without from")?;
                let v = get_mut(&mut doc, from).ok_or_else(|| format!("copy from missing path {from}"))?.clone();
                add(&mut doc, path, v)?;
            }
            "test" => {
                let v = op.get("value").ok_or("test without value")?;
                let cur = get_mut(&mut doc, path).ok_or_else(|| format!("test path missing: {path}"))?;
                if cur.to_json() != v.to_json() {
                    return Err(format!("testing value {path} failed"));
                }
            }
            other => return Err(format!("unexpected kind of operation: {other}")),
        }
    }
    Ok(doc)
}

fn tokens(path: &str) -> Vec<String> {
    if path.is_empty() {
        return Vec::new();
    }
    path.trim_start_matches('/').split('/').map(|t| t.replace("~1", "/").replace("~0", "~")).collect()
}

fn get_mut<'a>(doc: &'a mut Node, path: &str) -> Option<&'a mut Node> {
    let mut cur = doc;
    for t in tokens(path) {
        cur = match cur.value {
            Value::Map(ref mut entries) => entries.iter_mut().rev().find(|(k, _)| k.as_str() == Some(t.as_str())).map(|(_, v)| v)?,
            Value::Seq(ref mut items) => items.get_mut(t.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

fn add(doc: &mut Node, path: &str, v: Node) -> Result<(), String> {
    let mut toks = tokens(path);
    let Some(last) = toks.pop() else {
        *doc = v;
        return Ok(());
    };
    let parent_path: String = toks.iter().map(|t| format!("/{}", t.replace('~', "~0").replace('/', "~1"))).collect();
    let parent = get_mut(doc, &parent_path).ok_or_else(|| format!("add operation does not apply: doc is missing path: {path}"))?;
    match &mut parent.value {
        Value::Map(_) => {
            let span = v.span;
            parent.insert(super::resource::key_node(&last, span), v);
            Ok(())
        }
        Value::Seq(items) => {
            if last == "-" {
                items.push(v);
                return Ok(());
            }
            let i: usize = last.parse().map_err(|_| format!("invalid index {last}"))?;
            if i > items.len() {
                return Err(format!("add operation does not apply: index out of bounds: {path}"));
            }
            items.insert(i, v);
            Ok(())
        }
        _ => Err(format!("add operation does not apply: {path}")),
    }
}

fn remove(doc: &mut Node, path: &str) -> Result<Node, String> {
    let mut toks = tokens(path);
    let last = toks.pop().ok_or("cannot remove the whole document")?;
    let parent_path: String = toks.iter().map(|t| format!("/{}", t.replace('~', "~0").replace('/', "~1"))).collect();
    let parent = get_mut(doc, &parent_path).ok_or_else(|| format!("remove operation does not apply: doc is missing path: {path}"))?;
    match &mut parent.value {
        Value::Map(_) => parent.remove(&last).ok_or_else(|| format!("remove operation does not apply: doc is missing key: {path}")),
        Value::Seq(items) => {
            let i: usize = last.parse().map_err(|_| format!("invalid index {last}"))?;
            if i >= items.len() {
                return Err(format!("remove operation does not apply: index out of bounds: {path}"));
            }
            Ok(items.remove(i))
        }
        _ => Err(format!("remove operation does not apply: {path}")),
    }
}
