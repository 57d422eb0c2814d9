//! Strategic merge patch with kyaml's merge2 semantics, as kustomize v5.5.0 runs it: the walker
//! visits `[dest, origin]` (target, patch) with `ListIncreaseDirection: Prepend`, and lists are
//! associative only where the built-in schema says so (`schema.rs`).
//!
//! The list algorithm is modelled step by step on kyaml's (`walk/associative_sequence.go`,
//! `ElementSetter`, `ElementMatcher`), because its quirks are visible in kustomize's output: an
//! element without its merge key wipes the named elements, a secondary key missing on one side drops
//! the patch element, an element-level `$patch: replace` is undone, and so on. List elements live in
//! an arena so that "merged in place" is shared between the result and the target list, as kyaml's
//! pointers are.

use super::schema::{self, ListTy, Ty};
use crate::source::yaml::{Node, Style, Value};

const DIRECTIVE: &str = "$patch";
/// Recursion guard; the parser caps nesting at 256 levels.
const MAX_DEPTH: usize = 512;
/// kyaml's list merge is quadratic in the list length; longer associative lists are refused rather
/// than merged slowly (no real manifest comes near).
const MAX_LIST: usize = 2000;

/// Where the origin (patch side) of a walk comes from.
#[derive(Clone, Copy)]
enum Og<'a> {
    None,
    Node(&'a Node),
    /// The origin is the destination itself: kyaml returned the patch node as the new value and
    /// keeps walking it against itself (this is how nulls and directives inside new content are
    /// processed).
    Same,
}

/// Which side the node a walk returns is: the (possibly modified) destination or the origin.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Who {
    Dest,
    Origin,
}

type Walked = (Option<Node>, Who);

pub(super) fn merge(target: &Node, patch: &Node) -> Result<Option<Node>, String> {
    if !patch.is_map() {
        return Err(format!("strategic merge patch must be a mapping, not {}", kind_name(patch)));
    }
    if !target.is_map() {
        return Err(format!("strategic merge patch target must be a mapping, not {}", kind_name(target)));
    }
    let ty = schema::for_object(target.str_at(&["apiVersion"]).unwrap_or(""), target.str_at(&["kind"]).unwrap_or(""));
    let mut w = Walker { path: Vec::new() };
    let (out, _) = w.walk(Some(target.clone()), Og::Node(patch), ty, 0)?;
    Ok(out.filter(|n| !n.is_null()))
}

fn kind_name(n: &Node) -> &'static str {
    match n.value {
        Value::Scalar(..) => "ScalarNode",
        Value::Seq(_) => "SequenceNode",
        Value::Map(_) => "MappingNode",
    }
}

fn present(n: Option<&Node>) -> Option<&Node> {
    n.filter(|n| !n.is_null())
}

fn is_empty_map(n: &Node) -> bool {
    matches!(&n.value, Value::Map(e) if e.is_empty())
}

/// kyaml's `IsNilOrEmpty` on a field value: null, or an empty map or sequence.
fn nil_or_empty(n: &Node) -> bool {
    n.is_null() || matches!(&n.value, Value::Map(e) if e.is_empty()) || matches!(&n.value, Value::Seq(e) if e.is_empty())
}

/// yaml.v3's `Node.Value`: the text of a scalar, empty for collections.
fn raw(n: &Node) -> &str {
    n.as_str().unwrap_or("")
}

/// First value under `key` (kyaml's FieldMatcher walks the entries in order).
fn field<'a>(n: &'a Node, key: &str) -> Option<&'a Node> {
    n.as_map()?.iter().find(|(k, _)| k.as_str() == Some(key)).map(|(_, v)| v)
}

enum Directive {
    Merge,
    Replace,
    Delete,
}

fn parse_directive(v: &str) -> Result<Directive, String> {
    match v {
        "merge" => Ok(Directive::Merge),
        "replace" => Ok(Directive::Replace),
        "delete" => Ok(Directive::Delete),
        other => Err(format!("unknown patch strategy '{other}'")),
    }
}

/// `$patch` in a mapping: returns the directive and removes the key (only for known values, as
/// kyaml does; an unknown value is an error and stays in place).
fn map_directive(n: &mut Node) -> Result<Directive, String> {
    let Some(v) = field(n, DIRECTIVE) else { return Ok(Directive::Merge) };
    let d = parse_directive(raw(v))?;
    if let Some(entries) = n.as_map_mut() {
        entries.retain(|(k, _)| k.as_str() != Some(DIRECTIVE));
    }
    Ok(d)
}

