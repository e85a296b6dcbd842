//! The IDX readers on small files written here: good files load, bad ones name the file and the
//! fault.

use std::io::Write;
use std::path::{Path, PathBuf};

use kiln_data::{Mnist, read_images, read_labels};

fn idx(magic: u32, dims: &[u32], data: &[u8]) -> Vec<u8> {
    let mut bytes = magic.to_be_bytes().to_vec();
    for d in dims {
        bytes.extend(d.to_be_bytes());
    }
    bytes.extend(data);
    bytes
}

fn write(dir: &Path, name: &str, bytes: &[u8], gzip: bool) -> PathBuf {
    if gzip {
        let path = dir.join(format!("{name}.gz"));
        let mut encoder = flate2::write::GzEncoder::new(
            std::fs::File::create(&path).unwrap(),
            flate2::Compression::fast(),
        );
        encoder.write_all(bytes).unwrap();
        encoder.finish().unwrap();
        path
    } else {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        path
    }
}

#[test]
fn a_well_formed_directory_loads_plain_and_gzipped() {
    let dir = tempfile::tempdir().unwrap();
    let pixels: Vec<u8> = (0..3 * 2 * 2).collect();
    write(
        dir.path(),
        "train-images-idx3-ubyte",
        &idx(0x803, &[3, 2, 2], &pixels),
        true,
    );
    write(
        dir.path(),
        "train-labels-idx1-ubyte",
        &idx(0x801, &[3], &[0, 9, 4]),
        false,
    );
    write(
        dir.path(),
        "t10k-images-idx3-ubyte",
        &idx(0x803, &[1, 2, 2], &[1, 2, 3, 4]),
        false,
    );
    write(
        dir.path(),
        "t10k-labels-idx1-ubyte",
        &idx(0x801, &[1], &[7]),
        true,
    );
    let data = Mnist::load(dir.path()).unwrap();
    assert_eq!(data.train.images.pixels, pixels);
    assert_eq!((data.train.images.rows, data.train.images.cols), (2, 2));
    assert_eq!(data.train.labels, vec![0, 9, 4]);
    assert_eq!(data.test.labels, vec![7]);
}

#[test]
fn a_truncated_image_file_names_file_and_sizes() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(
        dir.path(),
        "images",
        &idx(0x803, &[2, 3, 3], &[0; 17]),
        false,
    );
    let err = read_images(&path).unwrap_err().to_string();
    assert!(err.starts_with(&path.display().to_string()), "{err}");
    assert!(
        err.contains("truncated: header [2, 3, 3] needs 18 data bytes, the file has 17"),
        "{err}"
    );
}

#[test]
fn a_truncated_header_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "images", &[0, 0, 8, 3, 0, 0], false);
    let err = read_images(&path).unwrap_err().to_string();
    assert!(err.contains("truncated header: 6 bytes"), "{err}");
}

#[test]
fn a_wrong_magic_number_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "labels", &idx(0x803, &[1, 1, 1], &[0]), false);
    let err = read_labels(&path, 10).unwrap_err().to_string();
    assert!(
        err.contains("wrong magic number 0x00000803, expected 0x00000801"),
        "{err}"
    );
}

#[test]
fn a_label_out_of_range_is_reported_with_its_index() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(dir.path(), "labels", &idx(0x801, &[3], &[1, 2, 12]), false);
    let err = read_labels(&path, 10).unwrap_err().to_string();
    assert!(
        err.contains("label 12 at index 2 is out of range (classes 0..10)"),
        "{err}"
    );
}

#[test]
fn a_corrupt_gzip_stream_is_an_io_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("images.gz");
    std::fs::write(&path, b"\x1f\x8b\x08\x00garbage").unwrap();
    let err = read_images(&path).unwrap_err().to_string();
    assert!(err.starts_with(&path.display().to_string()), "{err}");
}

#[test]
fn label_and_image_counts_must_agree() {
    let dir = tempfile::tempdir().unwrap();
    for prefix in ["train", "t10k"] {
        write(
            dir.path(),
            &format!("{prefix}-images-idx3-ubyte"),
            &idx(0x803, &[2, 1, 1], &[0, 0]),
            false,
        );
        write(
            dir.path(),
            &format!("{prefix}-labels-idx1-ubyte"),
            &idx(0x801, &[1], &[0]),
            false,
        );
    }
    let err = Mnist::load(dir.path()).unwrap_err().to_string();
    assert!(err.contains("1 labels for 2 images"), "{err}");
}

#[test]
fn a_missing_file_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let err = Mnist::load(dir.path()).unwrap_err().to_string();
    assert!(err.contains("train-images-idx3-ubyte"), "{err}");
}
