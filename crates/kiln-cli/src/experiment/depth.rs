//! `kiln experiment depth`: the degradation experiment of He et al. (2015, figures 1 and 6).
//! Plain-20, plain-56, ResNet-20 and ResNet-56 train with one recipe; after every epoch each
//! is tested, and one figure shows training and test error against epochs, plain nets beside
//! ResNets.
//!
//! Each model trains one epoch per call of the training loop, resuming its own checkpoint
//! (the schedule runs over all the epochs, as in one run), so that every epoch's weights are
//! tested; an interrupted experiment continues where it stopped.

use std::error::Error;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::time::Instant;

use kiln::Model;
use kiln::burn::module::Module;
use kiln::data::{Dataset, Source};
use kiln::draw::{Chart, Marker, Series, panels};
use kiln::train::{RunInfo, TestViews, evaluate_split, fit};

use crate::backend::Backend;
use crate::data::DataArgs;
use crate::progress;
use crate::recipe::Recipe;
use crate::zoo::{WithModel, with_model};

/// `kiln experiment depth`'s options.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// Where the data comes from.
    #[command(flatten)]
    data: DataArgs,
    /// How every model is trained.
    #[command(flatten)]
    recipe: Recipe,
    /// The models, by their zoo names.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "plain20,plain56,resnet20,resnet56"
    )]
    models: Vec<String>,
    /// Test on at most this many test images after each epoch (default: all).
    #[arg(long)]
    test_limit: Option<usize>,
    /// Where each model's run, `depth.csv` and `depth.png` go.
    #[arg(long, default_value = "runs/depth")]
    out: PathBuf,
    /// The backend.
    #[arg(long, value_enum, default_value_t)]
    backend: Backend,
}

/// One epoch of one model.
#[derive(Clone, Debug, PartialEq)]
struct Point {
    epoch: usize,
    /// Training error (%) over the epoch (augmented batches, training mode).
    train: f64,
    /// Validation error (%) after the epoch.
    val: f64,
    /// Test error (%) after the epoch.
    test: f64,
    /// Seconds of training and testing.
    seconds: f64,
}

/// Trains one model epoch by epoch, testing after each.
struct Curve<'a> {
    args: &'a Args,
    data: &'a Dataset,
    classes: &'a [String],
    name: &'a str,
}

/// `tests.csv` in a model's run: `epoch,test_error,seconds`, appended after each epoch.
const TESTS: &str = "tests.csv";

impl WithModel for Curve<'_> {
    type Output = Result<Vec<Point>, Box<dyn Error>>;

    fn call<M: Model + Module>(self) -> Self::Output {
        let Curve {
            args,
            data,
            classes,
            name,
        } = self;
        let out = args.out.join(name);
        let stats = data.train.pixel_stats()?;
        let mut tested = read_tests(&out)?;
        if tested.is_empty() {
            std::fs::create_dir_all(&out)?;
            RunInfo {
                model: name.to_string(),
                input: M::INPUT,
                stats,
                classes: classes.to_vec(),
                test_views: TestViews::Plain,
            }
            .write(&out)?;
        }
        let device = args.backend.device().autodiff();
        let test: Vec<usize> =
            (0..args.test_limit.unwrap_or(usize::MAX).min(data.test.len())).collect();
        let mut report = progress::reporter(std::io::stdout().is_terminal())?;
        let mut history = Vec::new();
        for epoch in tested.len() + 1..=args.recipe.epochs {
            let started = Instant::now();
            // The progress lines count to `epoch`, the end of this call of the loop.
            println!("{name}: epoch {epoch} of {}", args.recipe.epochs);
            // The whole run's schedule, trained up to `epoch`.
            let resume = out.join("last").exists();
            let mut config = args.recipe.config(out.clone(), resume, false)?;
            config.epochs = epoch;
            let (model, records) = fit::<M>(&config, &data.train, &device, &mut report)?;
            let evaluation = evaluate_split(&model.valid(), &data.test, &test, stats, &device)?;
            let error = 100.0 * (1.0 - evaluation.correct as f64 / evaluation.total.max(1) as f64);
            let seconds = started.elapsed().as_secs_f64();
            append_test(&out, epoch, error, seconds)?;
            tested.push((error, seconds));
            println!("{name} epoch {epoch}: test error {error:.2} %");
            history = records;
        }
        if history.is_empty() {
            history = kiln::train::read_history(&out)?;
        }
        Ok(history
            .iter()
            .zip(&tested)
            .map(|(r, &(test, seconds))| Point {
                epoch: r.epoch,
                train: 100.0 * (1.0 - r.train_accuracy),
                val: 100.0 * (1.0 - r.val_accuracy),
                test,
                seconds,
            })
            .collect())
    }
}

