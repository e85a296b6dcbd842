//! Memory estimates from a model's counts, all in 32-bit floats: what the summary prints and
//! what a compile-time budget assertion (`const _: () = assert!(Net::training_bytes(128) <
//! …)`) checks.

/// Bytes of one value (`f32`).
pub const FLOAT_BYTES: usize = 4;

/// Bytes of `params` trainable parameters and `buffers` non-trainable values (batch-norm
/// running statistics).
pub const fn param_bytes(params: usize, buffers: usize) -> usize {
    (params + buffers) * FLOAT_BYTES
}

/// Bytes to run inference at batch `batch`: the parameters and buffers, and per example the
/// most activation values alive at once (`peak`: a layer's input and output, with the inputs
/// residual blocks keep for their shortcuts).
pub const fn inference_bytes(params: usize, buffers: usize, peak: usize, batch: usize) -> usize {
    param_bytes(params, buffers) + batch * peak * FLOAT_BYTES
}

/// Bytes to train at batch `batch` with SGD and momentum: the parameters, their gradients and
/// their momentum (three copies), the buffers, and per example every layer's output kept for
/// the backward pass (`activations`) plus the widest point's gradients (`peak`). Adam keeps
/// one copy of the parameters more.
pub const fn training_bytes(
    params: usize,
    buffers: usize,
    activations: usize,
    peak: usize,
    batch: usize,
) -> usize {
    (3 * params + buffers + batch * (activations + peak)) * FLOAT_BYTES
}

/// The largest of `values` (0 when there are none): a model's peak over its layers.
pub const fn largest(values: &[usize]) -> usize {
    let (mut i, mut max) = (0, 0);
    while i < values.len() {
        if values[i] > max {
            max = values[i];
        }
        i += 1;
    }
    max
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_estimates_add_their_parts_in_bytes() {
        assert_eq!(param_bytes(10, 2), 48);
        // 10 params, 2 buffers, peak 5 values, batch 3: (12 + 15) · 4.
        assert_eq!(inference_bytes(10, 2, 5, 3), 108);
        // 3 · 10 + 2 + 3 · (20 + 5) = 107 values.
        assert_eq!(training_bytes(10, 2, 20, 5, 3), 428);
        assert_eq!(largest(&[3, 9, 4]), 9);
        assert_eq!(largest(&[]), 0);
    }
}
