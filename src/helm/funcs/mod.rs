//! The functions a template can call: Go's builtins, the sprig functions charts use, and the
//! host's own: Helm's (`helm`) or Argo CD's ApplicationSet ones (`argo`). `include` and `tpl` need
//! the template set and live in the executor.
//!
//! A function not listed here is an error naming it: the template that calls it is not rendered
//! and the chart's other templates still are.

pub mod argo;
pub mod fmt;
pub mod helm;
pub mod lists;
pub mod math;
pub mod strings;
pub mod yaml;

use crate::helm::template::Funcs;
use crate::helm::value::Value;

pub type FResult = Result<Value, String>;

type Family = fn(&str, &[Value]) -> Option<FResult>;

pub fn call(name: &str, args: Vec<Value>, dot: &Value, host: Funcs) -> FResult {
    let _ = dot;
    if let Some(r) = builtin(name, &args) {
        return r;
    }
    // Argo CD's family comes first: it answers for the functions its map lacks. `helm` also
    // holds sprig's JSON, date and `fail` functions, which both hosts have.
    let families: &[Family] = match host {
        Funcs::Helm => &[strings::call, lists::call, math::call, helm::call],
        Funcs::Argo => &[argo::call, strings::call, lists::call, math::call, helm::call],
    };
    for family in families {
        if let Some(r) = family(name, &args) {
            return r;
        }
    }
    Err(format!("function \"{name}\" not defined"))
}

pub fn arg(args: &[Value], i: usize) -> Value {
    args.get(i).cloned().unwrap_or(Value::Nil)
}

pub fn s(args: &[Value], i: usize) -> String {
    args.get(i).map(Value::text).unwrap_or_default()
}

pub fn want(args: &[Value], n: usize, name: &str) -> Result<(), String> {
    if args.len() < n {
        return Err(format!("wrong number of args for {name}: want {n} got {}", args.len()));
    }
    Ok(())
}

/// Go's basic comparison: numbers of either kind compare by value, strings by bytes.
pub fn compare(a: &Value, b: &Value) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Some(x.cmp(y)),
        (Value::Float(x), Value::Float(y)) => x.partial_cmp(y),
        (Value::Int(x), Value::Float(y)) => (*x as f64).partial_cmp(y),
        (Value::Float(x), Value::Int(y)) => x.partial_cmp(&(*y as f64)),
        (Value::Str(x), Value::Str(y)) => Some(x.cmp(y)),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

/// Go's comparison functions refuse two non-nil operands of different basic kinds (an int
/// literal against a float64 from values, a bool against a string).
fn kind_clash(a: &Value, b: &Value) -> bool {
    !matches!(a, Value::Nil) && !matches!(b, Value::Nil) && std::mem::discriminant(a) != std::mem::discriminant(b)
}

fn basic(v: &Value) -> bool {
    !matches!(v, Value::List(_) | Value::Dict(_) | Value::Object(_))
}

/// `text/template`'s builtins.
fn builtin(name: &str, a: &[Value]) -> Option<FResult> {
    Some(match name {
        "not" => Ok(Value::Bool(!arg(a, 0).truthy())),
        "eq" => {
            if a.len() < 2 {
                return Some(Err("missing argument for comparison".into()));
            }
            if !basic(&a[0]) {
                return Some(Err(format!("error calling eq: non-comparable type {}", a[0].type_name())));
            }
            for b in &a[1..] {
                if !basic(b) {
                    return Some(Err(format!("error calling eq: non-comparable type {}", b.type_name())));
                }
                if kind_clash(&a[0], b) {
                    return Some(Err(format!("error calling eq: incompatible types for comparison: {} and {}", a[0].kind_name(), b.kind_name())));
                }
                if a[0] == *b {
                    return Some(Ok(Value::Bool(true)));
                }
            }
            Ok(Value::Bool(false))
        }
        "ne" => {
            if let Err(e) = want(a, 2, name) {
                return Some(Err(e));
            }
            if !basic(&a[0]) || !basic(&a[1]) {
                return Some(Err("error calling ne: non-comparable types".into()));
            }
            if kind_clash(&a[0], &a[1]) {
                return Some(Err(format!("error calling ne: incompatible types for comparison: {} and {}", a[0].kind_name(), a[1].kind_name())));
            }
            Ok(Value::Bool(a[0] != a[1]))
        }
        "lt" | "le" | "gt" | "ge" => {
            if a.len() < 2 {
                return Some(Err(format!("wrong number of args for {name}")));
            }
            let o = if kind_clash(&a[0], &a[1]) || matches!(a[0], Value::Nil) || matches!(a[1], Value::Nil) { None } else { compare(&a[0], &a[1]) };
            let Some(o) = o else {
                return Some(Err(format!("error calling {name}: incompatible types for comparison")));
            };
            use std::cmp::Ordering::*;
            Ok(Value::Bool(match name {
                "lt" => o == Less,
                "le" => o != Greater,
                "gt" => o == Greater,
                _ => o != Less,
            }))
        }
        "len" => match arg(a, 0) {
            Value::Str(s) => Ok(Value::Int(s.len() as i64)),
            Value::List(l) => Ok(Value::Int(l.len() as i64)),
            Value::Dict(m) => Ok(Value::Int(m.borrow().len() as i64)),
            v => Err(format!("error calling len: len of type {}", v.type_name())),
        },
        "index" => {
            let mut v = arg(a, 0);
            for k in a.iter().skip(1) {
                v = match (&v, k) {
                    (Value::Dict(m), k) => m.borrow().get(&k.text()).cloned().unwrap_or(Value::Nil),
                    (Value::List(l), Value::Int(i)) => match l.get(*i as usize) {
                        Some(x) if *i >= 0 => x.clone(),
                        _ => return Some(Err(format!("error calling index: index out of range: {i}"))),
                    },
                    (Value::Str(s), Value::Int(i)) => match s.as_bytes().get(*i as usize) {
                        Some(b) => Value::Int(*b as i64),
                        None => return Some(Err(format!("error calling index: index out of range: {i}"))),
                    },
                    (Value::Nil, _) => return Some(Err("error calling index: index of untyped nil".into())),
                    _ => return Some(Err(format!("error calling index: cannot index slice/array with type {}", k.type_name()))),
                };
            }
            Ok(v)
        }
        "print" => {
            // Go's Sprint: spaces between operands when neither is a string.
            let mut out = String::new();
            for (i, v) in a.iter().enumerate() {
                if i > 0 && !matches!(v, Value::Str(_)) && !matches!(a[i - 1], Value::Str(_)) {
                    out.push(' ');
                }
                out.push_str(&printed(v));
            }
            Ok(Value::Str(out))
        }
        "println" => Ok(Value::Str(format!("{}\n", a.iter().map(printed).collect::<Vec<_>>().join(" ")))),
        "printf" => Ok(Value::Str(fmt::sprintf(&s(a, 0), a.get(1..).unwrap_or(&[])))),
        "html" | "js" | "urlquery" => Ok(Value::Str(a.iter().map(Value::text).collect())),
        "call" => Err("error calling call: functions are not values in drlint".into()),
        _ => return None,
    })
}

/// A value as `fmt.Sprint` prints an operand (nil is `<nil>`).
pub fn printed(v: &Value) -> String {
    match v {
        Value::Nil => "<nil>".into(),
        v => v.to_go_string(),
    }
}
