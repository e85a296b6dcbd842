//! im2col and its adjoint col2im for one image in NCHW layout.
//!
//! The column matrix of an image has one row per filter tap `(c, kh, kw)`, in the weight's
//! `[in_channels, kernel_h, kernel_w]` order, and one column per output pixel, row-major: a
//! convolution is then `weight[K × C·F·F] · col[C·F·F × out_h·out_w]`, whose result is the
//! image's output planes in NCHW order.

use super::ConvGeometry;

/// The output columns `x` (of `out_len`) whose input column `x·stride + offset − pad` falls in
/// `0..len`, as a half-open range.
fn valid_outputs(
    out_len: usize,
    stride: usize,
    offset: usize,
    pad: usize,
    len: usize,
) -> (usize, usize) {
    let lo = if pad > offset {
        (pad - offset).div_ceil(stride)
    } else {
        0
    };
    let hi = if len + pad > offset {
        (len + pad - offset).div_ceil(stride)
    } else {
        0
    };
    (lo.min(out_len), hi.min(out_len).max(lo.min(out_len)))
}

/// One filter tap `(c, kh, kw)`: its row of the column matrix, and which outputs read inside
/// the input.
struct Tap {
    /// Row of the column matrix (`(c·kh_len + kh)·kw_len + kw`).
    row: usize,
    /// Offset of channel `c`'s plane in the image.
    plane: usize,
    /// Output rows `y_lo..y_hi` read input rows; the others read padding.
    rows: (usize, usize),
    /// Output columns `x_lo..x_hi` read input columns; the others read padding.
    cols: (usize, usize),
    /// Input row read by output row `y_lo`.
    first_row: usize,
    /// Input column read by output column `x_lo`.
    first_col: usize,
}

/// Calls `visit` for every filter tap, in column-matrix row order.
fn for_each_tap(g: &ConvGeometry, mut visit: impl FnMut(&Tap)) {
    let (out_h, out_w) = (g.out_h(), g.out_w());
    let [sh, sw] = g.stride;
    let [dh, dw] = g.dilation;
    let (pad_top, pad_left) = (g.padding[0], g.padding[2]);
    let mut row = 0;
    for c in 0..g.in_channels {
        for kh in 0..g.kernel_h {
            let rows = valid_outputs(out_h, sh, kh * dh, pad_top, g.in_h);
            for kw in 0..g.kernel_w {
                let cols = valid_outputs(out_w, sw, kw * dw, pad_left, g.in_w);
                visit(&Tap {
                    row,
                    plane: c * g.in_pixels(),
                    rows,
                    cols,
                    first_row: (rows.0 * sh + kh * dh).saturating_sub(pad_top),
                    first_col: (cols.0 * sw + kw * dw).saturating_sub(pad_left),
                });
                row += 1;
            }
        }
    }
}

/// Writes the column matrix of `image` (`[in_channels, in_h, in_w]`) into `col`
/// (`[patch_len, out_h·out_w]`); padded taps are zero.
pub fn im2col(g: &ConvGeometry, image: &[f32], col: &mut [f32]) {
    let (out_w, pixels) = (g.out_w(), g.out_pixels());
    let [sh, sw] = g.stride;
    assert_eq!(image.len(), g.in_channels * g.in_pixels());
    assert_eq!(col.len(), g.patch_len() * pixels);
    for_each_tap(g, |tap| {
        let out = &mut col[tap.row * pixels..][..pixels];
        let ((y_lo, y_hi), (x_lo, x_hi)) = (tap.rows, tap.cols);
        if y_lo >= y_hi || x_lo >= x_hi {
            out.fill(0.0);
            return;
        }
        out[..y_lo * out_w].fill(0.0);
        out[y_hi * out_w..].fill(0.0);
        for (i, y) in (y_lo..y_hi).enumerate() {
            let out = &mut out[y * out_w..][..out_w];
            out[..x_lo].fill(0.0);
            out[x_hi..].fill(0.0);
            let src = &image[tap.plane + (tap.first_row + i * sh) * g.in_w + tap.first_col..];
            let out = &mut out[x_lo..x_hi];
            if sw == 1 {
                out.copy_from_slice(&src[..out.len()]);
            } else {
                for (o, s) in out.iter_mut().zip(src.iter().step_by(sw)) {
                    *o = *s;
                }
            }
        }
    });
}

