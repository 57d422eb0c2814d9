//! CSI volume snapshots, for the systems that take them (Velero without data movement, CNPG
//! `backup.volumeSnapshot`, K10 without an export action, Stash's VolumeSnapshotter). A
//! VolumeSnapshot is cut by the volume's own CSI driver and stays where that driver keeps it: for
//! the storage systems a cluster runs itself (Ceph RBD/CephFS, Longhorn `type: snap`, ZFS and LVM
//! local volumes, LINSTOR without an S3 remote, democratic-csi, the hostpath driver) that is the
//! same pool, node or server as the data, so it is lost with it. Longhorn's default (`type: bak`
//! or none) and LINSTOR's `S3` type ship the snapshot to a backup target instead. Cloud disks keep
//! snapshots in the provider's snapshot service apart from the disk: drlint says "unknown" there,
//! as for any driver it does not know.
//!
//! Which driver: the VolumeSnapshotClass the system names (or the one it picks for the driver: a
//! labelled or default class), else the StorageClass of the store in the repository (its
//! `provisioner`), else the default StorageClass, else a well-known class name (`longhorn`,
//! `ceph-block`, `openebs-zfspv`, ...).

use super::{Cx, Location};
use crate::model::coverage::Store;
use crate::model::Resource;

pub const SNAPSHOT_GROUP: &str = "snapshot.storage.k8s.io";
const DEFAULT_CLASS: &str = "snapshot.storage.kubernetes.io/is-default-class";
const DEFAULT_STORAGE_CLASS: &str = "storageclass.kubernetes.io/is-default-class";

/// How a system picks a VolumeSnapshotClass for a driver when it names none.
#[derive(Clone, Copy, Debug)]
pub enum Pick<'s> {
    /// The class with this label (`velero.io/csi-volumesnapshot-class: "true"`), else the default.
    Label(&'s str),
    /// The class with this annotation (`k10.kasten.io/is-snapshot-class: "true"`), else the default.
    Annotation(&'s str),
    /// The cluster's default class for the driver.
    Default,
}

/// What drlint knows of a snapshot of one store.
#[derive(Clone, Debug)]
pub struct Snapshot {
    pub location: Location,
    /// The CSI driver, when known.
    pub driver: Option<String>,
    /// The VolumeSnapshotClass, when found in the repository.
    pub class: Option<String>,
}

/// CSI drivers of cloud block and file storage: their snapshots live in the provider's snapshot
/// service, apart from the disk (they survive its loss, not the loss of the account or region).
pub fn is_cloud(driver: &str) -> bool {
    const CLOUD: &[&str] = &[
        "ebs.csi.aws.com",
        "efs.csi.aws.com",
        "pd.csi.storage.gke.io",
        "filestore.csi.storage.gke.io",
        "disk.csi.azure.com",
        "file.csi.azure.com",
        "cinder.csi.openstack.org",
        "dobs.csi.digitalocean.com",
        "csi.vsphere.vmware.com",
        "diskplugin.csi.alibabacloud.com",
        "csi.scaleway.com",
        "bs.csi.linode.com",
    ];
    CLOUD.contains(&driver)
}

/// Where a driver keeps its snapshots, given the class parameters; `None` when drlint does not
/// know the driver (or the class that decides is not in the repository).
fn classify(driver: &str, class: Option<&Resource>) -> Option<Location> {
    let param = |k: &str| class.and_then(|c| c.node.str_at(&["parameters", k]));
    let same = |w: &str| Some(Location::SameStorage(w.to_string()));
    match driver {
        // Longhorn: `snap` keeps a snapshot on the volume's replicas, `bi` a backing image in the
        // cluster; `bak`, and no type at all (the older behaviour, kept), make a backup on the
        // backup target.
        "driver.longhorn.io" => match class.map(|_| param("type").unwrap_or("bak")) {
            Some("snap") => same("Longhorn snapshots on the volume's own replicas"),
            Some("bi") => same("Longhorn backing images in the cluster"),
            Some(_) => Some(Location::OffStorage),
            None => None,
        },
        // LINSTOR/Piraeus: in-cluster snapshots unless the class ships them to an S3 or LINSTOR remote.
        "linstor.csi.linbit.com" => match param("snap.linstor.csi.linbit.com/type") {
            Some(t) if t.eq_ignore_ascii_case("s3") || t.eq_ignore_ascii_case("linstor") => Some(Location::OffStorage),
            _ => same("LINSTOR snapshots in the same storage pool"),
        },
        d if d.ends_with("rbd.csi.ceph.com") => same("RBD snapshots in the same Ceph pool"),
        d if d.ends_with("cephfs.csi.ceph.com") => same("CephFS snapshots in the same Ceph file system"),
        "zfs.csi.openebs.io" => same("ZFS snapshots in the node's own pool (OpenEBS ZFS-LocalPV)"),
        "local.csi.openebs.io" => same("LVM snapshots in the node's own volume group (OpenEBS LVM-LocalPV)"),
        "io.openebs.csi-mayastor" => same("snapshots in the same Mayastor pool"),
        "topolvm.io" | "topolvm.cybozu.com" => same("LVM snapshots in the node's own volume group (TopoLVM)"),
        d if d.starts_with("org.democratic-csi.") => same("snapshots on the same storage server (democratic-csi)"),
        "csi.san.synology.com" => same("snapshots on the same Synology volume"),
        "hostpath.csi.k8s.io" => same("copies on the node's own disk (CSI hostpath driver)"),
        _ => None,
    }
}

/// The driver of a well-known StorageClass or VolumeSnapshotClass name, for classes installed by
/// a chart the repository does not render.
fn driver_by_name(name: &str) -> Option<&'static str> {
    let n = name.to_ascii_lowercase();
    if n.starts_with("longhorn") {
        Some("driver.longhorn.io")
    } else if n.contains("cephfs") || n.contains("ceph-filesystem") {
        Some("cephfs.csi.ceph.com")
    } else if n.contains("ceph-block") || n.contains("rbd") {
        Some("rbd.csi.ceph.com")
    } else if n.starts_with("openebs-zfs") || n.starts_with("zfspv") {
        Some("zfs.csi.openebs.io")
    } else if n.starts_with("openebs-lvm") {
        Some("local.csi.openebs.io")
    } else if n.starts_with("topolvm") {
        Some("topolvm.io")
    } else if n.starts_with("csi-hostpath") {
        Some("hostpath.csi.k8s.io")
    } else {
        None
    }
}

