//! PyTorch's side of the bench: `pytorch_bench.py`, carried in the binary and run with
//! `python3`, so an installed `kiln` needs no source tree for it. One `python3` process stays
//! open for the whole sitting and measures one model or layer per request, so the bench can
//! alternate kiln's and PyTorch's timings of the same thing.

use std::error::Error;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

use super::Args;

/// The script, which answers `model NAME` and `layer C K SIDE STRIDE` requests with `RESULT`
/// and `LAYER` lines like kiln's rows, each answer ended by `END`.
const SCRIPT: &str = include_str!("pytorch_bench.py");

/// A running `pytorch_bench.py`.
pub struct Session {
    /// The `python3` process.
    child: Child,
    /// The script's standard input; `None` once closed.
    requests: Option<ChildStdin>,
    /// The script's standard output.
    answers: BufReader<ChildStdout>,
}

impl Session {
    /// Starts the script, or gives none (with a note) when `python3` cannot import torch.
    pub fn start(args: &Args) -> Result<Option<Self>, Box<dyn Error>> {
        let has_torch = Command::new("python3")
            .args(["-c", "import torch"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        if !has_torch {
            eprintln!(
                "PyTorch is not installed, so its rows are left out (`pip install torch` adds them)"
            );
            return Ok(None);
        }
        let mut child = Command::new("python3")
            .args(["-c", SCRIPT, "--steps", &args.steps.to_string()])
            .args(["--batch", &args.batch.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .map_err(|e| format!("cannot run python3: {e}"))?;
        let requests = child.stdin.take().expect("stdin is piped");
        let answers = BufReader::new(child.stdout.take().expect("stdout is piped"));
        let mut session = Session {
            child,
            requests: Some(requests),
            answers,
        };
        let mut ready = String::new();
        session.answers.read_line(&mut ready)?;
        if ready.trim() != "READY" {
            return Err(session.failure("did not start").into());
        }
        Ok(Some(session))
    }

    /// Sends one request and returns its answer's lines (without `END`).
    pub fn ask(&mut self, request: &str) -> Result<String, Box<dyn Error>> {
        let requests = self.requests.as_mut().expect("open until dropped");
        writeln!(requests, "{request}")?;
        requests.flush()?;
        let mut text = String::new();
        loop {
            let mut line = String::new();
            if self.answers.read_line(&mut line)? == 0 {
                return Err(self
                    .failure(&format!("stopped answering {request:?}"))
                    .into());
            }
            if line.trim_end() == "END" {
                break;
            }
            if let Some(error) = line.strip_prefix("ERROR") {
                return Err(format!("PyTorch's bench: {}", error.trim()).into());
            }
            eprint!("{line}");
            text.push_str(&line);
        }
        Ok(text)
    }

    /// What to say when the script is gone: its exit status, when it has one.
    fn failure(&mut self, what: &str) -> String {
        let status = self
            .child
            .try_wait()
            .ok()
            .flatten()
            .map_or("still running".to_string(), |s| s.to_string());
        format!("PyTorch's bench (python3 running pytorch_bench.py) {what} ({status})")
    }
}

impl Drop for Session {
    /// Closes the requests, so the script's loop ends, and waits for it.
    fn drop(&mut self) {
        drop(self.requests.take());
        let _ = self.child.wait();
    }
}
