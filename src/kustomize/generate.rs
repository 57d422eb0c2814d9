//! configMapGenerator and secretGenerator (and their builtin plugin forms in `generators:`):
//! literals, files and env files become data; the content hash is added at the end of the build.

use super::hash::base64_encode;
use super::load::{is_remote, Acc, Builder, Kust};
use super::resource::{key_node, set_path, str_node, Behavior, Res};
use super::{unsupported, KError, KResult};
use crate::source::yaml::{Node, Style, Value};
use crate::source::Span;

#[derive(Default, Clone)]
struct Options {
    labels: Vec<(String, Node)>,
    annotations: Vec<(String, Node)>,
    disable_hash: bool,
    immutable: bool,
}

fn read_options(n: Option<&Node>) -> Options {
    let mut o = Options::default();
    let Some(n) = n else { return o };
    for (k, _, v) in n.get("labels").map(|m| m.entries().collect::<Vec<_>>()).unwrap_or_default() {
        o.labels.push((k.to_string(), v.clone()));
    }
    for (k, _, v) in n.get("annotations").map(|m| m.entries().collect::<Vec<_>>()).unwrap_or_default() {
        o.annotations.push((k.to_string(), v.clone()));
    }
    o.disable_hash = n.get("disableNameSuffixHash").and_then(|b| b.as_bool()).unwrap_or(false);
    o.immutable = n.get("immutable").and_then(|b| b.as_bool()).unwrap_or(false);
    o
}

/// kustomize's MergeGlobalOptionsIntoLocal: global entries fill in what the local ones lack.
fn merge_options(mut local: Options, global: &Options) -> Options {
    for (k, v) in &global.labels {
        if !local.labels.iter().any(|(lk, _)| lk == k) {
            local.labels.push((k.clone(), v.clone()));
        }
    }
    for (k, v) in &global.annotations {
        if !local.annotations.iter().any(|(lk, _)| lk == k) {
            local.annotations.push((k.clone(), v.clone()));
        }
    }
    local.disable_hash |= global.disable_hash;
    local.immutable |= global.immutable;
    local
}

pub(crate) fn run_generators(b: &mut Builder, k: &Kust, acc: &mut Acc) -> KResult<()> {
    let global = read_options(k.get("generatorOptions"));
    for item in k.items("configMapGenerator") {
        let mut r = generate(b, k, &item, false, &global, None)?;
        set_origin(b, k, &mut r, "ConfigMapGenerator", None);
        acc.absorb(r, item.span)?;
    }
    for item in k.items("secretGenerator") {
        let mut r = generate(b, k, &item, true, &global, None)?;
        set_origin(b, k, &mut r, "SecretGenerator", None);
        acc.absorb(r, item.span)?;
    }
    for entry in k.items("generators") {
        let configs = plugin_configs(b, k, &entry)?;
        for cfg in configs {
            let api = cfg.str_at(&["apiVersion"]).unwrap_or("");
            let kind = cfg.str_at(&["kind"]).unwrap_or("");
            if api == "builtin" && (kind == "ConfigMapGenerator" || kind == "SecretGenerator") {
                let mut r = generate(b, k, &cfg, kind == "SecretGenerator", &global, Some(&cfg))?;
                set_origin(b, k, &mut r, kind, cfg.str_at(&["metadata", "name"]));
                if let (true, Some(p)) = (b.origin_annotations, plugin_file(&entry)) {
                    let ci = super::load::join_rel(&b.origin_dir, p);
                    let configured_in = b.configured_in(k);
                    if let Some(o) = r.origin.as_mut() {
                        *o = o.replacen(&format!("configuredIn: {configured_in}"), &format!("configuredIn: {ci}"), 1);
                    }
                }
                acc.absorb(r, entry.span)?;
            } else if api == "builtin" && kind == "IAMPolicyGenerator" {
                let r = iam_policy(k, &cfg, entry.span)?;
                acc.absorb(r, entry.span)?;
            } else {
                b.diags.push(unsupported(entry.span, format!("generator plugin {kind} ({api}) is not run; the rest of the overlay is rendered without its output")));
            }
        }
    }
    Ok(())
}

