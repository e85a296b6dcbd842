//! The zoo by name: the one table of model names, read by the `kiln` command (which trains,
//! evaluates and classifies with a model named on its command line) and by `cargo xtask
//! summary` (which compiles a named model for any input). The file depends on nothing, so
//! xtask includes it without building kiln.

/// Calls `$callback! { rows }` with the zoo's table, one row per named model:
///
/// ```text
/// Type "name" ["alias", …] => template(fixed arguments), [W, H, D], classes, trains [inputs];
/// ```
///
/// `template!` is the architecture's declaring macro in this crate, called as
/// `template!(pub struct Type, input: [W, H, D], classes: N, fixed arguments)`; `[W, H, D]`
/// and `classes` are the architecture's standard form (ImageNet's or CIFAR-10's); `trains`
/// lists the data inputs on which the `kiln` command trains it by name: `grey` (28×28×1:
/// MNIST, Fashion-MNIST) and `colour` (32×32×3: CIFAR-10), those its layers fit: AlexNet's
/// fit neither, VGG's five pools leave nothing of 28×28 (`cargo xtask summary vgg11 --input
/// 28x28x1` shows where).
///
/// ```
/// macro_rules! names {
///     ($($id:ident $name:literal [$($alias:literal),*] => $template:ident $args:tt,
///        $input:tt, $classes:literal, trains [$($at:ident)*];)*) => {
///         const NAMES: &[&str] = &[$($name),*];
///     };
/// }
/// kiln_models::zoo_names!(names);
/// assert!(NAMES.contains(&"resnet20") && NAMES.contains(&"vgg16-bn"));
/// ```
#[macro_export]
macro_rules! zoo_names {
    ($callback:ident) => {
        $callback! {
            AlexNet "alexnet" [] => alexnet(), [224, 224, 3], 1000, trains [];
            AlexNetPaper "alexnet-paper" [] => alexnet_paper(groups: 1), [227, 227, 3], 1000,
                trains [];
            AlexNetPaperGrouped "alexnet-paper-grouped" [] => alexnet_paper(groups: 2),
                [227, 227, 3], 1000, trains [];
            Vgg11 "vgg11" [] => vgg11(), [224, 224, 3], 1000, trains [colour];
            Vgg11Bn "vgg11-bn" [] => vgg11_bn(), [224, 224, 3], 1000, trains [colour];
            Vgg13 "vgg13" [] => vgg13(), [224, 224, 3], 1000, trains [colour];
            Vgg13Bn "vgg13-bn" [] => vgg13_bn(), [224, 224, 3], 1000, trains [colour];
            Vgg16 "vgg16" [] => vgg16(), [224, 224, 3], 1000, trains [colour];
            Vgg16Bn "vgg16-bn" [] => vgg16_bn(), [224, 224, 3], 1000, trains [colour];
            Vgg19 "vgg19" [] => vgg19(), [224, 224, 3], 1000, trains [colour];
            Vgg19Bn "vgg19-bn" [] => vgg19_bn(), [224, 224, 3], 1000, trains [colour];
            GoogLeNet "googlenet" [] => googlenet(), [224, 224, 3], 1000, trains [grey colour];
            ResNet18 "resnet18" [] => resnet18(), [224, 224, 3], 1000, trains [grey colour];
            ResNet34 "resnet34" [] => resnet34(), [224, 224, 3], 1000, trains [grey colour];
            ResNet50 "resnet50" [] => resnet50(), [224, 224, 3], 1000, trains [grey colour];
            ResNet101 "resnet101" [] => resnet101(), [224, 224, 3], 1000, trains [grey colour];
            ResNet152 "resnet152" [] => resnet152(), [224, 224, 3], 1000, trains [grey colour];
            ResNet20 "resnet20" ["resnet"] => cifar_resnet(n: 3, shortcut: A), [32, 32, 3], 10,
                trains [grey colour];
            ResNet32 "resnet32" [] => cifar_resnet(n: 5, shortcut: A), [32, 32, 3], 10,
                trains [grey colour];
            ResNet44 "resnet44" [] => cifar_resnet(n: 7, shortcut: A), [32, 32, 3], 10,
                trains [grey colour];
            ResNet56 "resnet56" [] => cifar_resnet(n: 9, shortcut: A), [32, 32, 3], 10,
                trains [grey colour];
            ResNet110 "resnet110" [] => cifar_resnet(n: 18, shortcut: A), [32, 32, 3], 10,
                trains [grey colour];
            Plain20 "plain20" [] => cifar_plain(n: 3), [32, 32, 3], 10, trains [grey colour];
            Plain32 "plain32" [] => cifar_plain(n: 5), [32, 32, 3], 10, trains [grey colour];
            Plain44 "plain44" [] => cifar_plain(n: 7), [32, 32, 3], 10, trains [grey colour];
            Plain56 "plain56" [] => cifar_plain(n: 9), [32, 32, 3], 10, trains [grey colour];
            Plain110 "plain110" [] => cifar_plain(n: 18), [32, 32, 3], 10, trains [grey colour];
            CompactResNet8 "compact-resnet8" ["resnet8"] => compact_resnet(n: 1), [28, 28, 1],
                10, trains [grey colour];
            FashionCnn "fashion-cnn" [] => fashion_cnn(), [28, 28, 1], 10, trains [grey colour];
        }
    };
}
