//! CIFAR-10 in its binary version (`cifar-10-batches-bin`).

use std::path::Path;

use crate::error::DataError;
use crate::idx::{Images, read_bytes};
use crate::mnist::{Dataset, Split};

/// CIFAR-10's class names, by label.
pub const CIFAR10_CLASSES: [&str; 10] = [
    "airplane",
    "automobile",
    "bird",
    "cat",
    "deer",
    "dog",
    "frog",
    "horse",
    "ship",
    "truck",
];

/// Side of a CIFAR-10 image.
const SIDE: usize = 32;
/// Bytes of one record: the label, then 32×32 red, green and blue planes.
const RECORD: usize = 1 + 3 * SIDE * SIDE;

/// Reads one CIFAR-10 binary batch file (`data_batch_N.bin`, `test_batch.bin`): records of a
/// label byte (0–9) and 3,072 pixel bytes. A length that is not a whole number of records or a
/// label above 9 is an error naming the file and the record.
pub fn read_cifar10(path: &Path) -> Result<Split, DataError> {
    let bytes = read_bytes(path)?;
    if bytes.is_empty() || !bytes.len().is_multiple_of(RECORD) {
        return Err(DataError::invalid(
            path,
            format!(
                "{} bytes is not a whole number of {RECORD}-byte CIFAR-10 records \
                 (truncated or not a CIFAR-10 binary batch)",
                bytes.len()
            ),
        ));
    }
    let count = bytes.len() / RECORD;
    let mut labels = Vec::with_capacity(count);
    let mut pixels = Vec::with_capacity(count * (RECORD - 1));
    for (i, record) in bytes.chunks_exact(RECORD).enumerate() {
        if record[0] > 9 {
            return Err(DataError::invalid(
                path,
                format!(
                    "record {i} has label {}, CIFAR-10 labels are 0–9",
                    record[0]
                ),
            ));
        }
        labels.push(record[0]);
        pixels.extend_from_slice(&record[1..]);
    }
    Ok(Split {
        images: Images {
            count,
            rows: SIDE,
            cols: SIDE,
            depth: 3,
            pixels,
        },
        labels,
    })
}

impl Dataset {
    /// Reads CIFAR-10's binary version from `dir`: `data_batch_1.bin` … `data_batch_5.bin`
    /// for training and `test_batch.bin` for testing.
    pub fn cifar10(dir: &Path) -> Result<Self, DataError> {
        let mut train = read_cifar10(&dir.join("data_batch_1.bin"))?;
        for n in 2..=5 {
            let batch = read_cifar10(&dir.join(format!("data_batch_{n}.bin")))?;
            train.images.count += batch.images.count;
            train.images.pixels.extend(batch.images.pixels);
            train.labels.extend(batch.labels);
        }
        Ok(Dataset {
            train,
            test: read_cifar10(&dir.join("test_batch.bin"))?,
        })
    }
}
