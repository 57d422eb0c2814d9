//! The dynamic value a Helm template works on: what Go holds in an `interface{}` after Helm read
//! values with `sigs.k8s.io/yaml` (numbers become `float64`, maps are `map[string]interface{}`).
//!
//! Maps are shared references, as Go maps are: sprig's `set` and `unset` change a dict in place and
//! every variable holding it sees the change. Maps iterate sorted by key, as `range` and `fmt` do.

use super::origin::{EntryOrigin, OriginFile};
use crate::source::yaml::{Node, Resolved, Style, Value as YValue, resolve_plain};
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::rc::Rc;

pub type Map = BTreeMap<String, Value>;

/// A Go map shared by reference, and where its entries were written when they came from values
/// (see `origin`). It reads as the `RefCell<Map>` it wraps.
#[derive(Debug, Default)]
pub struct DictCell {
    map: RefCell<Map>,
    origins: RefCell<BTreeMap<String, EntryOrigin>>,
}

impl std::ops::Deref for DictCell {
    type Target = RefCell<Map>;
    fn deref(&self) -> &RefCell<Map> {
        &self.map
    }
}

impl DictCell {
    pub fn new(map: Map) -> DictCell {
        DictCell { map: RefCell::new(map), origins: RefCell::default() }
    }
    /// Where entry `key` was written, when it came from values.
    pub fn origin(&self, key: &str) -> Option<EntryOrigin> {
        self.origins.borrow().get(key).cloned()
    }
    pub fn set_origin(&self, key: &str, origin: Option<EntryOrigin>) {
        match origin {
            Some(o) => self.origins.borrow_mut().insert(key.to_string(), o),
            None => self.origins.borrow_mut().remove(key),
        };
    }
    /// A new map holding the same entries (values shared) and origins.
    pub fn copy(&self) -> DictCell {
        DictCell { map: RefCell::new(self.map.borrow().clone()), origins: RefCell::new(self.origins.borrow().clone()) }
    }
}

#[derive(Clone, Debug)]
pub enum Value {
    Nil,
    Bool(bool),
    /// Go's `int`/`int64` (template literals, `len`, sprig's math).
    Int(i64),
    /// Go's `float64` (every number read from values, JSON or YAML).
    Float(f64),
    Str(String),
    List(Rc<Vec<Value>>),
    Dict(Rc<DictCell>),
    /// A Go struct Helm passes in (`.Release`, `.Chart`, `.Capabilities`, `.Files`, ...).
    Object(Rc<Object>),
}

/// A struct-like value: named fields, an optional `String()` form, and a kind that decides which
/// methods it has.
#[derive(Debug)]
pub struct Object {
    pub kind: ObjectKind,
    pub fields: Map,
    pub display: Option<String>,
}

#[derive(Debug)]
pub enum ObjectKind {
    Plain,
    /// `.Files` (or a `Glob` subset): path -> content.
    Files(BTreeMap<String, Vec<u8>>),
    /// `.Capabilities.APIVersions`.
    ApiVersions(Vec<String>),
}

impl PartialEq for Value {
    fn eq(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Nil, Value::Nil) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Float(a), Value::Float(b)) => a == b,
            (Value::Int(a), Value::Float(b)) | (Value::Float(b), Value::Int(a)) => (*a as f64) == *b,
            (Value::Str(a), Value::Str(b)) => a == b,
            (Value::List(a), Value::List(b)) => a == b,
            (Value::Dict(a), Value::Dict(b)) => Rc::ptr_eq(a, b) || *a.borrow() == *b.borrow(),
            (Value::Object(a), Value::Object(b)) => Rc::ptr_eq(a, b),
            _ => false,
        }
    }
}

impl Value {
    pub fn str(s: impl Into<String>) -> Value {
        Value::Str(s.into())
    }
    pub fn list(v: Vec<Value>) -> Value {
        Value::List(Rc::new(v))
    }
    pub fn dict(m: Map) -> Value {
        Value::Dict(Rc::new(DictCell::new(m)))
    }
    pub fn object(kind: ObjectKind, fields: Map, display: Option<String>) -> Value {
        Value::Object(Rc::new(Object { kind, fields, display }))
    }

