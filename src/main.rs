// mimalloc rather than the system allocator: a run allocates and frees millions of small YAML
// nodes, and glibc's free (malloc_consolidate) took a tenth of a 50,000-object run in `perf`
// (scripts/bench-scale.sh measures the difference).
#[global_allocator]
static GLOBAL: drlint::alloc::Allocator = drlint::alloc::Allocator;

fn main() {
    drlint::alloc::configure();
    std::process::exit(drlint::cli::run());
}
