//! Fuzz-style property tests of every reader of outside bytes: IDX and CIFAR-10 files, PNG and
//! JPEG pictures, `.pth` weights, `.npy` fixtures, burnpack checkpoints, and a run's metadata
//! (`run.json`, `state.json`, the `best` pointer).
//!
//! Each reader gets random files and mutations of valid seeds (bit flips, truncations,
//! extensions, huge declared sizes, wrong magic numbers, NaN and infinite payloads). The
//! property: it returns, never panics; an error names the file; no single allocation exceeds
//! [`ALLOCATION_LIMIT`] (a declared size is checked against the bytes before it is believed).
//!
//! `KILN_FUZZ_CASES` cases per reader (default 300 in `cargo test`); `cargo xtask fuzz` runs
//! 100,000 per reader. A failing case is saved under `target/fuzz-failures/`.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::io::Write;
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};

use kiln::burn::module::Module;
use kiln::burn::tensor::Device;
use kiln::data::{ImageSize, SplitMix64, read_cifar10, read_images, read_labels, read_picture};
use kiln::models::FashionCnn;
use kiln::train::{RunInfo, TestViews, load_weights, read_history, resolve_checkpoint};

/// The largest single allocation a reader may make for a small file.
const ALLOCATION_LIMIT: usize = 64 << 20;

/// Counts the largest allocation of the current thread since the last [`reset_largest`].
struct Largest;

thread_local! {
    static LARGEST: Cell<usize> = const { Cell::new(0) };
}

