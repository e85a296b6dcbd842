//! The direct convolution, in the register tiles of every instruction set this CPU runs
//! (AVX-512 and AVX2), against kiln's im2col + gemm path (itself checked against burn's
//! operator in `conv.rs`): forward, input gradient and weight gradient over the geometries
//! `model!` can produce (strides 1–3, padding 0–3, dilation, odd sizes; strides 4 and 5 with
//! a 5×5 filter), and which geometries it takes.

#![cfg(target_arch = "x86_64")]

use kiln_kernels::SimdLimit;
use kiln_kernels::conv::direct;
use kiln_kernels::conv::simd::Simd;
use kiln_kernels::conv::{ConvGeometry, Epilogue, lowered};
use proptest::prelude::*;

/// Deterministic values in [-1, 1) from a seed.
fn values(len: usize, seed: u64) -> Vec<f32> {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    (0..len)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state >> 40) as f32 / (1u64 << 23) as f32 - 1.0
        })
        .collect()
}

/// Asserts `got` equals `want` within 1e-4 of `want`'s largest magnitude (at least 1).
fn assert_close(got: &[f32], want: &[f32], what: &str, g: &ConvGeometry) {
    assert_eq!(got.len(), want.len(), "{what}: sizes differ for {g:?}");
    let scale = want.iter().fold(1.0f32, |m, v| m.max(v.abs()));
    for (i, (a, b)) in got.iter().zip(want).enumerate() {
        assert!(
            (a - b).abs() <= 1e-4 * scale,
            "{what}: element {i} is {a}, im2col gives {b} for {g:?}"
        );
    }
}

/// Every pass of `g` by the direct kernels in each instruction set's tiles against the
/// lowered path.
fn check(g: &ConvGeometry, seed: u64) {
    for simd in Simd::available() {
        check_in(simd, g, seed);
    }
}

/// Every pass of `g` by the direct kernels in `simd`'s tiles against the lowered path.
fn check_in(simd: Simd, g: &ConvGeometry, seed: u64) {
    let x = values(g.batch * g.in_channels * g.in_pixels(), seed);
    let w = values(g.out_channels * g.patch_len(), seed + 1);
    let b = values(g.out_channels, seed + 2);
    let dy = values(g.batch * g.out_channels * g.out_pixels(), seed + 3);
    // A bias, and on odd seeds a folded batch norm's scale and a ReLU too.
    let scale = values(g.out_channels, seed + 4);
    let epilogue = Epilogue {
        scale: (seed % 2 == 1).then_some(&scale[..]),
        shift: Some(&b),
        relu: seed % 2 == 1,
    };
    assert_close(
        &direct::forward(simd, g, &x, &w, epilogue),
        &lowered::forward(g, &x, &w, epilogue),
        &format!("forward ({simd:?})"),
        g,
    );
    assert_close(
        &direct::weight_grad(simd, g, &x, &dy),
        &lowered::weight_grad(g, &x, &dy),
        &format!("weight gradient ({simd:?})"),
        g,
    );
    assert_close(
        &direct::input_grad(simd, g, &w, &dy),
        &lowered::input_grad(g, &w, &dy),
        &format!("input gradient ({simd:?})"),
        g,
    );
}

fn geometries() -> impl Strategy<Value = ConvGeometry> {
    (
        (1usize..4, 1usize..9, 1usize..11, 1usize..12, 1usize..12),
        (
            1usize..5,
            1usize..5,
            [0usize..4, 0usize..4, 0usize..4, 0usize..4],
        ),
        (1usize..3, 1usize..3, 1usize..4, 1usize..4),
    )
        .prop_map(
            |((batch, c, k, h, w), (fh, fw, padding), (dh, dw, sh, sw))| ConvGeometry {
                batch,
                in_channels: c,
                in_h: h,
                in_w: w,
                out_channels: k,
                kernel_h: fh,
                kernel_w: fw,
                stride: [sh, sw],
                padding,
                dilation: [dh, dw],
            },
        )
        .prop_filter("a geometry the direct kernels take", direct::serves)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn direct_passes_match_im2col(g in geometries(), seed in 0u64..1000) {
        check(&g, seed);
    }
}

