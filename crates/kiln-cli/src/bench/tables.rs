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

/// Rows `(key, variant) → rounds`: each round's figures, a model's images/s or a layer's
/// GFLOP/s.
pub type Rows = BTreeMap<(String, String), Vec<Vec<f64>>>;

/// Adds one round's `figures` to the row of `key` and `variant`.
pub fn record(rows: &mut Rows, key: &str, variant: &str, figures: Vec<f64>) {
    rows.entry((key.to_string(), variant.to_string()))
        .or_default()
        .push(figures);
}

/// Adds to `rows` every line of `text` of the form `tag key<TAB>variant<TAB>numbers…`, as one
/// round; other lines, and fields that are not numbers, are skipped.
pub fn parse(text: &str, tag: &str, rows: &mut Rows) {
    for line in text.lines() {
        let Some(rest) = line.strip_prefix(tag) else {
            continue;
        };
        let fields: Vec<&str> = rest.trim().split('\t').collect();
        if let [key, variant, numbers @ ..] = fields.as_slice() {
            let numbers = numbers.iter().filter_map(|n| n.parse().ok()).collect();
            record(rows, key, variant, numbers);
        }
    }
}

/// The median of `values` (the mean of the middle two for an even count), or none when empty.
fn median(mut values: Vec<f64>) -> Option<f64> {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(values[n / 2]),
        _ => Some((values[n / 2 - 1] + values[n / 2]) / 2.0),
    }
}

/// Figure `i` of every round of a row that has it.
fn column(rounds: &[Vec<f64>], i: usize) -> Vec<f64> {
    rounds.iter().filter_map(|r| r.get(i).copied()).collect()
}

/// `a / b` of figure `i`, with two decimals: with as many rounds on both sides (measured in
/// turn), the median of each round's ratio and their range, so that a host that slows down
/// between rounds moves both sides of a ratio alike; otherwise the ratio of the medians. A dash
/// when either side is missing or a divisor is not positive.
fn ratio(a: Option<&Vec<Vec<f64>>>, b: Option<&Vec<Vec<f64>>>, i: usize) -> String {
    let (Some(a), Some(b)) = (a, b) else {
        return "–".to_string();
    };
    let (a, b) = (column(a, i), column(b, i));
    if a.len() == b.len() && a.len() > 1 {
        if b.iter().any(|&d| d <= 0.0) {
            return "–".to_string();
        }
        let ratios: Vec<f64> = a.iter().zip(&b).map(|(x, y)| x / y).collect();
        let lo = ratios.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = ratios.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let mid = median(ratios).expect("more than one round");
        return format!("{mid:.2} ({lo:.2}–{hi:.2})");
    }
    match (median(a), median(b)) {
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

/// The median over rounds of figure `i` of a row, or a dash when the row has none.
fn figure(rounds: &[Vec<f64>], i: usize) -> String {
    median(column(rounds, i)).map_or("–".to_string(), |x| format!("{x:.1}"))
}

/// The whole-model table and its ratios.
fn print_models(rows: &Rows) {
    if rows.is_empty() {
        return;
    }
    let get = |model: &str, variant: &str| rows.get(&(model.to_string(), variant.to_string()));
    println!("| model | variant | train images/s | inference images/s | rounds |");
    println!("|---|---|---|---|---|");
    for ((model, variant), v) in rows {
        println!(
            "| {model} | {variant} | {} | {} | {} |",
            figure(v, 0),
            figure(v, 1),
            v.len()
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
            ratio(get(model, "kiln"), get(model, "pytorch"), 0),
            ratio(get(model, "kiln"), get(model, "pytorch-channels-last"), 0),
            ratio(get(model, "kiln"), get(model, "pytorch"), 1),
            ratio(get(model, "kiln-burn-ops"), get(model, "plain-burn"), 0),
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
            let r = |i: usize| ratio(Some(v), torch, i);
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
        assert_eq!(rows[&key("resnet20", "kiln")], [vec![302.5, 1100.0]]);
        assert_eq!(rows[&key("resnet8", "pytorch")], [vec![4.5]]);
        parse(text, "LAYER", &mut rows);
        assert_eq!(rows[&key("16→16", "kiln")], [vec![1.0, 2.0, 3.0]]);
        parse(text, "RESULT", &mut rows);
        assert_eq!(rows[&key("resnet20", "kiln")].len(), 2, "a second round");
    }

    #[test]
    fn figures_are_medians_over_rounds() {
        let rounds = vec![vec![3.0, 10.0], vec![1.0], vec![2.0, 30.0]];
        assert_eq!(figure(&rounds, 0), "2.0");
        assert_eq!(figure(&rounds, 1), "20.0", "the mean of the middle two");
        assert_eq!(figure(&rounds, 2), "–");
    }

    #[test]
    fn ratio_divides_or_marks_what_is_missing() {
        let one = |x: f64| vec![vec![x]];
        assert_eq!(ratio(Some(&one(3.0)), Some(&one(2.0)), 0), "1.50");
        assert_eq!(ratio(None, Some(&one(2.0)), 0), "–");
        assert_eq!(ratio(Some(&one(3.0)), None, 0), "–");
        assert_eq!(ratio(Some(&one(3.0)), Some(&one(0.0)), 0), "–");
        assert_eq!(ratio(Some(&one(3.0)), Some(&one(2.0)), 1), "–");
    }

    #[test]
    fn ratios_of_rounds_pair_each_round() {
        // The host halves its speed in round 2 and PyTorch has a fast round 3: two rounds'
        // ratio is 1.5; the medians' (160 / 200) would be 0.80.
        let kiln = vec![vec![300.0], vec![150.0], vec![160.0]];
        let torch = vec![vec![200.0], vec![100.0], vec![300.0]];
        assert_eq!(ratio(Some(&kiln), Some(&torch), 0), "1.50 (0.53–1.50)");
        // Unequal counts (a variant measured once): the ratio of the medians.
        assert_eq!(ratio(Some(&kiln[..1].to_vec()), Some(&torch), 0), "1.50");
        let no_speed = vec![vec![1.0], vec![0.0]];
        assert_eq!(ratio(Some(&no_speed), Some(&no_speed), 0), "–");
    }
}
