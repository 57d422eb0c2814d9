//! Argo CD's ApplicationSet template functions (`goTemplate: true`): sprig's map without `env`,
//! `expandenv` and `getHostByName`, plus `normalize`, `slugify`, `toYaml`, `fromYaml` and
//! `fromYamlArray` (and `tpl`, which needs the template set and lives in the executor). Helm's own
//! functions do not exist there, so a template calling one fails as it would in Argo CD.

use super::{FResult, s, yaml};
use crate::helm::value::{Map, Value};

/// Functions Argo CD's map lacks: Helm's own additions to sprig, and the ones Argo CD removes so a
/// template cannot read the controller's environment.
const ABSENT: &[&str] = &["include", "required", "lookup", "toToml", "fromToml", "fromJsonArray", "mustToYaml", "toYamlPretty", "env", "expandenv", "getHostByName"];

/// Argo CD's functions, and `Some(Err)` for the ones it does not have; `None` for the shared
/// sprig functions.
pub fn call(name: &str, a: &[Value]) -> Option<FResult> {
    Some(match name {
        "normalize" => Ok(Value::Str(normalize(&s(a, 0)))),
        "slugify" => slugify(a).map(Value::Str),
        // Argo CD's copies of Helm's functions return YAML errors instead of an `Error` entry.
        "fromYaml" => match yaml::from_yaml(&s(a, 0)) {
            Ok(v @ Value::Dict(_)) => Ok(v),
            Ok(Value::Nil) => Ok(Value::dict(Map::new())),
            Ok(v) => Err(format!("error calling fromYaml: cannot unmarshal {} into Go value of type map[string]interface {{}}", v.kind_name())),
            Err(e) => Err(format!("error calling fromYaml: {e}")),
        },
        "fromYamlArray" => match yaml::from_yaml(&s(a, 0)) {
            Ok(v @ Value::List(_)) => Ok(v),
            Ok(Value::Nil) => Ok(Value::list(Vec::new())),
            Ok(v) => Err(format!("error calling fromYamlArray: cannot unmarshal {} into Go value of type []interface {{}}", v.kind_name())),
            Err(e) => Err(format!("error calling fromYamlArray: {e}")),
        },
        n if ABSENT.contains(&n) => Err(format!("function \"{n}\" not defined")),
        _ => return None,
    })
}

/// Argo CD's `normalize` (`SanitizeName`): lower case, every character other than `a-z`, `0-9`,
/// `-` and `.` replaced by `-`, at most 253 bytes, no `-` or `.` at either end: a DNS name.
pub fn normalize(name: &str) -> String {
    let mut s: String = name.to_lowercase().chars().map(|c| if c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.' { c } else { '-' }).collect();
    s.truncate(253);
    s.trim_matches(|c| c == '-' || c == '.').to_string()
}

/// Argo CD's `slugify [maxSize [smartTruncate]] name`: `normalize`, then gosimple/slug's `Make`
/// (dots become dashes, runs of dashes one) cut to `maxSize` bytes (50 by default), after a whole
/// word when `smartTruncate` (the default) is on.
fn slugify(a: &[Value]) -> Result<String, String> {
    let mut max = 50i64;
    let mut smart = true;
    for (i, v) in a.iter().enumerate().take(a.len().saturating_sub(1)) {
        match (i, v) {
            (0, Value::Int(n)) => max = *n,
            (1, Value::Bool(b)) => smart = *b,
            (0 | 1, other) => return Err(format!("error calling slugify: wrong type for argument {}: {}", i + 1, other.type_name())),
            _ => {}
        }
    }
    let name = match a.last() {
        None => String::new(),
        Some(Value::Str(n)) => n.clone(),
        Some(other) => return Err(format!("error calling slugify: the name is a {}, not a string", other.type_name())),
    };
    let mut slug = normalize(&name);
    if !smart {
        let max = usize::try_from(max).map_err(|_| "error calling slugify: slice bounds out of range".to_string())?;
        slug.truncate(max);
    }
    let mut out = String::new();
    for c in slug.chars().map(|c| if c == '.' { '-' } else { c }) {
        if !(c == '-' && out.ends_with('-')) {
            out.push(c);
        }
    }
    let out = out.trim_matches(|c| c == '-' || c == '_');
    match usize::try_from(max) {
        Ok(max) if smart && max > 0 && out.len() > max => {
            // Cut at the last dash at or before `max`; one long word is cut at `max`.
            let cut = out.as_bytes()[..=max].iter().rposition(|&b| b == b'-').unwrap_or(max);
            Ok(out[..cut].to_string())
        }
        _ => Ok(out.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_makes_a_dns_name() {
        assert_eq!(normalize("Hello_World."), "hello-world");
        assert_eq!(normalize("In Cluster"), "in-cluster");
        assert_eq!(normalize("--a.b--"), "a.b");
        assert_eq!(normalize(&"x".repeat(300)).len(), 253);
    }

    #[test]
    fn slugify_cuts_after_a_word() {
        let sl = |a: Vec<Value>| slugify(&a).unwrap();
        assert_eq!(sl(vec![Value::str("My App.v2")]), "my-app-v2");
        assert_eq!(sl(vec![Value::Int(10), Value::str("alpha-beta-gamma")]), "alpha-beta");
        assert_eq!(sl(vec![Value::Int(10), Value::Bool(false), Value::str("alpha-beta-gamma")]), "alpha-beta");
        assert_eq!(sl(vec![Value::Int(4), Value::str("abcdefgh")]), "abcd");
        assert_eq!(sl(vec![Value::Int(8), Value::Bool(false), Value::str("ab.-cdefgh")]), "ab-cdef");
        assert!(slugify(&[Value::str("10"), Value::str("x")]).is_err());
    }
}
