//! Which nodes of a rendered document came from values, and the values line that wrote each
//! (issue 16, point 3): the executor records what every action printed and the values it read
//! (`Emitted`); this matches them with the document as parsed, so a finding on a scalar an action
//! printed from `.Values` points at the values line that set it, not at the template line.
//!
//! A scalar is matched only when the rendered scalar is the whole of what its values line holds
//! (`{{ .Values.s }}`, `{{ .Values.s | quote }}`, `"{{ .Values.s }}"`; not `{{ .Values.a }}-x`); a
//! map or list printed whole (`toYaml`) is walked alongside the values it came from, entry by
//! entry, so each entry keeps the line of the values layer that won.

use super::origin::{EntryOrigin, OriginFile, Place};
use super::template::exec::Emitted;
use super::value::{DictCell, Value};
use crate::source::yaml::{Node, Value as YValue};

/// A rendered node (by its span in the rendered text) that a values line wrote.
#[derive(Clone, Debug, PartialEq)]
pub struct Override {
    pub at: (u32, u32),
    pub file: OriginFile,
    pub place: Place,
}

/// Every node of `doc` (parsed from the rendered text that `emitted` ranges are offsets in) that
/// came from values.
pub fn overrides(doc: &Node, emitted: &[Emitted]) -> Vec<Override> {
    let mut out = Vec::new();
    for e in emitted.iter().filter(|e| e.end > e.start) {
        let range = (e.start as u32, e.end as u32);
        for (v, origin) in &e.sources {
            visit(doc, range, v, origin.as_ref(), &mut out);
        }
    }
    out
}

fn within(n: &Node, r: (u32, u32)) -> bool {
    n.span.start >= r.0 && n.span.end <= r.1 && n.span.end > n.span.start
}

fn overlaps(n: &Node, r: (u32, u32)) -> bool {
    n.span.start < r.1 && r.0 < n.span.end
}

fn push(out: &mut Vec<Override>, n: &Node, o: &EntryOrigin, place: &Place) {
    out.push(Override { at: (n.span.start, n.span.end), file: o.file.clone(), place: place.clone() });
}

/// A scalar node the values line `place` wrote: the same text.
fn scalar(out: &mut Vec<Override>, n: &Node, o: &EntryOrigin, place: &Place) {
    if let (YValue::Scalar(text, _), Some(written)) = (&n.value, &place.scalar)
        && text.as_str() == written.as_ref()
    {
        push(out, n, o, place);
    }
}

/// Find where the printed value `v` landed in the part of `n` the output range `r` covers.
fn visit(n: &Node, r: (u32, u32), v: &Value, origin: Option<&EntryOrigin>, out: &mut Vec<Override>) {
    if within(n, r) {
        whole(n, v, origin, out);
        return;
    }
    if !overlaps(n, r) {
        return;
    }
    match &n.value {
        // Quotes written around the action in the template: `"{{ .Values.s }}"`.
        YValue::Scalar(..) => {
            if let Some(o) = origin {
                scalar(out, n, o, &o.value);
            }
        }
        YValue::Map(entries) => {
            // Entries printed into a mapping the template began (`labels:` + its own + toYaml).
            if let Value::Dict(d) = v
                && entries.iter().any(|(k, _)| within(k, r))
            {
                entries_of(n, d, Some(r), out);
                return;
            }
            for (_, val) in entries {
                visit(val, r, v, origin, out);
            }
        }
        YValue::Seq(items) => {
            for i in items {
                visit(i, r, v, origin, out);
            }
        }
    }
}

/// `n` is entirely what the action printed for `v`.
fn whole(n: &Node, v: &Value, origin: Option<&EntryOrigin>, out: &mut Vec<Override>) {
    match (&n.value, v) {
        (YValue::Scalar(..), _) => {
            if let Some(o) = origin {
                scalar(out, n, o, &o.value);
            }
        }
        (YValue::Map(_), Value::Dict(d)) => {
            if let Some(o) = origin.filter(|o| o.value.scalar.is_none()) {
                push(out, n, o, &o.value);
            }
            entries_of(n, d, None, out);
        }
        (YValue::Seq(items), Value::List(list)) => {
            if let Some(o) = origin.filter(|o| o.value.scalar.is_none()) {
                push(out, n, o, &o.value);
            }
            for (i, (item, lv)) in items.iter().zip(list.iter()).enumerate() {
                match (&item.value, lv) {
                    (YValue::Map(_), Value::Dict(d)) => entries_of(item, d, None, out),
                    (YValue::Scalar(..), _) => {
                        if let Some((o, place)) = origin.and_then(|o| o.items.get(i).map(|p| (o, p))) {
                            scalar(out, item, o, place);
                        }
                    }
                    _ => {}
                }
            }
        }
        _ => {}
    }
}