    /// Go template truth: false, 0, nil and empty strings, lists and maps are false.
    pub fn truthy(&self) -> bool {
        match self {
            Value::Nil => false,
            Value::Bool(b) => *b,
            Value::Int(i) => *i != 0,
            Value::Float(f) => *f != 0.0,
            Value::Str(s) => !s.is_empty(),
            Value::List(l) => !l.is_empty(),
            Value::Dict(m) => !m.borrow().is_empty(),
            Value::Object(_) => true,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// A field of a map or struct: `None` when `self` has no fields at all.
    pub fn field(&self, name: &str) -> Option<Value> {
        match self {
            Value::Dict(m) => Some(m.borrow().get(name).cloned().unwrap_or(Value::Nil)),
            Value::Object(o) => Some(o.fields.get(name).cloned().unwrap_or(Value::Nil)),
            _ => None,
        }
    }

    /// As Go's `fmt.Sprint` prints the value (`%v`).
    pub fn to_go_string(&self) -> String {
        let mut s = String::new();
        self.write_go(&mut s, true);
        s
    }

    fn write_go(&self, out: &mut String, top: bool) {
        match self {
            Value::Nil => out.push_str(if top { "<no value>" } else { "<nil>" }),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Int(i) => out.push_str(&i.to_string()),
            Value::Float(f) => out.push_str(&format_float_g(*f)),
            Value::Str(s) => out.push_str(s),
            Value::List(l) => {
                out.push('[');
                for (i, v) in l.iter().enumerate() {
                    if i > 0 {
                        out.push(' ');
                    }
                    v.write_go(out, false);
                }
                out.push(']');
            }
            Value::Dict(m) => {
                out.push_str("map[");
                for (i, (k, v)) in m.borrow().iter().enumerate() {
                    if i > 0 {
                        out.push(' ');
                    }
                    out.push_str(k);
                    out.push(':');
                    v.write_go(out, false);
                }
                out.push(']');
            }
            Value::Object(o) => match &o.display {
                Some(d) => out.push_str(d),
                None => {
                    out.push('{');
                    let parts: Vec<String> = o.fields.values().map(|v| { let mut s = String::new(); v.write_go(&mut s, false); s }).collect();
                    out.push_str(&parts.join(" "));
                    out.push('}');
                }
            },
        }
    }

    /// sprig's `toString` (nil is empty).
    pub fn text(&self) -> String {
        match self {
            Value::Nil => String::new(),
            v => v.to_go_string(),
        }
    }

    /// Go's type name, as sprig's `typeOf` prints it.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Nil => "<nil>",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float64",
            Value::Str(_) => "string",
            Value::List(_) => "[]interface {}",
            Value::Dict(_) => "map[string]interface {}",
            Value::Object(_) => "struct",
        }
    }

