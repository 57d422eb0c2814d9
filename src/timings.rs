//! Phase timings for benchmarks: with `DRLINT_TIMINGS` set, each pipeline stage prints how long it
//! took to standard error (`drlint: timing <phase> <ms> ms (resident <MB> MB)`). Off by default: the output a user
//! sees never depends on the clock.

use std::time::Instant;

/// A running phase; `done` prints its time when timings are on.
pub struct Phase {
    name: std::borrow::Cow<'static, str>,
    start: Option<Instant>,
}

fn enabled() -> bool {
    static ON: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ON.get_or_init(|| std::env::var_os("DRLINT_TIMINGS").is_some_and(|v| !v.is_empty()))
}

pub fn start(name: impl Into<std::borrow::Cow<'static, str>>) -> Phase {
    let start = enabled().then(Instant::now);
    Phase { name: if start.is_some() { name.into() } else { std::borrow::Cow::Borrowed("") }, start }
}

/// Run `f` as a phase named `name`.
pub fn timed<T>(name: &'static str, f: impl FnOnce() -> T) -> T {
    let phase = start(name);
    let out = f();
    phase.done();
    out
}

pub fn on() -> bool {
    enabled()
}

impl Phase {
    pub fn done(self) {
        if let Some(t) = self.start {
            eprintln!("drlint: timing {} {:.1} ms (resident {} MB)", self.name, t.elapsed().as_secs_f64() * 1e3, resident_mb());
        }
    }
}

/// Resident memory now and its peak so far, in MB, from /proc (Linux; 0 elsewhere): which stage
/// holds the memory, and which one's transient high is the run's peak.
fn resident_mb() -> String {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| -> u64 {
        let kb = status.lines().find_map(|l| l.strip_prefix(name)).and_then(|v| v.trim().trim_end_matches(" kB").parse::<u64>().ok());
        kb.unwrap_or(0) / 1024
    };
    format!("{}, peak {}", field("VmRSS:"), field("VmHWM:"))
}
