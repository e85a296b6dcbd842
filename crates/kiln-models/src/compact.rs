//! A compact ResNet for small images, sized to train on two CPU cores: a 3×3 stem of 32
//! filters and a 2×2 max pool, then three stages of `n` basic blocks with 32, 64 and 128
//! filters (the first block of stages 2 and 3 halves the size, with option-A shortcuts),
//! global average pooling and a fully connected layer.
//!
//! On 28×28 images the blocks run at 14×14, 7×7 and 4×4: about 10 M multiply-adds per image,
//! a quarter of ResNet-20's 41 M at 28×28, with more filters where the maps are small, which
//! suits CPU matrix multiplication better. It was `kiln train`'s default before ResNet-20
//! trained at PyTorch's speed; it trains by name as `compact-resnet8` (or `resnet8`).

/// Declares a compact ResNet with `n` basic blocks per stage (6n + 2 weighted layers) at any
/// input and class count.
///
/// ```
/// kiln_models::compact_resnet!(
///     /// A compact ResNet-14 for 32×32 colour images.
///     pub struct Tiny, input: [32, 32, 3], classes: 10, n: 2
/// );
/// assert_eq!(Tiny::OUTPUT, [1, 1, 10]);
/// ```
#[macro_export]
macro_rules! compact_resnet {
    ($(#[$attr:meta])* $vis:vis struct $name:ident, input: [$w:tt, $h:tt, $d:tt], classes: $classes:tt,
     n: $n:tt $(,)?) => {
        // The CIFAR ResNet's stages, with a wider, pooled stem and twice the filters.
        $crate::cifar_resnet!(@net $(#[$attr])* $vis struct $name, [$w, $h, $d], $classes, $n,
            {
                conv1: conv(32, 3, pad = 1, bias = false), bn1: batch_norm, relu,
                maxpool: max_pool(2, round = floor),
            },
            [32, 64, 128],
            { pad: pad_identity(64, stride = 2) },
            { pad: pad_identity(128, stride = 2) });
    };
}

compact_resnet!(
    /// The compact ResNet-8 for 28×28 grey images and 10 classes (Fashion-MNIST, MNIST).
    pub struct CompactResNet8, input: [28, 28, 1], classes: 10, n: 1
);