// SAFETY: every call is passed on to the system allocator unchanged; the bookkeeping only
// reads and writes a thread-local `Cell` (const-initialised, so it never allocates).
unsafe impl GlobalAlloc for Largest {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note(layout.size());
        // SAFETY: the caller's contract for `alloc` is passed on.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: `ptr` came from `System` with `layout`, as the caller guarantees.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note(new_size);
        // SAFETY: the caller's contract for `realloc` is passed on.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Largest = Largest;

fn note(size: usize) {
    // `try_with`: the thread-local may already be gone while a thread exits.
    let _ = LARGEST.try_with(|l| l.set(l.get().max(size)));
}

fn reset_largest() {
    LARGEST.with(|l| l.set(0));
}

fn largest() -> usize {
    LARGEST.with(Cell::get)
}

/// Cases per reader.
fn cases() -> u64 {
    std::env::var("KILN_FUZZ_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(300)
}

/// Case `case`'s mutation of `seed`: its name and bytes.
fn mutate(seed: &[u8], case: u64) -> (&'static str, Vec<u8>) {
    let mut rng = SplitMix64::new(case.wrapping_mul(0x9E37_79B9) ^ 0x5EED);
    let mut bytes = seed.to_vec();
    let len = bytes.len().max(1);
    let kind = match case % 8 {
        0 => {
            let n = rng.below(2 * len + 16);
            bytes = (0..n).map(|_| rng.next_u64() as u8).collect();
            "random bytes"
        }
        1 => {
            for _ in 0..1 + rng.below(8) {
                let at = rng.below(len);
                if let Some(b) = bytes.get_mut(at) {
                    *b ^= 1 << rng.below(8);
                }
            }
            "bit flips"
        }
        2 => {
            bytes.truncate(rng.below(len));
            "truncated"
        }
        3 => {
            let n = 1 + rng.below(64);
            bytes.extend((0..n).map(|_| rng.next_u64() as u8));
            "extended"
        }
        4 => {
            // A header-sized field (within the first 64 bytes) set to a huge count.
            let huge: [u8; 4] = match rng.below(3) {
                0 => [0xFF; 4],
                1 => [0x7F, 0xFF, 0xFF, 0xFF],
                _ => [0x00, 0xFF, 0xFF, 0xFF],
            };
            let at = rng.below(len.min(64));
            for (i, b) in huge.iter().enumerate() {
                if let Some(slot) = bytes.get_mut(at + i) {
                    *slot = *b;
                }
            }
            "huge declared size"
        }
        5 => {
            for b in bytes.iter_mut().take(1 + rng.below(8)) {
                *b = rng.next_u64() as u8;
            }
            "wrong magic number"
        }
        6 => {
            let values = [f32::NAN, f32::INFINITY, f32::NEG_INFINITY, f32::MAX];
            for _ in 0..1 + rng.below(16) {
                let at = rng.below(len) & !3;
                let v = values[rng.below(values.len())].to_le_bytes();
                for (i, b) in v.iter().enumerate() {
                    if let Some(slot) = bytes.get_mut(at + i) {
                        *slot = *b;
                    }
                }
            }
            "NaN/inf payload"
        }
        7 if std::str::from_utf8(seed).is_ok() => {
            // Text (JSON, a pointer): a number replaced by an out-of-range or mistyped value.
            let values = [
                "-1",
                "0",
                "1e999",
                "18446744073709551616",
                "NaN",
                "null",
                "\"x\"",
                "[]",
            ];
            let digits: Vec<usize> = (0..bytes.len())
                .filter(|&i| bytes[i].is_ascii_digit())
                .collect();
            if let Some(&start) = digits.get(rng.below(digits.len().max(1))) {
                let end = (start..bytes.len())
                    .find(|&i| !matches!(bytes[i], b'0'..=b'9' | b'.' | b'e' | b'-'))
                    .unwrap_or(bytes.len());
                let value = values[rng.below(values.len())].as_bytes();
                bytes.splice(start..end, value.iter().copied());
            }
            "a number replaced"
        }
        _ => {
            // Two mutations at once: a flip and a cut.
            let at = rng.below(len);
            if let Some(b) = bytes.get_mut(at) {
                *b = rng.next_u64() as u8;
            }
            bytes.truncate(len - rng.below(len.min(16)));
            "flip and cut"
        }
    };
    (kind, bytes)
}

/// What a reader's run found.
#[derive(Default)]
struct Tally {
    read: u64,
    rejected: u64,
    largest: usize,
}

/// Runs `read` on `cases()` mutations of `seeds` (each a file name and its bytes), written to
/// a temporary directory, and checks the property; returns the tally after printing it.
fn fuzz(reader: &str, seeds: &[(&str, Vec<u8>)], read: impl Fn(&Path) -> Result<(), String>) {
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in seeds {
        let path = dir.path().join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, bytes).unwrap();
        if let Err(e) = read(&path) {
            panic!("{reader}: the unmutated seed {name} is rejected: {e}");
        }
    }
    let mut tally = Tally::default();
    for case in 0..cases() {
        let (name, seed) = &seeds[case as usize % seeds.len()];
        let (kind, bytes) = mutate(seed, case);
        let path = dir.path().join(name);
        std::fs::write(&path, &bytes).unwrap();
        reset_largest();
        let outcome = std::panic::catch_unwind(AssertUnwindSafe(|| read(&path)));
        let biggest = largest();
        tally.largest = tally.largest.max(biggest);
        let failure = match outcome {
            Err(panic) => Some(format!("panicked: {}", panic_text(&panic))),
            Ok(Err(message)) if !message.contains(&path.display().to_string()) => {
                Some(format!("an error that does not name the file: {message}"))
            }
            Ok(result) => {
                if std::env::var_os("KILN_FUZZ_SHOW").is_some() {
                    println!("{reader} {case} {kind}: {result:?}");
                }
                match result {
                    Ok(()) => tally.read += 1,
                    Err(_) => tally.rejected += 1,
                }
                (biggest > ALLOCATION_LIMIT).then(|| {
                    format!(
                        "allocated {biggest} bytes at once for {} bytes",
                        bytes.len()
                    )
                })
            }
        };
        if let Some(failure) = failure {
            let saved = save_failure(reader, case, name, &bytes);
            panic!(
                "{reader}, case {case} ({kind} of {name}): {failure}\n(input saved to {})",
                saved.display()
            );
        }
    }
    println!(
        "{reader}: {} cases, {} read, {} rejected with the file named, no panic; largest \
         allocation {} bytes",
        tally.read + tally.rejected,
        tally.read,
        tally.rejected,
        tally.largest
    );
}

fn panic_text(panic: &Box<dyn std::any::Any + Send>) -> String {
    panic
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "a panic without a message".into())
}

