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
    /// List every rule with its id, default severity and one line, and the config's policies
    Rules {
        /// Output format
        #[arg(long, value_enum, default_value_t = RulesFormat::Text)]
        format: RulesFormat,
        /// Config file whose policies to list [default: the nearest .drlint.yaml]
        #[arg(long)]
        config: Option<PathBuf>,
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
        /// Rule id, e.g. cnpg-schedule-six-field, or the id of a policy of the config
        rule: String,
        /// Config file whose policies to look in [default: the nearest .drlint.yaml]
        #[arg(long)]
        config: Option<PathBuf>,
    },
    /// Build a kustomization and print what `kubectl kustomize DIR` prints; for a folder with
    /// Chart.yaml, print what `helm template NAME DIR -n NS -f FILE...` prints
    Render {
        /// Folder holding kustomization.yaml or Chart.yaml
        dir: PathBuf,
        /// Which files a kustomization may read: only below its own folder, or anywhere in the repository
        #[arg(long, value_enum, default_value_t = LoadRestrictorArg::LoadRestrictionsRootOnly)]
        load_restrictor: LoadRestrictorArg,
        /// Helm: a values file layered over the chart's values.yaml (repeatable, later wins)
        #[arg(long = "values", short = 'f')]
        values: Vec<PathBuf>,
        /// Helm: the release name
        #[arg(long, default_value = "release-name")]
        release: String,
        /// Helm: the release namespace
        #[arg(long, short = 'n', default_value = "default")]
        namespace: String,
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
    /// Files or folders to check (`-`: one YAML document stream on stdin). The whole repository
    /// holding them is read and rendered; only findings under these paths are reported
    #[arg(default_value = ".")]
    pub paths: Vec<PathBuf>,
    /// Output format
    #[arg(long, short = 'f', value_enum, default_value_t = Format::Human)]
    pub format: Format,
    /// Also write the findings in FORMAT to FILE (`sarif:drlint.sarif`, `junit:report.xml`; a
    /// FILE alone takes its format from the extension). Repeatable
    #[arg(long, short = 'o', value_name = "[FORMAT:]FILE")]
    pub output: Vec<String>,
    /// Exit 1 when a finding is at or above this severity [default: warning, or the config's fail-level]
    #[arg(long, value_enum)]
    pub fail_level: Option<Level>,
    /// Exit 0 even when findings are at or above the fail level (2 still means a usage or config error)
    #[arg(long)]
    pub exit_zero: bool,
    /// Config file [default: the nearest .drlint.yaml from the paths up to the repository root]
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// Ignore any .drlint.yaml
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,
    /// Hide the findings listed in this baseline file (written by --baseline-write); entries
    /// that match nothing any more are `unused-suppression` notes
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Write today's findings to FILE as a baseline and exit 0
    #[arg(long, value_name = "FILE", conflicts_with = "baseline")]
    pub baseline_write: Option<PathBuf>,
    /// Colour in human output (NO_COLOR and TERM=dumb turn it off, and give plain ASCII)
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Print nothing when there are no findings (human format)
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// Rewrite what can be fixed in place (5-field CNPG schedules), print each change (to stderr
    /// for every format but human), then report the remaining findings
    #[arg(long)]
    pub fix: bool,
    /// Lint every file as deployed, also those no entry point (Flux Kustomization, Argo CD
    /// Application) reaches; the same as `lint-undeployed: true` in the config
    #[arg(long)]
    pub all_files: bool,
    /// A folder of CustomResourceDefinition manifests whose kinds schema-violation validates, besides
    /// the bundled CRDs, those in the repository and the config's `schema.crd-dirs`. Repeatable
    #[arg(long, value_name = "DIR")]
    pub crd: Vec<PathBuf>,
    /// The bundled Kubernetes version whose schemas validate built-in kinds [default: the
    /// config's `schema.kubernetes-version`, else the newest bundled]
    #[arg(long, value_name = "VERSION")]
    pub kubernetes_version: Option<String>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Human,
    Gcc,
    Json,
    Sarif,
    Github,
    /// reviewdog's rdjsonl: one JSON diagnostic per line
    Rdjsonl,
    /// JUnit XML, one test case per finding
    Junit,
}

