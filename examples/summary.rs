//! Prints the summary of the model that `cargo xtask summary` declares in the file named by
//! `KILN_SUMMARY_MODEL` (a zoo macro call declaring the type `Net`). The model is compiled for
//! the input asked for, so its shapes are checked for that input.
//!
//! Run it through `cargo xtask summary <model> [--input WxHxD] [--classes N] [--batch N]
//! [--draw FILE]`.

use kiln::Draw;
use kiln::models::*;

include!(env!("KILN_SUMMARY_MODEL"));

fn main() {
    let summary = Net::summary();
    println!("{summary}");
    // `cargo xtask summary --batch N`: the memory at that batch size.
    let batch = std::env::var("KILN_SUMMARY_BATCH").ok();
    if let Some(batch) = batch.and_then(|b| b.parse::<usize>().ok()) {
        println!("{}", summary.batch_memory(batch));
    }
    // `cargo xtask summary --draw FILE`: the architecture drawing, SVG or PNG.
    if let Some(file) = std::env::var_os("KILN_SUMMARY_DRAW").filter(|f| !f.is_empty()) {
        if let Err(e) = Net::draw(&file) {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
        eprintln!("wrote {}", std::path::Path::new(&file).display());
    }
}
