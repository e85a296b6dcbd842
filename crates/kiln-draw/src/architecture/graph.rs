//! The model's graph read back from its summary rows, and the steps the drawing makes of it:
//! a box per layer that changes the shape or computes more than value by value, blocks of
//! boxes for residual blocks, concatenations and auxiliary branches.

use kiln_core::{Part, Role, SummaryRow};

/// The model's graph, read back from its rows and the blocks that enclose them.
#[derive(Clone, Debug)]
pub(super) enum Item {
    Layer(usize),
    Residual {
        join: usize,
        body: Vec<Item>,
        shortcut: Vec<usize>,
    },
    Concat {
        join: usize,
        branches: Vec<(String, Vec<Item>)>,
    },
    Aux(Vec<Item>),
}

/// The items of the rows `ids`, which all sit at least `depth` blocks deep.
pub(super) fn items(rows: &[SummaryRow], ids: &[usize], depth: usize) -> Vec<Item> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < ids.len() {
        let row = &rows[ids[i]];
        let Some(within) = row.within.get(depth) else {
            out.push(Item::Layer(ids[i]));
            i += 1;
            continue;
        };
        let inside =
            |id: &usize| rows[*id].within.get(depth).map(|w| &w.block) == Some(&within.block);
        let end = i + ids[i..].iter().take_while(|id| inside(id)).count();
        let group = &ids[i..end];
        if within.part == Part::Aux {
            out.push(Item::Aux(items(rows, group, depth + 1)));
            i = end;
            continue;
        }
        // The join row follows its block's rows (the macro writes it so).
        let join = ids[end];
        let part = |id: &usize| &rows[*id].within[depth].part;
        match rows[join].role {
            Role::Concat => {
                let mut branches: Vec<(String, Vec<usize>)> = Vec::new();
                for id in group {
                    let Part::Branch(name) = part(id) else {
                        continue;
                    };
                    match branches.last_mut() {
                        Some((last, members)) if last == name => members.push(*id),
                        _ => branches.push((name.clone(), vec![*id])),
                    }
                }
                let branches = branches
                    .into_iter()
                    .map(|(name, ids)| (name, items(rows, &ids, depth + 1)))
                    .collect();
                out.push(Item::Concat { join, branches });
            }
            _ => {
                let (body, shortcut): (Vec<usize>, Vec<usize>) = group
                    .iter()
                    .copied()
                    .partition(|id| *part(id) == Part::Body);
                out.push(Item::Residual {
                    join,
                    body: items(rows, &body, depth + 1),
                    shortcut,
                });
            }
        }
        i = end + 1;
    }
    out
}

/// What the pen draws in a row: a box, or a block of them.
#[derive(Clone, Debug)]
pub(super) enum Step {
    /// A box of `shape`, captioned with `rows`; the input's box names the element-wise rows
    /// that open the model.
    Volume {
        rows: Vec<usize>,
        shape: [usize; 3],
        join: bool,
        input: bool,
    },
    Residual {
        body: Vec<Step>,
        shortcut: Vec<usize>,
        add: Box<Step>,
    },
    Concat {
        lanes: Vec<(String, Vec<Step>)>,
        concat: Box<Step>,
    },
    Aux(Vec<Step>),
}

/// Turns items into steps, folding element-wise layers into the captions of boxes.
pub(super) struct Folder<'a> {
    rows: &'a [SummaryRow],
    /// Element-wise rows met before any box of their sequence: the next box's caption gets them.
    pending: Vec<usize>,
}

impl<'a> Folder<'a> {
    pub(super) fn new(rows: &'a [SummaryRow]) -> Self {
        Self {
            rows,
            pending: Vec::new(),
        }
    }

    /// `steps` followed by the steps of `items`, which take an input of `shape`.
    pub(super) fn steps(
        &mut self,
        items: &[Item],
        mut shape: [usize; 3],
        mut steps: Vec<Step>,
    ) -> Vec<Step> {
        for item in items {
            match item {
                Item::Layer(row) if elementwise(&self.rows[*row], shape) => {
                    // Into the caption of the box before it (a block's join box), else of
                    // the next box.
                    let before = match steps.last_mut() {
                        Some(Step::Volume { rows, .. }) => Some(rows),
                        Some(
                            Step::Residual { add: join, .. } | Step::Concat { concat: join, .. },
                        ) => match join.as_mut() {
                            Step::Volume { rows, .. } => Some(rows),
                            _ => None,
                        },
                        _ => None,
                    };
                    match before {
                        Some(rows) => rows.push(*row),
                        None => self.pending.push(*row),
                    }
                }
                Item::Layer(row) => {
                    let mut rows: Vec<usize> = self.pending.drain(..).collect();
                    rows.push(*row);
                    shape = self.rows[*row].output;
                    steps.push(Step::Volume {
                        rows,
                        shape,
                        join: false,
                        input: false,
                    });
                }
                Item::Residual {
                    join,
                    body,
                    shortcut,
                } => {
                    // Element-wise rows waiting go to the body's first box.
                    let body = self.steps(body, shape, Vec::new());
                    let add = self.join_step(*join);
                    shape = self.rows[*join].output;
                    steps.push(Step::Residual {
                        body,
                        shortcut: shortcut.clone(),
                        add: Box::new(add),
                    });
                }
                Item::Concat { join, branches } => {
                    let mut lanes = Vec::new();
                    let mut left = Vec::new();
                    for (name, items) in branches {
                        lanes.push((name.clone(), self.steps(items, shape, Vec::new())));
                        left.append(&mut self.pending);
                    }
                    self.pending = left;
                    let concat = self.join_step(*join);
                    shape = self.rows[*join].output;
                    steps.push(Step::Concat {
                        lanes,
                        concat: Box::new(concat),
                    });
                }
                Item::Aux(body) => {
                    let mut lane = self.steps(body, shape, Vec::new());
                    // Element-wise rows left at the end of an auxiliary branch stay with it.
                    if !self.pending.is_empty() {
                        lane.push(Step::Volume {
                            rows: self.pending.drain(..).collect(),
                            shape,
                            join: false,
                            input: false,
                        });
                    }
                    steps.push(Step::Aux(lane));
                }
            }
        }
        steps
    }

    /// The box of a join, captioned with the element-wise rows its block left and the join.
    fn join_step(&mut self, join: usize) -> Step {
        let mut rows: Vec<usize> = self.pending.drain(..).collect();
        rows.push(join);
        Step::Volume {
            rows,
            shape: self.rows[join].output,
            join: true,
            input: false,
        }
    }
}

/// Whether `row` is a layer that keeps its input `shape` and works value by value.
pub(super) fn elementwise(row: &SummaryRow, shape: [usize; 3]) -> bool {
    let values = shape.iter().product::<usize>();
    row.role == Role::Layer
        && row.output == shape
        && row.flops <= 2 * values
        && row.params <= 2 * shape[2]
}
