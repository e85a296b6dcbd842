//! Datasets for kiln.
//!
//! Readers check every header field and length and fail with the file's name and what is
//! wrong; nothing here panics on a bad file.

mod augment;
mod error;
mod idx;
mod mnist;
mod shuffle;

pub use augment::{Augment, ImageSize, flip_horizontal, rotate_scale, translate};
pub use error::DataError;
pub use idx::{Images, read_images, read_labels};
pub use mnist::{FASHION_MNIST_CLASSES, Mnist, Split, fashion_mnist_dir};
pub use shuffle::{SplitMix64, shuffled_indices};
