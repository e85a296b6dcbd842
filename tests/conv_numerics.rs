//! The typed convolution against a naive cross-correlation written here, and the relation
//! between convolution and cross-correlation (slide 14).

mod common;

use common::max_abs_diff;
use kiln::Act;
use kiln::Layer;
use kiln::burn::module::Param;
use kiln::burn::tensor::{Device, Distribution, Tensor, TensorData};
use kiln::layers::Conv2d;

/// S(k, i, j) = b(k) + Σ_c Σ_m Σ_n I(c, i·S + m − P, j·S + n − P) · K(k, c, m, n), zero outside I.
#[allow(clippy::too_many_arguments)]
fn naive_cross_correlation(
    input: &[f32],
    [d, h, w]: [usize; 3],
    weight: &[f32],
    bias: &[f32],
    [k, f]: [usize; 2],
    stride: usize,
    pad: usize,
) -> (Vec<f32>, [usize; 2]) {
    let h2 = (h + 2 * pad - f) / stride + 1;
    let w2 = (w + 2 * pad - f) / stride + 1;
    let mut out = vec![0.0; k * h2 * w2];
    for o in 0..k {
        for i in 0..h2 {
            for j in 0..w2 {
                let mut sum = bias[o];
                for c in 0..d {
                    for m in 0..f {
                        for n in 0..f {
                            let (y, x) = (
                                (i * stride + m) as isize - pad as isize,
                                (j * stride + n) as isize - pad as isize,
                            );
                            if y >= 0 && x >= 0 && (y as usize) < h && (x as usize) < w {
                                sum += input[(c * h + y as usize) * w + x as usize]
                                    * weight[((o * d + c) * f + m) * f + n];
                            }
                        }
                    }
                }
                out[(o * h2 + i) * w2 + j] = sum;
            }
        }
    }
    (out, [h2, w2])
}

fn values<const D: usize>(t: &Tensor<D>) -> Vec<f32> {
    t.to_data().try_to_vec::<f32>().expect("f32 data")
}

#[test]
fn typed_conv_equals_naive_cross_correlation_with_padding_and_stride() {
    let device = Device::flex();
    device.seed(3);
    type C = Conv2d<3, 4, 3, 2, 1>;
    let conv = <C as Layer<9, 7, 3>>::init(&device);
    let x = Act::<9, 7, 3>::random(1, &device);
    let (expected, [h2, w2]) = naive_cross_correlation(
        &values(x.tensor()),
        [3, 7, 9],
        &values(&conv.inner.weight.val()),
        &values(&conv.inner.bias.as_ref().expect("bias").val()),
        [4, 3],
        2,
        1,
    );
    assert_eq!([h2, w2], [4, 5]);
    let y: Act<5, 4, 4> = x.apply(&conv);
    let expected = Tensor::<4>::from_data(TensorData::new(expected, [1, 4, 4, 5]), &device);
    let diff = max_abs_diff(y.into_tensor(), expected);
    assert!(diff <= 1e-5, "max abs difference {diff}");
}

#[test]
fn convolving_with_k_equals_cross_correlating_with_the_flipped_kernel() {
    let device = Device::flex();
    device.seed(4);
    const F: usize = 3;
    let kernel: Vec<f32> = values(&Tensor::<1>::random(
        [F * F],
        Distribution::Normal(0.0, 1.0),
        &device,
    ));
    let image: Vec<f32> = values(&Tensor::<1>::random(
        [6 * 6],
        Distribution::Normal(0.0, 1.0),
        &device,
    ));
    // True convolution, valid part: S(i, j) = Σ_m Σ_n I(i + F − 1 − m, j + F − 1 − n) · K(m, n).
    let mut convolution = vec![0.0f32; 4 * 4];
    for i in 0..4 {
        for j in 0..4 {
            for m in 0..F {
                for n in 0..F {
                    convolution[i * 4 + j] +=
                        image[(i + F - 1 - m) * 6 + (j + F - 1 - n)] * kernel[m * F + n];
                }
            }
        }
    }
    let flipped: Vec<f32> = (0..F * F).map(|i| kernel[F * F - 1 - i]).collect();
    let mut conv = <Conv2d<1, 1, F, 1, 0, kiln::layers::Opts<kiln::Exact, 1, 1, false>> as Layer<
        6,
        6,
        1,
    >>::init(&device);
    conv.inner.weight = Param::from_tensor(Tensor::from_data(
        TensorData::new(flipped, [1, 1, F, F]),
        &device,
    ));
    let x = Act::<6, 6, 1>::try_from_tensor(Tensor::from_data(
        TensorData::new(image, [1, 1, 6, 6]),
        &device,
    ))
    .expect("shape");
    let y: Act<4, 4, 1> = x.apply(&conv);
    let expected = Tensor::<4>::from_data(TensorData::new(convolution, [1, 1, 4, 4]), &device);
    let diff = max_abs_diff(y.into_tensor(), expected);
    assert!(diff <= 1e-5, "max abs difference {diff}");
}

#[test]
fn ceil_rounding_pads_the_trailing_edge_with_zeros() {
    let device = Device::flex();
    device.seed(5);
    // 6 wide, F = 3, S = 2: (6 − 3)/2 + 1 = 2.5 → 3 with ceil; the last window reads one zero.
    type C = Conv2d<1, 1, 3, 2, 0, kiln::layers::Opts<kiln::Ceil>>;
    let conv = <C as Layer<6, 6, 1>>::init(&device);
    let x = Act::<6, 6, 1>::random(1, &device);
    let input = values(x.tensor());
    // Pad to 7×7 at the bottom/right, then a valid stride-2 cross-correlation.
    let mut padded = vec![0.0; 7 * 7];
    for y in 0..6 {
        padded[y * 7..y * 7 + 6].copy_from_slice(&input[y * 6..y * 6 + 6]);
    }
    let (expected, [h2, w2]) = naive_cross_correlation(
        &padded,
        [1, 7, 7],
        &values(&conv.inner.weight.val()),
        &values(&conv.inner.bias.as_ref().expect("bias").val()),
        [1, 3],
        2,
        0,
    );
    assert_eq!([h2, w2], [3, 3]);
    let y: Act<3, 3, 1> = x.apply(&conv);
    let expected = Tensor::<4>::from_data(TensorData::new(expected, [1, 1, 3, 3]), &device);
    assert!(max_abs_diff(y.into_tensor(), expected) <= 1e-5);
}