/// `- $patch: x` as an element of its own in a sequence: the directive applies to the whole list
/// and the directive elements are removed (with kyaml's ElementSetter side effect of dropping null
/// and empty-map elements). An element with other fields next to `$patch` is an element directive.
fn seq_directive(n: &mut Node) -> Result<Directive, String> {
    let Some(items) = n.as_seq() else { return Ok(Directive::Merge) };
    let Some(elem) = items.iter().find(|e| e.is_map() && field(e, DIRECTIVE).is_some()) else { return Ok(Directive::Merge) };
    if elem.as_map().map(|m| m.len()).unwrap_or(0) > 1 {
        return Ok(Directive::Merge);
    }
    let v = raw(field(elem, DIRECTIVE).unwrap()).to_string();
    let d = parse_directive(&v)?;
    if let Some(items) = n.as_seq_mut() {
        items.retain(|e| !(e.is_null() || is_empty_map(e) || (e.is_map() && field(e, DIRECTIVE).map(raw) == Some(v.as_str()))));
    }
    Ok(d)
}

struct Walker {
    path: Vec<String>,
}

impl Walker {
    fn err_kind(&self, expected: &Node, got: &Node) -> String {
        format!(
            "wrong node kind: expected {} but got {} at {}",
            kind_name(expected),
            kind_name(got),
            if self.path.is_empty() { ".".to_string() } else { self.path.join(".") }
        )
    }

    fn walk(&mut self, dest: Option<Node>, og: Og<'_>, ty: Option<Ty>, depth: usize) -> Result<Walked, String> {
        if depth > MAX_DEPTH {
            return Err("strategic merge patch nests too deeply".to_string());
        }
        let origin = match og {
            Og::Node(o) => Some(o),
            _ => None,
        };
        let Some(first) = present(dest.as_ref()).or(present(origin)) else { return self.walk_map(dest, og, ty, depth) };
        // Every non-null source must have the kind of the first one.
        for other in [present(dest.as_ref()), present(origin)].into_iter().flatten() {
            if std::mem::discriminant(&other.value) != std::mem::discriminant(&first.value) {
                return Err(self.err_kind(first, other));
            }
        }
        match first.value {
            Value::Map(_) => self.walk_map(dest, og, ty, depth),
            Value::Seq(_) => self.walk_seq(dest, og, ty, depth),
            Value::Scalar(..) => Ok(match og {
                Og::Node(o) => (Some(o.clone()), Who::Origin),
                _ => (dest, Who::Dest),
            }),
        }
    }

    fn walk_map(&mut self, dest: Option<Node>, og: Og<'_>, ty: Option<Ty>, depth: usize) -> Result<Walked, String> {
        let dest_missing = dest.as_ref().map(|d| d.is_null()).unwrap_or(true);
        if dest_missing {
            return match og {
                // A null the target wrote stays (kustomize keeps it).
                Og::None => Ok((dest, Who::Dest)),
                Og::Same => Ok((None, Who::Origin)),
                // A null patch value over a missing field: nothing to set.
                Og::Node(o) if !o.is_map() => Ok((None, Who::Origin)),
                Og::Node(o) => {
                    // The patch's map is taken as the new value and walked against itself.
                    // kyaml ignores an unknown directive here (it then stays as a field).
                    let mut o = o.clone();
                    if let Ok(Directive::Delete) = map_directive(&mut o) {
                        return Ok((None, Who::Origin));
                    }
                    self.walk_fields(o, true, ty, Who::Origin, depth)
                }
            };
        }
        let mut dest = dest.unwrap();
        match og {
            Og::Node(o) if o.is_null() => Ok((None, Who::Origin)),
            Og::Node(o) if field(o, DIRECTIVE).is_none() => self.walk_fields_with(dest, o, ty, Who::Dest, depth),
            Og::Node(o) => {
                let mut o2 = o.clone();
                match map_directive(&mut o2)? {
                    Directive::Delete => Ok((None, Who::Origin)),
                    Directive::Replace => self.walk_fields(o2, true, ty, Who::Origin, depth),
                    Directive::Merge => self.walk_fields_with(dest, &o2, ty, Who::Dest, depth),
                }
            }
            Og::Same => match map_directive(&mut dest)? {
                Directive::Delete => Ok((None, Who::Origin)),
                _ => self.walk_fields(dest, true, ty, Who::Dest, depth),
            },
            Og::None => self.walk_fields(dest, false, ty, Who::Dest, depth),
        }
    }

