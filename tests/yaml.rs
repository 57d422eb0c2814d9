//! The positioned YAML reader: spans, multi-document files, anchors, merge keys, and hostile input
//! that must produce a finding instead of a crash, a hang or unbounded memory.

use drlint::source::yaml::{self, YamlIssueKind};
use drlint::source::{FileId, SourceDb};
use std::path::PathBuf;

fn parse(text: &str) -> (SourceDb, FileId, yaml::ParsedFile) {
    let mut db = SourceDb::new();
    let id = db.add(PathBuf::from("t.yaml"), PathBuf::from("t.yaml"), text.to_string());
    let parsed = yaml::parse(id, text);
    (db, id, parsed)
}

#[test]
fn every_key_and_value_knows_its_line_and_column() {
    let (db, id, p) = parse("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: \"café\"\ndata:\n  k: |\n    line one\n    line two\n  x: 1\n");
    let root = p.documents[0].root.as_ref().unwrap();
    let name = root.at(&["metadata", "name"]).unwrap();
    let f = db.get(id);
    let lc = f.line_col(name.span.start as usize);
    assert_eq!((lc.line, lc.column), (4, 9));
    assert_eq!(&f.text()[name.span.start as usize..name.span.end as usize], "\"café\"");
    let k = root.at(&["data", "k"]).unwrap();
    assert_eq!(k.as_str(), Some("line one\nline two\n"));
    assert_eq!(f.line_col(k.span.end as usize).line, 8, "a block scalar ends at its last content line");
    let key = root.get("data").unwrap().key("x").unwrap();
    assert_eq!(f.line_col(key.span.start as usize).line, 9);
}

#[test]
fn multi_document_files_keep_document_indexes() {
    let (_, _, p) = parse("a: 1\n---\n# only a comment\n---\nb: 2\n");
    assert_eq!(p.documents.len(), 3);
    assert!(p.documents[1].root.as_ref().is_none_or(|r| r.is_null()));
    assert_eq!(p.documents[2].index, 2);
}

#[test]
fn merge_keys_and_aliases_expand() {
    let (_, _, p) = parse("base: &b {x: 1, y: 2}\nobj:\n  <<: *b\n  y: 3\n");
    let obj = p.documents[0].root.as_ref().unwrap().get("obj").unwrap();
    assert_eq!(obj.get("x").unwrap().as_str(), Some("1"));
    assert_eq!(obj.get("y").unwrap().as_str(), Some("3"), "explicit keys win over merged ones");
}

#[test]
fn duplicate_keys_keep_the_last_value_and_are_reported() {
    // kustomize refuses the file; readers that accept it keep the last value, as the tree does.
    let (_, _, p) = parse("a: 1\nb: 2\na: 3\n");
    assert_eq!(p.documents[0].root.as_ref().unwrap().get("a").unwrap().as_str(), Some("3"));
    assert_eq!(p.issues.len(), 1);
    assert_eq!(p.issues[0].kind, YamlIssueKind::DuplicateKey);
}

#[test]
fn alias_bomb_is_a_finding_not_an_allocation() {
    let mut s = String::from("a: &a [x,x,x,x,x,x,x,x,x,x]\n");
    for (prev, name) in ["a", "b", "c", "d", "e", "f", "g", "h", "i"].iter().zip(["b", "c", "d", "e", "f", "g", "h", "i", "j"]) {
        let refs = vec![format!("*{prev}"); 10].join(",");
        s.push_str(&format!("{name}: &{name} [{refs}]\n"));
    }
    let (_, _, p) = parse(&s);
    assert!(p.issues.iter().any(|i| i.kind == YamlIssueKind::Invalid && i.message.contains("alias")));
}

#[test]
fn deep_nesting_is_bounded() {
    let depth = 100_000;
    let s = "[".repeat(depth) + &"]".repeat(depth);
    let (_, _, p) = parse(&s);
    assert!(p.issues.iter().any(|i| i.kind == YamlIssueKind::Invalid), "{:?}", p.issues);
    let s = (0..5000).map(|i| format!("{}k:\n", "  ".repeat(i))).collect::<String>();
    let (_, _, p) = parse(&s);
    assert!(p.issues.iter().any(|i| i.message.contains("nesting")));
}

#[test]
fn syntax_errors_keep_earlier_documents() {
    let (_, _, p) = parse("a: 1\n---\nb: [\n");
    assert_eq!(p.documents.len(), 1);
    assert!(p.issues.iter().any(|i| i.kind == YamlIssueKind::Invalid));
}

#[test]
fn empty_and_whitespace_files_have_no_documents_or_issues() {
    for text in ["", "\n\n", "# just a comment\n"] {
        let (_, _, p) = parse(text);
        assert!(p.issues.is_empty(), "{text:?}");
        assert!(p.documents.iter().all(|d| d.root.as_ref().is_none_or(|r| r.is_null())));
    }
}

