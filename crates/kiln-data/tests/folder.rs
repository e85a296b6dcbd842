//! A user's own pictures in class folders: layouts, conversion to the model's input, and
//! unreadable pictures skipped with their paths or fatal when strict.

use std::path::Path;

use kiln_data::{ImageFolder, ImageSize, Source};
use zune_png::PngEncoder;
use zune_png::zune_core::bit_depth::BitDepth;
use zune_png::zune_core::colorspace::ColorSpace;
use zune_png::zune_core::options::EncoderOptions;

const PICTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/pictures");

/// A `width × height` PNG of one colour (`value` repeated per channel).
fn png(path: &Path, width: usize, height: usize, colour: ColorSpace, value: u8) {
    let channels = colour.num_components();
    let pixels = vec![value; width * height * channels];
    let options = EncoderOptions::new(width, height, colour, BitDepth::Eight);
    let mut bytes = Vec::new();
    PngEncoder::new(&pixels, options)
        .encode(&mut bytes)
        .unwrap();
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, bytes).unwrap();
}

fn copy(from: &str, to: &Path) {
    std::fs::create_dir_all(to.parent().unwrap()).unwrap();
    std::fs::copy(Path::new(PICTURES).join(from), to).unwrap();
}

const GREY: ImageSize = ImageSize {
    rows: 4,
    cols: 4,
    depth: 1,
};

/// Two classes of 30 pictures each (grey and RGBA PNGs, JPEGs in a sub-folder), plus files
/// that are not pictures and a hidden folder.
fn tree(root: &Path) {
    for i in 0..30 {
        png(
            &root.join(format!("cat/c{i}.png")),
            7,
            5,
            ColorSpace::Luma,
            200,
        );
        let name = format!("dog/d{i}.PNG");
        png(&root.join(name), 9, 3, ColorSpace::RGBA, 10);
    }
    copy("grey.jpg", &root.join("dog/more/g.jpg"));
    std::fs::write(root.join("cat/notes.txt"), "not a picture").unwrap();
    png(&root.join(".cache/x.png"), 2, 2, ColorSpace::Luma, 0);
}

#[test]
fn one_folder_per_class_is_found_and_split_by_name() {
    let dir = tempfile::tempdir().unwrap();
    tree(dir.path());
    assert!(ImageFolder::looks_like(dir.path()));
    let folder = ImageFolder::scan(dir.path()).unwrap();
    assert_eq!(folder.classes, ["cat", "dog"]);
    assert_eq!(folder.train.len() + folder.test.len(), 61);
    // A tenth held out, by the hash of the name: some, not all, and the same each time.
    assert!(
        (1..20).contains(&folder.test.len()),
        "{}",
        folder.test.len()
    );
    assert_eq!(ImageFolder::scan(dir.path()).unwrap(), folder);
    let dogs = folder.train.iter().chain(&folder.test);
    let dogs = dogs.filter(|(_, label)| *label == 1).count();
    assert_eq!(dogs, 31);
    // Adding a picture moves no other between the splits.
    png(&dir.path().join("cat/new.png"), 3, 3, ColorSpace::Luma, 1);
    let grown = ImageFolder::scan(dir.path()).unwrap();
    for (path, _) in &folder.test {
        assert!(grown.test.iter().any(|(p, _)| p == path));
    }
}

#[test]
fn pictures_are_converted_to_the_models_input() {
    let dir = tempfile::tempdir().unwrap();
    tree(dir.path());
    let folder = ImageFolder::scan(dir.path()).unwrap();
    let (data, skipped) = folder.read(GREY, true).unwrap();
    assert!(skipped.errors.is_empty());
    assert_eq!(skipped.read, 61);
    assert_eq!(data.train.len() + data.test.len(), 61);
    assert_eq!(data.train.image_size(), GREY);
    let mut pixels = Vec::new();
    for i in 0..data.train.len() {
        pixels.clear();
        let label = data.train.read(i, &mut pixels).unwrap();
        assert_eq!(pixels.len(), 16);
        // One-colour pictures stay one colour at any size (the JPEG ramp is the exception).
        let value = if label == 0 { 200 } else { 10 };
        if pixels.iter().all(|&p| p == pixels[0]) {
            assert_eq!(pixels[0], value, "example {i}");
        }
    }
    let colour = ImageSize { depth: 3, ..GREY };
    let (data, _) = folder.read(colour, true).unwrap();
    assert_eq!(data.test.image_size(), colour);
    assert_eq!(folder.first_channels(), Some(1));
}

