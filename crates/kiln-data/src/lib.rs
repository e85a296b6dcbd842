//! Datasets for kiln.
//!
//! Readers check every header field and length and fail with the file's name and what is
//! wrong; nothing here panics on a bad file.

#![warn(missing_docs)]

mod augment;
mod cifar;
mod error;
mod folder;
mod idx;
mod mnist;
mod picture;
mod shuffle;
mod source;

pub use augment::{Augment, ImageSize, flip_horizontal, rotate_scale, translate};
pub use cifar::{CIFAR10_CLASSES, read_cifar10};
pub use error::DataError;
pub use folder::{ImageFolder, Skipped};
pub use idx::{Images, read_images, read_labels};
pub use mnist::{Dataset, FASHION_MNIST_CLASSES, Split, fashion_mnist_dir};
pub use picture::{Picture, read_picture};
pub use shuffle::{SplitMix64, shuffled_indices};
pub use source::{Source, normalise};
