//! Keras-style model summaries, with the memory a model needs (see `kiln_shape`'s estimates).

/// What a [`SummaryRow`] is in the model's graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// A layer.
    Layer,
    /// The addition that ends a residual block: the body's output plus the shortcut's.
    ResidualAdd,
    /// The concatenation, along depth, that ends a block of parallel branches.
    Concat,
}

/// Which part of an enclosing block a row belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Part {
    /// The body of a residual block.
    Body,
    /// The shortcut (projection) of a residual block.
    Shortcut,
    /// The named branch of a concatenation block.
    Branch(String),
    /// An auxiliary branch: it reads the activation before it, and the model goes on from
    /// that activation, not from the branch's output.
    Aux,
}

/// A block enclosing a row: the block's name (that of its join row, or of the auxiliary
/// branch) and the part the row is in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Within {
    /// The block's path in the model, e.g. `layer1.0`.
    pub block: String,
    /// The part of the block.
    pub part: Part,
}

/// One row of a [`Summary`]: a layer or a join, its output shape, parameters and FLOPs, and
/// where it sits in the model's graph.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SummaryRow {
    /// The layer's path in the model, e.g. `block1.conv2`.
    pub name: String,
    /// A layer, or the join that ends a block.
    pub role: Role,
    /// The blocks that enclose the row, outermost first (empty at the top level). A join's
    /// own block does not enclose it.
    pub within: Vec<Within>,
    /// What the layer is, with its hyperparameters and any rounding mark.
    pub kind: String,
    /// Output `[W, H, D]`.
    pub output: [usize; 3],
    /// Trainable parameters.
    pub params: usize,
    /// FLOPs per example.
    pub flops: usize,
}

/// A model's layer table with totals; `Display` prints it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Summary {
    /// The model's name.
    pub model: String,
    /// Input `[W, H, D]`.
    pub input: [usize; 3],
    /// One row per layer, in forward order.
    pub rows: Vec<SummaryRow>,
    /// Non-trainable values (batch-norm running statistics).
    pub buffers: usize,
    /// Activation values per example that training keeps for the backward pass.
    pub activations: usize,
    /// The most activation values per example alive at once in inference.
    pub peak_activations: usize,
}

impl Summary {
    /// Sum of the rows' parameters.
    pub fn total_params(&self) -> usize {
        self.rows.iter().map(|row| row.params).sum()
    }

    /// Sum of the rows' FLOPs.
    pub fn total_flops(&self) -> usize {
        self.rows.iter().map(|row| row.flops).sum()
    }

    /// Bytes of the parameters and buffers.
    pub fn param_bytes(&self) -> usize {
        kiln_shape::param_bytes(self.total_params(), self.buffers)
    }

    /// Estimated bytes to run inference at batch `batch`.
    pub fn inference_bytes(&self, batch: usize) -> usize {
        let (params, peak) = (self.total_params(), self.peak_activations);
        kiln_shape::inference_bytes(params, self.buffers, peak, batch)
    }

    /// Estimated bytes to train at batch `batch` with SGD and momentum.
    pub fn training_bytes(&self, batch: usize) -> usize {
        let (kept, peak) = (self.activations, self.peak_activations);
        kiln_shape::training_bytes(self.total_params(), self.buffers, kept, peak, batch)
    }

    /// The memory line for a batch of `batch`, e.g. `batch 128: inference 7.1 MiB, training
    /// 245.3 MiB (SGD with momentum)`.
    pub fn batch_memory(&self, batch: usize) -> String {
        format!(
            "batch {batch}: inference {}, training {} (SGD with momentum)",
            mib(self.inference_bytes(batch)),
            mib(self.training_bytes(batch))
        )
    }
}

/// Bytes in MiB with two decimals.
fn mib(bytes: usize) -> String {
    format!("{:.2} MiB", bytes as f64 / (1u64 << 20) as f64)
}

/// `1234567` as `1,234,567`: counts in summaries and drawings.
pub fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn shape(s: [usize; 3]) -> String {
    format!("{}×{}×{}", s[0], s[1], s[2])
}

impl core::fmt::Display for Summary {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let header = ["layer", "kind", "output W×H×D", "params", "FLOPs"];
        let mut cells: Vec<[String; 5]> = vec![header.map(String::from)];
        cells.push([
            "input".into(),
            String::new(),
            shape(self.input),
            String::new(),
            String::new(),
        ]);
        for row in &self.rows {
            cells.push([
                row.name.clone(),
                row.kind.clone(),
                shape(row.output),
                grouped(row.params),
                grouped(row.flops),
            ]);
        }
        let mut widths = [0; 5];
        for row in &cells {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        let rule = "─".repeat(widths.iter().sum::<usize>() + 8);
        writeln!(f, "{}", self.model)?;
        writeln!(f, "{rule}")?;
        for (i, row) in cells.iter().enumerate() {
            for (j, cell) in row.iter().enumerate() {
                let pad = widths[j] - cell.chars().count();
                if j >= 3 {
                    write!(f, "{}{cell}", " ".repeat(pad + 2))?;
                } else {
                    write!(f, "{cell}{}", " ".repeat(pad + 2))?;
                }
            }
            writeln!(f)?;
            if i == 0 {
                writeln!(f, "{rule}")?;
            }
        }
        writeln!(f, "{rule}")?;
        writeln!(
            f,
            "total params: {} trainable, {} non-trainable (batch-norm statistics): {}",
            grouped(self.total_params()),
            grouped(self.buffers),
            mib(self.param_bytes())
        )?;
        writeln!(f, "total FLOPs:  {}", grouped(self.total_flops()))?;
        let bytes = |values| mib(values * kiln_shape::FLOAT_BYTES);
        write!(
            f,
            "activations per example: {} values kept for training ({}), {} at the peak of \
             inference ({})",
            grouped(self.activations),
            bytes(self.activations),
            grouped(self.peak_activations),
            bytes(self.peak_activations)
        )
    }
}
