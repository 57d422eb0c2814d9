//! With `useOwnerReferencesInBackup: true` every Backup a Schedule creates is owned by the
//! Schedule. Deleting the Schedule (a Flux prune after a file is renamed or moved, an Argo CD
//! sync with pruning, `kubectl delete`) garbage-collects the Backup objects, and Velero's backup
//! deletion removes their data from object storage: every backup it ever made is gone.

use crate::model::velero::GROUP;
use crate::model::Resource;
use crate::rules::{Context, Rule};

crate::declare_rule!(
    VeleroScheduleOwnerReferences,
    "velero-schedule-owner-references",
    Warning,
    "a Velero Schedule whose backups are owned by it, so deleting the Schedule deletes every backup"
);

impl Rule for VeleroScheduleOwnerReferences {
    fn meta(&self) -> &'static crate::rules::RuleMeta {
        &META
    }

    fn check_object(&self, object: &Resource, cx: &mut Context) {
        if !object.is(GROUP, "Schedule") {
            return;
        }
        let Some(n) = object.node.at(&["spec", "useOwnerReferencesInBackup"]) else { return };
        if n.as_bool() != Some(true) {
            return;
        }
        cx.report_on(
            object,
            n.span,
            format!("Schedule `{}` sets `useOwnerReferencesInBackup: true`: deleting the Schedule (a prune, a renamed file) garbage-collects every backup it made", object.name()),
        )
        .help("remove useOwnerReferencesInBackup (or set it to false) so that backups outlive the Schedule object");
    }
}
