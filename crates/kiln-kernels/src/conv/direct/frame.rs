//! Where a direct convolution's taps read: the padded, phase-split planes of one image, and
//! the weights packed for the register tiles.

use std::mem::MaybeUninit;

use super::super::{ConvGeometry, Epilogue};
use crate::wide::widest;

/// Where a convolution's taps read in the padded (and, when strided, phase-split) planes of
/// one image.
#[derive(Debug)]
pub(super) struct Frame {
    /// Stride `[vertical, horizontal]`: phases per axis.
    stride: [usize; 2],
    /// Columns per row of a phase plane (of the padded plane when stride 1).
    pub(super) row: usize,
    /// Floats per phase plane.
    phase: usize,
    /// Floats per channel: all its phase planes.
    pub(super) plane: usize,
    /// Where each input row starts in its channel's planes: input row y is row (y + top) / sh
    /// of phase row (y + top) mod sh, column 0.
    row_starts: Vec<usize>,
    /// Each tap's offset from the output pixel's position, in the weight's (kh, kw) order.
    pub(super) offsets: Vec<usize>,
    /// Positions computed per output plane, rounded up to whole tiles.
    pub(super) width: usize,
}

impl Frame {
    /// The frame of `g`, computing `tile` positions (whole registers) at a time.
    pub(super) fn of(g: &ConvGeometry, tile: usize) -> Self {
        let [sh, sw] = g.stride;
        let row = (g.in_w + g.padding[2] + g.padding[3]).div_ceil(sw);
        let phase = (g.in_h + g.padding[0] + g.padding[1]).div_ceil(sh) * row;
        let mut offsets = Vec::with_capacity(g.kernel_h * g.kernel_w);
        for kh in 0..g.kernel_h {
            for kw in 0..g.kernel_w {
                let (dy, dx) = (kh * g.dilation[0], kw * g.dilation[1]);
                offsets.push(((dy % sh) * sw + dx % sw) * phase + (dy / sh) * row + dx / sw);
            }
        }
        let span = (g.out_h() - 1) * row + g.out_w();
        let top = g.padding[0];
        Self {
            stride: g.stride,
            row,
            phase,
            plane: sh * sw * phase,
            row_starts: (top..top + g.in_h)
                .map(|y| (y % sh) * sw * phase + (y / sh) * row)
                .collect(),
            offsets,
            width: span.next_multiple_of(tile),
        }
    }

    /// Floats of one padded image of `channels` planes, with zeros after the last plane so
    /// that every tile's reads stay inside.
    pub(super) fn padded_len(&self, channels: usize) -> usize {
        channels * self.plane + self.width + self.offsets.iter().copied().max().unwrap_or(0)
    }

    /// Writes `image` (`[channels, in_h, in_w]`) into the zeroed `dst` as padded planes, each
    /// split into its stride's phases.
    pub(super) fn pad(&self, g: &ConvGeometry, image: &[f32], dst: &mut [f32]) {
        widest(
            #[inline(always)]
            || self.pad_in(g, image, dst),
        )
    }

    /// [`Frame::pad`], inlined into its caller's instruction set.
    #[inline(always)]
    fn pad_in(&self, g: &ConvGeometry, image: &[f32], dst: &mut [f32]) {
        let sw = self.stride[1];
        let left = g.padding[2];
        for (plane, src) in dst
            .chunks_exact_mut(self.plane)
            .zip(image.chunks_exact(g.in_pixels()))
        {
            for (&start, src) in self.row_starts.iter().zip(src.chunks_exact(g.in_w)) {
                let line = &mut plane[start..];
                match sw {
                    1 => copy_row(&mut line[left..][..g.in_w], src),
                    2 => split_row::<2>(src, left, line, self.phase),
                    3 => split_row::<3>(src, left, line, self.phase),
                    _ => {
                        for (x, &v) in (left..).zip(src) {
                            line[(x % sw) * self.phase + x / sw] = v;
                        }
                    }
                }
            }
        }
    }

    /// Writes the output planes `dy` (`[channels, out_h, out_w]`) into the zeroed `dst` as
    /// rows of `width` positions (zero outside the output pixels).
    pub(super) fn stage(&self, g: &ConvGeometry, dy: &[f32], dst: &mut [f32]) {
        copy_rows(dy, [g.out_h(), g.out_w()], dst, [self.width, self.row], 0);
    }

    /// Reads the output pixels of staged rows back into `out` (`[channels, out_h, out_w]`)
    /// through `epilogue` (each channel's bias, folded batch norm, ReLU), and returns how many elements of `out` it wrote: all of
    /// them, or it panics.
    ///
    /// # Panics
    /// When `staged` holds fewer than `channels` rows of `width`.
    pub(super) fn unstage(
        &self,
        g: &ConvGeometry,
        staged: &[f32],
        epilogue: Epilogue<'_>,
        out: &mut [MaybeUninit<f32>],
    ) -> usize {
        let (out_w, pixels) = (g.out_w(), g.out_pixels());
        assert!(
            out.len().is_multiple_of(pixels) && staged.len() / self.width >= out.len() / pixels,
            "direct conv: fewer staged rows than output planes"
        );
        let mut written = 0;
        for (m, (plane, staged)) in out
            .chunks_exact_mut(pixels)
            .zip(staged.chunks_exact(self.width))
            .enumerate()
        {
            let map = epilogue.channel(m);
            for (y, dst) in plane.chunks_exact_mut(out_w).enumerate() {
                for (d, &s) in dst.iter_mut().zip(&staged[y * self.row..][..out_w]) {
                    d.write(map(s));
                }
                written += out_w;
            }
        }
        written
    }
}

