//! The same trap as `velero-restore-pvc-label-selector`, at backup time: a Backup or Schedule whose
//! label selector matches a workload's pods but not its PVCs (StatefulSet and CNPG PVCs do not
//! carry the pod labels) backs up the objects and no volume data, unless pods are in scope and
//! selected (Velero's pod backup action pulls in the PVCs a selected pod mounts).

use super::check_selector;
use crate::model::velero::{Schedule, Scope, GROUP};
use crate::model::Index;
use crate::rules::{Context, Rule};

crate::declare_rule!(
    VeleroBackupPvcLabelSelector,
    "velero-backup-pvc-label-selector",
    Warning,
    "a Velero Backup or Schedule whose label selector leaves out the PVCs of the workloads it selects"
);

impl Rule for VeleroBackupPvcLabelSelector {
    fn meta(&self) -> &'static crate::rules::RuleMeta {
        &META
    }

    fn check_index(&self, index: &Index, cx: &mut Context) {
        for r in index.resources.iter().filter(|r| r.group() == GROUP) {
            match r.kind() {
                "Backup" => check_selector(index, r, &Scope::from_spec(r.spec()), "Backup", "back up", cx),
                "Schedule" => check_selector(index, r, &Schedule(r).scope(), "Schedule", "back up", cx),
                _ => {}
            }
        }
    }
}
