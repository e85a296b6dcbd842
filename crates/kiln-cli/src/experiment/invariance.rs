//! `kiln experiment invariance`: how much shifting an image by 0–4 pixels changes a trained
//! network's stage outputs and predictions, with max pooling and without it (the same three
//! convolutions, striding instead of pooling). Both models train briefly for the purpose,
//! without augmentation, so that what they tolerate comes from the architecture.

use std::error::Error;
use std::io::IsTerminal;
use std::path::PathBuf;

use kiln::Model;
use kiln::burn::module::Module;
use kiln::burn::tensor::{Device, Tensor, TensorData};
use kiln::data::{Dataset, Source, normalise, translate};
use kiln::draw::{Chart, Marker, Series, panels};
use kiln::train::{fit, stage_outputs};

use crate::backend::Backend;
use crate::data::DataArgs;
use crate::progress;
use crate::recipe::Recipe;

kiln::model! {
    /// Three convolutions with a 2×2 max pool after the first two.
    pub struct Pooled {
        input: [28, 28, 1],
        conv1: conv(32, 3, pad = 1), bn1: batch_norm, relu,
        pool1: max_pool(2),
        conv2: conv(64, 3, pad = 1), bn2: batch_norm, relu,
        pool2: max_pool(2),
        conv3: conv(64, 3, pad = 1), bn3: batch_norm, relu,
        pool: global_avg_pool,
        flatten,
        fc: linear(10),
    }
}

kiln::model! {
    /// The same convolutions, the second and third striding by 2 instead of pooling.
    pub struct Strided {
        input: [28, 28, 1],
        conv1: conv(32, 3, pad = 1), bn1: batch_norm, relu,
        conv2: conv(64, 3, stride = 2, pad = 1, round = floor), bn2: batch_norm, relu,
        conv3: conv(64, 3, stride = 2, pad = 1, round = floor), bn3: batch_norm, relu,
        pool: global_avg_pool,
        flatten,
        fc: linear(10),
    }
}

/// `kiln experiment invariance`'s options.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Where the data comes from (28×28×1 images).
    #[command(flatten)]
    data: DataArgs,
    /// Epochs each model trains.
    #[arg(long, default_value_t = 3)]
    epochs: usize,
    /// Training images (the short runs).
    #[arg(long, default_value_t = 12_000)]
    limit: usize,
    /// Test images shifted.
    #[arg(long, default_value_t = 1_000)]
    test_limit: usize,
    /// The largest shift in pixels.
    #[arg(long, default_value_t = 4)]
    max_shift: usize,
    /// Where the two runs, `invariance.csv` and `invariance.png` go.
    #[arg(long, default_value = "runs/invariance")]
    out: PathBuf,
    /// The backend.
    #[arg(long, value_enum, default_value_t)]
    backend: Backend,
}

/// What a shift of `shift` pixels does to a model, averaged over the test images and the four
/// directions.
#[derive(Clone, Debug, PartialEq)]
struct Change {
    shift: usize,
    /// Per stage: ‖f(shifted) − f(image)‖ / ‖f(image)‖.
    stages: Vec<f64>,
    /// Predictions that differ from the unshifted image's (%).
    changed: f64,
    /// Test accuracy (%).
    accuracy: f64,
}