impl Format {
    /// `sarif` -> Sarif; for `--output FORMAT:FILE`.
    fn parse(name: &str) -> Option<Format> {
        <Format as ValueEnum>::from_str(name, true).ok()
    }

    /// The format a file name implies, for `--output FILE`.
    fn from_extension(path: &str) -> Option<Format> {
        let ext = path.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase())?;
        Some(match ext.as_str() {
            "sarif" => Format::Sarif,
            "json" => Format::Json,
            "jsonl" | "rdjsonl" => Format::Rdjsonl,
            "xml" => Format::Junit,
            "txt" | "gcc" => Format::Gcc,
            _ => return None,
        })
    }
}

/// One `--output` target.
struct OutputTarget {
    format: Format,
    path: PathBuf,
}

fn parse_outputs(specs: &[String]) -> Result<Vec<OutputTarget>, String> {
    specs
        .iter()
        .map(|spec| {
            if let Some((name, file)) = spec.split_once(':') {
                if let Some(format) = Format::parse(name) {
                    if file.is_empty() {
                        return Err(format!("--output {spec}: no file name after `{name}:`"));
                    }
                    return Ok(OutputTarget { format, path: PathBuf::from(file) });
                }
            }
            match Format::from_extension(spec) {
                Some(format) => Ok(OutputTarget { format, path: PathBuf::from(spec) }),
                None => Err(format!(
                    "--output {spec}: say the format, e.g. `sarif:{spec}` (formats: human, gcc, json, sarif, github, rdjsonl, junit)"
                )),
            }
        })
        .collect()
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
        Command::Rules { format, config } => match load_settings(&[PathBuf::from(".")], config.as_ref(), false) {
            Ok(settings) => list_rules(format, &settings),
            Err(code) => code,
        },
        Command::Explain { rule, config } => match load_settings(&[PathBuf::from(".")], config.as_ref(), false) {
            Ok(settings) => explain(&rule, &settings),
            Err(code) => code,
        },
        Command::Entrypoints { path } => entrypoints(&path),
        Command::Render { dir, load_restrictor, values, release, namespace } => {
            if dir.join("Chart.yaml").is_file() {
                render_helm(&dir, &values, release, namespace)
            } else {
                render(&dir, load_restrictor)
            }
        }
        Command::Matrix(args) => matrix::run(args),
    }
}