/// The file an entry of `generators:`/`transformers:` names (None for inline configuration).
pub(crate) fn plugin_file(entry: &Node) -> Option<&str> {
    let t = entry.as_text()?;
    if t.contains('\n') || t.trim_start().starts_with("apiVersion") || t.trim_start().starts_with("kind") {
        return None;
    }
    Some(t)
}

fn set_origin(b: &Builder, k: &Kust, r: &mut Res, kind: &str, name: Option<&str>) {
    if !b.origin_annotations {
        return;
    }
    let mut o = format!("configuredIn: {}\nconfiguredBy:\n  apiVersion: builtin\n  kind: {kind}\n", b.configured_in(k));
    if let Some(n) = name {
        o.push_str(&format!("  name: {n}\n"));
    }
    r.origin = Some(o);
}

/// The plugin configurations an entry of `generators:`/`transformers:` names: a file, inline
/// YAML, or a kustomization folder whose output is the configurations.
pub(crate) fn plugin_configs(b: &mut Builder, k: &Kust, entry: &Node) -> KResult<Vec<Node>> {
    if entry.is_map() {
        return Ok(vec![entry.clone()]);
    }
    let Some(text) = entry.as_text() else { return Ok(Vec::new()) };
    if text.contains('\n') || text.trim_start().starts_with("apiVersion") || text.trim_start().starts_with("kind") {
        return Ok(super::load::inline_docs(b.db.db(), entry, false));
    }
    if is_remote(text) {
        b.diags.push(unsupported(entry.span, format!("remote plugin configuration '{text}' is not fetched")));
        b.unrendered += 1;
        return Ok(Vec::new());
    }
    let full = crate::source::normalize(&k.dir.join(text));
    if full.is_dir() {
        thread_local! {
            static DEPTH: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
        }
        if DEPTH.with(|d| d.get()) >= 8 {
            return Err(KError::at(entry.span, format!("plugin configurations in '{text}' nest too deeply (a cycle?)")));
        }
        let opts = b.opts.clone();
        DEPTH.with(|d| d.set(d.get() + 1));
        let rendered = super::render_in(&mut b.db, &full, None, &opts);
        DEPTH.with(|d| d.set(d.get() - 1));
        b.files.extend(rendered.files.iter().copied());
        if !rendered.ok {
            let msg = rendered.diagnostics.iter().find(|d| d.rule == super::RULE_BUILD_FAILED).map(|d| d.message.clone()).unwrap_or_default();
            return Err(KError::at(entry.span, format!("plugin configurations in '{text}': {msg}")));
        }
        b.diags.extend(rendered.diagnostics);
        return Ok(rendered.objects.into_iter().map(|o| o.node).collect());
    }
    let (_, parsed) = b.read_yaml(k, text, entry.span)?;
    Ok(parsed.documents.iter().filter_map(|d| d.root.clone()).filter(|r| r.is_map()).collect())
}

fn is_valid_key(key: &str) -> bool {
    !key.is_empty() && key.len() <= 253 && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
}

fn remove_quotes(s: &str) -> &str {
    let b = s.as_bytes();
    if b.len() >= 2 && ((b[0] == b'"' && b[b.len() - 1] == b'"') || (b[0] == b'\'' && b[b.len() - 1] == b'\'')) {
        &s[1..s.len() - 1]
    } else {
        s
    }
}

struct Kv {
    key: String,
    value: String,
    span: Span,
}

