//! A recovery or replica Cluster reads base backups and WAL from `destinationPath/serverName` of
//! its externalClusters source. If no Cluster in the repository archives there, the path is most
//! likely empty or stale (a typo, a serverName left at its default, an old bucket): bootstrap fails
//! with "no target backup found", or a restore drill proves nothing.

use crate::model::cnpg::{Cluster, Location, GROUP};
use crate::model::Index;
use crate::rules::{Context, OptionKind, OptionSpec, Rule};

crate::declare_rule!(
    RecoveryPathUnknown,
    "cnpg-recovery-path-unknown",
    Warning,
    "an externalClusters object-store source (destinationPath + serverName) that no Cluster in the repo archives to",
    options: &[OptionSpec {
        name: "external-archives",
        kind: OptionKind::StringList,
        default: "[]",
        doc: "destinationPath prefixes written by Clusters outside this repository (another repo, a decommissioned cluster); sources under them are not reported",
    }]
);

impl Rule for RecoveryPathUnknown {
    fn meta(&self) -> &'static crate::rules::RuleMeta {
        &META
    }

    fn check_index(&self, index: &Index, cx: &mut Context) {
        let archives: Vec<(Location, &crate::model::Resource)> = index
            .of_kind(GROUP, "Cluster")
            .filter(|r| !Cluster(r).is_fragment())
            .flat_map(|r| Cluster(r).archives(index).into_iter().map(move |a| (a.location(), r)))
            .collect();
        let external = cx.option_list("external-archives");
        for r in index.of_kind(GROUP, "Cluster") {
            let cluster = Cluster(r);
            let mut seen = Vec::new();
            for (field, src) in cluster.source_refs() {
                let name = src.as_str().unwrap_or("");
                if seen.contains(&name) || field == "bootstrap.pg_basebackup.source" {
                    continue;
                }
                seen.push(name);
                let Some(ext) = cluster.external_cluster(name) else { continue };
                let Some(loc) = cluster.source_location(index, &ext) else { continue };
                if loc.unresolved()
                    || archives.iter().any(|(a, _)| a.may_be_same(&loc))
                    || external.iter().any(|p| loc.norm_path().starts_with(p.trim_end_matches('/')))
                {
                    continue;
                }
                let server_note = match ext.barman_object_store() {
                    Some(s) if s.get("serverName").is_none() => " (defaulted to the externalClusters entry's name)",
                    None if ext.plugin().and_then(|p| p.at(&["parameters", "serverName"])).is_none() => " (defaulted to this Cluster's name)",
                    _ => "",
                };
                let d = cx.report_on(
                    r,
                    loc.span,
                    format!(
                        "Cluster `{}` {field} `{name}` reads {} with serverName `{}`{server_note}, where no Cluster in the repository archives",
                        r.qualified_name(),
                        loc.path,
                        loc.server
                    ),
                );
                // Archives that look close: same path, or same serverName, or a near spelling.
                let key = |a: &Location| format!("{}/{}", a.norm_path(), a.server);
                let mut close: Vec<(usize, String)> = archives
                    .iter()
                    .filter(|(a, _)| a.norm_path() == loc.norm_path() || a.server == loc.server || crate::util::edit_distance(&key(a), &key(&loc)) <= 3)
                    .map(|(a, c)| (crate::util::edit_distance(&key(a), &key(&loc)), format!("{} of {}", a.display(), c.display_name())))
                    .collect();
                close.sort();
                close.dedup();
                let close: Vec<String> = close.into_iter().take(3).map(|(_, s)| s).collect();
                // The Cluster's own archive at the same path under another serverName: the usual
                // "bump serverName and restore from the previous generation" pattern. The old
                // archive was written by a generation of this Cluster that the repository no
                // longer shows, so nothing here proves it exists.
                let own = archives.iter().find(|(a, c)| std::ptr::eq(*c, r) && a.norm_path() == loc.norm_path() && a.server != loc.server);
                if let Some((a, _)) = own {
                    d.help(format!(
                        "this Cluster archives to the same path under serverName `{}`: `{}` looks like the serverName of its previous generation, \
                         which the repository no longer shows; if that archive exists, list `{}` under this rule's `external-archives` option",
                        a.server,
                        loc.server,
                        loc.norm_path()
                    ));
                } else if close.is_empty() {
                    d.help("point destinationPath and serverName at the archive of the Cluster to restore (serverName defaults to that Cluster's name)");
                } else {
                    d.help(format!("archives that look close: {}", close.join("; ")));
                }
            }
        }
    }
}