#[test]
fn core_schema_resolution() {
    let (_, _, p) = parse("a: yes\nb: true\nc: 010\nd: '1'\ne: ~\nf: 1.5\n");
    let j = p.documents[0].root.as_ref().unwrap().to_json();
    assert_eq!(j["a"], "yes");
    assert_eq!(j["b"], true);
    assert_eq!(j["c"], 8, "go-yaml v3 reads a leading 0 as octal");
    assert_eq!(j["d"], "1");
    assert!(j["e"].is_null());
    assert_eq!(j["f"], 1.5);
}

#[test]
fn folded_scalars_keep_breaks_around_more_indented_lines() {
    let text = "a: >-\n  one\n  two\n    indented\n  three\n\n  four\nb: >\n  x\n  y\n";
    let (_, _, p) = parse(text);
    let root = p.documents[0].root.as_ref().unwrap();
    // As go-yaml v3 reads it (kubectl kustomize prints this): one more break before a
    // more-indented line than the YAML spec's folding gives.
    assert_eq!(root.get("a").unwrap().as_str(), Some("one two\n\n  indented\nthree\nfour"));
    assert_eq!(root.get("b").unwrap().as_str(), Some("x y\n"));
}

#[test]
fn block_scalars_after_non_ascii_text_keep_their_content() {
    let text = "data:\n  a: |\n    x \u{2014} y\n  expr: |-\n    max == 1\n  for: 15m\n";
    let (_, _, p) = parse(text);
    let root = p.documents[0].root.as_ref().unwrap();
    let expr = root.at(&["data", "expr"]).unwrap();
    assert_eq!(expr.as_str(), Some("max == 1"), "span {:?} = {:?}", expr.span, &text[expr.span.start as usize..expr.span.end as usize]);
}

#[test]
fn go_yaml_readings() {
    // A flow sequence closed at its key's indentation, as kubectl accepts it.
    let (_, _, p) = parse("spec:\n  args: [\n    a,\n    b\n  ]\n  after: 1\n");
    assert!(p.issues.is_empty(), "{:?}", p.issues);
    let root = p.documents[0].root.as_ref().unwrap();
    assert_eq!(root.at(&["spec", "args"]).unwrap().items().count(), 2);
    assert_eq!(root.str_at(&["spec", "after"]), Some("1"));
    // A block scalar that ends the file without a line break has no final `\n` (clip and keep).
    for (text, want) in [("k: |\n  a\n  b", "a\nb"), ("k: |+\n  a", "a"), ("k: |-\n  a", "a"), ("k: >\n  a\n  b", "a b")] {
        let (_, _, p) = parse(text);
        assert_eq!(p.documents[0].root.as_ref().unwrap().str_at(&["k"]), Some(want), "{text:?}");
    }
    // Repeated annotations blocks are merged as kustomize merges them.
    let (_, _, p) = parse("metadata:\n  name: a\n  annotations:\n    x: \"1\"\n  annotations:\n    x: \"2\"\n    y: \"3\"\n");
    let ann = p.documents[0].root.as_ref().unwrap().at(&["metadata", "annotations"]).unwrap().to_json();
    assert_eq!(ann, serde_json::json!({"x": "1", "y": "3"}));
    assert!(p.issues.iter().all(|i| !i.refused()));
}

#[test]
fn positions_after_non_ascii_block_scalars_are_exact() {
    let text = "a: |\n  \u{2014}\u{2014}\u{2014}\nb: x\n";
    let (_, _, p) = parse(text);
    let b = p.documents[0].root.as_ref().unwrap().get("b").unwrap();
    assert_eq!(&text[b.span.start as usize..b.span.end as usize], "x");
}

#[test]
fn spans_after_multi_byte_characters_point_at_their_bytes() {
    // Two-, three- and four-byte characters in comments and values, before the value looked at.
    let text = "# über → 🚀\nkind: ConfigMap # ✓\nmetadata:\n  name: naïve-🚀\ndata:\n  x: after\n";
    let (db, id, p) = parse(text);
    let root = p.documents[0].root.as_ref().unwrap();
    let f = db.get(id);
    let name = root.at(&["metadata", "name"]).unwrap();
    assert_eq!(&f.text()[name.span.start as usize..name.span.end as usize], "naïve-🚀");
    let x = root.at(&["data", "x"]).unwrap();
    assert_eq!(&f.text()[x.span.start as usize..x.span.end as usize], "after");
    assert_eq!((f.line_col(x.span.start as usize).line, f.line_col(x.span.start as usize).column), (6, 6));
}
