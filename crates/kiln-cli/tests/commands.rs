//! The `kiln` command, run as a user runs it (`cargo test` builds it): a smoke run of the
//! default model on a few hundred Fashion-MNIST images, evaluation and classification of its
//! checkpoint, runs killed (SIGKILL) or stopped (SIGTERM) mid-epoch that resume to the
//! metrics of an uninterrupted one, models by name, where the data comes from, a user's
//! pictures in class folders, the pictures of what a network learned, the augmentation
//! preview, and the depth and invariance experiments at a tiny size.

use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use kiln::data::{Dataset, fashion_mnist_dir};
use serde_json::json;
use zune_png::PngEncoder;
use zune_png::zune_core::bit_depth::BitDepth;
use zune_png::zune_core::colorspace::ColorSpace;
use zune_png::zune_core::options::EncoderOptions;

/// `kiln <subcommand>`, with `KILN_DATA` unset (the tests choose their data).
fn kiln(subcommand: &str) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kiln"));
    command.arg(subcommand).env_remove("KILN_DATA");
    command
}

fn succeed(command: &mut Command) -> String {
    let Output {
        status,
        stdout,
        stderr,
    } = command.output().expect("kiln runs");
    let stdout = String::from_utf8_lossy(&stdout).to_string();
    assert!(
        status.success(),
        "{command:?} failed: {status}\n{stdout}\n{}",
        String::from_utf8_lossy(&stderr)
    );
    stdout
}

/// The `test (… views): …` lines: the flip views' (the default run trains with flips) and
/// the plain views'.
fn test_line(stdout: &str) -> String {
    let lines: Vec<&str> = stdout.lines().filter(|l| l.starts_with("test (")).collect();
    assert!(
        lines.len() == 2
            && lines[0].starts_with("test (flip views): ")
            && lines[1].starts_with("test (plain views): "),
        "no flip and plain test lines in\n{stdout}"
    );
    lines.join("\n")
}

fn train(out: &Path, epochs: usize, extra: &[&str]) -> Command {
    let mut command = kiln("train");
    command
        .args([
            "resnet",
            "--limit",
            "256",
            "--batch-size",
            "64",
            "--seed",
            "3",
        ])
        .args(["--epochs", &epochs.to_string(), "--out"])
        .arg(out)
        .args(extra);
    command
}

/// metrics.csv without the timing columns (seconds, data_seconds, compute_seconds).
fn figures(out: &Path) -> Vec<String> {
    std::fs::read_to_string(out.join("metrics.csv"))
        .expect("metrics.csv")
        .lines()
        .map(|line| {
            let fields: Vec<&str> = line.split(',').collect();
            [&fields[..6], &fields[9..]].concat().join(",")
        })
        .collect()
}

fn write_png(path: &Path, width: usize, height: usize, grey: &[u8]) {
    let options = EncoderOptions::new(width, height, ColorSpace::Luma, BitDepth::Eight);
    let mut png = Vec::new();
    PngEncoder::new(grey, options).encode(&mut png).unwrap();
    std::fs::write(path, png).unwrap();
}

