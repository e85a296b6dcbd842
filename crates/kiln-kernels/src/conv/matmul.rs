//! A bounds-checked front to the `gemm` crate's matrix product (runtime-dispatched AVX-512,
//! AVX2 or scalar micro-kernels), single-threaded: kiln parallelises over images itself.

/// A read-only matrix view: element `(i, j)` is `data[i·row_stride + j·col_stride]`.
#[derive(Clone, Copy, Debug)]
pub struct MatRef<'a> {
    /// The storage the view reads.
    pub data: &'a [f32],
    /// Number of rows.
    pub rows: usize,
    /// Number of columns.
    pub cols: usize,
    /// Distance between rows, in elements.
    pub row_stride: usize,
    /// Distance between columns, in elements.
    pub col_stride: usize,
}

impl<'a> MatRef<'a> {
    /// A row-major `rows × cols` matrix.
    pub fn row_major(data: &'a [f32], rows: usize, cols: usize) -> Self {
        Self {
            data,
            rows,
            cols,
            row_stride: cols,
            col_stride: 1,
        }
    }

    /// The transpose of the row-major `cols × rows` matrix stored in `data`.
    pub fn transposed(data: &'a [f32], rows: usize, cols: usize) -> Self {
        Self {
            data,
            rows,
            cols,
            row_stride: 1,
            col_stride: rows,
        }
    }

    /// Whether every element the view names lies inside `data`.
    fn fits(&self) -> bool {
        self.rows == 0
            || self.cols == 0
            || (self.rows - 1) * self.row_stride + (self.cols - 1) * self.col_stride
                < self.data.len()
    }
}

/// `dst = lhs · rhs`, or `dst += lhs · rhs` when `accumulate`; `dst` is row-major
/// `lhs.rows × rhs.cols`.
///
/// # Panics
/// When the inner dimensions differ or a view or `dst` is too short for its sizes.
pub fn matmul(dst: &mut [f32], lhs: MatRef<'_>, rhs: MatRef<'_>, accumulate: bool) {
    let (m, k, n) = (lhs.rows, lhs.cols, rhs.cols);
    assert_eq!(rhs.rows, k, "matmul: inner dimensions differ");
    assert!(dst.len() >= m * n, "matmul: destination too short");
    assert!(
        lhs.fits() && rhs.fits(),
        "matmul: a view reaches past its data"
    );
    if m == 0 || n == 0 {
        return;
    }
    if k == 0 {
        if !accumulate {
            dst[..m * n].fill(0.0);
        }
        return;
    }
    // SAFETY: every index gemm reads is (i·row_stride + j·col_stride) for i < rows and
    // j < cols of a view, which `fits` checked lies inside that view's slice; every index it
    // writes is i·n + j < m·n ≤ dst.len(). The strides are below isize::MAX because they index
    // into live slices. `dst` is a unique borrow, so it aliases neither input.
    unsafe {
        gemm::gemm(
            m,
            n,
            k,
            dst.as_mut_ptr(),
            1,
            n as isize,
            accumulate,
            lhs.data.as_ptr(),
            lhs.col_stride as isize,
            lhs.row_stride as isize,
            rhs.data.as_ptr(),
            rhs.col_stride as isize,
            rhs.row_stride as isize,
            1.0,
            1.0,
            false,
            false,
            false,
            gemm::Parallelism::None,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive(lhs: MatRef<'_>, rhs: MatRef<'_>) -> Vec<f32> {
        let mut out = vec![0.0; lhs.rows * rhs.cols];
        for i in 0..lhs.rows {
            for j in 0..rhs.cols {
                out[i * rhs.cols + j] = (0..lhs.cols)
                    .map(|p| {
                        lhs.data[i * lhs.row_stride + p * lhs.col_stride]
                            * rhs.data[p * rhs.row_stride + j * rhs.col_stride]
                    })
                    .sum();
            }
        }
        out
    }

    #[test]
    fn matches_the_naive_product_in_every_layout_and_accumulates() {
        let a: Vec<f32> = (0..7 * 5).map(|i| (i % 13) as f32 - 6.0).collect();
        let b: Vec<f32> = (0..5 * 9).map(|i| (i % 7) as f32 * 0.5 - 1.0).collect();
        // The same sizes, read through transposed views of 5×7 and 9×5 storage.
        let (a_t, b_t): (Vec<f32>, Vec<f32>) = (
            (0..5 * 7).map(|i| (i % 11) as f32 - 4.0).collect(),
            (0..9 * 5).map(|i| (i % 5) as f32 * 0.25).collect(),
        );
        for (lhs, rhs) in [
            (MatRef::row_major(&a, 7, 5), MatRef::row_major(&b, 5, 9)),
            (
                MatRef::transposed(&a_t, 7, 5),
                MatRef::transposed(&b_t, 5, 9),
            ),
        ] {
            let want = naive(lhs, rhs);
            let mut got = vec![f32::NAN; want.len()];
            matmul(&mut got, lhs, rhs, false);
            assert_eq!(got, want);
            matmul(&mut got, lhs, rhs, true);
            let twice: Vec<f32> = want.iter().map(|v| 2.0 * v).collect();
            assert_eq!(got, twice);
        }
    }

    #[test]
    #[should_panic(expected = "reaches past its data")]
    fn a_view_longer_than_its_data_is_refused() {
        let a = [1.0; 6];
        let mut dst = [0.0; 4];
        matmul(
            &mut dst,
            MatRef::row_major(&a, 2, 4),
            MatRef::row_major(&a, 4, 2),
            false,
        );
    }
}
