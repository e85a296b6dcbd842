//! `kiln classify <CHECKPOINT> <PICTURES>…`: loads a checkpoint and classifies PNG or JPEG
//! files of any size.
//!
//! ```text
//! kiln classify runs/latest shirt.png boot.jpg
//! ```
//!
//! Each picture is decoded, then `kiln::train::predict_pictures` (the API an application
//! calls) converts it to the model's depth (grey or RGB), resizes it to its width and height,
//! normalises it as in training and runs the pictures in batches; the top three classes are
//! printed with their probabilities. Fashion-MNIST shows light garments on black: photographs on a white
//! background need `--invert`.

use std::error::Error;
use std::path::PathBuf;

use kiln::Model;
use kiln::burn::module::Module;
use kiln::data::read_picture;
use kiln::train::{RunInfo, load_weights, predict_pictures};

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
        info.check::<M>()?;
        let device = args.backend.device();
        let model = load_weights(M::init(&device), &weights)?;
        let (mut paths, mut pictures) = (Vec::new(), Vec::new());
        for path in &args.pictures {
            match read_picture(path) {
                Ok(mut picture) => {
                    if args.invert {
                        picture.pixels.iter_mut().for_each(|p| *p = 255 - *p);
                    }
                    paths.push(path);
                    pictures.push(picture);
                }
                Err(e) => eprintln!("{e}"),
            }
        }
        let predictions = predict_pictures(&model, &pictures, info.stats, &device, 3, 64)?;
        for ((path, picture), prediction) in paths.iter().zip(&pictures).zip(predictions) {
            let top: Vec<String> = prediction
                .top
                .iter()
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
        let all_read = pictures.len() == args.pictures.len();
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
