//! Convolution lowered to matrix products: im2col + gemm per image, parallel over images.
//! It serves every dense geometry; [`super::direct`] takes the stride-1 ones on CPUs with AVX2.
//!
//! All three passes share one column matrix per image: forward `Y = W · col`, weight gradient
//! `dW += dY · colᵀ`, input gradient `dX = col2im(Wᵀ · dY)`.

use std::cell::RefCell;

use rayon::prelude::*;

use super::{ConvGeometry, Epilogue, MatRef, col2im, im2col, matmul};

thread_local! {
    /// Each thread's column-matrix buffer, kept between calls: a fresh one per image (or per
    /// rayon job) costs an allocation of up to a few MB and its page faults every time.
    static SCRATCH: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` with this thread's scratch buffer.
fn with_scratch<R>(f: impl FnOnce(&mut Vec<f32>) -> R) -> R {
    SCRATCH.with(|scratch| f(&mut scratch.borrow_mut()))
}

/// The column matrix of one image: the image itself for a pointwise convolution, else
/// `scratch` filled by [`im2col`].
fn columns<'a>(g: &ConvGeometry, image: &'a [f32], scratch: &'a mut Vec<f32>) -> &'a [f32] {
    if g.is_pointwise() {
        return image;
    }
    scratch.resize(g.patch_len() * g.out_pixels(), 0.0);
    im2col(g, image, scratch);
    scratch
}

/// Forward convolution, each sum written through `epilogue`.
///
/// # Shapes
/// - `x`: `[batch, in_channels, in_h, in_w]`, `weight`: `[out_channels, in_channels, kh, kw]`,
///   the epilogue's `scale` and `shift`: `[out_channels]`
/// - returns `[batch, out_channels, out_h, out_w]`
pub fn forward(g: &ConvGeometry, x: &[f32], weight: &[f32], epilogue: Epilogue<'_>) -> Vec<f32> {
    let (in_len, pixels) = (g.in_channels * g.in_pixels(), g.out_pixels());
    let out_len = g.out_channels * pixels;
    assert_eq!(x.len(), g.batch * in_len, "conv forward: input size");
    assert_eq!(
        weight.len(),
        g.out_channels * g.patch_len(),
        "conv forward: weight size"
    );
    epilogue.check(g.out_channels);
    let w = MatRef::row_major(weight, g.out_channels, g.patch_len());
    let mut out = vec![0.0; g.batch * out_len];
    out.par_chunks_mut(out_len)
        .zip(x.par_chunks(in_len))
        .for_each(|(y, image)| {
            with_scratch(|scratch| {
                let col = columns(g, image, scratch);
                matmul(y, w, MatRef::row_major(col, g.patch_len(), pixels), false);
                epilogue.apply(y, g.out_channels, pixels);
            })
        });
    out
}

/// Gradient of the loss with respect to the convolution's input.
///
/// # Shapes
/// - `weight`: `[out_channels, in_channels, kh, kw]`, `grad`: `[batch, out_channels, out_h, out_w]`
/// - returns `[batch, in_channels, in_h, in_w]`
pub fn input_grad(g: &ConvGeometry, weight: &[f32], grad: &[f32]) -> Vec<f32> {
    let (in_len, pixels) = (g.in_channels * g.in_pixels(), g.out_pixels());
    let out_len = g.out_channels * pixels;
    assert_eq!(
        grad.len(),
        g.batch * out_len,
        "conv input grad: gradient size"
    );
    assert_eq!(
        weight.len(),
        g.out_channels * g.patch_len(),
        "conv input grad: weight size"
    );
    let w_t = MatRef::transposed(weight, g.patch_len(), g.out_channels);
    let mut dx = vec![0.0; g.batch * in_len];
    dx.par_chunks_mut(in_len)
        .zip(grad.par_chunks(out_len))
        .for_each(|(dx, dy)| {
            let dy = MatRef::row_major(dy, g.out_channels, pixels);
            if g.is_pointwise() {
                matmul(dx, w_t, dy, false);
                return;
            }
            with_scratch(|scratch| {
                scratch.resize(g.patch_len() * pixels, 0.0);
                matmul(scratch, w_t, dy, false);
                col2im(g, scratch, dx);
            })
        });
    dx
}

/// Gradient of the loss with respect to the weight, summed over the batch: each thread
/// accumulates its share of the images into one partial sum, and the partial sums are added
/// in order, so the result does not depend on how rayon scheduled the work (resumed training
/// runs must repeat uninterrupted ones exactly).
///
/// # Shapes
/// - `x`: `[batch, in_channels, in_h, in_w]`, `grad`: `[batch, out_channels, out_h, out_w]`
/// - returns `[out_channels, in_channels, kh, kw]`
pub fn weight_grad(g: &ConvGeometry, x: &[f32], grad: &[f32]) -> Vec<f32> {
    let (in_len, pixels) = (g.in_channels * g.in_pixels(), g.out_pixels());
    let out_len = g.out_channels * pixels;
    assert_eq!(x.len(), g.batch * in_len, "conv weight grad: input size");
    assert_eq!(
        grad.len(),
        g.batch * out_len,
        "conv weight grad: gradient size"
    );
    let w_len = g.out_channels * g.patch_len();
    let per_thread = g.batch.div_ceil(rayon::current_num_threads()).max(1);
    x.par_chunks(per_thread * in_len)
        .zip(grad.par_chunks(per_thread * out_len))
        .map(|(images, grads)| {
            let mut dw = vec![0.0; w_len];
            with_scratch(|scratch| {
                let pairs = images.chunks(in_len).zip(grads.chunks(out_len));
                for (i, (image, dy)) in pairs.enumerate() {
                    let col = columns(g, image, scratch);
                    matmul(
                        &mut dw,
                        MatRef::row_major(dy, g.out_channels, pixels),
                        MatRef::transposed(col, pixels, g.patch_len()),
                        i > 0,
                    );
                }
            });
            dw
        })
        .collect::<Vec<_>>()
        .into_iter()
        .reduce(|mut a, b| {
            a.iter_mut().zip(&b).for_each(|(a, b)| *a += b);
            a
        })
        .unwrap_or_else(|| vec![0.0; w_len])
}