    /// Walk every field of `base` (origin absent or the same node).
    fn walk_fields(&mut self, mut base: Node, same: bool, ty: Option<Ty>, who: Who, depth: usize) -> Result<Walked, String> {
        let mut names: Vec<String> = base.entries().map(|(k, _, _)| k.to_string()).collect();
        names.sort();
        names.dedup();
        for name in names {
            let child = take_field(&mut base, &name);
            let old_style = child.as_ref().and_then(|c| c.style());
            let child_og = if same && child.is_some() { Og::Same } else { Og::None };
            self.path.push(name.clone());
            let r = self.walk(child, child_og, schema::field(ty, &name), depth + 1);
            self.path.pop();
            let (val, vwho) = r?;
            set_field(&mut base, &name, val, vwho, old_style, None);
        }
        Ok((Some(base), who))
    }

    /// Walk the union of the fields of `base` (the target) and `origin` (the patch).
    fn walk_fields_with(&mut self, mut base: Node, origin: &Node, ty: Option<Ty>, who: Who, depth: usize) -> Result<Walked, String> {
        let mut names: Vec<String> = base.entries().chain(origin.entries()).map(|(k, _, _)| k.to_string()).collect();
        names.sort();
        names.dedup();
        for name in names {
            let child = take_field(&mut base, &name);
            let old_style = child.as_ref().and_then(|c| c.style());
            let o_entry = origin.as_map().and_then(|m| m.iter().find(|(k, _)| k.as_str() == Some(name.as_str())));
            let child_og = match o_entry {
                Some((_, v)) => Og::Node(v),
                None => Og::None,
            };
            self.path.push(name.clone());
            let r = self.walk(child, child_og, schema::field(ty, &name), depth + 1);
            self.path.pop();
            let (val, vwho) = r?;
            set_field(&mut base, &name, val, vwho, old_style, o_entry.map(|(k, _)| k));
        }
        Ok((Some(base), who))
    }

    fn walk_seq(&mut self, dest: Option<Node>, og: Og<'_>, ty: Option<Ty>, depth: usize) -> Result<Walked, String> {
        let Some(lt) = schema::as_list(ty) else {
            // Not associative: the patch's list replaces the target's; elements are not walked.
            return Ok(match og {
                Og::Node(o) => (Some(o.clone()), Who::Origin),
                _ => (dest, Who::Dest),
            });
        };
        let dest_missing = dest.as_ref().map(|d| d.is_null()).unwrap_or(true);
        if dest_missing {
            return match og {
                // A new list is taken as written (no list directive processing) and walked
                // against itself.
                Og::Node(o) => self.merge_list(o.clone(), None, true, lt, Who::Origin, depth),
                Og::None => Ok((dest, Who::Dest)),
                Og::Same => Ok((None, Who::Origin)),
            };
        }
        let mut dest = dest.unwrap();
        match og {
            Og::Node(o) if o.is_null() => Ok((None, Who::Origin)),
            Og::Node(o) => {
                let mut o2 = o.clone();
                match seq_directive(&mut o2)? {
                    Directive::Delete => Ok((None, Who::Origin)),
                    Directive::Replace => self.merge_list(o2, None, true, lt, Who::Origin, depth),
                    Directive::Merge => self.merge_list(dest, Some(&o2), false, lt, Who::Dest, depth),
                }
            }
            Og::Same => match seq_directive(&mut dest)? {
                Directive::Delete => Ok((None, Who::Origin)),
                _ => self.merge_list(dest, None, true, lt, Who::Dest, depth),
            },
            Og::None => self.merge_list(dest, None, false, lt, Who::Dest, depth),
        }
    }

