//! MNIST-format directories (MNIST, Fashion-MNIST, KMNIST).

use std::path::{Path, PathBuf};

use burn::tensor::{Device, Int, Tensor, TensorData};

use crate::{Augment, DataError, ImageSize, Images, SplitMix64, read_images, read_labels};

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

impl Split {
    /// Number of examples.
    pub fn len(&self) -> usize {
        self.labels.len()
    }

    /// Whether the split is empty.
    pub fn is_empty(&self) -> bool {
        self.labels.is_empty()
    }

    /// Mean and standard deviation of the pixels scaled to [0, 1].
    pub fn pixel_stats(&self) -> (f32, f32) {
        let n = self.images.pixels.len().max(1) as f64;
        let mean = self
            .images
            .pixels
            .iter()
            .map(|&p| p as f64 / 255.0)
            .sum::<f64>()
            / n;
        let var = self
            .images
            .pixels
            .iter()
            .map(|&p| (p as f64 / 255.0 - mean).powi(2))
            .sum::<f64>()
            / n;
        (mean as f32, var.sqrt() as f32)
    }

    /// The size of one image.
    pub fn image_size(&self) -> ImageSize {
        ImageSize {
            rows: self.images.rows,
            cols: self.images.cols,
            depth: self.images.depth,
        }
    }

    /// The examples at `indices` as a normalised `[batch, depth, rows, cols]` tensor and
    /// `[batch]` labels.
    pub fn batch(
        &self,
        indices: &[usize],
        stats: (f32, f32),
        device: &Device,
    ) -> (Tensor<4>, Tensor<1, Int>) {
        self.batch_with(indices, device, |image, out| normalise(image, stats, out))
    }

    /// [`batch`](Split::batch) with each image passed through `augment`, drawing from `rng`,
    /// before normalisation: training batches.
    pub fn augmented_batch(
        &self,
        indices: &[usize],
        stats: (f32, f32),
        augment: &Augment,
        rng: &mut SplitMix64,
        device: &Device,
    ) -> (Tensor<4>, Tensor<1, Int>) {
        let size = self.image_size();
        self.batch_with(indices, device, |image, out| {
            normalise(&augment.apply(image, size, rng), stats, out)
        })
    }

    /// The batch at `indices`, each image's values appended to the batch by `values`.
    fn batch_with(
        &self,
        indices: &[usize],
        device: &Device,
        mut values: impl FnMut(&[u8], &mut Vec<f32>),
    ) -> (Tensor<4>, Tensor<1, Int>) {
        let size = self.image_size();
        let mut all = Vec::with_capacity(indices.len() * size.len());
        for &i in indices {
            values(
                &self.images.pixels[i * size.len()..(i + 1) * size.len()],
                &mut all,
            );
        }
        let images = Tensor::from_data(
            TensorData::new(all, [indices.len(), size.depth, size.rows, size.cols]),
            device,
        );
        let labels: Vec<i64> = indices.iter().map(|&i| self.labels[i] as i64).collect();
        let labels = Tensor::from_data(TensorData::new(labels, [indices.len()]), device);
        (images, labels)
    }
}

/// Appends `image`'s bytes scaled to [0, 1] and standardised with `(mean, std)`, as every
/// batch is (use the training set's [`Split::pixel_stats`]).
pub fn normalise(image: &[u8], (mean, std): (f32, f32), out: &mut Vec<f32>) {
    out.extend(image.iter().map(|&p| (p as f32 / 255.0 - mean) / std));
}
