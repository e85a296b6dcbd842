//! kiln's command line: `cargo xtask <command>`.
//!
//! - `cargo xtask test`: installs what the tests need (Debian packages, when run as root) and
//!   runs formatting, clippy and the whole test suite, then the convolution tests again with
//!   `KILN_SIMD=avx2` and `KILN_SIMD=none` (the paths of CPUs without AVX-512 or AVX2).
//! - `cargo xtask train [MODEL] [OPTIONS]`: trains a zoo model (by default ResNet-20 for 16
//!   epochs on the vendored Fashion-MNIST) with `examples/train.rs`; `--help` lists the options.
//! - `cargo xtask eval <CHECKPOINT> [--data DIR]`: a checkpoint's test accuracy and confusion
//!   matrix (`examples/eval.rs`).
//! - `cargo xtask bench [--steps N] [--ndarray] [--no-layers] [--no-models]`: training and
//!   inference images/s of kiln (its kernels and burn's operators), plain burn and PyTorch,
//!   and GFLOP/s of every ResNet-20 convolution shape (`examples/bench.rs`,
//!   `xtask/pytorch_bench.py`).
//! - `cargo xtask summary <model> [--input WxHxD] [--classes N]`: prints a zoo model's layer
//!   table, compiling the model for that input so that its shapes are checked for it.

mod bench;

use std::process::{Command, ExitCode};

/// Debian packages the tests use: Mesa's Vulkan drivers (lavapipe, wgpu's CPU adapter). The
/// Fashion-MNIST data ships in `data/`.
const PACKAGES: [&str; 1] = ["mesa-vulkan-drivers"];

fn run(program: &str, args: &[&str]) -> Result<(), String> {
    run_with(program, args, &[])
}

/// [`run`] with more environment variables set.
fn run_with(program: &str, args: &[&str], env: &[(&str, &str)]) -> Result<(), String> {
    let shown: Vec<String> = env.iter().map(|(k, v)| format!("{k}={v} ")).collect();
    eprintln!("$ {}{program} {}", shown.concat(), args.join(" "));
    let status = Command::new(program)
        .args(args)
        .env(ALLOCATOR_ENV.0, ALLOCATOR_ENV.1)
        .envs(env.iter().copied())
        .status()
        .map_err(|e| format!("cannot run {program}: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!("{program} {} failed: {status}", args.join(" ")))
    }
}

fn installed(package: &str) -> bool {
    Command::new("dpkg")
        .args(["-s", package])
        .output()
        .is_ok_and(|out| {
            out.status.success()
                && String::from_utf8_lossy(&out.stdout).contains("Status: install ok installed")
        })
}

/// Installs the missing [`PACKAGES`] with apt-get when running as root, else says what to run.
fn ensure_packages() -> Result<(), String> {
    let missing: Vec<&str> = PACKAGES.into_iter().filter(|p| !installed(p)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| o.stdout.starts_with(b"0"));
    if !is_root {
        return Err(format!(
            "missing Debian packages; run: sudo apt-get install {}",
            missing.join(" ")
        ));
    }
    run("apt-get", &["update", "-qq"])?;
    let mut args = vec!["install", "-y", "-qq"];
    args.extend(&missing);
    run("apt-get", &args)
}

fn test() -> Result<(), String> {
    ensure_packages()?;
    run("cargo", &["fmt", "--all", "--check"])?;
    run(
        "cargo",
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--",
            "-D",
            "warnings",
        ],
    )?;
    run("cargo", &["test", "--workspace"])?;
    // The convolution tests again on the narrower paths: AVX2 tiles (a CPU without AVX-512)
    // and im2col + gemm (a CPU without AVX2). The suite above ran the widest tiles this CPU
    // has.
    for limit in ["avx2", "none"] {
        run_with(
            "cargo",
            &["test", "--workspace", "--test", "conv"],
            &[("KILN_SIMD", limit)],
        )?;
    }
    Ok(())
}

/// Runs one of the training examples (`train`, `eval`) with `args`. It is built in the
/// workspace's one profile, the tests' own, in which every dependency (burn, its kernels and
/// gemm, where training spends its time) is compiled at opt-level 3: no second, release build
/// of burn (about 40 minutes on two cores) is needed.
fn example(name: &str, args: &[String]) -> Result<(), String> {
    let mut command = vec!["run", "--quiet", "--example", name, "--"];
    command.extend(args.iter().map(String::as_str));
    run("cargo", &command)
}

/// The examples' allocator (mimalloc) keeps freed memory instead of handing it back to the
/// system after 10 ms: a training step frees and reallocates the same megabytes of
/// activations, and faulting them back in cost about a tenth of a ResNet-20 step on two cores
/// (`cargo xtask bench`). Memory stays at its peak instead, which a training run reaches
/// in its first step anyway.
pub const ALLOCATOR_ENV: (&str, &str) = ("MIMALLOC_PURGE_DELAY", "-1");

