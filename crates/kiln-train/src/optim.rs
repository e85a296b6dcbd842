//! What a run optimises with: burn's SGD, Adam or AdamW, with weight decay and gradient
//! clipping, and the linear warm-up of the rate.

use burn::optim::decay::WeightDecayConfig;
use burn::optim::grad_clipping::GradientClippingConfig;
use burn::optim::momentum::MomentumConfig;
use burn::optim::{AdamConfig, AdamWConfig, ModuleOptimizer, SgdConfig};
use serde::{Deserialize, Serialize};

/// The optimiser, with its own hyperparameters; the rate, the weight decay and clipping are
/// the run's ([`FitConfig`](crate::FitConfig)).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Optimizer {
    /// Stochastic gradient descent with momentum as PyTorch's `SGD`: `v ← μ·v + (1 − τ)·g`,
    /// then `w ← w − lr·v`, or `w ← w − lr·(g + μ·v)` with Nesterov's momentum. Weight decay
    /// is L2 (added to the gradient).
    Sgd {
        /// μ (0: plain SGD).
        momentum: f64,
        /// τ, the share of each gradient left out of the velocity.
        dampening: f64,
        /// Nesterov's momentum.
        nesterov: bool,
    },
    /// Adam (Kingma and Ba): weight decay is L2 (added to the gradient).
    Adam {
        /// Decay of the gradient's running mean.
        beta_1: f32,
        /// Decay of the squared gradient's running mean.
        beta_2: f32,
        /// Added to the denominator.
        epsilon: f32,
    },
    /// AdamW (Loshchilov and Hutter): weight decay is decoupled, `w ← w − lr·λ·w`.
    AdamW {
        /// Decay of the gradient's running mean.
        beta_1: f32,
        /// Decay of the squared gradient's running mean.
        beta_2: f32,
        /// Added to the denominator.
        epsilon: f32,
    },
}

impl Optimizer {
    /// The lecture's recipe: SGD with momentum 0.9, no dampening.
    pub const SGD: Self = Self::Sgd {
        momentum: 0.9,
        dampening: 0.0,
        nesterov: false,
    };
    /// Adam with PyTorch's defaults (β = 0.9, 0.999; ε = 10⁻⁸).
    pub const ADAM: Self = Self::Adam {
        beta_1: 0.9,
        beta_2: 0.999,
        epsilon: 1e-8,
    };
    /// AdamW with PyTorch's defaults (β = 0.9, 0.999; ε = 10⁻⁸).
    pub const ADAMW: Self = Self::AdamW {
        beta_1: 0.9,
        beta_2: 0.999,
        epsilon: 1e-8,
    };

    /// The name on the command line: `sgd`, `adam` or `adamw`.
    pub fn name(&self) -> &'static str {
        match self {
            Self::Sgd { .. } => "sgd",
            Self::Adam { .. } => "adam",
            Self::AdamW { .. } => "adamw",
        }
    }

    /// burn's optimiser for this choice, with `weight_decay` (0: none) and `clip`.
    pub fn init(&self, weight_decay: f32, clip: Option<Clip>) -> ModuleOptimizer {
        let decay = (weight_decay > 0.0).then(|| WeightDecayConfig::new(weight_decay));
        let clip = clip.map(Clip::config);
        match *self {
            Self::Sgd {
                momentum,
                dampening,
                nesterov,
            } => SgdConfig::new()
                .with_momentum((momentum > 0.0).then(|| {
                    MomentumConfig::new()
                        .with_momentum(momentum)
                        .with_dampening(dampening)
                        .with_nesterov(nesterov)
                }))
                .with_weight_decay(decay)
                .with_gradient_clipping(clip)
                .init(),
            Self::Adam {
                beta_1,
                beta_2,
                epsilon,
            } => AdamConfig::new()
                .with_beta_1(beta_1)
                .with_beta_2(beta_2)
                .with_epsilon(epsilon)
                .with_weight_decay(decay)
                .with_grad_clipping(clip)
                .init(),
            Self::AdamW {
                beta_1,
                beta_2,
                epsilon,
            } => AdamWConfig::new()
                .with_beta_1(beta_1)
                .with_beta_2(beta_2)
                .with_epsilon(epsilon)
                .with_weight_decay(weight_decay)
                .with_grad_clipping(clip)
                .init(),
        }
    }
}

/// Gradient clipping before each step.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "by", content = "limit", rename_all = "lowercase")]
pub enum Clip {
    /// Scale each parameter's gradient down to this L2 norm when it is larger.
    Norm(f32),
    /// Clamp every gradient element to `[−limit, limit]`.
    Value(f32),
}

impl Clip {
    fn config(self) -> GradientClippingConfig {
        match self {
            Clip::Norm(limit) => GradientClippingConfig::Norm(limit),
            Clip::Value(limit) => GradientClippingConfig::Value(limit),
        }
    }
}

impl std::str::FromStr for Clip {
    type Err = String;

    /// `norm:5` or `value:0.5`.
    fn from_str(text: &str) -> Result<Self, String> {
        let bad =
            || format!("--clip takes norm:LIMIT or value:LIMIT (a positive number), not `{text}`");
        let (by, limit) = text.split_once(':').ok_or_else(bad)?;
        let limit: f32 = limit.trim().parse().map_err(|_| bad())?;
        if !(limit.is_finite() && limit > 0.0) {
            return Err(bad());
        }
        match by.trim() {
            "norm" => Ok(Clip::Norm(limit)),
            "value" => Ok(Clip::Value(limit)),
            _ => Err(bad()),
        }
    }
}

/// The share of the rate at step `step` (from 0) of a run with `steps_per_epoch` steps per
/// epoch and `warmup` warm-up epochs: rising linearly, `(step + 1) / (warmup · steps_per_epoch)`,
/// to 1 at the last warm-up step, and 1 after.
pub fn warmup_factor(warmup: usize, steps_per_epoch: usize, step: usize) -> f64 {
    let total = warmup * steps_per_epoch;
    if step >= total {
        1.0
    } else {
        (step + 1) as f64 / total as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warm_up_rises_linearly_to_the_rate_and_stays() {
        let factors: Vec<f64> = (0..8).map(|s| warmup_factor(2, 3, s)).collect();
        let sixths = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0].map(|k| k / 6.0);
        assert_eq!(factors[..6], sixths);
        assert_eq!(factors[6..], [1.0, 1.0]);
        assert_eq!(warmup_factor(0, 100, 0), 1.0, "no warm-up");
    }

    #[test]
    fn clip_parses_both_kinds_and_names_bad_limits() {
        assert_eq!("norm:5".parse(), Ok(Clip::Norm(5.0)));
        assert_eq!("value: 0.25".parse(), Ok(Clip::Value(0.25)));
        for bad in [
            "norm",
            "norm:-1",
            "norm:0",
            "value:nan",
            "size:3",
            "norm:inf",
        ] {
            let error = bad.parse::<Clip>().unwrap_err();
            assert!(error.contains(bad), "{error}");
        }
    }

    #[test]
    fn the_optimisers_and_clipping_survive_a_checkpoint_as_json() {
        for optimizer in [Optimizer::SGD, Optimizer::ADAM, Optimizer::ADAMW] {
            let text = serde_json::to_string(&optimizer).unwrap();
            assert!(text.contains(optimizer.name()), "{text}");
            assert_eq!(serde_json::from_str::<Optimizer>(&text).unwrap(), optimizer);
        }
        let clip = serde_json::to_string(&Clip::Norm(2.5)).unwrap();
        assert_eq!(clip, r#"{"by":"norm","limit":2.5}"#);
    }
}
