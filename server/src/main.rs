//! `terreno-server`: parse the command line, set up logging, run, and turn an error into one
//! sentence on stderr with exit code 1 (clap answers bad usage with code 2 itself).

use clap::Parser;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = terreno_server::cli::Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("TERRENO_LOG").unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_writer(std::io::stderr)
        .init();
    match terreno_server::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("terreno-server: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
