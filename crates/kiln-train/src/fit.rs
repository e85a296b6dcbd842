//! The training loop: the lecture's recipe by default (SGD with momentum, L2 weight decay, a
//! learning-rate schedule) or the optimiser, clipping, warm-up and early stopping asked for, a
//! validation split held out from the training set, seeded augmentation, and a checkpoint
//! after every epoch from which a run resumes exactly.

use std::ops::ControlFlow;
use std::time::Instant;

use burn::module::Module;
use burn::tensor::Device;
use kiln_core::Model;
use kiln_data::{Source, SplitMix64, shuffled_indices};

use crate::checkpoint::{Checkpoint, Partial};
use crate::config::FitConfig;
use crate::confusion::ConfusionMatrix;
use crate::early_stop::Monitor;
use crate::error::{Action, FileError, FitError, file_error};
use crate::files::write_atomically;
use crate::lock::RunLock;
use crate::optim::warmup_factor;
use crate::plot::write_curves;
use crate::record::{EpochRecord, Progress};
use crate::settings::Settings;
use crate::step::{Evaluation, TestViews, TrainError, evaluate_predictions, train_step};

/// The device's seed for step `step` of the epoch seeded `epoch_seed`: reseeding every step
/// lets a run stopped mid-epoch continue with the draws it would have made.
fn step_seed(epoch_seed: u64, step: usize) -> u64 {
    SplitMix64::new(epoch_seed ^ ((step as u64) << 32)).next_u64()
}

/// The training and validation indices of a training set of `n` images: a seeded split, then
/// at most `limit` training images.
pub fn split_indices(
    n: usize,
    val_fraction: f64,
    seed: u64,
    limit: Option<usize>,
) -> (Vec<usize>, Vec<usize>) {
    let order = shuffled_indices(n, seed);
    let val = ((n as f64 * val_fraction).round() as usize).min(n.saturating_sub(1));
    let (val_part, train_part) = order.split_at(val);
    let train_len = limit.unwrap_or(train_part.len()).min(train_part.len());
    let mut val_part = val_part.to_vec();
    // A smoke run validates on as many images as it trains on, at most.
    val_part.truncate(train_len.max(1));
    (train_part[..train_len].to_vec(), val_part)
}

/// Evaluates `model` (inference mode) on the examples of `split` at `indices`.
pub fn evaluate_split<M: Model>(
    model: &M,
    split: &dyn Source,
    indices: &[usize],
    stats: (f32, f32),
    device: &Device,
) -> Result<Evaluation, TrainError> {
    let names: Vec<String> = (0..M::OUTPUT[2]).map(|c| c.to_string()).collect();
    let names: Vec<&str> = names.iter().map(String::as_str).collect();
    let views = TestViews::Plain;
    Ok(confusion_split(model, split, indices, stats, device, &names, views)?.0)
}

/// [`evaluate_split`] on the mean logits of `views` of each image, also counting the
/// confusion matrix over the model's classes, named `classes`.
pub fn confusion_split<M: Model>(
    model: &M,
    split: &dyn Source,
    indices: &[usize],
    stats: (f32, f32),
    device: &Device,
    classes: &[&str],
    views: TestViews,
) -> Result<(Evaluation, ConfusionMatrix), TrainError> {
    let mut matrix = ConfusionMatrix::new(classes);
    let mut total = Evaluation {
        loss: 0.0,
        correct: 0,
        total: 0,
    };
    for chunk in indices.chunks(500) {
        let (images, labels) = split.batch(chunk, stats, device)?;
        let truth: Vec<usize> = labels.to_data().iter::<i64>().map(|l| l as usize).collect();
        if let Some(&label) = truth.iter().find(|&&l| l >= classes.len()) {
            return Err(TrainError::Label {
                label,
                classes: classes.len(),
            });
        }
        let (e, predicted) = evaluate_predictions(model, images, labels, views)?;
        for (label, p) in truth.into_iter().zip(predicted) {
            matrix.add(label, p);
        }
        total.loss += e.loss * e.total as f32;
        total.correct += e.correct;
        total.total += e.total;
    }
    total.loss /= total.total.max(1) as f32;
    Ok((total, matrix))
}

