//! VGG-11/13/16/19 (Simonyan and Zisserman 2014), with and without batch norm, in torchvision's
//! layout: 3×3 convolutions with padding 1, 2×2 max pools, an adaptive average pool to 7×7 and
//! three fully connected layers. Layer names follow torchvision's `features.N`/`classifier.N`
//! indices (`features_N`), so its weights load by name (see [`crate::weights`]).
//!
//! torchvision's pools floor; they declare `round = floor` here so that any input the original
//! takes is accepted, and the summary shows where a row or column is dropped. Five halvings
//! leave nothing of a 28×28 input: the last pool does not compile there.

/// Declares a VGG from its feature layers; the adaptive pool and the classifier are the same
/// for every depth.
#[doc(hidden)]
#[macro_export]
macro_rules! __vgg {
    ([$($head:tt)*] [$w:tt, $h:tt, $d:tt] $classes:tt { $($features:tt)* }) => {
        $crate::__private::model! {
            #[kiln(crate = $crate::__private::kiln_core)]
            $($head)* {
                input: [$w, $h, $d],
                $($features)*
                avgpool: adaptive_avg_pool(7, 7),
                flatten,
                classifier_0: linear(4096),
                relu,
                classifier_2: dropout(0.5),
                classifier_3: linear(4096),
                relu,
                classifier_5: dropout(0.5),
                classifier_6: linear($classes),
            }
        }
    };
}

