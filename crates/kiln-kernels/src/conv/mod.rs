//! 2-D convolution on contiguous NCHW `f32` slices: forward, input gradient, weight gradient
//! and bias gradient.
//!
//! burn-flex runs a convolution as a 3-D one with layout copies around it, and its gradients
//! through burn's generic transposed convolution (a scalar scatter) and a weight gradient whose
//! "kernel" is the whole feature map. kiln computes 3×3-like convolutions directly from a
//! padded copy of each image in AVX-512 or AVX2 register tiles ([`simd`], [`direct`]) and
//! lowers the others to matrix products ([`lowered`]: im2col + gemm). `KILN_SIMD=avx2` in the
//! environment keeps the direct passes on AVX2 tiles, `KILN_SIMD=none` every pass on the
//! lowered path (to test the narrower paths on a wider CPU).

#[cfg(target_arch = "x86_64")]
pub mod direct;
mod epilogue;
mod geometry;
mod im2col;
pub mod lowered;
mod matmul;
#[cfg(target_arch = "x86_64")]
pub mod simd;

pub use epilogue::Epilogue;
pub use geometry::ConvGeometry;
pub use im2col::{col2im, im2col};
pub use matmul::{MatRef, matmul};

/// Forward convolution, each sum written through `epilogue` (a bias, a folded batch norm, a
/// ReLU).
///
/// # Shapes
/// - `x`: `[batch, in_channels, in_h, in_w]`, `weight`: `[out_channels, in_channels, kh, kw]`,
///   the epilogue's `scale` and `shift`: `[out_channels]`
/// - returns `[batch, out_channels, out_h, out_w]`
pub fn forward(g: &ConvGeometry, x: &[f32], weight: &[f32], epilogue: Epilogue<'_>) -> Vec<f32> {
    #[cfg(target_arch = "x86_64")]
    if let Some(simd) = simd::Simd::detect().filter(|_| direct::serves_forward(g)) {
        return direct::forward(simd, g, x, weight, epilogue);
    }
    lowered::forward(g, x, weight, epilogue)
}

/// Gradient of the loss with respect to the convolution's input.
///
/// # Shapes
/// - `weight`: `[out_channels, in_channels, kh, kw]`, `grad`: `[batch, out_channels, out_h, out_w]`
/// - returns `[batch, in_channels, in_h, in_w]`
pub fn input_grad(g: &ConvGeometry, weight: &[f32], grad: &[f32]) -> Vec<f32> {
    #[cfg(target_arch = "x86_64")]
    if let Some(simd) = simd::Simd::detect().filter(|_| direct::serves_input_grad(g)) {
        return direct::input_grad(simd, g, weight, grad);
    }
    lowered::input_grad(g, weight, grad)
}

/// Gradient of the loss with respect to the weight, summed over the batch in an order that
/// does not depend on scheduling (resumed training runs must repeat uninterrupted ones
/// exactly).
///
/// # Shapes
/// - `x`: `[batch, in_channels, in_h, in_w]`, `grad`: `[batch, out_channels, out_h, out_w]`
/// - returns `[out_channels, in_channels, kh, kw]`
pub fn weight_grad(g: &ConvGeometry, x: &[f32], grad: &[f32]) -> Vec<f32> {
    #[cfg(target_arch = "x86_64")]
    if let Some(simd) = simd::Simd::detect().filter(|_| direct::serves(g)) {
        return direct::weight_grad(simd, g, x, grad);
    }
    lowered::weight_grad(g, x, grad)
}

/// Gradient of the loss with respect to the bias: the output gradient summed over the batch
/// and the pixels of each channel.
///
/// # Shapes
/// - `grad`: `[batch, out_channels, out_h, out_w]`
/// - returns `[out_channels]`
pub fn bias_grad(g: &ConvGeometry, grad: &[f32]) -> Vec<f32> {
    let pixels = g.out_pixels();
    let mut db = vec![0.0f32; g.out_channels];
    for (i, plane) in grad.chunks_exact(pixels).enumerate() {
        db[i % g.out_channels] += plane.iter().sum::<f32>();
    }
    db
}
