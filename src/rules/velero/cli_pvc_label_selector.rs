//! The label-selector trap written as a command, in a runbook (`*.md`), a script (`*.sh`) or a
//! container's command/args: `velero restore create --selector app=postgres --include-resources
//! persistentvolumeclaims,persistentvolumes`. With pods left out of the resources, a PVC is taken
//! only when its own labels match, and StatefulSet and operator-made PVCs do not carry the pod
//! labels: the command succeeds and restores (or backs up) no volume data.

use crate::model::coverage::{self, StoreKind};
use crate::providers::velero::{self as velero_provider, Selection};
use crate::model::velero::{Res, Scope, Selector};
use crate::model::{workloads, Index, Resource};
use crate::rules::{Context, Rule};
use crate::source::yaml::Node;
use crate::source::{FileId, SourceFile, Span};

crate::declare_rule!(
    VeleroCliPvcLabelSelector,
    "velero-cli-pvc-label-selector",
    Warning,
    "a velero backup/restore command that selects PVCs by label with pods left out, in a runbook, script or container"
);

/// A shell word and where it is (byte range in the scanned text).
#[derive(Clone, Debug)]
pub struct Word {
    pub text: String,
    pub start: usize,
    pub end: usize,
}

/// Split text into logical shell lines (joining `\` continuations) and words, with byte offsets.
/// Quotes are removed from words; `` ` `` (Markdown inline code) separates words.
pub fn words(text: &str) -> Vec<Vec<Word>> {
    let mut lines = Vec::new();
    let mut cur: Vec<Word> = Vec::new();
    let mut word: Option<Word> = None;
    let mut quote: Option<char> = None;
    let bytes: Vec<(usize, char)> = text.char_indices().collect();
    let mut i = 0;
    let flush = |word: &mut Option<Word>, cur: &mut Vec<Word>| {
        if let Some(w) = word.take() {
            cur.push(w);
        }
    };
    while i < bytes.len() {
        let (pos, c) = bytes[i];
        let next = bytes.get(i + 1).map(|&(_, c)| c);
        if quote.is_none() && c == '\\' && (next == Some('\n') || (next == Some('\r') && bytes.get(i + 2).map(|b| b.1) == Some('\n'))) {
            flush(&mut word, &mut cur);
            i += if next == Some('\r') { 3 } else { 2 };
            continue;
        }
        if c == '\n' {
            flush(&mut word, &mut cur);
            quote = None;
            if !cur.is_empty() {
                lines.push(std::mem::take(&mut cur));
            }
            i += 1;
            continue;
        }
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {
                let w = word.get_or_insert(Word { text: String::new(), start: pos, end: pos });
                w.text.push(c);
                w.end = pos + c.len_utf8();
            }
            // A quote opens only when it closes on the same line (prose has apostrophes).
            None if (c == '"' || c == '\'') && bytes[i + 1..].iter().take_while(|b| b.1 != '\n').any(|b| b.1 == c) => {
                quote = Some(c);
                word.get_or_insert(Word { text: String::new(), start: pos, end: pos + 1 });
            }
            None if c.is_whitespace() || c == '`' => flush(&mut word, &mut cur),
            None if matches!(c, ';' | '|' | '&') => {
                flush(&mut word, &mut cur);
                cur.push(Word { text: c.to_string(), start: pos, end: pos + 1 });
            }
            None => {
                let w = word.get_or_insert(Word { text: String::new(), start: pos, end: pos });
                w.text.push(c);
                w.end = pos + c.len_utf8();
            }
        }
        i += 1;
    }
    flush(&mut word, &mut cur);
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
}

/// A `velero … create` command that selects by label with PVCs in scope and pods out of it.
pub struct Finding {
    /// Index of the `--selector` word.
    pub selector: usize,
    pub message: String,
    pub help: String,
    /// The command as a scope (namespaces, resources, selector), to compare with the manifests.
    pub scope: CliScope,
}

