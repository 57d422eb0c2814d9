//! Data whose every backup is a snapshot on the storage it protects: a Longhorn RecurringJob of
//! task `snapshot`, CSI VolumeSnapshots taken by Velero without `snapshotMoveData`, by CNPG
//! `backup.volumeSnapshot` without an object store, by K10 without an export action, on Ceph, ZFS,
//! LVM, LINSTOR or democratic-csi storage. It brings back yesterday's data after a bad deploy and
//! is lost with the disk, the node or the pool.
//!
//! Which copies stay on the storage is each provider's answer (`Cover::location`, with CSI driver
//! semantics in `crate::providers::csi`); this rule names none. A store with no coverage at all is
//! `pvc-backup-uncovered`'s (or `cnpg-cluster-no-backup`'s); one with any copy that leaves, or may
//! leave, the storage is fine; data stated not backed up (`drlint.io/backup: "none: ..."`) too.

use crate::model::coverage::{self, StoreKind};
use crate::model::Index;
use crate::rules::{Context, Rule};

crate::declare_rule!(
    BackupSnapshotOnly,
    "backup-snapshot-only",
    Warning,
    "a PVC or CNPG Cluster whose only backups are snapshots on its own storage: lost with the disk, node or pool"
);

impl Rule for BackupSnapshotOnly {
    fn meta(&self) -> &'static crate::rules::RuleMeta {
        &META
    }

    fn check_index(&self, _index: &Index, cx: &mut Context) {
        // The engine always provides the run's shared views.
        let Some(views) = cx.views else { return };
        let all = views.coverage();
        for c in all {
            if c.stated_none.is_some() {
                continue;
            }
            // A rejected object backs up nothing: its own rule says so.
            if c.covers.iter().any(|cv| cv.rejected.is_some()) {
                continue;
            }
            let Some(snapshots) = c.snapshot_only() else { continue };
            let s = &c.store;
            let names = match s.kind {
                StoreKind::ClaimTemplate if !s.claims.is_empty() => format!(" (PVCs {})", s.claim_names().join(", ")),
                _ => String::new(),
            };
            let mut what: Vec<String> = snapshots.iter().map(|(_, w)| w.to_string()).collect();
            what.dedup();
            let excluded: String = c.excluded.iter().map(|(r, why, _)| format!("; {why} takes it out of {} `{}`", r.kind(), r.name())).collect();
            let help = if s.kind == StoreKind::Cnpg {
                "archive to an object store as well (a barman-cloud ObjectStore with the plugin, or `backup.barmanObjectStore`): volume snapshots stay for fast restores, the object store survives the storage"
            } else {
                "add a copy that leaves the storage: a Longhorn `backup` RecurringJob (to a backup target), Velero `snapshotMoveData: true` or file-system backup, a K10 `export` action, a VolSync/kopiur/K8up repository; or, if losing it with the storage is acceptable, say so: `drlint.io/backup: \"none: <reason>\"`"
            };
            let disposable = coverage::disposable_by_name(s);
            let d = cx
                .report_on(s.owner, s.span, format!("{}{names} is backed up only by snapshots on its own storage ({}){excluded}: a lost disk, node or pool takes the data and every snapshot with it{}", s.display(), what.join("; "), disposable.map(|w| format!("; its name says `{w}`, so it is probably rebuilt by its application")).unwrap_or_default()))
                .help(help);
            if disposable.is_some() {
                d.severity = crate::diag::Severity::Note;
            }
            for (cover, _) in &snapshots {
                if std::ptr::eq(cover.object, s.owner) {
                    // CNPG: point at the `volumeSnapshot` configuration of the Cluster.
                    if let Some(k) = s.owner.node.at(&["spec", "backup"]).and_then(|b| b.key("volumeSnapshot")) {
                        d.label(k.span, "volume snapshots, no object store".to_string());
                    }
                } else {
                    d.label(cover.object.span(), format!("{} `{}`: snapshots only", cover.object.kind(), cover.object.name()));
                }
            }
        }
    }
}
