//! Legacy `vars` ($(NAME) substitution in the fields `varReference` lists) and `replacements`
//! (copy a field of one object into fields of others).

use super::fieldspec::{apply, Create, FieldSpec};
use super::resource::{key_node, str_node, Gvk, Res};
use super::transform::Selector;
use super::{KError, KResult};
use crate::source::yaml::{Node, Value};
use crate::source::Span;

/// A mapping lookup that ignores letter case in the key (Go's JSON decoding does).
fn geti<'a>(n: &'a Node, key: &str) -> Option<&'a Node> {
    n.get(key).or_else(|| n.as_map()?.iter().find(|(k, _)| k.as_str().is_some_and(|s| s.eq_ignore_ascii_case(key))).map(|(_, v)| v))
}

fn stri<'a>(n: &'a Node, key: &str) -> Option<&'a str> {
    geti(n, key).and_then(|v| v.as_text())
}

#[derive(Clone, Debug)]
pub(crate) struct Var {
    pub name: String,
    kind: String,
    api_version: String,
    obj_name: String,
    namespace: String,
    field_path: String,
    span: Span,
}

impl Var {
    pub fn from_node(n: &Node) -> Option<Var> {
        let obj = geti(n, "objref")?;
        let field_path = geti(n, "fieldref").and_then(|f| stri(f, "fieldpath")).unwrap_or("metadata.name").to_string();
        Some(Var {
            name: stri(n, "name")?.to_string(),
            kind: stri(obj, "kind").unwrap_or("").to_string(),
            api_version: stri(obj, "apiVersion").unwrap_or("").to_string(),
            obj_name: stri(obj, "name").unwrap_or("").to_string(),
            namespace: stri(obj, "namespace").unwrap_or("").to_string(),
            field_path,
            span: n.span,
        })
    }
    /// kustomize's MergeVars matching: kind, name and (when given) apiVersion and namespace,
    /// against any id the resource has had.
    pub fn matches(&self, r: &Res) -> bool {
        let gvk = Gvk::from_api_version(&self.api_version, &self.kind);
        r.any_ids().iter().any(|id| {
            id.name == self.obj_name
                && id.gvk.kind == self.kind
                && (self.api_version.is_empty() || (id.gvk.group == gvk.group && id.gvk.version == gvk.version))
                && (self.namespace.is_empty() || id.effective_namespace() == if self.namespace.is_empty() { "default".to_string() } else { self.namespace.clone() })
        })
    }

}