fn check(args: CheckArgs) -> i32 {
    let stdin = args.paths.iter().any(|p| p.as_os_str() == "-");
    for p in &args.paths {
        if p.as_os_str() != "-" && !p.exists() {
            eprintln!("drlint: error: {}: no such file or directory", p.display());
            return 2;
        }
    }
    let outputs = match parse_outputs(&args.output) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("drlint: error: {e}");
            return 2;
        }
    };
    // The context is the repository holding the paths (stdin is read on its own).
    let repo = if stdin {
        crate::scope::Repository { root: PathBuf::from("."), config: None }
    } else {
        crate::scope::find_repository(&args.paths)
    };
    let mut settings = match settings_for(&repo, args.config.as_ref(), args.no_config) {
        Ok(s) => s,
        Err(code) => return code,
    };
    settings.lint_undeployed |= args.all_files;
    for dir in &args.crd {
        if !dir.is_dir() {
            eprintln!("drlint: error: --crd {}: not a folder", dir.display());
            return 2;
        }
        settings.schema.crd_dirs.push(dir.clone());
    }
    if let Some(v) = &args.kubernetes_version {
        match crate::schema::kubernetes_version(v) {
            Ok(v) => settings.schema.kubernetes_version = Some(v),
            Err(e) => {
                eprintln!("drlint: error: --kubernetes-version: {e}");
                return 2;
            }
        }
    }
    let run = |settings: &Settings| if stdin { crate::lint(&args.paths, settings) } else { crate::lint_in(&repo.root, &args.paths, settings) };
    let mut report = run(&settings);
    let mut fix_failed = false;
    if args.fix {
        let outcome = crate::fix::apply(&report.db, &report.diagnostics, &report.substituted);
        for e in &outcome.errors {
            eprintln!("drlint: error: {e}");
        }
        // Only the human report shares stdout with the changes: every other format keeps stdout
        // one document (or one finding per line) that tools parse.
        let lines: String = outcome.fixed.iter().map(|f| f.line() + "\n").chain(outcome.skipped.iter().map(|s| s.clone() + "\n")).collect();
        if args.format == Format::Human {
            let mut stdout = std::io::stdout().lock();
            let _ = stdout.write_all(lines.as_bytes());
        } else {
            eprint!("{lines}");
        }
        if !outcome.fixed.is_empty() {
            report = run(&settings);
        }
        fix_failed = !outcome.errors.is_empty();
    }
    if let Some(path) = &args.baseline_write {
        let text = crate::baseline::to_text(&report.db, &report.diagnostics, &repo.root);
        if let Err(e) = std::fs::write(path, text) {
            eprintln!("drlint: error: {}: cannot write the baseline: {e}", path.display());
            return 2;
        }
        warn_changed(&report.db);
        eprintln!("drlint: wrote {} finding{} to the baseline {}", report.diagnostics.len(), if report.diagnostics.len() == 1 { "" } else { "s" }, path.display());
        return 0;
    }
    if let Some(path) = &args.baseline {
        match crate::baseline::apply(&mut report, path, &repo.root, &args.paths, &settings) {
            Ok(n) => report.baselined = n,
            Err(e) => {
                eprintln!("drlint: error: {e}");
                return 2;
            }
        }
    }
    if report.files == 0 && !stdin {
        let shown: Vec<String> = args.paths.iter().map(|p| p.display().to_string()).collect();
        eprintln!("drlint: note: no YAML file under {}: nothing was checked", shown.join(", "));
    }
    let fail_level: Severity = args.fail_level.map(Severity::from).or(settings.fail_level).unwrap_or(Severity::Warning);
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => std::io::stdout().is_terminal() && !plain_terminal(),
    };
    let out = render_report(args.format, &report, fail_level, color, args.quiet, std::io::stdout().is_terminal());
    let mut stdout = std::io::stdout().lock();
    let _ = stdout.write_all(out.as_bytes());
    let _ = stdout.flush();
    for o in &outputs {
        let text = render_report(o.format, &report, fail_level, false, false, false);
        if let Err(e) = std::fs::write(&o.path, text) {
            eprintln!("drlint: error: {}: cannot write: {e}", o.path.display());
            return 2;
        }
    }
    warn_changed(&report.db);
    if fix_failed {
        return 2;
    }
    if !args.exit_zero && report.diagnostics.iter().any(|d| d.severity >= fail_level) { 1 } else { 0 }
}

/// Files are read again to locate and show findings (`SourceDb::release_texts`): say which had
/// changed by then.
pub(crate) fn warn_changed(db: &crate::source::SourceDb) {
    for f in db.changed_since_read() {
        eprintln!("drlint: warning: {} changed while drlint ran: the locations of its findings may be off", f.path.display());
    }
}

/// `NO_COLOR` (https://no-color.org) or `TERM=dumb`: no colour and plain ASCII drawing.
fn plain_terminal() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) || std::env::var("TERM").is_ok_and(|t| t == "dumb")
}

/// One report in one format. `terminal`: human prose is wrapped to the terminal's width.
fn render_report(format: Format, report: &crate::Report, fail_level: Severity, color: bool, quiet: bool, terminal: bool) -> String {
    let summary = diag::json::Summary { files: report.files, objects: report.objects, suppressed: report.suppressed };
    match format {
        Format::Human => {
            let style = diag::human::Style { color, ascii: plain_terminal(), width: if terminal { diag::human::terminal_width() } else { None } };
            let mut s = diag::human::render(&report.db, &report.diagnostics, &style);
            if !report.diagnostics.is_empty() || !quiet {
                s.push_str(&summary_line(report));
            }
            s
        }
        Format::Gcc => diag::gcc::render(&report.db, &report.diagnostics),
        Format::Json => diag::json::render(&report.db, &report.diagnostics, &summary),
        Format::Sarif => diag::sarif::render(&report.db, &report.diagnostics, &report.policies),
        Format::Github => diag::github::render(&report.db, &report.diagnostics),
        Format::Rdjsonl => diag::rdjsonl::render(&report.db, &report.diagnostics),
        Format::Junit => diag::junit::render(&report.db, &report.diagnostics, fail_level),
    }
}