    /// Go's reflect kind, as sprig's `kindOf`/`kindIs` name it.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Value::Nil => "invalid",
            Value::Bool(_) => "bool",
            Value::Int(_) => "int",
            Value::Float(_) => "float64",
            Value::Str(_) => "string",
            Value::List(_) => "slice",
            Value::Dict(_) => "map",
            Value::Object(_) => "struct",
        }
    }

    /// A copy that shares nothing with `self` (sprig's `deepCopy`, and values handed to a release).
    pub fn deep_copy(&self) -> Value {
        match self {
            Value::List(l) => Value::list(l.iter().map(Value::deep_copy).collect()),
            Value::Dict(m) => {
                let copy = DictCell { map: RefCell::new(m.borrow().iter().map(|(k, v)| (k.clone(), v.deep_copy())).collect()), origins: m.origins.clone() };
                Value::Dict(Rc::new(copy))
            }
            v => v.clone(),
        }
    }

    /// Read YAML as Helm reads values (`sigs.k8s.io/yaml`: YAML 1.1 booleans, every number a
    /// `float64`, keys as strings).
    pub fn from_yaml_node(n: &Node) -> Value {
        Value::from_yaml(n, None)
    }

    /// `from_yaml_node` that remembers, on every mapping, where each entry was written in `file`.
    pub fn from_yaml_node_at(n: &Node, file: &OriginFile) -> Value {
        Value::from_yaml(n, Some(file))
    }

    fn from_yaml(n: &Node, file: Option<&OriginFile>) -> Value {
        match &n.value {
            YValue::Scalar(s, style) => {
                let tag = n.tag().unwrap_or("");
                if tag.ends_with("str") || tag == "!" {
                    return Value::str(s.clone());
                }
                if *style != Style::Plain {
                    return Value::str(s.clone());
                }
                if let Some(b) = yaml11_bool(s) {
                    return Value::Bool(b);
                }
                match resolve_plain(s) {
                    Resolved::Null => Value::Nil,
                    Resolved::Bool(b) => Value::Bool(b),
                    Resolved::Int(i) => Value::Float(i as f64),
                    Resolved::Float(f) => Value::Float(f),
                    Resolved::Str => Value::str(s.clone()),
                }
            }
            YValue::Seq(items) => Value::list(items.iter().map(|i| Value::from_yaml(i, file)).collect()),
            YValue::Map(entries) => {
                let mut m = Map::new();
                let mut origins = BTreeMap::new();
                for (k, v) in entries {
                    // sigs.k8s.io/yaml turns non-string keys into JSON strings: `n` and `on`
                    // are booleans ("false", "true"), `1` is "1".
                    let key = match Value::from_yaml_node(k) {
                        Value::Str(s) => s,
                        Value::Bool(b) => b.to_string(),
                        Value::Float(f) => format_float_g(f),
                        Value::Nil => "null".into(),
                        other => other.to_go_string(),
                    };
                    if let Some(f) = file {
                        origins.insert(key.clone(), EntryOrigin::new(f, k, v));
                    }
                    m.insert(key, Value::from_yaml(v, file));
                }
                Value::Dict(Rc::new(DictCell { map: RefCell::new(m), origins: RefCell::new(origins) }))
            }
        }
    }

    pub fn from_json(v: &serde_json::Value) -> Value {
        match v {
            serde_json::Value::Null => Value::Nil,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => Value::Float(n.as_f64().unwrap_or(0.0)),
            serde_json::Value::String(s) => Value::str(s.clone()),
            serde_json::Value::Array(a) => Value::list(a.iter().map(Value::from_json).collect()),
            serde_json::Value::Object(o) => Value::dict(o.iter().map(|(k, v)| (k.clone(), Value::from_json(v))).collect()),
        }
    }
}

/// YAML 1.1 booleans that go-yaml v2 (behind `sigs.k8s.io/yaml`) reads and YAML 1.2 does not.
pub fn yaml11_bool(s: &str) -> Option<bool> {
    match s {
        "y" | "Y" | "yes" | "Yes" | "YES" | "on" | "On" | "ON" => Some(true),
        "n" | "N" | "no" | "No" | "NO" | "off" | "Off" | "OFF" => Some(false),
        _ => None,
    }
}

/// Go's `%v` for a float64: `strconv.FormatFloat(f, 'g', -1, 64)`: the shortest digits, with an
/// exponent when the decimal exponent is below -4 or at least 6 (so 1000000 prints `1e+06`).
pub fn format_float_g(f: f64) -> String {
    go_float(f, 6)
}

/// Shortest form with an exponent when the decimal exponent is < -4 or >= `eprec`.
pub fn go_float(f: f64, eprec: i32) -> String {
    if f.is_nan() {
        return "NaN".into();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf".into() } else { "-Inf".into() };
    }
    if f == 0.0 {
        return if f.is_sign_negative() { "-0".into() } else { "0".into() };
    }
    // Rust's `{:e}` gives the shortest round-trip digits: d.ddddde±x
    let e = format!("{:e}", f);
    let (mant, exp) = e.split_once('e').unwrap_or((&e, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let neg = mant.starts_with('-');
    let digits: String = mant.chars().filter(|c| c.is_ascii_digit()).collect();
    let sign = if neg { "-" } else { "" };
    if exp < -4 || exp >= eprec {
        let mut m = digits[..1].to_string();
        if digits.len() > 1 {
            m.push('.');
            m.push_str(&digits[1..]);
        }
        let es = if exp < 0 { "-" } else { "+" };
        return format!("{sign}{m}e{es}{:02}", exp.abs());
    }
    if exp < 0 {
        return format!("{sign}0.{}{}", "0".repeat((-exp - 1) as usize), digits);
    }
    let int_len = (exp + 1) as usize;
    if digits.len() <= int_len {
        format!("{sign}{}{}", digits, "0".repeat(int_len - digits.len()))
    } else {
        format!("{sign}{}.{}", &digits[..int_len], &digits[int_len..])
    }
}
