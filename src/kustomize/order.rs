//! Output order: kustomize's legacy order (kinds in a fixed priority, then by id) unless the
//! top kustomization's `sortOptions` asks for FIFO or gives its own lists.

use super::load::Kust;
use super::resource::Res;
use super::{KError, KResult};
use std::collections::HashMap;

const ORDER_FIRST: &[&str] = &[
    "Namespace",
    "ResourceQuota",
    "StorageClass",
    "CustomResourceDefinition",
    "ServiceAccount",
    "PodSecurityPolicy",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "ConfigMap",
    "Secret",
    "Endpoints",
    "Service",
    "LimitRange",
    "PriorityClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "Deployment",
    "StatefulSet",
    "CronJob",
    "PodDisruptionBudget",
];
const ORDER_LAST: &[&str] = &["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"];

pub(crate) fn sort(res: &mut [Res], k: &Kust) -> KResult<()> {
    let (mut first, mut last): (Vec<String>, Vec<String>) =
        (ORDER_FIRST.iter().map(|s| s.to_string()).collect(), ORDER_LAST.iter().map(|s| s.to_string()).collect());
    if let Some(so) = k.get("sortOptions") {
        let span = k.key_span("sortOptions");
        let order = so.str_at(&["order"]).unwrap_or("");
        let legacy_opts = so.get("legacySortOptions").filter(|n| !n.is_null());
        match order {
            "fifo" => {
                if legacy_opts.is_some() {
                    return Err(KError::at(span, "the field 'sortOptions.legacySortOptions' is set but the selected sort order is 'fifo', not 'legacy'"));
                }
                return Ok(());
            }
            "legacy" => {
                if let Some(l) = legacy_opts {
                    first = l.get("orderFirst").map(|n| n.items().filter_map(|i| i.as_text().map(str::to_string)).collect()).unwrap_or_default();
                    last = l.get("orderLast").map(|n| n.items().filter_map(|i| i.as_text().map(str::to_string)).collect()).unwrap_or_default();
                }
            }
            _ => return Err(KError::at(span, "the field 'sortOptions.order' must be one of [fifo, legacy]")),
        }
    }
    let mut rank: HashMap<String, i64> = HashMap::new();
    for (i, k) in first.iter().enumerate() {
        rank.insert(k.clone(), -(first.len() as i64) + i as i64);
    }
    for (i, k) in last.iter().enumerate() {
        rank.insert(k.clone(), 1 + i as i64);
    }
    // Kind rank, then group/version/kind, then the id: within one gvk the rank is the same, so
    // this is kustomize's order (a stable sort keeps equal ids in input order).
    res.sort_by_cached_key(|r| {
        let id = r.cur_id();
        (*rank.get(&id.gvk.kind).unwrap_or(&0), id.gvk.sort_string(), id.sort_string())
    });
    Ok(())
}
