//! Network file shares: a PVC bound to a PersistentVolume on NFS or SMB (a static PV in the
//! repository), or provisioned by an NFS/SMB CSI StorageClass, keeps its data on a file server
//! outside the cluster; that server's own backup is what protects it, and drlint cannot see it.

use super::{Cover, Cx, Location, Outcome, Provider};
use crate::model::coverage::{Store, StoreKind};
use crate::model::{Index, Resource};

pub struct Share;

/// CSI drivers and provisioners that put a volume on a file server.
const SHARE_PROVISIONERS: &[&str] = &["nfs.csi.k8s.io", "smb.csi.k8s.io", "cluster.local/nfs-subdir-external-provisioner", "k8s-sigs.io/nfs-subdir-external-provisioner"];

/// The network share a PersistentVolume mounts, in words (`NFS nas:/export`), if it is one.
pub fn external_share(pv: &Resource) -> Option<String> {
    let spec = pv.spec()?;
    if let Some(nfs) = spec.get("nfs") {
        return Some(format!("NFS {}:{}", nfs.str_at(&["server"]).unwrap_or("?"), nfs.str_at(&["path"]).unwrap_or("?")));
    }
    if spec.get("cifs").is_some() {
        return Some("SMB share".into());
    }
    match spec.str_at(&["csi", "driver"]) {
        Some(d @ ("nfs.csi.k8s.io" | "smb.csi.k8s.io")) => Some(format!("{d} {}", spec.str_at(&["csi", "volumeAttributes", "source"]).or(spec.str_at(&["csi", "volumeAttributes", "server"])).unwrap_or(""))),
        _ => None,
    }
}

/// The PersistentVolume in the repository a PVC binds to: by `spec.volumeName`, by the PV's
/// `claimRef`, or by a shared non-empty `storageClassName` (a static PV made for the claim).
pub fn bound_pv<'a>(index: &'a Index, pvc: &Resource) -> Option<&'a Resource> {
    let vn = pvc.node.str_at(&["spec", "volumeName"]);
    let sc = pvc.node.str_at(&["spec", "storageClassName"]).filter(|s| !s.is_empty());
    index.of_kind("", "PersistentVolume").filter(|pv| pv.cluster == pvc.cluster).find(|pv| {
        vn == Some(pv.name())
            || (pv.node.str_at(&["spec", "claimRef", "name"]) == Some(pvc.name()) && pv.node.str_at(&["spec", "claimRef", "namespace"]).is_none_or(|n| Some(n) == pvc.namespace()))
            || (sc.is_some() && pv.node.str_at(&["spec", "storageClassName"]) == sc)
    })
}

impl Provider for Share {
    fn name(&self) -> &'static str {
        "file share"
    }

    fn listed(&self) -> bool {
        false
    }

    fn reads(&self) -> &'static [(&'static str, &'static str)] {
        &[("", "PersistentVolume"), ("storage.k8s.io", "StorageClass")]
    }

    fn cover<'a>(&self, cx: &Cx<'a>, store: &Store<'a>, out: &mut Vec<Outcome<'a>>) {
        if store.kind == StoreKind::Cnpg {
            return;
        }
        let static_pv = if store.kind == StoreKind::Pvc { bound_pv(cx.index, store.owner) } else { None };
        let (object, what) = match static_pv.and_then(|pv| Some((pv, external_share(pv)?))) {
            Some(found) => found,
            None => {
                let Some(sc_name) = store.storage_class.as_deref() else { return };
                let Some(sc) = cx.index.of_kind("storage.k8s.io", "StorageClass").find(|c| c.cluster == store.owner.cluster && c.name() == sc_name) else { return };
                let Some(p) = sc.node.str_at(&["provisioner"]).filter(|p| SHARE_PROVISIONERS.contains(p)) else { return };
                let server = sc.node.str_at(&["parameters", "source"]).or(sc.node.str_at(&["parameters", "server"])).unwrap_or("");
                (sc, format!("{p} {server} (StorageClass {sc_name})").trim().to_string())
            }
        };
        let mut c = Cover::new(self.name(), object, format!("external share: {what}"));
        c.scheduled = false;
        c.location = Location::Unknown;
        c.destination.push("the file server (backed up with it)".into());
        c.restore.push("with the file server".into());
        out.push(Outcome::Covers(c));
    }
}
