//! A small classifier for Fashion-MNIST.

kiln_macros::model! {
    #[kiln(crate = ::kiln_core)]
    /// A small CNN for 28×28×1 images and 10 classes: two conv–batch-norm–ReLU–pool stages and
    /// two fully connected layers.
    pub struct FashionCnn {
        input: [28, 28, 1],
        conv1: conv(32, 3, pad = 1),
        bn1: batch_norm,
        relu,
        pool1: max_pool(2),
        conv2: conv(64, 3, pad = 1),
        bn2: batch_norm,
        relu,
        pool2: max_pool(2),
        flatten,
        fc1: linear(128),
        relu,
        drop: dropout(0.25),
        fc2: linear(10),
    }
}
