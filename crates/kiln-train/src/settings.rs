//! What shapes a run, recorded in each checkpoint so that a resume with other settings says
//! what differs instead of silently training a different run.

use serde::{Deserialize, Serialize};

use crate::config::FitConfig;
use crate::early_stop::EarlyStop;
use crate::optim::{Clip, Optimizer};
use crate::schedule::Schedule;

/// The settings of a [`FitConfig`] that a resumed run must share with the run it continues:
/// all but the epoch count, the output directory and the resume flag.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub(crate) struct Settings {
    batch_size: usize,
    lr: f64,
    optimizer: Optimizer,
    weight_decay: f32,
    clip: Option<Clip>,
    warmup: usize,
    label_smoothing: Option<f32>,
    schedule: Schedule,
    early_stop: Option<EarlyStop>,
    val_fraction: f64,
    seed: u64,
    augment: String,
    limit: Option<usize>,
}

impl Settings {
    /// The settings of `config`.
    pub fn of(config: &FitConfig) -> Self {
        Self {
            batch_size: config.batch_size,
            lr: config.lr,
            optimizer: config.optimizer,
            weight_decay: config.weight_decay,
            clip: config.clip,
            warmup: config.warmup,
            label_smoothing: config.label_smoothing,
            schedule: config.schedule.clone(),
            early_stop: config.early_stop,
            val_fraction: config.val_fraction,
            seed: config.seed,
            augment: format!("{:?}", config.augment),
            limit: config.limit,
        }
    }

    /// Each setting that differs, as `name: X in the checkpoint, Y now`.
    pub fn differences(&self, now: &Self) -> Vec<String> {
        let fields = |settings: &Self| match serde_json::to_value(settings) {
            Ok(serde_json::Value::Object(fields)) => fields,
            _ => serde_json::Map::new(),
        };
        let (was, is) = (fields(self), fields(now));
        was.iter()
            .filter(|(name, value)| is.get(*name) != Some(value))
            .map(|(name, value)| {
                let now = is
                    .get(name)
                    .map_or("nothing".to_string(), |v| v.to_string());
                format!("{name}: {value} in the checkpoint, {now} now")
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::Plateau;

    fn config() -> FitConfig {
        FitConfig {
            epochs: 4,
            batch_size: 64,
            lr: 0.1,
            optimizer: Optimizer::SGD,
            weight_decay: 5e-4,
            clip: None,
            warmup: 0,
            label_smoothing: Some(0.1),
            schedule: Schedule::Plateau(Plateau::new(1)),
            early_stop: None,
            val_fraction: 0.1,
            seed: 1,
            augment: kiln_data::Augment::NONE,
            limit: None,
            out: "runs/a".into(),
            resume: false,
            allow_changes: false,
        }
    }

    #[test]
    fn differences_name_each_changed_setting_with_both_values() {
        let base = Settings::of(&config());
        let more_epochs_elsewhere = FitConfig {
            epochs: 8,
            out: "runs/b".into(),
            resume: true,
            ..config()
        };
        assert!(
            base.differences(&Settings::of(&more_epochs_elsewhere))
                .is_empty()
        );
        let changed = FitConfig {
            lr: 0.05,
            optimizer: Optimizer::ADAM,
            clip: Some(Clip::Norm(1.0)),
            ..config()
        };
        let differences = base.differences(&Settings::of(&changed));
        assert_eq!(differences.len(), 3, "{differences:?}");
        assert!(differences.contains(&"lr: 0.1 in the checkpoint, 0.05 now".to_string()));
        assert!(
            differences.contains(
                &"clip: null in the checkpoint, {\"by\":\"norm\",\"limit\":1.0} now".to_string()
            ),
            "{differences:?}"
        );
        assert!(
            differences.iter().any(|d| d.starts_with("optimizer: ")
                && d.contains(r#""kind":"sgd""#)
                && d.contains(r#""kind":"adam""#)),
            "{differences:?}"
        );
        // A state.json written before settings were recorded has none to compare.
        let text = serde_json::to_string(&base).unwrap();
        assert_eq!(serde_json::from_str::<Settings>(&text).unwrap(), base);
    }
}
