//! The engine as Argo CD's ApplicationSet `goTemplate: true` runs it: Go's `<no value>` for a
//! missing key (Helm's renderer removes it, Argo CD does not), `missingkey=error`, and Argo CD's
//! function map instead of Helm's.

use super::exec::{render_str, render_text};
use super::{Config, Funcs, MissingKey};
use crate::helm::value::Value;

/// Generator parameters as Argo CD hands them over (numbers from JSON are float64).
fn data() -> Value {
    let mut v = Value::from_json(&serde_json::json!({
        "path": {"path": "apps/prod/db", "basename": "db", "segments": ["apps", "prod", "db"]},
        "name": "In Cluster",
        "values": {"tier": ""},
        "big": 1000000
    }));
    if let Value::Dict(m) = &mut v {
        m.borrow_mut().insert("n".into(), Value::Int(3));
    }
    v
}

fn argo(t: &str) -> String {
    render_str(t, &data(), Config::argo([])).unwrap_or_else(|e| format!("ERR {}", e.message))
}

#[test]
fn fields_pipelines_and_functions() {
    assert_eq!(argo("{{ .path.basename }}"), "db");
    assert_eq!(argo("{{.path.path}}-x"), "apps/prod/db-x");
    assert_eq!(argo("{{ index .path.segments 1 }}"), "prod");
    assert_eq!(argo("{{ .name | lower | replace \" \" \"-\" }}"), "in-cluster");
    assert_eq!(argo("{{ normalize .name }}"), "in-cluster");
    assert_eq!(argo("{{ slugify .path.path }}"), "apps-prod-db");
    assert_eq!(argo("{{ default \"std\" .values.tier }}"), "std");
    assert_eq!(argo("{{ .path.basename | upper | quote }}"), "\"DB\"");
    assert_eq!(argo("{{ printf \"%s-%d\" .path.basename .n }}"), "db-3");
    assert_eq!(argo("{{ .big }}"), "1e+06");
    assert_eq!(argo("{{ trimPrefix \"apps/\" .path.path }}"), "prod/db");
    assert_eq!(argo("{{ trimSuffix \"/db\" .path.path }}"), "apps/prod");
    assert_eq!(argo("{{ last .path.segments }}"), "db");
    assert_eq!(argo("{{ join \"-\" .path.segments }}"), "apps-prod-db");
    assert_eq!(argo("{{ (index .path.segments 0) | upper }}"), "APPS");
    assert_eq!(argo("{{ base .path.path }} {{ dir .path.path }} {{ dir \"db\" }} {{ ext \"a/b.yaml\" }} {{ clean \"a//b/../c/\" }}"), "db apps/prod . .yaml a/c");
    assert_eq!(argo("{{ .path | toYaml }}"), "basename: db\npath: apps/prod/db\nsegments:\n- apps\n- prod\n- db");
    assert_eq!(argo("{{ (fromYaml \"a: 1\").a }}"), "1");
    assert_eq!(argo("{{ toJson .values }}"), "{\"tier\":\"\"}");
}

#[test]
fn control_flow_and_trimming() {
    assert_eq!(argo("{{ if eq .path.basename \"db\" }}yes{{ else }}no{{ end }}"), "yes");
    assert_eq!(argo("{{ if .values.tier }}a{{ else if .n }}b{{ end }}"), "b");
    assert_eq!(argo("a  {{- \"b\" -}}  c"), "abc");
    assert_eq!(argo("{{ range $i, $s := .path.segments }}{{ $i }}={{ $s }};{{ end }}"), "0=apps;1=prod;2=db;");
    assert_eq!(argo("{{ with .path }}{{ .basename }}{{ end }}"), "db");
    assert_eq!(argo("{{ $x := .path.basename }}{{ $x }}"), "db");
    assert_eq!(argo("{{/* a comment */}}x"), "x");
    // What the old ApplicationSet evaluator refused: named templates, break.
    assert_eq!(argo("{{ define \"n\" }}<{{ . }}>{{ end }}{{ template \"n\" .path.basename }}"), "<db>");
    assert_eq!(argo("{{ range .path.segments }}{{ if eq . \"db\" }}{{ break }}{{ end }}{{ . }}{{ end }}"), "appsprod");
}

