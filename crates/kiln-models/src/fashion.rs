//! A small classifier for Fashion-MNIST.

/// Declares the small Fashion-MNIST CNN at any input and class count: two
/// conv–batch-norm–ReLU–pool stages and two fully connected layers.
///
/// ```
/// kiln_models::fashion_cnn!(
///     /// The CNN for 32×32 colour images.
///     pub struct Colour, input: [32, 32, 3], classes: 10
/// );
/// assert_eq!(Colour::OUTPUT, [1, 1, 10]);
/// ```
#[macro_export]
macro_rules! fashion_cnn {
    ($(#[$attr:meta])* $vis:vis struct $name:ident, input: [$w:tt, $h:tt, $d:tt],
     classes: $classes:tt $(,)?) => {
        $crate::__private::model! {
            #[kiln(crate = $crate::__private::kiln_core)]
            $(#[$attr])*
            $vis struct $name {
                input: [$w, $h, $d],
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
                fc2: linear($classes),
            }
        }
    };
}

fashion_cnn!(
    /// The small CNN for 28×28×1 images and 10 classes.
    pub struct FashionCnn, input: [28, 28, 1], classes: 10
);
