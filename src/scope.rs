//! The context of a check is always the repository, whatever paths are given: `drlint check
//! apps/staging` or `drlint check one.yaml` (what a pre-commit hook passes) loads and renders the
//! whole repository, so a base, a Secret or a Flux entry point elsewhere is seen, and reports only
//! the findings located under the given paths.
//!
//! The repository root is the nearest folder at or above the paths that holds a `.drlint.yaml`
//! (its config) or a `.git` (the git top level). The search honours `GIT_CEILING_DIRECTORIES`, as
//! git does. Without either, the checked folder itself is the repository (a file: its folder).

use crate::settings::FILE_NAME;
use crate::source::normalize;
use std::path::{Path, PathBuf};

/// Where a check's context starts.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Repository {
    /// The folder loaded and rendered, as a path relative to the current directory when it is
    /// below it (so findings keep short paths).
    pub root: PathBuf,
    /// The `.drlint.yaml` found on the way up, if any.
    pub config: Option<PathBuf>,
}

/// The repository holding `paths` (see the module comment). `-` (stdin) is no path on disk: it is
/// read on its own, as its own repository.
pub fn find_repository(paths: &[PathBuf]) -> Repository {
    let start = common_dir(paths);
    let ceilings: Vec<PathBuf> = std::env::var_os("GIT_CEILING_DIRECTORIES")
        .map(|v| std::env::split_paths(&v).filter(|p| p.is_absolute()).map(|p| normalize(&p)).collect())
        .unwrap_or_default();
    for dir in start.ancestors() {
        if dir != start && ceilings.iter().any(|c| c == dir) {
            break;
        }
        let config = dir.join(FILE_NAME);
        if config.is_file() {
            return Repository { root: shorten(dir), config: Some(shorten(&config)) };
        }
        if dir.join(".git").exists() {
            return Repository { root: shorten(dir), config: None };
        }
    }
    Repository { root: shorten(&start), config: None }
}

/// The deepest folder holding every path (a file counts as its folder).
fn common_dir(paths: &[PathBuf]) -> PathBuf {
    let dirs: Vec<PathBuf> = paths
        .iter()
        .filter(|p| p.as_os_str() != "-")
        .map(|p| normalize(p))
        .map(|p| if p.is_dir() { p } else { p.parent().map(Path::to_path_buf).unwrap_or(p) })
        .collect();
    let Some(first) = dirs.first() else { return normalize(Path::new(".")) };
    let mut common = first.clone();
    for d in &dirs[1..] {
        while !d.starts_with(&common) && common.pop() {}
    }
    common
}

/// `dir` relative to the current directory when it is at or below it; else absolute.
fn shorten(dir: &Path) -> PathBuf {
    let cwd = normalize(Path::new("."));
    match dir.strip_prefix(&cwd) {
        Ok(rel) if rel.as_os_str().is_empty() => PathBuf::from("."),
        Ok(rel) => rel.to_path_buf(),
        Err(_) => dir.to_path_buf(),
    }
}

/// Whether the paths cover the whole repository (nothing to filter).
pub fn covers(root: &Path, paths: &[PathBuf]) -> bool {
    let root = normalize(root);
    paths.iter().any(|p| normalize(p) == root)
}

/// Whether a file (by its real path) is at or below one of the paths.
pub fn is_under(file: &Path, paths: &[PathBuf]) -> bool {
    let file = normalize(file);
    paths.iter().any(|p| file.starts_with(normalize(p)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_config_or_git_wins() {
        let t = tempfile::tempdir().unwrap();
        let root = t.path().join("repo");
        std::fs::create_dir_all(root.join(".git")).unwrap();
        std::fs::create_dir_all(root.join("apps/staging")).unwrap();
        std::fs::write(root.join("apps/staging/a.yaml"), "").unwrap();
        let r = find_repository(&[root.join("apps/staging/a.yaml")]);
        assert_eq!(normalize(&r.root), normalize(&root));
        assert_eq!(r.config, None);
        std::fs::write(root.join("apps/.drlint.yaml"), "").unwrap();
        let r = find_repository(&[root.join("apps/staging")]);
        assert_eq!(normalize(&r.root), normalize(&root.join("apps")));
        assert!(r.config.is_some());
        // Two paths: their common folder is where the search starts.
        let r = find_repository(&[root.join("apps/staging"), root.join(".git")]);
        assert_eq!(normalize(&r.root), normalize(&root));
    }
}