#[test]
fn a_smoke_run_trains_evaluates_and_classifies() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let stdout = succeed(&mut train(&out, 1, &[]));
    for file in [
        "run.json",
        "metrics.csv",
        "curves.png",
        "confusion.png",
        "summary.txt",
        "best",
        "last",
    ] {
        assert!(
            out.join(file).is_file(),
            "{file} missing; stdout:\n{stdout}"
        );
    }
    assert!(out.join("epoch-0001/model.bpk").is_file());
    assert_eq!(figures(&out).len(), 2, "header and one epoch");
    let trained = test_line(&stdout);
    let summary = std::fs::read_to_string(out.join("summary.txt")).unwrap();
    assert!(summary.contains(&trained), "{summary}");
    assert!(
        summary.contains("T-shirt/top"),
        "the confusion matrix names the classes"
    );

    // The checkpoint evaluates to the accuracy training reported, on a fresh device.
    let evaluated = succeed(kiln("eval").arg(&out));
    assert_eq!(test_line(&evaluated), trained);
    assert!(evaluated.contains("Ankle boot"), "{evaluated}");

    // Classification of a test image saved as a PNG (enlarged to 56×56: resized back at the
    // boundary), an unreadable file and a missing one.
    let data = Dataset::mnist(&fashion_mnist_dir()).unwrap();
    let image = &data.test.images.pixels[..784];
    let big: Vec<u8> = (0..56 * 56)
        .map(|i| image[(i / 56 / 2) * 28 + (i % 56) / 2])
        .collect();
    let png = dir.path().join("garment.png");
    write_png(&png, 56, 56, &big);
    let classified = succeed(kiln("classify").arg(&out).arg(&png));
    let line = classified.lines().next().expect("one line per picture");
    assert!(line.contains("garment.png (56×56): "), "{line}");
    assert_eq!(line.matches('%').count(), 3, "top three: {line}");

    let junk = dir.path().join("notes.png");
    std::fs::write(&junk, "not a picture").unwrap();
    let failed = kiln("classify")
        .arg(&out)
        .arg(&png)
        .arg(&junk)
        .arg(dir.path().join("missing.jpg"))
        .output()
        .unwrap();
    assert!(!failed.status.success());
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert!(
        stderr.contains("notes.png: neither a PNG nor a JPEG file"),
        "{stderr}"
    );
    assert!(stderr.contains("missing.jpg"), "{stderr}");
    let stdout = String::from_utf8_lossy(&failed.stdout);
    assert!(
        stdout.contains("garment.png"),
        "readable pictures are still classified"
    );

    // A truncated checkpoint is named, not half-loaded.
    let weights = out.join("epoch-0001/model.bpk");
    let bytes = std::fs::read(&weights).unwrap();
    std::fs::write(&weights, &bytes[..bytes.len() / 2]).unwrap();
    let broken = kiln("eval").arg(&out).output().unwrap();
    assert!(!broken.status.success());
    let stderr = String::from_utf8_lossy(&broken.stderr);
    assert!(stderr.contains("epoch-0001/model.bpk"), "{stderr}");
}

#[test]
fn a_run_killed_or_stopped_mid_epoch_resumes_to_the_uninterrupted_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let whole = dir.path().join("whole");
    succeed(&mut train(&whole, 3, &[]));
    let whole_summary = std::fs::read_to_string(whole.join("summary.txt")).unwrap();

    // SIGKILL ends the process at once; SIGTERM (as Ctrl-C's SIGINT) stops it after the step
    // under way, releasing the run's lock.
    for signal in ["KILL", "TERM"] {
        let parts = dir.path().join(signal);
        let child = train(&parts, 3, &[])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        // Signal it as soon as epoch 1's checkpoint is complete: in epoch 2.
        let start = Instant::now();
        let last = parts.join("last");
        while !last.exists() {
            assert!(start.elapsed() < Duration::from_secs(600), "no checkpoint");
            std::thread::sleep(Duration::from_millis(5));
        }
        let sent = Command::new("kill")
            .args(["-s", signal, &child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        let output = child.wait_with_output().unwrap();
        assert!(!output.status.success(), "{signal}: the run was cut short");
        // SIGKILL leaves epoch 1's checkpoint; SIGTERM writes one of its last step in epoch 2
        // (or none, when it came while epoch 1's figures were being drawn).
        let kept = std::fs::read_to_string(&last).unwrap();
        if signal == "KILL" || kept == "epoch-0001" {
            assert_eq!(kept, "epoch-0001", "{signal} during epoch 2");
        } else {
            assert!(kept.starts_with("epoch-0002-step-"), "{signal}: {kept}");
            assert!(parts.join(&kept).join("model.bpk").is_file());
        }
        assert!(!parts.join("summary.txt").exists());
        if signal == "TERM" {
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert!(stderr.contains("error: stopped in epoch 2"), "{stderr}");
            assert!(!parts.join("lock").exists(), "the lock is released");
        }

        let resumed = succeed(&mut train(&parts, 3, &["--resume"]));
        assert_eq!(figures(&parts), figures(&whole), "{signal}");
        assert!(whole_summary.contains(&test_line(&resumed)));
    }
}

#[test]
fn eval_names_what_is_not_a_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let output = kiln("eval").arg(dir.path()).output().unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("not a checkpoint"), "{stderr}");
}