#[test]
fn missing_keys() {
    // Go's default: `<no value>` stays in the output (only Helm's renderer removes it).
    assert_eq!(argo("{{ .missing }}"), "<no value>");
    assert_eq!(argo("{{ .path.missing }}"), "<no value>");
    assert!(argo("{{ .nope.deeper }}").starts_with("ERR nil pointer evaluating"));
    let strict = Config::argo(["missingkey=error"]);
    assert_eq!(strict.missing_key, MissingKey::Error);
    let e = render_str("{{ .nope }}", &data(), strict).unwrap_err();
    assert_eq!(e.message, "map has no entry for key \"nope\"");
    assert!(render_str("{{ .path.nope }}", &data(), strict).is_err());
    // A key that is there with an empty value, and `index`, are not missing-key errors.
    assert_eq!(render_str("{{ .values.tier }}{{ index .values \"gone\" }}", &data(), strict).unwrap(), "<no value>");
    assert_eq!(Config::argo(["missingkey=error", "missingkey=zero"]).missing_key, MissingKey::NoValue);
    assert_eq!(Config::argo(["missingkey=error"]).funcs, Funcs::Argo);
}

#[test]
fn each_host_has_its_own_functions() {
    // Helm's own functions do not exist for Argo CD, nor do the ones it removes from sprig.
    for f in ["include \"x\" .", "required \"m\" .name", "lookup \"v1\" \"Pod\" \"\" \"\"", "toYamlPretty .", "fromJsonArray \"[]\"", "env \"HOME\"", "expandenv \"$HOME\"", "getHostByName \"x\""] {
        let name = f.split(' ').next().unwrap();
        let out = argo(&format!("{{{{ {f} }}}}"));
        assert_eq!(out, format!("ERR function \"{name}\" not defined"), "{f}");
    }
    // Argo CD's own do not exist for Helm.
    let helm = |t: &str| render_text(t, &data()).map_err(|e| e.message);
    assert_eq!(helm("{{ normalize .name }}").unwrap_err(), "function \"normalize\" not defined");
    assert_eq!(helm("{{ slugify .name }}").unwrap_err(), "function \"slugify\" not defined");
    assert_eq!(helm("{{ required \"m\" .name }}").unwrap(), "In Cluster");
    // Both have `tpl` (Argo CD's since 3.4), rendered with the caller's functions and options.
    assert_eq!(argo("{{ tpl \"{{ normalize .name }}\" . }}"), "in-cluster");
    assert_eq!(argo("{{ tpl \"{{ .nope }}\" . }}"), "");
    // Argo CD's fromYaml fails on bad YAML (Helm's returns a map with an `Error` key).
    assert!(argo("{{ fromYaml \"[1]\" }}").starts_with("ERR error calling fromYaml"));
    assert!(helm("{{ (fromYaml \"[1]\").Error }}").unwrap().contains("cannot unmarshal"));
}

#[test]
fn errors() {
    assert!(argo("{{ frobnicate .x }}").contains("frobnicate"));
    assert!(argo("{{ if .x }}").starts_with("ERR"));
    assert!(argo("{{ .n | .path }}").starts_with("ERR"));
}

#[test]
fn argo_has_the_sprig_functions_applicationsets_use() {
    let names = "index len eq ne lt le gt ge and or not print printf println default empty coalesce ternary fail \
        lower upper title trim trimAll trimPrefix trimSuffix replace quote squote contains hasPrefix hasSuffix repeat trunc \
        substr normalize slugify kebabcase snakecase camelcase toString cat indent nindent b64enc b64dec regexReplaceAll \
        regexReplaceAllLiteral regexMatch base dir list first last rest initial join splitList split has uniq dict get \
        hasKey keys toJson mustToJson toRawJson fromJson toYaml fromYaml fromYamlArray int int64 atoi add sub mul add1 tpl";
    for name in names.split_whitespace() {
        let out = argo(&format!("{{{{ {name} }}}}"));
        assert!(!out.contains("not defined"), "{name}: {out}");
    }
}
