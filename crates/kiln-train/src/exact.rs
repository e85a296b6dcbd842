//! `f64` values that a checkpoint must give back bit for bit (a learning rate computed by a
//! schedule, the sums of a stopped epoch, the figures of the epochs done), stored in JSON as
//! the text of their shortest exact decimal form.
//!
//! serde_json's default parser is fast but not always correctly rounded: a number of 17
//! significant digits (`1.8957901000976563`) can come back one unit in the last place off, and
//! a resumed run would then train with another rate or report other figures than the
//! uninterrupted one. Rust's own parser is correctly rounded, so the text goes through it.
//! Checkpoints written before store plain numbers, which are still read (as before).
//!
//! Use with `#[serde(with = "crate::exact")]`, or `crate::exact::option` for `Option<f64>`.

use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serializer};

/// Writes `value` as the text of its shortest decimal form that parses back to it exactly.
pub fn serialize<S: Serializer>(value: &f64, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&format!("{value:?}"))
}

/// Reads a value written by [`serialize`], or a plain JSON number.
pub fn deserialize<'de, D: Deserializer<'de>>(deserializer: D) -> Result<f64, D::Error> {
    deserializer.deserialize_any(ExactF64)
}

/// Accepts the exact text of an `f64` or a number.
struct ExactF64;

impl Visitor<'_> for ExactF64 {
    type Value = f64;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a number, or the text of one")
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<f64, E> {
        text.parse()
            .map_err(|_| E::invalid_value(de::Unexpected::Str(text), &self))
    }

    fn visit_f64<E: de::Error>(self, value: f64) -> Result<f64, E> {
        Ok(value)
    }

    fn visit_u64<E: de::Error>(self, value: u64) -> Result<f64, E> {
        Ok(value as f64)
    }

    fn visit_i64<E: de::Error>(self, value: i64) -> Result<f64, E> {
        Ok(value as f64)
    }
}

/// [`serialize`] and [`deserialize`] for an optional value (`null` when absent).
pub mod option {
    use super::*;

    /// Writes `Some(value)` as [`serialize`](super::serialize) does, `None` as `null`.
    pub fn serialize<S: Serializer>(value: &Option<f64>, serializer: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(value) => super::serialize(value, serializer),
            None => serializer.serialize_none(),
        }
    }

    /// Reads what [`serialize`] writes, or a plain number.
    pub fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<f64>, D::Error> {
        /// The value, read by [`super::deserialize`].
        #[derive(Deserialize)]
        struct Exact(#[serde(with = "super")] f64);
        Ok(Option::<Exact>::deserialize(deserializer)?.map(|Exact(v)| v))
    }
}

#[cfg(test)]
mod tests {
    /// A record with an exact value and an optional one.
    #[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize)]
    struct Record {
        #[serde(with = "crate::exact")]
        value: f64,
        #[serde(with = "crate::exact::option")]
        best: Option<f64>,
    }

    /// Values of 17 significant digits, which serde_json's own number parsing can round one
    /// unit off (the first is such a case: a validation loss that broke an exact resume), come
    /// back bit for bit; plain numbers of older checkpoints are still read.
    #[test]
    fn values_come_back_bit_for_bit() {
        let lossy = 1.8957901000976563f64;
        let plain: f64 = serde_json::from_str("1.8957901000976563").unwrap();
        assert_ne!(
            plain.to_bits(),
            lossy.to_bits(),
            "serde_json parses it exactly now"
        );
        for value in [
            lossy,
            0.1,
            1e-300,
            -2.5e17,
            0.0019999999999999996,
            f64::MIN_POSITIVE,
        ] {
            for best in [None, Some(value / 3.0)] {
                let record = Record { value, best };
                let text = serde_json::to_string(&record).unwrap();
                let back: Record = serde_json::from_str(&text).unwrap();
                assert_eq!(back.value.to_bits(), value.to_bits(), "{text}");
                assert_eq!(
                    back.best.map(f64::to_bits),
                    best.map(f64::to_bits),
                    "{text}"
                );
            }
        }
        let old: Record = serde_json::from_str(r#"{"value": 0.25, "best": 3}"#).unwrap();
        assert_eq!(
            old,
            Record {
                value: 0.25,
                best: Some(3.0)
            }
        );
        let bad = serde_json::from_str::<Record>(r#"{"value": "fast", "best": null}"#);
        assert!(bad.unwrap_err().to_string().contains("fast"));
    }
}
