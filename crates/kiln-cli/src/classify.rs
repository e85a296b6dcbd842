//! `kiln classify <CHECKPOINT> <PICTURES>…`: loads a checkpoint and classifies PNG or JPEG
//! files of any size.
//!
//! ```text
//! kiln classify runs/latest shirt.png boot.jpg
//! ```
//!
//! Each picture is decoded, converted to the model's depth (grey or RGB), resized to its
//! width and height, normalised as in training, and checked against the model's input shape
//! at the typed boundary (`Model::forward_tensor`); the top three classes are printed with
//! their probabilities. Fashion-MNIST shows light garments on black: photographs on a white
//! background need `--invert`.

use std::error::Error;
use std::path::PathBuf;

use kiln::Model;
use kiln::burn::module::Module;
use kiln::burn::tensor::activation::softmax;
use kiln::burn::tensor::{Tensor, TensorData};
use kiln::data::{ImageSize, normalise, read_picture};
use kiln::train::{RunInfo, load_weights};

use crate::backend::Backend;
use crate::zoo::{WithModel, with_checkpoint};

/// `kiln classify`'s options.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// A run directory, an epoch directory in one, or a `model.bpk` file.
    checkpoint: PathBuf,
    /// PNG or JPEG files.
    #[arg(required = true)]
    pictures: Vec<PathBuf>,
    /// Invert the pictures (dark garments on a light background).
    #[arg(long)]
    invert: bool,
    /// The backend.
    #[arg(long, value_enum, default_value_t)]
    backend: Backend,
}

/// The part of `main` that knows the model's type.
struct Classify<'a> {
    args: &'a Args,
    info: RunInfo,
    weights: PathBuf,
}

impl WithModel for Classify<'_> {
    type Output = Result<bool, Box<dyn Error>>;

    fn call<M: Model + Module>(self) -> Self::Output {
        let Classify {
            args,
            info,
            weights,
        } = self;
        let device = args.backend.device();
        let model = load_weights(M::init(&device), &weights)?;
        let [cols, rows, depth] = M::INPUT;
        let classes = M::OUTPUT[2];
        if info.classes.len() != classes {
            return Err(format!(
                "run.json names {} classes; the model has {classes}",
                info.classes.len()
            )
            .into());
        }
        let size = ImageSize { rows, cols, depth };
        let mut all_read = true;
        for path in &args.pictures {
            let picture = match read_picture(path) {
                Ok(picture) => picture,
                Err(e) => {
                    eprintln!("{e}");
                    all_read = false;
                    continue;
                }
            };
            let mut input = picture.to_input(size);
            if args.invert {
                input.iter_mut().for_each(|p| *p = 255 - *p);
            }
            let mut values = Vec::with_capacity(input.len());
            normalise(&input, info.stats, &mut values);
            let batch =
                Tensor::<4>::from_data(TensorData::new(values, [1, depth, rows, cols]), &device);
            let logits = model.forward_tensor(batch)?.reshape([1, classes]);
            let probabilities: Vec<f32> = softmax(logits, 1).into_data().try_to_vec()?;
            let mut ranked: Vec<(usize, f32)> = probabilities.into_iter().enumerate().collect();
            ranked.sort_by(|a, b| b.1.total_cmp(&a.1));
            let top: Vec<String> = ranked
                .iter()
                .take(3)
                .map(|&(class, p)| format!("{} {:.1}%", info.classes[class], 100.0 * p))
                .collect();
            println!(
                "{} ({}×{}): {}",
                path.display(),
                picture.width,
                picture.height,
                top.join(", ")
            );
        }
        Ok(all_read)
    }
}

/// Classifies the pictures `args` name, printing a line for each.
pub fn run(args: &Args) -> Result<(), Box<dyn Error>> {
    let job = |info, weights| Classify {
        args,
        info,
        weights,
    };
    if with_checkpoint(&args.checkpoint, job)?? {
        Ok(())
    } else {
        Err("some pictures could not be read (see above)".into())
    }
}
