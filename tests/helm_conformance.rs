//! The native Helm engine against Helm itself.
//!
//! 1. Test charts under tests/helm/charts (one per feature family): drlint's `helm template`
//!    output must equal tests/helm/expected/<chart>.yaml, which `scripts/helm-oracle.py` wrote
//!    with Helm (helm-python-sdk). A chart whose behaviour deliberately differs from Helm's (a
//!    `file://` dependency read from disk, as Argo CD does after `helm dependency build`) has
//!    a reviewed `<chart>.drlint.yaml` instead. tests/helm/values/<chart>.yaml is given as `-f`.
//!    Regenerate after changing a chart:
//!    `python3 scripts/helm-oracle.py tests/helm/charts/C --release rel --namespace ns [-f tests/helm/values/C.yaml] > tests/helm/expected/C.yaml`
//! 2. Every chart in the shared corpus, rendered by drlint and by the oracle when the Python
//!    package is installed: prints charts found / rendered / identical and each difference, and
//!    requires 95% agreement (identical output, or both refusing the chart).

mod common;

use drlint::helm::{ReleaseOptions, print_template, render_chart};
use std::path::{Path, PathBuf};
use std::process::Command;

fn render(dir: &Path, name: &str, namespace: &str) -> Result<String, String> {
    render_with(dir, name, namespace, None)
}

/// Render with an optional values file, as `helm template -f FILE` does.
fn render_with(dir: &Path, name: &str, namespace: &str, values: Option<&Path>) -> Result<String, String> {
    let mut opts = ReleaseOptions { name: name.into(), namespace: namespace.into(), ..Default::default() };
    if let Some(v) = values {
        let text = std::fs::read_to_string(v).unwrap();
        let parsed = drlint::source::yaml::parse(drlint::source::FileId(0), &text);
        opts.values.extend(parsed.documents.into_iter().filter_map(|d| d.root));
    }
    match render_chart(dir, &opts) {
        Ok(r) => {
            let failed: Vec<String> = r.notes.iter().filter(|n| n.fatal).map(|n| n.message.clone()).collect();
            if failed.is_empty() { Ok(print_template(&r)) } else { Err(failed.join("; ")) }
        }
        Err(e) => Err(e.message),
    }
}

