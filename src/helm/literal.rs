//! A stand-in for the template engine, for templates with no template action at all: such a
//! template renders to its own text, so a chart made only of literal manifests (a PVC, a Velero
//! Schedule written out in full) can be checked before, or without, the engine. The deploy side
//! calls it only when `render_chart` fails; templates that hold `{{` are left to the engine and
//! named in a note.

use super::{ChartRender, HelmError, HelmNote, LineOrigin, RenderedManifest};
use std::path::Path;

/// Render the chart's templates that hold no `{{`, each line coming from the same template line.
/// Files under `templates/` whose names start with `_` (helpers), `NOTES.txt` and `tests/` are
/// not manifests, as in Helm; templates are visited in path order (Helm sorts by kind on output,
/// which the index does not depend on).
pub fn render_chart(chart_dir: &Path) -> Result<ChartRender, HelmError> {
    let chart_yaml = chart_dir.join("Chart.yaml");
    let chart = crate::source::read_text(&chart_yaml).map_err(|e| HelmError { file: chart_yaml.clone(), line: 1, message: e })?;
    let name = chart
        .lines()
        .find_map(|l| l.strip_prefix("name:"))
        .map(|n| n.trim().trim_matches(['"', '\'']).to_string())
        .filter(|n| !n.is_empty())
        .ok_or_else(|| HelmError { file: chart_yaml.clone(), line: 1, message: "Chart.yaml has no `name`".into() })?;
    let templates = chart_dir.join("templates");
    let mut out = ChartRender::default();
    let mut files: Vec<_> = walkdir::WalkDir::new(&templates)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect();
    files.sort();
    for path in files {
        let rel = path.strip_prefix(&templates).unwrap_or(&path).to_string_lossy().replace('\\', "/");
        let file_name = path.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        if file_name.starts_with('_') || rel.starts_with("tests/") || file_name == "NOTES.txt" {
            continue;
        }
        if !(file_name.ends_with(".yaml") || file_name.ends_with(".yml") || file_name.ends_with(".tpl")) {
            continue;
        }
        let Ok(text) = crate::source::read_text(&path) else { continue };
        if let Some(i) = text.lines().position(|l| l.contains("{{")) {
            let column = text.lines().nth(i).and_then(|l| l.find("{{")).unwrap_or(0) + 1;
            out.notes.push(HelmNote { file: path.clone(), line: i + 1, column, message: "this template holds template actions, which the literal renderer does not run; not rendered".into(), fatal: false });
            continue;
        }
        let lines = (1..=text.lines().count()).map(|line| LineOrigin { file: path.clone(), line }).collect();
        let kind = text.lines().find_map(|l| l.strip_prefix("kind:")).map(|k| k.trim().to_string()).unwrap_or_default();
        out.manifests.push(RenderedManifest { source: format!("{name}/templates/{rel}"), template_path: path, text, lines, values: Vec::new(), hook: None, kind });
    }
    Ok(out)
}
