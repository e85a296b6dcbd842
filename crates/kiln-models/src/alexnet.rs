//! AlexNet (Krizhevsky et al. 2012): the paper's form and torchvision's variant.

/// Declares AlexNet in its paper form (single tower, no LRN) at any input and class count;
/// `groups: 2` splits conv2, conv4 and conv5 into the paper's two GPU halves, `groups: 1`
/// keeps them dense, as in the lecture.
#[macro_export]
macro_rules! alexnet_paper {
    ($(#[$attr:meta])* $vis:vis struct $name:ident, input: [$w:tt, $h:tt, $d:tt], classes: $classes:tt,
     groups: $g:tt $(,)?) => {
        $crate::__private::model! {
            #[kiln(crate = $crate::__private::kiln_core)]
            $(#[$attr])*
            $vis struct $name {
                input: [$w, $h, $d],
                conv1: conv(96, 11, stride = 4),
                relu,
                pool1: max_pool(3, stride = 2),
                conv2: conv(256, 5, pad = 2, groups = $g),
                relu,
                pool2: max_pool(3, stride = 2),
                conv3: conv(384, 3, pad = 1),
                relu,
                conv4: conv(384, 3, pad = 1, groups = $g),
                relu,
                conv5: conv(256, 3, pad = 1, groups = $g),
                relu,
                pool5: max_pool(3, stride = 2),
                flatten,
                drop6: dropout(0.5),
                fc6: linear(4096),
                relu,
                drop7: dropout(0.5),
                fc7: linear(4096),
                relu,
                fc8: linear($classes),
            }
        }
    };
}

/// Declares torchvision's AlexNet (64-192-384-256-256 filters, adaptive average pool to 6×6)
/// at any input and class count. Its stem floors: (224 − 11 + 2·2)/4 + 1 = 55.25 → 55.
/// Layer names follow torchvision's indices (`features_0` is `features.0`).
#[macro_export]
macro_rules! alexnet {
    ($(#[$attr:meta])* $vis:vis struct $name:ident, input: [$w:tt, $h:tt, $d:tt], classes: $classes:tt $(,)?) => {
        $crate::__private::model! {
            #[kiln(crate = $crate::__private::kiln_core)]
            $(#[$attr])*
            $vis struct $name {
                input: [$w, $h, $d],
                features_0: conv(64, 11, stride = 4, pad = 2, round = floor),
                relu,
                features_2: max_pool(3, stride = 2, round = floor),
                features_3: conv(192, 5, pad = 2),
                relu,
                features_5: max_pool(3, stride = 2, round = floor),
                features_6: conv(384, 3, pad = 1),
                relu,
                features_8: conv(256, 3, pad = 1),
                relu,
                features_10: conv(256, 3, pad = 1),
                relu,
                features_12: max_pool(3, stride = 2, round = floor),
                avgpool: adaptive_avg_pool(6, 6),
                flatten,
                classifier_0: dropout(0.5),
                classifier_1: linear(4096),
                relu,
                classifier_3: dropout(0.5),
                classifier_4: linear(4096),
                relu,
                classifier_6: linear($classes),
            }
        }
    };
}

alexnet_paper!(
    /// AlexNet in its paper form, as in the lecture (single tower, ungrouped, no LRN):
    /// 227×227×3 → 55×55×96 → 27×27×96 → 27×27×256 → 13×13×256 → 13×13×384 → 13×13×384 →
    /// 13×13×256 → 6×6×256 → 4096 → 4096 → 1000; 62,378,344 parameters.
    pub struct AlexNetPaper, input: [227, 227, 3], classes: 1000, groups: 1
);

alexnet_paper!(
    /// AlexNet with the paper's two-group conv2, conv4 and conv5 (each half sees only the
    /// filters of its own GPU): 60,965,224 parameters.
    pub struct AlexNetPaperGrouped, input: [227, 227, 3], classes: 1000, groups: 2
);

alexnet!(
    /// torchvision's AlexNet for ImageNet (224×224×3, 1000 classes): 61,100,840 parameters.
    pub struct AlexNet, input: [224, 224, 3], classes: 1000
);
