//! The CIFAR-10 networks of He et al. (2015), §4.2: 6n+2 layers in three stages of 16, 32 and
//! 64 filters on 32×32 maps, global average pooling and a fully connected layer; ResNet-20,
//! 32, 44, 56 and 110 for n = 3, 5, 7, 9, 18, and the plain nets with the same layers and no
//! shortcuts, for the depth-degradation experiment.
//!
//! ResNet-20 and the 20-layer plain net are declared here for CIFAR-10; the deeper ones are a
//! line each with [`cifar_resnet!`] and [`cifar_plain!`] (declaring all of them here would
//! make every build of this crate type-check some 2,000 more layers).
//!
//! The first convolution of stages 2 and 3 has stride 2 and floors, as in every PyTorch
//! implementation: (32 − 3 + 2)/2 + 1 = 16.5 is floored to 16.

/// Declares a CIFAR-style ResNet with `n` basic blocks per stage (6n + 2 layers) at any input
/// and class count.
///
/// `shortcut: A` (the paper's choice for CIFAR) subsamples the identity and pads it with zero
/// depth slices where the depth doubles, adding no parameters; `shortcut: B` uses a 1×1
/// convolution and batch norm there instead.
///
/// ```
/// kiln_models::cifar_resnet!(
///     /// ResNet-20 for 28×28 grey images.
///     pub struct MnistResNet20, input: [28, 28, 1], classes: 10, n: 3, shortcut: A
/// );
/// assert_eq!(MnistResNet20::OUTPUT, [1, 1, 10]);
/// ```
#[macro_export]
macro_rules! cifar_resnet {
    ($(#[$attr:meta])* $vis:vis struct $name:ident, input: [$w:tt, $h:tt, $d:tt], classes: $classes:tt,
     n: $n:tt, shortcut: A $(,)?) => {
        $crate::cifar_resnet!(@net $(#[$attr])* $vis struct $name, [$w, $h, $d], $classes, $n,
            { conv1: conv(16, 3, pad = 1, bias = false), bn1: batch_norm, relu, }, [16, 32, 64],
            { pad: pad_identity(32, stride = 2) },
            { pad: pad_identity(64, stride = 2) });
    };
    ($(#[$attr:meta])* $vis:vis struct $name:ident, input: [$w:tt, $h:tt, $d:tt], classes: $classes:tt,
     n: $n:tt, shortcut: B $(,)?) => {
        $crate::cifar_resnet!(@net $(#[$attr])* $vis struct $name, [$w, $h, $d], $classes, $n,
            { conv1: conv(16, 3, pad = 1, bias = false), bn1: batch_norm, relu, }, [16, 32, 64],
            { conv: conv(32, 1, stride = 2, bias = false, round = floor), bn: batch_norm },
            { conv: conv(64, 1, stride = 2, bias = false, round = floor), bn: batch_norm });
    };
    // The network after its stem: three stages of `n` basic blocks with `k1`, `k2`, `k3`
    // filters, the first block of stages 2 and 3 halving the size through the given shortcuts.
    // `compact_resnet!` uses it with its own stem and widths.
    (@net $(#[$attr:meta])* $vis:vis struct $name:ident, [$w:tt, $h:tt, $d:tt], $classes:tt, $n:tt,
     { $($stem:tt)* }, [$k1:tt, $k2:tt, $k3:tt], { $($short2:tt)* }, { $($short3:tt)* }) => {
        $crate::__stages!(@munch [[$(#[$attr])* $vis struct $name] [$w, $h, $d] { $($stem)* } {
            avgpool: global_avg_pool,
            flatten,
            fc: linear($classes),
        }] {}
            basic(layer1, $k1) blocks $n [] []
            basic(layer2, $k2) blocks $n [stride = 2, round = floor] [shortcut { $($short2)* }]
            basic(layer3, $k3) blocks $n [stride = 2, round = floor] [shortcut { $($short3)* }]
        );
    };
}

/// Declares a CIFAR-style plain net: the layers of [`cifar_resnet!`] with `n` blocks per
/// stage, without the shortcuts.
#[macro_export]
macro_rules! cifar_plain {
    ($(#[$attr:meta])* $vis:vis struct $name:ident, input: [$w:tt, $h:tt, $d:tt], classes: $classes:tt,
     n: $n:tt $(,)?) => {
        $crate::__stages!(@munch [[$(#[$attr])* $vis struct $name] [$w, $h, $d] {
            conv1: conv(16, 3, pad = 1, bias = false),
            bn1: batch_norm,
            relu,
        } {
            avgpool: global_avg_pool,
            flatten,
            fc: linear($classes),
        }] {}
            plain([layer1_conv1, layer1_bn1, layer1_conv2, layer1_bn2], 16) blocks $n [] []
            plain([layer2_conv1, layer2_bn1, layer2_conv2, layer2_bn2], 32)
                blocks $n [stride = 2, round = floor] []
            plain([layer3_conv1, layer3_bn1, layer3_conv2, layer3_bn2], 64)
                blocks $n [stride = 2, round = floor] []
        );
    };
}

cifar_resnet!(
    /// ResNet-20 for CIFAR-10 (32×32×3, 10 classes, option A shortcuts): 269,722 parameters.
    pub struct ResNet20, input: [32, 32, 3], classes: 10, n: 3, shortcut: A
);
cifar_plain!(
    /// The 20-layer plain net for CIFAR-10 (ResNet-20 without shortcuts).
    pub struct Plain20, input: [32, 32, 3], classes: 10, n: 3
);