fn save_failure(reader: &str, case: u64, name: &str, bytes: &[u8]) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/fuzz-failures");
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join(format!("{}-{case}-{name}", reader.replace(' ', "_")));
    let _ = std::fs::write(&path, bytes);
    path
}

/// The result with its error as text: the error (which must name the file) and its causes.
fn text<T, E: std::error::Error>(result: Result<T, E>) -> Result<(), String> {
    result.map(|_| ()).map_err(|e| {
        let mut text = e.to_string();
        let mut cause = e.source();
        while let Some(c) = cause {
            text = format!("{text}: {c}");
            cause = c.source();
        }
        text
    })
}

/// An IDX header: the magic number, then the dimensions, big-endian.
fn idx_header(magic: u32, dims: &[u32]) -> Vec<u8> {
    std::iter::once(magic)
        .chain(dims.iter().copied())
        .flat_map(u32::to_be_bytes)
        .collect()
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

#[test]
fn idx_files() {
    let pixels: Vec<u8> = (0..3 * 4 * 5).map(|i| i as u8).collect();
    let images = [idx_header(0x0803, &[3, 4, 5]), pixels].concat();
    let labels = [idx_header(0x0801, &[3]), vec![1, 9, 0]].concat();
    fuzz(
        "IDX images",
        &[
            ("images-idx3-ubyte", images.clone()),
            ("images-idx3-ubyte.gz", gzip(&images)),
        ],
        |path| text(read_images(path)),
    );
    fuzz(
        "IDX labels",
        &[
            ("labels-idx1-ubyte", labels.clone()),
            ("labels-idx1-ubyte.gz", gzip(&labels)),
        ],
        |path| text(read_labels(path, 10)),
    );
}

#[test]
fn cifar10_batches() {
    let mut records = Vec::new();
    for label in [3u8, 7] {
        records.push(label);
        records.extend((0..3072).map(|i| (i * 7 + label as usize) as u8));
    }
    fuzz("CIFAR-10", &[("data_batch_1.bin", records)], |path| {
        text(read_cifar10(path))
    });
}

#[test]
fn png_and_jpeg_pictures() {
    use zune_png::PngEncoder;
    use zune_png::zune_core::bit_depth::BitDepth;
    use zune_png::zune_core::colorspace::ColorSpace;
    use zune_png::zune_core::options::EncoderOptions;
    let png = |width: usize, height: usize, colour: ColorSpace| {
        let n = width * height * colour.num_components();
        let pixels: Vec<u8> = (0..n).map(|i| (i * 37) as u8).collect();
        let options = EncoderOptions::new(width, height, colour, BitDepth::Eight);
        let mut bytes = Vec::new();
        PngEncoder::new(&pixels, options)
            .encode(&mut bytes)
            .unwrap();
        bytes
    };
    let jpeg = |name: &str| {
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/crates/kiln-data/tests/pictures"
        );
        std::fs::read(Path::new(dir).join(name)).unwrap()
    };
    let size = ImageSize {
        rows: 28,
        cols: 28,
        depth: 1,
    };
    fuzz(
        "PNG/JPEG pictures",
        &[
            ("grey.png", png(5, 3, ColorSpace::Luma)),
            ("rgba.png", png(4, 4, ColorSpace::RGBA)),
            ("colour.jpg", jpeg("colour.jpg")),
            ("grey.jpg", jpeg("grey.jpg")),
        ],
        // A picture that decodes is converted to a model's input too.
        |path| text(read_picture(path).map(|p| p.to_input(size))),
    );
}

kiln::model! {
    /// The layers of `tests/fixtures/tiny.pth`: a small model whose files are quick to read.
    pub struct Tiny {
        input: [4, 4, 1],
        conv1: conv(2, 3),
        bn1: batch_norm,
        relu,
        flatten,
        fc: linear(3),
    }
}

#[cfg(feature = "torchvision")]
#[test]
fn pth_weights() {
    use kiln::models::weights::load_torchvision;
    let seed = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/tiny.pth"
    ));
    let model = Tiny::init(&Device::flex());
    fuzz("`.pth` weights", &[("tiny.pth", seed.unwrap())], |path| {
        text(load_torchvision(&model, path))
    });
}

