//! Where training and evaluation read labelled images from: kiln's [`Split`]s, or an
//! application's own [`Source`] (images in memory, rows of a database) that never touches a
//! file.

use burn::tensor::{Device, Int, Tensor, TensorData};

use crate::{Augment, DataError, ImageSize, Split, SplitMix64};

/// Labelled images of one size, read by index: what `kiln_train::fit` trains on and evaluates.
///
/// Implement [`len`](Source::len), [`image_size`](Source::image_size) and
/// [`read`](Source::read); statistics and batches come with the trait. `read` may fail (a
/// database gone away): the error stops training with the epoch and step, and the last
/// checkpoint stays.
///
/// # Shapes
/// Every image is `image_size().depth` planes of `rows × cols` bytes, plane-major (as the IDX
/// and CIFAR-10 files store them); batches are `[batch, depth, rows, cols]` tensors.
pub trait Source: Sync {
    /// Number of examples.
    fn len(&self) -> usize;

    /// The size every image has.
    fn image_size(&self) -> ImageSize;

    /// Appends example `index`'s `image_size().len()` pixel bytes to `pixels` and returns its
    /// label (a class index).
    fn read(&self, index: usize, pixels: &mut Vec<u8>) -> Result<u8, DataError>;

    /// Whether there are no examples.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Mean and standard deviation of all pixels scaled to [0, 1], the normalisation of every
    /// batch (use the training set's).
    fn pixel_stats(&self) -> Result<(f32, f32), DataError> {
        let (mut sum, mut count, mut image) = (0.0f64, 0usize, Vec::new());
        for i in 0..self.len() {
            image.clear();
            self.read(i, &mut image)?;
            // One running sum in pixel order, as over one array of every pixel.
            sum = image.iter().fold(sum, |s, &p| s + p as f64 / 255.0);
            count += image.len();
        }
        let mean = sum / count.max(1) as f64;
        let mut squares = 0.0f64;
        for i in 0..self.len() {
            image.clear();
            self.read(i, &mut image)?;
            squares = image
                .iter()
                .fold(squares, |s, &p| s + (p as f64 / 255.0 - mean).powi(2));
        }
        let var = squares / count.max(1) as f64;
        Ok((mean as f32, var.sqrt() as f32))
    }

    /// The examples at `indices` as a normalised `[batch, depth, rows, cols]` tensor and
    /// `[batch]` labels.
    fn batch(
        &self,
        indices: &[usize],
        stats: (f32, f32),
        device: &Device,
    ) -> Result<(Tensor<4>, Tensor<1, Int>), DataError> {
        batch_with(self, indices, device, |image, out| {
            normalise(image, stats, out)
        })
    }

    /// [`batch`](Source::batch) with each image passed through `augment`, drawing from `rng`,
    /// before normalisation: training batches.
    fn augmented_batch(
        &self,
        indices: &[usize],
        stats: (f32, f32),
        augment: &Augment,
        rng: &mut SplitMix64,
        device: &Device,
    ) -> Result<(Tensor<4>, Tensor<1, Int>), DataError> {
        let size = self.image_size();
        batch_with(self, indices, device, |image, out| {
            normalise(&augment.apply(image, size, rng), stats, out)
        })
    }
}

/// The batch at `indices` of `source`, each image's values appended to the batch by `values`.
fn batch_with<S: Source + ?Sized>(
    source: &S,
    indices: &[usize],
    device: &Device,
    mut values: impl FnMut(&[u8], &mut Vec<f32>),
) -> Result<(Tensor<4>, Tensor<1, Int>), DataError> {
    let size = source.image_size();
    let mut all = Vec::with_capacity(indices.len() * size.len());
    let mut labels = Vec::with_capacity(indices.len());
    let mut image = Vec::with_capacity(size.len());
    for &i in indices {
        image.clear();
        labels.push(source.read(i, &mut image)? as i64);
        if image.len() != size.len() {
            return Err(DataError::Example {
                index: i,
                reason: format!(
                    "{} pixel bytes, images of {}×{}×{} have {}",
                    image.len(),
                    size.cols,
                    size.rows,
                    size.depth,
                    size.len()
                ),
            });
        }
        values(&image, &mut all);
    }
    let images = Tensor::from_data(
        TensorData::new(all, [indices.len(), size.depth, size.rows, size.cols]),
        device,
    );
    let labels = Tensor::from_data(TensorData::new(labels, [indices.len()]), device);
    Ok((images, labels))
}