    /// kyaml's `walkAssociativeSequence` + `setAssociativeSequenceElements` + `appendListNode`.
    fn merge_list(&mut self, dest: Node, origin: Option<&Node>, same: bool, lt: ListTy, who: Who, depth: usize) -> Result<Walked, String> {
        let total = dest.as_seq().map(|s| s.len()).unwrap_or(0) + origin.and_then(|o| o.as_seq()).map(|s| s.len()).unwrap_or(0);
        if total > MAX_LIST {
            return Err(format!("associative list at {} has more than {MAX_LIST} elements", self.path.join(".")));
        }
        let dest_span = dest.span;
        let dest_tag = dest.tag.clone();
        let mut arena: Vec<Node> = Vec::new();
        let mut dlist: Vec<usize> = Vec::new();
        if let Value::Seq(items) = dest.value {
            for it in items {
                dlist.push(arena.len());
                arena.push(it);
            }
        }
        // Owned: kyaml removes `$patch` from the patch's elements in place as it walks them, and a
        // later lookup of the same element sees it without the directive.
        let mut olist: Vec<Node> = origin.and_then(|o| o.as_seq()).map(|s| s.to_vec()).unwrap_or_default();

        // The values of the merge keys of every element, patch first (Prepend), without repeats.
        let mut keys: Vec<String> = lt.keys.iter().map(|s| s.to_string()).collect();
        let mut values_list: Vec<Vec<String>> = Vec::new();
        if !keys.is_empty() {
            let mut push = |t: Vec<String>| {
                if !t.is_empty() && !values_list.contains(&t) {
                    values_list.push(t);
                }
            };
            let tuple = |n: &Node| -> Vec<String> {
                keys.iter().map(|k| field(n, k).filter(|v| !nil_or_empty(v)).map(|v| raw(v).to_string()).unwrap_or_default()).collect()
            };
            if !same {
                for n in &olist {
                    push(tuple(n));
                }
            }
            for id in &dlist {
                push(tuple(&arena[*id]));
            }
        } else {
            keys = vec![String::new()];
            let mut seen: Vec<String> = Vec::new();
            let srcs: Vec<&Node> = if same { dlist.iter().map(|i| &arena[*i]).collect() } else { olist.iter().chain(dlist.iter().map(|i| &arena[*i])).collect() };
            for n in srcs {
                let v = raw(n).to_string();
                if !seen.contains(&v) {
                    seen.push(v.clone());
                    values_list.push(vec![v]);
                }
            }
        }
        if keys.len() > 1 {
            merge_values(&mut values_list);
        }
        let elem_ty = schema::elements(lt);

        let mut items: Vec<usize> = Vec::new();
        let mut valid_keys: Vec<String> = keys.clone();
        for values in values_list.iter() {
            if values.is_empty() {
                continue;
            }
            let (vk, vv) = validate_keys(&values_list, values, &keys);
            let (ik, iv) = validate_keys(std::slice::from_ref(&vv), &vv, &vk);
            let d = element_list(dlist.iter().map(|i| (*i, &arena[*i])), &ik, &iv);
            let oi: Option<usize> = if same { None } else { element_list(olist.iter().enumerate(), &ik, &iv) };
            valid_keys = vk.clone();

            // Walk the pair of elements. An element's own `$patch` is taken off the shared node
            // first (the patch's element, or in a new list the element itself).
            let dest_is_map = d.map(|i| arena[i].is_map() || arena[i].is_null()).unwrap_or(true);
            let holder: Option<&mut Node> = if same { d.map(|i| &mut arena[i]) } else { oi.map(|i| &mut olist[i]) };
            let directive = match holder {
                Some(h) if h.is_map() && dest_is_map && field(h, DIRECTIVE).is_some_and(|v| parse_directive(raw(v)).is_ok()) => Some(map_directive(h)?),
                _ => None,
            };
            let dnode = d.map(|i| arena[i].clone());
            self.path.push(format!("[{}]", iv.join(",")));
            let r = match (directive, same) {
                (Some(Directive::Delete), _) => Ok((None, Who::Origin)),
                (Some(Directive::Replace), false) => {
                    let o = olist[oi.unwrap()].clone();
                    self.walk_fields(o, true, elem_ty, Who::Origin, depth + 1)
                }
                (_, true) if d.is_some() => self.walk(dnode, Og::Same, elem_ty, depth + 1),
                (_, _) => match oi {
                    Some(i) => self.walk(dnode, Og::Node(&olist[i]), elem_ty, depth + 1),
                    None => self.walk(dnode, Og::None, elem_ty, depth + 1),
                },
            };
            self.path.pop();
            let (val, vwho) = r?;
            let val_id = match val {
                None => None,
                Some(n) if n.is_null() || is_empty_map(&n) => None,
                Some(n) => {
                    if let (Some(di), true) = (d, vwho == Who::Dest || same) {
                        arena[di] = n;
                        Some(di)
                    } else {
                        arena.push(n);
                        Some(arena.len() - 1)
                    }
                }
            };
            let Some(val_id) = val_id else {
                element_setter(&mut dlist, &arena, None, &vk, &vv)?;
                continue;
            };
            // Make sure the merge keys are set on the element.
            for (i, key) in vk.iter().enumerate() {
                if !key.is_empty() && !vv[i].is_empty() && arena[val_id].is_map() && field(&arena[val_id], key).is_none() {
                    let span = arena[val_id].span;
                    let k = Node::scalar(key.clone(), span);
                    let v = Node::scalar(vv[i].clone(), span);
                    if let Some(m) = arena[val_id].as_map_mut() {
                        m.push((k, v));
                    }
                }
            }
            element_setter(&mut items, &arena, Some(val_id), &vk, &vv)?;
        }

        let result: Vec<usize> = if values_list.is_empty() {
            dlist
        } else {
            append_list_node(&mut items, &dlist, &arena, &valid_keys)?;
            items
        };
        let seq = Node { value: Value::Seq(result.into_iter().map(|i| arena[i].clone()).collect()), span: dest_span, tag: dest_tag };
        Ok((Some(seq), who))
    }
}

