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
    let keys: Vec<(i64, String, String)> = res
        .iter()
        .map(|r| {
            let id = r.cur_id();
            (*rank.get(&id.gvk.kind).unwrap_or(&0), id.gvk.sort_string(), id.sort_string())
        })
        .collect();
    let mut idx: Vec<usize> = (0..res.len()).collect();
    idx.sort_by(|&a, &b| {
        let (ka, kb) = (&keys[a], &keys[b]);
        if ka.1 != kb.1 {
            ka.0.cmp(&kb.0).then_with(|| ka.1.cmp(&kb.1))
        } else {
            ka.2.cmp(&kb.2)
        }
    });
    let sorted: Vec<Res> = idx.iter().map(|&i| res[i].clone()).collect();
    for (slot, r) in res.iter_mut().zip(sorted) {
        *slot = r;
    }
    Ok(())
}
