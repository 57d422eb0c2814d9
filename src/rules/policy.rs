//! Run a config policy (`policies:` in `.drlint.yaml`, read by `settings::policies`) over the
//! index: every object its `match` selects, every check. Findings are at the offending value
//! (through provenance: the patch line when an overlay wrote it), or at the object's `kind:` when
//! a required field is missing, and name the object as built-in rules do.

use crate::model::workloads::labels_of;
use crate::model::{Index, Resource};
use crate::rules::Context;
use crate::settings::policies::{duration_secs, retention_secs, Check, FieldPath, Match, PathSeg, Policy};
use crate::settings::wildcard_match;
use crate::source::yaml::Node;
use crate::source::Span;

/// Run one policy.
pub fn check(policy: &Policy, index: &Index, cx: &mut Context) {
    for object in index.all() {
        let applied = crate::schema::validated(object);
        if (policy.matcher.deployed_only && !applied) || !matches(&policy.matcher, object) {
            continue;
        }
        for c in &policy.checks {
            run(policy, c, object, cx);
        }
    }
}

fn matches(m: &Match, object: &Resource) -> bool {
    let api_ok = m.api_version.as_deref().is_none_or(|a| object.api_version() == a || (!a.contains('/') && object.group() == a));
    let kind_ok = m.kinds.is_empty() || m.kinds.iter().any(|k| k == object.kind());
    let ns_ok = m.namespaces.is_empty() || object.namespace().is_some_and(|ns| m.namespaces.iter().any(|p| wildcard_match(p, ns)));
    let labels_ok = m.selector.as_ref().is_none_or(|s| s.matches(&labels_of(object.node.at(&["metadata", "labels"]))));
    // A cluster name may carry the repository's folder as a prefix (several repositories checked).
    let cluster_ok = m.clusters.is_empty()
        || object.cluster.as_deref().is_some_and(|c| m.clusters.iter().any(|w| c == w || c.rsplit('/').next() == Some(w.as_str())));
    api_ok && kind_ok && ns_ok && labels_ok && cluster_ok
}

/// What a path leads to in one object: a value (with the key it is under), or nothing.
enum Hit<'a> {
    Found(Option<&'a Node>, &'a Node),
    Missing,
}

fn resolve<'a>(node: &'a Node, segs: &[PathSeg], key: Option<&'a Node>, out: &mut Vec<Hit<'a>>) {
    let Some((first, rest)) = segs.split_first() else {
        // A field set to null is dropped by the API server: it is not set.
        out.push(if node.is_null() { Hit::Missing } else { Hit::Found(key, node) });
        return;
    };
    match first {
        PathSeg::Key(k) => match node.get(k) {
            Some(child) => resolve(child, rest, node.key(k), out),
            None => out.push(Hit::Missing),
        },
        PathSeg::Index(i) => match node.as_seq().and_then(|s| s.get(*i)) {
            Some(child) => resolve(child, rest, key, out),
            None => out.push(Hit::Missing),
        },
        PathSeg::Every => match node.as_seq() {
            Some(items) => items.iter().for_each(|child| resolve(child, rest, key, out)),
            None => out.push(Hit::Missing),
        },
    }
}

fn hits<'a>(object: &'a Resource, path: &FieldPath) -> Vec<Hit<'a>> {
    let mut out = Vec::new();
    resolve(&object.node, &path.segs, None, &mut out);
    out
}

fn run(policy: &Policy, check: &Check, object: &Resource, cx: &mut Context) {
    let what = format!("{} `{}`", object.kind(), object.qualified_name());
    let kind_span = object.node.get("kind").map(|n| n.span).unwrap_or_else(|| object.span());
    // Secret values are never shown.
    let secret = object.is("", "Secret");
    // "`path` is `value`, <what>", or "`path` is <what>" for a Secret.
    let is = |path: &FieldPath, v: &str, what: &str| {
        if secret { format!("`{}` is {what}", path.text) } else { format!("`{}` is `{v}`, {what}", path.text) }
    };
    let mut report = |span: Span, detail: String, help: Option<String>| {
        let d = cx.report_on(object, span, format!("{what}: {} ({detail})", policy.message));
        if let Some(h) = help {
            d.help(h);
        }
    };
    match check {
        Check::Schema(validator, schema) => {
            for v in crate::schema::check_with(&validator.0, schema, object) {
                report(v.span, v.message, v.help);
            }
        }
        Check::Required(paths) => {
            for p in paths {
                if hits(object, p).iter().any(|h| matches!(h, Hit::Missing)) {
                    report(kind_span, format!("`{}` is not set", p.text), Some(format!("set `{}`", p.text)));
                }
            }
        }
        Check::Forbidden(paths) => {
            for p in paths {
                for h in hits(object, p) {
                    if let Hit::Found(key, value) = h {
                        report(key.map(|k| k.span).unwrap_or(value.span), format!("`{}` is set", p.text), Some(format!("remove `{}`", p.text)));
                    }
                }
            }
        }
        Check::Pattern(path, re) => {
            for h in hits(object, path) {
                let Hit::Found(_, value) = h else { continue };
                let text = value.as_text().filter(|_| value.is_scalar());
                match text {
                    Some(t) if crate::schema::is_placeholder(t) || re.is_match(t) => {}
                    Some(t) => report(value.span, is(path, t, &format!("not matched by `{}`", re.as_str())), None),
                    None => report(value.span, format!("`{}` is not a string, so it does not match `{}`", path.text, re.as_str()), None),
                }
            }
        }
        Check::Duration { path, min, max } => {
            // CNPG and barman-cloud retention policies count `m` in months.
            let retention = matches!(path.segs.last(), Some(PathSeg::Key(k)) if k == "retentionPolicy");
            for h in hits(object, path) {
                let Hit::Found(_, value) = h else { continue };
                let Some(t) = value.as_text().filter(|_| value.is_scalar()) else {
                    report(value.span, format!("`{}` is not a duration", path.text), None);
                    continue;
                };
                if crate::schema::is_placeholder(t) {
                    continue;
                }
                let secs = if retention { retention_secs(t).or_else(|| duration_secs(t)) } else { duration_secs(t) };
                let Some(secs) = secs else {
                    report(value.span, is(path, t, "not a duration"), None);
                    continue;
                };
                if let Some((_, text)) = min.as_ref().filter(|(b, _)| secs < *b) {
                    report(value.span, is(path, t, &format!("less than {text}")), None);
                }
                if let Some((_, text)) = max.as_ref().filter(|(b, _)| secs > *b) {
                    report(value.span, is(path, t, &format!("more than {text}")), None);
                }
            }
        }
    }
}
