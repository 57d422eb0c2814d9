//! sprig's integer and float math, conversions (`int`, `float64`, `atoi`) and semantic versions
//! (`semverCompare`, `semver`).

use super::{FResult, arg, s};
use crate::helm::value::{Map, Value};

/// spf13/cast's `ToInt64`: floats truncate, strings parse (0 when they do not), bools are 0/1.
pub fn to_int(v: &Value) -> i64 {
    match v {
        Value::Int(i) => *i,
        Value::Float(f) => *f as i64,
        Value::Bool(b) => *b as i64,
        Value::Str(t) => {
            let t = t.trim();
            t.parse::<i64>().ok().or_else(|| t.strip_prefix("0x").and_then(|h| i64::from_str_radix(h, 16).ok())).unwrap_or(0)
        }
        _ => 0,
    }
}

pub fn to_float(v: &Value) -> f64 {
    match v {
        Value::Int(i) => *i as f64,
        Value::Float(f) => *f,
        Value::Bool(b) => *b as i64 as f64,
        Value::Str(t) => t.trim().parse().unwrap_or(0.0),
        _ => 0.0,
    }
}

pub fn call(name: &str, a: &[Value]) -> Option<FResult> {
    let ints = || a.iter().map(to_int).collect::<Vec<i64>>();
    let floats = || a.iter().map(to_float).collect::<Vec<f64>>();
    let r = match name {
        "add" => Value::Int(ints().iter().fold(0i64, |x, y| x.wrapping_add(*y))),
        "add1" => Value::Int(to_int(&arg(a, 0)).wrapping_add(1)),
        "sub" => Value::Int(to_int(&arg(a, 0)).wrapping_sub(to_int(&arg(a, 1)))),
        "mul" => Value::Int(ints().iter().fold(1i64, |x, y| x.wrapping_mul(*y))),
        "div" | "mod" => {
            let d = to_int(&arg(a, 1));
            if d == 0 {
                return Some(Err(format!("error calling {name}: runtime error: integer divide by zero")));
            }
            let n = to_int(&arg(a, 0));
            Value::Int(if name == "div" { n.wrapping_div(d) } else { n.wrapping_rem(d) })
        }
        "max" => Value::Int(ints().into_iter().max().unwrap_or(0)),
        "min" => Value::Int(ints().into_iter().min().unwrap_or(0)),
        "addf" => Value::Float(floats().iter().sum()),
        "add1f" => Value::Float(to_float(&arg(a, 0)) + 1.0),
        "subf" => Value::Float(floats().iter().skip(1).fold(to_float(&arg(a, 0)), |x, y| x - y)),
        "mulf" => Value::Float(floats().iter().product()),
        "divf" => Value::Float(floats().iter().skip(1).fold(to_float(&arg(a, 0)), |x, y| x / y)),
        "maxf" => Value::Float(floats().into_iter().fold(f64::NEG_INFINITY, f64::max)),
        "minf" => Value::Float(floats().into_iter().fold(f64::INFINITY, f64::min)),
        "floor" => Value::Float(to_float(&arg(a, 0)).floor()),
        "ceil" => Value::Float(to_float(&arg(a, 0)).ceil()),
        "round" => {
            let p = 10f64.powi(to_int(&arg(a, 1)) as i32);
            Value::Float((to_float(&arg(a, 0)) * p).round() / p)
        }
        "int" | "int64" => Value::Int(to_int(&arg(a, 0))),
        "float64" => Value::Float(to_float(&arg(a, 0))),
        "atoi" => Value::Int(s(a, 0).trim().parse().unwrap_or(0)),
        "toDecimal" => Value::Int(i64::from_str_radix(&s(a, 0), 8).unwrap_or(0)),
        "semverCompare" => return Some(semver_compare(&s(a, 0), &s(a, 1)).map(Value::Bool)),
        "semver" => {
            let Some(v) = Version::parse(&s(a, 0)) else {
                return Some(Err(format!("error calling semver: invalid semantic version {:?}", s(a, 0))));
            };
            let mut m = Map::new();
            m.insert("Major".into(), Value::Int(v.major as i64));
            m.insert("Minor".into(), Value::Int(v.minor as i64));
            m.insert("Patch".into(), Value::Int(v.patch as i64));
            m.insert("Prerelease".into(), Value::Str(v.pre.clone()));
            Value::dict(m)
        }
        _ => return None,
    };
    Some(Ok(r))
}

#[derive(Clone, Debug, PartialEq)]
struct Version {
    major: u64,
    minor: u64,
    patch: u64,
    pre: String,
}

/// Order two versions as Masterminds/semver does (`None` when one does not parse).
pub fn version_cmp(a: &str, b: &str) -> Option<std::cmp::Ordering> {
    Some(Version::parse(a)?.cmp(&Version::parse(b)?))
}

