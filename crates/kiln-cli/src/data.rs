//! Where the data is: `--data`, else the `KILN_DATA` environment variable, else the
//! Fashion-MNIST vendored in kiln's source tree (an installed `kiln` whose source tree is
//! gone has no vendored copy, and says so); and what it is: MNIST-format files, CIFAR-10
//! batches, or a user's pictures in one folder per class, told apart by the files there.

use std::error::Error;
use std::path::{Path, PathBuf};

use kiln::data::{
    CIFAR10_CLASSES, Dataset, FASHION_MNIST_CLASSES, ImageFolder, ImageSize, fashion_mnist_dir,
};

/// The environment variable naming the data directory when `--data` does not.
pub const DATA_ENV: &str = "KILN_DATA";

/// Which dataset format a data directory holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum DatasetKind {
    /// MNIST-format IDX files (MNIST, Fashion-MNIST, KMNIST); the default is the vendored
    /// Fashion-MNIST.
    Mnist,
    /// CIFAR-10's binary version (`data_batch_*.bin`, `test_batch.bin`).
    Cifar10,
    /// PNG or JPEG pictures in one folder per class (`DIR/<class>/…`, or `DIR/train/<class>/…`
    /// with `DIR/test/<class>/…`), converted to the model's input.
    Folder,
}

/// The input pictures from class folders are converted to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Input {
    /// 28×28×1, the zoo's grey input.
    Grey,
    /// 32×32×3, the zoo's colour input.
    Colour,
}

impl Input {
    /// The input's W×H×D.
    pub fn shape(self) -> [usize; 3] {
        match self {
            Input::Grey => [28, 28, 1],
            Input::Colour => [32, 32, 3],
        }
    }
}

/// What the directory `dir` holds: IDX files, CIFAR-10 batches, or class folders.
pub fn detect(dir: &Path) -> Result<DatasetKind, String> {
    let idx = ["train-images-idx3-ubyte", "train-images-idx3-ubyte.gz"];
    if idx.iter().any(|name| dir.join(name).is_file()) {
        Ok(DatasetKind::Mnist)
    } else if dir.join("data_batch_1.bin").is_file() {
        Ok(DatasetKind::Cifar10)
    } else if ImageFolder::looks_like(dir) {
        Ok(DatasetKind::Folder)
    } else {
        Err(format!(
            "{}: neither MNIST-format files (train-images-idx3-ubyte[.gz]), CIFAR-10 batches \
             (data_batch_1.bin) nor one folder of PNG/JPEG pictures per class",
            dir.display()
        ))
    }
}

/// The data directory: `given` (`--data`), else `$KILN_DATA`, else the vendored
/// Fashion-MNIST for MNIST-format data (or any, when `kind` is not given), or an error that
/// lists the three.
pub fn data_dir(given: Option<&Path>, kind: Option<DatasetKind>) -> Result<PathBuf, String> {
    let from_env = std::env::var_os(DATA_ENV).map(PathBuf::from);
    choose(given, from_env, &fashion_mnist_dir(), kind)
}

/// [`data_dir`] with the environment's value and the vendored copy's path given.
fn choose(
    given: Option<&Path>,
    from_env: Option<PathBuf>,
    vendored: &Path,
    kind: Option<DatasetKind>,
) -> Result<PathBuf, String> {
    if let Some(dir) = given {
        return Ok(dir.to_path_buf());
    }
    if let Some(dir) = from_env.filter(|d| !d.as_os_str().is_empty()) {
        return Ok(dir);
    }
    match kind.unwrap_or(DatasetKind::Mnist) {
        DatasetKind::Mnist if vendored.is_dir() => Ok(vendored.to_path_buf()),
        DatasetKind::Mnist => Err(format!(
            "no data directory: pass --data DIR or set {DATA_ENV}=DIR (the Fashion-MNIST \
             vendored in kiln's source tree, {}, is not there)",
            vendored.display()
        )),
        DatasetKind::Cifar10 => Err(format!(
            "CIFAR-10 is not vendored: pass --data DIR or set {DATA_ENV}=DIR (the directory \
             of data_batch_1.bin … test_batch.bin)"
        )),
        DatasetKind::Folder => Err(format!(
            "class folders are not vendored: pass --data DIR or set {DATA_ENV}=DIR (one \
             folder of pictures per class)"
        )),
    }
}

