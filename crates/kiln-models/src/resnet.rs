//! ResNet-18/34/50/101/152 (He et al. 2015), torchvision's layout: basic blocks for 18 and 34,
//! bottleneck blocks (stride on the 3×3 convolution, "v1.5") for 50, 101 and 152.
//!
//! torchvision floors every stride-2 layer (the 7×7 stem, the 3×3 max pool and the first
//! convolution and projection of stages 2–4); those are exactly the layers that declare
//! `round = floor` here, and the summary shows what each one leaves unread.

/// An ImageNet ResNet from its stage rows (see `stages.rs`): torchvision's stem (7×7 stride-2
/// convolution, batch norm, ReLU, 3×3 stride-2 max pool) before them, global average pooling
/// and the classifier after.
#[doc(hidden)]
#[macro_export]
macro_rules! __imagenet_resnet {
    ([$($head:tt)*] [$w:tt, $h:tt, $d:tt] $classes:tt $($rows:tt)*) => {
        $crate::__stages!(@munch [[$($head)*] [$w, $h, $d] {
            conv1: conv(64, 7, stride = 2, pad = 3, bias = false, round = floor),
            bn1: batch_norm,
            relu,
            maxpool: max_pool(3, stride = 2, pad = 1, round = floor),
        } {
            avgpool: global_avg_pool,
            flatten,
            fc: linear($classes),
        }] {} $($rows)*);
    };
}

