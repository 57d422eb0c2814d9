//! YAML differential: how `kubectl kustomize` (kustomize v5.5.0, go-yaml v3: what kubectl, Flux
//! and Argo CD's kustomize read manifests with) reads a resource file, against drlint's reader and
//! renderer. Each case is one resource file in its own kustomization folder. Every document
//! kubectl accepts must render in drlint with equal values (compared as JSON data, through
//! drlint's emitter and back); every file kubectl rejects must fail drlint's render too.
//!
//! Cases: a generated set of block scalars (every style, chomping and indentation indicator, in the
//! middle of a file and at its end with and without a final newline), flow collections whose lines
//! sit at any indentation, anchors, aliases, merge keys, tags, comments, document markers, quoted
//! and odd keys, multi-line scalars, escapes, tabs, a BOM, CRLF line ends, duplicate keys of every
//! shape, and the constructs the corpus (../shared/corpus) uses.
//!
//! kubectl runs once over a kustomization that lists every case; when it fails, its message names
//! the failing case folder, which is set aside as rejected, and the rest runs again.

use drlint::kustomize::{render, to_yaml, LoadRestrictor, RenderOptions};
use drlint::source::yaml::parse;
use drlint::source::{FileId, SourceDb};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use std::sync::Mutex;

/// Cases where drlint is known to read differently from kubectl. Every entry is a bug to fix.
const KNOWN_DISAGREEMENTS: &[&str] = &[
    // kustomize turns the document into Go values and back: explicit tags are applied (`!!int "3"`
    // is 3, `!!binary` is decoded, `!!null ''` is null, a verbatim `!<tag:yaml.org,2002:str>` is
    // a string) and plain dates become RFC 3339 timestamps. drlint keeps the text.
    "tag int quoted",
    "tag binary",
    "tag binary block",
    "tag null",
    "tag verbatim",
    "tag timestamp",
    "resolve 2001-12-14",
    // kustomize splits files on `---` itself: a `%YAML` or `%TAG` directive is refused.
    "tag directive",
    "directive yaml 1.2",
    "directive yaml 1.1",
    // JSON has no infinity or NaN: kustomize fails to build; drlint reads the float.
    "resolve -.inf",
    "resolve .NaN",
    // go-yaml refuses a tab after `- ` and a line holding only a tab between mapping entries;
    // yaml-rust2 reads both as blanks.
    "tab after dash",
    "tab blank line",
    // kustomize sees `~` and `true` keys as the same key once converted; a quoted `"<<"` is a
    // merge key to kyaml that merges nothing.
    "odd keys",
    "merge quoted key",
];

const HEAD: &str = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: NAME\n";

/// A ConfigMap with `body` appended after its metadata.
fn cm(body: &str) -> String {
    format!("{HEAD}{body}")
}

