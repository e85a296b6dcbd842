//! The IDX readers on small files written here: good files load, bad ones name the file and the
//! fault.

use std::io::Write;
use std::path::{Path, PathBuf};

use kiln_data::{Dataset, Source, read_images, read_labels};

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
    let data = Dataset::mnist(dir.path()).unwrap();
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
fn huge_or_empty_declared_sizes_are_errors_not_overflows() {
    // Found by the fuzz test: three sizes of 2³² − 1 overflowed their product.
    let dir = tempfile::tempdir().unwrap();
    let huge = idx(0x803, &[u32::MAX, u32::MAX, u32::MAX], &[0; 8]);
    let path = write(dir.path(), "huge", &huge, false);
    let err = read_images(&path).unwrap_err().to_string();
    assert!(
        err.contains("declares more data than can be addressed"),
        "{err}"
    );
    let path = write(dir.path(), "empty", &idx(0x803, &[2, 0, 5], &[]), false);
    let err = read_images(&path).unwrap_err().to_string();
    assert!(err.contains("images of 5×0 pixels"), "{err}");
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
    let err = Dataset::mnist(dir.path()).unwrap_err().to_string();
    assert!(err.contains("1 labels for 2 images"), "{err}");
}

#[test]
fn a_missing_file_names_it() {
    let dir = tempfile::tempdir().unwrap();
    let err = Dataset::mnist(dir.path()).unwrap_err().to_string();
    assert!(err.contains("train-images-idx3-ubyte"), "{err}");
}

/// A CIFAR-10 record: the label, then red, green and blue planes filled with `fill`.
fn cifar_record(label: u8, fill: [u8; 3]) -> Vec<u8> {
    let mut record = vec![label];
    for value in fill {
        record.extend(std::iter::repeat_n(value, 1024));
    }
    record
}

#[test]
fn cifar10_batches_load_with_three_planes() {
    let dir = tempfile::tempdir().unwrap();
    for (n, name) in [
        "data_batch_1.bin",
        "data_batch_2.bin",
        "data_batch_3.bin",
        "data_batch_4.bin",
        "data_batch_5.bin",
        "test_batch.bin",
    ]
    .iter()
    .enumerate()
    {
        let mut bytes = cifar_record(n as u8, [1, 2, 3]);
        bytes.extend(cifar_record(9, [4, 5, 6]));
        write(dir.path(), name, &bytes, false);
    }
    let data = kiln_data::Dataset::cifar10(dir.path()).unwrap();
    assert_eq!(data.train.len(), 10);
    assert_eq!(data.test.labels, vec![5, 9]);
    assert_eq!(data.train.labels[..4], [0, 9, 1, 9]);
    let images = &data.train.images;
    assert_eq!((images.rows, images.cols, images.depth), (32, 32, 3));
    // The second image's green plane.
    assert_eq!(images.pixels[3072 + 1024], 5);
    let device = burn::tensor::Device::flex();
    let (batch, labels) = data.test.batch(&[1], (0.0, 1.0 / 255.0), &device).unwrap();
    assert_eq!(batch.dims(), [1, 3, 32, 32]);
    assert_eq!(
        labels
            .into_data()
            .convert::<i64>()
            .try_to_vec::<i64>()
            .unwrap(),
        vec![9]
    );
    // The green plane of that image, normalised to its byte values.
    let green = batch
        .slice([0..1, 1..2, 0..32, 0..32])
        .into_data()
        .try_to_vec::<f32>()
        .unwrap();
    assert!(green.iter().all(|&v| (v - 5.0).abs() < 1e-4));
}

#[test]
fn cifar10_truncated_files_and_bad_labels_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = cifar_record(3, [0, 0, 0]);
    bytes.truncate(3000);
    let path = write(dir.path(), "data_batch_1.bin", &bytes, false);
    let err = kiln_data::read_cifar10(&path).unwrap_err().to_string();
    assert!(
        err.contains("data_batch_1.bin") && err.contains("3000 bytes"),
        "{err}"
    );
    let mut bytes = cifar_record(3, [0, 0, 0]);
    bytes.extend(cifar_record(12, [0, 0, 0]));
    let path = write(dir.path(), "test_batch.bin", &bytes, false);
    let err = kiln_data::read_cifar10(&path).unwrap_err().to_string();
    assert!(
        err.contains("test_batch.bin") && err.contains("record 1 has label 12"),
        "{err}"
    );
}
