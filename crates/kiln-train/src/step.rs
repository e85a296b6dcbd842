//! One optimisation step of a classifier, and its evaluation.

use burn::nn::loss::CrossEntropyLossConfig;
use burn::optim::{GradientsParams, ModuleOptimizer};
use burn::tensor::{Int, Tensor};
use kiln_core::{Model, ShapeMismatch};

/// Why a step could not be taken.
#[derive(Debug, Clone, PartialEq)]
pub enum TrainError {
    /// The batch does not have the model's input shape.
    Shape(ShapeMismatch),
    /// The loss is NaN or infinite.
    NonFiniteLoss(f32),
    /// A label is not a class of the model.
    Label {
        /// The label.
        label: usize,
        /// The model's number of classes.
        classes: usize,
    },
}

impl core::fmt::Display for TrainError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            TrainError::Shape(e) => write!(f, "batch shape: {e}"),
            TrainError::NonFiniteLoss(loss) => write!(f, "the loss is {loss}: training diverged"),
            TrainError::Label { label, classes } => {
                write!(
                    f,
                    "label {label} is not one of the model's {classes} classes"
                )
            }
        }
    }
}

impl std::error::Error for TrainError {}

/// `[batch, C]` logits of a classifier whose output is 1×1×C.
fn logits<M: Model>(model: &M, images: Tensor<4>) -> Result<Tensor<2>, TrainError> {
    let out = model.forward_tensor(images).map_err(TrainError::Shape)?;
    let [batch, classes, ..] = out.dims();
    Ok(out.reshape([batch, classes]))
}

/// One step of `optimizer` on the cross-entropy of `model` over a batch, against targets
/// smoothed by `label_smoothing` (`Some(α)`: `1 − α` on the label and `α / C` on every class);
/// returns the updated model and the batch's loss (the smoothed one) and accuracy (before the
/// update). The model must live on an autodiff device.
///
/// # Shapes
/// - `images`: `[batch, D, H, W]` of the model's input
/// - `labels`: `[batch]`, class indices
pub fn train_step<M: Model>(
    model: M,
    optimizer: &mut ModuleOptimizer,
    lr: f64,
    images: Tensor<4>,
    labels: Tensor<1, Int>,
    label_smoothing: Option<f32>,
) -> Result<(M, Evaluation), TrainError> {
    let logits = logits(&model, images)?;
    let total = labels.dims()[0];
    let correct = count_correct(predictions(&logits), labels.clone());
    let loss = CrossEntropyLossConfig::new()
        .with_smoothing(label_smoothing)
        .init(&logits.device())
        .forward(logits, labels);
    let value = loss.clone().into_scalar::<f32>();
    if !value.is_finite() {
        return Err(TrainError::NonFiniteLoss(value));
    }
    let grads = GradientsParams::from_grads(loss.backward(), &model);
    let evaluation = Evaluation {
        loss: value,
        correct,
        total,
    };
    Ok((optimizer.step(lr, model, grads), evaluation))
}

/// The class with the largest logit, per row.
fn predictions(logits: &Tensor<2>) -> Tensor<1, Int> {
    let [rows, _] = logits.dims();
    logits.clone().argmax(1).reshape([rows])
}

/// How many predictions equal their label.
fn count_correct(predicted: Tensor<1, Int>, labels: Tensor<1, Int>) -> usize {
    predicted.equal(labels).int().sum().into_scalar::<i64>() as usize
}

/// Loss and accuracy of a classifier on a batch.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Evaluation {
    /// Mean cross-entropy.
    pub loss: f32,
    /// Number of correctly classified examples.
    pub correct: usize,
    /// Number of examples.
    pub total: usize,
}

/// Evaluates `model` (in inference mode: call `valid()` first for batch norm and dropout).
///
/// # Shapes
/// - `images`: `[batch, D, H, W]`, `labels`: `[batch]`
pub fn evaluate<M: Model>(
    model: &M,
    images: Tensor<4>,
    labels: Tensor<1, Int>,
) -> Result<Evaluation, TrainError> {
    Ok(evaluate_predictions(model, images, labels)?.0)
}

/// [`evaluate`], also returning each example's predicted class.
///
/// # Shapes
/// - `images`: `[batch, D, H, W]`, `labels`: `[batch]`
pub fn evaluate_predictions<M: Model>(
    model: &M,
    images: Tensor<4>,
    labels: Tensor<1, Int>,
) -> Result<(Evaluation, Vec<usize>), TrainError> {
    let logits = logits(model, images)?;
    let total = labels.dims()[0];
    let loss = CrossEntropyLossConfig::new()
        .init(&logits.device())
        .forward(logits.clone(), labels.clone())
        .into_scalar::<f32>();
    let predicted = predictions(&logits);
    let correct = count_correct(predicted.clone(), labels);
    let classes = predicted
        .into_data()
        .convert::<i64>()
        .try_into_vec::<i64>()
        .expect("argmax gives integers")
        .into_iter()
        .map(|c| c as usize)
        .collect();
    let evaluation = Evaluation {
        loss,
        correct,
        total,
    };
    Ok((evaluation, classes))
}
