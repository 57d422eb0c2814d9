//! Values as Helm coalesces them: the release's values over the chart's `values.yaml`, each
//! subchart's section over the subchart's defaults, parent globals over subchart globals, and
//! `null` deleting a default.

use crate::helm::value::{Map, Value};

/// `helm -f a -f b`: later files win, maps merge key by key.
pub fn merge_user(dst: &mut Map, src: &Map) {
    for (k, v) in src {
        match (dst.get(k), v) {
            (Some(Value::Dict(d)), Value::Dict(s)) => {
                let mut d2 = d.borrow().clone();
                merge_user(&mut d2, &s.borrow());
                dst.insert(k.clone(), Value::dict(d2));
            }
            _ => {
                dst.insert(k.clone(), v.deep_copy());
            }
        }
    }
}

/// Coalesce chart defaults `defaults` under the higher-precedence `v` (Helm's `coalesceValues`).
pub fn coalesce_defaults(v: &mut Map, defaults: &Map) {
    for (k, dval) in defaults {
        match v.get(k) {
            Some(Value::Nil) => {
                v.remove(k);
            }
            Some(Value::Dict(d)) => {
                if let Value::Dict(s) = dval {
                    let mut dd = d.borrow().clone();
                    coalesce_tables(&mut dd, &s.borrow());
                    v.insert(k.clone(), Value::dict(dd));
                }
            }
            Some(_) => {}
            None => {
                // A chart's own `null` defaults are not deletions: they vanish here, so a
                // subchart's default for the same key still applies.
                let mut d = dval.deep_copy();
                if let Value::Dict(m) = &mut d {
                    drop_nulls(&mut m.borrow_mut());
                }
                if !matches!(d, Value::Nil) {
                    v.insert(k.clone(), d);
                }
            }
        }
    }
}

/// `dst` wins over `src`; maps merge; `null` in `dst` deletes.
fn coalesce_tables(dst: &mut Map, src: &Map) {
    for (k, sval) in src {
        match dst.get(k) {
            Some(Value::Nil) => {
                dst.remove(k);
            }
            None => {
                dst.insert(k.clone(), sval.deep_copy());
            }
            Some(Value::Dict(d)) => {
                if let Value::Dict(s) = sval {
                    let mut dd = d.borrow().clone();
                    coalesce_tables(&mut dd, &s.borrow());
                    dst.insert(k.clone(), Value::dict(dd));
                }
            }
            Some(_) => {}
        }
    }
}

/// Copy the parent's `global` into a subchart's values: the parent's entries win.
pub fn coalesce_globals(sub: &mut Map, parent: &Map) {
    let pg = match parent.get("global") {
        Some(Value::Dict(g)) => g.borrow().clone(),
        _ => Map::new(),
    };
    let mut sg = match sub.get("global") {
        Some(Value::Dict(g)) => g.borrow().clone(),
        _ => Map::new(),
    };
    for (k, pv) in &pg {
        match (pv, sg.get(k)) {
            (Value::Dict(p), Some(Value::Dict(s))) => {
                let mut merged = p.borrow().clone();
                coalesce_tables(&mut merged, &s.borrow());
                sg.insert(k.clone(), Value::dict(merged));
            }
            (Value::Dict(_), Some(_)) => {}
            (_, Some(Value::Dict(_))) => {}
            _ => {
                sg.insert(k.clone(), pv.deep_copy());
            }
        }
    }
    sub.insert("global".into(), Value::dict(sg));
}

/// Remove `null` entries everywhere, as the values a template sees never hold them.
pub fn drop_nulls(m: &mut Map) {
    m.retain(|_, v| !matches!(v, Value::Nil));
    for v in m.values_mut() {
        if let Value::Dict(d) = v {
            drop_nulls(&mut d.borrow_mut());
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
