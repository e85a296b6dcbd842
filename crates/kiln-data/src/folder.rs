//! A user's own pictures: a directory tree with one folder per class, PNG or JPEG files of any
//! size, grey or colour, converted to a model's input.
//!
//! Two layouts are read: `DIR/<class>/…` (a tenth of each class, chosen by a hash of the file's
//! name, becomes the test split, so adding pictures never moves others between splits), or
//! `DIR/train/<class>/…` beside `DIR/test/<class>/…` (or `DIR/val/<class>/…`). Class names
//! are the folder names, in byte order; pictures may sit in sub-folders of their class folder.

use std::path::{Path, PathBuf};

use crate::{DataError, Dataset, ImageSize, Images, Split, read_picture};

/// The file extensions read as pictures (any case); other files are ignored.
const EXTENSIONS: [&str; 3] = ["png", "jpg", "jpeg"];

/// One test picture in this many of a class folder, in the single-folder layout.
const TEST_ONE_IN: u64 = 10;

/// The pictures of a class-per-folder tree, found but not yet decoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageFolder {
    /// The tree's root.
    pub root: PathBuf,
    /// Class names (folder names), by label.
    pub classes: Vec<String>,
    /// Training pictures and their labels.
    pub train: Vec<(PathBuf, u8)>,
    /// Test pictures and their labels.
    pub test: Vec<(PathBuf, u8)>,
}

/// What reading an [`ImageFolder`] leniently left out.
#[derive(Debug, Default)]
pub struct Skipped {
    /// Pictures decoded.
    pub read: usize,
    /// Each picture that could not be read, with its path and why.
    pub errors: Vec<DataError>,
}

impl Skipped {
    /// One line for the user: how many pictures were read and skipped, naming the first
    /// skipped one.
    pub fn summary(&self) -> String {
        match self.errors.first() {
            None => format!("read {} pictures", self.read),
            Some(first) => format!(
                "read {} pictures, skipped {} unreadable (first: {first})",
                self.read,
                self.errors.len()
            ),
        }
    }
}

impl ImageFolder {
    /// Whether `dir` looks like a class-per-folder tree: it has sub-directories (tell IDX and
    /// CIFAR-10 directories apart first).
    pub fn looks_like(dir: &Path) -> bool {
        sorted_entries(dir).is_ok_and(|entries| entries.iter().any(|e| e.is_dir()))
    }

    /// Finds the classes and pictures under `dir` (see the module's documentation for the
    /// layouts). An empty tree, a class name that is not UTF-8, more than 256 classes, or a
    /// test class the training split lacks is an error naming the directory.
    pub fn scan(dir: &Path) -> Result<Self, DataError> {
        let held_out = ["test", "val"]
            .iter()
            .map(|name| dir.join(name))
            .find(|d| d.is_dir());
        let (train_dir, test_dir) = match held_out {
            Some(test) if dir.join("train").is_dir() => (dir.join("train"), Some(test)),
            _ => (dir.to_path_buf(), None),
        };
        let classes = class_dirs(&train_dir)?;
        if classes.is_empty() {
            return Err(DataError::invalid(
                dir,
                "no class folders: expected DIR/<class>/<picture>.png|jpg, or DIR/train/<class>/… \
                 with DIR/test/<class>/…",
            ));
        }
        if classes.len() > 256 {
            return Err(DataError::invalid(
                &train_dir,
                format!("{} class folders; at most 256 are read", classes.len()),
            ));
        }
        let names: Vec<String> = classes.iter().map(|(name, _)| name.clone()).collect();
        let mut folder = ImageFolder {
            root: dir.to_path_buf(),
            classes: names.clone(),
            train: Vec::new(),
            test: Vec::new(),
        };
        for (label, (_, class_dir)) in classes.iter().enumerate() {
            for file in pictures(class_dir)? {
                let held = test_dir.is_none() && one_in(&file, TEST_ONE_IN);
                let split = if held {
                    &mut folder.test
                } else {
                    &mut folder.train
                };
                split.push((file, label as u8));
            }
        }
        if let Some(test_dir) = test_dir {
            for (name, class_dir) in class_dirs(&test_dir)? {
                let Some(label) = names.iter().position(|n| *n == name) else {
                    return Err(DataError::invalid(
                        &class_dir,
                        format!(
                            "a test class the training folder {} does not have",
                            train_dir.display()
                        ),
                    ));
                };
                for file in pictures(&class_dir)? {
                    folder.test.push((file, label as u8));
                }
            }
        }
        if folder.train.is_empty() {
            return Err(DataError::invalid(
                &train_dir,
                "no PNG or JPEG pictures in the class folders",
            ));
        }
        Ok(folder)
    }

