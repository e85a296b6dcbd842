//! The captions: the layers that made a box, with F, S, P and K, and rounding notes.

use kiln_core::{Role, SummaryRow};

use super::graph::elementwise;

/// The caption lines of a box made by `rows`: the main layer's name, kind and K, with the
/// element-wise layers before and after it named, and the rounding note last; and whether a
/// size was rounded.
pub(super) fn caption(
    all: &[SummaryRow],
    rows: &[usize],
    shape: [usize; 3],
    input: bool,
) -> (Vec<String>, bool) {
    let short_name = |r: &usize| all[*r].name.rsplit('.').next().unwrap_or("").to_string();
    if input {
        let mut lines = vec!["input".to_string()];
        let names: Vec<String> = rows.iter().map(short_name).collect();
        if !names.is_empty() {
            lines.extend(wrap(&names, "+ ", ""));
        }
        return (lines, false);
    }
    // The main row: a join, or the last that is not element-wise (the first otherwise).
    let main = rows
        .iter()
        .rposition(|&r| !elementwise(&all[r], shape))
        .unwrap_or(0);
    let short = |r: usize| -> String {
        match all[r].role {
            Role::Layer => short_name(&r),
            _ => all[r].name.clone(),
        }
    };
    let mut lines = Vec::new();
    let before: Vec<String> = rows[..main].iter().map(|&r| short(r)).collect();
    if !before.is_empty() {
        lines.extend(wrap(&before, "", " +"));
    }
    let row = &all[rows[main]];
    let (kind, _) = split_note(&row.kind);
    lines.push(short(rows[main]));
    match row.role {
        Role::Layer => {
            lines.push(kind.to_string());
            if kind.starts_with("conv") || kind.starts_with("linear") {
                lines.push(format!("K = {}", row.output[2]));
            }
        }
        Role::ResidualAdd => lines.push("add".to_string()),
        Role::Concat => lines.push("concat".to_string()),
    }
    let after: Vec<String> = rows[main + 1..].iter().map(|&r| short(r)).collect();
    if !after.is_empty() {
        lines.extend(wrap(&after, "+ ", ""));
    }
    // A rounding note of any row in the caption (element-wise rows never round).
    let note = rows.iter().find_map(|&r| split_note(&all[r].kind).1);
    let rounded = note.is_some();
    lines.extend(note);
    (lines, rounded)
}

/// `names` joined with ` + ` in lines of at most 22 characters, the first starting with
/// `lead` and the last ending with `tail`.
fn wrap(names: &[String], lead: &str, tail: &str) -> Vec<String> {
    let mut lines = vec![lead.to_string()];
    for name in names {
        let line = lines.last_mut().expect("one line");
        if line.len() > lead.len() && line.chars().count() + name.chars().count() + 3 > 22 {
            lines.push(format!("{lead}{name}"));
        } else {
            if line.len() > lead.len() {
                line.push_str(" + ");
            }
            line.push_str(name);
        }
    }
    if let Some(last) = lines.last_mut() {
        last.push_str(tail);
    }
    lines
}

/// A shortcut layer's kind, with K for a convolution.
pub(super) fn shortcut_text(row: &SummaryRow) -> String {
    let (kind, note) = split_note(&row.kind);
    let mut text = kind.to_string();
    if kind.starts_with("conv") {
        text += &format!(" K={}", row.output[2]);
    }
    if let Some(note) = note {
        text += &format!(" ({note})");
    }
    text
}

/// A layer's kind without its rounding note (`conv 3×3/2 p1 [floor: 1 col, 1 row unread]`),
/// and the note when the rounding dropped or padded anything (`floor: 0 col, 0 row unread`,
/// a declared mode that lost nothing, is no note).
pub(super) fn split_note(kind: &str) -> (&str, Option<String>) {
    match kind.split_once(" [") {
        Some((kind, note)) => {
            let note = note.trim_end_matches(']');
            let lost = note.chars().any(|c| c.is_ascii_digit() && c != '0');
            (kind, lost.then(|| note.to_string()))
        }
        None => (kind, None),
    }
}