/// The dataset in `dir` (of `kind`, else detected) and its class names. Pictures in class
/// folders become `input` (else 32×32×3 when the first one is in colour, 28×28×1 when grey);
/// an unreadable one is skipped and counted, or fatal when `strict`.
pub fn load(
    dir: &Path,
    kind: Option<DatasetKind>,
    input: Option<[usize; 3]>,
    strict: bool,
) -> Result<(Dataset, Vec<String>), Box<dyn Error>> {
    let kind = match kind {
        Some(kind) => kind,
        None => detect(dir)?,
    };
    Ok(match kind {
        DatasetKind::Mnist => (Dataset::mnist(dir)?, mnist_classes(dir)?),
        DatasetKind::Cifar10 => (Dataset::cifar10(dir)?, names(&CIFAR10_CLASSES)),
        DatasetKind::Folder => {
            let folder = ImageFolder::scan(dir)?;
            let [cols, rows, depth] = input.unwrap_or_else(|| match folder.first_channels() {
                Some(3) => Input::Colour.shape(),
                _ => Input::Grey.shape(),
            });
            let size = ImageSize { rows, cols, depth };
            let (data, skipped) = folder.read(size, strict)?;
            // Each skipped picture with its path and why (the first ten, then how many more).
            for error in skipped.errors.iter().take(10) {
                eprintln!("skipped {error}");
            }
            if skipped.errors.len() > 10 {
                eprintln!("… and {} more skipped", skipped.errors.len() - 10);
            }
            println!(
                "{}: {} classes, {}; {} for training, {} for testing, as {cols}×{rows}×{depth}",
                dir.display(),
                folder.classes.len(),
                skipped.summary(),
                data.train.labels.len(),
                data.test.labels.len(),
            );
            (data, folder.classes)
        }
    })
}

fn names(classes: &[&str]) -> Vec<String> {
    classes.iter().map(|c| c.to_string()).collect()
}

/// Class names of an MNIST-format directory: its `classes.txt` (one per line) if it has one,
/// Fashion-MNIST's for the vendored copy, else the digits.
fn mnist_classes(dir: &Path) -> Result<Vec<String>, Box<dyn Error>> {
    let listed = dir.join("classes.txt");
    if listed.exists() {
        let text =
            std::fs::read_to_string(&listed).map_err(|e| format!("{}: {e}", listed.display()))?;
        return Ok(text.lines().map(str::to_string).collect());
    }
    let vendored = std::fs::canonicalize(fashion_mnist_dir()).ok();
    if vendored.is_some() && std::fs::canonicalize(dir).ok() == vendored {
        return Ok(names(&FASHION_MNIST_CLASSES));
    }
    Ok((0..10).map(|d| d.to_string()).collect())
}

/// Where the training data comes from: the options `train` and `experiment` share.
#[derive(clap::Args, Clone, Debug)]
pub struct DataArgs {
    /// The dataset format of the data directory (default: told by its files).
    #[arg(long, value_enum)]
    pub dataset: Option<DatasetKind>,
    /// The data directory: MNIST-format files, CIFAR-10 batches, or one folder of PNG/JPEG
    /// pictures per class (default: $KILN_DATA, else the vendored Fashion-MNIST).
    #[arg(long)]
    pub data: Option<PathBuf>,
    /// The input pictures from class folders become (default: colour when the first picture
    /// is, else grey).
    #[arg(long, value_enum)]
    pub input: Option<Input>,
    /// Stop at the first unreadable picture instead of skipping it.
    #[arg(long)]
    pub strict: bool,
}

impl DataArgs {
    /// The data these options name, with its class names.
    pub fn load(&self) -> Result<(Dataset, Vec<String>), Box<dyn Error>> {
        let dir = data_dir(self.data.as_deref(), self.dataset)?;
        let input = self.input.map(Input::shape);
        load(&dir, self.dataset, input, self.strict)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_flag_then_the_environment_then_the_vendored_copy() {
        let (flag, env) = (Path::new("/flag"), PathBuf::from("/env"));
        let vendored = fashion_mnist_dir();
        let mnist = Some(DatasetKind::Mnist);
        let pick = |given, from_env, vendored: &Path| choose(given, from_env, vendored, mnist);
        assert_eq!(
            pick(Some(flag), Some(env.clone()), &vendored).unwrap(),
            flag
        );
        assert_eq!(pick(None, Some(env.clone()), &vendored).unwrap(), env);
        assert_eq!(
            pick(None, Some(PathBuf::new()), &vendored).unwrap(),
            vendored
        );
        assert_eq!(pick(None, None, &vendored).unwrap(), vendored);
        // An installed binary whose source tree is gone.
        let gone = Path::new("/no/such/kiln/data/fashion-mnist");
        let error = pick(None, None, gone).unwrap_err();
        assert!(error.contains("--data DIR or set KILN_DATA=DIR"), "{error}");
        assert!(error.contains(&gone.display().to_string()), "{error}");
        assert_eq!(pick(None, Some(env.clone()), gone).unwrap(), env);
    }

    #[test]
    fn cifar_is_never_guessed() {
        let vendored = fashion_mnist_dir();
        let error = choose(None, None, &vendored, Some(DatasetKind::Cifar10)).unwrap_err();
        assert!(error.contains("CIFAR-10 is not vendored"), "{error}");
        let flag = Path::new("/cifar");
        let chosen = choose(Some(flag), None, &vendored, Some(DatasetKind::Cifar10));
        assert_eq!(chosen.unwrap(), flag);
    }
}
