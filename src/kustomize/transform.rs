//! The built-in transformers, in the order kustomize runs them: strategic-merge patches,
//! patches, namespace, prefix, suffix, labels, annotations, JSON 6902 patches, replicas, images,
//! replacements. Values a transformer sets carry the span of the kustomization line that set them.

use super::fieldspec::{apply, Create, FieldSpec};
use super::load::{is_remote, Acc, Builder, Kust};
use super::resource::{cur_id, key_node, str_node, Res, ResId};
use super::{patch, unsupported, KError, KResult};
use crate::source::yaml::{Node, Value};
use crate::source::Span;

pub(crate) fn run_builtin(b: &mut Builder, k: &Kust, acc: &mut Acc) -> KResult<()> {
    // patchesStrategicMerge
    for e in k.items("patchesStrategicMerge") {
        let (_, docs) = b.file_or_inline(k, &e)?;
        if docs.is_empty() {
            return Err(KError::at(e.span, "trouble configuring builtin PatchStrategicMergeTransformer with config: the patch is empty"));
        }
        for d in docs {
            if b.partial && find_by_id(&acc.res, &cur_id(&d)).is_empty() {
                b.diags.push(target_not_rendered(e.span, &cur_id(&d)));
                continue;
            }
            apply_sm_by_id(&mut acc.res, &d, e.span, true)?;
        }
    }
    // patches
    for e in k.items("patches") {
        run_patch(b, k, &mut acc.res, &e)?;
    }
    if let Some(ns) = k.get("namespace").and_then(|n| n.as_text()).filter(|s| !s.is_empty()) {
        let span = k.get("namespace").unwrap().span;
        b.record_transformer(k, &mut acc.res, "NamespaceTransformer");
        let specs = acc.config.namespace.clone();
        namespace(&mut acc.res, ns, &specs, span, false)?;
    }
    // The prefix and suffix transformers run in every kustomization, even with nothing to add:
    // each layer records its (possibly empty) prefix and suffix, which name references use to
    // tell apart objects with the same original name.
    let prefix = k.get("namePrefix").and_then(|n| n.as_text()).unwrap_or("").to_string();
    let suffix = k.get("nameSuffix").and_then(|n| n.as_text()).unwrap_or("").to_string();
    if !prefix.is_empty() {
        b.record_transformer(k, &mut acc.res, "PrefixTransformer");
    }
    let specs = acc.config.name_prefix.clone();
    let span = k.get("namePrefix").map(|n| n.span).unwrap_or(k.span);
    prefix_suffix(&mut acc.res, &prefix, "", &specs, span, Affix::Prefix)?;
    if !suffix.is_empty() {
        b.record_transformer(k, &mut acc.res, "SuffixTransformer");
    }
    let specs = acc.config.name_suffix.clone();
    let span = k.get("nameSuffix").map(|n| n.span).unwrap_or(k.span);
    prefix_suffix(&mut acc.res, "", &suffix, &specs, span, Affix::Suffix)?;
    for l in k.items("labels") {
        let pairs = pairs_of(l.get("pairs"));
        let mut specs: Vec<FieldSpec> = l.get("fields").map(|f| f.items().filter_map(FieldSpec::from_node).collect()).unwrap_or_default();
        let include_selectors = l.get("includeSelectors").and_then(|n| n.as_bool()).unwrap_or(false);
        let include_templates = l.get("includeTemplates").and_then(|n| n.as_bool()).unwrap_or(false);
        if include_selectors {
            merge_into(&mut specs, &acc.config.common_labels);
        } else {
            if include_templates {
                merge_into(&mut specs, &acc.config.template_labels);
            }
            merge_into(&mut specs, &[FieldSpec::new("metadata/labels", true)]);
        }
        merge_into(&mut specs, &acc.config.labels);
        set_map_fields(&mut acc.res, &pairs, &specs)?;
    }
    if k.get("commonLabels").is_some() {
        let pairs = pairs_of(k.get("commonLabels"));
        let specs = acc.config.common_labels.clone();
        set_map_fields(&mut acc.res, &pairs, &specs)?;
    }
    if k.get("commonAnnotations").is_some() {
        let pairs = pairs_of(k.get("commonAnnotations"));
        let specs = acc.config.common_annotations.clone();
        set_map_fields(&mut acc.res, &pairs, &specs)?;
    }
    for e in k.items("patchesJson6902") {
        run_json6902_legacy(b, k, &mut acc.res, &e)?;
    }
    for r in k.items("replicas") {
        let specs = acc.config.replicas.clone();
        replicas(&mut acc.res, &r, &specs)?;
    }
    let mut images = k.items("images");
    images.extend(k.items("imageTags"));
    for i in images {
        let specs = acc.config.images.clone();
        image(&mut acc.res, &i, &specs)?;
    }
    for r in k.items("replacements") {
        let list = if let Some(p) = r.str_at(&["path"]) {
            let (_, parsed) = b.read_yaml(k, p, r.span)?;
            parsed.documents.iter().filter_map(|d| d.root.clone()).flat_map(|d| if d.is_seq() { d.items().cloned().collect() } else { vec![d] }).collect()
        } else {
            vec![r.clone()]
        };
        for rep in list {
            match super::vars::replacement(&mut acc.res, &rep) {
                // The source may be an object that was not rendered: the replacement is skipped.
                Err(e) if b.partial && e.message.starts_with("nothing selected") => {
                    b.diags.push(unsupported(rep.span, "the source of this replacement is not among the rendered objects; it may come from a remote resource or Helm chart that is not rendered, so the replacement is not applied"));
                }
                r => r?,
            }
        }
    }
    Ok(())
}

