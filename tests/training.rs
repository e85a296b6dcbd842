//! The training loop on the vendored Fashion-MNIST: a smoke run, resuming from a checkpoint to
//! the same metrics as an uninterrupted run (after a stop asked for by the progress callback,
//! and with AdamW, clipping and warm-up), early stopping with the best epoch's weights, and a
//! diverging run stopped with the step named; an application's own data source; checkpoint
//! writes that fail (a full disk, a directory that cannot be made) and keep the last one.

use std::ops::ControlFlow;
use std::sync::atomic::{AtomicBool, Ordering};

use kiln::Model;
use kiln::burn::module::Module;
use kiln::burn::tensor::Device;
use kiln::data::{Augment, DataError, Dataset, ImageSize, Source, Split, fashion_mnist_dir};
use kiln::models::FashionCnn;
use kiln::train::{
    Clip, EarlyStop, EpochRecord, FitConfig, FitError, Monitor, Optimizer, Plateau, Progress,
    Schedule, TestViews, TrainError, evaluate_predictions, evaluate_split, fit, load_weights,
    read_history, resolve_checkpoint, split_indices,
};

fn config(out: &std::path::Path, epochs: usize) -> FitConfig {
    FitConfig {
        epochs,
        batch_size: 64,
        lr: 0.05,
        optimizer: Optimizer::SGD,
        weight_decay: 5e-4,
        clip: None,
        warmup: 0,
        label_smoothing: Some(0.1),
        schedule: Schedule::Plateau(Plateau::new(0)),
        early_stop: None,
        val_fraction: 0.1,
        seed: 7,
        augment: Augment {
            max_shift: 2,
            max_degrees: 5.0,
            max_scale: 0.05,
            flip: true,
        },
        limit: Some(256),
        out: out.to_path_buf(),
        resume: false,
        allow_changes: false,
    }
}

/// burn's random state belongs to the device, which the tests of this file share: they take
/// turns, or one test's seeding would shift the other's draws.
static DEVICE: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn train(config: &FitConfig) -> Result<Vec<EpochRecord>, FitError> {
    let continue_always = &mut |_: &Progress| ControlFlow::Continue(());
    Ok(train_model(config, continue_always)?.1)
}

/// The model and history `fit` returns, with `progress` called as it goes.
fn train_model(
    config: &FitConfig,
    progress: &mut dyn FnMut(&Progress) -> ControlFlow<()>,
) -> Result<(FashionCnn, Vec<EpochRecord>), FitError> {
    let _turn = DEVICE.lock().unwrap_or_else(|e| e.into_inner());
    let data = Dataset::mnist(&fashion_mnist_dir()).expect("the vendored data");
    let device = Device::flex().autodiff();
    fit::<FashionCnn>(config, &data.train, &device, progress)
}

/// The records without their timings.
fn figures(history: &[EpochRecord]) -> Vec<[f64; 6]> {
    history
        .iter()
        .map(|r| {
            [
                r.epoch as f64,
                r.lr,
                r.train_loss,
                r.train_accuracy,
                r.val_loss,
                r.val_accuracy,
            ]
        })
        .collect()
}

#[test]
fn a_resumed_run_ends_with_the_metrics_of_an_uninterrupted_one() {
    let whole = tempfile::tempdir().unwrap();
    let uninterrupted = train(&config(whole.path(), 3)).unwrap();
    assert_eq!(uninterrupted.len(), 3);
    assert!(uninterrupted.iter().all(|r| r.train_loss.is_finite()));
    let csv = std::fs::read_to_string(whole.path().join("metrics.csv")).unwrap();
    assert_eq!(csv.lines().count(), 4, "{csv}");
    assert_eq!(csv.lines().next(), Some(EpochRecord::CSV_HEADER));
    let last = std::fs::read_to_string(whole.path().join("last")).unwrap();
    assert_eq!(last, "epoch-0003");
    let kept = std::fs::read_dir(whole.path())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .starts_with("epoch-")
        })
        .count();
    assert!(kept <= 2, "only the last and the best checkpoints stay");

    let parts = tempfile::tempdir().unwrap();
    let first = train(&config(parts.path(), 1)).unwrap();
    assert_eq!(figures(&first), figures(&uninterrupted[..1]));
    // A resume reads the checkpoint's state.json, never metrics.csv, which it rewrites.
    std::fs::remove_file(parts.path().join("metrics.csv")).unwrap();
    let mut rest = config(parts.path(), 3);
    rest.resume = true;
    let resumed = train(&rest).unwrap();
    assert_eq!(figures(&resumed), figures(&uninterrupted));
    let csv = std::fs::read_to_string(parts.path().join("metrics.csv")).unwrap();
    assert_eq!(csv.lines().count(), 4, "{csv}");
}