/// A 3×3, padding-1, stride-1 convolution of `c → k` channels on `side × side` images.
fn resnet(batch: usize, c: usize, k: usize, side: usize) -> ConvGeometry {
    ConvGeometry {
        batch,
        in_channels: c,
        in_h: side,
        in_w: side,
        out_channels: k,
        kernel_h: 3,
        kernel_w: 3,
        stride: [1, 1],
        padding: [1; 4],
        dilation: [1, 1],
    }
}

#[test]
fn resnet_shapes_match_im2col() {
    for (i, g) in [
        resnet(128, 1, 16, 28),
        resnet(16, 16, 16, 28),
        resnet(8, 32, 32, 14),
        resnet(8, 64, 64, 7),
        resnet(2, 512, 512, 7),
        resnet(3, 3, 64, 32),
        ConvGeometry {
            stride: [2, 2],
            ..resnet(16, 16, 32, 28)
        },
        ConvGeometry {
            stride: [2, 2],
            ..resnet(8, 32, 64, 14)
        },
    ]
    .iter()
    .enumerate()
    {
        check(g, i as u64);
    }
}

/// Small maps with whole broadcast tiles of channels (64 in AVX-512's registers, 16 in
/// AVX2's) run in broadcast tiles, channels in the lanes: ResNet's 7×7 stage, a strided
/// layer onto 7×7, a 5×5 filter, a dilated one, several blocks of channels, a batch that is
/// not a whole number of the weight gradient's sets. Each is checked in every instruction
/// set, and each runs in broadcast tiles in the widest one at least.
#[test]
fn small_maps_in_broadcast_tiles_match_im2col() {
    let cases = [
        resnet(5, 64, 64, 7),
        resnet(3, 16, 48, 7),
        resnet(2, 128, 128, 5),
        ConvGeometry {
            stride: [2, 2],
            ..resnet(3, 64, 64, 13)
        },
        ConvGeometry {
            kernel_h: 5,
            kernel_w: 5,
            padding: [2, 2, 2, 2],
            ..resnet(2, 64, 64, 6)
        },
        ConvGeometry {
            dilation: [2, 2],
            padding: [2, 1, 2, 3],
            ..resnet(3, 64, 64, 8)
        },
    ];
    for (i, g) in cases.iter().enumerate() {
        for simd in Simd::available() {
            check_in(simd, g, 200 + i as u64);
        }
        let widest = Simd::available()[0];
        if matches!(widest, Simd::Avx512(_)) && g.out_channels % 64 == 0 {
            let paths = direct::broadcasts(widest, g);
            assert!(
                paths[0] && paths[2],
                "{g:?} is not in AVX-512's broadcast tiles: {paths:?}"
            );
        }
        // AVX2's weight gradient rounds rows to 8 positions, not 16: at 7×7 from stride 2,
        // 55 → 56 wastes too little for broadcast tiles, so only its stride-1 weight
        // gradients take them.
        let avx2 = Simd::available()
            .pop()
            .filter(|s| matches!(s, Simd::Avx2(_)));
        if let Some(avx2) = avx2 {
            let [forward, _, weight] = direct::broadcasts(avx2, g);
            assert!(forward, "{g:?} is not in AVX2's broadcast tiles");
            assert_eq!(
                weight,
                g.stride == [1, 1],
                "{g:?}: AVX2's weight gradient in broadcast tiles"
            );
        }
    }
    // The stride-1 input gradient is one phase whose lanes are the input channels.
    let widest = Simd::available()[0];
    assert!(direct::broadcasts(widest, &resnet(1, 64, 64, 7))[1]);
    // Larger maps keep the position tiles in the weight gradient: an eighth of 14×14's
    // positions are padding. The forward pass there computes AVX-512's tiles of 48 positions
    // (240 for 196 pixels, more than an eighth padding) and so takes broadcast tiles; AVX2's
    // tiles of 16 compute 224. (The input gradient's padded rows are 17 wide there, a
    // quarter padding.)
    let [forward, _, weight] = direct::broadcasts(widest, &resnet(1, 64, 64, 14));
    assert_eq!(forward, matches!(widest, Simd::Avx512(_)));
    assert!(!weight);
    // At 28×28 only the input gradient's rows (31 wide: 865 positions, 912 in AVX-512's
    // tiles of 48, 14 % padding) take broadcast tiles, and only on AVX-512.
    let avx512 = matches!(widest, Simd::Avx512(_));
    assert_eq!(
        direct::broadcasts(widest, &resnet(1, 64, 64, 28)),
        [false, avx512, false]
    );
}

