//! sprig's list, dict and logic functions (`default`, `empty`, `coalesce`, `ternary`, ...).

use super::{FResult, arg, s};
use crate::helm::value::{Map, Value};

fn ok(v: Value) -> Option<FResult> {
    Some(Ok(v))
}

/// sprig's `empty`: nil, false, 0, "" and empty collections.
pub fn empty(v: &Value) -> bool {
    !matches!(v, Value::Object(_)) && !v.truthy()
}

fn items(v: &Value) -> Result<Vec<Value>, String> {
    match v {
        Value::List(l) => Ok(l.as_ref().clone()),
        Value::Nil => Ok(Vec::new()),
        other => Err(format!("cannot use {} as a list", other.type_name())),
    }
}

fn dict_of(v: &Value) -> Option<std::rc::Rc<crate::helm::value::DictCell>> {
    match v {
        Value::Dict(m) => Some(m.clone()),
        _ => None,
    }
}

/// mergo's merge of `src` into `dst`: maps merge recursively; a value is taken when `dst` has
/// none (or, with `overwrite`, whenever `src`'s is not empty).
pub fn merge_into(dst: &mut Map, src: &Map, overwrite: bool) {
    for (k, sv) in src {
        match dst.get(k) {
            Some(Value::Dict(dm)) if matches!(sv, Value::Dict(_)) => {
                let Value::Dict(sm) = sv else { unreachable!() };
                if std::rc::Rc::ptr_eq(dm, sm) {
                    continue;
                }
                let sm = sm.borrow().clone();
                merge_into(&mut dm.borrow_mut(), &sm, overwrite);
            }
            Some(dv) if !empty(dv) => {
                if overwrite && !empty(sv) {
                    dst.insert(k.clone(), sv.deep_copy());
                }
            }
            _ => {
                dst.insert(k.clone(), sv.deep_copy());
            }
        }
    }
}