#[test]
fn a_diverging_run_names_the_epoch_and_step() {
    let out = tempfile::tempdir().unwrap();
    let mut diverging = config(out.path(), 3);
    diverging.lr = 1e20;
    diverging.weight_decay = 0.0;
    let err = train(&diverging).unwrap_err();
    let FitError::Step {
        epoch,
        step,
        source,
    } = &err
    else {
        panic!("{err}");
    };
    assert!(matches!(source, TrainError::NonFiniteLoss(_)), "{err}");
    let text = err.to_string();
    assert!(
        text.contains(&format!("epoch {epoch}, step {step}")),
        "{text}"
    );
    // The checkpoint of the epoch before the one that diverged is what remains.
    let last = std::fs::read_to_string(out.path().join("last")).ok();
    assert_eq!(
        last,
        (*epoch > 1).then(|| format!("epoch-{:04}", epoch - 1))
    );
}

/// Flip views predict from the mean of an image's logits and its mirror image's: the same
/// predictions and loss for an image and its mirror image, and the argmax of the mean of the
/// two plain forward passes.
#[test]
fn flip_views_average_an_image_and_its_mirror_image() {
    let _turn = DEVICE.lock().unwrap_or_else(|e| e.into_inner());
    let data = Dataset::mnist(&fashion_mnist_dir()).expect("the vendored data");
    let device = Device::flex();
    let model = FashionCnn::init(&device);
    let indices: Vec<usize> = (0..16).collect();
    let (images, labels) = data
        .test
        .batch(&indices, data.train.pixel_stats().unwrap(), &device)
        .unwrap();
    let mirrored = images.clone().flip([3]);
    let views = |images, views| {
        evaluate_predictions(&model, images, labels.clone(), views).expect("evaluates")
    };
    let (flip, predicted) = views(images.clone(), TestViews::Flip);
    let (flip_mirrored, predicted_mirrored) = views(mirrored.clone(), TestViews::Flip);
    assert_eq!(predicted, predicted_mirrored);
    assert!(
        (flip.loss - flip_mirrored.loss).abs() < 1e-5,
        "{flip:?} vs {flip_mirrored:?}"
    );

    let logits = |x| model.forward_tensor(x).expect("28×28×1").reshape([16, 10]);
    let mean = (logits(images.clone()) + logits(mirrored)) / 2.0;
    let expected: Vec<usize> = mean
        .argmax(1)
        .into_data()
        .convert::<i64>()
        .try_into_vec::<i64>()
        .unwrap()
        .into_iter()
        .map(|c| c as usize)
        .collect();
    assert_eq!(predicted, expected);
    let (plain, _) = views(images, TestViews::Plain);
    assert_ne!(
        plain.loss, flip.loss,
        "the plain views are one forward pass"
    );
}