#[derive(Clone, Debug, Default)]
pub struct CliScope {
    pub what: String,
    pub selector: String,
    pub include_resources: String,
    pub namespaces: Vec<String>,
    pub excluded_namespaces: Vec<String>,
}

/// Scan one logical line's words for trapped commands.
pub fn scan(ws: &[Word]) -> Vec<Finding> {
    let mut out = Vec::new();
    for cmd in super::command::commands(ws) {
        let Some(what) = ["restore", "backup", "schedule"].into_iter().find(|k| cmd.is(k, "create")) else { continue };
        let Some((_, Some(sel), _, at)) = cmd.flags.iter().find(|(f, ..)| matches!(f.as_str(), "--selector" | "-l" | "--or-selector")) else { continue };
        let include = cmd.list("--include-resources");
        let exclude = cmd.list("--exclude-resources");
        let include_text = include.join(",");
        let names = |list: &[String], r: Res| list.iter().any(|n| r.named(n) || n == "*");
        let pvcs_in = include.iter().any(|n| Res::Pvcs.named(n)) && !exclude.iter().any(|n| Res::Pvcs.named(n));
        let pods_in = (include.is_empty() || names(&include, Res::Pods)) && !exclude.iter().any(|n| Res::Pods.named(n));
        if pvcs_in && !pods_in {
            let verb = if what == "restore" { "restores" } else { "backs up" };
            out.push(Finding {
                selector: *at,
                message: format!(
                    "`velero {what} create` with `--selector {sel}` and `--include-resources {include_text}` {verb} only PVCs whose own labels match: StatefulSet and operator-made PVCs do not carry pod labels, and with pods left out no pod pulls its PVCs in"
                ),
                help: "scope by namespace and resource instead (`--include-namespaces <ns> --include-resources persistentvolumeclaims,persistentvolumes`, no `--selector`), or add `pods` to --include-resources".to_string(),
                scope: CliScope {
                    what: what.to_string(),
                    selector: sel.clone(),
                    include_resources: include_text.clone(),
                    namespaces: cmd.list("--include-namespaces"),
                    excluded_namespaces: cmd.list("--exclude-namespaces"),
                },
            });
        }
    }
    out
}

/// Compare a trapped command with the manifests: `None` when the selector matches PVCs of the
/// namespaces in scope by their own labels and leaves none of a selected workload's out (the
/// command is right); otherwise the finding's message, naming the PVCs left out when known.
fn judge(f: &Finding, index: Option<&Index>, views: Option<&crate::model::views::Views>) -> Option<(String, String)> {
    let generic = || Some((f.message.clone(), f.help.clone()));
    let Some(index) = index else { return generic() };
    let Some(sel) = Selector::parse_cli(&f.scope.selector) else { return generic() };
    let mut scope = Scope::from_spec(None);
    scope.included_namespaces = f.scope.namespaces.clone();
    scope.excluded_namespaces = f.scope.excluded_namespaces.clone();
    scope.included_resources = vec!["persistentvolumeclaims".into()];
    scope.label_selector = Some(sel);
    let mut trapped: Vec<String> = Vec::new();
    let mut trapped_ns: Vec<String> = Vec::new();
    let mut matched = false;
    let local;
    let stores = match views {
        Some(v) => &v.stores().all,
        None => {
            local = coverage::stores(index);
            &local
        }
    };
    for store in stores {
        let mut left_out: Vec<String> = Vec::new();
        for c in &store.claims {
            match velero_provider::select(&scope, &store.namespace, c) {
                Selection::Direct => matched = true,
                Selection::Dropped if velero_provider::owner_selected(&scope, &store, c) => left_out.push(c.name.clone()),
                _ => {}
            }
        }
        if !left_out.is_empty() {
            let owner = match store.kind {
                StoreKind::Pvc => format!("PersistentVolumeClaim {}/{}", store.namespace, store.name),
                _ => format!("{} {}/{} ({})", store.owner.kind(), store.namespace, store.owner.name(), left_out.join(", ")),
            };
            trapped.push(owner);
            if !trapped_ns.contains(&store.namespace) {
                trapped_ns.push(store.namespace.clone());
            }
        }
    }
    if !trapped.is_empty() {
        let verb = if f.scope.what == "restore" { "restores" } else { "backs up" };
        let message = format!(
            "`velero {} create` with `--selector {}` and `--include-resources {}` {verb} none of the PVCs of {}: they do not carry the label, and with pods left out no pod pulls them in",
            f.scope.what,
            f.scope.selector,
            f.scope.include_resources,
            trapped.join(", ")
        );
        let help = format!(
            "scope by namespace and resource instead: `--include-namespaces {} --include-resources persistentvolumeclaims,persistentvolumes` without `--selector`, or add `pods` to --include-resources",
            trapped_ns.join(",")
        );
        return Some((message, help));
    }
    if matched { None } else { generic() }
}

