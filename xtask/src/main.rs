//! kiln's command line: `cargo xtask <command>`.
//!
//! - `cargo xtask test`: installs what the tests need (Debian packages, when run as root) and
//!   runs formatting, clippy and the whole test suite, then the kernels' tests again with
//!   `KILN_SIMD=avx2` and `KILN_SIMD=none` (the paths of CPUs without AVX-512 or AVX2).
//! - `cargo xtask train|eval|classify|visualize|experiment|bench|models …`: the `kiln` command (`crates/kiln-cli`)
//!   with those arguments, built in the workspace's profile: `cargo xtask train` trains
//!   ResNet-20 for 16 epochs on the vendored Fashion-MNIST; `--help` lists the options.
//!   `cargo xtask bench --ndarray` builds `kiln` with the ndarray backend too.
//! - `cargo xtask fuzz [--cases N]`: the readers' fuzz tests (`tests/fuzz.rs`) with N cases
//!   per reader (default 100,000; `cargo xtask test` runs 300).
//! - `cargo xtask summary <model> [--input WxHxD] [--classes N] [--batch N] [--draw FILE]`:
//!   prints a zoo model's layer table and memory (at batch N), compiling the model for that
//!   input so that its shapes are checked for it; `--draw` writes its architecture drawing
//!   (`.svg` or `.png`).

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

/// Every backend and reader a test build turns on: kiln's features but CUDA (whose toolkit a
/// test machine does not have), through the `kiln` command's features.
const TEST_FEATURES: &str = "kiln-cli/torchvision,kiln-cli/ndarray,kiln-cli/wgpu";

fn test() -> Result<(), String> {
    ensure_packages()?;
    run("cargo", &["fmt", "--all", "--check"])?;
    run(
        "cargo",
        &[
            "clippy",
            "--workspace",
            "--all-targets",
            "--features",
            TEST_FEATURES,
            "--",
            "-D",
            "warnings",
        ],
    )?;
    run(
        "cargo",
        &["test", "--workspace", "--features", TEST_FEATURES],
    )?;
    // The kernels' tests again on the narrower paths: AVX2 tiles and loops (a CPU without
    // AVX-512), then im2col + gemm and loops compiled for the default target (a CPU without
    // AVX2). The suite above ran the widest this CPU has.
    for limit in ["avx2", "none"] {
        for target in ["conv", "norm", "activation"] {
            test_target(target, &[], &[("KILN_SIMD", limit)])?;
        }
    }
    Ok(())
}

/// `cargo test` of one test target of the workspace, with `args` for the test binary and `env`.
fn test_target(target: &str, args: &[&str], env: &[(&str, &str)]) -> Result<(), String> {
    let cargo = [
        "test",
        "--workspace",
        "--features",
        TEST_FEATURES,
        "--test",
        target,
    ];
    run_with("cargo", &[&cargo[..], &["--"], args].concat(), env)
}

/// Runs the readers' fuzz tests with `--cases N` cases per reader (100,000 by default).
fn fuzz(args: &[String]) -> Result<(), String> {
    let cases = match args {
        [] => "100000".to_string(),
        [flag, n] if flag == "--cases" && n.parse::<u64>().is_ok() => n.clone(),
        _ => return Err("usage: cargo xtask fuzz [--cases N]".to_string()),
    };
    test_target("fuzz", &["--nocapture"], &[("KILN_FUZZ_CASES", &cases)])
}

/// Runs the `kiln` command with `args` (`args[0]` is its subcommand). It is built in the workspace's one profile, the
/// tests' own, in which every dependency (burn, its kernels and gemm, where training spends
/// its time) is compiled at opt-level 3: no second, release build of burn (about 40 minutes on
/// two cores) is needed. With the default features only (the flex backend), plus ndarray or
/// wgpu when `args` name them (`--backend wgpu`, `bench --ndarray`).
fn kiln(args: &[String]) -> Result<(), String> {
    let mut command = vec!["run", "--quiet", "--package", "kiln-cli"];
    for backend in ["ndarray", "wgpu"] {
        if args
            .iter()
            .any(|a| a == backend || *a == format!("--{backend}"))
        {
            command.extend(["--features", backend]);
        }
    }
    // `visualize FILE.pth`: torchvision's reader.
    if args.iter().any(|a| a.ends_with(".pth")) {
        command.extend(["--features", "torchvision"]);
    }
    command.push("--");
    command.extend(args.iter().map(String::as_str));
    run("cargo", &command)
}

