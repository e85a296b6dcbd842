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
    /// The batch's examples could not be read from their source (the message names the
    /// file or example).
    Data(String),
}

impl core::fmt::Display for TrainError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            TrainError::Shape(e) => write!(f, "batch shape: {e}"),
            TrainError::NonFiniteLoss(loss) => write!(f, "the loss is {loss}: training diverged"),
            TrainError::Data(why) => write!(f, "reading the batch: {why}"),
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

impl From<kiln_data::DataError> for TrainError {
    fn from(error: kiln_data::DataError) -> Self {
        TrainError::Data(error.to_string())
    }
}

/// `[batch, C]` logits of a classifier whose output is 1×1×C.
fn logits<M: Model>(model: &M, images: Tensor<4>) -> Result<Tensor<2>, TrainError> {
    let out = model.forward_tensor(images).map_err(TrainError::Shape)?;
    let [batch, classes, ..] = out.dims();
    Ok(out.reshape([batch, classes]))
}

/// Which views of each image an evaluation averages the logits of: test-time augmentation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TestViews {
    /// The image as it is.
    #[default]
    Plain,
    /// The image and its mirror image (columns reversed): for a model trained with random
    /// horizontal flips, to which both views are the same garment. Costs a second forward pass.
    Flip,
}

impl TestViews {
    /// The views a model trained with (`flips = true`) or without random horizontal flips is
    /// tested on.
    pub fn of_training(flips: bool) -> Self {
        if flips { Self::Flip } else { Self::Plain }
    }

    /// The name in `run.json` and on the command line: `plain` or `flip`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Plain => "plain",
            Self::Flip => "flip",
        }
    }

    /// The mean of the model's logits over these views of `images`.
    ///
    /// # Shapes
    /// - `images`: `[batch, D, H, W]` → `[batch, C]`
    fn logits<M: Model>(self, model: &M, images: Tensor<4>) -> Result<Tensor<2>, TrainError> {
        match self {
            Self::Plain => logits(model, images),
            Self::Flip => {
                let mirrored = logits(model, images.clone().flip([3]))?;
                Ok((logits(model, images)? + mirrored) * 0.5)
            }
        }
    }
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

impl core::str::FromStr for TestViews {
    type Err = String;

    /// The views named `name` ([`TestViews::name`]).
    fn from_str(name: &str) -> Result<Self, String> {
        [Self::Plain, Self::Flip]
            .into_iter()
            .find(|v| v.name() == name)
            .ok_or_else(|| format!("unknown test views `{name}`: use plain or flip"))
    }
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
    Ok(evaluate_predictions(model, images, labels, TestViews::Plain)?.0)
}

/// [`evaluate`] on the mean logits of `views` of each image, also returning each example's
/// predicted class.
///
/// # Shapes
/// - `images`: `[batch, D, H, W]`, `labels`: `[batch]`
pub fn evaluate_predictions<M: Model>(
    model: &M,
    images: Tensor<4>,
    labels: Tensor<1, Int>,
    views: TestViews,
) -> Result<(Evaluation, Vec<usize>), TrainError> {
    let logits = views.logits(model, images)?;
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