/// Strides 4 and 5 (a 5×5 filter reaches every phase of them) split rows in the generic
/// loop, not the vectorised stride-2 and stride-3 ones, and scatter the input gradient with a
/// run-time stride.
#[test]
fn wide_strides_match_im2col() {
    for (i, (stride, padding, side)) in [
        ([4, 5], [2, 1, 3, 0], [17, 23]),
        ([5, 4], [0, 2, 1, 3], [21, 13]),
        ([4, 4], [1, 1, 1, 1], [9, 9]),
    ]
    .into_iter()
    .enumerate()
    {
        let g = ConvGeometry {
            batch: 2,
            in_channels: 3,
            in_h: side[0],
            in_w: side[1],
            out_channels: 40,
            kernel_h: 5,
            kernel_w: 5,
            stride,
            padding,
            dilation: [1, 1],
        };
        assert!(direct::serves_forward(&g) && direct::serves_input_grad(&g));
        check(&g, 100 + i as u64);
    }
}

#[test]
fn the_limit_picks_the_tiles() {
    let widest = Simd::available().first().copied();
    let avx2 = Simd::available()
        .into_iter()
        .find(|s| matches!(s, Simd::Avx2(_)));
    kiln_kernels::set_simd_limit(SimdLimit::None);
    assert_eq!(Simd::detect(), None);
    kiln_kernels::set_simd_limit(SimdLimit::Avx2);
    assert_eq!(Simd::detect(), avx2);
    kiln_kernels::set_simd_limit(SimdLimit::Avx512);
    assert_eq!(Simd::detect(), widest);
}

#[test]
fn which_geometries_the_direct_kernels_take() {
    let g = resnet(1, 4, 4, 8);
    assert!(direct::serves(&g) && direct::serves_input_grad(&g));
    // Strided: every pass direct on the phase planes.
    for stride in [[2, 2], [1, 2], [3, 3]] {
        let strided = ConvGeometry {
            stride,
            out_channels: 32,
            ..g
        };
        assert!(direct::serves_forward(&strided) && direct::serves_input_grad(&strided));
    }
    // Unless a phase's transposed convolution sums too few products (4 · 9 / 9 at stride 3).
    assert!(!direct::serves_input_grad(&ConvGeometry {
        stride: [3, 3],
        out_channels: 8,
        ..g
    }));
    // A stride past the filter's reach skips whole phases: im2col + gemm.
    assert!(!direct::serves(&ConvGeometry {
        stride: [4, 1],
        ..g
    }));
    // A 1×1 strided convolution without padding is a subsampled matrix product.
    assert!(!direct::serves(&ConvGeometry {
        kernel_h: 1,
        kernel_w: 1,
        padding: [0; 4],
        stride: [2, 2],
        ..g
    }));
    // A 1×1 unpadded convolution is already a plain matrix product.
    let pointwise = ConvGeometry {
        kernel_h: 1,
        kernel_w: 1,
        padding: [0; 4],
        ..g
    };
    assert!(!direct::serves(&pointwise));
    // Padding past the filter's reach: every pass direct.
    let wide = ConvGeometry {
        padding: [3, 1, 1, 1],
        ..g
    };
    assert!(direct::serves(&wide) && direct::serves_input_grad(&wide));
    // The 1-channel 3×3 stem (9 products per output) runs in direct tiles; a 1-channel 2×2
    // filter (4) has too few for a forward tile to pay: gemm computes it.
    let stem = ConvGeometry {
        in_channels: 1,
        ..g
    };
    assert!(direct::serves_forward(&stem));
    let tiny = ConvGeometry {
        kernel_h: 2,
        kernel_w: 2,
        ..stem
    };
    assert!(direct::serves(&tiny) && !direct::serves_forward(&tiny));
    assert!(direct::serves_forward(&g));
    // The input gradient's flipped convolution sums over the output depth.
    assert!(!direct::serves_input_grad(&ConvGeometry {
        out_channels: 3,
        ..g
    }));
    // Dilation 2 at stride 2: the odd phases hold no tap (their gradient is zero).
    assert!(direct::serves_input_grad(&ConvGeometry {
        dilation: [2, 2],
        stride: [2, 2],
        out_channels: 32,
        ..wide
    }));
}