/// Trains `M` briefly into `out/name` and measures its changes under shifts.
fn measure<M: Model + Module>(
    args: &Args,
    data: &Dataset,
    name: &str,
) -> Result<(Vec<String>, Vec<Change>), Box<dyn Error>> {
    let mut recipe = Recipe::defaults();
    recipe.epochs = args.epochs;
    recipe.limit = Some(args.limit);
    recipe.augment = "none".into();
    let out = args.out.join(name);
    let config = recipe.config(out.clone(), out.join("last").exists(), false)?;
    let device = args.backend.device().autodiff();
    println!(
        "training {name} ({} epochs on {} images)",
        args.epochs, args.limit
    );
    let mut report = progress::reporter(std::io::stdout().is_terminal())?;
    let (model, _) = fit::<M>(&config, &data.train, &device, &mut report)?;
    let model = model.valid();
    let stats = data.train.pixel_stats()?;
    let count = args.test_limit.min(data.test.len());
    let size = data.test.image_size();
    let mut images = Vec::with_capacity(count);
    let mut labels = Vec::with_capacity(count);
    let mut pixels = Vec::new();
    for i in 0..count {
        pixels.clear();
        labels.push(data.test.read(i, &mut pixels)? as usize);
        images.push(pixels.clone());
    }
    // The unshifted outputs, then each shift's.
    let base = outputs(&model, &images, stats, &device)?;
    let stages: Vec<String> = base.stages.iter().map(|(n, _)| n.clone()).collect();
    let mut changes = Vec::new();
    for shift in 0..=args.max_shift {
        let s = shift as isize;
        let directions: &[(isize, isize)] = if shift == 0 {
            &[(0, 0)]
        } else {
            &[(s, 0), (-s, 0), (0, s), (0, -s)]
        };
        let mut change = Change {
            shift,
            stages: vec![0.0; stages.len()],
            changed: 0.0,
            accuracy: 0.0,
        };
        for &(dx, dy) in directions {
            let moved: Vec<Vec<u8>> = images
                .iter()
                .map(|im| translate(im, size, dx, dy))
                .collect();
            let now = outputs(&model, &moved, stats, &device)?;
            for (k, ((_, a), (_, b))) in base.stages.iter().zip(&now.stages).enumerate() {
                change.stages[k] += relative_change(a, b) / directions.len() as f64;
            }
            let n = count.max(1) as f64;
            let differ = base
                .classes
                .iter()
                .zip(&now.classes)
                .filter(|(a, b)| a != b)
                .count();
            let right = now
                .classes
                .iter()
                .zip(&labels)
                .filter(|(a, b)| a == b)
                .count();
            change.changed += 100.0 * differ as f64 / n / directions.len() as f64;
            change.accuracy += 100.0 * right as f64 / n / directions.len() as f64;
        }
        println!(
            "{name}: shift {shift} px: stage outputs change {}; {:.1} % of predictions change; accuracy {:.1} %",
            change
                .stages
                .iter()
                .map(|c| format!("{c:.3}"))
                .collect::<Vec<_>>()
                .join(", "),
            change.changed,
            change.accuracy
        );
        changes.push(change);
    }
    Ok((stages, changes))
}

/// Stage outputs, per example flattened, and predicted classes of a set of images.
struct Outputs {
    stages: Vec<(String, Vec<Vec<f32>>)>,
    classes: Vec<usize>,
}

fn outputs<M: Model>(
    model: &M,
    images: &[Vec<u8>],
    stats: (f32, f32),
    device: &Device,
) -> Result<Outputs, Box<dyn Error>> {
    let [cols, rows, depth] = M::INPUT;
    let mut result = Outputs {
        stages: Vec::new(),
        classes: Vec::new(),
    };
    for chunk in images.chunks(100) {
        let mut values = Vec::with_capacity(chunk.len() * rows * cols * depth);
        for image in chunk {
            normalise(image, stats, &mut values);
        }
        let shape = [chunk.len(), depth, rows, cols];
        let input = Tensor::<4>::from_data(TensorData::new(values, shape), device);
        let (stages, logits) = stage_outputs(model, input)?;
        for (k, (name, output)) in stages.into_iter().enumerate() {
            let per = output.dims()[1..].iter().product::<usize>();
            let data: Vec<f32> = output.into_data().iter::<f32>().collect();
            if result.stages.len() <= k {
                result.stages.push((name, Vec::new()));
            }
            result.stages[k]
                .1
                .extend(data.chunks(per).map(<[f32]>::to_vec));
        }
        let classes = M::OUTPUT[2];
        let data: Vec<f32> = logits.into_data().iter::<f32>().collect();
        result.classes.extend(data.chunks(classes).map(|row| {
            (0..classes)
                .max_by(|&a, &b| row[a].total_cmp(&row[b]))
                .unwrap_or(0)
        }));
    }
    Ok(result)
}