/// `helm template`: notes on stderr (file:line: note: message), the documents on stdout.
fn render_helm(dir: &std::path::Path, values: &[PathBuf], name: String, namespace: String) -> i32 {
    let mut opts = crate::helm::ReleaseOptions { name, namespace, ..Default::default() };
    for f in values {
        let text = match crate::source::read_text(f) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("drlint: error: {}: {e}", f.display());
                return 2;
            }
        };
        let parsed = crate::source::yaml::parse(crate::source::FileId(0), &text);
        if let Some(i) = parsed.issues.iter().find(|i| i.refused()) {
            eprintln!("drlint: error: {}: {}", f.display(), i.message);
            return 2;
        }
        opts.values.extend(parsed.documents.into_iter().filter_map(|d| d.root));
    }
    match crate::helm::render_chart(dir, &opts) {
        Ok(r) => {
            for n in &r.notes {
                eprintln!("{}:{}:{}: note: {}", n.file.display(), n.line, n.column, n.message);
            }
            let mut stdout = std::io::stdout().lock();
            let _ = stdout.write_all(crate::helm::print_template(&r).as_bytes());
            let _ = stdout.flush();
            if r.notes.iter().any(|n| n.fatal) { 1 } else { 0 }
        }
        Err(e) => {
            eprintln!("{}:{}: error: {}", e.file.display(), e.line, e.message);
            1
        }
    }
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

/// The settings for a run over `paths`: `--config`, else the nearest `.drlint.yaml` from the paths
/// up to the repository root, else defaults anchored at the repository root. A config error is
/// printed and becomes exit code 2.
pub(crate) fn load_settings(paths: &[PathBuf], config: Option<&PathBuf>, no_config: bool) -> Result<Settings, i32> {
    settings_for(&crate::scope::find_repository(paths), config, no_config)
}

fn settings_for(repo: &crate::scope::Repository, config: Option<&PathBuf>, no_config: bool) -> Result<Settings, i32> {
    let config = if no_config { None } else { config.cloned().or_else(|| repo.config.clone()) };
    match &config {
        Some(path) => Settings::load(path).map_err(|e| {
            eprintln!("{e}");
            2
        }),
        None => Ok(Settings { root: repo.root.clone(), ..Settings::default() }),
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
    if report.baselined > 0 {
        line.push_str(&format!(" ({} in the baseline)", report.baselined));
    }
    line.push_str(&format!(" in {} and {}\n", plural(report.files, "file"), plural(report.objects, "object")));
    line
}

fn entrypoints(path: &std::path::Path) -> i32 {
    if !path.exists() {
        eprintln!("drlint: error: {}: no such file or directory", path.display());
        return 2;
    }
    let settings = match load_settings(&[path.to_path_buf()], None, false) {
        Ok(s) => s,
        Err(code) => return code,
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

/// The built-in rules, then the config's policies (marked as such).
fn list_rules(format: RulesFormat, settings: &Settings) -> i32 {
    let all: Vec<(&'static rules::RuleMeta, bool)> =
        rules::all().iter().map(|r| (r.meta(), false)).chain(settings.policies.iter().map(|p| (p.meta, true))).collect();
    match format {
        RulesFormat::Text => {
            let width = all.iter().map(|(m, _)| m.id.len()).max().unwrap_or(0);
            let mut out = String::new();
            for (m, policy) in &all {
                let from = if *policy { "[policy from the config] " } else { "" };
                out.push_str(&format!("{:width$}  {:7}  {from}{}\n", m.id, m.severity.as_str(), m.summary));
            }
            emit(&out);
        }
        RulesFormat::Json => {
            let v: Vec<serde_json::Value> = all
                .iter()
                .map(|(m, policy)| {
                    serde_json::json!({"id": m.id, "severity": m.severity.as_str(), "summary": m.summary,
                        "source": if *policy { "config" } else { "built-in" },
                        "options": m.options.iter().map(|o| serde_json::json!({"name": o.name, "default": o.default, "doc": o.doc})).collect::<Vec<_>>()})
                })
                .collect();
            emit(&(serde_json::to_string_pretty(&v).unwrap_or_default() + "\n"));
        }
    }
    0
}

fn explain(id: &str, settings: &Settings) -> i32 {
    match settings.rule_meta(&id.trim().to_ascii_lowercase()) {
        Some(m) => {
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
