//! `drlint matrix [PATH ...] [--format md|json|csv]`: the backup matrix computed from the manifests.

use crate::model::matrix;
use clap::ValueEnum;
use std::io::Write;
use std::path::PathBuf;

#[derive(clap::Args, Debug)]
pub struct MatrixArgs {
    /// Files or folders to read
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Output format
    #[arg(long, short = 'f', value_enum, default_value_t = MatrixFormat::Md)]
    pub format: MatrixFormat,
    /// Config file, for RPO targets [default: .drlint.yaml at the root of the first folder]
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Ignore any .drlint.yaml
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum MatrixFormat {
    /// A Markdown table
    Md,
    /// `{"version": 1, "stores": [...]}`
    Json,
    /// RFC 4180 CSV with a header line
    Csv,
}

pub fn run(args: MatrixArgs) -> i32 {
    for p in &args.paths {
        if !p.exists() {
            eprintln!("drlint: error: {}: no such file or directory", p.display());
            return 2;
        }
    }
    let settings = match super::load_settings(&args.paths, args.config.as_ref(), args.no_config) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let (ws, index, repo) = crate::load_index(&args.paths, &settings);
    // The status of a store reflects what `drlint check` finds on it.
    let mut raised = ws.diagnostics.clone();
    raised.extend(repo.diagnostics.iter().cloned());
    let outcome = crate::engine::run(&ws.db, &index, &ws.texts, &ws.suppressions, &settings, raised, crate::engine::Scope { only: None, substituted: &repo.substituted });
    let rows = matrix::matrix(&index, &settings, Some(&ws.db), &outcome.diagnostics);
    let out = render(&rows, args.format);
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(out.as_bytes());
    let _ = stdout.flush();
    super::warn_changed(&ws.db);
    0
}

pub fn render(rows: &[matrix::Row], format: MatrixFormat) -> String {
    match format {
        MatrixFormat::Md => matrix::to_markdown(rows),
        MatrixFormat::Json => matrix::to_json(rows),
        MatrixFormat::Csv => matrix::to_csv(rows),
    }
}