/// A run of the small CNN on 64 images, tested on 64.
const SMALL: [&str; 5] = ["fashion-cnn", "--limit", "64", "--test-limit", "64"];

/// `kiln <args>`'s failure: its standard error.
fn fail(command: &mut Command) -> String {
    let output = command.output().expect("kiln runs");
    assert!(!output.status.success(), "{command:?} succeeded");
    String::from_utf8_lossy(&output.stderr).to_string()
}

#[test]
fn models_are_trained_by_their_zoo_names_at_the_data_s_input() {
    let listing = succeed(&mut kiln("models"));
    for line in [
        "resnet20 (also resnet): 28×28×1, 32×32×3",
        "plain56: 28×28×1, 32×32×3",
        "resnet18: 28×28×1, 32×32×3",
        "vgg16-bn: 32×32×3",
        "alexnet: not at 28×28×1 or 32×32×3",
    ] {
        assert!(
            listing.lines().any(|l| l.starts_with(line)),
            "{line} in\n{listing}"
        );
    }
    // A name that did not train before the registry: the plain 20-layer net.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("plain");
    let stdout = succeed(
        kiln("train")
            .args(["plain20", "--limit", "64", "--test-limit", "64"])
            .args(["--batch-size", "32", "--epochs", "1", "--out"])
            .arg(&out),
    );
    assert!(
        stdout.contains("layer3_conv2_2"),
        "the summary of plain-20:\n{stdout}"
    );
    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    assert_eq!(run["model"], "plain20");
    // VGG's pools do not fit 28×28.
    let stderr = fail(
        kiln("train")
            .args(["vgg11", "--out"])
            .arg(dir.path().join("vgg")),
    );
    assert!(
        stderr.contains("no model `vgg11` for 28×28×1 inputs"),
        "{stderr}"
    );
    assert!(stderr.contains("vgg11: 32×32×3"), "{stderr}");
}

#[test]
fn the_data_comes_from_the_flag_then_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let out = dir.path().join("run");
    // KILN_DATA names the directory when --data does not; its missing files are named.
    let stderr = fail(
        kiln("train")
            .env("KILN_DATA", &empty)
            .arg("--out")
            .arg(&out),
    );
    assert!(stderr.contains(&empty.display().to_string()), "{stderr}");
    // --data wins over the environment.
    let stdout = succeed(
        kiln("train")
            .env("KILN_DATA", &empty)
            .arg("--data")
            .arg(fashion_mnist_dir())
            .args(SMALL)
            .args(["--epochs", "1", "--out"])
            .arg(&out),
    );
    assert!(stdout.contains("test (flip views): "), "{stdout}");
    // CIFAR-10 is not vendored: without --data or KILN_DATA the error says what to pass.
    let stderr = fail(
        kiln("train")
            .args(["--dataset", "cifar10", "--out"])
            .arg(&out),
    );
    assert!(
        stderr.contains("pass --data DIR or set KILN_DATA=DIR"),
        "{stderr}"
    );
}

#[test]
fn the_optimiser_clipping_warm_up_and_early_stopping_flags_train_or_say_what_is_wrong() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("adam");
    let small = [SMALL.as_slice(), &["--epochs", "2"]].concat();
    let stdout = succeed(
        kiln("train")
            .args(&small)
            .args([
                "--optimizer",
                "adam",
                "--lr",
                "0.001",
                "--clip",
                "value:0.5",
            ])
            .args(["--warmup", "1", "--early-stop", "loss:3", "--out"])
            .arg(&out),
    );
    assert!(stdout.contains("epoch   2"), "{stdout}");
    for (flag, value, says) in [
        (
            "--clip",
            "norm:-2",
            "--clip takes norm:LIMIT or value:LIMIT",
        ),
        (
            "--early-stop",
            "speed:2",
            "--early-stop takes accuracy:PATIENCE",
        ),
        ("--optimizer", "lbfgs", "possible values: sgd, adam, adamw"),
    ] {
        let stderr = fail(
            kiln("train")
                .args(&small)
                .args([flag, value])
                .arg("--out")
                .arg(&out),
        );
        assert!(stderr.contains(says), "{flag} {value}: {stderr}");
    }
}