fn generate(b: &mut Builder, k: &Kust, item: &Node, secret: bool, global: &Options, plugin: Option<&Node>) -> KResult<Res> {
    let span = item.span;
    let name = item
        .str_at(&["name"])
        .or_else(|| plugin.and_then(|p| p.str_at(&["metadata", "name"])))
        .ok_or_else(|| KError::at(span, "a generator needs a name"))?
        .to_string();
    let namespace = item.str_at(&["namespace"]).or_else(|| plugin.and_then(|p| p.str_at(&["metadata", "namespace"]))).map(str::to_string);
    let behavior = match item.str_at(&["behavior"]).unwrap_or("") {
        "" | "create" => {
            if item.str_at(&["behavior"]).is_some() {
                Behavior::Create
            } else {
                Behavior::Unspecified
            }
        }
        "merge" => Behavior::Merge,
        "replace" => Behavior::Replace,
        other => return Err(KError::at(span, format!("invalid generator behavior '{other}'"))),
    };
    let opts = merge_options(read_options(item.get("options")), global);
    let mut kvs: Vec<Kv> = Vec::new();
    let mut binary: Vec<Kv> = Vec::new();
    let push = |kvs: &mut Vec<Kv>, kv: Kv, at: Span| -> KResult<()> {
        if !is_valid_key(&kv.key) {
            return Err(KError::at(at, format!("\"{}\" is not a valid key name: a valid config key must consist of alphanumeric characters, '-', '_' or '.'", kv.key)));
        }
        if kvs.iter().any(|x| x.key == kv.key) {
            return Err(KError::at(at, format!("cannot add key {}, another key by that name already exists", kv.key)));
        }
        kvs.push(kv);
        Ok(())
    };
    // Env files first, then literals, then files (kustomize's order).
    let mut envs: Vec<Node> = item.get("envs").map(|n| n.items().cloned().collect()).unwrap_or_default();
    if let Some(e) = item.get("env").filter(|e| e.as_text().is_some()) {
        envs.push(e.clone());
    }
    for e in envs {
        let Some(path) = e.as_text() else { continue };
        let (id, _) = b.read_file(k, path, e.span)?;
        let text = b.db.get(id).text().to_string();
        let mut masks = Vec::new();
        let mut offset = 0;
        for raw in text.split_inclusive('\n') {
            let line_start = offset;
            offset += raw.len();
            let line = raw.trim_end_matches(['\n', '\r']);
            let line = if line_start == 0 { line.trim_start_matches('\u{feff}') } else { line };
            let trimmed = line.trim_start();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let lead = line.len() - trimmed.len();
            let (key, value) = match trimmed.split_once('=') {
                Some((k, v)) => (k.to_string(), v.to_string()),
                None => match std::env::var(trimmed) {
                    Ok(v) => (trimmed.to_string(), v),
                    Err(_) => continue,
                },
            };
            if key.is_empty() || key.contains(char::is_whitespace) {
                return Err(KError::at(e.span, format!("invalid env line {trimmed:?} in {path}")));
            }
            let vstart = line_start + lead + key.len() + 1;
            let vend = line_start + line.len();
            if secret && vend > vstart {
                masks.push((vstart, vend));
            }
            push(&mut kvs, Kv { key, value, span: Span::new(id, line_start + lead, vend) }, e.span)?;
        }
        if secret {
            b.db.mask(id, &masks);
        }
    }
    for l in item.get("literals").map(|n| n.items().cloned().collect::<Vec<_>>()).unwrap_or_default() {
        let Some(src) = l.as_str() else { continue };
        if src.starts_with('=') {
            return Err(KError::at(l.span, format!("invalid literal source {src}, expected key=value")));
        }
        let Some((key, value)) = src.split_once('=') else {
            return Err(KError::at(l.span, format!("invalid literal source {src}, expected key=value")));
        };
        if secret && l.span.file == k.file.unwrap_or(crate::source::FileId(u32::MAX)) {
            let s = l.span.start as usize;
            let text = b.db.get(l.span.file).text();
            if let Some(eq) = text.get(s..l.span.end as usize).and_then(|t| t.find('=')) {
                b.db.mask(l.span.file, &[(s + eq + 1, l.span.end as usize)]);
            }
        }
        push(&mut kvs, Kv { key: key.to_string(), value: remove_quotes(value).to_string(), span: l.span }, l.span)?;
    }
    for f in item.get("files").map(|n| n.items().cloned().collect::<Vec<_>>()).unwrap_or_default() {
        let Some(src) = f.as_text() else { continue };
        let (key, path) = match src.split_once('=') {
            Some((k, p)) => {
                if k.is_empty() || p.is_empty() {
                    return Err(KError::at(f.span, format!("key or file path is missing from '{src}'")));
                }
                (k.to_string(), p.to_string())
            }
            None => (std::path::Path::new(src).file_name().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default(), src.to_string()),
        };
        let full = crate::source::normalize(&k.dir.join(&path));
        if full.is_dir() {
            return Err(KError::at(f.span, format!("file sources: [{path}]: is a directory")));
        }
        let bytes_ok = b.read_file(k, &path, f.span);
        match bytes_ok {
            Ok((id, _)) => {
                let text = b.db.get(id).text().to_string();
                let len = text.len();
                if secret {
                    b.db.mask(id, &[(0, len)]);
                }
                push(&mut kvs, Kv { key, value: text, span: Span::new(id, 0, len) }, f.span)?;
            }
            Err(e) => {
                // Not UTF-8 text: a ConfigMap keeps it in binaryData, a Secret base64-encodes it.
                let bytes = std::fs::read(&full).map_err(|_| e.clone())?;
                if !full.starts_with(crate::source::normalize(&b.opts.repo_root)) || String::from_utf8(bytes.clone()).is_ok() {
                    return Err(e);
                }
                binary.push(Kv { key, value: base64_lines(&bytes), span: f.span });
            }
        }
    }
    let mut node = Node::map(Vec::new(), span);
    node.insert(key_node("apiVersion", span), Node::scalar("v1", span));
    node.insert(key_node("kind", span), Node::scalar(if secret { "Secret" } else { "ConfigMap" }, span));
    let name_span = item.get("name").map(|n| n.span).unwrap_or(span);
    set_path(&mut node, &["metadata", "name"], str_node(&name, name_span), span);
    if let Some(ns) = &namespace {
        let ns_span = item.get("namespace").map(|n| n.span).unwrap_or(span);
        set_path(&mut node, &["metadata", "namespace"], str_node(ns, ns_span), span);
    }
    if !opts.labels.is_empty() {
        let m = opts.labels.iter().map(|(k, v)| (key_node(k, v.span), as_string_node(v))).collect();
        set_path(&mut node, &["metadata", "labels"], Node::map(m, span), span);
    }
    if !opts.annotations.is_empty() {
        let m = opts.annotations.iter().map(|(k, v)| (key_node(k, v.span), as_string_node(v))).collect();
        set_path(&mut node, &["metadata", "annotations"], Node::map(m, span), span);
    }
    let value_node = |kv: &Kv| -> Node {
        let v = if secret { base64_lines(kv.value.as_bytes()) } else { kv.value.clone() };
        Node { value: Value::Scalar(v.into(), Style::DoubleQuoted), span: kv.span, tag: None }
    };
    if !kvs.is_empty() {
        let data = kvs.iter().map(|kv| (key_node(&kv.key, kv.span), value_node(kv))).collect();
        node.insert(key_node("data", span), Node::map(data, span));
    }
    if !binary.is_empty() {
        let field = if secret { "data" } else { "binaryData" };
        let mut entries: Vec<(Node, Node)> = node.get(field).and_then(|d| d.as_map()).map(|m| m.to_vec()).unwrap_or_default();
        for kv in &binary {
            entries.push((key_node(&kv.key, kv.span), Node { value: Value::Scalar(kv.value.as_str().into(), Style::DoubleQuoted), span: kv.span, tag: None }));
        }
        node.insert(key_node(field, span), Node::map(entries, span));
    }
    if secret {
        let ty = item.str_at(&["type"]).unwrap_or("Opaque");
        node.insert(key_node("type", span), str_node(ty, item.get("type").map(|n| n.span).unwrap_or(span)));
    }
    if opts.immutable {
        node.insert(key_node("immutable", span), Node::scalar("true", span));
    }
    let mut r = Res::new(node, k.file.unwrap_or(span.file), 0);
    r.needs_hash = !opts.disable_hash;
    r.behavior = behavior;
    Ok(r)
}

