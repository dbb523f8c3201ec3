//! The `terreno` command line (see `terreno_app::cli`).
fn main() -> std::process::ExitCode {
    terreno_app::cli::main()
}