/// The entries of mapping `n` (only those whose key lies in `r`, when given) against dict `d`.
fn entries_of(n: &Node, d: &DictCell, r: Option<(u32, u32)>, out: &mut Vec<Override>) {
    for (k, knode, vnode) in n.entries() {
        if r.is_some_and(|r| !within(knode, r)) {
            continue;
        }
        let Some(v) = d.borrow().get(k).cloned() else { continue };
        let origin = d.origin(k);
        if let Some(o) = &origin {
            scalar(out, knode, o, &o.key);
        }
        whole(vnode, &v, origin.as_ref(), out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::helm::template::{TemplateSet, exec::{Exec, Out}};
    use crate::source::FileId;
    use crate::source::yaml::parse;

    /// Render `tpl` with `.Values` read from `values` (origins in file 7), and list, per rendered
    /// node that came from values, (rendered text, values text).
    fn provenance(values: &str, tpl: &str) -> Vec<(String, String)> {
        let vdoc = parse(FileId(7), values).documents.remove(0).root.unwrap();
        let vals = Value::from_yaml_node_at(&vdoc, &OriginFile::Db(FileId(7)));
        let mut top = crate::helm::value::Map::new();
        top.insert("Values".into(), vals);
        let mut set = TemplateSet::default();
        set.add("t", tpl).unwrap();
        let mut out = Out::default();
        Exec::new(&set).run("t", &Value::dict(top), &mut out).unwrap();
        let doc = parse(FileId(0), &out.text).documents.remove(0).root.unwrap();
        overrides(&doc, &out.values)
            .into_iter()
            .map(|o| (out.text[o.at.0 as usize..o.at.1 as usize].to_string(), values[o.place.start as usize..o.place.end as usize].to_string()))
            .collect()
    }

    #[test]
    fn scalars_point_at_their_values_line() {
        let v = "backup:\n  schedule: '0 * * * *'\n  name: x\n";
        assert_eq!(provenance(v, "a: {{ .Values.backup.schedule }}\n"), vec![("0 * * * *".into(), "'0 * * * *'".into())]);
        assert_eq!(provenance(v, "a: {{ .Values.backup.schedule | quote }}\n"), vec![("\"0 * * * *\"".into(), "'0 * * * *'".into())]);
        assert_eq!(provenance(v, "a: \"{{ .Values.backup.schedule }}\"\n"), vec![("\"0 * * * *\"".into(), "'0 * * * *'".into())]);
        assert_eq!(provenance(v, "{{ with .Values.backup }}a: {{ .name }}{{ end }}\n"), vec![("x".into(), "x".into())]);
        // Part of a scalar: the template line stays.
        assert!(provenance(v, "a: {{ .Values.backup.name }}-suffix\n").is_empty());
        assert!(provenance(v, "a: {{ .Values.backup.name | upper }}\n").is_empty());
    }

    #[test]
    fn range_items_point_at_their_values_line() {
        let v = "labels:\n  tier: db\nhosts:\n  - a.example\n  - b.example\n";
        let got = provenance(v, "m:\n{{- range $k, $v := .Values.labels }}\n  {{ $k }}: {{ $v | quote }}\n{{- end }}\nh:\n{{- range .Values.hosts }}\n  - {{ . }}\n{{- end }}\n");
        assert!(got.contains(&("\"db\"".into(), "db".into())), "{got:?}");
        assert!(got.contains(&("b.example".into(), "b.example".into())), "{got:?}");
    }

    #[test]
    fn to_yaml_subtrees_map_entry_by_entry() {
        let v = "labels:\n  tier: db\n  team: x\nhosts:\n  - a\n  - b\n";
        let got = provenance(v, "m:\n  labels:\n    own: y\n    {{- toYaml .Values.labels | nindent 4 }}\n  hosts: {{ toYaml .Values.hosts | nindent 4 }}\n");
        assert!(got.contains(&("db".into(), "db".into())), "{got:?}");
        assert!(got.contains(&("tier".into(), "tier".into())), "{got:?}");
        assert!(got.contains(&("b".into(), "b".into())), "{got:?}");
        assert!(!got.iter().any(|(r, _)| r == "y" || r == "own"), "{got:?}");
    }
}
