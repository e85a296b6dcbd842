//! Importing torchvision weights (`.pth` state dicts) into the zoo's models.
//!
//! burn-store reads the file (its PyTorch reader, with the adapter that transposes linear
//! weights and renames batch-norm scale and shift); kiln supplies only the key mapping from
//! torchvision's names to its own. The zoo names layers after torchvision's modules, with
//! sequence indices written `_N` (`layer1.0` is `layer1_0`, `features.3` is `features_3`), so
//! one mapping serves every architecture.

use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};

use kiln_core::burn::module::Module;
use kiln_core::burn::store::{
    ApplyError, KeyRemapper, ModuleSnapshot, ModuleStore, PyTorchToBurnAdapter, PytorchStore,
};

/// The rules, applied in order, that turn a torchvision key into a kiln parameter path.
pub const TORCHVISION_KEYS: &[(&str, &str)] = &[
    // ResNet projection shortcuts: `downsample.0`/`.1` are kiln's `shortcut.conv`/`.bn`.
    (r"\.downsample\.0\.", ".shortcut.conv."),
    (r"\.downsample\.1\.", ".shortcut.bn."),
    // GoogLeNet: the `BasicConv2d`s inside Inception branches, the stem and the aux heads.
    (r"\.branch(\d)\.(\d)\.(conv|bn)\.", ".branch$1.${3}_$2."),
    (r"^(conv\d)\.(conv|bn)\.", "${1}_$2."),
    (r"^(aux\d)\.conv\.(conv|bn)\.", "$1.conv_$2."),
    // Sequence indices: `layer1.0.` is `layer1_0.`, `features.3.` is `features_3.`.
    (r"(\w)\.(\d+)\.", "${1}_$2."),
    // kiln's typed layers wrap burn's: the tensors sit one level down.
    (r"\.(weight|bias|running_mean|running_var)$", ".inner.$1"),
];

/// Why a weight file could not be loaded. Nothing is loaded when any tensor does not fit.
#[derive(Debug)]
pub enum WeightError {
    /// The file could not be read as a PyTorch checkpoint.
    Read {
        /// The file.
        path: PathBuf,
        /// What the reader said.
        message: String,
    },
    /// The file was read but does not fit the model.
    Mismatch {
        /// The file.
        path: PathBuf,
        /// One line per problem, each naming the key and, for shapes, both shapes.
        problems: Vec<String>,
    },
}

impl fmt::Display for WeightError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WeightError::Read { path, message } => {
                write!(
                    f,
                    "cannot read {} as PyTorch weights: {message}",
                    path.display()
                )
            }
            WeightError::Mismatch { path, problems } => {
                write!(
                    f,
                    "{} does not fit the model ({} problems; nothing was loaded):",
                    path.display(),
                    problems.len()
                )?;
                for problem in problems {
                    write!(f, "\n  - {problem}")?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for WeightError {}

/// Loads a torchvision state dict (`.pth`) into `model`, returning the loaded model.
///
/// Every tensor of the model must come from the file and every tensor of the file must fit a
/// parameter of the model, with the same shape; otherwise the error lists each missing key,
/// unused key and shape mismatch (with both shapes), and `model` is untouched.
/// `num_batches_tracked` counters are ignored.
pub fn load_torchvision<M: Module>(model: &M, path: impl AsRef<Path>) -> Result<M, WeightError> {
    let path = path.as_ref();
    let read_error = |message: String| WeightError::Read {
        path: path.to_path_buf(),
        message,
    };
    if !path.is_file() {
        return Err(read_error("no such file".to_string()));
    }
    let mut store = PytorchStore::from_file(path).map_indices_contiguous(false);
    let tensors: Vec<_> = store
        .get_all_tensors()
        .map_err(|e| read_error(e.to_string()))?
        .values()
        .filter(|t| !t.name.ends_with("num_batches_tracked"))
        .cloned()
        .collect();
    let remapper = KeyRemapper::from_patterns(TORCHVISION_KEYS.to_vec())
        .expect("the key rules are valid regular expressions");
    let (tensors, renamed) = remapper.remap(tensors);
    let torch_key: HashMap<String, String> = renamed.into_iter().collect();
    let original = |kiln: &str| torch_key.get(kiln).map_or(kiln, String::as_str).to_string();

    let mut loaded = model.clone();
    let result = loaded.apply(tensors, None, Some(Box::new(PyTorchToBurnAdapter)), true);
    let mut problems = Vec::new();
    for error in &result.errors {
        problems.push(match error {
            ApplyError::ShapeMismatch {
                path: kiln,
                expected,
                found,
            } => format!(
                "`{}` (kiln `{kiln}`): the model expects shape {:?}, the file has {:?}",
                original(kiln),
                expected.as_slice(),
                found.as_slice()
            ),
            other => other.to_string(),
        });
    }
    for (kiln, _) in &result.missing {
        problems.push(format!("kiln `{kiln}` has no tensor in the file"));
    }
    for kiln in &result.unused {
        problems.push(format!(
            "`{}` in the file matches no parameter of the model (looked for kiln `{kiln}`)",
            original(kiln)
        ));
    }
    if problems.is_empty() {
        Ok(loaded)
    } else {
        Err(WeightError::Mismatch {
            path: path.to_path_buf(),
            problems,
        })
    }
}
