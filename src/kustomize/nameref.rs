//! Name reference fix-ups: after prefixes, suffixes, hashes and namespaces changed names, every
//! field that kustomize's nameReference configuration lists (ConfigMap/Secret refs in pod specs,
//! ServiceAccounts, PVC claimNames, Services in Ingresses, roleRefs...) is pointed at the new
//! name. Fields the configuration does not list, such as those of custom resources, are left
//! alone, as kustomize leaves them.

use super::fieldspec::{apply, Create, NameBackRef, TransformerConfig};
use super::resource::{str_node, Gvk, Res, ResId};
use super::{KError, KResult};
use crate::source::yaml::{Node, ParsedFile};

fn gvk_selected(target: &Gvk, gvk: &Gvk) -> bool {
    (target.group.is_empty() || target.group == gvk.group)
        && (target.version.is_empty() || target.version == gvk.version)
        && (target.kind.is_empty() || target.kind == gvk.kind)
}

struct Snapshot {
    /// Original id, previous ids, current id.
    ids: Vec<ResId>,
    /// Ids before each rename (kustomize's PrevIds): only renamed or moved objects have any, and
    /// only they are candidates for a fix-up.
    prev: Vec<ResId>,
    cur: ResId,
    gvk: Gvk,
    prefixes: Vec<String>,
    suffixes: Vec<String>,
}

pub(crate) fn fix(res: &mut [Res], config: &TransformerConfig) -> KResult<()> {
    let snaps: Vec<Snapshot> = res
        .iter()
        .map(|r| {
            let mut ids = vec![r.org_id.clone()];
            ids.extend(r.prev_ids.iter().cloned());
            ids.push(r.cur_id());
            Snapshot { cur: r.cur_id(), gvk: r.gvk(), ids, prev: r.prev_ids.clone(), prefixes: r.prefixes.clone(), suffixes: r.suffixes.clone() }
        })
        .collect();
    for backref in &config.name_reference {
        let candidates: Vec<usize> = (0..snaps.len()).filter(|&i| snaps[i].ids.iter().any(|id| gvk_selected(&backref.gvk, &id.gvk))).collect();
        if candidates.is_empty() {
            continue;
        }
        for ri in 0..res.len() {
            let referrer_gvk = snaps[ri].gvk.clone();
            let referrer = Referrer { cur: snaps[ri].cur.clone(), prefixes: snaps[ri].prefixes.clone(), suffixes: snaps[ri].suffixes.clone() };
            for fs in backref.field_specs.iter().filter(|fs| fs.selects(&referrer_gvk)) {
                let role_ref_kind = if fs.path_text == "roleRef/name" { res[ri].node.str_at(&["roleRef", "kind"]).map(str::to_string) } else { None };
                let span = res[ri].node.span;
                let r_name = res[ri].name();
                apply(&mut res[ri].node, &fs.path, Create::No, span, &mut |n: &mut Node| {
                    set(n, backref, &snaps, &candidates, &referrer, role_ref_kind.as_deref())
                })
                .map_err(|e| {
                    KError::new(
                        format!("updating name reference in '{}' field of '{}/{}': {}", fs.path_text, referrer_gvk.display(), r_name, e.message),
                        e.span,
                    )
                })?;
            }
        }
    }
    Ok(())
}

struct Referrer {
    cur: ResId,
    prefixes: Vec<String>,
    suffixes: Vec<String>,
}

fn set(n: &mut Node, backref: &NameBackRef, snaps: &[Snapshot], candidates: &[usize], referrer: &Referrer, role_ref_kind: Option<&str>) -> KResult<()> {
    if n.is_null() {
        return Ok(());
    }
    if n.is_seq() {
        for item in n.as_seq_mut().unwrap() {
            set(item, backref, snaps, candidates, referrer, role_ref_kind)?;
        }
        return Ok(());
    }
    if n.is_map() {
        // A reference written as a mapping: {name, namespace?} (subjects, webhook services).
        let Some(old) = n.str_at(&["name"]).map(str::to_string) else {
            return Err(KError::new("path config error; no 'name' field in node", None));
        };
        if n.get("namespace").is_some_and(|x| x.as_text().is_none_or(|t| t.is_empty())) {
            return Err(KError::new(format!("Invalid Input: namespace is blank for resource \"{}\"", referrer.cur.display()), None));
        }
        let ns = n.str_at(&["namespace"]).map(str::to_string);
        let pool: Vec<usize> = match &ns {
            Some(ns) => {
                let same = |x: &str| x == ns || (x.is_empty() && ns == "default");
                let by_org: Vec<usize> = candidates.iter().copied().filter(|&i| same(&snaps[i].ids[0].namespace)).collect();
                if by_org.is_empty() { candidates.iter().copied().filter(|&i| same(&snaps[i].cur.namespace)).collect() } else { by_org }
            }
            None => candidates.to_vec(),
        };
        if let Some(i) = select(&old, backref, snaps, &pool, referrer, role_ref_kind, true)? {
            let target = &snaps[i].cur;
            if target.name == old && target.namespace.is_empty() {
                return Ok(());
            }
            let span = n.get("name").map(|x| x.span).unwrap_or(n.span);
            if target.name != old {
                n.insert(super::resource::key_node("name", span), str_node(&target.name, span));
            }
            if !target.namespace.is_empty() && ns.as_deref() != Some(&target.namespace) {
                let span = n.get("namespace").map(|x| x.span).unwrap_or(span);
                n.insert(super::resource::key_node("namespace", span), str_node(&target.namespace, span));
            }
        }
        return Ok(());
    }
    let Some(old) = n.as_text().map(str::to_string) else { return Ok(()) };
    if let Some(i) = select(&old, backref, snaps, candidates, referrer, role_ref_kind, false)? {
        let target = &snaps[i].cur;
        if target.name != old {
            let span = n.span;
            *n = str_node(&target.name, span);
        }
    }
    Ok(())
}

