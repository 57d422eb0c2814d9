//! `values.schema.json`: Helm validates each chart's coalesced values against its schema and
//! refuses the release when they do not match. The messages name the path and the schema
//! keyword, never the value (values may hold secrets).

use crate::helm::HelmNote;
use crate::helm::chart::Chart;
use crate::helm::funcs::yaml::to_json;
use crate::helm::value::Value;

/// Problems with `values` (the chart's own section, globals included) under `chart`'s schema.
pub fn check(chart: &Chart, values: &Value, notes: &mut Vec<HelmNote>) {
    let Some(bytes) = &chart.schema else { return };
    let file = chart.dir.join("values.schema.json");
    let schema: serde_json::Value = match serde_json::from_slice(bytes) {
        Ok(s) => s,
        Err(e) => {
            notes.push(HelmNote { file, line: e.line(), column: e.column(), message: format!("values.schema.json is not JSON: {e}"), fatal: true });
            return;
        }
    };
    let validator = match jsonschema::options().with_pattern_options(jsonschema::PatternOptions::regex()).should_validate_formats(false).build(&schema) {
        Ok(v) => v,
        Err(e) => {
            notes.push(HelmNote { file, line: 1, column: 1, message: format!("values.schema.json is not a usable schema: {}", e.kind().keyword()), fatal: false });
            return;
        }
    };
    let Ok(instance) = serde_json::from_str::<serde_json::Value>(&to_json(values)) else { return };
    let mut problems: Vec<String> = validator
        .iter_errors(&instance)
        .map(|e| {
            let at = e.instance_path().as_str().to_string();
            format!("at '{}': the value breaks `{}`", if at.is_empty() { "/" } else { &at }, e.kind().keyword())
        })
        .collect();
    problems.sort();
    problems.dedup();
    if !problems.is_empty() {
        notes.push(HelmNote {
            file,
            line: 1,
            column: 1,
            message: format!("values don't meet the specifications of the schema in chart {}: {}", chart.name, problems.join("; ")),
            fatal: true,
        });
    }
}
