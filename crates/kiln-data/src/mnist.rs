//! MNIST-format directories (MNIST, Fashion-MNIST, KMNIST).

use std::path::{Path, PathBuf};

use crate::{DataError, Images, read_images, read_labels};

/// Fashion-MNIST's class names, by label.
pub const FASHION_MNIST_CLASSES: [&str; 10] = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
];

/// The Fashion-MNIST files vendored with kiln (`data/fashion-mnist` in the repository, MIT
/// licence beside them), the default data of training and tests.
pub fn fashion_mnist_dir() -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../data/fashion-mnist"
    ))
}

/// Images with their labels.
#[derive(Clone, Debug)]
pub struct Split {
    /// The images.
    pub images: Images,
    /// One label per image.
    pub labels: Vec<u8>,
}

/// The training and test splits of a dataset.
#[derive(Clone, Debug)]
pub struct Dataset {
    /// 60 000 images in the original datasets.
    pub train: Split,
    /// 10 000 images in the original datasets.
    pub test: Split,
}

/// `dir/name.gz` if it exists, else `dir/name`.
fn locate(dir: &Path, name: &str) -> PathBuf {
    let gz = dir.join(format!("{name}.gz"));
    if gz.exists() { gz } else { dir.join(name) }
}

fn load_split(dir: &Path, prefix: &str) -> Result<Split, DataError> {
    let image_path = locate(dir, &format!("{prefix}-images-idx3-ubyte"));
    let label_path = locate(dir, &format!("{prefix}-labels-idx1-ubyte"));
    let images = read_images(&image_path)?;
    let labels = read_labels(&label_path, 10)?;
    if labels.len() != images.count {
        return Err(DataError::invalid(
            &label_path,
            format!(
                "{} labels for {} images in {}",
                labels.len(),
                images.count,
                image_path.display()
            ),
        ));
    }
    Ok(Split { images, labels })
}

impl Dataset {
    /// Reads `train-*` and `t10k-*` IDX files (plain or `.gz`) from `dir`: MNIST,
    /// Fashion-MNIST, KMNIST.
    pub fn mnist(dir: &Path) -> Result<Self, DataError> {
        Ok(Dataset {
            train: load_split(dir, "train")?,
            test: load_split(dir, "t10k")?,
        })
    }
}
