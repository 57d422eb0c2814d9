//! Where a backup is written, and whether that place is inside the cluster the backup protects.
//! A destination is in the cluster when its host is a cluster-local Service name (`*.svc`,
//! `*.svc.cluster.local`, `<service>.<namespace>` or a bare `<service>` of a Service the repository
//! deploys), or a host name an Ingress, Gateway API route or Traefik IngressRoute of the same
//! cluster sends to a Service the repository deploys (MinIO, Garage, SeaweedFS, Rook-Ceph RGW…
//! behind a public name). An IP address, or a name nothing in the repository serves, is taken as
//! outside: drlint cannot know, and a backup linter that cries wolf gets switched off.

use super::{Index, Resource};

/// The host of a URL as backup tools write them: `https://minio.storage.svc:9000/bucket`,
/// `s3:http://host:9000/bucket` (restic), `s3://bucket@region/` is no host (None), `host:9000`.
pub fn host_of(url: &str) -> Option<String> {
    let url = url.trim();
    if url.is_empty() || url.contains("${") {
        return None;
    }
    // restic's `s3:http://…`, `rest:https://…`: the backend prefix before a URL.
    let url = match url.split_once(':') {
        Some((backend, rest)) if rest.starts_with("http://") || rest.starts_with("https://") => {
            let _ = backend;
            rest
        }
        _ => url,
    };
    let rest = match url.split_once("://") {
        Some((scheme, rest)) => {
            // `s3://bucket@region/` (Longhorn) names a bucket, not a host.
            if matches!(scheme, "s3" | "gs" | "azure" | "az") {
                return None;
            }
            rest
        }
        None => url,
    };
    let authority = rest.split(['/', '?', '#']).next()?;
    let host_port = authority.rsplit_once('@').map(|(_, h)| h).unwrap_or(authority);
    let host = if host_port.starts_with('[') { host_port.split(']').next()?.trim_start_matches('[') } else { host_port.split(':').next()? };
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    (!host.is_empty()).then_some(host)
}

/// Why `url` is inside `cluster` (`None`: outside, or not known). `client_ns` is the namespace a
/// bare service name resolves in. An object store served from the cluster whose bytes live on a
/// network share (a static NFS PersistentVolume, an NFS/SMB CSI StorageClass) keeps the backups
/// when the cluster goes: outside.
pub fn in_cluster(index: &Index, cluster: &Option<String>, client_ns: Option<&str>, url: &str) -> Option<Inside> {
    let host = host_of(url)?;
    if host == "localhost" || host.parse::<std::net::IpAddr>().is_ok() {
        return None;
    }
    let (ns, svc, why) = service_of(index, cluster, client_ns, &host)?;
    match data_on_share(index, cluster, &ns, &svc) {
        Some(true) => None,
        Some(false) => Some(Inside { why, storage_known: true }),
        None => Some(Inside { why, storage_known: false }),
    }
}

/// A destination served from inside the cluster.
#[derive(Clone, Debug)]
pub struct Inside {
    /// How the destination reaches the cluster (`… is the cluster-local name of Service x`).
    pub why: String,
    /// Whether the store's volumes were found (and are on cluster storage). When they were not
    /// (a chart makes them), where its bytes live is not known.
    pub storage_known: bool,
}

/// The in-cluster Service a host names or is routed to: (namespace, name, why).
fn service_of(index: &Index, cluster: &Option<String>, client_ns: Option<&str>, host: &str) -> Option<(String, String, String)> {
    let service = |ns: &str, name: &str| index.get(cluster.as_deref(), Some(ns), "", "Service", name).into_iter().next();
    for suffix in [".svc.cluster.local", ".svc", ".cluster.local"] {
        if let Some(name) = host.strip_suffix(suffix) {
            let mut parts = name.split('.');
            let svc = parts.next().unwrap_or("").to_string();
            let ns = parts.next().unwrap_or(client_ns.unwrap_or("default")).to_string();
            let why = format!("`{host}` is the cluster-local name of Service `{ns}/{svc}`");
            return Some((ns, svc, why));
        }
    }
    let labels: Vec<&str> = host.split('.').collect();
    match labels.as_slice() {
        [svc] => {
            let ns = client_ns?;
            service(ns, svc).map(|s| (ns.to_string(), svc.to_string(), format!("`{host}` is Service `{}` of the same namespace", s.qualified_name())))
        }
        [svc, ns] if service(ns, svc).is_some() => Some((ns.to_string(), svc.to_string(), format!("`{host}` is Service `{ns}/{svc}`"))),
        _ => routed(index, cluster, host),
    }
}

