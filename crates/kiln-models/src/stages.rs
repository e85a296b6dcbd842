//! The stages of the ResNet-family templates as rows of a table, one row per stage, as the
//! papers' tables give them:
//!
//! - `basic(name, K, [options], blocks) [shortcut { … }]`: blocks of two 3×3 convolutions of
//!   `K` filters, each followed by batch norm, added to the identity, then ReLU; the first
//!   block's first convolution takes `options` (`stride = 2, round = floor` where the stage
//!   halves the size) and its shortcut is the one in brackets (a projection, `pad_identity`, or
//!   none: `[]`);
//! - `bottleneck(name, K, out, [options], blocks) [shortcut { … }]`: blocks of 1×1 (`K`), 3×3
//!   (`K`, taking `options` in the first block) and 1×1 (`out`) convolutions;
//! - `plain([conv1, bn1, conv2, bn2], K, [options], blocks)`: the layers of `basic` without the
//!   shortcut, named by the four names given.
//!
//! Blocks are named `name_0`, `name_1`, … (torchvision's `layer2.0`, `layer2.1`).

/// Builds a network from its stem, its stage rows (see the module's documentation) and its
/// head, then declares it with `model!`.
#[doc(hidden)]
#[macro_export]
macro_rules! __stages {
    (@munch $model:tt { $($done:tt)* }
     basic($n:ident, $c:tt, [$($down:tt)*], $blocks:tt) [$($shortcut:tt)*] $($rest:tt)*) => {
        $crate::__stages!(@munch $model { $($done)*
            repeat(0..1) {
                $n: residual {
                    conv1: conv($c, 3, pad = 1, bias = false, $($down)*), bn1: batch_norm, relu,
                    conv2: conv($c, 3, pad = 1, bias = false), bn2: batch_norm,
                } $($shortcut)*,
                relu,
            },
            repeat(1..$blocks) {
                $n: residual {
                    conv1: conv($c, 3, pad = 1, bias = false), bn1: batch_norm, relu,
                    conv2: conv($c, 3, pad = 1, bias = false), bn2: batch_norm,
                },
                relu,
            },
        } $($rest)*);
    };
    (@munch $model:tt { $($done:tt)* }
     bottleneck($n:ident, $c:tt, $out:tt, [$($down:tt)*], $blocks:tt) [$($shortcut:tt)*]
     $($rest:tt)*) => {
        $crate::__stages!(@munch $model { $($done)*
            repeat(0..1) {
                $n: residual {
                    conv1: conv($c, 1, bias = false), bn1: batch_norm, relu,
                    conv2: conv($c, 3, pad = 1, bias = false, $($down)*), bn2: batch_norm, relu,
                    conv3: conv($out, 1, bias = false), bn3: batch_norm,
                } $($shortcut)*,
                relu,
            },
            repeat(1..$blocks) {
                $n: residual {
                    conv1: conv($c, 1, bias = false), bn1: batch_norm, relu,
                    conv2: conv($c, 3, pad = 1, bias = false), bn2: batch_norm, relu,
                    conv3: conv($out, 1, bias = false), bn3: batch_norm,
                },
                relu,
            },
        } $($rest)*);
    };
    (@munch $model:tt { $($done:tt)* }
     plain([$c1:ident, $b1:ident, $c2:ident, $b2:ident], $c:tt, [$($down:tt)*], $blocks:tt)
     $($rest:tt)*) => {
        $crate::__stages!(@munch $model { $($done)*
            repeat(0..1) {
                $c1: conv($c, 3, pad = 1, bias = false, $($down)*), $b1: batch_norm, relu,
                $c2: conv($c, 3, pad = 1, bias = false), $b2: batch_norm, relu,
            },
            repeat(1..$blocks) {
                $c1: conv($c, 3, pad = 1, bias = false), $b1: batch_norm, relu,
                $c2: conv($c, 3, pad = 1, bias = false), $b2: batch_norm, relu,
            },
        } $($rest)*);
    };
    (@munch [[$($head:tt)*] [$w:tt, $h:tt, $d:tt] { $($stem:tt)* } { $($tail:tt)* }]
     { $($done:tt)* }) => {
        $crate::__private::model! {
            #[kiln(crate = $crate::__private::kiln_core)]
            $($head)* {
                input: [$w, $h, $d],
                $($stem)*
                $($done)*
                $($tail)*
            }
        }
    };
}