/// Declares a ResNet with basic blocks (two 3×3 convolutions) at any input and class count;
/// every shape is checked at compile time for the given input.
///
/// `blocks` gives the number of blocks per stage: `[2, 2, 2, 2]` is ResNet-18, `[3, 4, 6, 3]`
/// ResNet-34.
///
/// ```
/// kiln_models::resnet_basic!(
///     /// ResNet-18 for 32×32 colour images and 10 classes.
///     pub struct CifarResNet18, input: [32, 32, 3], classes: 10, blocks: [2, 2, 2, 2]
/// );
/// assert_eq!(CifarResNet18::OUTPUT, [1, 1, 10]);
/// ```
#[macro_export]
macro_rules! resnet_basic {
    ($(#[$attr:meta])* $vis:vis struct $name:ident, input: [$w:tt, $h:tt, $d:tt], classes: $classes:tt $(,)?,
     blocks: [$n1:tt, $n2:tt, $n3:tt, $n4:tt] $(,)?) => {
        $crate::__imagenet_resnet!([$(#[$attr])* $vis struct $name] [$w, $h, $d] $classes
            basic(layer1, 64) blocks $n1 [] []
            basic(layer2, 128) blocks $n2 [stride = 2, round = floor] [shortcut {
                conv: conv(128, 1, stride = 2, bias = false, round = floor), bn: batch_norm,
            }]
            basic(layer3, 256) blocks $n3 [stride = 2, round = floor] [shortcut {
                conv: conv(256, 1, stride = 2, bias = false, round = floor), bn: batch_norm,
            }]
            basic(layer4, 512) blocks $n4 [stride = 2, round = floor] [shortcut {
                conv: conv(512, 1, stride = 2, bias = false, round = floor), bn: batch_norm,
            }]
        );
    };
}

/// Declares a ResNet with bottleneck blocks (1×1 reduce, 3×3, 1×1 expand by 4; the stride sits
/// on the 3×3 convolution as in torchvision) at any input and class count.
///
/// `blocks`: `[3, 4, 6, 3]` is ResNet-50, `[3, 4, 23, 3]` ResNet-101, `[3, 8, 36, 3]`
/// ResNet-152.
#[macro_export]
macro_rules! resnet_bottleneck {
    ($(#[$attr:meta])* $vis:vis struct $name:ident, input: [$w:tt, $h:tt, $d:tt], classes: $classes:tt $(,)?,
     blocks: [$n1:tt, $n2:tt, $n3:tt, $n4:tt] $(,)?) => {
        $crate::__imagenet_resnet!([$(#[$attr])* $vis struct $name] [$w, $h, $d] $classes
            bottleneck(layer1, 64, 256) blocks $n1 [] [shortcut {
                conv: conv(256, 1, bias = false), bn: batch_norm,
            }]
            bottleneck(layer2, 128, 512) blocks $n2 [stride = 2, round = floor] [shortcut {
                conv: conv(512, 1, stride = 2, bias = false, round = floor), bn: batch_norm,
            }]
            bottleneck(layer3, 256, 1024) blocks $n3 [stride = 2, round = floor] [shortcut {
                conv: conv(1024, 1, stride = 2, bias = false, round = floor), bn: batch_norm,
            }]
            bottleneck(layer4, 512, 2048) blocks $n4 [stride = 2, round = floor] [shortcut {
                conv: conv(2048, 1, stride = 2, bias = false, round = floor), bn: batch_norm,
            }]
        );
    };
}

/// Declares ResNet-18 (`resnet_basic!` with blocks [2, 2, 2, 2]) at any input and class count:
/// `resnet18!(pub struct Net, input: [W, H, D], classes: N)`.
#[macro_export]
macro_rules! resnet18 {
    ($($args:tt)*) => { $crate::resnet_basic!($($args)*, blocks: [2, 2, 2, 2]); };
}

/// Declares ResNet-34 (`resnet_basic!` with blocks [3, 4, 6, 3]) at any input and class count:
/// `resnet34!(pub struct Net, input: [W, H, D], classes: N)`.
#[macro_export]
macro_rules! resnet34 {
    ($($args:tt)*) => { $crate::resnet_basic!($($args)*, blocks: [3, 4, 6, 3]); };
}

/// Declares ResNet-50 (`resnet_bottleneck!` with blocks [3, 4, 6, 3]) at any input and class count:
/// `resnet50!(pub struct Net, input: [W, H, D], classes: N)`.
#[macro_export]
macro_rules! resnet50 {
    ($($args:tt)*) => { $crate::resnet_bottleneck!($($args)*, blocks: [3, 4, 6, 3]); };
}

/// Declares ResNet-101 (`resnet_bottleneck!` with blocks [3, 4, 23, 3]) at any input and class count:
/// `resnet101!(pub struct Net, input: [W, H, D], classes: N)`.
#[macro_export]
macro_rules! resnet101 {
    ($($args:tt)*) => { $crate::resnet_bottleneck!($($args)*, blocks: [3, 4, 23, 3]); };
}

/// Declares ResNet-152 (`resnet_bottleneck!` with blocks [3, 8, 36, 3]) at any input and class count:
/// `resnet152!(pub struct Net, input: [W, H, D], classes: N)`.
#[macro_export]
macro_rules! resnet152 {
    ($($args:tt)*) => { $crate::resnet_bottleneck!($($args)*, blocks: [3, 8, 36, 3]); };
}

resnet18!(
    /// ResNet-18 for ImageNet (224×224×3, 1000 classes): 11,689,512 parameters, torchvision's
    /// `resnet18` layout and weight names (see [`crate::weights`]).
    pub struct ResNet18, input: [224, 224, 3], classes: 1000
);
resnet34!(
    /// ResNet-34 for ImageNet (224×224×3, 1000 classes): 21,797,672 parameters.
    pub struct ResNet34, input: [224, 224, 3], classes: 1000
);
resnet50!(
    /// ResNet-50 for ImageNet (224×224×3, 1000 classes): 25,557,032 parameters.
    pub struct ResNet50, input: [224, 224, 3], classes: 1000
);
resnet101!(
    /// ResNet-101 for ImageNet (224×224×3, 1000 classes): 44,549,160 parameters.
    pub struct ResNet101, input: [224, 224, 3], classes: 1000
);
resnet152!(
    /// ResNet-152 for ImageNet (224×224×3, 1000 classes): 60,192,808 parameters.
    pub struct ResNet152, input: [224, 224, 3], classes: 1000
);
