//! Each thread's padded source and staging rows, kept between calls and cleared once per
//! parallel task rather than once per image.

use std::cell::RefCell;

thread_local! {
    /// The buffers of the thread's last task, kept for its next one.
    static STORE: RefCell<(Vec<f32>, Vec<f32>)> = const { RefCell::new((Vec::new(), Vec::new())) };
}

/// One parallel task's buffers: taken from the thread's store when the task starts, cleared
/// to zeros once, and given back when it ends.
///
/// Every image of a call writes the same positions of the padded source (its pixels) and of
/// the staged gradient rows (its output pixels), so the zeros around them stay zeros from one
/// image to the next: only the task's first image needs them cleared. Clearing per image
/// cost as much as a third of an input-gradient pass's copying.
#[derive(Debug)]
pub(super) struct Scratch {
    /// Padded (and phase-split) source planes.
    pub(super) source: Vec<f32>,
    /// Staging rows: tile outputs, or a weight gradient's output-gradient rows.
    pub(super) staged: Vec<f32>,
}

impl Scratch {
    /// The thread's buffers, holding `source` and `staged` zeros.
    pub(super) fn zeroed(source: usize, staged: usize) -> Self {
        let (mut buffers, mut rows) = STORE.with(|store| std::mem::take(&mut *store.borrow_mut()));
        clear(&mut buffers, source);
        clear(&mut rows, staged);
        Self {
            source: buffers,
            staged: rows,
        }
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let buffers = (
            std::mem::take(&mut self.source),
            std::mem::take(&mut self.staged),
        );
        STORE.with(|store| *store.borrow_mut() = buffers);
    }
}

/// Clears `buffer` to `len` zeros.
fn clear(buffer: &mut Vec<f32>, len: usize) {
    buffer.clear();
    buffer.resize(len, 0.0);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_task_gets_zeros_whatever_the_last_one_left() {
        let mut first = Scratch::zeroed(8, 4);
        first.source.fill(3.0);
        first.staged.fill(5.0);
        drop(first);
        let second = Scratch::zeroed(6, 10);
        assert_eq!(second.source, vec![0.0; 6]);
        assert_eq!(second.staged, vec![0.0; 10]);
    }

    #[test]
    fn a_nested_task_gets_buffers_of_its_own() {
        let mut outer = Scratch::zeroed(4, 0);
        outer.source.fill(1.0);
        let inner = Scratch::zeroed(4, 0);
        assert_eq!(inner.source, vec![0.0; 4]);
        drop(inner);
        assert_eq!(outer.source, vec![1.0; 4]);
    }
}
