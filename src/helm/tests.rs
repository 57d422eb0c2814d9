//! Engine behaviour that the oracle comparison does not show: line origins, notes, bounds.

use super::template::exec::render_text;
use super::value::{Value, format_float_g};
use super::{ReleaseOptions, render_chart};
use std::path::Path;

fn chart(dir: &Path, templates: &[(&str, &str)], values: &str) {
    std::fs::create_dir_all(dir.join("templates")).unwrap();
    std::fs::write(dir.join("Chart.yaml"), "apiVersion: v2\nname: c\nversion: 0.1.0\n").unwrap();
    std::fs::write(dir.join("values.yaml"), values).unwrap();
    for (name, text) in templates {
        std::fs::write(dir.join("templates").join(name), text).unwrap();
    }
}

fn opts() -> ReleaseOptions {
    ReleaseOptions { name: "r".into(), namespace: "ns".into(), ..Default::default() }
}

#[test]
fn each_output_line_knows_its_template_line() {
    let tmp = tempfile::tempdir().unwrap();
    let helpers = "{{- define \"c.labels\" }}\napp: x\ntier: y\n{{- end }}\n";
    let cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Values.nm }}\n  labels:\n    {{- template \"c.labels\" . }}\ndata:\n  {{- toYaml .Values.data | nindent 2 }}\n";
    chart(tmp.path(), &[("_helpers.tpl", helpers), ("cm.yaml", cm)], "nm: web\ndata: {a: 1, b: 2}\n");
    let r = render_chart(tmp.path(), &opts()).unwrap();
    assert!(r.notes.is_empty(), "{:?}", r.notes);
    let m = &r.manifests[0];
    assert_eq!(m.text, "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\n  labels:\napp: x\ntier: y\ndata:\n  a: 1\n  b: 2");
    let at: Vec<(String, usize)> = m.lines.iter().map(|l| (l.file.file_name().unwrap().to_string_lossy().into_owned(), l.line)).collect();
    let want: Vec<(&str, usize)> = vec![("cm.yaml", 1), ("cm.yaml", 2), ("cm.yaml", 3), ("cm.yaml", 4), ("cm.yaml", 5), ("_helpers.tpl", 2), ("_helpers.tpl", 3), ("cm.yaml", 7), ("cm.yaml", 8), ("cm.yaml", 8)];
    assert_eq!(at, want.iter().map(|(f, l)| (f.to_string(), *l)).collect::<Vec<_>>());
}

#[test]
fn an_unknown_function_skips_only_its_template() {
    let tmp = tempfile::tempdir().unwrap();
    chart(tmp.path(), &[("a.yaml", "kind: A\n\nx: {{ frobnicate 1 }}\n"), ("b.yaml", "kind: B\n")], "");
    let r = render_chart(tmp.path(), &opts()).unwrap();
    assert_eq!(r.manifests.len(), 1);
    assert_eq!(r.manifests[0].kind, "B");
    assert_eq!(r.notes.len(), 1);
    let n = &r.notes[0];
    assert!(n.message.contains("\"frobnicate\"") && n.line == 3 && n.fatal && n.file.ends_with("a.yaml"), "{n:?}");
}

#[test]
fn runaway_templates_stop_with_a_note() {
    let tmp = tempfile::tempdir().unwrap();
    let loop_tpl = "{{ define \"me\" }}{{ include \"me\" . }}{{ end }}kind: A\nx: {{ include \"me\" . }}\n";
    let big = "kind: B\n{{ range until 3000 }}{{ range until 3000 }}{{ end }}{{ end }}\n";
    chart(tmp.path(), &[("a.yaml", loop_tpl), ("b.yaml", big), ("c.yaml", "kind: C\n")], "");
    let r = render_chart(tmp.path(), &opts()).unwrap();
    assert_eq!(r.manifests.iter().map(|m| m.kind.as_str()).collect::<Vec<_>>(), vec!["C"]);
    assert_eq!(r.notes.len(), 2, "{:?}", r.notes);
}

#[test]
fn missing_dependencies_and_bad_charts_are_notes_or_errors() {
    let tmp = tempfile::tempdir().unwrap();
    chart(tmp.path(), &[("a.yaml", "kind: A\n")], "");
    std::fs::write(tmp.path().join("Chart.yaml"), "apiVersion: v2\nname: c\nversion: 1\ndependencies:\n- name: redis\n  repository: https://charts.example\n").unwrap();
    let r = render_chart(tmp.path(), &opts()).unwrap();
    assert_eq!(r.manifests.len(), 1);
    assert!(r.notes[0].message.contains("\"redis\""));
    assert!(render_chart(&tmp.path().join("nope"), &opts()).is_err());
}

#[test]
fn go_printing() {
    let cases = [(1e6, "1e+06"), (100000.0, "100000"), (1.5, "1.5"), (0.0001, "0.0001"), (0.00001, "1e-05"), (-2.0, "-2"), (1234567.0, "1.234567e+06")];
    for (f, want) in cases {
        assert_eq!(format_float_g(f), want);
    }
    let r = |t: &str| render_text(t, &Value::Nil).map_err(|e| e.message);
    assert_eq!(r("{{ printf \"%5.1f|%-3d|%03d|%x|%q\" 3.14159 7 5 \"hi\" \"a\\tb\" }}").unwrap(), "  3.1|7  |005|6869|\"a\\tb\"");
    assert_eq!(r("{{ printf \"%d\" 1.5 }}").unwrap(), "%!d(float64=1.5)");
    assert_eq!(r("a {{- \" b \" -}} c").unwrap(), "a b c");
    assert_eq!(r("{{ semverCompare \">= 1.19-0, < 2\" \"v1.36.0\" }} {{ semverCompare \"1.2.x || ^3\" \"3.4.0\" }} {{ semverCompare \"~1.2\" \"1.3.0\" }}").unwrap(), "true true false");
    assert!(r("{{ if }}").is_err());
    assert!(r("{{ end }}").is_err());
    assert!(r("{{ \"unterminated }}").is_err());
}

#[test]
fn broken_templates_never_panic() {
    let samples = [
        "{{ define \"x\" }}{{ range $i, $v := .a }}{{ $v | toYaml | nindent 2 }}{{ else }}{{ template \"x\" }}{{ end }}{{ end }}",
        "{{- with $x := (dict \"a\" (list 1 2.5 \"s\" nil)) -}}{{ index $x \"a\" 1 }}{{ $x.a }}{{ end -}}",
        "{{ /* c */ }}{{/* c */}}{{ printf \"%*d %.*f %!\" 3 4 2 }}{{ 'x' }}{{ `raw` }}{{ (.).x }}{{ $.y.z }}",
        "{{ tpl \"{{ tpl . . }}\" \"{{ .\" }}{{ include \"nope\" . }}{{ fromYaml \": :\" }}{{ toYaml (fromJson \"[\") }}",
    ];
    for s in samples {
        for end in (0..=s.len()).filter(|i| s.is_char_boundary(*i)) {
            let _ = render_text(&s[..end], &Value::Nil);
        }
    }
}

#[test]
fn include_crds_prints_crds_files_first_verbatim_subcharts_after() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    chart(dir, &[("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n")], "sub:\n  enabled: true\n");
    let crd = "# verbatim: {{ not a template }}\napiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n  name: as.example.org\n";
    std::fs::create_dir_all(dir.join("crds")).unwrap();
    std::fs::write(dir.join("crds/a.yaml"), crd).unwrap();
    std::fs::write(dir.join("crds/README.md"), "not a manifest").unwrap();
    std::fs::create_dir_all(dir.join("charts/sub/crds")).unwrap();
    std::fs::write(dir.join("charts/sub/Chart.yaml"), "apiVersion: v2\nname: sub\nversion: 0.1.0\n").unwrap();
    std::fs::write(dir.join("charts/sub/crds/b.yaml"), crd.replace("as.", "bs.")).unwrap();
    let r = render_chart(dir, &opts()).unwrap();
    assert_eq!(r.manifests.len(), 1, "helm template leaves crds/ out");
    let r = render_chart(dir, &ReleaseOptions { include_crds: true, ..opts() }).unwrap();
    let sources: Vec<&str> = r.manifests.iter().map(|m| m.source.as_str()).collect();
    assert_eq!(sources, ["c/crds/a.yaml", "c/charts/sub/crds/b.yaml", "c/templates/cm.yaml"]);
    assert_eq!(r.manifests[0].text, crd);
    assert_eq!(r.manifests[0].kind, "CustomResourceDefinition");
    assert_eq!(r.manifests[0].lines[4].line, 5);
}