fn merge_into(into: &mut Vec<FieldSpec>, from: &[FieldSpec]) {
    for fs in from {
        if !into.iter().any(|x| x.path == fs.path && x.kind == fs.kind && x.group == fs.group && x.version == fs.version) {
            into.push(fs.clone());
        }
    }
}

fn pairs_of(n: Option<&Node>) -> Vec<(Node, Node)> {
    n.map(|m| {
        m.entries()
            .map(|(k, kn, v)| {
                let val = match &v.value {
                    Value::Scalar(s, _) if !v.is_null() => str_node(s, v.span),
                    Value::Scalar(..) => str_node("", v.span),
                    _ => v.clone(),
                };
                (key_node(k, kn.span), val)
            })
            .collect()
    })
    .unwrap_or_default()
}

/// Set label/annotation pairs in every field the specs name (creating maps where allowed).
pub(crate) fn set_map_fields(res: &mut [Res], pairs: &[(Node, Node)], specs: &[FieldSpec]) -> KResult<()> {
    if pairs.is_empty() {
        return Ok(());
    }
    let span = pairs[0].0.span;
    for r in res.iter_mut() {
        let gvk = r.gvk();
        for fs in specs.iter().filter(|fs| fs.selects(&gvk)) {
            let create = if fs.create { Create::Map } else { Create::No };
            apply(&mut r.node, &fs.path, create, span, &mut |n: &mut Node| {
                if n.is_null() || (n.is_scalar() && n.as_str() == Some("")) {
                    *n = Node::map(Vec::new(), span);
                }
                if !n.is_map() {
                    return Err(KError::new(format!("expected a map at {}", fs.path_text), Some(span)));
                }
                for (k, v) in pairs {
                    n.insert(k.clone(), v.clone());
                }
                Ok(())
            })
            .map_err(|e| KError::new(format!("{} (in {} {})", e.message, gvk.kind, r.name()), Some(span)))?;
        }
    }
    Ok(())
}