/// Appends `image`'s bytes scaled to [0, 1] and standardised with `(mean, std)`, as every
/// batch is (use the training set's [`Source::pixel_stats`]).
pub fn normalise(image: &[u8], (mean, std): (f32, f32), out: &mut Vec<f32>) {
    out.extend(image.iter().map(|&p| (p as f32 / 255.0 - mean) / std));
}

impl Source for Split {
    fn len(&self) -> usize {
        self.labels.len()
    }

    fn image_size(&self) -> ImageSize {
        ImageSize {
            rows: self.images.rows,
            cols: self.images.cols,
            depth: self.images.depth,
        }
    }

    fn read(&self, index: usize, pixels: &mut Vec<u8>) -> Result<u8, DataError> {
        let size = self.image_size().len();
        let (Some(&label), Some(image)) = (
            self.labels.get(index),
            self.images.pixels.get(index * size..(index + 1) * size),
        ) else {
            return Err(DataError::Example {
                index,
                reason: format!(
                    "out of range: {} labels and {} images",
                    self.labels.len(),
                    self.images.pixels.len() / size.max(1)
                ),
            });
        };
        pixels.extend_from_slice(image);
        Ok(label)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Images;

    /// An application's source: images computed from their index, one failing.
    struct Computed {
        failing: usize,
        /// An example with one byte too many.
        long: usize,
    }

    impl Source for Computed {
        fn len(&self) -> usize {
            6
        }
        fn image_size(&self) -> ImageSize {
            ImageSize {
                rows: 2,
                cols: 1,
                depth: 1,
            }
        }
        fn read(&self, index: usize, pixels: &mut Vec<u8>) -> Result<u8, DataError> {
            if index == self.failing {
                return Err(DataError::Example {
                    index,
                    reason: "row gone".into(),
                });
            }
            pixels.extend([index as u8 * 10, 255]);
            if index == self.long {
                pixels.push(0);
            }
            Ok(index as u8 % 3)
        }
    }

    fn as_split(source: &Computed) -> Split {
        let mut pixels = Vec::new();
        let labels = (0..source.len())
            .map(|i| source.read(i, &mut pixels).unwrap())
            .collect();
        Split {
            images: Images {
                count: source.len(),
                rows: 2,
                cols: 1,
                depth: 1,
                pixels,
            },
            labels,
        }
    }

    #[test]
    fn a_computed_source_batches_as_the_same_split_does() {
        let source = Computed {
            failing: 99,
            long: 99,
        };
        let split = as_split(&source);
        let stats = source.pixel_stats().unwrap();
        // The formula: pixels 0, 10, …, 50 and six 255s, scaled to [0, 1].
        let values: Vec<f64> = (0..6)
            .flat_map(|i| [i as f64 * 10.0 / 255.0, 1.0])
            .collect();
        let mean = values.iter().sum::<f64>() / 12.0;
        let std = (values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / 12.0).sqrt();
        assert!((stats.0 as f64 - mean).abs() < 1e-6 && (stats.1 as f64 - std).abs() < 1e-6);
        assert_eq!(split.pixel_stats().unwrap(), stats);
        let device = Device::flex();
        let (a, la) = source.batch(&[4, 1], stats, &device).unwrap();
        let (b, lb) = split.batch(&[4, 1], stats, &device).unwrap();
        assert_eq!(a.dims(), [2, 1, 2, 1]);
        assert_eq!(a.into_data(), b.into_data());
        let labels: Vec<i64> = la.into_data().iter::<i64>().collect();
        assert_eq!(labels, vec![1, 1]);
        assert_eq!(lb.into_data().iter::<i64>().collect::<Vec<_>>(), labels);
        let first = (40.0 / 255.0 - stats.0) / stats.1;
        let b = split.batch(&[4], stats, &device).unwrap().0.into_data();
        assert!((b.try_to_vec::<f32>().unwrap()[0] - first).abs() < 1e-6);
    }

    #[test]
    fn a_failing_read_and_a_short_image_are_errors_naming_the_example() {
        let device = Device::flex();
        let error = Computed {
            failing: 2,
            long: 3,
        }
        .batch(&[0, 2], (0.0, 1.0), &device)
        .unwrap_err();
        assert_eq!(error.to_string(), "example 2: row gone");
        let error = Computed {
            failing: 2,
            long: 3,
        }
        .batch(&[0, 3], (0.0, 1.0), &device)
        .unwrap_err();
        let expected = "example 3: 3 pixel bytes, images of 1×2×1 have 2";
        assert_eq!(error.to_string(), expected);
        let split = as_split(&Computed {
            failing: 99,
            long: 99,
        });
        let error = split.batch(&[7], (0.0, 1.0), &device).unwrap_err();
        assert!(
            error.to_string().starts_with("example 7: out of range"),
            "{error}"
        );
    }
}
