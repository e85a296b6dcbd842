//! Prints the summary of the model that `cargo xtask summary` declares in the file named by
//! `KILN_SUMMARY_MODEL` (a zoo macro call declaring the type `Net`). The model is compiled for
//! the input asked for, so its shapes are checked for that input.
//!
//! Run it through `cargo xtask summary <model> [--input WxHxD] [--classes N]`.

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
}
