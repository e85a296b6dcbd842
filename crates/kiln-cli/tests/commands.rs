//! The `kiln` command, run as a user runs it (`cargo test` builds it): a smoke run of the
//! default model on a few hundred Fashion-MNIST images, evaluation and classification of its
//! checkpoint, runs killed (SIGKILL) or stopped (SIGTERM) mid-epoch that resume to the
//! metrics of an uninterrupted one, models by name, where the data comes from, and a user's
//! pictures in class folders.

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
