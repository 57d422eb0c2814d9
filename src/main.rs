// mimalloc rather than the system allocator: a run allocates and frees millions of small YAML
// nodes, and glibc's free (malloc_consolidate) took a tenth of a 50,000-object run in `perf`
// (scripts/bench-scale.sh measures the difference).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc v3's `mi_option_purge_delay` (`include/mimalloc.h`), which libmimalloc-sys names no
/// constant for.
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() {
    // Give freed memory back to the system at once instead of 10 ms later: parsed trees and
    // rendered copies are freed while the run goes on, and the delay kept them resident
    // (webgrip's peak 71 MB with it, 62 MB without; no slower in scripts/bench-scale.sh).
    // SAFETY: sets a plain option value; mimalloc reads it when it next purges.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, 0) };
    std::process::exit(drlint::cli::run());
}