impl Rule for VeleroCliPvcLabelSelector {
    fn meta(&self) -> &'static crate::rules::RuleMeta {
        &META
    }

    fn check_text(&self, file: FileId, text: &SourceFile, cx: &mut Context) {
        for line in words(text.text()) {
            for f in scan(&line) {
                let Some((message, help)) = judge(&f, cx.index, cx.views) else { continue };
                let w = &line[f.selector];
                cx.report(Span::new(file, w.start, w.end), message).help(help);
            }
        }
    }

    fn check_object(&self, object: &Resource, cx: &mut Context) {
        let Some((_, spec)) = workloads::pod_template(object) else { return };
        for list in ["containers", "initContainers"] {
            for c in spec.get(list).into_iter().flat_map(|l| l.items()) {
                let items: Vec<&Node> = ["command", "args"].iter().flat_map(|k| c.get(k).into_iter().flat_map(|l| l.items())).collect();
                // Each item as one word, with its own span.
                let as_words: Vec<Word> = items.iter().enumerate().map(|(i, n)| Word { text: n.as_text().unwrap_or("").to_string(), start: i, end: i }).collect();
                for f in scan(&as_words) {
                    let Some((message, help)) = judge(&f, cx.index, cx.views) else { continue };
                    let n = items[f.selector];
                    cx.report_on(object, n.span, message).help(help);
                }
                // Items that are scripts (`sh -c "velero restore create …"`): report at the item.
                for n in &items {
                    let Some(t) = n.as_text() else { continue };
                    if !t.contains("velero") || !t.contains(char::is_whitespace) {
                        continue;
                    }
                    for line in words(t) {
                        for f in scan(&line) {
                            let Some((message, help)) = judge(&f, cx.index, cx.views) else { continue };
                            cx.report_on(object, n.span, message).help(help);
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(text: &str) -> Vec<String> {
        words(text).iter().flat_map(|l| scan(l).into_iter().map(|f| l[f.selector].text.clone())).collect()
    }

    #[test]
    fn continuations_and_flag_forms() {
        assert_eq!(find("velero restore create r1 --from-backup b \\\n  --selector app=pg \\\n  --include-resources persistentvolumeclaims,persistentvolumes\n"), vec!["--selector"]);
        assert_eq!(find("velero create restore --from-backup b -l=app=pg --include-resources=pvc,pv"), vec!["-l=app=pg"]);
        assert!(find("velero restore create --selector app=pg --include-resources pods,persistentvolumeclaims").is_empty());
        assert!(find("velero restore create --selector app=pg").is_empty());
        assert!(find("velero restore create --include-resources persistentvolumeclaims").is_empty());
        assert_eq!(find("`velero backup create b --selector 'app in (pg)' --include-resources pvc` then"), vec!["--selector"]);
        assert!(find("velero restore create --selector app=pg; kubectl get --include-resources pvc").is_empty());
        assert_eq!(find("Don't run `velero restore create --selector app=pg --include-resources pvc` here"), vec!["--selector"]);
    }
}
