//! kiln's command line: `cargo xtask <command>`.
//!
//! - `cargo xtask test`: installs what the tests need (Debian packages, when run as root) and
//!   runs formatting, clippy and the whole test suite.
//! - `cargo xtask train`: trains the Fashion-MNIST example on the real data (optimised build).

use std::process::{Command, ExitCode};

/// Debian packages the tests and the default training job read: the Fashion-MNIST IDX files
/// and Mesa's Vulkan drivers (lavapipe, wgpu's CPU adapter).
const PACKAGES: [&str; 2] = ["dataset-fashion-mnist", "mesa-vulkan-drivers"];

fn run(program: &str, args: &[&str]) -> Result<(), String> {
    eprintln!("$ {program} {}", args.join(" "));
    let status = Command::new(program)
        .args(args)
        .status()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{program} {} failed: {status}", args.join(" ")))
    }
}

fn installed(package: &str) -> bool {
    Command::new("dpkg")
        .args(["-s", package])
        .output()
        .is_ok_and(|out| {
            out.status.success()
                && String::from_utf8_lossy(&out.stdout).contains("Status: install ok installed")
        })
}

/// Installs the missing [`PACKAGES`] with apt-get when running as root, else says what to run.
fn ensure_packages() -> Result<(), String> {
    let missing: Vec<&str> = PACKAGES.into_iter().filter(|p| !installed(p)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0"));
    if !is_root {
        return Err(format!(
            "missing Debian packages; run: sudo apt-get install {}",
            missing.join(" ")
        ));
    }
    run("apt-get", &["update", "-qq"])?;
    let mut args = vec!["install", "-y", "-qq"];
    args.extend(&missing);
    run("apt-get", &args)
}

fn test() -> Result<(), String> {
    ensure_packages()?;
    run("cargo", &["fmt", "--all", "--check"])?;
    run(
        "cargo",
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
    )?;
    run("cargo", &["test", "--workspace"])
}

fn train(args: &[String]) -> Result<(), String> {
    ensure_packages()?;
    let mut command = vec!["run", "--release", "--example", "fashion_cnn", "--"];
    command.extend(args.iter().map(String::as_str));
    run("cargo", &command)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("test") => test(),
        Some("train") => train(&args[1..]),
        _ => Err(
            "usage: cargo xtask test | cargo xtask train [--epochs N] [--limit N] [--data DIR]"
                .to_string(),
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}