/// Splits one input row `src`, whose first pixel is padded column `left`, into the rows of
/// the `S` horizontal phases: padded column x goes to position x / S of phase x mod S, whose
/// row starts at `line[(x mod S) · phase]`. One pass over groups of `S` columns, which the
/// compiler vectorises with shuffles: a strided loop per phase cost as much as the stride-2
/// forward tiles themselves.
///
/// # Panics
/// When `line` is too short for the phases' rows.
fn split_row<const S: usize>(src: &[f32], left: usize, line: &mut [f32], phase: usize) {
    let groups = src.len() / S;
    let mut phases = line.chunks_mut(phase);
    let mut rows: [Option<&mut [f32]>; S] = std::array::from_fn(|_| phases.next());
    // Column k·S + b of `src` is padded column k·S + b + left: phase (b + left) mod S, at
    // position k + (b + left) / S.
    let outs: [&mut [f32]; S] = std::array::from_fn(|b| {
        let row = rows[(b + left) % S].take().unwrap_or_default();
        let first = (b + left) / S;
        &mut row[first..first + groups + usize::from(b < src.len() % S)]
    });
    let [head, tail] = [&src[..groups * S], &src[groups * S..]];
    for k in 0..groups {
        for b in 0..S {
            outs[b][k] = head[k * S + b];
        }
    }
    for (b, &v) in tail.iter().enumerate() {
        outs[b][groups] = v;
    }
}

/// Copies planes of `h × w` pixels from `src` into `dst`, whose planes are `plane` floats
/// apart with rows `row` apart, pixel (0, 0) of each at `first`; `dst` is left as it was
/// elsewhere.
///
/// # Shapes
/// - `src`: `[planes, h, w]`; `dst`: at least `planes` planes of `[plane, row] = layout`
pub(super) fn copy_rows(
    src: &[f32],
    [h, w]: [usize; 2],
    dst: &mut [f32],
    [plane, row]: [usize; 2],
    first: usize,
) {
    widest(
        #[inline(always)]
        || {
            for (dst, src) in dst.chunks_exact_mut(plane).zip(src.chunks_exact(h * w)) {
                for (y, src) in src.chunks_exact(w).enumerate() {
                    copy_row(&mut dst[first + y * row..][..w], src);
                }
            }
        },
    )
}

/// Copies `src` into `dst` (as long) in moves of a fixed size, the last one overlapping the
/// one before, inlined: the rows kiln pads are 7 to 32 floats, and a call of `memcpy` per
/// row (what `copy_from_slice` compiles to for a length known only at run time) held 4.5 %
/// of a ResNet-20 training step's samples, in the call and in its dispatch on the size; the
/// inlined copies (in the widest registers) hold about half of that.
///
/// # Panics
/// When the lengths differ.
#[inline(always)]
fn copy_row(dst: &mut [f32], src: &[f32]) {
    assert_eq!(dst.len(), src.len(), "copy_row: lengths differ");
    let n = src.len();
    match n {
        16.. => {
            let (whole, _) = src.as_chunks::<16>();
            for (d, s) in dst.as_chunks_mut::<16>().0.iter_mut().zip(whole) {
                *d = *s;
            }
            if !n.is_multiple_of(16) {
                copy_block::<16>(dst, src, n - 16);
            }
        }
        8..16 => {
            copy_block::<8>(dst, src, 0);
            copy_block::<8>(dst, src, n - 8);
        }
        4..8 => {
            copy_block::<4>(dst, src, 0);
            copy_block::<4>(dst, src, n - 4);
        }
        _ => dst.iter_mut().zip(src).for_each(|(d, s)| *d = *s),
    }
}

/// Copies the `K` values of `src` from `at` into `dst`, as one move of a fixed size.
#[inline(always)]
fn copy_block<const K: usize>(dst: &mut [f32], src: &[f32], at: usize) {
    let block: [f32; K] = src[at..at + K].try_into().expect("K values");
    dst[at..at + K].copy_from_slice(&block);
}

/// The weights `[out_channels, patch]` regrouped into blocks of `rows` output channels, tap
/// by tap: `[blocks, patch, rows]`, zero past the last channel.
pub(super) fn pack(weight: &[f32], out_channels: usize, patch: usize, rows: usize) -> Vec<f32> {
    let blocks = out_channels.div_ceil(rows);
    let mut packed = vec![0.0; blocks * patch * rows];
    for (m, filter) in weight.chunks_exact(patch).enumerate() {
        let block = &mut packed[(m / rows) * patch * rows..][..patch * rows];
        for (k, &v) in filter.iter().enumerate() {
            block[k * rows + m % rows] = v;
        }
    }
    packed
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every row length, on every instruction set, copies exactly its values and nothing
    /// around them.
    #[test]
    fn copy_row_copies_every_length_and_nothing_else() {
        for n in 0..70 {
            let src: Vec<f32> = (0..n).map(|i| i as f32 + 0.5).collect();
            let mut dst = vec![-1.0f32; n + 6];
            widest(|| copy_row(&mut dst[3..3 + n], &src));
            assert_eq!(&dst[3..3 + n], &src[..], "length {n}");
            assert!(dst[..3].iter().chain(&dst[3 + n..]).all(|&v| v == -1.0));
        }
    }
}