    /// Channels (1 grey, 3 colour) of the first training picture that decodes, or `None`.
    pub fn first_channels(&self) -> Option<usize> {
        self.train
            .iter()
            .find_map(|(path, _)| read_picture(path).ok())
            .map(|p| p.channels)
    }

    /// Decodes every picture into `size` (the model's W×H×D). An unreadable picture is an
    /// error when `strict`, else skipped and listed in [`Skipped`].
    pub fn read(&self, size: ImageSize, strict: bool) -> Result<(Dataset, Skipped), DataError> {
        let mut skipped = Skipped::default();
        let mut split = |files: &[(PathBuf, u8)]| -> Result<Split, DataError> {
            let decoded = decode_all(files, size);
            let mut images = Images {
                count: 0,
                rows: size.rows,
                cols: size.cols,
                depth: size.depth,
                pixels: Vec::with_capacity(files.len() * size.len()),
            };
            let mut labels = Vec::with_capacity(files.len());
            for ((_, label), picture) in files.iter().zip(decoded) {
                match picture {
                    Ok(pixels) => {
                        images.pixels.extend(pixels);
                        images.count += 1;
                        labels.push(*label);
                    }
                    Err(error) if strict => return Err(error),
                    Err(error) => skipped.errors.push(error),
                }
            }
            skipped.read += labels.len();
            Ok(Split { images, labels })
        };
        let train = split(&self.train)?;
        let test = split(&self.test)?;
        Ok((Dataset { train, test }, skipped))
    }
}

/// Every picture in `files` converted to `size`, decoded on all cores.
fn decode_all(files: &[(PathBuf, u8)], size: ImageSize) -> Vec<Result<Vec<u8>, DataError>> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let chunk = files.len().div_ceil(threads).max(1);
    std::thread::scope(|scope| {
        let workers: Vec<_> = files
            .chunks(chunk)
            .map(|part| {
                scope.spawn(move || {
                    part.iter()
                        .map(|(path, _)| read_picture(path).map(|p| p.to_input(size)))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

/// Whether the FNV-1a hash of `path`'s file name falls in one of `n` buckets: a split that
/// depends on the name alone.
fn one_in(path: &Path, n: u64) -> bool {
    let name = path.file_name().map_or(&[][..], |n| n.as_encoded_bytes());
    let hash = name.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x0000_0100_0000_01b3)
    });
    hash % n == 0
}

/// The entries of `dir`, sorted by name.
fn sorted_entries(dir: &Path) -> Result<Vec<PathBuf>, DataError> {
    let io = |source| DataError::Io {
        path: dir.to_path_buf(),
        source,
    };
    let mut entries = std::fs::read_dir(dir)
        .map_err(io)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<Vec<_>, _>>()
        .map_err(io)?;
    entries.sort();
    Ok(entries)
}

/// The sub-directories of `dir` with their names, sorted; hidden ones are left out.
fn class_dirs(dir: &Path) -> Result<Vec<(String, PathBuf)>, DataError> {
    let mut classes = Vec::new();
    for entry in sorted_entries(dir)? {
        if !entry.is_dir() {
            continue;
        }
        let Some(name) = entry.file_name().and_then(|n| n.to_str()) else {
            return Err(DataError::invalid(
                &entry,
                "a class folder name that is not UTF-8",
            ));
        };
        if !name.starts_with('.') {
            classes.push((name.to_string(), entry.clone()));
        }
    }
    Ok(classes)
}

/// Folders below a class folder that are searched for pictures: a bound that a symbolic link
/// to a parent cannot exceed.
const MAX_DEPTH: usize = 8;

/// The PNG and JPEG files under `dir` (by extension, at most [`MAX_DEPTH`] folders down),
/// sorted.
fn pictures(dir: &Path) -> Result<Vec<PathBuf>, DataError> {
    let mut found = Vec::new();
    collect_pictures(dir, MAX_DEPTH, &mut found)?;
    Ok(found)
}

fn collect_pictures(dir: &Path, depth: usize, found: &mut Vec<PathBuf>) -> Result<(), DataError> {
    for entry in sorted_entries(dir)? {
        if entry.is_dir() {
            if depth > 0 {
                collect_pictures(&entry, depth - 1, found)?;
            }
        } else if entry
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
        {
            found.push(entry);
        }
    }
    Ok(())
}