#[test]
fn npy_fixtures() {
    let values: Vec<f32> = (0..24).map(|i| i as f32 * 0.5).collect();
    fuzz(
        "`.npy` fixtures",
        &[("values.npy", common::npy_bytes(&[2, 3, 4], &values))],
        |path| common::read_npy(path).map(|_| ()),
    );
}

#[test]
fn burnpack_checkpoints() {
    let device = Device::flex();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("model.bpk");
    Tiny::init(&device).save_file(&file).unwrap();
    let seed = std::fs::read(&file).unwrap();
    fuzz("burnpack checkpoints", &[("model.bpk", seed)], |path| {
        text(load_weights(Tiny::init(&device), path))
    });
}

#[test]
fn run_metadata() {
    let info = RunInfo {
        model: "resnet".into(),
        input: [28, 28, 1],
        stats: (0.286, 0.353),
        classes: (0..10).map(|c| c.to_string()).collect(),
        test_views: TestViews::Flip,
    };
    let seed = serde_json::to_vec_pretty(&info).unwrap();
    fuzz("run.json", &[(RunInfo::FILE, seed)], |path| {
        text(RunInfo::read(path.parent().unwrap()))
    });
    // A run's state and pointers: the seeds are a real run's (one short epoch).
    let run = tempfile::tempdir().unwrap();
    common::short_run(run.path());
    let last = std::fs::read_to_string(run.path().join("last")).unwrap();
    let epoch = run.path().join(last.trim());
    let state = std::fs::read(epoch.join("state.json")).unwrap();
    // A run directory whose epoch directory holds the real weights and the fuzzed state.
    let with_weights = |out: &Path| {
        let dir = out.join(last.trim());
        for file in ["model.bpk", "optimizer.bpk"] {
            if !dir.join(file).exists() {
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::copy(epoch.join(file), dir.join(file)).unwrap();
            }
        }
    };
    let state_name = format!("{}/state.json", last.trim());
    fuzz("state.json", &[(state_name.as_str(), state)], |path| {
        let out = path.parent().unwrap().parent().unwrap();
        with_weights(out);
        std::fs::write(out.join("last"), &last).unwrap();
        text(read_history(out))
    });
    // The `best` pointer: an epoch directory's name, or anything.
    fuzz(
        "best pointer",
        &[("best", last.clone().into_bytes())],
        |path| {
            let out = path.parent().unwrap();
            with_weights(out);
            let (_, weights) = resolve_checkpoint(out).map_err(|e| e.to_string())?;
            load_weights(FashionCnn::init(&Device::flex()), &weights).expect("the run's weights");
            Ok(())
        },
    );
}

/// The inputs these tests found, each an error naming the file now (an IDX header whose sizes
/// overflow is pinned in kiln-data's reader tests).
#[test]
fn declared_sizes_that_fuzzing_found_are_checked_against_the_file() {
    let dir = tempfile::tempdir().unwrap();
    // A burnpack checkpoint whose header declares 64 MiB of metadata in 2.5 KB: burn
    // allocated it before reading.
    let file = dir.path().join("model.bpk");
    Tiny::init(&Device::flex()).save_file(&file).unwrap();
    let mut bytes = std::fs::read(&file).unwrap();
    bytes[6..10].copy_from_slice(&67_109_473u32.to_le_bytes());
    std::fs::write(&file, &bytes).unwrap();
    reset_largest();
    let error = text(load_weights(Tiny::init(&Device::flex()), &file)).unwrap_err();
    assert!(largest() < ALLOCATION_LIMIT);
    assert!(
        error.contains("declares 67109473 bytes of metadata"),
        "{error}"
    );
    assert!(error.contains(&file.display().to_string()), "{error}");
    // An .npy file of version 3 whose header length, read as 32 bits, is 662 MB.
    let file = dir.path().join("values.npy");
    let mut bytes = common::npy_bytes(&[2], &[1.0, 2.0]);
    bytes[6] = 3;
    std::fs::write(&file, &bytes).unwrap();
    reset_largest();
    let error = common::read_npy(&file).unwrap_err();
    assert!(largest() < ALLOCATION_LIMIT);
    assert!(error.contains("its header declares"), "{error}");
}