fn as_string_node(v: &Node) -> Node {
    match &v.value {
        Value::Scalar(s, _) => str_node(s, v.span),
        _ => v.clone(),
    }
}

/// kustomize's merge/replace of a generated resource into an existing one: metadata labels and
/// annotations merged (new wins), the old name and namespace kept; data merged for `merge`.
pub(crate) fn merge_into_new(new: &mut Res, old: &Res, merge_data: bool) {
    let span = new.node.span;
    for field in ["labels", "annotations"] {
        let mut merged: Vec<(Node, Node)> = old.node.at(&["metadata", field]).and_then(|m| m.as_map()).map(|m| m.to_vec()).unwrap_or_default();
        for (k, v) in new.node.at(&["metadata", field]).and_then(|m| m.as_map()).map(|m| m.to_vec()).unwrap_or_default() {
            if let Some(slot) = merged.iter_mut().find(|(mk, _)| mk.as_str() == k.as_str()) {
                slot.1 = v;
            } else {
                merged.push((k, v));
            }
        }
        if !merged.is_empty() {
            set_path(&mut new.node, &["metadata", field], Node::map(merged, span), span);
        }
    }
    if let Some(n) = old.node.at(&["metadata", "name"]) {
        set_path(&mut new.node, &["metadata", "name"], n.clone(), span);
    }
    match old.node.at(&["metadata", "namespace"]) {
        Some(n) => set_path(&mut new.node, &["metadata", "namespace"], n.clone(), span),
        None => {
            if let Some(m) = new.node.get_mut("metadata") {
                m.remove("namespace");
            }
        }
    }
    if merge_data {
        for field in ["data", "binaryData"] {
            let mut merged: Vec<(Node, Node)> = old.node.get(field).and_then(|m| m.as_map()).map(|m| m.to_vec()).unwrap_or_default();
            for (k, v) in new.node.get(field).and_then(|m| m.as_map()).map(|m| m.to_vec()).unwrap_or_default() {
                if let Some(slot) = merged.iter_mut().find(|(mk, _)| mk.as_str() == k.as_str()) {
                    slot.1 = v;
                } else {
                    merged.push((k, v));
                }
            }
            if !merged.is_empty() {
                new.node.insert(key_node(field, span), Node::map(merged, span));
            }
        }
    }
}