#[test]
fn a_second_run_on_the_same_directory_refuses_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    let mut first = kiln("train")
        .args(["fashion-cnn", "--limit", "2048", "--epochs", "50", "--out"])
        .arg(&out)
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while !out.join("run.json").exists() {
        assert!(first.try_wait().unwrap().is_none(), "the first run ended");
        assert!(start.elapsed() < Duration::from_secs(120), "no run.json");
        std::thread::sleep(Duration::from_millis(5));
    }
    let info = std::fs::read_to_string(out.join("run.json")).unwrap();
    let stderr = fail(kiln("train").args(["resnet8", "--out"]).arg(&out));
    first.kill().unwrap();
    first.wait().unwrap();
    assert!(
        stderr.contains(&format!("process {} is writing to", first.id())),
        "{stderr}"
    );
    assert_eq!(
        std::fs::read_to_string(out.join("run.json")).unwrap(),
        info,
        "the refused run wrote nothing"
    );
}

#[test]
fn a_folder_of_pictures_per_class_trains_evaluates_and_names_the_unreadable_ones() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("pictures");
    for (class, value) in [("dark", 20u8), ("light", 230)] {
        std::fs::create_dir_all(data.join(class)).unwrap();
        for i in 0..20 {
            let (width, height) = (20 + i, 40 - i);
            let pixels: Vec<u8> = (0..width * height)
                .map(|p| value.saturating_add((p % 7) as u8))
                .collect();
            write_png(
                &data.join(format!("{class}/{i}.png")),
                width,
                height,
                &pixels,
            );
        }
    }
    let bad = data.join("light/bad.png");
    std::fs::write(&bad, b"\x89PNG\r\n\x1a\n not really").unwrap();
    let out = dir.path().join("run");
    let args = ["compact-resnet8", "--epochs", "1", "--batch-size", "8"];
    let stdout = succeed(
        kiln("train")
            .args(args)
            .arg("--data")
            .arg(&data)
            .arg("--out")
            .arg(&out),
    );
    let found = format!(
        "{}: 2 classes, read 40 pictures, skipped 1 unreadable (first: {}",
        data.display(),
        bad.display()
    );
    assert!(stdout.contains(&found), "{found} in\n{stdout}");
    assert!(stdout.contains("as 28×28×1"), "{stdout}");
    let run: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("run.json")).unwrap()).unwrap();
    // The folders' names, then the outputs ResNet-8's ten have beyond them.
    let classes = run["classes"].as_array().unwrap();
    assert_eq!(
        classes[..3],
        [json!("dark"), json!("light"), json!("unused 2")]
    );
    assert_eq!(classes.len(), 10);
    let evaluated = succeed(kiln("eval").arg(&out).arg("--data").arg(&data));
    assert!(evaluated.contains("test (flip views): "), "{evaluated}");
    let classified = succeed(kiln("classify").arg(&out).arg(data.join("dark/3.png")));
    assert!(
        classified.contains("dark") && classified.contains("light"),
        "{classified}"
    );
    // Strict: the unreadable picture stops the run before anything is written.
    let strict = dir.path().join("strict");
    let stderr = fail(
        kiln("train")
            .args(args)
            .arg("--data")
            .arg(&data)
            .arg("--strict")
            .arg("--out")
            .arg(&strict),
    );
    assert!(stderr.contains(&bad.display().to_string()), "{stderr}");
    assert!(!strict.exists());
}

/// A PNG file's width and height, from its header.
fn png_size(path: &Path) -> (u32, u32) {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "{}", path.display());
    let at = |i: usize| u32::from_be_bytes(bytes[i..i + 4].try_into().unwrap());
    (at(16), at(20))
}

