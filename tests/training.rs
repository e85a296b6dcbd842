//! The training loop on the vendored Fashion-MNIST: a smoke run, resuming from a checkpoint to
//! the same metrics as an uninterrupted run, and a diverging run stopped with the step named.

use kiln::Model;
use kiln::burn::tensor::Device;
use kiln::data::{Augment, Dataset, fashion_mnist_dir};
use kiln::models::FashionCnn;
use kiln::train::{
    EpochRecord, FitConfig, FitError, Plateau, Schedule, TestViews, TrainError,
    evaluate_predictions, fit,
};

fn config(out: &std::path::Path, epochs: usize) -> FitConfig {
    FitConfig {
        epochs,
        batch_size: 64,
        lr: 0.05,
        momentum: 0.9,
        weight_decay: 5e-4,
        label_smoothing: Some(0.1),
        schedule: Schedule::Plateau(Plateau::new(0)),
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
    }
}

/// burn's random state belongs to the device, which the tests of this file share: they take
/// turns, or one test's seeding would shift the other's draws.
static DEVICE: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn train(config: &FitConfig) -> Result<Vec<EpochRecord>, FitError> {
    let _turn = DEVICE.lock().unwrap_or_else(|e| e.into_inner());
    let data = Dataset::mnist(&fashion_mnist_dir()).expect("the vendored data");
    let device = Device::flex().autodiff();
    let (_, history) = fit::<FashionCnn>(config, &data.train, &device, &mut |_| {})?;
    Ok(history)
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
    let (images, labels) = data.test.batch(&indices, data.train.pixel_stats(), &device);
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
