//! The stages of the ResNet-family templates as rows of a table, one row per stage, as the
//! papers' tables give them: `kind(args) blocks N [options] [shortcut]`, where the first block
//! of the stage takes `options` on its strided convolution (`stride = 2, round = floor` where
//! the stage halves the size) and the `shortcut` clause (`shortcut { … }`: a projection or
//! `pad_identity`; empty for the identity), and the other `N − 1` blocks take neither:
//!
//! - `basic(name, K)`: two 3×3 convolutions of `K` filters, each followed by batch norm, added
//!   to the shortcut, then ReLU; the options go to the first convolution;
//! - `bottleneck(name, K, out)`: 1×1 (`K`), 3×3 (`K`, taking the options) and 1×1 (`out`)
//!   convolutions, each followed by batch norm, added to the shortcut, then ReLU;
//! - `plain([conv1, bn1, conv2, bn2], K)`: the layers of `basic` without the addition, named
//!   by the four names given (the options go to the first convolution; no shortcut).
//!
//! Blocks are named `name_0`, `name_1`, … (torchvision's `layer2.0`, `layer2.1`).

/// Builds a network from its stem, its stage rows (see the module's documentation) and its
/// head, then declares it with `model!`.
#[doc(hidden)]
#[macro_export]
macro_rules! __stages {
    // Blocks `from..to` of a stage, each block's body written once here.
    (@munch $model:tt { $($done:tt)* } @blocks($from:tt, $to:tt)
     basic($n:ident, $c:tt) [$($down:tt)*] [$($shortcut:tt)*] $($rest:tt)*) => {
        $crate::__stages!(@munch $model { $($done)*
            repeat($from..$to) {
                $n: residual {
                    conv1: conv($c, 3, pad = 1, bias = false, $($down)*), bn1: batch_norm, relu,
                    conv2: conv($c, 3, pad = 1, bias = false), bn2: batch_norm,
                } $($shortcut)*,
                relu,
            },
        } $($rest)*);
    };
    (@munch $model:tt { $($done:tt)* } @blocks($from:tt, $to:tt)
     bottleneck($n:ident, $c:tt, $out:tt) [$($down:tt)*] [$($shortcut:tt)*] $($rest:tt)*) => {
        $crate::__stages!(@munch $model { $($done)*
            repeat($from..$to) {
                $n: residual {
                    conv1: conv($c, 1, bias = false), bn1: batch_norm, relu,
                    conv2: conv($c, 3, pad = 1, bias = false, $($down)*), bn2: batch_norm, relu,
                    conv3: conv($out, 1, bias = false), bn3: batch_norm,
                } $($shortcut)*,
                relu,
            },
        } $($rest)*);
    };
    (@munch $model:tt { $($done:tt)* } @blocks($from:tt, $to:tt)
     plain([$c1:ident, $b1:ident, $c2:ident, $b2:ident], $c:tt) [$($down:tt)*] []
     $($rest:tt)*) => {
        $crate::__stages!(@munch $model { $($done)*
            repeat($from..$to) {
                $c1: conv($c, 3, pad = 1, bias = false, $($down)*), $b1: batch_norm, relu,
                $c2: conv($c, 3, pad = 1, bias = false), $b2: batch_norm, relu,
            },
        } $($rest)*);
    };
    // A stage row: its first block with the options and the shortcut, then the others.
    (@munch $model:tt $done:tt $kind:ident($($args:tt)*) blocks $blocks:tt
     [$($down:tt)*] [$($shortcut:tt)*] $($rest:tt)*) => {
        $crate::__stages!(@munch $model $done
            @blocks(0, 1) $kind($($args)*) [$($down)*] [$($shortcut)*]
            @blocks(1, $blocks) $kind($($args)*) [] []
            $($rest)*);
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