/// The CSI driver of a store's volumes: its StorageClass's provisioner, the default StorageClass's
/// when it names none, or a well-known class name.
pub fn store_driver(cx: &Cx, store: &Store) -> Option<String> {
    let classes: Vec<&Resource> = cx.index.of_kind("storage.k8s.io", "StorageClass").filter(|c| c.cluster == store.owner.cluster).collect();
    let sc = match store.storage_class.as_deref() {
        Some(name) => classes.iter().find(|c| c.name() == name).copied(),
        None => classes.iter().find(|c| c.annotation(DEFAULT_STORAGE_CLASS).and_then(|a| a.as_text()) == Some("true")).copied(),
    };
    sc.and_then(|c| c.node.str_at(&["provisioner"]).map(str::to_string)).or_else(|| store.storage_class.as_deref().and_then(driver_by_name).map(str::to_string))
}

/// Where a CSI snapshot of the store stays: `class` is the VolumeSnapshotClass the system names
/// (`None`: the one it picks for the store's driver with `pick`).
pub fn snapshot(cx: &Cx, store: &Store, class: Option<&str>, pick: Pick) -> Snapshot {
    let classes: Vec<&Resource> = cx.index.of_kind(SNAPSHOT_GROUP, "VolumeSnapshotClass").filter(|c| !c.unlisted && c.cluster == store.owner.cluster).collect();
    let named = class.and_then(|n| classes.iter().find(|c| c.name() == n).copied());
    let driver = named.and_then(|c| c.node.str_at(&["driver"]).map(str::to_string)).or_else(|| store_driver(cx, store)).or_else(|| class.and_then(driver_by_name).map(str::to_string));
    let vsc = named.or_else(|| {
        let d = driver.as_deref()?;
        if class.is_some() {
            return None;
        }
        let of_driver: Vec<&Resource> = classes.iter().filter(|c| c.node.str_at(&["driver"]) == Some(d)).copied().collect();
        let marked = |c: &&Resource, key: &str, labels: bool| {
            let v = if labels { c.node.str_at(&["metadata", "labels", key]) } else { c.annotation(key).and_then(|a| a.as_text()) };
            v == Some("true")
        };
        let picked = match pick {
            Pick::Label(l) => of_driver.iter().find(|c| marked(c, l, true)),
            Pick::Annotation(a) => of_driver.iter().find(|c| marked(c, a, false)),
            Pick::Default => None,
        };
        picked.or_else(|| of_driver.iter().find(|c| marked(c, DEFAULT_CLASS, false))).or(if of_driver.len() == 1 { of_driver.first() } else { None }).copied()
    });
    let location = driver.as_deref().and_then(|d| classify(d, vsc)).unwrap_or(Location::Unknown);
    let location = match (location, vsc) {
        (Location::SameStorage(w), Some(c)) => Location::SameStorage(format!("{w}, VolumeSnapshotClass {}", c.name())),
        (l, _) => l,
    };
    Snapshot { location, driver, class: vsc.map(|c| c.name().to_string()).or(class.map(str::to_string)) }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn drivers() {
        let stays = |d: &str| matches!(classify(d, None), Some(Location::SameStorage(_)));
        assert!(stays("rook-ceph.rbd.csi.ceph.com") && stays("zfs.csi.openebs.io") && stays("org.democratic-csi.nfs") && stays("linstor.csi.linbit.com"));
        // Longhorn's answer depends on the class's `type`: without the class, unknown.
        assert_eq!(classify("driver.longhorn.io", None), None);
        assert_eq!(classify("ebs.csi.aws.com", None), None);
        assert!(is_cloud("pd.csi.storage.gke.io") && !is_cloud("rbd.csi.ceph.com"));
        assert_eq!(driver_by_name("longhorn-crypto"), Some("driver.longhorn.io"));
        assert_eq!(driver_by_name("ceph-filesystem"), Some("cephfs.csi.ceph.com"));
        assert_eq!(driver_by_name("local-path"), None);
    }
}