/// Remove and return the value of field `name` (leaving the key where it is, valued null, until
/// `set_field` puts the new value or removes the entry).
fn take_field(base: &mut Node, name: &str) -> Option<Node> {
    let entries = base.as_map_mut()?;
    let (_, v) = entries.iter_mut().find(|(k, _)| k.as_str() == Some(name))?;
    let span = v.span;
    Some(std::mem::replace(v, Node::scalar("", span)))
}

/// kyaml's `FieldSetter` for a walked field value.
fn set_field(base: &mut Node, name: &str, val: Option<Node>, who: Who, old_style: Option<Style>, origin_key: Option<&Node>) {
    let Some(entries) = base.as_map_mut() else { return };
    let pos = entries.iter().position(|(k, _)| k.as_str() == Some(name));
    let clear = match &val {
        None => true,
        // A null the target wrote is kept; a null from the patch clears the field.
        Some(v) => v.is_null() && who == Who::Origin,
    };
    if clear {
        if let Some(p) = pos {
            entries.remove(p);
        }
        return;
    }
    let mut val = val.unwrap();
    match pos {
        Some(p) => {
            // kyaml keeps the style of the value it replaces: a quoted target value stays quoted
            // (so `"1"` patched with `2` is the string "2").
            if let (Some(old_style), Value::Scalar(_, st)) = (old_style, &mut val.value)
                && old_style != Style::Plain
                && who == Who::Origin
            {
                *st = old_style;
            }
            entries[p].1 = val;
        }
        None => {
            let key = origin_key.cloned().unwrap_or_else(|| Node::scalar(name, val.span));
            entries.push((key, val));
        }
    }
}

/// kyaml `validateKeys`: keep only the merge keys that have a value in some element of the list.
fn validate_keys(values_list: &[Vec<String>], values: &[String], keys: &[String]) -> (Vec<String>, Vec<String>) {
    let mut set: Vec<&str> = Vec::new();
    for vs in values_list {
        for (i, v) in vs.iter().enumerate() {
            if let Some(k) = keys.get(i)
                && !v.is_empty()
                && !set.contains(&k.as_str())
            {
                set.push(k);
            }
        }
    }
    if set.is_empty() {
        return (keys.to_vec(), values.to_vec());
    }
    let vk: Vec<String> = keys.iter().filter(|k| set.contains(&k.as_str())).cloned().collect();
    let vv: Vec<String> = values
        .iter()
        .enumerate()
        .filter(|(i, v)| !v.is_empty() || keys.get(*i).map(|k| set.contains(&k.as_str())).unwrap_or(false))
        .map(|(_, v)| v.clone())
        .collect();
    (vk, vv)
}

/// kyaml `mergeValues`: key tuples that agree except where one side is empty are unified.
fn merge_values(list: &mut [Vec<String>]) {
    for i in 0..list.len() {
        let v1 = list[i].clone();
        for j in 0..list.len() {
            let v2 = list[j].clone();
            if let Some(res) = match_values(&v1, &v2) {
                list[i] = res.clone();
                list[j] = res;
            }
        }
    }
}

fn match_values(a: &[String], b: &[String]) -> Option<Vec<String>> {
    if a.len() != b.len() {
        return None;
    }
    let mut common = false;
    let mut res = Vec::with_capacity(a.len());
    for (x, y) in a.iter().zip(b) {
        if x == y {
            common = true;
            res.push(x.clone());
            continue;
        }
        if !x.is_empty() && !y.is_empty() {
            return None;
        }
        res.push(if x.is_empty() { y.clone() } else { x.clone() });
    }
    common.then_some(res)
}

