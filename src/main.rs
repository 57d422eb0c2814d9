fn main() {
    std::process::exit(drlint::cli::run());
}