/// Declares VGG-11 at any input and class count, e.g.
/// `vgg11!(pub struct Net, input: [64, 64, 3], classes: 10)`; every shape is checked at compile
/// time for that input.
#[macro_export]
macro_rules! vgg11 {
    ($(#[$attr:meta])* $vis:vis struct $name:ident, input: [$w:tt, $h:tt, $d:tt], classes: $classes:tt $(,)?) => {
        $crate::__vgg!([$(#[$attr])* $vis struct $name] [$w, $h, $d] $classes {
            features_0: conv(64, 3, pad = 1), relu,
            features_2: max_pool(2, round = floor),
            features_3: conv(128, 3, pad = 1), relu,
            features_5: max_pool(2, round = floor),
            features_6: conv(256, 3, pad = 1), relu,
            features_8: conv(256, 3, pad = 1), relu,
            features_10: max_pool(2, round = floor),
            features_11: conv(512, 3, pad = 1), relu,
            features_13: conv(512, 3, pad = 1), relu,
            features_15: max_pool(2, round = floor),
            features_16: conv(512, 3, pad = 1), relu,
            features_18: conv(512, 3, pad = 1), relu,
            features_20: max_pool(2, round = floor),
        });
    };
}

/// Declares VGG-11 with batch norm at any input and class count, e.g.
/// `vgg11_bn!(pub struct Net, input: [64, 64, 3], classes: 10)`; every shape is checked at compile
/// time for that input.
#[macro_export]
macro_rules! vgg11_bn {
    ($(#[$attr:meta])* $vis:vis struct $name:ident, input: [$w:tt, $h:tt, $d:tt], classes: $classes:tt $(,)?) => {
        $crate::__vgg!([$(#[$attr])* $vis struct $name] [$w, $h, $d] $classes {
            features_0: conv(64, 3, pad = 1), features_1: batch_norm, relu,
            features_3: max_pool(2, round = floor),
            features_4: conv(128, 3, pad = 1), features_5: batch_norm, relu,
            features_7: max_pool(2, round = floor),
            features_8: conv(256, 3, pad = 1), features_9: batch_norm, relu,
            features_11: conv(256, 3, pad = 1), features_12: batch_norm, relu,
            features_14: max_pool(2, round = floor),
            features_15: conv(512, 3, pad = 1), features_16: batch_norm, relu,
            features_18: conv(512, 3, pad = 1), features_19: batch_norm, relu,
            features_21: max_pool(2, round = floor),
            features_22: conv(512, 3, pad = 1), features_23: batch_norm, relu,
            features_25: conv(512, 3, pad = 1), features_26: batch_norm, relu,
            features_28: max_pool(2, round = floor),
        });
    };
}

/// Declares VGG-13 at any input and class count, e.g.
/// `vgg13!(pub struct Net, input: [64, 64, 3], classes: 10)`; every shape is checked at compile
/// time for that input.
#[macro_export]
macro_rules! vgg13 {
    ($(#[$attr:meta])* $vis:vis struct $name:ident, input: [$w:tt, $h:tt, $d:tt], classes: $classes:tt $(,)?) => {
        $crate::__vgg!([$(#[$attr])* $vis struct $name] [$w, $h, $d] $classes {
            features_0: conv(64, 3, pad = 1), relu,
            features_2: conv(64, 3, pad = 1), relu,
            features_4: max_pool(2, round = floor),
            features_5: conv(128, 3, pad = 1), relu,
            features_7: conv(128, 3, pad = 1), relu,
            features_9: max_pool(2, round = floor),
            features_10: conv(256, 3, pad = 1), relu,
            features_12: conv(256, 3, pad = 1), relu,
            features_14: max_pool(2, round = floor),
            features_15: conv(512, 3, pad = 1), relu,
            features_17: conv(512, 3, pad = 1), relu,
            features_19: max_pool(2, round = floor),
            features_20: conv(512, 3, pad = 1), relu,
            features_22: conv(512, 3, pad = 1), relu,
            features_24: max_pool(2, round = floor),
        });
    };
}

/// Declares VGG-13 with batch norm at any input and class count, e.g.
/// `vgg13_bn!(pub struct Net, input: [64, 64, 3], classes: 10)`; every shape is checked at compile
/// time for that input.
#[macro_export]
macro_rules! vgg13_bn {
    ($(#[$attr:meta])* $vis:vis struct $name:ident, input: [$w:tt, $h:tt, $d:tt], classes: $classes:tt $(,)?) => {
        $crate::__vgg!([$(#[$attr])* $vis struct $name] [$w, $h, $d] $classes {
            features_0: conv(64, 3, pad = 1), features_1: batch_norm, relu,
            features_3: conv(64, 3, pad = 1), features_4: batch_norm, relu,
            features_6: max_pool(2, round = floor),
            features_7: conv(128, 3, pad = 1), features_8: batch_norm, relu,
            features_10: conv(128, 3, pad = 1), features_11: batch_norm, relu,
            features_13: max_pool(2, round = floor),
            features_14: conv(256, 3, pad = 1), features_15: batch_norm, relu,
            features_17: conv(256, 3, pad = 1), features_18: batch_norm, relu,
            features_20: max_pool(2, round = floor),
            features_21: conv(512, 3, pad = 1), features_22: batch_norm, relu,
            features_24: conv(512, 3, pad = 1), features_25: batch_norm, relu,
            features_27: max_pool(2, round = floor),
            features_28: conv(512, 3, pad = 1), features_29: batch_norm, relu,
            features_31: conv(512, 3, pad = 1), features_32: batch_norm, relu,
            features_34: max_pool(2, round = floor),
        });
    };
}

/// Declares VGG-16 at any input and class count, e.g.
/// `vgg16!(pub struct Net, input: [64, 64, 3], classes: 10)`; every shape is checked at compile
/// time for that input.
#[macro_export]
macro_rules! vgg16 {
    ($(#[$attr:meta])* $vis:vis struct $name:ident, input: [$w:tt, $h:tt, $d:tt], classes: $classes:tt $(,)?) => {
        $crate::__vgg!([$(#[$attr])* $vis struct $name] [$w, $h, $d] $classes {
            features_0: conv(64, 3, pad = 1), relu,
            features_2: conv(64, 3, pad = 1), relu,
            features_4: max_pool(2, round = floor),
            features_5: conv(128, 3, pad = 1), relu,
            features_7: conv(128, 3, pad = 1), relu,
            features_9: max_pool(2, round = floor),
            features_10: conv(256, 3, pad = 1), relu,
            features_12: conv(256, 3, pad = 1), relu,
            features_14: conv(256, 3, pad = 1), relu,
            features_16: max_pool(2, round = floor),
            features_17: conv(512, 3, pad = 1), relu,
            features_19: conv(512, 3, pad = 1), relu,
            features_21: conv(512, 3, pad = 1), relu,
            features_23: max_pool(2, round = floor),
            features_24: conv(512, 3, pad = 1), relu,
            features_26: conv(512, 3, pad = 1), relu,
            features_28: conv(512, 3, pad = 1), relu,
            features_30: max_pool(2, round = floor),
        });
    };
}

/// Declares VGG-16 with batch norm at any input and class count, e.g.
/// `vgg16_bn!(pub struct Net, input: [64, 64, 3], classes: 10)`; every shape is checked at compile
/// time for that input.
#[macro_export]
macro_rules! vgg16_bn {
    ($(#[$attr:meta])* $vis:vis struct $name:ident, input: [$w:tt, $h:tt, $d:tt], classes: $classes:tt $(,)?) => {
        $crate::__vgg!([$(#[$attr])* $vis struct $name] [$w, $h, $d] $classes {
            features_0: conv(64, 3, pad = 1), features_1: batch_norm, relu,
            features_3: conv(64, 3, pad = 1), features_4: batch_norm, relu,
            features_6: max_pool(2, round = floor),
            features_7: conv(128, 3, pad = 1), features_8: batch_norm, relu,
            features_10: conv(128, 3, pad = 1), features_11: batch_norm, relu,
            features_13: max_pool(2, round = floor),
            features_14: conv(256, 3, pad = 1), features_15: batch_norm, relu,
            features_17: conv(256, 3, pad = 1), features_18: batch_norm, relu,
            features_20: conv(256, 3, pad = 1), features_21: batch_norm, relu,
            features_23: max_pool(2, round = floor),
            features_24: conv(512, 3, pad = 1), features_25: batch_norm, relu,
            features_27: conv(512, 3, pad = 1), features_28: batch_norm, relu,
            features_30: conv(512, 3, pad = 1), features_31: batch_norm, relu,
            features_33: max_pool(2, round = floor),
            features_34: conv(512, 3, pad = 1), features_35: batch_norm, relu,
            features_37: conv(512, 3, pad = 1), features_38: batch_norm, relu,
            features_40: conv(512, 3, pad = 1), features_41: batch_norm, relu,
            features_43: max_pool(2, round = floor),
        });
    };
}

/// Declares VGG-19 at any input and class count, e.g.
/// `vgg19!(pub struct Net, input: [64, 64, 3], classes: 10)`; every shape is checked at compile
/// time for that input.
#[macro_export]
macro_rules! vgg19 {
    ($(#[$attr:meta])* $vis:vis struct $name:ident, input: [$w:tt, $h:tt, $d:tt], classes: $classes:tt $(,)?) => {
        $crate::__vgg!([$(#[$attr])* $vis struct $name] [$w, $h, $d] $classes {
            features_0: conv(64, 3, pad = 1), relu,
            features_2: conv(64, 3, pad = 1), relu,
            features_4: max_pool(2, round = floor),
            features_5: conv(128, 3, pad = 1), relu,
            features_7: conv(128, 3, pad = 1), relu,
            features_9: max_pool(2, round = floor),
            features_10: conv(256, 3, pad = 1), relu,
            features_12: conv(256, 3, pad = 1), relu,
            features_14: conv(256, 3, pad = 1), relu,
            features_16: conv(256, 3, pad = 1), relu,
            features_18: max_pool(2, round = floor),
            features_19: conv(512, 3, pad = 1), relu,
            features_21: conv(512, 3, pad = 1), relu,
            features_23: conv(512, 3, pad = 1), relu,
            features_25: conv(512, 3, pad = 1), relu,
            features_27: max_pool(2, round = floor),
            features_28: conv(512, 3, pad = 1), relu,
            features_30: conv(512, 3, pad = 1), relu,
            features_32: conv(512, 3, pad = 1), relu,
            features_34: conv(512, 3, pad = 1), relu,
            features_36: max_pool(2, round = floor),
        });
    };
}

/// Declares VGG-19 with batch norm at any input and class count, e.g.
/// `vgg19_bn!(pub struct Net, input: [64, 64, 3], classes: 10)`; every shape is checked at compile
/// time for that input.
#[macro_export]
macro_rules! vgg19_bn {
    ($(#[$attr:meta])* $vis:vis struct $name:ident, input: [$w:tt, $h:tt, $d:tt], classes: $classes:tt $(,)?) => {
        $crate::__vgg!([$(#[$attr])* $vis struct $name] [$w, $h, $d] $classes {
            features_0: conv(64, 3, pad = 1), features_1: batch_norm, relu,
            features_3: conv(64, 3, pad = 1), features_4: batch_norm, relu,
            features_6: max_pool(2, round = floor),
            features_7: conv(128, 3, pad = 1), features_8: batch_norm, relu,
            features_10: conv(128, 3, pad = 1), features_11: batch_norm, relu,
            features_13: max_pool(2, round = floor),
            features_14: conv(256, 3, pad = 1), features_15: batch_norm, relu,
            features_17: conv(256, 3, pad = 1), features_18: batch_norm, relu,
            features_20: conv(256, 3, pad = 1), features_21: batch_norm, relu,
            features_23: conv(256, 3, pad = 1), features_24: batch_norm, relu,
            features_26: max_pool(2, round = floor),
            features_27: conv(512, 3, pad = 1), features_28: batch_norm, relu,
            features_30: conv(512, 3, pad = 1), features_31: batch_norm, relu,
            features_33: conv(512, 3, pad = 1), features_34: batch_norm, relu,
            features_36: conv(512, 3, pad = 1), features_37: batch_norm, relu,
            features_39: max_pool(2, round = floor),
            features_40: conv(512, 3, pad = 1), features_41: batch_norm, relu,
            features_43: conv(512, 3, pad = 1), features_44: batch_norm, relu,
            features_46: conv(512, 3, pad = 1), features_47: batch_norm, relu,
            features_49: conv(512, 3, pad = 1), features_50: batch_norm, relu,
            features_52: max_pool(2, round = floor),
        });
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
