//! Velero matches a Restore's `labelSelector`/`orLabelSelectors` against each item's own labels.
//! A PVC is restored only if its own labels match, or if a selected Pod that mounts it is restored
//! too (the pod restore action pulls its PVCs in, subject to the resource and namespace filters).
//! StatefulSet PVCs carry the volumeClaimTemplate's labels plus the StatefulSet's selector only,
//! and CNPG's carry `cnpg.io/*` labels: a selector on a pod label "succeeds" and restores no data.

use super::check_selector;
use crate::model::velero::{Scope, GROUP};
use crate::model::Index;
use crate::rules::{Context, Rule};

crate::declare_rule!(
    VeleroRestorePvcLabelSelector,
    "velero-restore-pvc-label-selector",
    Error,
    "a Velero Restore whose label selector leaves out the PVCs of the workloads it selects"
);

impl Rule for VeleroRestorePvcLabelSelector {
    fn meta(&self) -> &'static crate::rules::RuleMeta {
        &META
    }

    fn check_index(&self, index: &Index, cx: &mut Context) {
        for r in index.of_kind(GROUP, "Restore") {
            check_selector(index, r, &Scope::from_spec(r.spec()), "Restore", "restore", cx);
        }
    }
}