#[test]
fn unreadable_pictures_are_skipped_with_their_paths_or_fatal_when_strict() {
    let dir = tempfile::tempdir().unwrap();
    tree(dir.path());
    let broken = dir.path().join("cat/broken.png");
    let mut bytes = b"\x89PNG\r\n\x1a\n".to_vec();
    bytes.extend([0xAB; 40]);
    std::fs::write(&broken, bytes).unwrap();
    let empty = dir.path().join("dog/empty.jpg");
    std::fs::write(&empty, b"").unwrap();
    let folder = ImageFolder::scan(dir.path()).unwrap();
    let (data, skipped) = folder.read(GREY, false).unwrap();
    assert_eq!(data.train.len() + data.test.len(), 61);
    assert_eq!(skipped.errors.len(), 2);
    let messages: Vec<String> = skipped.errors.iter().map(|e| e.to_string()).collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains(&broken.display().to_string()))
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains(&empty.display().to_string()))
    );
    let line = skipped.summary();
    assert!(
        line.starts_with("read 61 pictures, skipped 2 unreadable (first: "),
        "{line}"
    );
    let error = folder.read(GREY, true).unwrap_err().to_string();
    assert!(
        error.contains("broken.png") || error.contains("empty.jpg"),
        "{error}"
    );
}

#[test]
fn train_and_test_folders_share_their_classes() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    copy("colour.jpg", &root.join("train/apple/a.jpg"));
    copy("colour.jpg", &root.join("train/pear/p.jpg"));
    copy("grey.jpg", &root.join("val/pear/q.jpg"));
    let folder = ImageFolder::scan(root).unwrap();
    assert_eq!(folder.classes, ["apple", "pear"]);
    assert_eq!(folder.train.len(), 2);
    assert_eq!(folder.test, [(root.join("val/pear/q.jpg"), 1)]);
    assert_eq!(folder.first_channels(), Some(3));
    let (data, _) = folder.read(ImageSize { depth: 3, ..GREY }, true).unwrap();
    // colour.jpg: red rises left to right, blue top to bottom.
    let mut pixels = Vec::new();
    data.train.read(0, &mut pixels).unwrap();
    let (red, blue) = (&pixels[..16], &pixels[32..]);
    assert!(
        red[3] > red[0] + 100 && blue[12] > blue[0] + 100,
        "{pixels:?}"
    );
    copy("grey.jpg", &root.join("val/plum/q.jpg"));
    let error = ImageFolder::scan(root).unwrap_err().to_string();
    assert!(
        error.contains("plum") && error.contains("does not have"),
        "{error}"
    );
}

#[test]
fn a_tree_without_class_folders_or_pictures_says_what_it_expected() {
    let dir = tempfile::tempdir().unwrap();
    let error = ImageFolder::scan(dir.path()).unwrap_err().to_string();
    assert!(error.contains("no class folders"), "{error}");
    assert!(!ImageFolder::looks_like(dir.path()));
    std::fs::create_dir(dir.path().join("empty")).unwrap();
    let error = ImageFolder::scan(dir.path()).unwrap_err().to_string();
    assert!(error.contains("no PNG or JPEG pictures"), "{error}");
    let missing = dir.path().join("missing");
    let error = ImageFolder::scan(&missing).unwrap_err().to_string();
    assert!(error.contains(&missing.display().to_string()), "{error}");
}
