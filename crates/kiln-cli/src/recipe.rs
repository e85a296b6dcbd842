//! The training recipe the `train` and `experiment` commands share: optimiser, rate, schedule,
//! augmentation, epochs, seed. Its defaults are the lecture's: SGD with momentum 0.9, L2
//! weight decay 5·10⁻⁴, rate 0.1 annealed by cosine, batch 128, flips, label smoothing 0.1.

use std::path::PathBuf;

use clap::ValueEnum;
use kiln::data::Augment;
use kiln::train::{Clip, EarlyStop, FitConfig, Optimizer, Plateau, Schedule};

/// The optimiser.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum OptimizerKind {
    /// SGD with momentum (the lecture's recipe).
    Sgd,
    /// Adam, L2 weight decay.
    Adam,
    /// AdamW, decoupled weight decay.
    Adamw,
}

/// The learning-rate schedule.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum ScheduleKind {
    /// Divide by 10 when validation accuracy has not improved for `--patience` epochs.
    Plateau,
    /// Cosine annealing to 0 over the run.
    Cosine,
    /// Divide by 10 every third of the run.
    Step,
}

/// How a model is trained.
#[derive(clap::Args, Clone, Debug)]
pub struct Recipe {
    /// Epochs to train.
    #[arg(long, default_value_t = 16)]
    pub epochs: usize,
    /// Examples per step.
    #[arg(long, default_value_t = 128)]
    pub batch_size: usize,
    /// The optimiser.
    #[arg(long, value_enum, default_value_t = OptimizerKind::Sgd)]
    pub optimizer: OptimizerKind,
    /// Initial learning rate (after any warm-up).
    #[arg(long, default_value_t = 0.1)]
    pub lr: f64,
    /// SGD's momentum (dampening 0).
    #[arg(long, default_value_t = 0.9)]
    pub momentum: f64,
    /// SGD with Nesterov's momentum.
    #[arg(long)]
    pub nesterov: bool,
    /// Weight decay: L2 for SGD and Adam, decoupled for AdamW (0: none).
    #[arg(long, default_value_t = 5e-4)]
    pub weight_decay: f32,
    /// Gradient clipping: `norm:LIMIT` (each parameter's gradient scaled down to this L2
    /// norm) or `value:LIMIT` (each element clamped).
    #[arg(long)]
    pub clip: Option<Clip>,
    /// Epochs of linear warm-up of the rate before the schedule starts.
    #[arg(long, default_value_t = 0)]
    pub warmup: usize,
    /// Stop when validation `accuracy` or `loss` has not improved for PATIENCE epochs, and
    /// keep the best epoch's weights: `accuracy:3`, `loss:5`.
    #[arg(long)]
    pub early_stop: Option<EarlyStop>,
    /// Label smoothing of the training loss: the target puts `1 − α` on the label and `α / C`
    /// on every class (0: none).
    #[arg(long, default_value_t = 0.1)]
    pub label_smoothing: f32,
    /// The learning-rate schedule.
    #[arg(long, value_enum, default_value_t = ScheduleKind::Cosine)]
    pub schedule: ScheduleKind,
    /// Epochs without improvement before a plateau reduces the rate.
    #[arg(long, default_value_t = 1)]
    pub patience: usize,
    /// Augmentations, comma-separated: `shift`, `rotate`, `scale`, `flip`, or `none`.
    #[arg(long, default_value = "flip")]
    pub augment: String,
    /// Largest random shift in pixels (`shift`).
    #[arg(long, default_value_t = 2)]
    pub max_shift: usize,
    /// Seed of initialisation, shuffling, augmentation and dropout.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Train on at most this many images (smoke runs).
    #[arg(long)]
    pub limit: Option<usize>,
}

impl Recipe {
    /// The defaults, as `kiln train` has them.
    pub fn defaults() -> Self {
        use clap::{Args, FromArgMatches};
        let command = Self::augment_args(clap::Command::new("recipe"));
        let matches = command.get_matches_from(["recipe"]);
        Self::from_arg_matches(&matches).expect("the defaults are valid")
    }

    /// The augmentation `--augment` names.
    pub fn augment(&self) -> Result<Augment, String> {
        let mut augment = Augment::NONE;
        for word in self.augment.split(',').map(str::trim) {
            match word {
                "none" | "" => {}
                "shift" => augment.max_shift = self.max_shift,
                "rotate" => augment.max_degrees = 10.0,
                "scale" => augment.max_scale = 0.1,
                "flip" => augment.flip = true,
                other => {
                    return Err(format!(
                        "unknown augmentation `{other}`; use shift, rotate, scale, flip or none"
                    ));
                }
            }
        }
        Ok(augment)
    }

    /// The training loop's configuration, writing to `out`.
    pub fn config(
        &self,
        out: PathBuf,
        resume: bool,
        allow_changes: bool,
    ) -> Result<FitConfig, String> {
        if !(0.0..1.0).contains(&self.label_smoothing) {
            return Err(format!(
                "--label-smoothing {} is not in [0, 1)",
                self.label_smoothing
            ));
        }
        // The schedule runs over the epochs after the warm-up.
        let scheduled = self.epochs.saturating_sub(self.warmup);
        Ok(FitConfig {
            epochs: self.epochs,
            batch_size: self.batch_size,
            lr: self.lr,
            optimizer: match self.optimizer {
                OptimizerKind::Sgd => Optimizer::Sgd {
                    momentum: self.momentum,
                    dampening: 0.0,
                    nesterov: self.nesterov,
                },
                OptimizerKind::Adam => Optimizer::ADAM,
                OptimizerKind::Adamw => Optimizer::ADAMW,
            },
            weight_decay: self.weight_decay,
            clip: self.clip,
            warmup: self.warmup,
            label_smoothing: (self.label_smoothing > 0.0).then_some(self.label_smoothing),
            schedule: match self.schedule {
                ScheduleKind::Plateau => Schedule::Plateau(Plateau::new(self.patience)),
                ScheduleKind::Cosine => Schedule::Cosine { epochs: scheduled },
                ScheduleKind::Step => Schedule::Step {
                    every: (scheduled / 3).max(1),
                    gamma: 0.1,
                },
            },
            early_stop: self.early_stop,
            val_fraction: 1.0 / 12.0,
            seed: self.seed,
            augment: self.augment()?,
            limit: self.limit,
            out,
            resume,
            allow_changes,
        })
    }
}
