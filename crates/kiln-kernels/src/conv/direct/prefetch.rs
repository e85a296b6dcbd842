//! Pulling the next image into the L2 cache while the tiles compute the current one.
//!
//! A training step's activations are megabytes, read from L3 or memory; copying an image into
//! its padded frame took a tenth of a forward pass and a fifth of a weight-gradient pass on
//! the Xeon (the tiles meanwhile leave the memory idle). Prefetching the next image's cache
//! lines, a few between tiles, overlaps that read with the arithmetic.

use std::arch::x86_64::{_MM_HINT_T1, _mm_prefetch};

/// `f32`s per 64-byte cache line.
const LINE: usize = 16;

/// The cache lines of upcoming data, prefetched a share at a time.
#[derive(Debug)]
pub(super) struct Prefetch<'a> {
    /// The data to prefetch.
    data: &'a [f32],
    /// The index of the next line's first float.
    next: usize,
    /// Lines per [`Prefetch::step`].
    per_step: usize,
}

impl<'a> Prefetch<'a> {
    /// Prefetches all of `data` in `steps` calls of [`Prefetch::step`].
    pub(super) fn new(data: &'a [f32], steps: usize) -> Self {
        Self {
            data,
            next: 0,
            per_step: data.len().div_ceil(LINE).div_ceil(steps.max(1)),
        }
    }

    /// Prefetches the next share of lines into the L2 cache.
    pub(super) fn step(&mut self) {
        for _ in 0..self.per_step {
            let Some(v) = self.data.get(self.next) else {
                return;
            };
            // SAFETY: a prefetch is a hint that never faults, and `v` is a valid reference;
            // SSE, which has the instruction, is part of x86_64.
            unsafe { _mm_prefetch::<_MM_HINT_T1>(std::ptr::from_ref(v).cast()) };
            self.next += LINE;
        }
    }

    /// Whether every line has been prefetched.
    #[cfg(test)]
    fn done(&self) -> bool {
        self.next >= self.data.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_steps_reach_every_line_and_stop_at_the_end() {
        let data = vec![1.0; 160 * LINE - 3]; // 160 lines, the last one short
        let mut prefetch = Prefetch::new(&data, 10);
        for _ in 0..9 {
            prefetch.step();
        }
        assert!(!prefetch.done(), "9 of 10 steps leave lines");
        prefetch.step();
        assert!(prefetch.done());
        for _ in 0..5 {
            prefetch.step(); // past the end: nothing, no panic
        }
        assert_eq!(prefetch.next, 160 * LINE);
    }
}