#[test]
fn a_run_stopped_by_its_callback_resumes_to_the_uninterrupted_metrics() {
    let whole = tempfile::tempdir().unwrap();
    let uninterrupted = train(&config(whole.path(), 3)).unwrap();

    let parts = tempfile::tempdir().unwrap();
    let mut stop_in_epoch_2 = |p: &Progress| {
        if p.epoch == 2 && p.step == 2 {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    };
    let err = train_model(&config(parts.path(), 3), &mut stop_in_epoch_2).unwrap_err();
    assert!(
        matches!(err, FitError::Stopped { epoch: 2, step: 2 }),
        "{err}"
    );
    assert!(err.to_string().contains("resume to continue"), "{err}");
    // A checkpoint of the step: the run continues epoch 2 from it.
    let last = std::fs::read_to_string(parts.path().join("last")).unwrap();
    assert_eq!(last, "epoch-0002-step-00002");
    assert_eq!(read_history(parts.path()).unwrap().len(), 1);
    let mut rest = config(parts.path(), 3);
    rest.resume = true;
    assert_eq!(figures(&train(&rest).unwrap()), figures(&uninterrupted));
}

#[test]
fn adamw_with_clipping_and_warm_up_trains_and_resumes_exactly() {
    let adamw = |out: &std::path::Path, epochs| FitConfig {
        lr: 2e-3,
        optimizer: Optimizer::ADAMW,
        weight_decay: 1e-2,
        clip: Some(Clip::Norm(1.0)),
        warmup: 1,
        schedule: Schedule::Cosine { epochs: 2 },
        ..config(out, epochs)
    };
    let whole = tempfile::tempdir().unwrap();
    let uninterrupted = train(&adamw(whole.path(), 3)).unwrap();
    let last = uninterrupted.last().unwrap();
    assert!(last.val_accuracy > 0.3, "AdamW learns: {uninterrupted:?}");
    // The warm-up epoch keeps the base rate as the epoch's rate; cosine starts after it.
    let rates: Vec<f64> = uninterrupted.iter().map(|r| r.lr).collect();
    assert_eq!(rates[..2], [2e-3, 2e-3]);
    assert!((rates[2] - 1e-3).abs() < 1e-12, "{rates:?}");

    let parts = tempfile::tempdir().unwrap();
    train(&adamw(parts.path(), 1)).unwrap();
    let mut rest = adamw(parts.path(), 3);
    rest.resume = true;
    assert_eq!(figures(&train(&rest).unwrap()), figures(&uninterrupted));
}

#[test]
fn early_stopping_ends_the_run_with_the_best_epoch_s_weights() {
    let out = tempfile::tempdir().unwrap();
    let patient = FitConfig {
        early_stop: Some(EarlyStop {
            monitor: Monitor::Accuracy,
            patience: 1,
        }),
        ..config(out.path(), 12)
    };
    let (model, history) = train_model(&patient, &mut |_| ControlFlow::Continue(())).unwrap();
    let best = EarlyStop {
        monitor: Monitor::Accuracy,
        patience: 1,
    }
    .stopped(&history)
    .expect("the run stopped early");
    assert!(history.len() < 12, "{history:?}");
    assert_eq!(history.len(), best + 1, "one epoch without improvement");
    let pointer = std::fs::read_to_string(out.path().join("best")).unwrap();
    assert_eq!(pointer, format!("epoch-{best:04}"));
    // The model returned scores the best epoch's validation figures, not the last one's.
    let _turn = DEVICE.lock().unwrap_or_else(|e| e.into_inner());
    let data = Dataset::mnist(&fashion_mnist_dir()).unwrap();
    let (_, val) = split_indices(data.train.len(), 0.1, 7, Some(256));
    let device = Device::flex().autodiff();
    let stats = data.train.pixel_stats().unwrap();
    let scored = evaluate_split(&model.valid(), &data.train, &val, stats, &device).unwrap();
    let record = &history[best - 1];
    assert_eq!(
        scored.correct as f64 / scored.total as f64,
        record.val_accuracy
    );
    assert!((scored.loss as f64 - record.val_loss).abs() < 1e-6);
}

#[test]
fn a_resume_with_other_settings_says_what_differs_unless_allowed() {
    let out = tempfile::tempdir().unwrap();
    train(&config(out.path(), 1)).unwrap();
    let mut changed = FitConfig {
        lr: 0.01,
        resume: true,
        ..config(out.path(), 2)
    };
    let err = train(&changed).unwrap_err();
    let FitError::Changed { differences, .. } = &err else {
        panic!("{err}");
    };
    assert_eq!(
        differences,
        &["lr: 0.05 in the checkpoint, 0.01 now".to_string()]
    );
    assert!(err.to_string().contains("--allow-changes"), "{err}");
    let last = std::fs::read_to_string(out.path().join("last")).unwrap();
    assert_eq!(last, "epoch-0001", "nothing was trained or written");
    changed.allow_changes = true;
    assert_eq!(train(&changed).unwrap().len(), 2);
    // The checkpoint now records the new rate: resuming with it needs no permission.
    changed.allow_changes = false;
    changed.epochs = 3;
    assert_eq!(train(&changed).unwrap().len(), 3);
}

/// `predict` ranks burn's softmax of the model's logits, the same batched or one by one;
/// pictures of another size and colour are converted first; a run's description refuses a
/// model of another input or class count.
#[test]
fn predictions_rank_the_softmax_of_the_logits_for_tensors_and_pictures() {
    use kiln::burn::tensor::activation::softmax;
    use kiln::data::Picture;
    use kiln::train::{RunInfo, predict, predict_pictures};

    let _turn = DEVICE.lock().unwrap_or_else(|e| e.into_inner());
    let data = Dataset::mnist(&fashion_mnist_dir()).unwrap();
    let device = Device::flex();
    device.seed(5);
    let model = FashionCnn::init(&device);
    let stats = data.train.pixel_stats().unwrap();
    let indices: Vec<usize> = (0..6).collect();
    let (images, _) = data.test.batch(&indices, stats, &device).unwrap();
    let predictions = predict(&model, images.clone(), 3).unwrap();
    let logits = model
        .forward_tensor(images.clone())
        .unwrap()
        .reshape([6, 10]);
    let reference: Vec<f32> = softmax(logits, 1).into_data().try_to_vec().unwrap();
    for (p, row) in predictions.iter().zip(reference.chunks(10)) {
        assert_eq!(p.top.len(), 3);
        let mut order: Vec<usize> = (0..10).collect();
        order.sort_by(|&a, &b| row[b].total_cmp(&row[a]));
        for (&(class, probability), &want) in p.top.iter().zip(&order) {
            assert_eq!(class, want);
            assert!((probability - row[want]).abs() < 1e-6);
        }
    }
    let one = predict(&model, images.clone().narrow(0, 2, 1), 20).unwrap();
    assert_eq!(one[0].top.len(), 10, "k beyond the classes gives them all");
    // The same classes batched or not; the probabilities within rounding (burn's matrix
    // product rounds a batch of 1 and one of 6 differently, in the last bit).
    for (&(class, p), &(want, q)) in one[0].top[..3].iter().zip(&predictions[2].top) {
        assert_eq!(class, want, "batched or not");
        assert!((p - q).abs() < 1e-6, "batched or not: {p} vs {q}");
    }

    // The same images as pictures enlarged to 56×56 RGB: converted back to 28×28×1.
    let pictures: Vec<Picture> = indices
        .iter()
        .map(|&i| {
            let image = &data.test.images.pixels[i * 784..(i + 1) * 784];
            let pixels = (0..56 * 56)
                .flat_map(|j| [image[(j / 56 / 2) * 28 + (j % 56) / 2]; 3])
                .collect();
            Picture {
                width: 56,
                height: 56,
                channels: 3,
                pixels,
            }
        })
        .collect();
    let from_pictures = predict_pictures(&model, &pictures, stats, &device, 3, 4).unwrap();
    let classes =
        |ps: &[kiln::train::Prediction]| -> Vec<usize> { ps.iter().map(|p| p.top[0].0).collect() };
    assert_eq!(classes(&from_pictures), classes(&predictions));

    let info = RunInfo {
        model: "fashion-cnn".into(),
        input: [32, 32, 3],
        stats,
        classes: (0..10).map(|c| c.to_string()).collect(),
        test_views: TestViews::Plain,
    };
    let refused = info.check::<FashionCnn>().unwrap_err().to_string();
    assert_eq!(
        refused,
        "the run's model takes 32×32×3 inputs into 10 classes; this model takes 28×28×1 \
         inputs into 10 classes"
    );
    assert!(
        RunInfo {
            input: [28, 28, 1],
            ..info
        }
        .check::<FashionCnn>()
        .is_ok()
    );
}

/// An application's own source: the vendored training images read through the trait (as
/// rows of a database would be), every read failing once `failing` is set.
struct Rows {
    split: Split,
    failing: AtomicBool,
}

impl Source for Rows {
    fn len(&self) -> usize {
        self.split.len()
    }

    fn image_size(&self) -> ImageSize {
        self.split.image_size()
    }

    fn read(&self, index: usize, pixels: &mut Vec<u8>) -> Result<u8, DataError> {
        if self.failing.load(Ordering::Relaxed) {
            let reason = "the database connection closed".to_string();
            return Err(DataError::Example { index, reason });
        }
        self.split.read(index, pixels)
    }
}

#[test]
fn an_applications_own_source_trains_as_the_split_and_a_failing_read_names_the_example() {
    let dir = tempfile::tempdir().unwrap();
    let direct = train(&config(&dir.path().join("split"), 1)).unwrap();
    let _turn = DEVICE.lock().unwrap_or_else(|e| e.into_inner());
    let data = Dataset::mnist(&fashion_mnist_dir()).expect("the vendored data");
    let rows = Rows {
        split: data.train,
        failing: AtomicBool::new(false),
    };
    let device = Device::flex().autodiff();
    let go_on = &mut |_: &Progress| ControlFlow::Continue(());
    let config_at = |name: &str| config(&dir.path().join(name), 1);
    let (_, history) = fit::<FashionCnn>(&config_at("rows"), &rows, &device, go_on).unwrap();
    assert_eq!(figures(&history), figures(&direct));
    // Failing in the second step: the error names the epoch, the step and the example.
    let fail_after_one = &mut |now: &Progress| {
        rows.failing.store(now.step >= 1, Ordering::Relaxed);
        ControlFlow::Continue(())
    };
    let err = fit::<FashionCnn>(&config_at("failing"), &rows, &device, fail_after_one)
        .expect_err("the read fails");
    let FitError::Step {
        epoch: 1,
        step: 2,
        source: TrainError::Data(why),
    } = &err
    else {
        panic!("{err:?}");
    };
    assert!(why.starts_with("example ") && why.ends_with(": the database connection closed"));
    // Failing from the start: the pixel statistics cannot be taken.
    let err =
        fit::<FashionCnn>(&config_at("dead"), &rows, &device, go_on).expect_err("the read fails");
    assert!(
        matches!(err, FitError::Data(DataError::Example { index: 0, .. })),
        "{err:?}"
    );
}

/// Runs one epoch, then a second whose checkpoint write is made to fail by `inject` (given
/// epoch 2's directory); checks that the error names the file, that epoch 1's checkpoint is
/// still the run's and loads, and that a resume once the fault is gone ends as an
/// uninterrupted run.
fn a_failed_write_keeps_the_last_checkpoint(
    inject: impl Fn(&std::path::Path),
    failing_file: &str,
    cause: &str,
) {
    let dir = tempfile::tempdir().unwrap();
    let whole = train(&config(&dir.path().join("whole"), 2)).unwrap();
    let out = dir.path().join("faulty");
    train(&config(&out, 1)).unwrap();
    let epoch2 = out.join("epoch-0002");
    inject(&epoch2);
    let mut second = config(&out, 2);
    second.resume = true;
    let err = train(&second).unwrap_err();
    let FitError::File { path, action, .. } = &err else {
        panic!("{err:?}");
    };
    assert_eq!(*action, kiln::train::Action::Write, "{err}");
    assert!(path.ends_with(failing_file), "{err}");
    let report = kiln::train::report(&err);
    assert!(
        report.starts_with("cannot write ") && report.contains(cause),
        "{report}"
    );
    // Epoch 1's checkpoint is still the run's, whole.
    assert_eq!(read_history(&out).unwrap().len(), 1);
    let (_, weights) = resolve_checkpoint(&out).unwrap();
    assert!(
        weights.starts_with(out.join("epoch-0001")),
        "{}",
        weights.display()
    );
    load_weights(FashionCnn::init(&Device::flex()), &weights).unwrap();
    // The fault gone, the run resumes to the uninterrupted run's figures.
    let _ = std::fs::remove_dir_all(&epoch2);
    let _ = std::fs::remove_file(&epoch2);
    let resumed = train(&second).unwrap();
    assert_eq!(figures(&resumed), figures(&whole));
}

#[test]
fn a_full_disk_mid_checkpoint_keeps_the_last_one() {
    // The state after the model and optimiser files, written through `state.tmp`: a link to
    // /dev/full, which answers every write with ENOSPC. (burn's own files replace a link.)
    a_failed_write_keeps_the_last_checkpoint(
        |epoch2| {
            std::fs::create_dir_all(epoch2).unwrap();
            std::os::unix::fs::symlink("/dev/full", epoch2.join("state.tmp")).unwrap();
        },
        "state.tmp",
        "No space left on device",
    );
}

#[test]
fn a_checkpoint_directory_that_cannot_be_made_keeps_the_last_one() {
    // A file where the epoch's directory goes (what a read-only directory does to a user
    // without root, whom permissions do not stop).
    a_failed_write_keeps_the_last_checkpoint(
        |epoch2| std::fs::write(epoch2, "in the way").unwrap(),
        "epoch-0002",
        "File exists",
    );
}

/// Weights saved from one architecture and loaded into another are refused with the file and
/// the parameters that do not fit named, not half-loaded.
#[test]
fn weights_of_another_architecture_are_refused_with_the_parameters_named() {
    use kiln::models::CompactResNet8;
    let device = Device::flex();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("model.bpk");
    FashionCnn::init(&device).save_file(&file).unwrap();
    let err = load_weights(CompactResNet8::init(&device), &file)
        .expect_err("another architecture's weights");
    // The error and its causes, as the command prints them.
    let err = kiln::train::report(&err);
    assert!(err.contains("model.bpk"), "{err}");
    // The compact ResNet's first block is not in the CNN's file; the CNN's `fc1` is unused.
    assert!(
        err.contains("Missing tensors") || err.contains("Unused tensors"),
        "{err}"
    );
    load_weights(FashionCnn::init(&device), &file).expect("its own architecture loads");
}
