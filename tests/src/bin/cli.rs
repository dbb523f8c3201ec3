//! The `terreno` CLI, built inside this package for the end-to-end tests.
fn main() -> std::process::ExitCode {
    terreno_app::cli::main()
}
