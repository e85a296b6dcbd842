//! The zoo's models by name, at the two data inputs the command trains on: every row of
//! [`kiln::models::zoo_names!`] whose architecture fits 28×28×1 (MNIST, Fashion-MNIST) or
//! 32×32×3 (CIFAR-10) is declared here for it, with 10 classes.

use std::error::Error;
use std::path::{Path, PathBuf};

use kiln::Model;
use kiln::burn::module::Module;
use kiln::train::{RunInfo, resolve_checkpoint};

/// Something to do with a model type chosen at run time.
pub trait WithModel {
    /// What it returns.
    type Output;
    /// Does it with `M`.
    fn call<M: Model + Module>(self) -> Self::Output;
}

/// The inputs the registry declares models for, by the name the table uses.
macro_rules! input {
    (grey) => {
        [28, 28, 1]
    };
    (colour) => {
        [32, 32, 3]
    };
}

/// Declares `Type::input::Type` (`ResNet20::grey::ResNet20`) for every row and input of the
/// zoo's table, and [`with_model`] and [`TABLE`] over them.
macro_rules! registry {
    ($($id:ident $name:literal $aliases:tt => $template:ident $args:tt,
       $standard:tt, $classes:literal, trains [$($at:ident)*];)*) => {
        $(
            /// The model at each input it trains on, in a module named for the input.
            #[allow(non_snake_case)]
            pub mod $id {
                $(registry!(@declare $id $template $args $at);)*
            }
        )*

        /// Calls `job` with the model `name` (or one of its aliases) stands for at `input`
        /// (`[W, H, D]`).
        pub fn with_model<J: WithModel>(
            name: &str,
            input: [usize; 3],
            job: J,
        ) -> Result<J::Output, String> {
            $($(
                if (name == $name || <[&str]>::contains(&$aliases, &name))
                    && input == input!($at)
                {
                    return Ok(job.call::<$id::$at::$id>());
                }
            )*)*
            let [w, h, d] = input;
            Err(format!(
                "no model `{name}` for {w}×{h}×{d} inputs; `kiln models` lists the names\n{}",
                listing()
            ))
        }

        /// Every named model, its aliases and the inputs it trains on.
        pub const TABLE: &[Entry] = &[$(Entry {
            name: $name,
            aliases: &$aliases,
            inputs: &[$(input!($at)),*],
        }),*];
    };
    (@declare $id:ident $template:ident $args:tt grey) => {
        /// At 28×28×1.
        pub mod grey {
            registry!(@emit $id $template $args [28, 28, 1]);
        }
    };
    (@declare $id:ident $template:ident $args:tt colour) => {
        /// At 32×32×3.
        pub mod colour {
            registry!(@emit $id $template $args [32, 32, 3]);
        }
    };
    (@emit $id:ident $template:ident () [$w:tt, $h:tt, $d:tt]) => {
        kiln::models::$template!(
            /// The zoo model at this input, with 10 classes.
            pub struct $id, input: [$w, $h, $d], classes: 10
        );
    };
    (@emit $id:ident $template:ident ($($args:tt)+) [$w:tt, $h:tt, $d:tt]) => {
        kiln::models::$template!(
            /// The zoo model at this input, with 10 classes.
            pub struct $id, input: [$w, $h, $d], classes: 10, $($args)+
        );
    };
}

/// Calls the job `make` builds from a checkpoint's run description and weights file with the
/// model the run trained: `checkpoint` is a run directory (its best epoch), an epoch directory
/// or a `model.bpk` file.
pub fn with_checkpoint<J: WithModel>(
    checkpoint: &Path,
    make: impl FnOnce(RunInfo, PathBuf) -> J,
) -> Result<J::Output, Box<dyn Error>> {
    let (run, weights) = resolve_checkpoint(checkpoint)?;
    let info = RunInfo::read(&run)?;
    let (model, input) = (info.model.clone(), info.input);
    Ok(with_model(&model, input, make(info, weights))?)
}

/// A row of the zoo's table as the command uses it.
pub struct Entry {
    /// The model's name.
    pub name: &'static str,
    /// Other names it answers to.
    pub aliases: &'static [&'static str],
    /// The inputs (`[W, H, D]`) at which it is declared here.
    pub inputs: &'static [[usize; 3]],
}

/// The names, their aliases and the inputs each trains on, one model per line
/// (`resnet20 (also resnet): 28×28×1, 32×32×3`).
pub fn listing() -> String {
    let mut text = String::new();
    for entry in TABLE {
        let also = if entry.aliases.is_empty() {
            String::new()
        } else {
            format!(" (also {})", entry.aliases.join(", "))
        };
        let trains = if entry.inputs.is_empty() {
            "not at 28×28×1 or 32×32×3 (`cargo xtask summary` shows why)".to_string()
        } else {
            let shapes: Vec<String> = entry
                .inputs
                .iter()
                .map(|[w, h, d]| format!("{w}×{h}×{d}"))
                .collect();
            shapes.join(", ")
        };
        text.push_str(&format!("{}{also}: {trains}\n", entry.name));
    }
    text
}

kiln::models::zoo_names!(registry);

#[cfg(test)]
mod tests {
    use super::*;

    /// A model's shapes and parameter count, without building it.
    struct Shapes;

    impl WithModel for Shapes {
        type Output = ([usize; 3], [usize; 3], usize);
        fn call<M: Model + Module>(self) -> Self::Output {
            (M::INPUT, M::OUTPUT, M::PARAMS)
        }
    }

    #[test]
    fn every_name_and_alias_gives_its_model_at_each_listed_input() {
        let mut declared = 0;
        for entry in TABLE {
            for &input in entry.inputs {
                let (got, output, params) = with_model(entry.name, input, Shapes).unwrap();
                assert_eq!((got, output), (input, [1, 1, 10]), "{}", entry.name);
                for alias in entry.aliases {
                    let by_alias = with_model(alias, input, Shapes).unwrap();
                    assert_eq!(by_alias.2, params, "{alias} is {}", entry.name);
                }
                declared += 1;
            }
        }
        // The CIFAR ResNets and plain nets, ImageNet's ResNets and GoogLeNet, the compact
        // ResNet and the small CNN at both inputs; VGG at 32×32×3 only.
        assert_eq!(declared, 2 * (5 + 5 + 5 + 1 + 1 + 1) + 8);
    }

    #[test]
    fn a_model_that_does_not_fit_the_input_is_refused_with_the_names() {
        let error = with_model("vgg16", [28, 28, 1], Shapes).unwrap_err();
        assert!(
            error.contains("no model `vgg16` for 28×28×1 inputs"),
            "{error}"
        );
        assert!(error.contains("vgg16: 32×32×3"), "{error}");
        assert!(
            error.contains("resnet20 (also resnet): 28×28×1, 32×32×3"),
            "{error}"
        );
        let error = with_model("alexnet", [32, 32, 3], Shapes).unwrap_err();
        assert!(
            error.contains("alexnet: not at 28×28×1 or 32×32×3"),
            "{error}"
        );
        assert!(with_model("resnet21", [28, 28, 1], Shapes).is_err());
    }
}
