//! VGG-11/13/16/19 (Simonyan and Zisserman 2014), with and without batch norm, in torchvision's
//! layout: 3×3 convolutions with padding 1, 2×2 max pools, an adaptive average pool to 7×7 and
//! three fully connected layers. Each depth is a row of torchvision's configuration table
//! (output depths of the 3×3 convolutions, `M` for a pool); layer names follow torchvision's
//! `features.N`/`classifier.N` indices (`features_N`, numbered by `model!`'s
//! `numbered(features) { … }`), so its weights load by name (see [`crate::weights`]).
//!
//! torchvision's pools floor; they declare `round = floor` here so that any input the original
//! takes is accepted, and the summary shows where a row or column is dropped. Five halvings
//! leave nothing of a 28×28 input: the last pool does not compile there.

/// Declares a VGG from a row of the configuration table: `[batch_norm,]` or `[]` (what follows
/// each convolution before its ReLU), then the row (`64`: a 3×3 convolution of 64 filters;
/// `M`: a 2×2 max pool), then the struct, its input and its class count. The adaptive pool
/// and the classifier are the same for every depth.
#[doc(hidden)]
#[macro_export]
macro_rules! __vgg {
    ($bn:tt [$($row:tt),*] $(#[$attr:meta])* $vis:vis struct $name:ident,
     input: [$w:tt, $h:tt, $d:tt], classes: $classes:tt $(,)?) => {
        $crate::__vgg!(@munch [$(#[$attr])* $vis struct $name] [$w, $h, $d] $classes $bn {}
            $($row)*);
    };
    (@munch $head:tt $input:tt $classes:tt $bn:tt { $($done:tt)* } M $($rest:tt)*) => {
        $crate::__vgg!(@munch $head $input $classes $bn {
            $($done)* max_pool(2, round = floor),
        } $($rest)*);
    };
    (@munch $head:tt $input:tt $classes:tt [$($bn:tt)*] { $($done:tt)* }
     $c:literal $($rest:tt)*) => {
        $crate::__vgg!(@munch $head $input $classes [$($bn)*] {
            $($done)* conv($c, 3, pad = 1), $($bn)* relu,
        } $($rest)*);
    };
    (@munch [$($head:tt)*] [$w:tt, $h:tt, $d:tt] $classes:tt $bn:tt { $($done:tt)* }) => {
        $crate::__private::model! {
            #[kiln(crate = $crate::__private::kiln_core)]
            $($head)* {
                input: [$w, $h, $d],
                numbered(features) { $($done)* },
                avgpool: adaptive_avg_pool(7, 7),
                flatten,
                numbered(classifier) {
                    linear(4096), relu, dropout(0.5),
                    linear(4096), relu, dropout(0.5),
                    linear($classes),
                },
            }
        }
    };
}

/// Declares VGG-11 at any input and class count, e.g.
/// `vgg11!(pub struct Net, input: [64, 64, 3], classes: 10)`; every shape is checked at compile
/// time for that input.
#[macro_export]
macro_rules! vgg11 {
    ($($model:tt)*) => {
        $crate::__vgg!([] [64, M, 128, M, 256, 256, M, 512, 512, M, 512, 512, M]
            $($model)*);
    };
}

/// VGG-11 with batch norm after every convolution; as [`vgg11!`].
#[macro_export]
macro_rules! vgg11_bn {
    ($($model:tt)*) => {
        $crate::__vgg!([batch_norm,] [64, M, 128, M, 256, 256, M, 512, 512, M, 512, 512, M]
            $($model)*);
    };
}

/// Declares VGG-13 at any input and class count; as [`vgg11!`].
#[macro_export]
macro_rules! vgg13 {
    ($($model:tt)*) => {
        $crate::__vgg!([] [64, 64, M, 128, 128, M, 256, 256, M, 512, 512, M, 512, 512, M]
            $($model)*);
    };
}

/// VGG-13 with batch norm after every convolution; as [`vgg11!`].
#[macro_export]
macro_rules! vgg13_bn {
    ($($model:tt)*) => {
        $crate::__vgg!([batch_norm,] [64, 64, M, 128, 128, M, 256, 256, M, 512, 512, M, 512, 512, M]
            $($model)*);
    };
}

/// Declares VGG-16 at any input and class count; as [`vgg11!`].
#[macro_export]
macro_rules! vgg16 {
    ($($model:tt)*) => {
        $crate::__vgg!([] [
            64, 64, M, 128, 128, M, 256, 256, 256, M,
            512, 512, 512, M, 512, 512, 512, M
        ] $($model)*);
    };
}

/// VGG-16 with batch norm after every convolution; as [`vgg11!`].
#[macro_export]
macro_rules! vgg16_bn {
    ($($model:tt)*) => {
        $crate::__vgg!([batch_norm,] [
            64, 64, M, 128, 128, M, 256, 256, 256, M,
            512, 512, 512, M, 512, 512, 512, M
        ] $($model)*);
    };
}

/// Declares VGG-19 at any input and class count; as [`vgg11!`].
#[macro_export]
macro_rules! vgg19 {
    ($($model:tt)*) => {
        $crate::__vgg!([] [
            64, 64, M, 128, 128, M, 256, 256, 256, 256, M,
            512, 512, 512, 512, M, 512, 512, 512, 512, M
        ] $($model)*);
    };
}

/// VGG-19 with batch norm after every convolution; as [`vgg11!`].
#[macro_export]
macro_rules! vgg19_bn {
    ($($model:tt)*) => {
        $crate::__vgg!([batch_norm,] [
            64, 64, M, 128, 128, M, 256, 256, 256, 256, M,
            512, 512, 512, 512, M, 512, 512, 512, 512, M
        ] $($model)*);
    };
}

vgg11!(
    /// VGG-11 for ImageNet (224×224×3, 1000 classes).
    pub struct Vgg11, input: [224, 224, 3], classes: 1000
);
vgg11_bn!(
    /// VGG-11 with batch norm for ImageNet (224×224×3, 1000 classes).
    pub struct Vgg11Bn, input: [224, 224, 3], classes: 1000
);
vgg13!(
    /// VGG-13 for ImageNet (224×224×3, 1000 classes).
    pub struct Vgg13, input: [224, 224, 3], classes: 1000
);
vgg13_bn!(
    /// VGG-13 with batch norm for ImageNet (224×224×3, 1000 classes).
    pub struct Vgg13Bn, input: [224, 224, 3], classes: 1000
);
vgg16!(
    /// VGG-16 for ImageNet (224×224×3, 1000 classes).
    pub struct Vgg16, input: [224, 224, 3], classes: 1000
);
vgg16_bn!(
    /// VGG-16 with batch norm for ImageNet (224×224×3, 1000 classes).
    pub struct Vgg16Bn, input: [224, 224, 3], classes: 1000
);
vgg19!(
    /// VGG-19 for ImageNet (224×224×3, 1000 classes).
    pub struct Vgg19, input: [224, 224, 3], classes: 1000
);
vgg19_bn!(
    /// VGG-19 with batch norm for ImageNet (224×224×3, 1000 classes).
    pub struct Vgg19Bn, input: [224, 224, 3], classes: 1000
);
