//! Velero rules, and the cron helpers shared with the CronJob rule.

pub mod backup_pvc_label_selector;
pub mod cli_pvc_label_selector;
pub mod cli_restore_existing;
pub mod command;
pub mod restore_pvc_label_selector;
pub mod schedule_cron_invalid;
pub mod schedule_owner_references;
pub mod schedule_ttl_unset;
pub mod unknown_namespace;

use crate::model::coverage::{self, Store, StoreKind};
use crate::providers::velero::{select, owner_selected, Selection};
use crate::model::velero::{Res, Scope};
use crate::model::Index;
use crate::model::Resource;
use crate::rules::Context;
use crate::source::yaml::{Node, Style};
use crate::source::Span;

/// The span of bytes `start..end` of a scalar's value, when the source maps one to one onto the
/// value (plain, or quoted without escapes); else the whole node.
pub fn value_span(node: &Node, start: usize, end: usize) -> Span {
    let Some(text) = node.as_text() else { return node.span };
    let quote = match node.style() {
        Some(Style::Plain) => 0,
        Some(Style::SingleQuoted | Style::DoubleQuoted) => 1,
        _ => return node.span,
    };
    if node.span.len() != text.len() + 2 * quote || end > text.len() || start > end {
        return node.span;
    }
    let s = node.span.start as usize + quote;
    Span::new(node.span.file, s + start, s + end.max(start + 1).min(text.len()))
}

/// `0 0 2 * * *` as `0 2 * * *`, keeping a `CRON_TZ=`/`TZ=` prefix.
pub fn six_to_five_tz(spec: &str) -> Option<String> {
    let t = spec.trim();
    if t.starts_with("TZ=") || t.starts_with("CRON_TZ=") {
        let (tz, rest) = t.split_once(char::is_whitespace)?;
        return crate::cron::six_to_five(rest.trim()).map(|f| format!("{tz} {f}"));
    }
    crate::cron::six_to_five(t)
}

/// Byte range of the first cron field after an optional time-zone prefix.
pub fn first_field(spec: &str) -> (usize, usize) {
    let mut from = 0;
    if spec.starts_with("TZ=") || spec.starts_with("CRON_TZ=") {
        from = spec.find(' ').unwrap_or(spec.len());
    }
    let rest = &spec[from..];
    let s = from + (rest.len() - rest.trim_start().len());
    let e = spec[s..].find(char::is_whitespace).map(|i| s + i).unwrap_or(spec.len());
    (s, e)
}

/// Why a store's PVC labels miss a selector, in words.
fn labels_reason(store: &Store) -> String {
    let first = &store.claims[0].labels;
    let shown = |l: &crate::model::workloads::Labels| {
        if l.is_empty() { "no labels".to_string() } else { l.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(",") }
    };
    match store.kind {
        StoreKind::ClaimTemplate => format!(
            "volumeClaimTemplate PVCs carry only the template's labels and the StatefulSet's selector ({}), not the other pod-template labels",
            shown(first)
        ),
        StoreKind::Cnpg => "CNPG instance PVCs carry only CNPG's labels (cnpg.io/cluster, cnpg.io/instanceName, cnpg.io/pvcRole, app.kubernetes.io/managed-by) and the Cluster's inheritedMetadata labels".to_string(),
        StoreKind::Pvc if first.is_empty() => "the PVC has no labels".to_string(),
        StoreKind::Pvc => format!("the PVC's own labels are {}", shown(first)),
    }
}

/// The selector findings of one Velero object (Backup, Schedule template, Restore): PVCs of
/// selected workloads that the label filters drop. `verb` is "restore" or "back up".
pub fn check_selector(index: &Index, object: &Resource, scope: &Scope, what: &str, verb: &str, cx: &mut Context) {
    if !scope.has_selector() || !scope.includes_resource(Res::Pvcs) {
        return;
    }
    let Some(span) = scope.selector_span() else { return };
    let local;
    let stores = match cx.views {
        Some(v) => v.stores(),
        None => {
            local = crate::model::views::Stores::new(coverage::stores(index));
            &local
        }
    };
    for store in stores.in_scope(&object.cluster, scope) {
        let dropped: Vec<String> = store
            .claims
            .iter()
            .filter(|c| select(scope, &store.namespace, c) == Selection::Dropped && owner_selected(scope, &store, c))
            .map(|c| c.name.clone())
            .collect();
        if dropped.is_empty() {
            continue;
        }
        let them = if store.kind == StoreKind::Pvc { "it" } else { "them" };
        let pods = if scope.includes_resource(Res::Pods) {
            format!("and no selected pod mounts {them}")
        } else {
            format!("and pods are not in the included resources, so no pod pulls {them} in")
        };
        let owner = match store.kind {
            StoreKind::Pvc => format!("PersistentVolumeClaim {}/{}", store.namespace, store.name),
            _ => format!("{} {}/{}", store.owner.kind(), store.namespace, store.owner.name()),
        };
        let list = if store.kind == StoreKind::Pvc { String::new() } else { format!(" PVCs {} of", dropped.join(", ")) };
        let verb_ing = if verb == "restore" { "restores" } else { "backs up" };
        cx.report_on(
            object,
            span,
            format!(
                "{what} `{}` {} does not match{list} {owner}: {}, {pods}; it {verb_ing} no data of {them}",
                object.name(),
                scope.describe_selector(),
                labels_reason(&store)
            ),
        )
        .help(format!(
            "scope by namespace and resource instead (includedNamespaces: [{}], includedResources: [persistentvolumeclaims, persistentvolumes]), include pods so that selected pods pull their PVCs in, or select labels the PVCs carry",
            store.namespace
        ));
    }
}
