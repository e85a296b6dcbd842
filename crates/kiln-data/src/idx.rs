//! The IDX format of MNIST and its relatives, plain or gzip-compressed.

use std::io::Read;
use std::path::Path;

use crate::DataError;

/// Unsigned-byte images of one size, one after another; each is `depth` planes of `rows × cols`
/// bytes, row-major.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Images {
    /// Number of images.
    pub count: usize,
    /// Rows (height) of each image.
    pub rows: usize,
    /// Columns (width) of each image.
    pub cols: usize,
    /// Planes (colour channels) of each image: 1 for IDX files, 3 for CIFAR-10.
    pub depth: usize,
    /// `count · rows · cols` pixels.
    pub pixels: Vec<u8>,
}

/// Reads a whole file, gunzipping it when its name ends in `.gz`.
pub(crate) fn read_bytes(path: &Path) -> Result<Vec<u8>, DataError> {
    let io = |source| DataError::Io {
        path: path.to_path_buf(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let mut bytes = Vec::new();
    if path.extension().is_some_and(|e| e == "gz") {
        flate2::read::GzDecoder::new(file)
            .read_to_end(&mut bytes)
            .map_err(io)?;
    } else {
        std::io::BufReader::new(file)
            .read_to_end(&mut bytes)
            .map_err(io)?;
    }
    Ok(bytes)
}

/// Checks the magic number and returns the `dims` big-endian dimensions and the payload.
fn parse_header<'a>(
    path: &Path,
    bytes: &'a [u8],
    dims: usize,
) -> Result<(Vec<usize>, &'a [u8]), DataError> {
    let header = 4 + 4 * dims;
    if bytes.len() < header {
        return Err(DataError::invalid(
            path,
            format!(
                "truncated header: {} bytes, an IDX file with {dims} dimensions needs {header}",
                bytes.len()
            ),
        ));
    }
    let magic = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
    let expected = 0x0800 + dims as u32;
    if magic != expected {
        return Err(DataError::invalid(
            path,
            format!(
                "wrong magic number {magic:#010x}, expected {expected:#010x} (unsigned bytes, {dims} dimensions)"
            ),
        ));
    }
    let sizes = bytes[4..header]
        .chunks_exact(4)
        .map(|c| u32::from_be_bytes([c[0], c[1], c[2], c[3]]) as usize)
        .collect::<Vec<_>>();
    let payload = &bytes[header..];
    // Declared sizes are not believed: a product that overflows is an error, not a wrap.
    let Some(needed) = sizes.iter().try_fold(1usize, |n, &d| n.checked_mul(d)) else {
        return Err(DataError::invalid(
            path,
            format!("header {sizes:?} declares more data than can be addressed"),
        ));
    };
    if payload.len() != needed {
        let what = if payload.len() < needed {
            "truncated"
        } else {
            "too long"
        };
        return Err(DataError::invalid(
            path,
            format!(
                "{what}: header {sizes:?} needs {needed} data bytes, the file has {}",
                payload.len()
            ),
        ));
    }
    Ok((sizes, payload))
}

/// Reads an IDX image file (magic `0x00000803`).
pub fn read_images(path: &Path) -> Result<Images, DataError> {
    let bytes = read_bytes(path)?;
    let (sizes, payload) = parse_header(path, &bytes, 3)?;
    if sizes[1] == 0 || sizes[2] == 0 {
        return Err(DataError::invalid(
            path,
            format!("images of {}×{} pixels", sizes[2], sizes[1]),
        ));
    }
    Ok(Images {
        count: sizes[0],
        rows: sizes[1],
        cols: sizes[2],
        depth: 1,
        pixels: payload.to_vec(),
    })
}

/// Reads an IDX label file (magic `0x00000801`) whose labels must be below `classes`.
pub fn read_labels(path: &Path, classes: usize) -> Result<Vec<u8>, DataError> {
    let bytes = read_bytes(path)?;
    let (_, payload) = parse_header(path, &bytes, 1)?;
    if let Some((index, label)) = payload
        .iter()
        .enumerate()
        .find(|(_, l)| **l as usize >= classes)
    {
        return Err(DataError::invalid(
            path,
            format!("label {label} at index {index} is out of range (classes 0..{classes})"),
        ));
    }
    Ok(payload.to_vec())
}