#[test]
fn visualize_draws_the_first_filters_and_each_stage_s_maps() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("run");
    succeed(&mut train(&out, 1, &[]));
    let stdout = succeed(kiln("visualize").arg(&out));
    let visuals = out.join("visuals");
    // ResNet-20's stem has 16 filters of 3×3: 4 columns of 3·12 px and 4 px gaps.
    let (w, h) = png_size(&visuals.join("filters.png"));
    assert!(w >= 4 + 4 * 40, "{w}");
    assert_eq!(h, 26 + 4 + 4 * 40);
    // The input, 28×28 drawn 8× in one tile.
    assert_eq!(png_size(&visuals.join("input.png")).1, 26 + 4 + 28 * 8 + 4);
    // Three stages: 16 maps of 28×28 (2×, 2 rows of 8), 32 of 14×14 (4×, 4 rows), 32 of 7×7
    // (9×, 4 rows).
    let mut stages: Vec<String> = std::fs::read_dir(&visuals)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().to_string())
        .filter(|n| n.starts_with("stage-"))
        .collect();
    stages.sort();
    assert_eq!(stages.len(), 3, "{stages:?}");
    let heights: Vec<u32> = stages
        .iter()
        .map(|s| png_size(&visuals.join(s)).1)
        .collect();
    assert_eq!(heights, [26 + 3 + 2 * 59, 26 + 3 + 4 * 59, 26 + 3 + 4 * 66]);
    for name in stages.iter().chain(["filters.png".to_string()].iter()) {
        assert!(
            stdout.contains(name.as_str()),
            "{name} not reported:\n{stdout}"
        );
    }

    // A picture given, and torchvision's ResNet-18 file: 64 colour filters of 7×7 and five
    // stages (112, 56, 28, 14 and 7 pixels wide).
    let png = dir.path().join("grey.png");
    write_png(
        &png,
        40,
        30,
        &(0..1200).map(|i| (i % 251) as u8).collect::<Vec<_>>(),
    );
    let pth = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/fixtures/resnet18-torchvision-seed0.pth");
    let imagenet = dir.path().join("imagenet");
    succeed(
        kiln("visualize")
            .arg(&pth)
            .args(["--model", "resnet18", "--image"])
            .arg(&png)
            .arg("--out")
            .arg(&imagenet),
    );
    let count = std::fs::read_dir(&imagenet).unwrap().count();
    assert_eq!(count, 1 + 1 + 5, "filters, input and five stages");
    assert_eq!(
        png_size(&imagenet.join("filters.png")).1,
        26 + 4 + 8 * (7 * 5 + 4)
    );

    let refused = fail(kiln("visualize").arg(&pth));
    assert!(refused.contains("needs --model"), "{refused}");
    let refused = fail(kiln("visualize").arg(&pth).args(["--model", "resnet21"]));
    assert!(
        refused.contains("no torchvision model `resnet21`"),
        "{refused}"
    );
    let refused = fail(
        kiln("visualize")
            .arg(&out)
            .arg("--image")
            .arg(dir.path().join("none.png")),
    );
    assert!(refused.contains("none.png"), "{refused}");
}

#[test]
fn an_augmentation_preview_shows_originals_and_draws_without_training() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("preview.png");
    let out = dir.path().join("run");
    let mut command = kiln("train");
    command
        .args([
            "resnet",
            "--augment",
            "shift,flip",
            "--max-shift",
            "4",
            "--preview",
        ])
        .arg(&file)
        .arg("--out")
        .arg(&out);
    let stdout = succeed(&mut command);
    assert!(
        stdout.contains("8 training images and 7 augmented draws"),
        "{stdout}"
    );
    assert!(!out.exists(), "nothing trained");
    // 8 columns and 8 rows of 28×28 drawn 3× with 4 px gaps, under a 26 px title.
    let picture = kiln::data::read_picture(&file).unwrap();
    assert_eq!(
        (picture.width, picture.height),
        (4 + 8 * 88, 26 + 4 + 8 * 88)
    );
    // The first column is the training set's images as they are; the draws differ from them.
    let data = Dataset::mnist(&fashion_mnist_dir()).unwrap();
    let cell = |row: usize, column: usize| -> Vec<u8> {
        let (x0, y0) = (4 + column * 88, 26 + 4 + row * 88);
        (0..28 * 28)
            .map(|i| {
                let (x, y) = (x0 + (i % 28) * 3, y0 + (i / 28) * 3);
                picture.pixels[(y * picture.width + x) * picture.channels]
            })
            .collect()
    };
    for row in 0..8 {
        let original = &data.train.images.pixels[row * 784..(row + 1) * 784];
        assert_eq!(cell(row, 0), original, "row {row}");
        let changed = (1..8).filter(|&c| cell(row, c) != original).count();
        assert!(changed >= 5, "row {row}: only {changed} of 7 draws differ");
    }
}

