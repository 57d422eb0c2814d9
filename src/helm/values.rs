//! Values as Helm coalesces them: the release's values over the chart's `values.yaml`, each
//! subchart's section over the subchart's defaults, parent globals over subchart globals, and
//! `null` deleting a default.
//!
//! Each entry keeps where it was written (`origin`): a merged entry keeps the winning layer's.

use crate::helm::value::{DictCell, Map, Value};
use std::rc::Rc;

/// The value of `key` in `d` (a clone: values are shared references).
fn get(d: &DictCell, key: &str) -> Option<Value> {
    d.borrow().get(key).cloned()
}

fn put(d: &DictCell, key: &str, v: Value) {
    d.borrow_mut().insert(key.to_string(), v);
}

/// `helm -f a -f b`: later files win, maps merge key by key.
pub fn merge_user(dst: &DictCell, src: &DictCell) {
    let entries: Vec<(String, Value)> = src.borrow().iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    for (k, v) in entries {
        match (get(dst, &k), &v) {
            (Some(Value::Dict(d)), Value::Dict(s)) => {
                let merged = d.copy();
                merge_user(&merged, s);
                put(dst, &k, Value::Dict(Rc::new(merged)));
                dst.set_origin(&k, src.origin(&k).or_else(|| dst.origin(&k)));
            }
            _ => {
                put(dst, &k, v.deep_copy());
                dst.set_origin(&k, src.origin(&k));
            }
        }
    }
}

/// Coalesce chart defaults `defaults` under the higher-precedence `v` (Helm's `coalesceValues`).
pub fn coalesce_defaults(v: &DictCell, defaults: &DictCell) {
    let entries: Vec<(String, Value)> = defaults.borrow().iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    for (k, dval) in entries {
        match get(v, &k) {
            Some(Value::Nil) => {
                v.borrow_mut().remove(&k);
                v.set_origin(&k, None);
            }
            Some(Value::Dict(d)) => {
                if let Value::Dict(s) = &dval {
                    let merged = d.copy();
                    coalesce_tables(&merged, s);
                    put(v, &k, Value::Dict(Rc::new(merged)));
                }
            }
            Some(_) => {}
            None => {
                // A chart's own `null` defaults are not deletions: they vanish here, so a
                // subchart's default for the same key still applies.
                let d = dval.deep_copy();
                if let Value::Dict(m) = &d {
                    drop_nulls(m);
                }
                if !matches!(d, Value::Nil) {
                    put(v, &k, d);
                    v.set_origin(&k, defaults.origin(&k));
                }
            }
        }
    }
}

/// `dst` wins over `src`; maps merge; `null` in `dst` deletes.
fn coalesce_tables(dst: &DictCell, src: &DictCell) {
    let entries: Vec<(String, Value)> = src.borrow().iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    for (k, sval) in entries {
        match get(dst, &k) {
            Some(Value::Nil) => {
                dst.borrow_mut().remove(&k);
                dst.set_origin(&k, None);
            }
            None => {
                put(dst, &k, sval.deep_copy());
                dst.set_origin(&k, src.origin(&k));
            }
            Some(Value::Dict(d)) => {
                if let Value::Dict(s) = &sval {
                    let merged = d.copy();
                    coalesce_tables(&merged, s);
                    put(dst, &k, Value::Dict(Rc::new(merged)));
                }
            }
            Some(_) => {}
        }
    }
}

/// Copy the parent's `global` into a subchart's values: the parent's entries win.
pub fn coalesce_globals(sub: &DictCell, parent: &DictCell) {
    let pg = match get(parent, "global") {
        Some(Value::Dict(g)) => g.copy(),
        _ => DictCell::default(),
    };
    let sg = match get(sub, "global") {
        Some(Value::Dict(g)) => g.copy(),
        _ => DictCell::default(),
    };
    let entries: Vec<(String, Value)> = pg.borrow().iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    for (k, pv) in entries {
        match (&pv, get(&sg, &k)) {
            (Value::Dict(p), Some(Value::Dict(s))) => {
                let merged = p.copy();
                coalesce_tables(&merged, &s);
                put(&sg, &k, Value::Dict(Rc::new(merged)));
                sg.set_origin(&k, pg.origin(&k));
            }
            (Value::Dict(_), Some(_)) => {}
            (_, Some(Value::Dict(_))) => {}
            _ => {
                put(&sg, &k, pv.deep_copy());
                sg.set_origin(&k, pg.origin(&k));
            }
        }
    }
    put(sub, "global", Value::Dict(Rc::new(sg)));
}

/// Helm's `MergeTables`: `src`'s entries added to `dst` where `dst` has none; maps merge; `dst`
/// wins otherwise (nulls are kept).
pub fn merge_tables(dst: &DictCell, src: &DictCell) {
    let entries: Vec<(String, Value)> = src.borrow().iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    for (k, sval) in entries {
        match (get(dst, &k), &sval) {
            (None, _) => {
                put(dst, &k, sval.deep_copy());
                dst.set_origin(&k, src.origin(&k));
            }
            (Some(Value::Dict(d)), Value::Dict(s)) => {
                let merged = d.copy();
                merge_tables(&merged, s);
                put(dst, &k, Value::Dict(Rc::new(merged)));
            }
            _ => {}
        }
    }
}

/// Remove `null` entries everywhere, as the values a template sees never hold them.
pub fn drop_nulls(m: &DictCell) {
    m.borrow_mut().retain(|_, v| !matches!(v, Value::Nil));
    for v in m.borrow().values() {
        if let Value::Dict(d) = v {
            drop_nulls(d);
        }
    }
}

/// A dotted path (`sub.enabled`) in a values map.
pub fn path(m: &Map, p: &str) -> Option<Value> {
    let mut cur = Value::dict(m.clone());
    for part in p.split('.') {
        cur = match &cur {
            Value::Dict(d) => d.borrow().get(part)?.clone(),
            _ => return None,
        };
    }
    Some(cur)
}
