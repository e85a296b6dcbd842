//! GoogLeNet (Inception v1, Szegedy et al. 2014) in torchvision's weight-compatible form.
//!
//! Each Inception module is a depth concatenation of four branches: 1×1; 1×1 → 3×3; 1×1 → 3×3
//! (the paper has 5×5 there; torchvision, whose weights people have, uses 3×3); 3×3 max pool →
//! 1×1. Every convolution is torchvision's `BasicConv2d`: no bias, batch norm with ε = 10⁻³,
//! ReLU. The module's depth is the sum of its branches' depths, computed by the types. Two
//! auxiliary classifiers (after 4a and 4d) run only in [`GoogLeNet::forward_aux`], for
//! training; there are no hidden fully connected layers on the main path.
//!
//! torchvision's stride-2 max pools use `ceil_mode`; they declare `round = ceil` here, and the
//! stem's 7×7 stride-2 convolution floors.

/// Declares GoogLeNet at any input and class count, with its two auxiliary classifiers; every
/// shape is checked at compile time for the given input.
///
/// ```
/// kiln_models::googlenet!(
///     /// GoogLeNet for 32×32 colour images.
///     pub struct CifarGoogLeNet, input: [32, 32, 3], classes: 10
/// );
/// assert_eq!(CifarGoogLeNet::OUTPUT, [1, 1, 10]);
/// ```
#[macro_export]
macro_rules! googlenet {
    ($(#[$attr:meta])* $vis:vis struct $name:ident, input: [$w:tt, $h:tt, $d:tt], classes: $classes:tt $(,)?) => {
        $crate::__googlenet!(@munch [$(#[$attr])* $vis struct $name] [$w, $h, $d] $classes {}
            inception(inception3a, 64, 96, 128, 16, 32, 32)
            inception(inception3b, 128, 128, 192, 32, 96, 64)
            raw(maxpool3: max_pool(3, stride = 2, round = ceil),)
            inception(inception4a, 192, 96, 208, 16, 48, 64)
            aux(aux1)
            inception(inception4b, 160, 112, 224, 24, 64, 64)
            inception(inception4c, 128, 128, 256, 24, 64, 64)
            inception(inception4d, 112, 144, 288, 32, 64, 64)
            aux(aux2)
            inception(inception4e, 256, 160, 320, 32, 128, 128)
            raw(maxpool4: max_pool(2, stride = 2, round = ceil),)
            inception(inception5a, 256, 160, 320, 32, 128, 128)
            inception(inception5b, 384, 192, 384, 48, 128, 128)
        );
    };
}

/// Builds GoogLeNet's layer list one module at a time (`inception(name, #1×1, #3×3 reduce,
/// #3×3, #"5×5" reduce, #"5×5", pool proj)` as in the paper's table, `aux(name)`, or `raw(…)`
/// layers), then declares the model.
#[doc(hidden)]
#[macro_export]
macro_rules! __googlenet {
    (@munch $head:tt $input:tt $classes:tt { $($done:tt)* }
     inception($n:ident, $c1:tt, $r3:tt, $c3:tt, $r5:tt, $c5:tt, $pp:tt) $($rest:tt)*) => {
        $crate::__googlenet!(@munch $head $input $classes { $($done)*
            $n: concat {
                branch1 { conv: conv($c1, 1, bias = false), bn: batch_norm(eps = 0.001), relu },
                branch2 {
                    conv_0: conv($r3, 1, bias = false), bn_0: batch_norm(eps = 0.001), relu,
                    conv_1: conv($c3, 3, pad = 1, bias = false), bn_1: batch_norm(eps = 0.001), relu,
                },
                branch3 {
                    conv_0: conv($r5, 1, bias = false), bn_0: batch_norm(eps = 0.001), relu,
                    conv_1: conv($c5, 3, pad = 1, bias = false), bn_1: batch_norm(eps = 0.001), relu,
                },
                branch4 {
                    pool_0: max_pool(3, stride = 1, pad = 1),
                    conv_1: conv($pp, 1, bias = false), bn_1: batch_norm(eps = 0.001), relu,
                },
            },
        } $($rest)*);
    };
    (@munch $head:tt $input:tt $classes:tt { $($done:tt)* } aux($n:ident) $($rest:tt)*) => {
        $crate::__googlenet!(@munch $head $input $classes { $($done)*
            $n: aux {
                pool: adaptive_avg_pool(4, 4),
                conv_conv: conv(128, 1, bias = false), conv_bn: batch_norm(eps = 0.001), relu,
                flatten,
                fc1: linear(1024),
                relu,
                drop: dropout(0.7),
                fc2: linear($classes),
            },
        } $($rest)*);
    };
    (@munch $head:tt $input:tt $classes:tt { $($done:tt)* } raw($($layers:tt)*) $($rest:tt)*) => {
        $crate::__googlenet!(@munch $head $input $classes { $($done)* $($layers)* } $($rest)*);
    };
    (@munch [$($head:tt)*] [$w:tt, $h:tt, $d:tt] $classes:tt { $($done:tt)* }) => {
        $crate::__private::model! {
            #[kiln(crate = $crate::__private::kiln_core)]
            $($head)* {
                input: [$w, $h, $d],
                conv1_conv: conv(64, 7, stride = 2, pad = 3, bias = false, round = floor),
                conv1_bn: batch_norm(eps = 0.001),
                relu,
                maxpool1: max_pool(3, stride = 2, round = ceil),
                conv2_conv: conv(64, 1, bias = false),
                conv2_bn: batch_norm(eps = 0.001),
                relu,
                conv3_conv: conv(192, 3, pad = 1, bias = false),
                conv3_bn: batch_norm(eps = 0.001),
                relu,
                maxpool2: max_pool(3, stride = 2, round = ceil),
                $($done)*
                avgpool: global_avg_pool,
                flatten,
                dropout: dropout(0.2),
                fc: linear($classes),
            }
        }
    };
}

googlenet!(
    /// GoogLeNet for ImageNet (224×224×3, 1000 classes): 13,004,888 parameters with the
    /// auxiliary classifiers, 6,624,904 without (`PARAMS - AUX_PARAMS`).
    pub struct GoogLeNet, input: [224, 224, 3], classes: 1000
);