impl Version {
    /// Masterminds/semver's loose parse: `v` prefix, missing minor/patch are 0, build ignored.
    fn parse(t: &str) -> Option<Version> {
        let t = t.trim().trim_start_matches(['v', 'V']);
        let t = t.split('+').next()?;
        let (core, pre) = match t.split_once('-') {
            Some((c, p)) => (c, p.to_string()),
            None => (t, String::new()),
        };
        let mut it = core.split('.');
        let mut num = || -> Option<Option<u64>> {
            match it.next() {
                None => Some(None),
                Some(x) => x.parse().ok().map(Some),
            }
        };
        let major = num()??;
        let minor = num()?.unwrap_or(0);
        let patch = num()?.unwrap_or(0);
        Some(Version { major, minor, patch, pre })
    }

    fn cmp(&self, o: &Version) -> std::cmp::Ordering {
        (self.major, self.minor, self.patch).cmp(&(o.major, o.minor, o.patch)).then_with(|| match (self.pre.is_empty(), o.pre.is_empty()) {
            (true, true) => std::cmp::Ordering::Equal,
            (true, false) => std::cmp::Ordering::Greater,
            (false, true) => std::cmp::Ordering::Less,
            (false, false) => self.pre.cmp(&o.pre),
        })
    }
}

/// Masterminds/semver constraints: `||` alternatives of space/comma separated comparisons
/// (`=`, `!=`, `>`, `<`, `>=`, `<=`, `~`, `^`, `x` wildcards, `a - b` ranges).
pub fn semver_compare(constraint: &str, version: &str) -> Result<bool, String> {
    let v = Version::parse(version).ok_or_else(|| format!("error calling semverCompare: invalid semantic version {version:?}"))?;
    for alt in constraint.split("||") {
        let alt = alt.replace(" - ", " -range- ");
        // `>= 1.19` is `>=1.19`: an operator on its own joins the version after it.
        let mut parts: Vec<String> = Vec::new();
        let mut pending = String::new();
        for p in alt.split([' ', ',']).filter(|p| !p.is_empty()) {
            if p != "-range-" && p.chars().all(|c| "<>=!~^".contains(c)) {
                pending.push_str(p);
                continue;
            }
            parts.push(format!("{}{p}", std::mem::take(&mut pending)));
        }
        let parts: Vec<&str> = parts.iter().map(String::as_str).collect();
        let mut all = true;
        let mut i = 0;
        while i < parts.len() {
            if parts.get(i + 1) == Some(&"-range-") && i + 2 < parts.len() {
                all &= check(">=", parts[i], &v)? && check("<=", parts[i + 2], &v)?;
                i += 3;
                continue;
            }
            let p = parts[i];
            let op_len = p.find(|c: char| c.is_ascii_alphanumeric() || c == '*').unwrap_or(p.len());
            let (op, ver) = p.split_at(op_len);
            all &= check(op.trim(), ver, &v)?;
            i += 1;
        }
        if all {
            return Ok(true);
        }
    }
    Ok(false)
}

fn check(op: &str, c: &str, v: &Version) -> Result<bool, String> {
    use std::cmp::Ordering::*;
    let c = c.trim_start_matches(['v', 'V']);
    let wild: Vec<bool> = c.split('-').next().unwrap_or("").split('.').map(|p| matches!(p, "x" | "X" | "*")).collect();
    let depth = c.split('-').next().unwrap_or("").split('.').count();
    let cleaned: String = c.split('.').map(|p| if matches!(p, "x" | "X" | "*") { "0" } else { p }).collect::<Vec<_>>().join(".");
    let cv = Version::parse(&cleaned).ok_or_else(|| format!("improper constraint: {op}{c}"))?;
    // A version with a prerelease only satisfies a constraint that has one too.
    if !v.pre.is_empty() && cv.pre.is_empty() {
        return Ok(false);
    }
    let ord = v.cmp(&cv);
    let wildcard = wild.iter().any(|w| *w) || (depth < 3 && matches!(op, "" | "="));
    let upper = |level: usize| -> Version {
        match level {
            0 => Version { major: cv.major + 1, minor: 0, patch: 0, pre: String::new() },
            _ => Version { major: cv.major, minor: cv.minor + 1, patch: 0, pre: String::new() },
        }
    };
    let first_wild = wild.iter().position(|w| *w).unwrap_or(depth);
    Ok(match op {
        "" | "=" if wildcard => ord != Less && v.cmp(&upper(first_wild.saturating_sub(1).min(1))) == Less,
        "" | "=" => ord == Equal,
        "!=" => ord != Equal,
        ">" => ord == Greater,
        "<" => ord == Less,
        ">=" | "=>" => ord != Less,
        "<=" | "=<" => ord != Greater,
        "~" | "~>" => ord != Less && v.cmp(&upper(if depth == 1 { 0 } else { 1 })) == Less,
        "^" => {
            let level = if cv.major > 0 || depth == 1 { 0 } else { 1 };
            ord != Less && v.cmp(&upper(level)) == Less
        }
        _ => return Err(format!("improper constraint: {op}{c}")),
    })
}