pub fn call(name: &str, a: &[Value]) -> Option<FResult> {
    let r: FResult = match name {
        "list" | "tuple" => Ok(Value::list(a.to_vec())),
        "dict" => {
            let mut m = Map::new();
            for pair in a.chunks(2) {
                m.insert(pair[0].text(), pair.get(1).cloned().unwrap_or(Value::Nil));
            }
            Ok(Value::dict(m))
        }
        "set" => match dict_of(&arg(a, 0)) {
            Some(m) => {
                m.borrow_mut().insert(s(a, 1), arg(a, 2));
                m.set_origin(&s(a, 1), None);
                Ok(Value::Dict(m))
            }
            None => Err("set: first argument is not a dict".into()),
        },
        "unset" => match dict_of(&arg(a, 0)) {
            Some(m) => {
                m.borrow_mut().remove(&s(a, 1));
                Ok(Value::Dict(m))
            }
            None => Err("unset: first argument is not a dict".into()),
        },
        "hasKey" => Ok(Value::Bool(dict_of(&arg(a, 0)).is_some_and(|m| m.borrow().contains_key(&s(a, 1))))),
        "get" => Ok(dict_of(&arg(a, 0)).and_then(|m| m.borrow().get(&s(a, 1)).cloned()).unwrap_or(Value::str(""))),
        "keys" => {
            let mut ks: Vec<String> = a.iter().filter_map(dict_of).flat_map(|m| m.borrow().keys().cloned().collect::<Vec<_>>()).collect();
            ks.sort();
            Ok(Value::list(ks.into_iter().map(Value::Str).collect()))
        }
        "values" => Ok(Value::list(dict_of(&arg(a, 0)).map(|m| m.borrow().values().cloned().collect()).unwrap_or_default())),
        "pluck" => Ok(Value::list(a.iter().skip(1).filter_map(dict_of).filter_map(|m| m.borrow().get(&s(a, 0)).cloned()).collect())),
        "pick" | "omit" => match dict_of(&arg(a, 0)) {
            Some(m) => {
                let names: Vec<String> = a[1..].iter().map(Value::text).collect();
                let keep = name == "pick";
                Ok(Value::dict(m.borrow().iter().filter(|(k, _)| names.contains(k) == keep).map(|(k, v)| (k.clone(), v.clone())).collect()))
            }
            None => Ok(Value::dict(Map::new())),
        },
        "dig" => {
            if a.len() < 3 {
                return Some(Err("dig needs keys, a default and a dict".into()));
            }
            let mut cur = a[a.len() - 1].clone();
            for k in &a[..a.len() - 2] {
                cur = match dict_of(&cur).and_then(|m| m.borrow().get(&k.text()).cloned()) {
                    Some(v) => v,
                    None => return ok(a[a.len() - 2].clone()),
                };
            }
            Ok(cur)
        }
        "merge" | "mustMerge" | "mergeOverwrite" | "mustMergeOverwrite" => match dict_of(&arg(a, 0)) {
            Some(dst) => {
                for src in &a[1..] {
                    if let Some(sm) = dict_of(src) {
                        if std::rc::Rc::ptr_eq(&dst, &sm) {
                            continue;
                        }
                        let sm = sm.borrow().clone();
                        merge_into(&mut dst.borrow_mut(), &sm, name.contains("Overwrite"));
                    }
                }
                Ok(Value::Dict(dst))
            }
            None => Err(format!("{name}: first argument is not a dict")),
        },
        "deepCopy" | "mustDeepCopy" => Ok(arg(a, 0).deep_copy()),
        "first" | "mustFirst" => items(&arg(a, 0)).map(|l| l.first().cloned().unwrap_or(Value::Nil)),
        "last" | "mustLast" => items(&arg(a, 0)).map(|l| l.last().cloned().unwrap_or(Value::Nil)),
        "rest" | "mustRest" => items(&arg(a, 0)).map(|l| Value::list(l.into_iter().skip(1).collect())),
        "initial" | "mustInitial" => items(&arg(a, 0)).map(|mut l| {
            l.pop();
            Value::list(l)
        }),
        "append" | "push" | "mustAppend" | "mustPush" => items(&arg(a, 0)).map(|mut l| {
            l.push(arg(a, 1));
            Value::list(l)
        }),
        "prepend" | "mustPrepend" => items(&arg(a, 0)).map(|mut l| {
            l.insert(0, arg(a, 1));
            Value::list(l)
        }),
        "concat" => {
            let mut out = Vec::new();
            for x in a {
                match items(x) {
                    Ok(l) => out.extend(l),
                    Err(e) => return Some(Err(e)),
                }
            }
            Ok(Value::list(out))
        }
        "uniq" | "mustUniq" => items(&arg(a, 0)).map(|l| {
            let mut out: Vec<Value> = Vec::new();
            for x in l {
                if !out.contains(&x) {
                    out.push(x);
                }
            }
            Value::list(out)
        }),
        "has" | "mustHas" => items(&arg(a, 1)).map(|l| Value::Bool(l.contains(&arg(a, 0)))),
        "without" | "mustWithout" => items(&arg(a, 0)).map(|l| Value::list(l.into_iter().filter(|x| !a[1..].contains(x)).collect())),
        "compact" | "mustCompact" => items(&arg(a, 0)).map(|l| Value::list(l.into_iter().filter(|x| !empty(x)).collect())),
        "reverse" | "mustReverse" => items(&arg(a, 0)).map(|mut l| {
            l.reverse();
            Value::list(l)
        }),
        "sortAlpha" => items(&arg(a, 0)).map(|l| {
            let mut v: Vec<String> = l.iter().map(Value::text).collect();
            v.sort();
            Value::list(v.into_iter().map(Value::Str).collect())
        }),
        "slice" | "mustSlice" => items(&arg(a, 0)).map(|l| {
            let n = l.len();
            let from = a.get(1).map(super::math::to_int).unwrap_or(0).clamp(0, n as i64) as usize;
            let to = a.get(2).map(super::math::to_int).unwrap_or(n as i64).clamp(from as i64, n as i64) as usize;
            Value::list(l[from..to].to_vec())
        }),
        "until" => Ok(Value::list(range(0, super::math::to_int(&arg(a, 0)), 1))),
        "untilStep" => Ok(Value::list(range(super::math::to_int(&arg(a, 0)), super::math::to_int(&arg(a, 1)), super::math::to_int(&arg(a, 2))))),
        "seq" => {
            let n: Vec<i64> = a.iter().map(super::math::to_int).collect();
            let (start, end, step) = match n.as_slice() {
                [e] => (1, *e, if *e >= 1 { 1 } else { -1 }),
                [b, e] => (*b, *e, if e >= b { 1 } else { -1 }),
                [b, st, e] => (*b, *e, *st),
                _ => (0, 0, 0),
            };
            let end = if step > 0 { end + 1 } else { end - 1 };
            Ok(Value::Str(range(start, end, step).iter().map(Value::text).collect::<Vec<_>>().join(" ")))
        }
        "empty" => Ok(Value::Bool(empty(&arg(a, 0)))),
        "default" => Ok(match a.len() {
            0 | 1 => arg(a, 0),
            _ if empty(&a[1]) => a[0].clone(),
            _ => a[1].clone(),
        }),
        "coalesce" => Ok(a.iter().find(|v| !empty(v)).cloned().unwrap_or(Value::Nil)),
        "all" => Ok(Value::Bool(a.iter().all(|v| !empty(v)))),
        "any" => Ok(Value::Bool(a.iter().any(|v| !empty(v)))),
        "ternary" => Ok(if arg(a, 2).truthy() { arg(a, 0) } else { arg(a, 1) }),
        "typeOf" => Ok(Value::str(arg(a, 0).type_name())),
        "kindOf" => Ok(Value::str(arg(a, 0).kind_name())),
        "kindIs" => Ok(Value::Bool(arg(a, 1).kind_name() == s(a, 0))),
        "typeIs" => Ok(Value::Bool(arg(a, 1).type_name() == s(a, 0))),
        "typeIsLike" => Ok(Value::Bool(arg(a, 1).type_name().trim_start_matches('*') == s(a, 0).trim_start_matches('*'))),
        "deepEqual" => Ok(Value::Bool(arg(a, 0) == arg(a, 1))),
        _ => return None,
    };
    Some(r)
}

/// `until`/`untilStep`, bounded so a template cannot ask for billions of items.
fn range(start: i64, stop: i64, step: i64) -> Vec<Value> {
    let mut out = Vec::new();
    if step == 0 {
        return out;
    }
    let mut i = start;
    while (step > 0 && i < stop) || (step < 0 && i > stop) {
        out.push(Value::Int(i));
        if out.len() >= 1_000_000 {
            break;
        }
        i += step;
    }
    out
}