/// Trains `M` on `train` (kiln's [`Split`](kiln_data::Split) or an application's own
/// [`Source`]) on an autodiff `device`, calling `progress` after every step and at
/// the end of every epoch. Writes a checkpoint and `metrics.csv` to
/// `config.out` after every epoch; with `config.resume` it continues from the checkpoint there.
/// Epoch `e` reseeds shuffling, augmentation and dropout from `seed + e`, so a resumed run
/// ends exactly where an uninterrupted one does.
///
/// `progress` stops the run by returning `ControlFlow::Break(())`: a checkpoint of the step
/// just taken is written (`epoch-NNNN-step-SSSSS`), and the result is [`FitError::Stopped`];
/// a run resumed from it continues the epoch there and ends as an uninterrupted one (each
/// step reseeds the device's random draws, dropout's, from the epoch's seed and its index). With early stopping the run ends when
/// validation stops improving, and the model returned is the best epoch's.
pub fn fit<M: Model + Module>(
    config: &FitConfig,
    train: &dyn Source,
    device: &Device,
    progress: &mut dyn FnMut(&Progress) -> ControlFlow<()>,
) -> Result<(M, Vec<EpochRecord>), FitError> {
    let _lock = RunLock::take(&config.out)?;
    let stats = train.pixel_stats().map_err(FitError::Data)?;
    let (train_idx, val_idx) =
        split_indices(train.len(), config.val_fraction, config.seed, config.limit);
    device.seed(config.seed);
    let mut model = M::init(device);
    let mut optimizer = config.optimizer.init(config.weight_decay, config.clip);
    let monitor = config.early_stop.map_or(Monitor::default(), |e| e.monitor);
    let stopped = |history: &[EpochRecord]| config.early_stop.and_then(|e| e.stopped(history));
    let mut state = Checkpoint::fresh(config);
    if config.resume
        && let Some(mut found) = Checkpoint::read(&config.out)?
    {
        let now = Settings::of(config);
        let differences = found
            .settings
            .as_ref()
            .map_or(Vec::new(), |was| was.differences(&now));
        if !differences.is_empty() && !config.allow_changes {
            return Err(FitError::Changed {
                out: config.out.clone(),
                differences,
            });
        }
        found.settings = Some(now);
        model = found.load_model(model)?;
        optimizer = found.load_optimizer(optimizer)?;
        state = found;
    }
    let mut lr = state.lr;
    for epoch in state.history.len() + 1..=config.epochs {
        if stopped(&state.history).is_some() {
            break;
        }
        let start = Instant::now();
        let epoch_seed = config.seed.wrapping_add(epoch as u64);
        // A checkpoint taken mid-epoch continues where it stopped.
        let resumed = state.partial.take().filter(|p| p.epoch == epoch);
        let mut rng = SplitMix64::new(resumed.as_ref().map_or(epoch_seed, |p| p.rng));
        let order: Vec<usize> = shuffled_indices(train_idx.len(), epoch_seed)
            .into_iter()
            .map(|i| train_idx[i])
            .collect();
        let batches: Vec<&[usize]> = order.chunks(config.batch_size).collect();
        let mut now = Progress {
            epoch,
            epochs: config.epochs,
            step: 0,
            steps: batches.len(),
            images: 0,
            loss: 0.0,
            accuracy: 0.0,
            data_seconds: 0.0,
            compute_seconds: 0.0,
            finished: None,
        };
        let (mut loss_sum, mut correct, mut earlier) = (0.0f64, 0usize, 0.0);
        if let Some(p) = resumed {
            (now.step, now.images, loss_sum, correct, earlier) =
                (p.step, p.images, p.loss_sum, p.correct, p.seconds);
            (now.data_seconds, now.compute_seconds) = (p.data_seconds, p.compute_seconds);
        }
        for batch in &batches[now.step.min(batches.len())..] {
            device.seed(step_seed(epoch_seed, now.step));
            let clock = Instant::now();
            let step_error = |source| FitError::Step {
                epoch,
                step: now.step + 1,
                source,
            };
            let (images, labels) = train
                .augmented_batch(batch, stats, &config.augment, &mut rng, device)
                .map_err(|e| step_error(e.into()))?;
            now.data_seconds += clock.elapsed().as_secs_f64();
            let clock = Instant::now();
            let step_lr = if epoch <= config.warmup {
                let step = (epoch - 1) * batches.len() + now.step;
                config.lr * warmup_factor(config.warmup, batches.len(), step)
            } else {
                let done = now.step as f64 / batches.len() as f64;
                let scheduled = epoch - 1 - config.warmup;
                state.schedule.within_epoch(config.lr, lr, scheduled, done)
            };
            let (next, e) = train_step(
                model,
                &mut optimizer,
                step_lr,
                images,
                labels,
                config.label_smoothing,
            )
            .map_err(step_error)?;
            now.compute_seconds += clock.elapsed().as_secs_f64();
            model = next;
            loss_sum += e.loss as f64 * e.total as f64;
            correct += e.correct;
            now.step += 1;
            now.images += e.total;
            now.loss = loss_sum / now.images as f64;
            now.accuracy = correct as f64 / now.images as f64;
            if progress(&now).is_break() {
                state.partial = Some(Partial {
                    epoch,
                    step: now.step,
                    loss_sum,
                    correct,
                    images: now.images,
                    seconds: earlier + start.elapsed().as_secs_f64(),
                    data_seconds: now.data_seconds,
                    compute_seconds: now.compute_seconds,
                    rng: rng.state(),
                });
                // burn keeps a running statistic's (batch norm's) last update aside until the
                // state is read; `valid` folds it in, in the state the model shares, so that
                // the checkpoint holds it (the end of an epoch does this by validating).
                drop(model.valid());
                state.write(&config.out, &model, &optimizer, monitor)?;
                return Err(FitError::Stopped {
                    epoch,
                    step: now.step,
                });
            }
        }
        let valid = model.valid();
        let step_error = |source| FitError::Step {
            epoch,
            step: batches.len(),
            source,
        };
        let val = evaluate_split(&valid, train, &val_idx, stats, device).map_err(step_error)?;
        let record = EpochRecord {
            epoch,
            lr,
            train_loss: now.loss,
            train_accuracy: now.accuracy,
            val_loss: val.loss as f64,
            val_accuracy: val.correct as f64 / val.total.max(1) as f64,
            seconds: earlier + start.elapsed().as_secs_f64(),
            data_seconds: now.data_seconds,
            compute_seconds: now.compute_seconds,
            images: now.images,
        };
        if epoch > config.warmup {
            let scheduled = epoch - 1 - config.warmup;
            lr = state
                .schedule
                .next_lr(config.lr, lr, scheduled, record.val_accuracy);
        }
        state.lr = lr;
        state.history.push(record);
        state.write(&config.out, &model, &optimizer, monitor)?;
        write_atomically(&config.out.join("metrics.csv"), &state.metrics_csv())?;
        let curves = config.out.join("curves.png");
        write_curves(&curves, &state.history)
            .map_err(|e| file_error(&curves, Action::Write, FileError::Figure(e)))?;
        now.finished = Some(record);
        if progress(&now).is_break() && epoch < config.epochs {
            return Err(FitError::Stopped {
                epoch: epoch + 1,
                step: 0,
            });
        }
    }
    if let Some(best) = stopped(&state.history) {
        model = Checkpoint::load_epoch(&config.out, best, model)?;
    }
    Ok((model, state.history))
}
