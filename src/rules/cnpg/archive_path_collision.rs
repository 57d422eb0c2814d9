//! Each Cluster needs an archive of its own: barman writes WAL and base backups under
//! `destinationPath/serverName`. Two Clusters with the same pair interleave their WAL (the second
//! one's archiving fails: barman refuses a non-empty archive for a new cluster, `Expected empty
//! archive`) and a restore reads a mix of both. Staging overlays that forget to change the path do
//! this, across namespaces and clusters, so the comparison is repo-wide. A recovery Cluster that
//! archives into the archive it restores from does the same to its source.

use crate::model::cnpg::{has_variable, Archive, Cluster, Location, GROUP};
use crate::model::{Index, Resource};
use crate::rules::{Context, Rule};

crate::declare_rule!(
    ArchivePathCollision,
    "cnpg-archive-path-collision",
    Error,
    "two Clusters archiving to the same destinationPath and serverName, anywhere in the repo"
);

/// `Cluster ns/name` plus the cluster and overlays that render it, for messages.
pub fn describe(r: &Resource) -> String {
    let mut s = r.display_name();
    if let Some(c) = &r.cluster {
        s.push_str(&format!(" in cluster `{c}`"));
    }
    if !r.renders.is_empty() {
        s.push_str(&format!(" (rendered by {})", r.renders.join(", ")));
    }
    s
}

fn identity(r: &Resource) -> (Option<String>, Option<String>, String) {
    (r.cluster.clone(), r.namespace().map(str::to_string), r.name().to_string())
}

/// The same object store service: both on the provider's default endpoint, or both on the same
/// `endpointURL` (a bucket name on MinIO is not the same bucket on AWS).
/// An endpoint still holding a `${VAR}` is never compared.
fn same_endpoint(a: &Archive, b: &Archive) -> bool {
    let unresolved = |e: &Option<String>| e.as_deref().is_some_and(has_variable);
    a.endpoint == b.endpoint && !unresolved(&a.endpoint)
}

impl Rule for ArchivePathCollision {
    fn meta(&self) -> &'static crate::rules::RuleMeta {
        &META
    }

    fn check_index(&self, index: &Index, cx: &mut Context) {
        let clusters: Vec<_> = index.of_kind(GROUP, "Cluster").filter(|r| !Cluster(r).is_fragment()).collect();
        let archives: Vec<Archive> = clusters.iter().flat_map(|r| Cluster(r).archives(index)).collect();
        for (i, a) in archives.iter().enumerate() {
            let loc = a.location();
            // Another Cluster (a different object, not the same one declared twice) archiving there.
            let other = archives.iter().enumerate().find(|(j, b)| {
                *j != i && identity(b.cluster) != identity(a.cluster) && same_endpoint(a, b) && b.location().same(&loc)
            });
            if let Some((_, b)) = other.filter(|_| !loc.unresolved()) {
                let server = match a.server_span {
                    Some(_) => format!("serverName `{}`", a.server),
                    None => format!("serverName `{}` (defaulted to the Cluster name)", a.server),
                };
                cx.report_on(
                    a.cluster,
                    a.path_span,
                    format!("Cluster `{}` archives to {} with {server}, as does {}", a.cluster.qualified_name(), a.path, describe(b.cluster)),
                )
                .label(b.path_span, format!("{} archives here too", describe(b.cluster)))
                .help("give each Cluster its own archive: change destinationPath, or set a distinct serverName (plugin parameter `serverName`, or barmanObjectStore.serverName)");
                continue;
            }
            // A recovery Cluster writing into the archive it reads from. Within one object the
            // same text substitutes to the same value, so unresolved variables compare as text.
            // `cnpg.io/skipEmptyWalArchiveCheck: enabled` says the owner chose this on purpose.
            let cluster = Cluster(a.cluster);
            if a.cluster.annotation("cnpg.io/skipEmptyWalArchiveCheck").and_then(|n| n.as_text()) == Some("enabled") {
                continue;
            }
            for (field, src) in cluster.source_refs() {
                let Some(ext) = cluster.external_cluster(src.as_str().unwrap_or("")) else { continue };
                let Some(from) = cluster.source_location(index, &ext) else { continue };
                let same = from.norm_path() == loc.norm_path() && from.server == loc.server;
                if !same || field == "bootstrap.pg_basebackup.source" {
                    continue;
                }
                report_self(cx, a, &from, field);
                break;
            }
        }
    }
}

fn report_self(cx: &mut Context, a: &Archive, from: &Location, field: &str) {
    cx.report_on(
        a.cluster,
        a.path_span,
        format!(
            "Cluster `{}` archives to {} with serverName `{}`, the archive its {field} restores from",
            a.cluster.qualified_name(),
            a.path,
            a.server
        ),
    )
    .label(from.span, "restored from here")
    .help(
        "barman refuses a non-empty archive for a new cluster (`Expected empty archive`), so WAL archiving fails after the restore: \
         set a new serverName for the Cluster's own backups (e.g. `<name>-v2`) or another destinationPath",
    );
}