/// Whether the pods behind a Service keep their data on network shares only (`None`: their
/// claims are not among the rendered objects). The claims are
/// those of the workloads the Service selects, or, when the Service is made by a chart drlint
/// does not render, the namespace's claims whose name holds the Service's.
fn data_on_share(index: &Index, cluster: &Option<String>, ns: &str, svc: &str) -> Option<bool> {
    let mut claims: Vec<String> = Vec::new();
    if let Some(service) = index.get(cluster.as_deref(), Some(ns), "", "Service", svc).first() {
        let selector = crate::model::workloads::labels_of(service.node.at(&["spec", "selector"]));
        if !selector.is_empty() {
            for kind in ["Deployment", "StatefulSet"] {
                for w in index.of_kind_in(cluster, Some(ns), "apps", kind) {
                    let pod_labels = crate::model::workloads::labels_of(w.node.at(&["spec", "template", "metadata", "labels"]));
                    if !selector.iter().all(|(k, v)| pod_labels.get(k) == Some(v)) {
                        continue;
                    }
                    if let Some(pod) = crate::model::workloads::pod_spec(w) {
                        claims.extend(crate::model::workloads::claim_volumes(pod).into_iter().filter_map(|(_, c)| c.as_text().map(str::to_string)));
                    }
                    if w.node.at(&["spec", "volumeClaimTemplates"]).is_some_and(|t| t.items().next().is_some()) {
                        return Some(false);
                    }
                }
            }
        }
    }
    if claims.is_empty() {
        claims = index.of_kind_in(cluster, Some(ns), "", "PersistentVolumeClaim").map(|c| c.name().to_string()).filter(|n| n.contains(svc)).collect();
    }
    if claims.is_empty() {
        return None;
    }
    Some(claims.iter().all(|c| claim_on_share(index, cluster, ns, c)))
}

/// A claim bound to a static NFS (or NFS/SMB CSI) PersistentVolume, or of a StorageClass whose
/// provisioner is an NFS or SMB one.
fn claim_on_share(index: &Index, cluster: &Option<String>, ns: &str, claim: &str) -> bool {
    let Some(pvc) = index.get(cluster.as_deref(), Some(ns), "", "PersistentVolumeClaim", claim).into_iter().next() else { return false };
    let share = |s: &str| {
        let s = s.to_ascii_lowercase();
        s.contains("nfs") || s.contains("smb") || s.contains("cifs")
    };
    if let Some(pv) = pvc.node.str_at(&["spec", "volumeName"]).and_then(|v| index.get(cluster.as_deref(), None, "", "PersistentVolume", v).into_iter().next()) {
        return pv.node.at(&["spec", "nfs"]).is_some() || pv.node.str_at(&["spec", "csi", "driver"]).is_some_and(share);
    }
    let class = pvc.node.str_at(&["spec", "storageClassName"]).unwrap_or("");
    // A StorageClass the repository does not define (made by a chart, or by hand) is judged by
    // its name (`truenas-nfs`, `smb-nas`).
    match index.get(cluster.as_deref(), None, "storage.k8s.io", "StorageClass", class).first() {
        Some(c) => c.node.str_at(&["provisioner"]).is_some_and(share),
        None => !class.is_empty() && share(class),
    }
}

