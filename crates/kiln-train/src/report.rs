//! The test report of a trained classifier, as `cargo xtask train` prints it at the end of a
//! run and `cargo xtask eval` prints it for a checkpoint.

use burn::tensor::Device;
use kiln_core::Model;
use kiln_data::Source;

use crate::confusion::ConfusionMatrix;
use crate::fit::confusion_split;
use crate::step::{Evaluation, TestViews, TrainError};

/// Evaluates `model` (inference mode) on the examples of `split` at `indices` with `views`
/// (and, when those are not plain, with the image alone too) and returns the confusion matrix
/// of `views` and one report line per evaluation, e.g. `test (flip views): loss 0.2500,
/// accuracy 94.00% (9400/10000)`.
pub fn test_report<M: Model>(
    model: &M,
    split: &dyn Source,
    indices: &[usize],
    stats: (f32, f32),
    device: &Device,
    classes: &[&str],
    views: TestViews,
) -> Result<(ConfusionMatrix, String), TrainError> {
    let test = |views| confusion_split(model, split, indices, stats, device, classes, views);
    let (result, confusion) = test(views)?;
    let mut report = line(&result, views);
    if views != TestViews::Plain {
        let (plain, _) = test(TestViews::Plain)?;
        report = format!("{report}\n{}", line(&plain, TestViews::Plain));
    }
    Ok((confusion, report))
}

/// One evaluation's report line.
fn line(result: &Evaluation, views: TestViews) -> String {
    format!(
        "test ({} views): loss {:.4}, accuracy {:.2}% ({}/{})",
        views.name(),
        result.loss,
        100.0 * result.correct as f64 / result.total.max(1) as f64,
        result.correct,
        result.total
    )
}