/// kyaml `ElementMatcher`: the first element matching every key/value (for key "" a scalar whose
/// text is the value; otherwise a mapping whose field `key` has exactly that text).
fn element_list<'a>(items: impl Iterator<Item = (usize, &'a Node)>, keys: &[String], values: &[String]) -> Option<usize> {
    if keys.len() != values.len() && !(keys.first().map(|k| k.is_empty()).unwrap_or(true)) {
        return None;
    }
    let scalar_mode = keys.first().map(|k| k.is_empty()).unwrap_or(true);
    let want0 = values.first().map(|s| s.as_str()).unwrap_or("");
    for (id, n) in items {
        if scalar_mode {
            if raw(n) == want0 {
                return Some(id);
            }
            continue;
        }
        if !n.is_map() {
            continue;
        }
        if keys.iter().zip(values).all(|(k, v)| n.as_map().unwrap().iter().any(|(fk, fv)| fk.as_str() == Some(k.as_str()) && raw(fv) == v)) {
            return Some(id);
        }
    }
    None
}

/// kyaml `FieldMatcher{Name, StringValue}` on one element: with an empty value any element that
/// has the field matches.
fn field_matches(n: &Node, name: &str, value: &str) -> Result<bool, String> {
    if n.is_null() {
        return Ok(false);
    }
    if name.is_empty() {
        if !n.is_scalar() {
            return Err(format!("wrong node kind: expected ScalarNode but got {}", kind_name(n)));
        }
        return Ok(raw(n) == value);
    }
    let Some(m) = n.as_map() else {
        return Err(format!("wrong node kind: expected MappingNode but got {} in an associative list", kind_name(n)));
    };
    Ok(m.iter().any(|(k, v)| k.as_str() == Some(name) && (value.is_empty() || raw(v) == value)))
}

/// kyaml `ElementSetter` on a list of arena ids: drops null and empty-map elements, replaces every
/// element matching the keys with `element` (or removes them when `element` is None), appends
/// `element` when nothing matched.
fn element_setter(list: &mut Vec<usize>, arena: &[Node], element: Option<usize>, keys: &[String], values: &[String]) -> Result<(), String> {
    let default_keys = [String::new()];
    let keys: &[String] = if keys.is_empty() { &default_keys } else { keys };
    let mapping_setter = !keys[0].is_empty() && values.first().map(|v| !v.is_empty()).unwrap_or(false);
    let mut out = Vec::with_capacity(list.len() + 1);
    let mut found_any = false;
    for &id in list.iter() {
        let n = &arena[id];
        if n.is_null() || is_empty_map(n) {
            continue;
        }
        if !n.is_map() && mapping_setter {
            out.push(id);
            continue;
        }
        let mut last = false;
        let mut found = true;
        for j in 0..keys.len() {
            if j < values.len() {
                last = field_matches(n, &keys[j], &values[j])?;
            }
            if !last {
                found = false;
                break;
            }
        }
        if !found {
            if !values.is_empty() {
                out.push(id);
            }
            continue;
        }
        found_any = true;
        if let Some(e) = element {
            out.push(e);
        }
    }
    *list = out;
    if let Some(e) = element
        && !arena[e].is_null()
        && !found_any
    {
        list.push(e);
    }
    Ok(())
}

/// kyaml `appendListNode(itemsToBeAdded, dest, keys)`: put each target element back into the
/// result, replacing the result's elements with the same keys.
fn append_list_node(items: &mut Vec<usize>, dest: &[usize], arena: &[Node], keys: &[String]) -> Result<(), String> {
    for &elem in dest {
        if keys.first().map(|k| k.is_empty()).unwrap_or(true) {
            let v = raw(&arena[elem]).to_string();
            element_setter(items, arena, Some(elem), &[String::new()], &[v])?;
            continue;
        }
        let mut v = Vec::new();
        for key in keys {
            match field(&arena[elem], key) {
                None => items.push(elem),
                Some(val) => v.push(raw(val).to_string()),
            }
        }
        if keys.len() > 1 {
            element_setter(items, arena, None, keys, &v)?;
        }
        element_setter(items, arena, Some(elem), keys, &v)?;
    }
    Ok(())
}