/// An Ingress, HTTPRoute/GRPCRoute or Traefik IngressRoute of the cluster that sends `host` to a
/// Service the repository deploys.
fn routed(index: &Index, cluster: &Option<String>, host: &str) -> Option<(String, String, String)> {
    let same = |r: &&Resource| &r.cluster == cluster && !r.unlisted;
    // (namespace, name, `namespace/name`) of a Service the repository deploys.
    let backend = |r: &Resource, name: &str| -> Option<(String, String, String)> {
        let ns = r.namespace().unwrap_or("default");
        index.get(cluster.as_deref(), Some(ns), "", "Service", name).first().map(|s| (ns.to_string(), name.to_string(), s.qualified_name()))
    };
    for ing in index.of_kind("networking.k8s.io", "Ingress").filter(same) {
        for rule in ing.node.at(&["spec", "rules"]).into_iter().flat_map(|l| l.items()) {
            if rule.str_at(&["host"]).map(str::to_ascii_lowercase).as_deref() != Some(host) {
                continue;
            }
            for path in rule.at(&["http", "paths"]).into_iter().flat_map(|l| l.items()) {
                if let Some((ns, name, svc)) = path.str_at(&["backend", "service", "name"]).and_then(|n| backend(ing, n)) {
                    return Some((ns, name, format!("Ingress `{}` sends `{host}` to Service `{svc}`", ing.qualified_name())));
                }
            }
        }
    }
    for kind in ["HTTPRoute", "GRPCRoute", "TLSRoute"] {
        for route in index.of_kind("gateway.networking.k8s.io", kind).filter(same) {
            if !route.node.at(&["spec", "hostnames"]).into_iter().flat_map(|l| l.items()).any(|h| h.as_text().map(str::to_ascii_lowercase).as_deref() == Some(host)) {
                continue;
            }
            for rule in route.node.at(&["spec", "rules"]).into_iter().flat_map(|l| l.items()) {
                for b in rule.get("backendRefs").into_iter().flat_map(|l| l.items()) {
                    if b.str_at(&["kind"]).unwrap_or("Service") == "Service" {
                        if let Some((ns, name, svc)) = b.str_at(&["name"]).and_then(|n| backend(route, n)) {
                            return Some((ns, name, format!("{kind} `{}` sends `{host}` to Service `{svc}`", route.qualified_name())));
                        }
                    }
                }
            }
        }
    }
    for group in ["traefik.io", "traefik.containo.us"] {
        for route in index.of_kind(group, "IngressRoute").filter(same) {
            for r in route.node.at(&["spec", "routes"]).into_iter().flat_map(|l| l.items()) {
                let rule = r.str_at(&["match"]).unwrap_or("").to_ascii_lowercase();
                if !rule.contains(&format!("host(`{host}`)")) && !rule.contains(&format!("`{host}`")) {
                    continue;
                }
                for s in r.get("services").into_iter().flat_map(|l| l.items()) {
                    if let Some((ns, name, svc)) = s.str_at(&["name"]).and_then(|n| backend(route, n)) {
                        return Some((ns, name, format!("IngressRoute `{}` sends `{host}` to Service `{svc}`", route.qualified_name())));
                    }
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::host_of;

    #[test]
    fn hosts_of_backup_urls() {
        assert_eq!(host_of("https://minio.storage.svc.cluster.local:9000").as_deref(), Some("minio.storage.svc.cluster.local"));
        assert_eq!(host_of("s3:http://minio:9000/restic/app").as_deref(), Some("minio"));
        assert_eq!(host_of("http://user:pw@10.0.0.5:9000/x").as_deref(), Some("10.0.0.5"));
        assert_eq!(host_of("s3://backups@us-east-1/"), None);
        assert_eq!(host_of("nfs://nas.lan:/export/longhorn").as_deref(), Some("nas.lan"));
        assert_eq!(host_of("https://${S3_ENDPOINT}"), None);
        assert_eq!(host_of("S3.Example.com.").as_deref(), Some("s3.example.com"));
    }
}
