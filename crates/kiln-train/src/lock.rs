//! One process per output directory: `out/lock` holds the id of the process writing there,
//! so a second run started on the same `--out` refuses instead of interleaving checkpoints.
//! Within the process the lock is shared (the command takes it before writing `run.json`,
//! and [`fit`](crate::fit) takes it again); a lock left by a process that no longer runs
//! (killed) is taken over.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use crate::error::{Action, FitError, io_error};

/// The lock file's name in a run's directory.
const LOCK: &str = "lock";

/// The lock files this process holds, with how many [`RunLock`]s share each.
static HELD: Mutex<BTreeMap<PathBuf, usize>> = Mutex::new(BTreeMap::new());

/// A held lock on a run's directory (`out/lock`), released when the last one of this process
/// is dropped.
#[derive(Debug)]
pub struct RunLock {
    path: PathBuf,
}

impl RunLock {
    /// Takes the lock of `out` (created if missing), or fails naming the process that holds
    /// it.
    pub fn take(out: &Path) -> Result<Self, FitError> {
        std::fs::create_dir_all(out).map_err(io_error(out, Action::Write))?;
        let dir = std::fs::canonicalize(out).map_err(io_error(out, Action::Read))?;
        let path = dir.join(LOCK);
        let mut held = HELD.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(count) = held.get_mut(&path) {
            *count += 1;
            return Ok(Self { path });
        }
        loop {
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(mut file) => {
                    write!(file, "{}", std::process::id())
                        .map_err(io_error(&path, Action::Write))?;
                    held.insert(path.clone(), 1);
                    return Ok(Self { path });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let text = std::fs::read_to_string(&path).unwrap_or_default();
                    match text.trim().parse::<u32>() {
                        Ok(pid) if running(pid) => {
                            return Err(FitError::Locked {
                                out: out.to_path_buf(),
                                pid,
                            });
                        }
                        // A dead process's lock (or a half-written one): take it over.
                        _ => {
                            std::fs::remove_file(&path).map_err(io_error(&path, Action::Remove))?
                        }
                    }
                }
                Err(e) => return Err(io_error(&path, Action::Write)(e)),
            }
        }
    }
}

impl Drop for RunLock {
    fn drop(&mut self) {
        let mut held = HELD.lock().unwrap_or_else(|e| e.into_inner());
        let count = held.entry(self.path.clone()).or_insert(1);
        *count -= 1;
        if *count == 0 {
            held.remove(&self.path);
            // Nothing to report if it is already gone.
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Whether process `pid` runs; without `/proc` (not Linux) every process is taken to run, so
/// a stale lock must be removed by hand, as the error says.
fn running(pid: u32) -> bool {
    let proc = Path::new("/proc");
    !proc.is_dir() || proc.join(pid.to_string()).exists()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::report;

    #[test]
    fn another_process_s_run_is_refused_and_a_dead_process_s_lock_is_taken_over() {
        let out = tempfile::tempdir().unwrap();
        let lock = out.path().join(LOCK);
        let held = RunLock::take(out.path()).unwrap();
        assert_eq!(
            std::fs::read_to_string(&lock).unwrap(),
            std::process::id().to_string()
        );
        // Shared within the process: released when the last holder drops it.
        let again = RunLock::take(out.path()).unwrap();
        drop(held);
        assert!(lock.exists(), "still held");
        drop(again);
        assert!(!lock.exists(), "released");

        // Process 1 (init) always runs: its lock is respected.
        std::fs::write(&lock, "1").unwrap();
        let refused = report(&RunLock::take(out.path()).unwrap_err());
        assert!(refused.contains("process 1 is writing to"), "{refused}");
        assert!(
            refused.contains(&out.path().display().to_string()),
            "{refused}"
        );
        assert_eq!(std::fs::read_to_string(&lock).unwrap(), "1", "left alone");

        // A process that has exited leaves its lock behind; so does a torn write.
        for stale in ["dead", ""] {
            let text = if stale == "dead" {
                let mut child = std::process::Command::new("true").spawn().unwrap();
                let pid = child.id();
                child.wait().unwrap();
                pid.to_string()
            } else {
                stale.to_string()
            };
            std::fs::write(&lock, text).unwrap();
            let taken = RunLock::take(out.path()).unwrap();
            assert_eq!(
                std::fs::read_to_string(&lock).unwrap(),
                std::process::id().to_string()
            );
            drop(taken);
        }
    }
}
