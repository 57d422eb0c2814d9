//! Which files are deployed, and the `gitops-not-deployed` note for those that are not.
//!
//! When a repository has entry points, an object is deployed only if an entry point's render
//! reaches it (`render_repo` decides that). This module answers the questions around it: is an
//! entry point left out of the folder that holds it, does a file belong to a Component nothing
//! uses, and how to tell the user, once per folder, what was left out and why.

use super::{display_dir, flux, is_component};
use crate::diag::Diagnostic;
use crate::rules::gitops::not_deployed;
use crate::source::yaml::Node;
use crate::source::{normalize, FileId, SourceDb, Span};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// An Argo CD ApplicationSet: an entry point even where drlint cannot expand it.
pub(super) fn is_applicationset(node: &Node) -> bool {
    node.str_at(&["kind"]) == Some("ApplicationSet") && node.str_at(&["apiVersion"]).is_some_and(|a| a.starts_with("argoproj.io/"))
}

fn folder_of(db: &SourceDb, file: FileId) -> Option<PathBuf> {
    normalize(&db.get(file).real_path).parent().map(Path::to_path_buf)
}

/// The kustomization file in the nearest folder at or above `dir` (inside `top`) that has one.
fn nearest_kustomization(db: &SourceDb, dir: &Path, top: &Path) -> Option<FileId> {
    let mut d = dir.to_path_buf();
    loop {
        if let Some(k) = flux::kustomization_file(&d) {
            return db.lookup(&normalize(&k));
        }
        if d == top || !d.pop() || !d.starts_with(top) {
            return None;
        }
    }
}

/// For a file no render reads: the kustomizations of the folders above it that some render reads,
/// nearest first. Each leaves the file out (does not list it, or lists it only in a comment).
pub(super) fn left_out_by(db: &SourceDb, file: FileId, read: &BTreeSet<FileId>, top: &Path) -> Vec<FileId> {
    let mut out = Vec::new();
    if read.contains(&file) {
        return out;
    }
    let top = normalize(top);
    let Some(mut dir) = normalize(&db.get(file).real_path).parent().map(Path::to_path_buf) else { return out };
    loop {
        if let Some(k) = flux::kustomization_file(&dir).and_then(|k| db.lookup(&normalize(&k))).filter(|k| read.contains(k) && *k != file) {
            out.push(k);
        }
        if dir == top || !dir.pop() || !dir.starts_with(&top) {
            return out;
        }
    }
}

/// Whether `file` is part of a kustomize Component (the kustomization beside it) that no render
/// read: nothing includes the Component, so nothing applies its files.
pub(super) fn in_unused_component(db: &mut SourceDb, consumed: &BTreeSet<FileId>, file: FileId) -> bool {
    let Some(k) = folder_of(db, file).and_then(|d| flux::kustomization_file(&d)).and_then(|k| db.lookup(&normalize(&k))) else { return false };
    k != file && !consumed.contains(&k) && is_component(db, k)
}

/// Whether a line of the kustomization that is a comment names `name`.
fn named_in_comment(db: &SourceDb, kfile: FileId, name: &str) -> bool {
    db.get(kfile).text().lines().any(|l| l.trim_start().starts_with('#') && l.contains(name))
}

