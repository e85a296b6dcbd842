//! PyTorch's side of the bench: `pytorch_bench.py`, carried in the binary and run with
//! `python3`, so an installed `kiln` needs no source tree for it.

use std::error::Error;
use std::process::{Command, Stdio};

use super::Args;

/// The script, which prints `RESULT` and `LAYER` lines like kiln's rows.
const SCRIPT: &str = include_str!("pytorch_bench.py");

/// PyTorch's output lines, or none (with a note) when `python3` cannot import torch.
pub fn run(args: &Args) -> Result<String, Box<dyn Error>> {
    let has_torch = Command::new("python3")
        .args(["-c", "import torch"])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !has_torch {
        eprintln!(
            "PyTorch is not installed, so its rows are left out (`pip install torch` adds them)"
        );
        return Ok(String::new());
    }
    let mut command = Command::new("python3");
    command
        .args(["-", "--steps", &args.steps.to_string()])
        .args(["--batch", &args.batch.to_string()]);
    if args.no_layers {
        command.arg("--no-layers");
    }
    if args.no_models {
        command.arg("--no-models");
    }
    eprintln!("timing PyTorch (python3 running pytorch_bench.py)");
    let mut child = command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .map_err(|e| format!("cannot run python3: {e}"))?;
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().expect("stdin is piped");
        stdin.write_all(SCRIPT.as_bytes())?;
    }
    let out = child.wait_with_output()?;
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    eprint!("{text}");
    if !out.status.success() {
        return Err(format!("PyTorch's bench failed: {}", out.status).into());
    }
    Ok(text)
}