/// kustomize's SameEndingSubSlice: the shorter list is the tail of the longer (an empty list
/// is the tail of any list).
fn same_ending(a: &[String], b: &[String]) -> bool {
    let (short, long) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    let diff = long.len() - short.len();
    short.iter().enumerate().all(|(i, s)| long[i + diff] == *s)
}

fn select(old: &str, backref: &NameBackRef, snaps: &[Snapshot], pool: &[usize], referrer: &Referrer, role_ref_kind: Option<&str>, mapping: bool) -> KResult<Option<usize>> {
    let mut c: Vec<usize> = pool
        .iter()
        .copied()
        .filter(|&i| snaps[i].prev.iter().any(|id| id.name == old))
        .filter(|&i| snaps[i].prev.iter().any(|id| gvk_selected(&backref.gvk, &id.gvk)))
        .filter(|&i| role_ref_kind.is_none_or(|k| snaps[i].prev.iter().any(|id| id.gvk.kind == k)))
        .collect();
    if !referrer.cur.gvk.is_cluster_scoped() {
        c.retain(|&i| snaps[i].cur.gvk.is_cluster_scoped() || snaps[i].gvk.kind == "ServiceAccount" || snaps[i].cur.ns_equals(&referrer.cur));
    }
    if c.len() == 1 {
        return Ok(Some(c[0]));
    }
    c.retain(|&i| same_ending(&snaps[i].prefixes, &referrer.prefixes) && same_ending(&snaps[i].suffixes, &referrer.suffixes));
    if c.len() == 1 {
        return Ok(Some(c[0]));
    }
    if c.is_empty() {
        return Ok(None);
    }
    let first = &snaps[c[0]].cur;
    // A reference that also names the namespace is ambiguous when the namespaces differ.
    if c.iter().all(|&i| snaps[i].cur.name == first.name && (!mapping || snaps[i].cur.namespace == first.namespace)) {
        return Ok(Some(c[0]));
    }
    let names: Vec<String> = c.iter().map(|&i| snaps[i].cur.display()).collect();
    Err(KError::new(format!("found multiple possible referrals: {}", names.join(", ")), None))
}

/// `crds:` files (OpenAPI definitions keyed by Go type name): properties marked with
/// `x-kubernetes-object-ref-kind` become name references, `$ref`s are followed.
pub(crate) fn crd_config(parsed: &ParsedFile, config: &mut TransformerConfig) {
    for d in &parsed.documents {
        let Some(root) = &d.root else { continue };
        for (type_name, _, def) in root.entries() {
            let Some(props) = def.at(&["Schema", "properties"]) else { continue };
            if props.get("kind").is_none() || props.get("apiVersion").is_none() {
                continue;
            }
            let kind = type_name.rsplit('.').next().unwrap_or(type_name).to_string();
            let mut stack: Vec<(String, &Node, usize)> = vec![(String::new(), props, 0)];
            while let Some((path, props, depth)) = stack.pop() {
                if depth > 16 {
                    continue;
                }
                for (k, _, v) in props.entries() {
                    let p = if path.is_empty() { k.to_string() } else { format!("{path}/{k}") };
                    if let Some(ref_kind) = v.str_at(&["x-kubernetes-object-ref-kind"]) {
                        let fs = super::fieldspec::FieldSpec::new(&format!("{p}/name"), false).with_kind(&kind);
                        let gvk = Gvk { group: String::new(), version: String::new(), kind: ref_kind.to_string() };
                        config.merge(&TransformerConfig { name_reference: vec![NameBackRef { gvk, field_specs: vec![fs] }], ..Default::default() });
                        continue;
                    }
                    if p == "metadata" || p == "apiVersion" || p == "kind" {
                        continue;
                    }
                    if let Some(r) = v.str_at(&["$ref"]) {
                        if let Some(sub) = root.get(r).and_then(|t| t.at(&["Schema", "properties"])) {
                            stack.push((p, sub, depth + 1));
                        }
                    } else if let Some(sub) = v.get("properties") {
                        stack.push((p, sub, depth + 1));
                    }
                }
            }
        }
    }
}