/// Split a dotted field path, keeping `[a.b=c]` together.
fn split_path(p: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut depth = 0;
    for c in p.chars() {
        match c {
            '[' => {
                if depth == 0 && !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
                depth += 1;
                cur.push(c);
            }
            ']' => {
                depth -= 1;
                cur.push(c);
            }
            '.' if depth == 0 => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

/// Nodes at a field path (`a.b[0].c`, `a.[name=x].b`, `a.*.b`, `a.0.b`).
fn lookup_mut<'a>(n: &'a mut Node, segs: &[String], create: bool, span: Span, out: &mut Vec<&'a mut Node>) -> KResult<()> {
    if segs.is_empty() {
        out.push(n);
        return Ok(());
    }
    let seg = &segs[0];
    if let Some(inner) = seg.strip_prefix('[').and_then(|s| s.strip_suffix(']')) {
        let Some(items) = n.as_seq_mut() else { return Ok(()) };
        if let Ok(i) = inner.parse::<usize>() {
            if let Some(item) = items.get_mut(i) {
                return lookup_mut(item, &segs[1..], create, span, out);
            }
            return Ok(());
        }
        let (k, v) = inner.split_once('=').unwrap_or(("", inner));
        let mut hits: Vec<usize> = items
            .iter()
            .enumerate()
            .filter(|(_, item)| if k.is_empty() { item.as_str() == Some(v) } else { item.str_at(&[k]) == Some(v) })
            .map(|(i, _)| i)
            .collect();
        if hits.is_empty() {
            if !(create && !k.is_empty()) {
                return Ok(());
            }
            let mut m = Node::map(Vec::new(), span);
            m.insert(key_node(k, span), str_node(v, span));
            items.push(m);
            hits.push(items.len() - 1);
        }
        for (idx, item) in items.iter_mut().enumerate() {
            if hits.contains(&idx) {
                lookup_mut(item, &segs[1..], create, span, out)?;
            }
        }
        return Ok(());
    }
    if seg == "*" {
        match &mut n.value {
            Value::Seq(items) => {
                for item in items.iter_mut() {
                    lookup_mut(item, &segs[1..], create, span, out)?;
                }
            }
            Value::Map(entries) => {
                for (_, v) in entries.iter_mut() {
                    lookup_mut(v, &segs[1..], create, span, out)?;
                }
            }
            _ => {}
        }
        return Ok(());
    }
    if n.is_seq() {
        if let Ok(i) = seg.parse::<usize>() {
            if let Some(item) = n.as_seq_mut().unwrap().get_mut(i) {
                return lookup_mut(item, &segs[1..], create, span, out);
            }
        }
        return Ok(());
    }
    if n.is_null() && create {
        *n = Node::map(Vec::new(), span);
    }
    if !n.is_map() {
        return Ok(());
    }
    if n.get(seg).is_none() {
        if !create {
            return Ok(());
        }
        let next_is_seq = segs.get(1).is_some_and(|s| s.starts_with('['));
        let v = if segs.len() == 1 { Node::scalar("", span) } else if next_is_seq { Node::seq(Vec::new(), span) } else { Node::map(Vec::new(), span) };
        n.insert(key_node(seg, span), v);
    }
    lookup_mut(n.get_mut(seg).unwrap(), &segs[1..], create, span, out)
}

fn lookup(n: &Node, path: &str) -> Option<Node> {
    let mut c = n.clone();
    let segs = split_path(path);
    let mut out = Vec::new();
    lookup_mut(&mut c, &segs, false, n.span, &mut out).ok()?;
    out.into_iter().next().map(|x| x.clone())
}

fn scalar_text(n: &Node) -> String {
    n.as_str().unwrap_or("").to_string()
}

/// `$(NAME)` expansion as Kubernetes does it: `$$` escapes, unknown names stay as written.
fn expand(s: &str, lookup: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = String::new();
    let b: Vec<char> = s.chars().collect();
    let mut i = 0;
    while i < b.len() {
        if b[i] == '$' && i + 1 < b.len() {
            if b[i + 1] == '$' {
                out.push('$');
                i += 2;
                continue;
            }
            if b[i + 1] == '(' {
                if let Some(close) = b[i + 2..].iter().position(|&c| c == ')') {
                    let name: String = b[i + 2..i + 2 + close].iter().collect();
                    match lookup(&name) {
                        Some(v) => out.push_str(&v),
                        None => out.push_str(&format!("$({name})")),
                    }
                    i += close + 3;
                    continue;
                }
            }
        }
        out.push(b[i]);
        i += 1;
    }
    out
}

pub(crate) fn resolve_vars(res: &mut [Res], vars: &[Var], specs: &[FieldSpec]) -> KResult<()> {
    if vars.is_empty() {
        return Ok(());
    }
    let mut values: Vec<(String, Node)> = Vec::new();
    for v in vars {
        let Some(r) = res.iter().find(|r| r.ref_vars.contains(&v.name)) else {
            return Err(KError::at(v.span, format!("var '{}' cannot be mapped to a field in the set of known resources", v.name)));
        };
        let path = v.field_path.replace('[', ".[");
        let Some(val) = lookup(&r.node, &path) else {
            return Err(KError::at(v.span, format!("field specified in var '{}' not found in corresponding resource", v.name)));
        };
        values.push((v.name.clone(), val));
    }
    for r in res.iter_mut() {
        let gvk = r.gvk();
        for fs in specs.iter().filter(|fs| fs.selects(&gvk)) {
            let span = r.node.span;
            apply(&mut r.node, &fs.path, Create::No, span, &mut |n: &mut Node| {
                substitute(n, &values);
                Ok(())
            })?;
        }
    }
    Ok(())
}

fn substitute(n: &mut Node, values: &[(String, Node)]) {
    match &mut n.value {
        Value::Map(entries) => {
            for (_, v) in entries.iter_mut() {
                substitute(v, values);
            }
        }
        Value::Seq(items) => {
            for v in items.iter_mut() {
                substitute(v, values);
            }
        }
        Value::Scalar(s, _) => {
            if !s.contains("$(") {
                return;
            }
            for (name, v) in values {
                if *s == format!("$({name})") {
                    let mut nv = v.clone();
                    nv.span = v.span;
                    *n = nv;
                    return;
                }
            }
            let out = expand(s, &|name| values.iter().find(|(k, _)| k == name).map(|(_, v)| scalar_text(v)));
            let span = n.span;
            *n = str_node(&out, span);
        }
    }
}

fn select_node(sel: &Node) -> KResult<Selector> {
    let mut m = Node::map(Vec::new(), sel.span);
    for key in ["group", "version", "kind", "name", "namespace", "labelSelector", "annotationSelector"] {
        if let Some(v) = sel.get(key).and_then(|v| v.as_text()) {
            let v = if matches!(key, "labelSelector" | "annotationSelector") { v.to_string() } else { regex::escape(v) };
            m.insert(key_node(key, sel.span), str_node(&v, sel.span));
        }
    }
    let mut s = Selector::from_node(&m)?;
    s.any_id = true;
    Ok(s)
}

pub(crate) fn replacement(res: &mut [Res], rep: &Node) -> KResult<()> {
    let span = rep.span;
    let Some(src) = rep.get("source") else {
        return Err(KError::at(span, "replacement has no source"));
    };
    let sel = select_node(src)?;
    let srcs: Vec<usize> = (0..res.len()).filter(|&i| sel.matches(&res[i])).collect();
    if srcs.len() > 1 {
        return Err(KError::at(src.span, format!("multiple matches for selector {}", src.str_at(&["name"]).unwrap_or(""))));
    }
    let Some(&si) = srcs.first() else {
        return Err(KError::at(src.span, format!("nothing selected by {}", src.str_at(&["name"]).unwrap_or(src.str_at(&["kind"]).unwrap_or("")))));
    };
    let field_path = src.str_at(&["fieldPath"]).unwrap_or("metadata.name");
    let Some(mut value) = lookup(&res[si].node, field_path) else {
        return Err(KError::at(src.span, format!("fieldPath `{field_path}` is missing for replacement source")));
    };
    if let Some(delim) = src.at(&["options", "delimiter"]).and_then(|d| d.as_str()) {
        let idx = src.at(&["options", "index"]).and_then(|i| i.as_i64()).unwrap_or(0);
        let text = scalar_text(&value);
        let parts: Vec<&str> = text.split(delim).collect();
        let v = if idx < 0 || idx as usize >= parts.len() { text.clone() } else { parts[idx as usize].to_string() };
        value = str_node(&v, value.span);
    }
    for t in rep.get("targets").map(|t| t.items().cloned().collect::<Vec<_>>()).unwrap_or_default() {
        let Some(s) = t.get("select") else {
            return Err(KError::at(t.span, "target must specify resources to select"));
        };
        let sel = select_node(s)?;
        let rejects: Vec<Selector> = t.get("reject").map(|r| r.items().map(select_node).collect::<KResult<Vec<_>>>()).transpose()?.unwrap_or_default();
        let create = t.at(&["options", "create"]).and_then(|c| c.as_bool()).unwrap_or(false);
        let delim = t.at(&["options", "delimiter"]).and_then(|d| d.as_str()).map(str::to_string);
        let index = t.at(&["options", "index"]).and_then(|i| i.as_i64()).unwrap_or(0);
        for i in 0..res.len() {
            if !sel.matches(&res[i]) || rejects.iter().any(|r| r.matches(&res[i])) {
                continue;
            }
            for fp in t.get("fieldPaths").map(|f| f.items().filter_map(|x| x.as_text().map(str::to_string)).collect::<Vec<_>>()).unwrap_or_default() {
                let segs = split_path(&fp);
                let mut found = Vec::new();
                let tspan = t.span;
                lookup_mut(&mut res[i].node, &segs, create, tspan, &mut found)?;
                if found.is_empty() {
                    if create {
                        continue;
                    }
                    return Err(KError::at(t.span, format!("unable to find field \"{fp}\" in replacement target {}", res[i].cur_id().display())));
                }
                for n in found {
                    match &delim {
                        Some(d) => {
                            let cur = scalar_text(n);
                            let mut parts: Vec<String> = cur.split(d.as_str()).map(str::to_string).collect();
                            let v = scalar_text(&value);
                            if index < 0 {
                                parts.insert(0, v);
                            } else if index as usize >= parts.len() {
                                parts.push(v);
                            } else {
                                parts[index as usize] = v;
                            }
                            *n = str_node(&parts.join(d), value.span);
                        }
                        None => *n = value.clone(),
                    }
                }
            }
        }
    }
    Ok(())
}