/// kyaml's encodeBase64: base64 broken into 70-character lines (each ending in a newline) once
/// it is 70 characters or longer.
fn base64_lines(data: &[u8]) -> String {
    let enc = base64_encode(data);
    if enc.len() < 70 {
        return enc;
    }
    let mut out = String::with_capacity(enc.len() + enc.len() / 70 + 1);
    for chunk in enc.as_bytes().chunks(70) {
        out.push_str(std::str::from_utf8(chunk).unwrap_or(""));
        out.push('\n');
    }
    out
}

/// The builtin IAMPolicyGenerator (GKE workload identity): a ServiceAccount annotated with the
/// Google service account it acts as.
fn iam_policy(k: &Kust, cfg: &Node, span: Span) -> KResult<Res> {
    if cfg.str_at(&["cloud"]) != Some("gke") {
        return Err(KError::at(span, "IAMPolicyGenerator: only cloud: gke is supported"));
    }
    let name = cfg.str_at(&["kubernetesService", "name"]).ok_or_else(|| KError::at(span, "IAMPolicyGenerator: kubernetesService.name is required"))?;
    let gsa = cfg.str_at(&["serviceAccount", "name"]).unwrap_or("");
    let project = cfg.str_at(&["serviceAccount", "projectId"]).unwrap_or("");
    let mut node = Node::map(Vec::new(), span);
    node.insert(key_node("apiVersion", span), Node::scalar("v1", span));
    node.insert(key_node("kind", span), Node::scalar("ServiceAccount", span));
    set_path(&mut node, &["metadata", "name"], str_node(name, span), span);
    if let Some(ns) = cfg.str_at(&["kubernetesService", "namespace"]) {
        set_path(&mut node, &["metadata", "namespace"], str_node(ns, span), span);
    }
    let anno = format!("{gsa}@{project}.iam.gserviceaccount.com");
    set_path(&mut node, &["metadata", "annotations", "iam.gke.io/gcp-service-account"], str_node(&anno, span), span);
    Ok(Res::new(node, k.file.unwrap_or(span.file), 0))
}
