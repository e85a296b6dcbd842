//! `kiln visualize <CHECKPOINT> [--image FILE] [--out DIR]`: what a trained network learned,
//! as pictures: the first layer's filters and, for one input picture, the strongest feature
//! maps after each stage.
//!
//! ```text
//! kiln visualize runs/latest --image shirt.png --out runs/latest/visuals
//! kiln visualize resnet18.pth --model resnet18 --image cat.jpg   # torchvision weights
//! ```
//!
//! Without `--image` the picture is the vendored Fashion-MNIST's first test image.

use std::error::Error;
use std::path::{Path, PathBuf};

use kiln::Model;
use kiln::burn::module::Module;
use kiln::data::{Dataset, Picture, fashion_mnist_dir, read_picture};
use kiln::train::{RunInfo, load_weights, write_visuals};

use crate::backend::Backend;
use crate::zoo::{WithModel, with_checkpoint};

/// `kiln visualize`'s options.
#[derive(clap::Args, Debug)]
pub struct Args {
    /// A run directory, an epoch directory in one, or a `model.bpk` file; or a torchvision
    /// `.pth` file with `--model`.
    checkpoint: PathBuf,
    /// The picture whose feature maps are drawn (PNG or JPEG, any size; default: the
    /// vendored Fashion-MNIST's first test image).
    #[arg(long)]
    image: Option<PathBuf>,
    /// Where the pictures go (default: `visuals/` beside the checkpoint's run).
    #[arg(long)]
    out: Option<PathBuf>,
    /// The zoo model (ImageNet's 224×224×3, 1000 classes) a torchvision `.pth` file is for:
    /// alexnet, vgg11…vgg19(-bn), resnet18…resnet152 or googlenet.
    #[arg(long)]
    model: Option<String>,
    /// The backend.
    #[arg(long, value_enum, default_value_t)]
    backend: Backend,
}

/// The part of `main` that knows the model's type: loads the weights and writes the pictures.
struct Visualize<'a> {
    args: &'a Args,
    /// The normalisation the model was trained with.
    stats: (f32, f32),
    weights: PathBuf,
    out: PathBuf,
    /// `Some` for a kiln checkpoint, whose run must fit the model.
    info: Option<RunInfo>,
}

impl WithModel for Visualize<'_> {
    type Output = Result<(), Box<dyn Error>>;

    fn call<M: Model + Module>(self) -> Self::Output {
        let device = self.args.backend.device();
        let model = match &self.info {
            Some(info) => {
                info.check::<M>()?;
                load_weights(M::init(&device), &self.weights)?
            }
            None => torchvision_weights(M::init(&device), &self.weights)?,
        };
        let picture = picture(self.args.image.as_deref())?;
        let written = write_visuals(&model, &picture, self.stats, &device, &self.out)?;
        for (path, what) in written {
            println!("wrote {}: {what}", path.display());
        }
        Ok(())
    }
}

/// `model` with a torchvision `.pth` file's weights.
#[cfg(feature = "torchvision")]
fn torchvision_weights<M: Module>(model: M, file: &Path) -> Result<M, Box<dyn Error>> {
    Ok(kiln::models::weights::load_torchvision(&model, file)?)
}

/// Without the `torchvision` feature `.pth` files cannot be read.
#[cfg(not(feature = "torchvision"))]
fn torchvision_weights<M: Module>(_: M, file: &Path) -> Result<M, Box<dyn Error>> {
    Err(format!(
        "{}: reading torchvision files needs kiln's `torchvision` feature \
         (`cargo xtask visualize` turns it on for .pth files)",
        file.display()
    )
    .into())
}

/// The picture named, or the vendored Fashion-MNIST's first test image.
fn picture(image: Option<&Path>) -> Result<Picture, Box<dyn Error>> {
    if let Some(path) = image {
        return Ok(read_picture(path)?);
    }
    let data = Dataset::mnist(&fashion_mnist_dir())?;
    let (rows, cols) = (data.test.images.rows, data.test.images.cols);
    Ok(Picture {
        width: cols,
        height: rows,
        channels: 1,
        pixels: data.test.images.pixels[..rows * cols].to_vec(),
    })
}

/// ImageNet's per-channel means and standard deviations (torchvision's), averaged over the
/// channels: kiln normalises every channel alike.
const IMAGENET_STATS: (f32, f32) = ((0.485 + 0.456 + 0.406) / 3.0, (0.229 + 0.224 + 0.225) / 3.0);

/// Writes the pictures `args` asks for.
pub fn run(args: &Args) -> Result<(), Box<dyn Error>> {
    let is_pth = args
        .checkpoint
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("pth"));
    if is_pth {
        let name = args.model.as_deref().ok_or_else(|| {
            format!(
                "{}: a torchvision file needs --model (the zoo name it is for, e.g. resnet18)",
                args.checkpoint.display()
            )
        })?;
        let out = args.out.clone().unwrap_or_else(|| PathBuf::from("visuals"));
        let job = Visualize {
            args,
            stats: IMAGENET_STATS,
            weights: args.checkpoint.clone(),
            out,
            info: None,
        };
        return with_imagenet_model(name, job)?;
    }
    let job = |info: RunInfo, weights: PathBuf| {
        let run = weights
            .parent()
            .and_then(Path::parent)
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        Visualize {
            args,
            stats: info.stats,
            weights,
            out: args.out.clone().unwrap_or_else(|| run.join("visuals")),
            info: Some(info),
        }
    };
    with_checkpoint(&args.checkpoint, job)?
}

/// Calls `job` with the zoo model named `name` at ImageNet's input and classes, as torchvision
/// declares it.
fn with_imagenet_model<J: WithModel>(name: &str, job: J) -> Result<J::Output, String> {
    use kiln::models::*;
    Ok(match name {
        "alexnet" => job.call::<AlexNet>(),
        "vgg11" => job.call::<Vgg11>(),
        "vgg11-bn" => job.call::<Vgg11Bn>(),
        "vgg13" => job.call::<Vgg13>(),
        "vgg13-bn" => job.call::<Vgg13Bn>(),
        "vgg16" => job.call::<Vgg16>(),
        "vgg16-bn" => job.call::<Vgg16Bn>(),
        "vgg19" => job.call::<Vgg19>(),
        "vgg19-bn" => job.call::<Vgg19Bn>(),
        "resnet18" => job.call::<ResNet18>(),
        "resnet34" => job.call::<ResNet34>(),
        "resnet50" => job.call::<ResNet50>(),
        "resnet101" => job.call::<ResNet101>(),
        "resnet152" => job.call::<ResNet152>(),
        "googlenet" => job.call::<GoogLeNet>(),
        other => {
            return Err(format!(
                "no torchvision model `{other}`; these read torchvision files: alexnet, vgg11, \
                 vgg11-bn, vgg13, vgg13-bn, vgg16, vgg16-bn, vgg19, vgg19-bn, resnet18, \
                 resnet34, resnet50, resnet101, resnet152, googlenet"
            ));
        }
    })
}
