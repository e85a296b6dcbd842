//! How a training run shows its progress, and how Ctrl-C or SIGTERM stop it between steps.

use std::error::Error;
use std::ops::ControlFlow;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use indicatif::{ProgressBar, ProgressStyle};
use kiln::train::Progress;

/// A bar per epoch on a terminal (images/s, loss, accuracy, ETA), otherwise a plain line at
/// every tenth of an epoch; a line with the epoch's figures when it ends.
///
/// After SIGINT (Ctrl-C) or SIGTERM the reporter asks the run to stop after the step under
/// way, with a checkpoint of that step, from which `--resume` continues the epoch and ends
/// where an uninterrupted run would.
pub fn reporter(
    terminal: bool,
) -> Result<impl FnMut(&Progress) -> ControlFlow<()>, Box<dyn Error>> {
    let interrupted = Arc::new(AtomicBool::new(false));
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(signal, Arc::clone(&interrupted))?;
    }
    let style =
        ProgressStyle::with_template("epoch {prefix} {bar:30} {pos}/{len} steps, eta {eta} {msg}")?;
    let mut bar: Option<ProgressBar> = None;
    let mut show = move |p: &Progress| {
        if let Some(r) = &p.finished {
            println!(
                "epoch {:>3}  lr {:.4}  train loss {:.4} acc {:.2}%  val loss {:.4} acc {:.2}%  \
                 {:.0} s ({:.0} images/s; batches {:.1} s, steps {:.1} s)",
                r.epoch,
                r.lr,
                r.train_loss,
                100.0 * r.train_accuracy,
                r.val_loss,
                100.0 * r.val_accuracy,
                r.seconds,
                r.images_per_second(),
                r.data_seconds,
                r.compute_seconds,
            );
            return;
        }
        let figures = format!(
            "{:.0} images/s, loss {:.4}, accuracy {:.2}%",
            p.images_per_second(),
            p.loss,
            100.0 * p.accuracy
        );
        if !terminal {
            if p.step == p.steps || p.step.is_multiple_of((p.steps / 10).max(1)) {
                println!(
                    "epoch {}/{} step {}/{}: {figures}",
                    p.epoch, p.epochs, p.step, p.steps
                );
            }
            return;
        }
        let b = bar.get_or_insert_with(|| {
            ProgressBar::new(p.steps as u64)
                .with_style(style.clone())
                .with_prefix(format!("{}/{}", p.epoch, p.epochs))
        });
        b.set_position(p.step as u64);
        b.set_message(figures);
        if p.step == p.steps {
            b.finish();
            bar = None;
        }
    };
    Ok(move |p: &Progress| {
        show(p);
        if interrupted.load(Ordering::Relaxed) {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    })
}
