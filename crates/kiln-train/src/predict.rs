//! Predictions from code: the most probable classes of each example, with their
//! probabilities, for tensors or pictures of any size, batched, on any backend.

use burn::tensor::activation::softmax;
use burn::tensor::{Device, Tensor, TensorData};
use kiln_core::{Model, ShapeMismatch};
use kiln_data::{ImageSize, Picture, normalise};

/// One example's most probable classes, most probable first.
#[derive(Clone, Debug, PartialEq)]
pub struct Prediction {
    /// `(class, probability)` pairs, probabilities descending.
    pub top: Vec<(usize, f32)>,
}

/// The `k` most probable classes (all of them if the model has fewer) of each image by
/// `model`, a classifier whose output is 1×1×C.
///
/// # Shapes
/// - `images`: `[batch, D, H, W]`, normalised as in training; the model's input shape, or a
///   [`ShapeMismatch`] naming both
/// - output: `batch` predictions
pub fn predict<M: Model>(
    model: &M,
    images: Tensor<4>,
    k: usize,
) -> Result<Vec<Prediction>, ShapeMismatch> {
    let out = model.forward_tensor(images)?;
    let [batch, classes, ..] = out.dims();
    let probabilities: Vec<f32> = softmax(out.reshape([batch, classes]), 1)
        .into_data()
        .iter::<f32>()
        .collect();
    Ok(probabilities
        .chunks(classes.max(1))
        .map(|row| {
            let mut ranked: Vec<(usize, f32)> = row.iter().copied().enumerate().collect();
            ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            ranked.truncate(k);
            Prediction { top: ranked }
        })
        .collect())
}

/// [`predict`] for pictures of any size and colour: each is converted to the model's
/// W×H×D (grey or RGB, resized), normalised with `stats` (the training pixels' mean and
/// standard deviation, as `run.json` records them), and run in batches of at most `batch`.
pub fn predict_pictures<M: Model>(
    model: &M,
    pictures: &[Picture],
    stats: (f32, f32),
    device: &Device,
    k: usize,
    batch: usize,
) -> Result<Vec<Prediction>, ShapeMismatch> {
    let [cols, rows, depth] = M::INPUT;
    let size = ImageSize { rows, cols, depth };
    let mut predictions = Vec::with_capacity(pictures.len());
    for chunk in pictures.chunks(batch.max(1)) {
        let mut values = Vec::with_capacity(chunk.len() * rows * cols * depth);
        for picture in chunk {
            normalise(&picture.to_input(size), stats, &mut values);
        }
        let shape = [chunk.len(), depth, rows, cols];
        let images = Tensor::<4>::from_data(TensorData::new(values, shape), device);
        predictions.extend(predict(model, images, k)?);
    }
    Ok(predictions)
}