/// The zoo's models: command-line name, declaring macro (with any fixed arguments), default
/// input and class count.
const MODELS: &[(&str, &str, &str, [usize; 3], usize)] = &[
    ("alexnet", "alexnet", "", [224, 224, 3], 1000),
    (
        "alexnet-paper",
        "alexnet_paper",
        "groups: 1",
        [227, 227, 3],
        1000,
    ),
    (
        "alexnet-paper-grouped",
        "alexnet_paper",
        "groups: 2",
        [227, 227, 3],
        1000,
    ),
    ("vgg11", "vgg11", "", [224, 224, 3], 1000),
    ("vgg11-bn", "vgg11_bn", "", [224, 224, 3], 1000),
    ("vgg13", "vgg13", "", [224, 224, 3], 1000),
    ("vgg13-bn", "vgg13_bn", "", [224, 224, 3], 1000),
    ("vgg16", "vgg16", "", [224, 224, 3], 1000),
    ("vgg16-bn", "vgg16_bn", "", [224, 224, 3], 1000),
    ("vgg19", "vgg19", "", [224, 224, 3], 1000),
    ("vgg19-bn", "vgg19_bn", "", [224, 224, 3], 1000),
    ("googlenet", "googlenet", "", [224, 224, 3], 1000),
    ("resnet18", "resnet18", "", [224, 224, 3], 1000),
    ("resnet34", "resnet34", "", [224, 224, 3], 1000),
    ("resnet50", "resnet50", "", [224, 224, 3], 1000),
    ("resnet101", "resnet101", "", [224, 224, 3], 1000),
    ("resnet152", "resnet152", "", [224, 224, 3], 1000),
    (
        "resnet20",
        "cifar_resnet",
        "n: 3, shortcut: A",
        [32, 32, 3],
        10,
    ),
    (
        "resnet32",
        "cifar_resnet",
        "n: 5, shortcut: A",
        [32, 32, 3],
        10,
    ),
    (
        "resnet44",
        "cifar_resnet",
        "n: 7, shortcut: A",
        [32, 32, 3],
        10,
    ),
    (
        "resnet56",
        "cifar_resnet",
        "n: 9, shortcut: A",
        [32, 32, 3],
        10,
    ),
    (
        "resnet110",
        "cifar_resnet",
        "n: 18, shortcut: A",
        [32, 32, 3],
        10,
    ),
    ("compact-resnet8", "compact_resnet", "n: 1", [28, 28, 1], 10),
    ("plain20", "cifar_plain", "n: 3", [32, 32, 3], 10),
    ("plain32", "cifar_plain", "n: 5", [32, 32, 3], 10),
    ("plain44", "cifar_plain", "n: 7", [32, 32, 3], 10),
    ("plain56", "cifar_plain", "n: 9", [32, 32, 3], 10),
    ("plain110", "cifar_plain", "n: 18", [32, 32, 3], 10),
];

/// `28x28x1` as `[28, 28, 1]`.
fn parse_input(text: &str) -> Result<[usize; 3], String> {
    let dims: Vec<usize> = text
        .split(['x', '×'])
        .map(|d| d.trim().parse::<usize>())
        .collect::<Result<_, _>>()
        .map_err(|_| format!("--input takes WxHxD, e.g. 28x28x1, not `{text}`"))?;
    dims.try_into()
        .map_err(|_| format!("--input takes three sizes WxHxD, not `{text}`"))
}

/// `vgg16-bn` as `Vgg16Bn`.
fn type_name(model: &str) -> String {
    model
        .split('-')
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
        })
        .collect()
}

/// Prints the summary of `args[0]` at `--input` and `--classes`: the model is declared for
/// that input in a file that `examples/summary.rs` includes, and compiled, so an input the
/// architecture cannot take is reported by the compiler, naming the layer.
fn summary(args: &[String]) -> Result<(), String> {
    let names = || MODELS.iter().map(|m| m.0).collect::<Vec<_>>().join(", ");
    let name = args.first().ok_or_else(|| {
        format!(
            "usage: cargo xtask summary <model> [--input WxHxD] [--classes N]; models: {}",
            names()
        )
    })?;
    let &(_, makro, extra, mut input, mut classes) = MODELS
        .iter()
        .find(|m| m.0 == name)
        .ok_or_else(|| format!("unknown model `{name}`; models: {}", names()))?;
    let mut rest = args[1..].iter();
    while let Some(flag) = rest.next() {
        let value = rest.next().ok_or_else(|| format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--input" => input = parse_input(value)?,
            "--classes" => {
                classes = value
                    .parse()
                    .map_err(|_| format!("--classes takes a number, not `{value}`"))?
            }
            other => {
                return Err(format!(
                    "unknown option {other}; options: --input WxHxD, --classes N"
                ));
            }
        }
    }
    let ty = type_name(name);
    let [w, h, d] = input;
    let extra = if extra.is_empty() {
        String::new()
    } else {
        format!(", {extra}")
    };
    let declaration = format!(
        "{makro}!(pub struct {ty}, input: [{w}, {h}, {d}], classes: {classes}{extra});\ntype Net = {ty};\n"
    );
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/kiln-summary");
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let file = dir.join("model.rs");
    std::fs::write(&file, declaration)
        .map_err(|e| format!("cannot write {}: {e}", file.display()))?;
    eprintln!("compiling {name} for a {w}×{h}×{d} input and {classes} classes");
    let status = Command::new("cargo")
        .args([
            "run",
            "--quiet",
            "--features",
            "summary",
            "--example",
            "summary",
        ])
        .env("KILN_SUMMARY_MODEL", &file)
        .status()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if status.success() {
        Ok(())
    } else {
        Err(format!(
            "{name} does not compile for a {w}×{h}×{d} input (the compiler's message above names the layer)"
        ))
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("test") => test(),
        Some("train") => example("train", &args[1..]),
        Some("eval") => example("eval", &args[1..]),
        Some("bench") => bench::run(&args[1..]),
        Some("summary") => summary(&args[1..]),
        _ => Err(
            "usage: cargo xtask test | cargo xtask train [MODEL] [OPTIONS] (--help lists them) \
                  | cargo xtask eval <CHECKPOINT> [--data DIR] \
                  | cargo xtask bench [--steps N] [--ndarray] [--no-layers] [--no-models] \
                  | cargo xtask summary <model> [--input WxHxD] [--classes N]"
                .to_string(),
        ),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}