/// Adds the column matrix `col` back onto `image`: the adjoint of [`im2col`], so each input
/// pixel receives the sum over every tap that read it. `image` is not cleared first.
pub fn col2im(g: &ConvGeometry, col: &[f32], image: &mut [f32]) {
    let (out_w, pixels) = (g.out_w(), g.out_pixels());
    let [sh, sw] = g.stride;
    assert_eq!(image.len(), g.in_channels * g.in_pixels());
    assert_eq!(col.len(), g.patch_len() * pixels);
    for_each_tap(g, |tap| {
        let ((y_lo, y_hi), (x_lo, x_hi)) = (tap.rows, tap.cols);
        if y_lo >= y_hi || x_lo >= x_hi {
            return;
        }
        for (i, y) in (y_lo..y_hi).enumerate() {
            let src = &col[tap.row * pixels + y * out_w..][x_lo..x_hi];
            let dst = &mut image[tap.plane + (tap.first_row + i * sh) * g.in_w + tap.first_col..];
            if sw == 1 {
                for (d, s) in dst.iter_mut().zip(src) {
                    *d += *s;
                }
            } else {
                for (d, s) in dst.iter_mut().step_by(sw).zip(src) {
                    *d += *s;
                }
            }
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn geometry(h: usize, w: usize, f: usize, s: usize, p: [usize; 4], d: usize) -> ConvGeometry {
        ConvGeometry {
            batch: 1,
            in_channels: 2,
            in_h: h,
            in_w: w,
            out_channels: 1,
            kernel_h: f,
            kernel_w: f,
            stride: [s, s],
            padding: p,
            dilation: [d, d],
        }
    }

    /// The definition, one element at a time.
    fn naive_im2col(g: &ConvGeometry, image: &[f32]) -> Vec<f32> {
        let (oh, ow) = (g.out_h(), g.out_w());
        let mut col = Vec::new();
        for c in 0..g.in_channels {
            for kh in 0..g.kernel_h {
                for kw in 0..g.kernel_w {
                    for y in 0..oh {
                        for x in 0..ow {
                            let r = (y * g.stride[0] + kh * g.dilation[0]) as isize
                                - g.padding[0] as isize;
                            let q = (x * g.stride[1] + kw * g.dilation[1]) as isize
                                - g.padding[2] as isize;
                            let inside = (0..g.in_h as isize).contains(&r)
                                && (0..g.in_w as isize).contains(&q);
                            col.push(if inside {
                                image[(c * g.in_h + r as usize) * g.in_w + q as usize]
                            } else {
                                0.0
                            });
                        }
                    }
                }
            }
        }
        col
    }

    #[test]
    fn im2col_matches_the_definition_and_col2im_is_its_adjoint() {
        for (h, w, f, s, p, d) in [
            (5, 7, 3, 1, [1, 1, 1, 1], 1),
            (6, 6, 3, 2, [1, 2, 0, 3], 1),
            (7, 5, 2, 3, [0, 0, 0, 0], 1),
            (9, 8, 3, 2, [2, 2, 2, 2], 2),
            (3, 3, 3, 1, [3, 3, 3, 3], 1),
        ] {
            let g = geometry(h, w, f, s, p, d);
            let image: Vec<f32> = (0..2 * h * w).map(|i| i as f32 * 0.5 - 3.0).collect();
            let mut col = vec![f32::NAN; g.patch_len() * g.out_pixels()];
            im2col(&g, &image, &mut col);
            assert_eq!(col, naive_im2col(&g, &image), "im2col {g:?}");
            // <im2col(x), c> = <x, col2im(c)> for any c.
            let c: Vec<f32> = (0..col.len())
                .map(|i| ((i * 7) % 11) as f32 - 5.0)
                .collect();
            let mut back = vec![0.0; image.len()];
            col2im(&g, &c, &mut back);
            let lhs: f64 = col
                .iter()
                .zip(&c)
                .map(|(a, b)| (*a as f64) * (*b as f64))
                .sum();
            let rhs: f64 = image
                .iter()
                .zip(&back)
                .map(|(a, b)| (*a as f64) * (*b as f64))
                .sum();
            assert!(
                (lhs - rhs).abs() < 1e-6 * lhs.abs().max(1.0),
                "col2im {g:?}"
            );
        }
    }
}