#[test]
fn the_depth_experiment_trains_tests_and_draws_each_epoch_and_resumes() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("depth");
    let mut command = kiln("experiment");
    command
        .args([
            "depth",
            "--epochs",
            "2",
            "--limit",
            "128",
            "--batch-size",
            "64",
        ])
        .args(["--test-limit", "100", "--out"])
        .arg(&out);
    let stdout = succeed(&mut command);
    let csv = std::fs::read_to_string(out.join("depth.csv")).unwrap();
    let rows: Vec<Vec<&str>> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    let models: Vec<(&str, &str)> = rows.iter().map(|r| (r[0], r[1])).collect();
    let mut want = Vec::new();
    for model in ["plain20", "plain56", "resnet20", "resnet56"] {
        want.extend([(model, "1"), (model, "2")]);
    }
    assert_eq!(models, want);
    for row in &rows {
        for value in &row[2..5] {
            let error: f64 = value.parse().unwrap();
            assert!((0.0..=100.0).contains(&error), "{row:?}");
        }
        // 100 test images: the test error is a whole number of percent.
        let test: f64 = row[4].parse().unwrap();
        assert_eq!(test, test.round(), "{row:?}");
    }
    let picture = kiln::data::read_picture(&out.join("depth.png")).unwrap();
    assert_eq!((picture.width, picture.height), (2 * 560, 450));
    assert!(stdout.contains("resnet56"), "{stdout}");
    // Each model's checkpoint and its tests, which a second run reads instead of training.
    assert!(out.join("resnet20/run.json").is_file() && out.join("resnet20/tests.csv").is_file());
    let again = succeed(&mut command);
    assert!(
        !again.contains("epoch 1: test error"),
        "nothing retrained:\n{again}"
    );
    assert_eq!(std::fs::read_to_string(out.join("depth.csv")).unwrap(), csv);
}

#[test]
fn the_invariance_experiment_measures_no_change_without_a_shift() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("invariance");
    let mut command = kiln("experiment");
    command
        .args([
            "invariance",
            "--epochs",
            "1",
            "--limit",
            "256",
            "--test-limit",
            "50",
        ])
        .args(["--max-shift", "2", "--out"])
        .arg(&out);
    succeed(&mut command);
    let csv = std::fs::read_to_string(out.join("invariance.csv")).unwrap();
    let rows: Vec<Vec<&str>> = csv
        .lines()
        .skip(1)
        .map(|l| l.split(',').collect())
        .collect();
    // Two models, shifts 0–2, three stages (28, 14 and 7 pixels wide).
    assert_eq!(rows.len(), 2 * 3 * 3, "{csv}");
    let value = |row: &Vec<&str>, i: usize| -> f64 { row[i].parse().unwrap() };
    for row in &rows {
        let shift: usize = row[1].parse().unwrap();
        if shift == 0 {
            assert_eq!((value(row, 3), value(row, 4)), (0.0, 0.0), "{row:?}");
        } else {
            assert!(
                value(row, 3) > 0.0,
                "a shift changes the stage outputs: {row:?}"
            );
        }
    }
    let picture = kiln::data::read_picture(&out.join("invariance.png")).unwrap();
    assert_eq!((picture.width, picture.height), (3 * 560, 450));
}
