//! kiln's model zoo: the lecture's architectures written with `kiln::model!`, every shape
//! checked at compile time.
//!
//! Each architecture is a macro that declares it at the input and class count you give
//! (`resnet18!(pub struct Net, input: [32, 32, 3], classes: 10)`), so the shapes are checked
//! again for your data; the ImageNet (or CIFAR-10) forms are declared here ready to use.
//! Layer names follow torchvision's, so its `.pth` weights load through [`weights`].

#![warn(missing_docs)]

mod alexnet;
mod cifar;
mod compact;
mod fashion;
mod googlenet;
mod names;
mod resnet;
mod stages;
mod vgg;
#[cfg(feature = "torchvision")]
pub mod weights;

pub use alexnet::{AlexNet, AlexNetPaper, AlexNetPaperGrouped};
pub use cifar::{Plain20, ResNet20};
pub use compact::CompactResNet8;
pub use fashion::FashionCnn;
pub use googlenet::{GoogLeNet, GoogLeNetAux};
pub use resnet::{ResNet18, ResNet34, ResNet50, ResNet101, ResNet152};
pub use vgg::{Vgg11, Vgg11Bn, Vgg13, Vgg13Bn, Vgg16, Vgg16Bn, Vgg19, Vgg19Bn};

/// What the architecture macros expand to; not part of the API.
#[doc(hidden)]
pub mod __private {
    pub use kiln_core;
    pub use kiln_macros::model;
}
