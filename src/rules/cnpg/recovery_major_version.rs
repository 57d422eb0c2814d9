//! A Cluster that bootstraps by `recovery` (or `pg_basebackup`) from a source written by another
//! PostgreSQL major version. Physical recovery replays base backups and WAL as files: the data
//! directory's format is the major version's, and PostgreSQL refuses to start on another major's
//! files. CNPG's documented way across majors is a logical import (`bootstrap.initdb.import`).
//!
//! The source is the Cluster in the repository whose archive (destinationPath + serverName) the
//! recovery reads, or whose `-rw`/`-r`/`-ro` service a pg_basebackup connects to. Majors are read
//! from `imageCatalogRef.major` or the `imageName` tag; a Cluster with neither runs the operator's
//! default image, which the repository does not say: not judged.

use crate::model::cnpg::{self, Cluster, ExternalCluster};
use crate::model::{Index, Resource};
use crate::rules::{Context, Rule};
use crate::source::Span;

crate::declare_rule!(
    CnpgRecoveryMajorVersion,
    "cnpg-recovery-major-version",
    Error,
    "a Cluster recovers (or pg_basebackups) from a source written by another PostgreSQL major version"
);

impl Rule for CnpgRecoveryMajorVersion {
    fn meta(&self) -> &'static crate::rules::RuleMeta {
        &META
    }

    fn check_index(&self, index: &Index, cx: &mut Context) {
        for object in index.of_kind(cnpg::GROUP, "Cluster") {
            let cluster = Cluster(object);
            let Some((major, major_span)) = cnpg::major_version(object) else { continue };
            for (field, source) in cluster.source_refs() {
                if field == "replica.source" {
                    continue;
                }
                let Some(ext) = source.as_str().and_then(|n| cluster.external_cluster(n)) else { continue };
                let sources = source_clusters(index, &cluster, &ext);
                let majors: Vec<(u32, Span, &Resource)> = sources.iter().filter_map(|s| cnpg::major_version(s).map(|(m, sp)| (m, sp, *s))).collect();
                // Several candidates that disagree (one base rendered with different images): not judged.
                let Some(&(theirs, their_span, src)) = majors.first() else { continue };
                if theirs == major || majors.iter().any(|(m, _, _)| *m != theirs) {
                    continue;
                }
                let how = if field == "bootstrap.pg_basebackup.source" { "copies (pg_basebackup)" } else { "recovers from the archive of" };
                cx.report_on(
                    object,
                    major_span,
                    format!(
                        "Cluster `{}` runs PostgreSQL {major} but {how} Cluster `{}`, written by PostgreSQL {theirs}: physical recovery cannot cross major versions",
                        object.qualified_name(),
                        src.qualified_name()
                    ),
                )
                .label(their_span, format!("`{}` runs PostgreSQL {theirs}", src.qualified_name()))
                .label(source.span, format!("{field} `{}`", source.as_str().unwrap_or("")))
                .help(format!(
                    "recover with PostgreSQL {theirs} (the source's image) and upgrade afterwards, or bootstrap with `initdb.import` (a logical import) from a running `{}`",
                    src.name()
                ));
            }
        }
    }
}

/// The Clusters in the repository that `ext` reads from: by archive location (object-store
/// recovery), else by the host of a streaming connection (`<cluster>-rw[.ns[.svc…]]`).
fn source_clusters<'a>(index: &'a Index, me: &Cluster<'a>, ext: &ExternalCluster<'a>) -> Vec<&'a Resource> {
    let mut out: Vec<&Resource> = Vec::new();
    if let Some(loc) = me.source_location(index, ext) {
        for other in index.of_kind(cnpg::GROUP, "Cluster") {
            if std::ptr::eq(other, me.0) || other.cluster != me.0.cluster {
                continue;
            }
            if Cluster(other).archives(index).iter().any(|a| a.location().same(&loc)) {
                out.push(other);
            }
        }
        return out;
    }
    let Some(host) = ext.0.str_at(&["connectionParameters", "host"]) else { return out };
    let mut parts = host.split('.');
    let service = parts.next().unwrap_or("");
    let namespace = parts.next().map(str::to_string).or_else(|| me.0.namespace().map(str::to_string));
    let Some(name) = ["-rw", "-ro", "-r"].iter().find_map(|s| service.strip_suffix(s)) else { return out };
    for other in index.of_kind(cnpg::GROUP, "Cluster") {
        if !std::ptr::eq(other, me.0) && other.cluster == me.0.cluster && other.name() == name && (other.namespace().map(str::to_string) == namespace || !cnpg::namespace_known(other)) {
            out.push(other);
        }
    }
    out
}