/// One `gitops-not-deployed` note per folder of not-deployed files: the highest folder holding no
/// deployed file, or, inside a deployed folder, the files it leaves out (listed in one note).
/// `has_entries`: whether entry points decide what is deployed for a folder (see `render_repo`).
pub(super) fn notes(db: &mut SourceDb, top: &Path, undeployed: &BTreeSet<FileId>, live: &BTreeSet<FileId>, has_entries: &dyn Fn(&Path) -> bool) -> Vec<Diagnostic> {
    let top = normalize(top);
    let mut live_dirs: BTreeSet<PathBuf> = BTreeSet::new();
    for &f in live {
        let Some(mut d) = folder_of(db, f) else { continue };
        while live_dirs.insert(d.clone()) && d.pop() {}
    }
    // (folder, whole folder?) -> files
    let mut groups: BTreeMap<(PathBuf, bool), Vec<FileId>> = BTreeMap::new();
    for &f in undeployed {
        let Some(dir) = folder_of(db, f) else { continue };
        if live_dirs.contains(&dir) {
            groups.entry((dir, false)).or_default().push(f);
            continue;
        }
        let mut g = dir;
        while let Some(p) = g.parent() {
            if !p.starts_with(&top) || live_dirs.contains(p) {
                break;
            }
            g = p.to_path_buf();
        }
        groups.entry((g, true)).or_default().push(f);
    }
    let help = "deploy it from an entry point, or delete it; `--all-files` (or `lint-undeployed: true` in .drlint.yaml) checks it as if deployed";
    let mut out = Vec::new();
    for ((dir, whole), mut files) in groups {
        files.sort_by_key(|f| db.get(*f).real_path.clone());
        let shown = display_dir(&dir);
        let own = flux::kustomization_file(&dir).and_then(|k| db.lookup(&normalize(&k)));
        let (span_file, message) = if whole {
            let above = dir.parent().filter(|p| p.starts_with(&top)).and_then(|p| nearest_kustomization(db, p, &top));
            let name = dir.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            let unused_component = |db: &mut SourceDb, f: FileId| {
                let k = folder_of(db, f).and_then(|d| flux::kustomization_file(&d)).and_then(|k| db.lookup(&normalize(&k)));
                k.is_some_and(|k| !live.contains(&k) && is_component(db, k))
            };
            let reason = if files.iter().any(|f| unused_component(db, *f)) {
                "it holds a kustomize Component that no kustomization uses".to_string()
            } else if let Some(a) = above.filter(|a| live.contains(a)) {
                let a_shown = crate::diag::display_path(&db.get(a).path);
                if named_in_comment(db, a, &name) {
                    format!("`{a_shown}` lists it only in a comment")
                } else {
                    format!("`{a_shown}` does not list it")
                }
            } else if has_entries(&dir) {
                "no Flux Kustomization or Argo CD Application renders it".to_string()
            } else {
                "nothing renders it".to_string()
            };
            let n = files.iter().filter(|f| Some(**f) != own).count();
            let what = match n {
                0 => String::new(),
                1 => " (1 file)".to_string(),
                n => format!(" ({n} files)"),
            };
            (own.unwrap_or(files[0]), format!("`{shown}/`{what} is not deployed: {reason}; its objects are checked only by file-level rules"))
        } else {
            let names: Vec<String> = files.iter().map(|f| format!("`{}`", db.get(*f).real_path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default())).collect();
            let listed = |db: &SourceDb, k: FileId| files.iter().any(|f| db.get(*f).real_path.file_name().is_some_and(|n| named_in_comment(db, k, &n.to_string_lossy())));
            let them = if files.len() == 1 { "it" } else { "them" };
            let reason = match own.filter(|k| live.contains(k)) {
                Some(k) if listed(db, k) => format!("`{}` lists {them} only in a comment", crate::diag::display_path(&db.get(k).path)),
                Some(k) => format!("`{}` does not list {them}", crate::diag::display_path(&db.get(k).path)),
                None => format!("no entry point's render reads {them}"),
            };
            let verb = if files.len() == 1 { "is" } else { "are" };
            (files[0], format!("{} in `{shown}/` {verb} not deployed: {reason}; checked only by file-level rules", names.join(", ")))
        };
        out.push(Diagnostic::new(not_deployed::META.id, not_deployed::META.severity, Span::new(span_file, 0, 0), message).with_help(help));
    }
    out
}

/// Folders an ApplicationSet may deploy from, for one drlint could not expand: the fixed part of
/// each git generator path (`apps/*` -> `apps/`), else of the template's source path. What lies
/// below them counts as deployed, as if the repository had no entry points: better a finding on
/// an app the set does not generate than none on one it does.
pub(super) fn appset_folders(node: &Node) -> Vec<String> {
    fn fixed(path: &str) -> String {
        let cut = path.find(['{', '*', '?', '[']).unwrap_or(path.len());
        let head = &path[..cut];
        if cut == path.len() {
            return head.to_string();
        }
        head.rfind('/').map(|i| head[..i].to_string()).unwrap_or_default()
    }
    let mut out = Vec::new();
    let mut stack: Vec<&Node> = node.at(&["spec", "generators"]).into_iter().collect();
    // Matrix and merge generators nest generators.
    while let Some(n) = stack.pop() {
        for g in n.items() {
            for key in ["matrix", "merge"] {
                stack.extend(g.at(&[key, "generators"]));
            }
            for list in ["directories", "files"] {
                for d in g.at(&["git", list]).into_iter().flat_map(|l| l.items()) {
                    if d.get("exclude").and_then(Node::as_bool) == Some(true) {
                        continue;
                    }
                    out.extend(d.str_at(&["path"]).map(fixed));
                }
            }
        }
    }
    if out.is_empty() {
        let template = node.at(&["spec", "template", "spec"]);
        let sources = template.and_then(|t| t.get("source")).into_iter().chain(template.and_then(|t| t.get("sources")).into_iter().flat_map(|s| s.items()));
        out.extend(sources.filter_map(|s| s.str_at(&["path"])).map(fixed));
        if out.is_empty() {
            out.push(String::new());
        }
    }
    out
}
