//! Charts a deployer names in a chart repository (a Flux HelmRelease on a HelmRepository or an
//! OCIRepository, an Argo CD Application with `chart` and `targetRevision`) found on disk, never
//! fetched: in the folders the config names (`helm.chart-dirs`, a cache the user fills with
//! `helm pull`) and in the `charts/` folder next to the deployer, where `helm dependency`,
//! `helm pull --untar` and kustomize's `helmCharts` (its default `chartHome`) leave them.
//!
//! In each folder a chart is `<name>-<version>.tgz`, `<name>/` or `<name>-<version>/<name>/` (the
//! layouts `helm pull` and kustomize write), its version read from `Chart.yaml` (or the archive's
//! name). The deployer's version constraint (`1.2.3`, `~1.2`, `>=1 <2`, `*`, none) picks among
//! them as Helm's repository index would: the highest version that satisfies it.

use crate::helm::funcs::math::{semver_compare, version_cmp};
use std::path::{Path, PathBuf};

/// The chart `name` at a version `constraint` allows, looked for in `dirs` in order of
/// preference (the highest version wins; a tie goes to the earlier folder).
pub(crate) fn find(name: &str, constraint: Option<&str>, dirs: &[PathBuf]) -> Option<PathBuf> {
    if name.is_empty() || name.contains(['/', '\\']) || name == ".." {
        return None;
    }
    let constraint = constraint.map(str::trim).filter(|c| !c.is_empty() && *c != "*" && *c != "latest");
    let mut best: Option<(String, PathBuf)> = None;
    for dir in dirs {
        for (version, path) in candidates(dir, name) {
            if constraint.is_some_and(|c| !semver_compare(c, &version).unwrap_or(c == version)) {
                continue;
            }
            let better = match &best {
                None => true,
                Some((v, _)) => version_cmp(&version, v) == Some(std::cmp::Ordering::Greater),
            };
            if better {
                best = Some((version, path));
            }
        }
    }
    best.map(|(_, p)| p)
}

/// Every copy of chart `name` in `dir`, with its version.
fn candidates(dir: &Path, name: &str) -> Vec<(String, PathBuf)> {
    let mut out = Vec::new();
    if let Some(v) = folder_version(&dir.join(name), name) {
        out.push((v, dir.join(name)));
    }
    let Ok(entries) = std::fs::read_dir(dir) else { return out };
    let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
    entries.sort();
    for path in entries {
        let Some(file) = path.file_name().and_then(|f| f.to_str()) else { continue };
        let Some(rest) = file.strip_prefix(name).and_then(|r| r.strip_prefix('-')) else { continue };
        if let Some(version) = rest.strip_suffix(".tgz") {
            // `foo-bar-1.0.0.tgz` is chart `foo-bar`, not version `bar-1.0.0` of `foo`.
            if path.is_file() && version_cmp(version, version).is_some() {
                out.push((version.to_string(), path));
            }
        } else if path.is_dir() && version_cmp(rest, rest).is_some() {
            let inner = path.join(name);
            if let Some(v) = folder_version(&inner, name) {
                out.push((v, inner));
            }
        }
    }
    out
}

/// The version in `dir/Chart.yaml` when `dir` is chart `name`.
fn folder_version(dir: &Path, name: &str) -> Option<String> {
    let text = std::fs::read_to_string(dir.join("Chart.yaml")).ok()?;
    let parsed = crate::source::yaml::parse(crate::source::FileId(0), &text);
    let root = parsed.documents.first()?.root.as_ref()?;
    if root.str_at(&["name"]) != Some(name) {
        return None;
    }
    Some(root.str_at(&["version"]).unwrap_or("").to_string())
}

#[cfg(test)]
mod tests {
    use super::find;
    use std::fs;

    #[test]
    fn charts_are_found_by_name_and_version_constraint() {
        let tmp = tempfile::tempdir().unwrap();
        let cache = tmp.path().join("cache");
        let vendored = tmp.path().join("charts");
        fs::create_dir_all(cache.join("redis")).unwrap();
        fs::write(cache.join("redis/Chart.yaml"), "name: redis\nversion: 1.2.0\n").unwrap();
        fs::write(cache.join("redis-1.3.1.tgz"), b"x").unwrap();
        fs::write(cache.join("redis-cluster-9.0.0.tgz"), b"x").unwrap();
        fs::create_dir_all(vendored.join("redis-2.0.0/redis")).unwrap();
        fs::write(vendored.join("redis-2.0.0/redis/Chart.yaml"), "name: redis\nversion: 2.0.0\n").unwrap();
        let dirs = [cache.clone(), vendored.clone()];
        assert_eq!(find("redis", Some("1.2.0"), &dirs), Some(cache.join("redis")));
        assert_eq!(find("redis", Some("~1.3"), &dirs), Some(cache.join("redis-1.3.1.tgz")));
        assert_eq!(find("redis", None, &dirs), Some(vendored.join("redis-2.0.0/redis")));
        assert_eq!(find("redis", Some(">=1.0.0 <2"), &dirs), Some(cache.join("redis-1.3.1.tgz")));
        assert_eq!(find("redis", Some("3.0.0"), &dirs), None);
        assert_eq!(find("redis-cluster", Some("9.0.0"), &dirs), Some(cache.join("redis-cluster-9.0.0.tgz")));
        assert_eq!(find("../x", None, &dirs), None);
    }
}
