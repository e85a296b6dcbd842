//! `kiln train [MODEL] [OPTIONS]`: trains a zoo model with the lecture's recipe (`--help`
//! lists every option). By default ResNet-20 (option-A shortcuts) for 16 epochs on the
//! vendored Fashion-MNIST, with random horizontal flips and label smoothing 0.1.
//!
//! Writes to `--out`: `run.json` (model, normalisation, classes), a checkpoint after every epoch
//! (`last`, `best`), `metrics.csv`, `curves.png`, and at the end `confusion.png` and
//! `summary.txt` (the model's summary, the confusion matrix and the test accuracy);
//! `--resume` continues a run.

use std::error::Error;
use std::io::IsTerminal;
use std::path::PathBuf;

use kiln::Model;
use kiln::burn::module::Module;
use kiln::data::{Dataset, Source};
use kiln::train::{RunInfo, RunLock, TestViews, fit, test_report, write_confusion};

use crate::backend::Backend;
use crate::data::DataArgs;
use crate::recipe::Recipe;
use crate::zoo::{WithModel, with_model};
use crate::{preview, progress};

/// `kiln train`'s options.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// The model, by its zoo name at the data's input size (`kiln models` lists them):
    /// `resnet` is ResNet-20 with option-A shortcuts.
    #[arg(default_value = "resnet")]
    model: String,
    /// Where the data comes from.
    #[command(flatten)]
    data: DataArgs,
    /// How the model is trained.
    #[command(flatten)]
    recipe: Recipe,
    /// Write a grid of augmented training images to this PNG file (each row an image and 7
    /// draws of `--augment`), then stop without training.
    #[arg(long)]
    preview: Option<PathBuf>,
    /// The backend.
    #[arg(long, value_enum, default_value_t)]
    backend: Backend,
    /// Where checkpoints, metrics.csv and summary.txt go.
    #[arg(long, default_value = "runs/latest")]
    out: PathBuf,
    /// Continue from the last checkpoint in `--out`.
    #[arg(long)]
    resume: bool,
    /// Resume even with settings other than the checkpoint's (which are listed).
    #[arg(long, requires = "resume")]
    allow_changes: bool,
    /// Report the test accuracy on at most this many test images (smoke runs, benchmarks).
    #[arg(long)]
    test_limit: Option<usize>,
    /// The views of each test image whose logits the test accuracy averages: `flip` (the
    /// image and its mirror image) or `plain`; default `flip` when training flips images.
    /// The plain accuracy is reported beside it.
    #[arg(long)]
    test_views: Option<TestViews>,
}

/// Trains the chosen model: the part of `main` that knows the model's type.
struct Train<'a> {
    args: &'a Args,
    data: &'a Dataset,
    classes: Vec<String>,
}

impl WithModel for Train<'_> {
    type Output = Result<(), Box<dyn Error>>;

    fn call<M: Model + Module>(self) -> Self::Output {
        let Train {
            args,
            data,
            classes,
        } = self;
        let outputs = M::OUTPUT[2];
        if classes.len() > outputs {
            return Err(format!(
                "the data has {} classes, {} has {outputs} outputs",
                classes.len(),
                args.model,
            )
            .into());
        }
        // Fewer classes than outputs (a user's folders): the outputs past them are named
        // `unused N`; training pushes their scores down.
        let mut classes = classes;
        if classes.len() < outputs {
            println!(
                "{} has {outputs} outputs; the data's {} classes use the first {}",
                args.model,
                classes.len(),
                classes.len()
            );
            classes.extend((classes.len()..outputs).map(|c| format!("unused {c}")));
        }
        let summary = M::summary();
        println!("{summary}\n");
        let config = args
            .recipe
            .config(args.out.clone(), args.resume, args.allow_changes)?;
        // Before anything is written: a second run on the same directory stops here.
        let _lock = RunLock::take(&args.out)?;
        let stats = data.train.pixel_stats()?;
        let views = args
            .test_views
            .unwrap_or(TestViews::of_training(config.augment.flip));
        RunInfo {
            model: args.model.clone(),
            input: M::INPUT,
            stats,
            classes: classes.clone(),
            test_views: views,
        }
        .write(&args.out)?;
        let device = args.backend.device().autodiff();
        let mut progress = progress::reporter(std::io::stdout().is_terminal())?;
        let (model, history) = fit::<M>(&config, &data.train, &device, &mut progress)?;
        if let Some(stop) = config.early_stop
            && let Some(best) = stop.stopped(&history)
        {
            println!(
                "stopped early: validation {} has not improved since epoch {best}, whose \
                 weights are kept",
                stop.monitor.name()
            );
        }
        // The test set is used once, for the final report, with the model fit returns: the
        // last epoch's, or the best one's when the run stopped early.
        let tested = args.test_limit.unwrap_or(usize::MAX).min(data.test.len());
        let test: Vec<usize> = (0..tested).collect();
        let names: Vec<&str> = classes.iter().map(String::as_str).collect();
        let (confusion, line) = test_report(
            &model.valid(),
            &data.test,
            &test,
            stats,
            &device,
            &names,
            views,
        )?;
        write_confusion(&args.out.join("confusion.png"), &confusion)?;
        println!("{confusion}\n{line}");
        let seconds: f64 = history.iter().map(|r| r.seconds).sum();
        std::fs::write(
            args.out.join("summary.txt"),
            format!("{summary}\n\n{confusion}\n{line}\ntraining time: {seconds:.0} s\n"),
        )?;
        println!(
            "wrote {}: checkpoints, metrics.csv, curves.png, confusion.png, summary.txt",
            args.out.display()
        );
        Ok(())
    }
}

/// Trains the model `args` name on the data they name.
pub fn run(args: &Args) -> Result<(), Box<dyn Error>> {
    let (data, classes) = args.data.load()?;
    let size = data.train.image_size();
    if let Some(file) = &args.preview {
        let recipe = &args.recipe;
        let what = preview::write(&data.train, recipe.augment()?, recipe.seed, file)?;
        println!(
            "wrote {}: {what} (--augment {})",
            file.display(),
            recipe.augment
        );
        return Ok(());
    }
    let input = [size.cols, size.rows, size.depth];
    let job = Train {
        args,
        data: &data,
        classes,
    };
    with_model(&args.model, input, job)?
}