#[test]
fn test_charts_render_as_helm_does() {
    let root = common::crate_root().join("tests/helm");
    let mut charts: Vec<PathBuf> = std::fs::read_dir(root.join("charts")).unwrap().flatten().map(|e| e.path()).collect();
    charts.sort();
    assert!(charts.len() >= 8, "test charts missing");
    let mut failures = Vec::new();
    for c in &charts {
        let name = c.file_name().unwrap().to_string_lossy().to_string();
        let own = root.join("expected").join(format!("{name}.drlint.yaml"));
        let helm = root.join("expected").join(format!("{name}.yaml"));
        let expected = std::fs::read_to_string(if own.exists() { &own } else { &helm }).unwrap_or_else(|_| panic!("no expected output for {name}"));
        // tests/helm/values/<chart>.yaml, when present, is given as `-f`.
        let values = root.join("values").join(format!("{name}.yaml"));
        let got = render_with(c, "rel", "ns", values.exists().then_some(values.as_path())).unwrap_or_else(|e| format!("ERROR: {e}"));
        if got != expected {
            let first = got.lines().zip(expected.lines()).position(|(a, b)| a != b).unwrap_or(got.lines().count().min(expected.lines().count()));
            failures.push(format!(
                "{name}: differs from line {}:\n  drlint: {:?}\n  helm:   {:?}",
                first + 1,
                got.lines().nth(first).unwrap_or("<end>"),
                expected.lines().nth(first).unwrap_or("<end>")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn render_command_prints_helm_template_output() {
    let root = common::crate_root().join("tests/helm");
    let out = Command::new(env!("CARGO_BIN_EXE_drlint"))
        .args(["render", "--release", "rel", "-n", "ns", "-f"])
        .arg(root.join("values/scaffold.yaml"))
        .arg(root.join("charts/scaffold"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(String::from_utf8_lossy(&out.stdout), std::fs::read_to_string(root.join("expected/scaffold.yaml")).unwrap());
}

fn oracle_available() -> bool {
    Command::new("python3").args(["-c", "import helm_python, yaml"]).output().map(|o| o.status.success()).unwrap_or(false)
}

/// The shared folder, when it and the oracle are there (else the reason is printed).
fn shared_with_oracle() -> Option<PathBuf> {
    let Some(shared) = common::shared() else {
        eprintln!("skipped: no shared corpus (../shared or $DRLINT_SHARED)");
        return None;
    };
    if !oracle_available() {
        eprintln!("skipped: helm-python-sdk is not installed (pip install helm-python-sdk)");
        return None;
    }
    Some(shared)
}

#[test]
fn corpus_charts_match_helm() {
    let Some(shared) = shared_with_oracle() else { return };
    let mut charts: Vec<PathBuf> = walkdir::WalkDir::new(shared.join("corpus"))
        .into_iter()
        .flatten()
        .filter(|e| e.file_name() == "Chart.yaml")
        .filter_map(|e| e.path().parent().map(Path::to_path_buf))
        // Vendored subcharts render as part of their parent.
        .filter(|p| p.parent().and_then(|q| q.file_name()).is_none_or(|n| n != "charts"))
        .collect();
    charts.sort();
    let script = common::crate_root().join("scripts/helm-oracle.py");
    let (mut rendered, mut identical, mut both_refuse) = (0, 0, 0);
    let mut diffs = Vec::new();
    for c in &charts {
        let ours = render(c, "release-name", "default");
        let out = Command::new("python3").arg(&script).arg(c).output().expect("python3 runs");
        let theirs = if out.status.success() { Ok(String::from_utf8_lossy(&out.stdout).into_owned()) } else { Err(String::from_utf8_lossy(&out.stderr).into_owned()) };
        if ours.is_ok() {
            rendered += 1;
        }
        match (&ours, &theirs) {
            (Ok(a), Ok(b)) if a == b => identical += 1,
            (Err(_), Err(_)) => both_refuse += 1,
            (Ok(a), Ok(b)) => {
                let first = a.lines().zip(b.lines()).position(|(x, y)| x != y).unwrap_or(0);
                diffs.push(format!("{}: output differs at line {}: drlint {:?} / helm {:?}", c.display(), first + 1, a.lines().nth(first), b.lines().nth(first)));
            }
            (Err(e), Ok(_)) => diffs.push(format!("{}: drlint refuses, helm renders: {e}", c.display())),
            (Ok(_), Err(e)) => diffs.push(format!("{}: helm refuses, drlint renders: {}", c.display(), e.lines().next().unwrap_or(""))),
        }
    }
    let found = charts.len();
    eprintln!("helm corpus: {found} charts found, {rendered} rendered by drlint, {identical} byte-identical, {both_refuse} refused by both");
    for d in &diffs {
        eprintln!("  {d}");
    }
    if found > 0 {
        let agree = identical + both_refuse;
        assert!(agree * 100 >= found * 95, "only {agree} of {found} charts agree with Helm:\n{}", diffs.join("\n"));
    }
}

/// Every release the corpus's deployers install (Argo CD Applications, Flux HelmReleases, as
/// drlint's GitOps render finds them), rendered by drlint and by Helm with the deployer's own
/// values, release name and namespace: per repository, charts found, releases deployed, rendered,
/// identical to Helm, and objects Helm adds to the index. `DRLINT_CORPUS_SKIP=a,b` leaves out the
/// repositories whose names contain one of those words. Requires 95% agreement.
#[test]
fn corpus_releases_match_helm_with_the_deployers_values() {
    let Some(shared) = shared_with_oracle() else { return };
    let skip: Vec<String> = std::env::var("DRLINT_CORPUS_SKIP").unwrap_or_default().split(',').filter(|s| !s.is_empty()).map(str::to_string).collect();
    let mut repos: Vec<PathBuf> = std::fs::read_dir(shared.join("corpus")).unwrap().flatten().map(|e| e.path()).filter(|p| p.is_dir()).collect();
    repos.sort();
    let script = common::crate_root().join("scripts/helm-oracle.py");
    let tmp = tempfile::tempdir().unwrap();
    let (mut compared, mut agree) = (0, 0);
    let (mut diffs, mut refused) = (Vec::new(), Vec::new());
    for repo in repos {
        let name = repo.file_name().unwrap().to_string_lossy().to_string();
        if skip.iter().any(|s| name.contains(s.as_str())) {
            continue;
        }
        let settings = match drlint::settings::find_config(&[repo.clone()]) {
            Some(cfg) => drlint::settings::Settings::load(&cfg).unwrap_or_default(),
            None => drlint::settings::Settings { root: repo.clone(), ..Default::default() },
        };
        let found = walkdir::WalkDir::new(&repo).into_iter().flatten().filter(|e| e.file_name() == "Chart.yaml").filter(|e| e.path().parent().and_then(|p| p.parent()).and_then(|q| q.file_name()).is_none_or(|n| n != "charts")).count();
        let (ws, rr) = drlint::load_and_render(&[repo.clone()], &settings);
        let mut seen = std::collections::BTreeSet::new();
        let (mut releases, mut deployed, mut rendered, mut identical, mut both_refuse) = (0, 0, 0, 0, 0);
        // Releases whose values hold ApplicationSet parameters drlint cannot know are compared
        // too (with the values drlint has), but are not deployed objects.
        for rel in &rr.releases {
            let layers: Vec<String> = rel.options.values.iter().map(|n| drlint::helm::funcs::yaml::to_json(&drlint::helm::value::Value::from_yaml_node(n))).collect();
            if !seen.insert(format!("{}\u{0}{}\u{0}{}\u{0}{}", rel.chart_dir.display(), rel.options.name, rel.options.namespace, layers.join("\u{0}"))) {
                continue;
            }
            releases += 1;
            deployed += rel.deployed as usize;
            // The oracle prints what `helm template` prints: no crds/ (deployers install them).
            let options = drlint::helm::ReleaseOptions { include_crds: false, ..rel.options.clone() };
            let ours = match render_chart(&rel.chart_dir, &options) {
                Ok(r) if r.notes.iter().all(|n| !n.fatal) => Ok(print_template(&r)),
                Ok(r) => Err(r.notes.iter().filter(|n| n.fatal).map(|n| n.message.clone()).collect::<Vec<_>>().join("; ")),
                Err(e) => Err(e.message),
            };
            if ours.is_ok() {
                rendered += 1;
            }
            if rel.options.chart_values.is_some() {
                // Flux valuesFiles replace the chart's values.yaml: the oracle cannot say so.
                diffs.push(format!("{name}: {} not compared (valuesFiles replace the chart's values)", rel.label));
                continue;
            }
            let mut cmd = Command::new("python3");
            cmd.arg(&script).arg(&rel.chart_dir).args(["--release", &rel.options.name, "--namespace", &rel.options.namespace]);
            for (i, l) in layers.iter().enumerate() {
                let f = tmp.path().join(format!("values-{i}.json"));
                std::fs::write(&f, l).unwrap();
                cmd.arg("-f").arg(f);
            }
            let out = cmd.output().expect("python3 runs");
            let theirs = if out.status.success() { Ok(String::from_utf8_lossy(&out.stdout).into_owned()) } else { Err(String::from_utf8_lossy(&out.stderr).into_owned()) };
            compared += 1;
            match (&ours, &theirs) {
                (Ok(a), Ok(b)) if a == b => identical += 1,
                (Err(e), Err(_)) => {
                    both_refuse += 1;
                    refused.push(format!("{name}: {} ({}): refused by both: {}", rel.label, rel.chart_dir.display(), e.lines().next().unwrap_or("")));
                }
                (Ok(a), Ok(b)) => {
                    let first = a.lines().zip(b.lines()).position(|(x, y)| x != y).unwrap_or(a.lines().count().min(b.lines().count()));
                    diffs.push(format!("{name}: {}: output differs at line {}: drlint {:?} / helm {:?}", rel.label, first + 1, a.lines().nth(first), b.lines().nth(first)));
                }
                (Err(e), Ok(_)) => diffs.push(format!("{name}: {}: drlint refuses, helm renders: {e}", rel.label)),
                (Ok(_), Err(e)) => diffs.push(format!("{name}: {}: helm refuses, drlint renders: {}", rel.label, e.lines().next().unwrap_or(""))),
            }
        }
        agree += identical + both_refuse;
        let charts: Vec<PathBuf> = rr.releases.iter().map(|r| drlint::source::normalize(&r.chart_dir)).collect();
        let objects = rr.resources.iter().filter(|r| r.deployed && charts.iter().any(|c| drlint::source::normalize(&ws.db.get(r.file).real_path).starts_with(c))).count();
        if found + releases > 0 {
            eprintln!("{name}: {found} charts found, {releases} releases ({deployed} with values drlint knows), {rendered} rendered, {identical} identical to helm, {both_refuse} refused by both, {objects} objects from templates on disk");
        }
    }
    for d in refused.iter().chain(&diffs) {
        eprintln!("  {d}");
    }
    if compared > 0 {
        assert!(agree * 100 >= compared * 95, "only {agree} of {compared} releases agree with Helm:\n{}", diffs.join("\n"));
    }
}
