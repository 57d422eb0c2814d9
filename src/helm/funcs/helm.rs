//! Helm's own functions (`toYaml`, `fromYaml`, `toJson`, `required`, `fail`, `lookup`) and the
//! methods of `.Files`. Time functions are fixed so that output never depends on the clock.

use super::yaml;
use super::{FResult, arg, s};
use crate::helm::value::{Map, ObjectKind, Value};
use base64::Engine;
use std::collections::BTreeMap;

/// The instant `now` returns: drlint's output must not change from one run to the next.
const FIXED_NOW: &str = "2024-01-01 00:00:00 +0000 UTC";

pub fn call(name: &str, a: &[Value]) -> Option<FResult> {
    let r = match name {
        "toYaml" | "mustToYaml" | "toYamlPretty" => Ok(Value::Str(yaml::to_yaml(&arg(a, 0)).trim_end_matches('\n').to_string())),
        "fromYaml" => Ok(match yaml::from_yaml(&s(a, 0)) {
            Ok(v @ Value::Dict(_)) => v,
            Ok(Value::Nil) => Value::dict(Map::new()),
            Ok(_) => error_map("error unmarshaling JSON: json: cannot unmarshal into Go value of type map[string]interface {}"),
            Err(e) => error_map(&e),
        }),
        "fromYamlArray" => Ok(match yaml::from_yaml(&s(a, 0)) {
            Ok(v @ Value::List(_)) => v,
            Ok(Value::Nil) => Value::list(Vec::new()),
            Ok(_) => Value::list(vec![Value::str("error unmarshaling JSON: cannot unmarshal into []interface {}")]),
            Err(e) => Value::list(vec![Value::Str(e)]),
        }),
        "toJson" | "mustToJson" | "toRawJson" | "mustToRawJson" => Ok(Value::Str(yaml::to_json(&arg(a, 0)))),
        "toPrettyJson" | "mustToPrettyJson" => Ok(Value::Str(
            serde_json::from_str::<serde_json::Value>(&yaml::to_json(&arg(a, 0))).ok().and_then(|j| serde_json::to_string_pretty(&j).ok()).unwrap_or_default(),
        )),
        "fromJson" | "mustFromJson" => Ok(match yaml::from_json(&s(a, 0)) {
            Ok(v @ Value::Dict(_)) => v,
            Ok(_) => Value::dict(Map::new()),
            Err(e) => error_map(&e),
        }),
        "fromJsonArray" => Ok(match yaml::from_json(&s(a, 0)) {
            Ok(v @ Value::List(_)) => v,
            Ok(_) => Value::list(Vec::new()),
            Err(e) => Value::list(vec![Value::Str(e)]),
        }),
        "required" => {
            let v = arg(a, 1);
            match &v {
                Value::Nil => Err(s(a, 0)),
                Value::Str(t) if t.is_empty() => Err(s(a, 0)),
                _ => Ok(v),
            }
        }
        "fail" => Err(s(a, 0)),
        // `helm template` has no cluster: lookup finds nothing.
        "lookup" => Ok(Value::dict(Map::new())),
        "now" => Ok(Value::str(FIXED_NOW)),
        "date" | "dateInZone" | "htmlDate" | "htmlDateInZone" => {
            let layout = if name.starts_with("html") { "2006-01-02".to_string() } else { s(a, 0) };
            Ok(Value::Str(go_date(&layout)))
        }
        "unixEpoch" => Ok(Value::str("1704067200")),
        "ago" => Ok(Value::str("0s")),
        "env" | "expandenv" => Ok(Value::str("")),
        "getHostByName" => Ok(Value::str("")),
        _ => return None,
    };
    Some(r)
}

fn error_map(message: &str) -> Value {
    let mut m = Map::new();
    m.insert("Error".into(), Value::str(message));
    Value::dict(m)
}

/// Go's reference-time layout applied to the fixed `now`.
fn go_date(layout: &str) -> String {
    let reps = [
        ("2006", "2024"), ("06", "24"), ("January", "January"), ("Jan", "Jan"), ("01", "01"), ("02", "01"), ("_2", " 1"),
        ("15", "00"), ("03", "12"), ("04", "00"), ("05", "00"), ("PM", "AM"), ("pm", "am"), ("MST", "UTC"),
        ("-0700", "+0000"), ("-07:00", "+00:00"), ("Z07:00", "Z"), ("Monday", "Monday"), ("Mon", "Mon"),
    ];
    let mut out = String::new();
    let mut rest = layout;
    'outer: while !rest.is_empty() {
        for (k, v) in reps {
            if let Some(r) = rest.strip_prefix(k) {
                out.push_str(v);
                rest = r;
                continue 'outer;
            }
        }
        let c = rest.chars().next().unwrap();
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Build `.Files` from a chart's non-template files.
pub fn files_object(files: BTreeMap<String, Vec<u8>>) -> Value {
    Value::object(ObjectKind::Files(files), Map::new(), None)
}

/// A method of `.Files` (`Get`, `GetBytes`, `Glob`, `AsConfig`, `AsSecrets`, `Lines`).
pub fn files_method(files: &BTreeMap<String, Vec<u8>>, name: &str, a: &[Value]) -> Option<FResult> {
    let text = |b: &Vec<u8>| String::from_utf8_lossy(b).into_owned();
    Some(Ok(match name {
        "Get" => Value::Str(files.get(&s(a, 0)).map(text).unwrap_or_default()),
        "GetBytes" => Value::Str(files.get(&s(a, 0)).map(text).unwrap_or_default()),
        "Lines" => {
            let t = files.get(&s(a, 0)).map(text).unwrap_or_default();
            if t.is_empty() {
                Value::list(Vec::new())
            } else {
                Value::list(t.trim_end_matches('\n').split('\n').map(Value::str).collect())
            }
        }
        "Glob" => {
            let pat = s(a, 0);
            let Ok(re) = glob_regex(&pat) else {
                return Some(Ok(files_object(BTreeMap::new())));
            };
            files_object(files.iter().filter(|(k, _)| re.is_match(k)).map(|(k, v)| (k.clone(), v.clone())).collect())
        }
        "AsConfig" | "AsSecrets" => {
            let mut m = Map::new();
            for (k, v) in files {
                let base = k.rsplit('/').next().unwrap_or(k).to_string();
                let val = if name == "AsSecrets" { base64::engine::general_purpose::STANDARD.encode(v) } else { text(v) };
                m.insert(base, Value::Str(val));
            }
            if m.is_empty() {
                Value::str("")
            } else {
                Value::Str(yaml::to_yaml(&Value::dict(m)).trim_end_matches('\n').to_string())
            }
        }
        _ => return None,
    }))
}

/// gobwas/glob with `/` as separator: `*` stays within a path segment, `**` crosses them,
/// `?` is one character, `{a,b}` alternatives, `[...]` classes.
fn glob_regex(pat: &str) -> Result<regex::Regex, regex::Error> {
    let mut re = String::from("^");
    let chars: Vec<char> = pat.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        match chars[i] {
            '*' if chars.get(i + 1) == Some(&'*') => {
                re.push_str(".*");
                i += 1;
            }
            '*' => re.push_str("[^/]*"),
            '?' => re.push_str("[^/]"),
            '{' => re.push('('),
            '}' => re.push(')'),
            ',' => re.push('|'),
            '[' => {
                re.push('[');
                if chars.get(i + 1) == Some(&'!') {
                    re.push('^');
                    i += 1;
                }
            }
            ']' => re.push(']'),
            c => re.push_str(&regex::escape(&c.to_string())),
        }
        i += 1;
    }
    re.push('$');
    regex::Regex::new(&re)
}