pub(crate) fn namespace(res: &mut [Res], ns: &str, specs: &[FieldSpec], span: Span, unset_only: bool) -> KResult<()> {
    for r in res.iter_mut() {
        let gvk = r.gvk();
        let before = r.cur_id();
        if !gvk.is_cluster_scoped() {
            let cur = r.namespace();
            if !(unset_only && !cur.is_empty()) {
                super::resource::set_namespace(&mut r.node, ns, span);
            }
        }
        let is_binding = gvk.kind == "RoleBinding" || gvk.kind == "ClusterRoleBinding";
        if is_binding {
            if let Some(subjects) = r.node.get_mut("subjects").and_then(|s| s.as_seq_mut()) {
                for s in subjects {
                    if s.str_at(&["name"]) == Some("default") && !(unset_only && s.str_at(&["namespace"]).is_some_and(|x| !x.is_empty())) {
                        s.insert(key_node("namespace", span), str_node(ns, span));
                    }
                }
            }
        }
        for fs in specs.iter().filter(|fs| fs.selects(&gvk)) {
            if fs.path_text == "metadata/namespace" || (is_binding && fs.path_text == "subjects") {
                continue;
            }
            if fs.path_text == "metadata/name" && gvk.kind == "Namespace" && !gvk.group.is_empty() {
                continue;
            }
            let create = if fs.create { Create::Scalar } else { Create::No };
            apply(&mut r.node, &fs.path, create, span, &mut |n: &mut Node| {
                if unset_only && n.as_text().is_some_and(|t| !t.is_empty()) {
                    return Ok(());
                }
                *n = str_node(ns, span);
                Ok(())
            })?;
        }
        // kustomize stores every object's previous id when it sets a namespace, moved or not:
        // that makes the object a candidate for name-reference fix-ups.
        r.prev_ids.push(before);
    }
    Ok(())
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Affix {
    Prefix,
    Suffix,
    Both,
}

pub(crate) fn prefix_suffix(res: &mut [Res], prefix: &str, suffix: &str, specs: &[FieldSpec], span: Span, which: Affix) -> KResult<()> {
    for r in res.iter_mut() {
        let gvk = r.gvk();
        if gvk.kind == "CustomResourceDefinition" || gvk.kind == "Namespace" || (gvk.kind == "APIService" && gvk.group == "apiregistration.k8s.io") {
            continue;
        }
        let before = r.cur_id();
        let mut touched_name = false;
        for fs in specs.iter().filter(|fs| fs.selects(&gvk)) {
            let create = if fs.create { Create::Scalar } else { Create::No };
            if fs.path_text == "metadata/name" {
                touched_name = true;
            }
            if prefix.is_empty() && suffix.is_empty() {
                continue;
            }
            apply(&mut r.node, &fs.path, create, span, &mut |n: &mut Node| {
                let old = n.as_str().unwrap_or("").to_string();
                let mut new = str_node(&format!("{prefix}{old}{suffix}"), n.span);
                new.span = n.span;
                *n = new;
                Ok(())
            })?;
        }
        if touched_name {
            if which != Affix::Suffix {
                r.prefixes.push(prefix.to_string());
            }
            if which != Affix::Prefix {
                r.suffixes.push(suffix.to_string());
            }
        }
        if touched_name && (!prefix.is_empty() || !suffix.is_empty()) {
            r.prev_ids.push(before);
        }
    }
    Ok(())
}

fn replicas(res: &mut [Res], item: &Node, specs: &[FieldSpec]) -> KResult<()> {
    let name = item.str_at(&["name"]).unwrap_or("");
    let count = item.get("count").cloned().unwrap_or_else(|| Node::scalar("0", item.span));
    let mut found = false;
    for r in res.iter_mut() {
        if !r.any_ids().iter().any(|id| id.name == name) {
            continue;
        }
        let gvk = r.gvk();
        for fs in specs.iter().filter(|fs| fs.selects(&gvk)) {
            found = true;
            let create = if fs.create { Create::Scalar } else { Create::No };
            apply(&mut r.node, &fs.path, create, item.span, &mut |n: &mut Node| {
                *n = count.clone();
                Ok(())
            })?;
        }
    }
    if !found {
        return Err(KError::at(item.span, format!("resource with name {name} does not match a config with the following GVK [Deployment ReplicationController ReplicaSet StatefulSet]")));
    }
    Ok(())
}

/// kustomize's image.Split: name, tag, digest.
fn split_image(image: &str) -> (String, String, String) {
    let slash = image.find('/').filter(|&i| i > 0);
    let search = match slash {
        Some(i) => &image[i..],
        None => image,
    };
    let off = slash.unwrap_or(0);
    let id = search.find('@');
    let ic = search.find(':');
    match (ic, id) {
        (None, None) => (image.to_string(), String::new(), String::new()),
        (ic, Some(d)) if ic.is_none() || d < ic.unwrap() => (image[..off + d].to_string(), String::new(), image[off + d + 1..].to_string()),
        (Some(c), Some(d)) => (image[..off + c].to_string(), image[off + c + 1..off + d].to_string(), image[off + d + 1..].to_string()),
        (Some(c), None) => (image[..off + c].to_string(), image[off + c + 1..].to_string(), String::new()),
        _ => (image.to_string(), String::new(), String::new()),
    }
}

fn image_matches(value: &str, name: &str) -> bool {
    let Some(rest) = value.strip_prefix(name) else { return false };
    let ok_chars = |s: &str| s.chars().all(|c| c.is_ascii_alphanumeric() || "_.{}-".contains(c));
    let (tag_part, digest_part) = match rest.find("@sha256:") {
        Some(i) => (&rest[..i], Some(&rest[i + 8..])),
        None => (rest, None),
    };
    let tag_ok = tag_part.is_empty() || (tag_part.starts_with(':') && ok_chars(&tag_part[1..]));
    let digest_ok = digest_part.is_none_or(ok_chars);
    tag_ok && digest_ok
}

fn image(res: &mut [Res], item: &Node, specs: &[FieldSpec]) -> KResult<()> {
    let name = item.str_at(&["name"]).unwrap_or("").to_string();
    if name.chars().any(|c| "[]{}()*?+\\^$| ".contains(c)) {
        return Err(KError::at(item.span, format!("invalid image name '{name}'")));
    }
    let new_name = item.str_at(&["newName"]).unwrap_or("").to_string();
    let new_tag = item.get("newTag").and_then(|n| n.as_text()).unwrap_or("").to_string();
    let digest = item.str_at(&["digest"]).unwrap_or("").to_string();
    let span = item.span;
    let update = |n: &mut Node| {
        let Some(value) = n.as_text().map(str::to_string) else { return };
        if !image_matches(&value, &name) {
            return;
        }
        let (mut nm, mut tag, mut dg) = split_image(&value);
        if !new_name.is_empty() {
            nm = new_name.clone();
        }
        if !new_tag.is_empty() && !digest.is_empty() {
            tag = new_tag.clone();
            dg = digest.clone();
        } else if !new_tag.is_empty() {
            tag = new_tag.clone();
            dg.clear();
        } else if !digest.is_empty() {
            dg = digest.clone();
            tag.clear();
        }
        let mut out = nm;
        if !tag.is_empty() {
            out = format!("{out}:{tag}");
        }
        if !dg.is_empty() {
            out = format!("{out}@{dg}");
        }
        *n = str_node(&out, span);
    };
    for r in res.iter_mut() {
        // Legacy filter: every `containers`/`initContainers` list anywhere in the object.
        let mut stack: Vec<&mut Node> = vec![&mut r.node];
        while let Some(n) = stack.pop() {
            match &mut n.value {
                Value::Map(entries) => {
                    for (k, v) in entries.iter_mut() {
                        let key = k.as_str().unwrap_or("");
                        if (key == "containers" || key == "initContainers") && v.is_seq() {
                            for c in v.as_seq_mut().unwrap() {
                                if let Some(img) = c.get_mut("image") {
                                    update(img);
                                }
                            }
                        }
                        stack.push(v);
                    }
                }
                Value::Seq(items) => stack.extend(items.iter_mut()),
                _ => {}
            }
        }
        let gvk = r.gvk();
        for fs in specs.iter().filter(|fs| fs.selects(&gvk)) {
            let is_default = fs.path.iter().any(|s| s.key == "containers" || s.key == "initContainers");
            if is_default {
                continue;
            }
            apply(&mut r.node, &fs.path, Create::No, span, &mut |n: &mut Node| {
                update(n);
                Ok(())
            })?;
        }
    }
    Ok(())
}

/// A target selector: group, version, kind, name, namespace (regexes), label and annotation
/// selectors.
pub(crate) struct Selector {
    group: Option<regex::Regex>,
    version: Option<regex::Regex>,
    kind: Option<regex::Regex>,
    name: Option<regex::Regex>,
    namespace: Option<regex::Regex>,
    labels: Option<String>,
    annotations: Option<String>,
    /// Match names and namespaces against every id the object has had (replacements).
    pub any_id: bool,
}

fn anchored(n: &Node, key: &str) -> KResult<Option<regex::Regex>> {
    match n.get(key).and_then(|v| v.as_text()) {
        None | Some("") => Ok(None),
        Some(s) => regex::Regex::new(&format!("^(?:{s})$")).map(Some).map_err(|e| KError::at(n.span, format!("invalid regex in target {key}: {e}"))),
    }
}

impl Selector {
    pub fn from_node(n: &Node) -> KResult<Selector> {
        Ok(Selector {
            group: anchored(n, "group")?,
            version: anchored(n, "version")?,
            kind: anchored(n, "kind")?,
            name: anchored(n, "name")?,
            namespace: anchored(n, "namespace")?,
            labels: n.str_at(&["labelSelector"]).filter(|s| !s.is_empty()).map(str::to_string),
            annotations: n.str_at(&["annotationSelector"]).filter(|s| !s.is_empty()).map(str::to_string),
            any_id: false,
        })
    }

    pub fn matches(&self, r: &Res) -> bool {
        let m = |re: &Option<regex::Regex>, s: &str| re.as_ref().is_none_or(|re| re.is_match(s));
        let cur = r.cur_id();
        let org = &r.org_id;
        if !(m(&self.namespace, &org.effective_namespace()) || m(&self.namespace, &cur.effective_namespace())) {
            return false;
        }
        if !(m(&self.name, &org.name) || m(&self.name, &cur.name) || (self.any_id && r.prev_ids.iter().any(|id| m(&self.name, &id.name)))) {
            return false;
        }
        let gvk = r.gvk();
        if !(m(&self.group, &gvk.group) && m(&self.version, &gvk.version) && m(&self.kind, &gvk.kind)) {
            return false;
        }
        if let Some(ls) = &self.labels {
            if !label_selector_matches(ls, &r.labels()) {
                return false;
            }
        }
        if let Some(a) = &self.annotations {
            if !label_selector_matches(a, &r.annotations()) {
                return false;
            }
        }
        true
    }
}

/// Kubernetes label selector syntax: `a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`.
pub(crate) fn label_selector_matches(sel: &str, labels: &[(String, String)]) -> bool {
    let get = |k: &str| labels.iter().find(|(lk, _)| lk == k).map(|(_, v)| v.as_str());
    let mut terms = Vec::new();
    let mut depth = 0;
    let mut cur = String::new();
    for c in sel.chars() {
        match c {
            '(' => {
                depth += 1;
                cur.push(c)
            }
            ')' => {
                depth -= 1;
                cur.push(c)
            }
            ',' if depth == 0 => terms.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    terms.push(cur);
    for t in terms {
        let t = t.trim();
        if t.is_empty() {
            continue;
        }
        let ok = if let Some((k, v)) = t.split_once("!=") {
            get(k.trim()) != Some(v.trim())
        } else if let Some((k, v)) = t.split_once("==") {
            get(k.trim()) == Some(v.trim())
        } else if let Some((k, v)) = t.split_once('=') {
            get(k.trim()) == Some(v.trim())
        } else if let Some(k) = t.strip_prefix('!') {
            get(k.trim()).is_none()
        } else if let Some(i) = t.find(" notin ") {
            let vals = set_values(&t[i + 7..]);
            get(t[..i].trim()).is_none_or(|v| !vals.contains(&v.to_string()))
        } else if let Some(i) = t.find(" in ") {
            let vals = set_values(&t[i + 4..]);
            get(t[..i].trim()).is_some_and(|v| vals.contains(&v.to_string()))
        } else {
            get(t).is_some()
        };
        if !ok {
            return false;
        }
    }
    true
}

fn set_values(s: &str) -> Vec<String> {
    s.trim().trim_start_matches('(').trim_end_matches(')').split(',').map(|v| v.trim().to_string()).collect()
}

/// The note for a patch whose target is missing from a build that left inputs out: the target may
/// be one of them, so kustomize itself may well find it.
fn target_not_rendered(span: Span, id: &ResId) -> crate::diag::Diagnostic {
    unsupported(span, format!("the target {} of this patch is not among the rendered objects; it may come from a remote resource or Helm chart that is not rendered, so the patch is not applied", id.display()))
}

/// Resources a patch without a target applies to: those with any id equal to the patch's.
fn find_by_id(res: &[Res], id: &ResId) -> Vec<usize> {
    (0..res.len()).filter(|&i| res[i].any_ids().iter().any(|x| x.equals(id))).collect()
}

/// A strategic-merge patch located by its own apiVersion/kind/name/namespace.
fn apply_sm_by_id(res: &mut Vec<Res>, p: &Node, span: Span, legacy: bool) -> KResult<()> {
    let id = cur_id(p);
    let m = find_by_id(res, &id);
    if m.len() != 1 {
        let what = if m.is_empty() { "no matches for Id" } else { "multiple matches for Id" };
        let msg = format!("{what} {}; failed to find unique target for patch {}", id.display(), id.display());
        let msg = if legacy { format!("no resource matches strategic merge patch \"{}\": {msg}", id.display()) } else { msg };
        return Err(KError::at(span, msg));
    }
    apply_sm(res, m[0], p, span, false, false)
}

/// Apply a strategic-merge patch to `res[i]`; the object keeps its name, namespace and kind
/// unless the options allow a change. A patch that deletes the object removes it.
fn apply_sm(res: &mut Vec<Res>, i: usize, p: &Node, span: Span, allow_name: bool, allow_kind: bool) -> KResult<()> {
    let r = &mut res[i];
    let name = r.node.at(&["metadata", "name"]).cloned();
    let ns = r.node.at(&["metadata", "namespace"]).cloned();
    let kind = r.node.get("kind").cloned();
    let api = r.node.get("apiVersion").cloned();
    if allow_name || allow_kind {
        r.remember_id();
    }
    let mut p = p.clone();
    // The patch's identity fields never rename the object unless allowed.
    if !allow_name {
        if let Some(n) = &name {
            super::resource::set_path(&mut p, &["metadata", "name"], n.clone(), span);
        }
    }
    if !allow_kind {
        if let Some(k) = &kind {
            p.insert(key_node("kind", span), k.clone());
        }
        if let Some(a) = &api {
            p.insert(key_node("apiVersion", span), a.clone());
        }
    }
    match &ns {
        Some(n) => super::resource::set_path(&mut p, &["metadata", "namespace"], n.clone(), span),
        None => {
            if let Some(m) = p.get_mut("metadata") {
                m.remove("namespace");
            }
        }
    }
    match patch::strategic_merge(&r.node, &p) {
        Err(e) => Err(KError::at(span, format!("trouble applying strategic merge patch: {e}"))),
        Ok(None) => {
            res.remove(i);
            Ok(())
        }
        Ok(Some(n)) => {
            if n.as_map().is_some_and(|m| m.is_empty()) {
                res.remove(i);
                return Ok(());
            }
            r.node = n;
            Ok(())
        }
    }
}

/// Is this patch a JSON 6902 operation list (rather than a strategic-merge patch)?
fn is_json6902(docs: &[Node]) -> bool {
    docs.len() == 1 && docs[0].is_seq()
}

fn run_patch(b: &mut Builder, k: &Kust, res: &mut Vec<Res>, e: &Node) -> KResult<()> {
    let span = e.span;
    let path = e.str_at(&["path"]);
    let inline = e.get("patch").filter(|n| !n.is_null());
    if path.is_some() && inline.is_some() {
        return Err(KError::at(span, "patch and path can't be set at the same time"));
    }
    let docs: Vec<Node> = if let Some(p) = path {
        if is_remote(p) {
            b.diags.push(unsupported(span, format!("remote patch '{p}' is not fetched")));
            return Ok(());
        }
        let (_, parsed) = b.read_yaml(k, p, e.get("path").map(|n| n.span).unwrap_or(span))?;
        parsed.documents.iter().filter_map(|d| d.root.clone()).filter(|r| !r.is_null()).collect()
    } else if let Some(n) = inline {
        if n.is_map() || n.is_seq() {
            vec![n.clone()]
        } else {
            // kustomize trims the inline patch text before parsing it (a block scalar ending the
            // patch loses its final newline).
            super::load::inline_docs(b.db.db(), n, true)
        }
    } else {
        return Err(KError::at(span, "must specify one of patch and path"));
    };
    if docs.is_empty() {
        return Err(KError::at(span, "trouble configuring builtin PatchTransformer with config: the patch is empty"));
    }
    let allow_name = e.at(&["options", "allowNameChange"]).and_then(|n| n.as_bool()).unwrap_or(false);
    let allow_kind = e.at(&["options", "allowKindChange"]).and_then(|n| n.as_bool()).unwrap_or(false);
    let json = is_json6902(&docs);
    match e.get("target").filter(|t| t.is_map()) {
        None => {
            // kustomize v5.5.0 crashes (nil pointer) on one patch holding several whole-object
            // deletions; the build fails there, so it fails here too, cleanly.
            if docs.iter().filter(|d| d.str_at(&["$patch"]) == Some("delete")).count() > 1 {
                return Err(KError::at(span, "kustomize cannot apply a patch with several `$patch: delete` documents (kustomize v5.5.0 crashes on it); split it into one patch per object"));
            }
            if json {
                return Err(KError::at(span, "must specify a target for JSON patch"));
            }
            for d in &docs {
                if d.get("kind").is_none() && d.at(&["metadata", "name"]).is_none() {
                    return Err(KError::at(span, "trouble configuring builtin PatchTransformer: missing Resource metadata"));
                }
                let id = cur_id(d);
                let m = find_by_id(res, &id);
                if m.is_empty() && b.partial {
                    b.diags.push(target_not_rendered(span, &id));
                    continue;
                }
                if m.len() != 1 {
                    let what = if m.is_empty() { "no matches for Id" } else { "multiple matches for Id" };
                    return Err(KError::at(span, format!("{what} {}; failed to find unique target for patch {}", id.display(), id.display())));
                }
                apply_sm(res, m[0], d, span, allow_name, allow_kind)?;
            }
        }
        Some(t) => {
            let sel = Selector::from_node(t)?;
            let targets: Vec<ResId> = res.iter().filter(|r| sel.matches(r)).map(|r| r.cur_id()).collect();
            for id in targets {
                let Some(i) = res.iter().position(|r| r.cur_id() == id) else { continue };
                if json {
                    apply_json(res, i, &docs[0], span)?;
                } else {
                    for d in &docs {
                        let Some(i) = res.iter().position(|r| r.cur_id() == id) else { break };
                        apply_sm(res, i, d, span, allow_name, allow_kind)?;
                    }
                }
            }
        }
    }
    Ok(())
}

fn apply_json(res: &mut [Res], i: usize, ops: &Node, span: Span) -> KResult<()> {
    let before = res[i].cur_id();
    let n = patch::json6902(&res[i].node, ops).map_err(|e| KError::at(span, format!("unable to apply JSON patch to {}: {e}", before.display())))?;
    res[i].node = n;
    if res[i].cur_id() != before {
        res[i].prev_ids.push(before);
    }
    Ok(())
}

fn run_json6902_legacy(b: &mut Builder, k: &Kust, res: &mut [Res], e: &Node) -> KResult<()> {
    let span = e.span;
    let Some(t) = e.get("target") else {
        return Err(KError::at(span, "must specify a target for patch"));
    };
    let ops: Node = if let Some(p) = e.str_at(&["path"]) {
        let (_, parsed) = b.read_yaml(k, p, e.get("path").map(|n| n.span).unwrap_or(span))?;
        parsed.documents.iter().filter_map(|d| d.root.clone()).next().unwrap_or_else(|| Node::seq(Vec::new(), span))
    } else if let Some(p) = e.get("patch") {
        if p.is_seq() { p.clone() } else { super::load::inline_docs(b.db.db(), p, false).into_iter().next().unwrap_or_else(|| Node::seq(Vec::new(), span)) }
    } else {
        return Err(KError::at(span, "must specify the path for a json patch file"));
    };
    let sel = Selector::from_node(t)?;
    for i in 0..res.len() {
        if sel.matches(&res[i]) {
            apply_json(res, i, &ops, span)?;
        }
    }
    Ok(())
}

/// `transformers:` entries: builtin plugin configurations are run; anything else is a note.
pub(crate) fn run_transformer_plugins(b: &mut Builder, k: &Kust, acc: &mut Acc) -> KResult<()> {
    for entry in k.items("transformers") {
        let configs = super::generate::plugin_configs(b, k, &entry)?;
        for cfg in configs {
            let api = cfg.str_at(&["apiVersion"]).unwrap_or("");
            let kind = cfg.str_at(&["kind"]).unwrap_or("");
            let span = entry.span;
            if api != "builtin" {
                b.diags.push(unsupported(span, format!("transformer plugin {kind} ({api}) is not run; the rest of the overlay is rendered without it")));
                continue;
            }
            let configured_in = match super::generate::plugin_file(&entry) {
                Some(p) => super::load::join_rel(&b.origin_dir, p),
                None => b.configured_in(k),
            };
            b.record_plugin(configured_in, &mut acc.res, kind, cfg.str_at(&["metadata", "name"]), cfg.str_at(&["metadata", "namespace"]));
            let specs_of = |key: &str| -> Vec<FieldSpec> { cfg.get(key).map(|f| f.items().filter_map(FieldSpec::from_node).collect()).unwrap_or_default() };
            match kind {
                "PrefixSuffixTransformer" | "PrefixTransformer" | "SuffixTransformer" => {
                    let prefix = cfg.str_at(&["prefix"]).unwrap_or("");
                    let suffix = cfg.str_at(&["suffix"]).unwrap_or("");
                    let specs = specs_of("fieldSpecs");
                    prefix_suffix(&mut acc.res, prefix, suffix, &specs, span, Affix::Both)?;
                }
                "NamespaceTransformer" => {
                    let ns = cfg.str_at(&["metadata", "namespace"]).unwrap_or("");
                    let specs = specs_of("fieldSpecs");
                    let unset_only = cfg.get("unsetOnly").and_then(|n| n.as_bool()).unwrap_or(false);
                    namespace(&mut acc.res, ns, &specs, span, unset_only)?;
                }
                "LabelTransformer" => {
                    set_map_fields(&mut acc.res, &pairs_of(cfg.get("labels")), &specs_of("fieldSpecs"))?;
                }
                "AnnotationsTransformer" => {
                    set_map_fields(&mut acc.res, &pairs_of(cfg.get("annotations")), &specs_of("fieldSpecs"))?;
                }
                "ImageTagTransformer" => {
                    if let Some(it) = cfg.get("imageTag") {
                        image(&mut acc.res, it, &specs_of("fieldSpecs"))?;
                    }
                }
                "ReplicaCountTransformer" => {
                    if let Some(rp) = cfg.get("replica") {
                        replicas(&mut acc.res, rp, &specs_of("fieldSpecs"))?;
                    }
                }
                "PatchTransformer" => {
                    run_patch(b, k, &mut acc.res, &cfg)?;
                }
                "PatchJson6902Transformer" => {
                    let mut c = cfg.clone();
                    if let Some(op) = cfg.get("jsonOp").cloned() {
                        c.insert(key_node("patch", span), op);
                    }
                    run_json6902_legacy(b, k, &mut acc.res, &c)?;
                }
                "PatchStrategicMergeTransformer" => {
                    for p in cfg.get("paths").map(|n| n.items().cloned().collect::<Vec<_>>()).unwrap_or_default() {
                        let (_, docs) = b.file_or_inline(k, &p)?;
                        for d in docs {
                            apply_sm_by_id(&mut acc.res, &d, span, true)?;
                        }
                    }
                    if let Some(p) = cfg.get("patches") {
                        for d in super::load::inline_docs(b.db.db(), p, false) {
                            apply_sm_by_id(&mut acc.res, &d, span, true)?;
                        }
                    }
                }
                "ReplacementTransformer" => {
                    for rep in cfg.get("replacements").map(|n| n.items().cloned().collect::<Vec<_>>()).unwrap_or_default() {
                        super::vars::replacement(&mut acc.res, &rep)?;
                    }
                }
                "SortOrderTransformer" => {
                    return Err(KError::at(span, "unable to load builtin SortOrderTransformer.builtin.[noGrp]"));
                }
                other => {
                    b.diags.push(unsupported(span, format!("builtin transformer {other} is not supported; the rest of the overlay is rendered without it")));
                }
            }
        }
    }
    Ok(())
}
