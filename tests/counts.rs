//! Parameter and FLOP constants against hand computation, and against burn's run-time count.

use kiln::burn::module::Module;
use kiln::burn::tensor::Device;
use kiln::layers::{
    AvgPool2d, BatchNorm, Conv2d, Dropout, Flatten, GlobalAvgPool, Linear, MaxPool2d, Opts, Relu,
};
use kiln::models::AlexNetPaper;
use kiln::{Floor, Layer};

/// The lecture's conv counts: params (F·F·D1 + 1)·K, FLOPs params·W2·H2.
fn conv_counts(f: usize, d1: usize, k: usize, w2: usize, h2: usize, bias: bool) -> (usize, usize) {
    let per_filter = f * f * d1 + usize::from(bias);
    (per_filter * k, per_filter * w2 * h2 * k)
}

#[test]
fn conv_counts_match_the_slide() {
    type C = Conv2d<3, 96, 11, 4, 0>;
    assert_eq!(<C as Layer<227, 227, 3>>::OUT, [55, 55, 96]);
    let (p, f) = conv_counts(11, 3, 96, 55, 55, true);
    assert_eq!(<C as Layer<227, 227, 3>>::PARAMS, p);
    assert_eq!(<C as Layer<227, 227, 3>>::PARAMS, 34_944);
    assert_eq!(<C as Layer<227, 227, 3>>::FLOPS, f);

    type NoBias = Conv2d<16, 32, 3, 1, 1, Opts<kiln::Exact, 1, 1, false>>;
    let (p, f) = conv_counts(3, 16, 32, 8, 8, false);
    assert_eq!(<NoBias as Layer<8, 8, 16>>::PARAMS, p);
    assert_eq!(<NoBias as Layer<8, 8, 16>>::FLOPS, f);

    type Grouped = Conv2d<16, 32, 3, 1, 1, Opts<kiln::Exact, 1, 4>>;
    assert_eq!(<Grouped as Layer<8, 8, 16>>::PARAMS, (3 * 3 * 4 + 1) * 32);

    type Dilated = Conv2d<1, 2, 3, 1, 0, Opts<kiln::Exact, 2>>;
    assert_eq!(<Dilated as Layer<9, 9, 1>>::OUT, [5, 5, 2]);

    type Pointwise = Conv2d<64, 128, 1, 2, 0, Opts<Floor>>;
    assert_eq!(<Pointwise as Layer<57, 57, 64>>::OUT, [29, 29, 128]);
    assert_eq!(<Pointwise as Layer<57, 57, 64>>::PARAMS, 65 * 128);
}

#[test]
fn other_layer_counts_follow_their_documented_conventions() {
    assert_eq!(<MaxPool2d<3, 2> as Layer<55, 55, 96>>::OUT, [27, 27, 96]);
    assert_eq!(<MaxPool2d<3, 2> as Layer<55, 55, 96>>::PARAMS, 0);
    assert_eq!(
        <MaxPool2d<3, 2> as Layer<55, 55, 96>>::FLOPS,
        9 * 27 * 27 * 96
    );
    assert_eq!(<AvgPool2d<2> as Layer<8, 6, 4>>::OUT, [4, 3, 4]);
    assert_eq!(<AvgPool2d<2> as Layer<8, 6, 4>>::FLOPS, 4 * 4 * 3 * 4);
    assert_eq!(<GlobalAvgPool as Layer<7, 7, 512>>::OUT, [1, 1, 512]);
    assert_eq!(<GlobalAvgPool as Layer<7, 7, 512>>::FLOPS, 7 * 7 * 512);
    assert_eq!(<BatchNorm<64> as Layer<56, 56, 64>>::PARAMS, 128);
    assert_eq!(<BatchNorm<64> as Layer<56, 56, 64>>::BUFFERS, 128);
    assert_eq!(
        <BatchNorm<64> as Layer<56, 56, 64>>::FLOPS,
        2 * 56 * 56 * 64
    );
    assert_eq!(<Relu as Layer<4, 5, 6>>::FLOPS, 120);
    assert_eq!(<Relu as Layer<4, 5, 6>>::PARAMS, 0);
    assert_eq!(<Dropout<5000> as Layer<1, 1, 4096>>::FLOPS, 0);
    assert_eq!(<Flatten as Layer<6, 6, 256>>::OUT, [1, 1, 9216]);
    assert_eq!(
        <Linear<9216, 4096> as Layer<1, 1, 9216>>::PARAMS,
        9217 * 4096
    );
    assert_eq!(
        <Linear<9216, 4096, false> as Layer<1, 1, 9216>>::PARAMS,
        9216 * 4096
    );
    assert_eq!(<Linear<10, 3> as Layer<1, 1, 10>>::FLOPS, 33);
}

#[test]
fn run_time_parameter_count_equals_each_layer_constant() {
    let device = Device::flex();
    fn check<L: Layer<W, H, D>, const W: usize, const H: usize, const D: usize>(device: &Device) {
        assert_eq!(
            L::init(device).num_params(),
            L::PARAMS + L::BUFFERS,
            "{}",
            L::describe()
        );
    }
    check::<Conv2d<3, 8, 3, 2, 1, Opts<Floor>>, 10, 10, 3>(&device);
    check::<Conv2d<8, 8, 3, 1, 1, Opts<kiln::Exact, 1, 2, false>>, 6, 6, 8>(&device);
    check::<BatchNorm<8>, 6, 6, 8>(&device);
    check::<Linear<72, 10>, 1, 1, 72>(&device);
    check::<MaxPool2d<2>, 6, 6, 8>(&device);
}

#[test]
fn alexnet_counts_match_hand_computation() {
    let convs = [
        conv_counts(11, 3, 96, 55, 55, true),
        conv_counts(5, 96, 256, 27, 27, true),
        conv_counts(3, 256, 384, 13, 13, true),
        conv_counts(3, 384, 384, 13, 13, true),
        conv_counts(3, 384, 256, 13, 13, true),
    ];
    let fcs = [(9216 + 1) * 4096, (4096 + 1) * 4096, (4096 + 1) * 1000];
    let params: usize = convs.iter().map(|c| c.0).sum::<usize>() + fcs.iter().sum::<usize>();
    assert_eq!(params, 62_378_344);
    assert_eq!(AlexNetPaper::PARAMS, params);
    assert_eq!(AlexNetPaper::summary().total_params(), params);
    assert_eq!(AlexNetPaper::OUTPUT, [1, 1, 1000]);

    let pools = 9 * (27 * 27 * 96 + 13 * 13 * 256 + 6 * 6 * 256);
    let relus = 55 * 55 * 96 + 27 * 27 * 256 + 13 * 13 * 384 * 2 + 13 * 13 * 256 + 4096 * 2;
    let flops =
        convs.iter().map(|c| c.1).sum::<usize>() + fcs.iter().sum::<usize>() + pools + relus;
    assert_eq!(AlexNetPaper::FLOPS, flops);

    let shapes: Vec<[usize; 3]> = AlexNetPaper::summary()
        .rows
        .iter()
        .map(|r| r.output)
        .collect();
    for expected in [
        [55, 55, 96],
        [27, 27, 96],
        [27, 27, 256],
        [13, 13, 256],
        [6, 6, 256],
        [1, 1, 9216],
    ] {
        assert!(
            shapes.contains(&expected),
            "{expected:?} missing from {shapes:?}"
        );
    }
    assert_eq!(AlexNetPaper::BUFFERS, 0);
    assert_eq!(AlexNetPaper::init(&Device::flex()).num_params(), params);
}
