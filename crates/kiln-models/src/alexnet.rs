//! AlexNet (Krizhevsky et al. 2012).

kiln_macros::model! {
    #[kiln(crate = ::kiln_core)]
    /// AlexNet in its paper form, as in the lecture (single tower, ungrouped, no LRN):
    /// 227×227×3 → 55×55×96 → 27×27×96 → 27×27×256 → 13×13×256 → 13×13×384 → 13×13×384 →
    /// 13×13×256 → 6×6×256 → 4096 → 4096 → 1000; 62,378,344 parameters.
    pub struct AlexNetPaper {
        input: [227, 227, 3],
        conv1: conv(96, 11, stride = 4),
        relu,
        pool1: max_pool(3, stride = 2),
        conv2: conv(256, 5, pad = 2),
        relu,
        pool2: max_pool(3, stride = 2),
        conv3: conv(384, 3, pad = 1),
        relu,
        conv4: conv(384, 3, pad = 1),
        relu,
        conv5: conv(256, 3, pad = 1),
        relu,
        pool5: max_pool(3, stride = 2),
        flatten,
        drop6: dropout(0.5),
        fc6: linear(4096),
        relu,
        drop7: dropout(0.5),
        fc7: linear(4096),
        relu,
        fc8: linear(1000),
    }
}