/// The mean over examples of ‖b − a‖ / ‖a‖.
fn relative_change(a: &[Vec<f32>], b: &[Vec<f32>]) -> f64 {
    let ratios = a.iter().zip(b).map(|(a, b)| {
        let diff: f64 = a.iter().zip(b).map(|(x, y)| ((y - x) as f64).powi(2)).sum();
        let norm: f64 = a.iter().map(|x| (*x as f64).powi(2)).sum();
        (diff / norm.max(1e-12)).sqrt()
    });
    ratios.sum::<f64>() / a.len().max(1) as f64
}

/// Runs the experiment `args` describe.
pub fn run(args: &Args) -> Result<(), Box<dyn Error>> {
    let (data, _) = args.data.load()?;
    let size = data.train.image_size();
    if [size.cols, size.rows, size.depth] != [28, 28, 1] {
        return Err(format!(
            "the invariance experiment's models take 28×28×1 images; the data's are {}×{}×{}",
            size.cols, size.rows, size.depth
        )
        .into());
    }
    let pooled = measure::<Pooled>(args, &data, "pooled")?;
    let strided = measure::<Strided>(args, &data, "strided")?;
    std::fs::create_dir_all(&args.out)?;
    let csv = args.out.join("invariance.csv");
    let mut text = String::from("model,shift,stage,relative_change,predictions_changed,accuracy\n");
    for (name, (stages, changes)) in [("pooled", &pooled), ("strided", &strided)] {
        for c in changes {
            for (stage, value) in stages.iter().zip(&c.stages) {
                text += &format!(
                    "{name},{},{stage},{value:.5},{:.3},{:.3}\n",
                    c.shift, c.changed, c.accuracy
                );
            }
        }
    }
    std::fs::write(&csv, text).map_err(|e| format!("{}: {e}", csv.display()))?;
    let png = args.out.join("invariance.png");
    figure(&pooled, &strided).write(&png)?;
    println!("wrote {} and {}", csv.display(), png.display());
    Ok(())
}

type Measured = (Vec<String>, Vec<Change>);

/// Three panels: the stages' relative change, the predictions changed and the accuracy, by
/// shift; max pooling solid and blue, striding dashed and orange.
fn figure(pooled: &Measured, strided: &Measured) -> kiln::draw::Scene {
    let markers = [
        Marker::Circle,
        Marker::Square,
        Marker::Triangle,
        Marker::Diamond,
    ];
    let styles = [
        ("max pool", [31, 90, 160], false, pooled),
        ("stride", [230, 120, 20], true, strided),
    ];
    let mut stage_lines = Vec::new();
    let mut prediction_lines = Vec::new();
    let mut accuracy_lines = Vec::new();
    for (label, rgb, dashed, (stages, changes)) in styles {
        for (k, stage) in stages.iter().enumerate() {
            stage_lines.push(Series {
                name: format!("{label}: stage {} ({stage})", k + 1),
                points: changes
                    .iter()
                    .map(|c| (c.shift as f64, c.stages[k]))
                    .collect(),
                rgb,
                dashed,
                marker: markers[k % markers.len()],
            });
        }
        let line =
            |pick: fn(&Change) -> f64| changes.iter().map(|c| (c.shift as f64, pick(c))).collect();
        prediction_lines.push(Series {
            name: label.into(),
            points: line(|c| c.changed),
            rgb,
            dashed,
            marker: Marker::Circle,
        });
        accuracy_lines.push(Series {
            name: label.into(),
            points: line(|c| c.accuracy),
            rgb,
            dashed,
            marker: Marker::Circle,
        });
    }
    let chart = |title: &str, y: &str, series| Chart {
        title: title.into(),
        x_label: "shift (pixels)".into(),
        y_label: y.into(),
        series,
        y_range: None,
    };
    panels(
        "shifted test images: max pooling (solid) vs striding (dashed)",
        &[
            chart("stage outputs", "relative change", stage_lines),
            chart("predictions", "changed (%)", prediction_lines),
            chart("test accuracy", "accuracy (%)", accuracy_lines),
        ],
    )
    .0
}
