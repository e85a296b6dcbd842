//! What a forward convolution does to each sum as it writes it: a bias, or an inference-mode
//! batch norm folded in, and the ReLU after it, with no pass over the output of their own.

use crate::activation::relu_of;

/// Per output channel `m`, each sum `s` is written as `scale[m]·s + shift[m]`, then through
/// ReLU when `relu`: a convolution's bias is `shift` alone; an inference-mode batch norm after
/// it is `scale = γ/√(var + ε)` and `shift = β − mean·scale` (plus `scale·bias`). A missing
/// `scale` is 1 and a missing `shift` 0, so a plain bias gives exactly `s + bias[m]`.
///
/// # Shapes
/// - `scale`, `shift`: `[out_channels]`
#[derive(Clone, Copy, Debug, Default)]
pub struct Epilogue<'a> {
    /// Per output channel factor (1 when `None`).
    pub scale: Option<&'a [f32]>,
    /// Per output channel addend (0 when `None`).
    pub shift: Option<&'a [f32]>,
    /// Whether ReLU follows (NaN stays NaN).
    pub relu: bool,
}

impl<'a> Epilogue<'a> {
    /// A convolution's bias, or nothing.
    pub fn bias(bias: Option<&'a [f32]>) -> Self {
        Self {
            shift: bias,
            ..Self::default()
        }
    }

    /// Whether it writes every sum as it is.
    pub fn is_identity(&self) -> bool {
        self.scale.is_none() && self.shift.is_none() && !self.relu
    }

    /// Checks that `scale` and `shift` hold one value per output channel.
    ///
    /// # Panics
    /// When one is present with another length.
    pub fn check(&self, channels: usize) {
        for (name, values) in [("scale", self.scale), ("shift", self.shift)] {
            assert!(
                values.is_none_or(|v| v.len() == channels),
                "conv epilogue: {name} holds {} values for {channels} output channels",
                values.map_or(0, <[f32]>::len)
            );
        }
    }

    /// The map of output channel `m`'s sums.
    pub fn channel(&self, m: usize) -> impl Fn(f32) -> f32 + Copy + use<> {
        let a = self.scale.map_or(1.0, |s| s[m]);
        let c = self.shift.map_or(0.0, |s| s[m]);
        let relu = self.relu;
        move |s| {
            let v = a * s + c;
            if relu { relu_of(v) } else { v }
        }
    }

    /// Applies the map in place to `out`, planes of `pixels` values, channel after channel
    /// (`[batch, out_channels, pixels]`).
    pub fn apply(&self, out: &mut [f32], channels: usize, pixels: usize) {
        if self.is_identity() {
            return;
        }
        for (i, plane) in out.chunks_exact_mut(pixels).enumerate() {
            let map = self.channel(i % channels);
            plane.iter_mut().for_each(|v| *v = map(*v));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A plain bias adds it, bit for bit; scale, shift and ReLU compose as documented, and NaN
    /// passes the ReLU.
    #[test]
    fn maps_compose_as_documented() {
        let bias = [0.25f32, -3.0];
        let plain = Epilogue::bias(Some(&bias));
        assert_eq!(plain.channel(1)(1.1).to_bits(), (1.1f32 - 3.0).to_bits());
        assert!(Epilogue::bias(None).is_identity());
        let (scale, shift) = ([2.0f32, -1.0], [1.0f32, 0.5]);
        let folded = Epilogue {
            scale: Some(&scale),
            shift: Some(&shift),
            relu: true,
        };
        assert_eq!(folded.channel(0)(3.0), 7.0);
        assert_eq!(folded.channel(0)(-3.0), 0.0);
        assert_eq!(folded.channel(1)(3.0), 0.0);
        assert!(folded.channel(1)(f32::NAN).is_nan());
        let mut out = vec![1.0, 2.0, 3.0, 4.0, -1.0, -2.0, 1.0, 1.0];
        folded.apply(&mut out, 2, 2);
        assert_eq!(out, [3.0, 5.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]);
    }

    #[test]
    #[should_panic(expected = "scale holds 1 values for 2 output channels")]
    fn a_short_scale_is_refused() {
        Epilogue {
            scale: Some(&[1.0]),
            ..Epilogue::default()
        }
        .check(2);
    }
}
