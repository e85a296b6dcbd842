//! The bench's figures as rows, read from PyTorch's output lines, and printed as tables with
//! the ratios the speed work is judged by.

use std::collections::BTreeMap;

/// The CPU's model name, from `/proc/cpuinfo`.
fn cpu_model() -> String {
    std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".to_string())
}

/// Rows `(key, variant) → numbers`: a model's images/s or a layer's GFLOP/s.
pub type Rows = BTreeMap<(String, String), Vec<f64>>;

/// Adds to `rows` every line of `text` of the form `tag key<TAB>variant<TAB>numbers…`; other
/// lines, and fields that are not numbers, are skipped.
pub fn parse(text: &str, tag: &str, rows: &mut Rows) {
    for line in text.lines() {
        let Some(rest) = line.strip_prefix(tag) else {
            continue;
        };
        let fields: Vec<&str> = rest.trim().split('\t').collect();
        if let [key, variant, numbers @ ..] = fields.as_slice() {
            let numbers = numbers.iter().filter_map(|n| n.parse().ok()).collect();
            rows.insert((key.to_string(), variant.to_string()), numbers);
        }
    }
}

/// `a / b` with two decimals, or a dash when either figure is missing or `b` is not positive.
fn ratio(a: Option<f64>, b: Option<f64>) -> String {
    match (a, b) {
        (Some(a), Some(b)) if b > 0.0 => format!("{:.2}", a / b),
        _ => "–".to_string(),
    }
}

/// Prints the sitting: the CPU, then the model and layer tables with their ratios.
pub fn print(models: &Rows, layers: &Rows, batch: usize) {
    println!(
        "\nCPU: {} ({} threads), batch {batch}\n",
        cpu_model(),
        num_threads()
    );
    print_models(models);
    print_layers(layers);
}

/// The threads this process may run at once.
fn num_threads() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

/// A figure of a row, or a dash when the row has fewer.
fn figure(v: &[f64], i: usize) -> String {
    v.get(i).map_or("–".to_string(), |x| format!("{x:.1}"))
}

/// The whole-model table and its ratios.
fn print_models(rows: &Rows) {
    if rows.is_empty() {
        return;
    }
    let get = |model: &str, variant: &str, i: usize| {
        rows.get(&(model.to_string(), variant.to_string()))
            .and_then(|v| v.get(i).copied())
    };
    println!("| model | variant | train images/s | inference images/s |");
    println!("|---|---|---|---|");
    for ((model, variant), v) in rows {
        println!(
            "| {model} | {variant} | {} | {} |",
            figure(v, 0),
            figure(v, 1)
        );
    }
    println!(
        "\n| model | kiln / PyTorch train | kiln / PyTorch channels-last train | kiln / PyTorch inference | kiln with burn's ops / plain burn train |"
    );
    println!("|---|---|---|---|---|");
    let names: std::collections::BTreeSet<&String> = rows.keys().map(|(m, _)| m).collect();
    for model in names {
        println!(
            "| {model} | {} | {} | {} | {} |",
            ratio(get(model, "kiln", 0), get(model, "pytorch", 0)),
            ratio(
                get(model, "kiln", 0),
                get(model, "pytorch-channels-last", 0)
            ),
            ratio(get(model, "kiln", 1), get(model, "pytorch", 1)),
            ratio(get(model, "kiln-burn-ops", 0), get(model, "plain-burn", 0)),
        );
    }
    println!();
}

/// The per-layer table, with kiln's ratios to PyTorch.
fn print_layers(rows: &Rows) {
    if rows.is_empty() {
        return;
    }
    println!(
        "GFLOP/s per ResNet-20 convolution at 28×28 (forward / input gradient / weight gradient):\n"
    );
    println!(
        "| shape | variant | forward | input grad | weight grad | kiln / PyTorch (f / dx / dw) |"
    );
    println!("|---|---|---|---|---|---|");
    for ((shape, variant), v) in rows {
        let vs_torch = if variant == "kiln" {
            let torch = rows.get(&(shape.clone(), "pytorch".to_string()));
            let r = |i: usize| ratio(v.get(i).copied(), torch.and_then(|t| t.get(i).copied()));
            format!("{} / {} / {}", r(0), r(1), r(2))
        } else {
            String::new()
        };
        println!(
            "| {shape} | {variant} | {} | {} | {} | {vs_torch} |",
            figure(v, 0),
            figure(v, 1),
            figure(v, 2)
        );
    }
    println!();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_keeps_tagged_rows_only() {
        let text = "warming up\n\
                    RESULT resnet20\tkiln\t302.5\t1100\n\
                    LAYER 16→16\tkiln\t1\t2\t3\n\
                    RESULT resnet8\tpytorch\tn/a\t4.5\n\
                    RESULT truncated\n";
        let mut rows = Rows::new();
        parse(text, "RESULT", &mut rows);
        let key = |m: &str, v: &str| (m.to_string(), v.to_string());
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[&key("resnet20", "kiln")], [302.5, 1100.0]);
        assert_eq!(rows[&key("resnet8", "pytorch")], [4.5]);
        parse(text, "LAYER", &mut rows);
        assert_eq!(rows[&key("16→16", "kiln")], [1.0, 2.0, 3.0]);
    }

    #[test]
    fn ratio_divides_or_marks_what_is_missing() {
        assert_eq!(ratio(Some(3.0), Some(2.0)), "1.50");
        assert_eq!(ratio(None, Some(2.0)), "–");
        assert_eq!(ratio(Some(3.0), None), "–");
        assert_eq!(ratio(Some(3.0), Some(0.0)), "–");
        assert_eq!(figure(&[302.54], 0), "302.5");
        assert_eq!(figure(&[302.54], 1), "–");
    }
}
