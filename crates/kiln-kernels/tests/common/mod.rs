//! What the kernel tests share: reading a tensor back, and comparing with burn's result.

use burn::tensor::Tensor;

/// The tensor's values in row-major order.
pub fn values<const D: usize>(t: Tensor<D>) -> Vec<f32> {
    t.into_data().try_to_vec::<f32>().unwrap()
}

/// Asserts `got` equals burn's `want` within 1e-4 of the reference's largest magnitude (at
/// least 1); `context` names the case in the message.
pub fn assert_close(got: Vec<f32>, want: Vec<f32>, what: &str, context: &dyn core::fmt::Debug) {
    assert_eq!(
        got.len(),
        want.len(),
        "{what}: sizes differ for {context:?}"
    );
    let scale = want.iter().fold(1.0f32, |m, v| m.max(v.abs()));
    for (i, (g, w)) in got.iter().zip(&want).enumerate() {
        assert!(
            (g - w).abs() <= 1e-4 * scale,
            "{what}: element {i} is {g}, burn gives {w} (scale {scale}) for {context:?}"
        );
    }
}