/// The test errors and seconds recorded in `out/tests.csv`, by epoch from 1.
fn read_tests(out: &Path) -> Result<Vec<(f64, f64)>, Box<dyn Error>> {
    let path = out.join(TESTS);
    if !path.exists() {
        return Ok(Vec::new());
    }
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut rows = Vec::new();
    for (i, line) in text.lines().skip(1).enumerate() {
        let fields: Vec<&str> = line.split(',').collect();
        let parse = |f: Option<&&str>| f.and_then(|v| v.trim().parse::<f64>().ok());
        match (
            parse(fields.first()),
            parse(fields.get(1)),
            parse(fields.get(2)),
        ) {
            (Some(epoch), Some(error), Some(seconds)) if epoch as usize == i + 1 => {
                rows.push((error, seconds))
            }
            _ => {
                return Err(format!(
                    "{}: line {} is not `epoch,test_error,seconds` in order",
                    path.display(),
                    i + 2
                )
                .into());
            }
        }
    }
    Ok(rows)
}

fn append_test(out: &Path, epoch: usize, error: f64, seconds: f64) -> Result<(), Box<dyn Error>> {
    use std::io::Write;
    let path = out.join(TESTS);
    let new = !path.exists();
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .map_err(|e| format!("{}: {e}", path.display()))?;
    if new {
        writeln!(file, "epoch,test_error,seconds")?;
    }
    writeln!(file, "{epoch},{error:.4},{seconds:.1}")?;
    Ok(())
}

/// Runs the experiment `args` describe.
pub fn run(args: &Args) -> Result<(), Box<dyn Error>> {
    let (data, classes) = args.data.load()?;
    let size = data.train.image_size();
    let input = [size.cols, size.rows, size.depth];
    let started = Instant::now();
    let mut curves = Vec::new();
    for (i, name) in args.models.iter().enumerate() {
        println!("model {} of {}: {name}", i + 1, args.models.len());
        let job = Curve {
            args,
            data: &data,
            classes: &classes,
            name,
        };
        curves.push((name.clone(), with_model(name, input, job)??));
    }
    std::fs::create_dir_all(&args.out)?;
    let csv = args.out.join("depth.csv");
    let mut text = String::from("model,epoch,train_error,val_error,test_error,seconds\n");
    for (name, points) in &curves {
        for p in points {
            text += &format!(
                "{name},{},{:.4},{:.4},{:.4},{:.1}\n",
                p.epoch, p.train, p.val, p.test, p.seconds
            );
        }
    }
    std::fs::write(&csv, text).map_err(|e| format!("{}: {e}", csv.display()))?;
    let png = args.out.join("depth.png");
    figure(&curves, size.depth, &png)?;
    println!("\nmodel      train error  test error  (last epoch)   minutes");
    for (name, points) in &curves {
        if let Some(last) = points.last() {
            let minutes: f64 = points.iter().map(|p| p.seconds).sum::<f64>() / 60.0;
            println!(
                "{name:<10} {:>10.2} % {:>9.2} %   (epoch {:>3}) {minutes:>9.1}",
                last.train, last.test, last.epoch
            );
        }
    }
    println!(
        "wrote {} and {} ({:.1} minutes)",
        csv.display(),
        png.display(),
        started.elapsed().as_secs_f64() / 60.0
    );
    Ok(())
}

/// The figure: plain nets left, ResNets right; test error bold, training error dashed; the
/// shallower net blue with circles, the deeper orange with squares.
fn figure(curves: &[(String, Vec<Point>)], depth: usize, png: &Path) -> Result<(), Box<dyn Error>> {
    let series = |name: &str, points: &[Point], index: usize| -> Vec<Series> {
        let (rgb, marker) = if index == 0 {
            ([31, 90, 160], Marker::Circle)
        } else {
            ([230, 120, 20], Marker::Square)
        };
        let line =
            |pick: fn(&Point) -> f64| points.iter().map(|p| (p.epoch as f64, pick(p))).collect();
        vec![
            Series {
                name: format!("{name} test"),
                points: line(|p| p.test),
                rgb,
                dashed: false,
                marker,
            },
            Series {
                name: format!("{name} train"),
                points: line(|p| p.train),
                rgb,
                dashed: true,
                marker,
            },
        ]
    };
    let high = curves
        .iter()
        .flat_map(|(_, ps)| ps.iter().flat_map(|p| [p.train, p.test]))
        .fold(1.0f64, f64::max);
    let chart = |title: &str, plain: bool| {
        let mut lines = Vec::new();
        let ours = curves
            .iter()
            .filter(|(n, _)| n.starts_with("plain") == plain);
        for (index, (name, points)) in ours.enumerate() {
            lines.extend(series(name, points, index));
        }
        Chart {
            title: title.to_string(),
            x_label: "epoch".into(),
            y_label: "error (%)".into(),
            series: lines,
            y_range: Some((0.0, (high * 1.05).ceil())),
        }
    };
    let input = if depth == 3 { "colour" } else { "grey" };
    let (scene, _) = panels(
        &format!("training (dashed) and test (bold) error by epoch, {input} input"),
        &[
            chart("plain networks", true),
            chart("residual networks", false),
        ],
    );
    Ok(scene.write(png)?)
}