fn cases() -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut add = |label: &str, text: String| out.push((label.to_string(), text));

    // Block scalars: style x chomping x indentation indicator x content x position.
    let contents: &[(&str, &[&str])] = &[
        ("two-lines", &["one", "two"]),
        ("trailing-blank", &["one", "two", "", ""]),
        ("leading-blank", &["", "one", "two"]),
        ("more-indented", &["one", "  deeper", "two"]),
        ("blank-between", &["one", "", "two"]),
        ("leading-space", &[" one", "two"]),
        ("hash", &["# not a comment", "a: b"]),
    ];
    for style in ["|", ">"] {
        for chomp in ["", "-", "+"] {
            for indicator in ["", "2", "4"] {
                for (cname, lines) in contents {
                    for pos in ["middle", "eof-nl", "eof-no-nl", "eof-blank"] {
                        let extra = indicator.parse::<usize>().map(|n| n.saturating_sub(2)).unwrap_or(0);
                        let ind = " ".repeat(4 + extra);
                        let mut s = cm(&format!("data:\n  k: {style}{indicator}{chomp}\n"));
                        let body: Vec<String> = lines.iter().map(|l| if l.is_empty() { String::new() } else { format!("{ind}{l}") }).collect();
                        s.push_str(&body.join("\n"));
                        match pos {
                            "middle" => s.push_str("\n  after: x\n"),
                            "eof-nl" => s.push('\n'),
                            "eof-no-nl" => {}
                            _ => s.push_str("\n\n\n"),
                        }
                        add(&format!("block {style}{indicator}{chomp} {cname} {pos}"), s);
                    }
                }
            }
        }
    }
    // Indicator order and comments after the header, block scalar as a sequence item and at the
    // root of a nested map at end of file.
    add("block indicator-first", cm("data:\n  k: |-2\n    x\n  j: >+4\n      y\n"));
    add("block header comment", cm("data:\n  k: | # comment\n    x\n"));
    add("block in sequence eof", cm("spec:\n  list:\n  - |\n    a\n    b"));
    add("block deeper eof", cm("spec:\n  a:\n    b: |-\n      x\n      y"));
    add("block only blank eof", cm("data:\n  k: |\n\n"));
    add("block empty eof", cm("data:\n  k: |"));
    add("block empty keep eof", cm("data:\n  k: |+\n"));
    add("block crlf", cm("data:\n  k: |\n    a\n    b\n").replace('\n', "\r\n"));
    add("block crlf eof", cm("data:\n  k: |\n    a\n    b").replace('\n', "\r\n"));
    add("block tab content", cm("data:\n  k: |\n    a\tb\n    \tc\n"));
    add("folded long lines", cm("data:\n  k: >\n    a b c\n    d e f\n\n    g\n      h\n    i\n"));
    add("block less indented first", cm("data:\n  k: |\n      deep\n    shallow\n"));

    // Flow collections, closing brackets at every indentation.
    for (open, close, items) in [("[", "]", ["\"a\",", "b"]), ("{", "}", ["a: 1,", "\"b\": 2"])] {
        for (label, item_indent, close_indent) in [
            ("deeper", 6, 4),
            ("close-at-key", 4, 2),
            ("close-at-col0", 4, 0),
            ("items-at-key", 2, 2),
            ("items-at-col0", 0, 0),
            ("items-less", 1, 4),
        ] {
            let mut s = cm(&format!("data:\n  x: \"1\"\nspec:\n  list: {open}\n"));
            for it in items {
                s.push_str(&format!("{}{it}\n", " ".repeat(item_indent)));
            }
            s.push_str(&format!("{}{close}\n  after: 1\n", " ".repeat(close_indent)));
            add(&format!("flow {open}{close} {label}"), s);
            let mut s = cm(&format!("spec:\n  nested:\n    list: {open}\n"));
            for it in items {
                s.push_str(&format!("{}{it}\n", " ".repeat(item_indent)));
            }
            s.push_str(&format!("{}{close}\n", " ".repeat(close_indent)));
            add(&format!("flow {open}{close} {label} nested eof"), s);
        }
    }
    add("flow close at parent in seq", cm("spec:\n  args:\n  - [\n    a,\n    b\n  ]\n  - c\n"));
    add("flow nested multi-line", cm("spec:\n  x: [\n  {a: 1,\n b: [\n2, 3\n]},\n]\n"));
    add("flow quoted multi-line low", cm("spec:\n  x: [\"a\n b\", 'c\nd']\n"));
    add("flow plain multi-line low", cm("spec:\n  x: [a\n b, c]\n"));
    add("flow trailing comma", cm("spec:\n  x: [a, b, ]\n  y: {a: 1, }\n"));
    add("flow empty", cm("spec:\n  x: []\n  y: {}\n"));
    add("flow comments", cm("spec:\n  x: [ # c\n    a, # d\n    b\n  ] # e\n"));
    add("flow implicit pair", cm("spec:\n  x: [a: b, c]\n"));
    add("flow json", cm("spec: {\"a\": [1, 2.5, true, null, \"x\"], \"b\": {\"c\": \"d\"}}\n"));
    add("flow map value on next line", cm("spec:\n  x: {a:\n    1}\n"));
    add("flow doc root", "{apiVersion: v1, kind: ConfigMap, metadata: {name: NAME}}\n".into());
    add("flow doc root multi-line", "{apiVersion: v1,\nkind: ConfigMap,\nmetadata: {name: NAME}\n}\n".into());
    add("quoted multi-line low indent", cm("spec:\n  a:\n    k: \"one\n two\"\n"));
    add("quoted multi-line col0", cm("spec:\n  a:\n    k: 'one\ntwo'\n"));
    add("quoted multi-line blank", cm("data:\n  k: \"one\n\n    two\"\n"));

    // Anchors, aliases, merge keys.
    add("anchor scalar", cm("data:\n  a: &x hello\n  b: *x\n"));
    add("anchor map merge", cm("spec:\n  base: &b {x: 1, y: 2}\n  obj:\n    <<: *b\n    y: 3\n"));
    add("merge list", cm("spec:\n  a: &a {x: 1}\n  b: &b {x: 2, z: 3}\n  obj:\n    <<: [*a, *b]\n    w: 0\n"));
    add("merge block anchor", cm("spec:\n  a: &a\n    x: 1\n    y: 2\n  obj:\n    <<: *a\n    x: 9\n"));
    add("merge twice", cm("spec:\n  a: &a {x: 1}\n  b: &b {y: 2}\n  obj:\n    <<: *a\n    <<: *b\n"));
    add("merge quoted key", cm("spec:\n  a: &a {x: 1}\n  obj:\n    \"<<\": *a\n"));
    add("anchor sequence", cm("spec:\n  a: &s [1, 2]\n  b: *s\n"));
    add("anchor redefined", cm("data:\n  a: &x one\n  b: *x\n  c: &x two\n  d: *x\n"));
    add("alias unknown", cm("data:\n  a: *nope\n"));
    add("anchor across documents", format!("{}data:\n  a: &x one\n---\n{}data:\n  b: *x\n", HEAD, HEAD.replace("NAME", "NAMEx1")));
    add("alias as key", cm("spec:\n  k: &k key\n  m:\n    *k : v\n"));
    add("anchor on metadata", "apiVersion: v1\nkind: ConfigMap\nmetadata: &m\n  name: NAME\ndata:\n  x: \"1\"\n".into());

    // Tags.
    for (label, value) in [
        ("str int", "!!str 1"),
        ("str bool", "!!str true"),
        ("int quoted", "!!int \"3\""),
        ("binary", "!!binary aGVsbG8="),
        ("binary block", "!!binary |\n    aGVs\n    bG8="),
        ("float", "!!float 1"),
        ("bool", "!!bool true"),
        ("null", "!!null ''"),
        ("custom", "!custom value"),
        ("custom map", "!custom {a: 1}"),
        ("verbatim", "!<tag:yaml.org,2002:str> 5"),
        ("timestamp", "!!timestamp 2001-12-14"),
        ("str empty", "!!str"),
        ("bang only", "! 12"),
    ] {
        add(&format!("tag {label}"), cm(&format!("spec:\n  v: {value}\n")));
    }
    add("tag on map", cm("spec: !!map\n  a: 1\n"));
    add("tag on key", cm("spec:\n  !!str 1: a\n"));
    add("tag directive", format!("%TAG !e! tag:example.com,2000:\n---\n{}spec:\n  v: !e!foo bar\n", HEAD));

    // Comments and document markers.
    add("comments everywhere", format!("# head\n{}# between\ndata: # after key\n  a: b # trailing\n  # indented\n  c: d#not-comment\n# tail\n", HEAD));
    add("doc start marker", format!("---\n{}data:\n  a: b\n", HEAD));
    add("doc end marker", format!("{}data:\n  a: b\n...\n", HEAD));
    add("doc end then start", format!("{}...\n---\n{}", HEAD, HEAD.replace("NAME", "NAMEx1")));
    add("multi docs with empty", format!("---\n{}---\n# only a comment\n---\n{}---\n", HEAD, HEAD.replace("NAME", "NAMEx1")));
    add("directive yaml 1.2", format!("%YAML 1.2\n---\n{}", HEAD));
    add("directive yaml 1.1", format!("%YAML 1.1\n---\n{}", HEAD));
    add("marker with comment", format!("--- # doc\n{}", HEAD));
    add("marker with content", "--- !!map\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: NAME\n".into());
    add("marker in block scalar", cm("data:\n  k: |\n    ---\n    x\n"));
    add("only comments", "# nothing here\n".into());
    add("empty file", String::new());

    // Keys.
    add("quoted keys", cm("data:\n  \"a\": x\n  'b': y\n  \"c d\": z\n  \"e:f\": w\n  'g''h': v\n"));
    add("odd keys", cm("spec:\n  1: a\n  true: b\n  ~: c\n  1.5: d\n"));
    add("explicit key", cm("data:\n  ? a\n  : b\n  ? |\n    block key\n  : c\n"));
    add("colon in value", cm("data:\n  url: http://x:80/a\n  t: 12:30\n  k: a:b\n"));
    add("key with spaces", cm("data:\n  a b: c\n  'x y' : z\n"));

    // Plain and quoted scalars.
    add("plain multi-line", cm("data:\n  k: one\n    two\n\n    three\n"));
    add("plain multi-line comment", cm("data:\n  k: one\n    two # c\n"));
    add("plain specials", cm("data:\n  a: -x\n  b: ?x\n  c: x#y\n  d: 'x # y'\n  e: a  b\n  f: x:\n"));
    add("double escapes", cm("data:\n  k: \"tab\\tnl\\nq\\\"bs\\\\ \\x41 \\u00e9 \\U0001F600 \\/ \\_ \\N \\L \\P \\e \\0 \\a\"\n"));
    add("double line continuation", cm("data:\n  k: \"one \\\n    two\"\n"));
    add("double escaped space", cm("data:\n  k: \"a\\ b\"\n"));
    add("single escapes", cm("data:\n  k: 'it''s \\n'\n"));
    add("unicode", cm("data:\n  k: café ✓ 日本\n  \"ключ\": значение\n"));
    add("long line", cm(&format!("data:\n  k: {}\n", "word ".repeat(60).trim_end())));
    for v in ["yes", "no", "on", "off", "y", "n", "0x1F", "0o17", "017", "1_000", ".5", "1e3", "+1", "-.inf", ".NaN", "~", "null", "2001-12-14", "0b101", "12:30:00", "1.0", "-0", "+.5", "0.", "1__2"] {
        add(&format!("resolve {v}"), cm(&format!("spec:\n  v: {v}\n  q: \"{v}\"\n")));
    }

    // Whitespace: tabs, BOM, CRLF, lone CR, trailing spaces.
    add("tab indent", cm("data:\n\ta: b\n"));
    add("tab after colon", cm("data:\n  a:\tb\n"));
    add("tab before comment", cm("data:\n  a: b\t# c\n"));
    add("tab in value", cm("data:\n  a: b\tc\n"));
    add("tab after dash", cm("spec:\n  l:\n  -\tx\n"));
    add("tab in flow", cm("spec:\n  l: [\ta,\tb]\n"));
    add("tab line in flow", cm("spec:\n  l: [\n\ta,\n\tb\n  ]\n"));
    add("tab blank line", cm("data:\n  a: b\n\t\n  c: d\n"));
    add("bom", format!("\u{feff}{}", HEAD));
    add("bom second doc", format!("{}---\n\u{feff}{}", HEAD, HEAD.replace("NAME", "NAMEx1")));
    add("crlf", cm("data:\n  a: b\n  c: \"d\"\n").replace('\n', "\r\n"));
    add("crlf multi doc", format!("{}---\n{}", HEAD, HEAD.replace("NAME", "NAMEx1")).replace('\n', "\r\n"));
    add("crlf no final", cm("data:\n  a: b").replace('\n', "\r\n"));
    add("trailing spaces", cm("data:  \n  a: b   \n  c: |  \n    x  \n"));

    // Indentation.
    add("seq not indented", cm("spec:\n  l:\n  - a\n  - b\n"));
    add("seq indented", cm("spec:\n  l:\n    - a\n    -   b\n"));
    add("map in seq odd", cm("spec:\n  l:\n  -   a: 1\n      b: 2\n  - c: 3\n"));
    add("three spaces", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n   name: NAME\ndata:\n   a: b\n".into());
    add("inconsistent", cm("data:\n    a: b\n  c: d\n"));
    add("key less indented", cm("data:\n  a:\n    b: 1\n   c: 2\n"));
    add("nested seqs", cm("spec:\n  l:\n  - - a\n    - b\n  - - c\n"));
    add("empty values", cm("spec:\n  a:\n  b: \"\"\n  c: ''\n  d: []\n  e: {}\n"));

    // Duplicate keys, shape by shape.
    let ann = |blocks: &[&str]| {
        let mut s = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: NAME\n".to_string();
        for b in blocks {
            s.push_str("  annotations:");
            s.push_str(b);
            s.push('\n');
        }
        s
    };
    add("dup top-level", cm("data:\n  a: \"1\"\ndata:\n  b: \"2\"\n"));
    add("dup leaf", cm("data:\n  a: \"1\"\n  a: \"2\"\n"));
    add("dup quoted", cm("data:\n  a: \"1\"\n  \"a\": \"2\"\n"));
    add("dup flow", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: NAME, name: NAME}\n".into());
    add("dup labels", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: NAME\n  labels:\n    a: b\n  labels:\n    c: d\n".into());
    add("dup name", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: NAME\n  name: NAME\n".into());
    add("dup kind", "apiVersion: v1\nkind: ConfigMap\nkind: ConfigMap\nmetadata:\n  name: NAME\n".into());
    add("dup in seq item", cm("spec:\n  l:\n  - a: 1\n    a: 2\n"));
    add("dup merge keys", cm("spec:\n  a: &a {x: 1}\n  o:\n    <<: *a\n    <<: *a\n"));
    add("dup nested annotations", cm("spec:\n  template:\n    metadata:\n      annotations:\n        a: b\n      annotations:\n        c: d\n"));
    add("dup annotations 2", ann(&["\n    a: \"1\"", "\n    b: \"2\""]));
    add("dup annotations same key", ann(&["\n    a: \"1\"", "\n    a: \"2\""]));
    add("dup annotations inner", ann(&["\n    a: \"1\"\n    a: \"2\""]));
    add("dup annotations mixed", ann(&["\n    x: \"1\"\n    x: \"2\"\n    a: \"1\"", "\n    x: \"3\"\n    x: \"4\"\n    a: \"2\"\n    b: \"2\""]));
    add("dup annotations 3", ann(&["\n    a: \"1\"", "\n    b: \"2\"", "\n    c: \"3\"\n    a: \"3\""]));
    add("dup annotations 4", ann(&["\n    a: \"1\"", "\n    b: \"2\"", "\n    c: \"3\"", "\n    d: \"4\""]));
    add("dup annotations 5", ann(&["\n    a: \"1\"", "\n    b: \"2\"", "\n    c: \"3\"", "\n    d: \"4\"", "\n    e: \"5\""]));
    add("dup annotations null first", ann(&["", "\n    b: \"2\""]));
    add("dup annotations empty", ann(&[" {}", "\n    b: \"2\""]));
    add("dup annotations flow", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: NAME, annotations: {a: \"1\"}, annotations: {b: \"2\"}}\n".into());
    add("dup annotations with labels", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  annotations:\n    a: \"1\"\n  name: NAME\n  labels:\n    l: v\n  annotations:\n    b: \"2\"\n".into());
    add("dup annotations non-string", ann(&["\n    a: 1", "\n    b: true"]));

    // Constructs the corpus uses (../shared/corpus): JSON in a block scalar, templated strings,
    // long folded commands, anchors shared by sibling keys, `- |-` items.
    add("corpus json in literal", cm("data:\n  config.json: |-\n    {\n      \"a\": [1, 2],\n      \"b\": \"{{ .x }}\"\n    }\n"));
    add("corpus folded command", cm("spec:\n  command:\n  - /bin/sh\n  - -c\n  - >-\n    set -e;\n    echo a &&\n    echo b\n"));
    add("corpus anchors siblings", cm("spec:\n  a: &res\n    limits: {memory: 1Gi}\n  b:\n    resources: *res\n"));
    add("corpus args flow", cm("spec:\n  args: [\"--a\", \"--b=1\"]\n"));
    add("corpus literal items", cm("spec:\n  l:\n    - |-\n      one\n      two\n    - x\n"));
    add("corpus custom tags", cm("data:\n  conf: |\n    k: !Find x\n  t: !KeyOf y\n"));
    out
}

fn docs_json(text: &str) -> Vec<serde_json::Value> {
    parse(FileId(0), text).documents.into_iter().filter_map(|d| d.root).map(|r| r.to_json()).collect()
}

/// Numbers compared by value: go-yaml prints the float 1000.0 as `1000`.
fn normalize(v: serde_json::Value) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        J::Number(n) => match n.as_f64() {
            Some(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => J::from(f as i64),
            _ => J::Number(n),
        },
        J::Array(a) => J::Array(a.into_iter().map(normalize).collect()),
        J::Object(m) => J::Object(m.into_iter().map(|(k, v)| (k, normalize(v))).collect()),
        other => other,
    }
}

fn docs_norm(text: &str) -> Vec<serde_json::Value> {
    docs_json(text).into_iter().map(normalize).collect()
}

fn name_of(doc: &serde_json::Value) -> String {
    doc.pointer("/metadata/name").and_then(|n| n.as_str()).unwrap_or("").to_string()
}

/// The case a document belongs to: its name up to an `x` suffix (`c012x1` is a second document).
fn case_of(name: &str) -> &str {
    name.split('x').next().unwrap_or(name)
}

/// Run kubectl over chunks of cases on a few threads; when a run fails, set aside the case its
/// error names and run the rest of the chunk again.
fn kubectl_outcomes(root: &Path, ids: &[String]) -> (BTreeMap<String, Vec<serde_json::Value>>, BTreeMap<String, String>) {
    let accepted: Mutex<BTreeMap<String, Vec<serde_json::Value>>> = Mutex::new(BTreeMap::new());
    let rejected: Mutex<BTreeMap<String, String>> = Mutex::new(BTreeMap::new());
    // Cases drlint's reader refuses are likely refused by kubectl too: alone, so that a refusal
    // does not make a whole chunk run again. Every case still gets kubectl's verdict.
    let (alone, together): (Vec<String>, Vec<String>) = ids.iter().cloned().partition(|id| {
        let text = std::fs::read_to_string(root.join(id).join("r.yaml")).unwrap_or_default();
        parse(FileId(0), &text).issues.iter().any(|i| i.refused())
    });
    let mut chunks: Vec<Vec<String>> = together.chunks(40).map(|c| c.to_vec()).collect();
    chunks.extend(alone.into_iter().map(|id| vec![id]));
    let queue: Mutex<Vec<Vec<String>>> = Mutex::new(chunks);
    let name_re = regex::Regex::new(r"\bc\d{3}\b").unwrap();
    std::thread::scope(|s| {
        for worker in 0..4 {
            let (accepted, rejected, queue, name_re) = (&accepted, &rejected, &queue, &name_re);
            s.spawn(move || {
                let batch = root.join(format!("batch{worker}"));
                std::fs::create_dir_all(&batch).unwrap();
                loop {
                    let Some(mut pending) = queue.lock().unwrap().pop() else { break };
                    while !pending.is_empty() {
                        let list: String = pending.iter().map(|id| format!("- ../{id}\n")).collect();
                        std::fs::write(batch.join("kustomization.yaml"), format!("resources:\n{list}")).unwrap();
                        let out = Command::new("kubectl").arg("kustomize").arg(&batch).output().expect("kubectl runs");
                        if out.status.success() {
                            let mut acc = accepted.lock().unwrap();
                            for id in &pending {
                                acc.entry(id.clone()).or_default();
                            }
                            for doc in docs_norm(&String::from_utf8_lossy(&out.stdout)) {
                                acc.entry(case_of(&name_of(&doc)).to_string()).or_default().push(doc);
                            }
                            break;
                        }
                        let err = String::from_utf8_lossy(&out.stderr).into_owned();
                        let named = name_re.find_iter(&err).map(|m| m.as_str().to_string()).find(|n| pending.contains(n));
                        let culprit = match named {
                            Some(n) => n,
                            // No case named (kubectl crashed): find the culprit alone.
                            None => pending
                                .iter()
                                .find(|id| !Command::new("kubectl").arg("kustomize").arg(root.join(id)).output().unwrap().status.success())
                                .cloned()
                                .expect("one case fails on its own"),
                        };
                        let lines: Vec<&str> = err.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('>')).collect();
                        let short = lines.iter().rev().take(2).rev().cloned().collect::<Vec<_>>().join(" | ");
                        rejected.lock().unwrap().insert(culprit.clone(), short.chars().take(200).collect());
                        pending.retain(|p| *p != culprit);
                    }
                }
            });
        }
    });
    (accepted.into_inner().unwrap(), rejected.into_inner().unwrap())
}

#[test]
fn yaml_differential() {
    if Command::new("kubectl").arg("version").arg("--client").output().is_err() {
        println!("skipped: kubectl is not installed");
        return;
    }
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let cases = cases();
    let mut ids = Vec::new();
    let mut labels = BTreeMap::new();
    for (i, (label, text)) in cases.iter().enumerate() {
        let id = format!("c{i:03}");
        let dir = root.join(&id);
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("kustomization.yaml"), "resources:\n- r.yaml\n").unwrap();
        std::fs::write(dir.join("r.yaml"), text.replace("NAME", &id)).unwrap();
        labels.insert(id.clone(), label.clone());
        ids.push(id);
    }
    let started = std::time::Instant::now();
    let (accepted, rejected) = kubectl_outcomes(root, &ids);
    let mut failures = Vec::new();
    for id in &ids {
        let label = &labels[id];
        let dir = root.join(id);
        let opts = RenderOptions { load_restrictor: LoadRestrictor::RootOnly, repo_root: root.to_path_buf() };
        let mut db = SourceDb::new();
        let r = render(&mut db, &dir, &opts);
        if let Some(err) = rejected.get(id) {
            if r.ok {
                failures.push(format!("{id} [{label}]: kubectl rejects ({err}), drlint renders"));
            }
            continue;
        }
        let expected = accepted.get(id).cloned().unwrap_or_default();
        if !r.ok {
            let msg: Vec<String> = r.diagnostics.iter().map(|d| d.message.clone()).collect();
            failures.push(format!("{id} [{label}]: kubectl accepts, drlint fails: {}", msg.join("; ")));
            continue;
        }
        let nodes: Vec<_> = r.objects.into_iter().map(|o| o.node).collect();
        let mut direct: Vec<serde_json::Value> = nodes.iter().map(|n| normalize(n.to_json())).collect();
        let mut emitted = docs_norm(&to_yaml(&nodes));
        let mut expected = expected;
        for v in [&mut direct, &mut emitted, &mut expected] {
            v.sort_by_key(name_of);
        }
        if emitted != expected {
            failures.push(format!("{id} [{label}]: values differ\n  kubectl: {}\n  drlint:  {}", serde_json::Value::Array(expected), serde_json::Value::Array(emitted)));
        } else if direct != emitted {
            failures.push(format!("{id} [{label}]: drlint's emitter changes the values\n  tree:    {}\n  emitted: {}", serde_json::Value::Array(direct), serde_json::Value::Array(emitted)));
        }
    }
    // The generated files must not crash the linter either.
    let settings = drlint::settings::Settings { root: root.to_path_buf(), ..Default::default() };
    let _ = drlint::lint(&[root.to_path_buf()], &settings);

    println!("yaml differential: {} cases, kubectl accepts {} and rejects {} ({:.1}s)", ids.len(), ids.len() - rejected.len(), rejected.len(), started.elapsed().as_secs_f64());
    for (id, err) in &rejected {
        println!("REJECTED {id} [{}]: {err}", labels[id]);
    }
    for f in &failures {
        println!("DIFFER {f}");
    }
    let unexpected: Vec<&String> = failures.iter().filter(|f| !KNOWN_DISAGREEMENTS.iter().any(|k| f.contains(&format!("[{k}]")))).collect();
    println!("agree: {} of {}", ids.len() - failures.len(), ids.len());
    assert!(unexpected.is_empty(), "{} cases where drlint reads YAML differently from kubectl", unexpected.len());
}
