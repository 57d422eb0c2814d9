//! The command line: `check`, `rules`, `explain`, `matrix`. `run` returns the process exit code:
//! 0 clean, 1 findings at or above the fail level, 2 usage, I/O or config errors.

use crate::diag::{self, Severity};
use crate::rules;
use crate::settings::{self, Settings};
use clap::{Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;

mod matrix;

#[derive(Parser, Debug)]
#[command(name = "drlint", version, about = "Prove, before a merge, that a GitOps repository's backups can be restored")]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Lint the manifests under PATH (default: the current directory)
    Check(CheckArgs),
    /// List every rule with its id, default severity and one line
    Rules {
        /// Output format
        #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
        format: RulesFormat,
    },
    /// List the GitOps entry points (Flux Kustomizations, Argo CD Applications, kustomization
    /// folders), what each renders, what it could not render and why
    Entrypoints {
        /// Folder to inspect
        #[arg(default_value = ".")]
        path: PathBuf,
    },
    /// Show a rule's page: what it finds, why it breaks a restore, examples, how to fix
    Explain {
        /// Rule id, e.g. cnpg-schedule-six-field
        rule: String,
    },
    /// Build a kustomization and print what `kubectl kustomize DIR` prints
    Render {
        /// Folder holding kustomization.yaml
        dir: PathBuf,
        /// Which files a kustomization may read: only below its own folder, or anywhere in the repository
        #[arg(long, value_enum, default_value_t = LoadRestrictorArg::LoadRestrictionsRootOnly)]
        load_restrictor: LoadRestrictorArg,
    },
    /// The backup matrix: every data store with its method, schedule, worst-case RPO, retention,
    /// destination, recovery method and restore drill
    Matrix(matrix::MatrixArgs),
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
#[value(rename_all = "verbatim")]
pub enum LoadRestrictorArg {
    LoadRestrictionsRootOnly,
    LoadRestrictionsNone,
}

#[derive(clap::Args, Debug)]
pub struct CheckArgs {
    /// Files or folders to check
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Output format
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Exit 1 when a finding is at or above this severity [default: warning, or the config's fail-level]
    #[arg(long, value_enum)]
    pub fail_level: Option<Level>,
    /// Config file [default: .drlint.yaml at the root of the first checked folder]
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Ignore any .drlint.yaml
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,
    /// Colour in human output
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Print nothing when there are no findings (human format)
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Rewrite what can be fixed in place (5-field CNPG schedules), print each change (to stderr
    /// for json and sarif), then report the remaining findings
    #[arg(long)]
    pub fix: bool,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Human,
    Gcc,
    Json,
    Sarif,
    Github,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum RulesFormat {
    Text,
    Json,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    Error,
    Warning,
    Note,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl From<Level> for Severity {
    fn from(l: Level) -> Severity {
        match l {
            Level::Error => Severity::Error,
            Level::Warning => Severity::Warning,
            Level::Note => Severity::Note,
        }
    }
}

/// Write to stdout; a closed pipe (`drlint explain x | head`) is not an error.
pub(crate) fn emit(text: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(text.as_bytes());
    let _ = stdout.flush();
}

/// Parse arguments and run. Returns the exit code.
pub fn run() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { 2 } else { 0 };
        }
    };
    match cli.command {
        Command::Check(args) => check(args),
        Command::Rules { format } => list_rules(format),
        Command::Explain { rule } => explain(&rule),
        Command::Entrypoints { path } => entrypoints(&path),
        Command::Render { dir, load_restrictor } => render(&dir, load_restrictor),
        Command::Matrix(args) => matrix::run(args),
    }
}

fn check(args: CheckArgs) -> i32 {
    for p in &args.paths {
        if !p.exists() {
            eprintln!("drlint: error: {}: no such file or directory", p.display());
            return 2;
        }
    }
    let settings = match load_settings(&args.paths, args.config.as_ref(), args.no_config) {
        Ok(s) => s,
        Err(code) => return code,
    };
    let mut report = crate::lint(&args.paths, &settings);
    let mut fix_failed = false;
    if args.fix {
        let (fixed, errors) = crate::fix::apply(&report.db, &report.diagnostics);
        for e in &errors {
            eprintln!("drlint: error: {e}");
        }
        // Machine formats keep stdout one valid document: the changes go to stderr there.
        let lines: String = fixed.iter().map(|f| f.line() + "\n").collect();
        if matches!(args.format, Format::Json | Format::Sarif) {
            eprint!("{lines}");
        } else {
            let mut stdout = std::io::stdout().lock();
            let _ = stdout.write_all(lines.as_bytes());
        }
        if !fixed.is_empty() {
            report = crate::lint(&args.paths, &settings);
        }
        fix_failed = !errors.is_empty();
    }
    let summary = diag::json::Summary { files: report.files, objects: report.objects, suppressed: report.suppressed };
    let out = match args.format {
        Format::Human => {
            let color = match args.color {
                ColorChoice::Always => true,
                ColorChoice::Never => false,
                ColorChoice::Auto => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
            };
            let mut s = diag::human::render(&report.db, &report.diagnostics, color);
            if !report.diagnostics.is_empty() || !args.quiet {
                s.push_str(&summary_line(&report));
            }
            s
        }
        Format::Gcc => diag::gcc::render(&report.db, &report.diagnostics),
        Format::Json => diag::json::render(&report.db, &report.diagnostics, &summary),
        Format::Sarif => diag::sarif::render(&report.db, &report.diagnostics),
        Format::Github => diag::github::render(&report.db, &report.diagnostics),
    };
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(out.as_bytes());
    let _ = stdout.flush();
    let fail_level: Severity = args.fail_level.map(Severity::from).or(settings.fail_level).unwrap_or(Severity::Warning);
    if fix_failed {
        return 2;
    }
    if report.diagnostics.iter().any(|d| d.severity >= fail_level) { 1 } else { 0 }
}

fn render(dir: &std::path::Path, restrictor: LoadRestrictorArg) -> i32 {
    use crate::kustomize::{self, LoadRestrictor, RenderOptions};
    if !dir.is_dir() {
        eprintln!("drlint: error: {}: not a folder", dir.display());
        return 2;
    }
    let load_restrictor = match restrictor {
        LoadRestrictorArg::LoadRestrictionsRootOnly => LoadRestrictor::RootOnly,
        LoadRestrictorArg::LoadRestrictionsNone => LoadRestrictor::None,
    };
    // The repository bound: the enclosing git checkout. Outside one, `render` reads what kubectl
    // would read (bases anywhere; the load restrictor still limits files to the kustomization
    // root); `check` keeps its own bound, the checked tree.
    let abs = crate::source::normalize(dir);
    let repo_root = abs
        .ancestors()
        .find(|a| a.join(".git").exists())
        .map(|p| p.to_path_buf())
        .unwrap_or_else(|| abs.ancestors().last().map(|p| p.to_path_buf()).unwrap_or_else(|| abs.clone()));
    let opts = RenderOptions { load_restrictor, repo_root };
    let mut db = crate::source::SourceDb::new();
    let rendered = kustomize::render(&mut db, dir, &opts);
    let mut stderr = std::io::stderr().lock();
    for d in &rendered.diagnostics {
        let loc = diag::locate(&db, d);
        let _ = writeln!(stderr, "{}:{}:{}: {}: {} [{}]", loc.path, loc.line, loc.column, d.severity.as_str(), d.message, d.rule);
    }
    if !rendered.ok {
        return 1;
    }
    let nodes: Vec<_> = rendered.objects.into_iter().map(|o| o.node).collect();
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(kustomize::to_yaml(&nodes).as_bytes());
    let _ = stdout.flush();
    0
}

/// The settings for a run: `--config`, else `.drlint.yaml` at the first checked folder, else
/// defaults. A config error is printed and becomes exit code 2.
pub(crate) fn load_settings(paths: &[PathBuf], config: Option<&PathBuf>, no_config: bool) -> Result<Settings, i32> {
    let config = if no_config { None } else { config.cloned().or_else(|| settings::find_config(paths)) };
    match &config {
        Some(path) => Settings::load(path).map_err(|e| {
            eprintln!("{e}");
            2
        }),
        None => Ok(Settings { root: paths.first().filter(|p| p.is_dir()).cloned().unwrap_or_else(|| PathBuf::from(".")), ..Settings::default() }),
    }
}

fn summary_line(report: &crate::Report) -> String {
    let count = |s: Severity| report.diagnostics.iter().filter(|d| d.severity == s).count();
    let plural = |n: usize, word: &str| format!("{n} {word}{}", if n == 1 { "" } else { "s" });
    let mut line = if report.diagnostics.is_empty() {
        "no findings".to_string()
    } else {
        format!("{}, {}, {}", plural(count(Severity::Error), "error"), plural(count(Severity::Warning), "warning"), plural(count(Severity::Note), "note"))
    };
    if report.suppressed > 0 {
        line.push_str(&format!(" ({} suppressed)", report.suppressed));
    }
    line.push_str(&format!(" in {} and {}\n", plural(report.files, "file"), plural(report.objects, "object")));
    line
}

fn entrypoints(path: &std::path::Path) -> i32 {
    if !path.exists() {
        eprintln!("drlint: error: {}: no such file or directory", path.display());
        return 2;
    }
    let settings = match settings::find_config(&[path.to_path_buf()]) {
        Some(cfg) => match Settings::load(&cfg) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("{e}");
                return 2;
            }
        },
        None => Settings { root: path.to_path_buf(), ..Settings::default() },
    };
    let (ws, repo) = crate::load_and_render(&[path.to_path_buf()], &settings);
    let mut eps = repo.entrypoints.clone();
    eps.sort_by(|a, b| (a.label.as_str(), a.declared_at).cmp(&(b.label.as_str(), b.declared_at)));
    let mut out = String::new();
    for ep in &eps {
        let (lc, _) = ws.db.line_col(ep.declared_at);
        let at = diag::display_path(&ws.db.get(ep.declared_at.file).path);
        out.push_str(&format!("{}\n  declared at {at}:{}\n", ep.label, lc.line));
        if ep.label.starts_with("Argo CD ApplicationSet") {
            out.push_str(&format!("  generates {} Application{}", ep.objects, if ep.objects == 1 { "" } else { "s" }));
        } else {
            out.push_str(&format!("  renders {} object{}", ep.objects, if ep.objects == 1 { "" } else { "s" }));
        }
        if ep.dirs.is_empty() {
            out.push('\n');
        } else {
            out.push_str(&format!(" from {}\n", ep.dirs.join(", ")));
        }
        for p in &ep.problems {
            out.push_str(&format!("  not rendered: {p}\n"));
        }
    }
    out.push_str(&format!("\n{} entry point{}", eps.len(), if eps.len() == 1 { "" } else { "s" }));
    if repo.unrendered_dirs.is_empty() {
        out.push_str("; every kustomization folder is rendered by one\n");
    } else {
        out.push_str(&format!("; kustomization folders rendered by no entry point (linted on their own): {}\n", repo.unrendered_dirs.join(", ")));
    }
    emit(&out);
    0
}