/// `kiln`'s allocator (mimalloc) keeps freed memory instead of handing it back to the
/// system after 10 ms: a training step frees and reallocates the same megabytes of
/// activations, and faulting them back in cost about a tenth of a ResNet-20 step on two cores
/// (`cargo xtask bench`). Memory stays at its peak instead, which a training run reaches
/// in its first step anyway.
pub const ALLOCATOR_ENV: (&str, &str) = ("MIMALLOC_PURGE_DELAY", "-1");

// The zoo's table (`kiln_models::zoo_names!`), read without building kiln.
#[path = "../../crates/kiln-models/src/names.rs"]
mod names;

/// A zoo model as `summary` declares it: command-line name, type name, declaring macro, its
/// fixed arguments, standard input and class count.
struct Row {
    name: &'static str,
    ty: &'static str,
    template: &'static str,
    args: &'static str,
    input: [usize; 3],
    classes: usize,
}

/// [`MODELS`] from the zoo's table.
macro_rules! summary_rows {
    ($($id:ident $name:literal [$($alias:literal),*] => $template:ident $args:tt,
       [$w:literal, $h:literal, $d:literal], $classes:literal, trains [$($at:ident)*];)*) => {
        /// The zoo's models.
        const MODELS: &[Row] = &[$(Row {
            name: $name,
            ty: stringify!($id),
            template: stringify!($template),
            args: stringify!($args),
            input: [$w, $h, $d],
            classes: $classes,
        }),*];
    };
}

zoo_names!(summary_rows);

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

/// Prints the summary of `args[0]` at `--input` and `--classes`: the model is declared for
/// that input in a file that `examples/summary.rs` includes, and compiled, so an input the
/// architecture cannot take is reported by the compiler, naming the layer.
fn summary(args: &[String]) -> Result<(), String> {
    let names = || MODELS.iter().map(|m| m.name).collect::<Vec<_>>().join(", ");
    let name = args.first().ok_or_else(|| {
        format!(
            "usage: cargo xtask summary <model> [--input WxHxD] [--classes N] [--batch N] [--draw FILE]; models: {}",
            names()
        )
    })?;
    let model = MODELS
        .iter()
        .find(|m| m.name == name)
        .ok_or_else(|| format!("unknown model `{name}`; models: {}", names()))?;
    let (mut input, mut classes, mut batch) = (model.input, model.classes, None);
    let mut draw = None;
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
            "--batch" => {
                let n: usize = value
                    .parse()
                    .map_err(|_| format!("--batch takes a number, not `{value}`"))?;
                batch = Some(n.to_string());
            }
            "--draw" => {
                // The example runs in the workspace's root: a relative name is made absolute.
                let path =
                    std::path::absolute(value).map_err(|e| format!("--draw {value}: {e}"))?;
                draw = Some(path);
            }
            other => {
                return Err(format!(
                    "unknown option {other}; options: --input WxHxD, --classes N, --batch N, --draw FILE"
                ));
            }
        }
    }
    let ty = model.ty;
    let [w, h, d] = input;
    // `(n : 3, shortcut : A)` as `, n : 3, shortcut : A`; `()` as nothing.
    let fixed = model
        .args
        .trim_start_matches('(')
        .trim_end_matches(')')
        .trim();
    let extra = if fixed.is_empty() {
        String::new()
    } else {
        format!(", {fixed}")
    };
    let makro = model.template;
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
        .env("KILN_SUMMARY_BATCH", batch.unwrap_or_default())
        .env("KILN_SUMMARY_DRAW", draw.unwrap_or_default())
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
        Some("train" | "eval" | "classify" | "visualize" | "experiment" | "bench" | "models") => {
            kiln(&args)
        }
        Some("summary") => summary(&args[1..]),
        Some("fuzz") => fuzz(&args[1..]),
        _ => Err(
            "usage: cargo xtask test | cargo xtask train [MODEL] [OPTIONS] (--help lists them) \
                  | cargo xtask eval <CHECKPOINT> [--data DIR] \
                  | cargo xtask classify <CHECKPOINT> <PICTURES>… \
                  | cargo xtask visualize <CHECKPOINT> [--image FILE] [--out DIR] \
                  | cargo xtask experiment depth|invariance [OPTIONS] \
                  | cargo xtask bench [--steps N] [--ndarray] [--no-layers] [--no-models] \
                  | cargo xtask models | cargo xtask fuzz [--cases N] \
                  | cargo xtask summary <model> [--input WxHxD] [--classes N] [--batch N] [--draw FILE]"
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