fn list_rules(format: RulesFormat) -> i32 {
    let all = rules::all();
    match format {
        RulesFormat::Text => {
            let width = all.iter().map(|r| r.meta().id.len()).max().unwrap_or(0);
            let mut out = String::new();
            for r in all {
                let m = r.meta();
                out.push_str(&format!("{:width$}  {:7}  {}\n", m.id, m.severity.as_str(), m.summary));
            }
            emit(&out);
        }
        RulesFormat::Json => {
            let v: Vec<serde_json::Value> = all
                .iter()
                .map(|r| {
                    let m = r.meta();
                    serde_json::json!({"id": m.id, "severity": m.severity.as_str(), "summary": m.summary,
                        "options": m.options.iter().map(|o| serde_json::json!({"name": o.name, "default": o.default, "doc": o.doc})).collect::<Vec<_>>()})
                })
                .collect();
            emit(&(serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"));
        }
    }
    0
}

fn explain(id: &str) -> i32 {
    match rules::find(id) {
        Some(r) => {
            let m = r.meta();
            let mut out = m.doc.to_string();
            if !out.ends_with('\n') {
                out.push('\n');
            }
            out.push_str(&format!("\nDefault severity: {}\n", m.severity.as_str()));
            for o in m.options {
                out.push_str(&format!("Option `{}` (default {}): {}\n", o.name, o.default, o.doc));
            }
            emit(&out);
            0
        }
        None => {
            eprintln!("drlint: error: unknown rule `{id}`{}; `drlint rules` lists them", settings::did_you_mean(id));
            2
        }
    }
}
