//! The sizes of one 2-D convolution, and the output size rule they imply.

/// Everything a convolution kernel needs to know about its operands' sizes.
///
/// Padding may differ between the two sides of an axis: kiln lowers `round = ceil` as extra
/// bottom/right zero padding. The output size follows PyTorch's (and kiln-shape's floor) rule,
/// `(in + before + after − dilation·(F − 1) − 1) / stride + 1`.
///
/// # Shapes
/// - input: `[batch, in_channels, in_h, in_w]`
/// - weight: `[out_channels, in_channels, kernel_h, kernel_w]`
/// - output: `[batch, out_channels, out_h, out_w]`
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ConvGeometry {
    /// Images in the batch.
    pub batch: usize,
    /// Input depth.
    pub in_channels: usize,
    /// Input height.
    pub in_h: usize,
    /// Input width.
    pub in_w: usize,
    /// Output depth (number of filters).
    pub out_channels: usize,
    /// Filter height.
    pub kernel_h: usize,
    /// Filter width.
    pub kernel_w: usize,
    /// Stride `[vertical, horizontal]`.
    pub stride: [usize; 2],
    /// Zero padding `[top, bottom, left, right]`.
    pub padding: [usize; 4],
    /// Dilation `[vertical, horizontal]`.
    pub dilation: [usize; 2],
}

impl ConvGeometry {
    /// Output height.
    pub fn out_h(&self) -> usize {
        Self::out_len(
            self.in_h,
            self.padding[0] + self.padding[1],
            self.kernel_h,
            self.stride[0],
            self.dilation[0],
        )
    }

    /// Output width.
    pub fn out_w(&self) -> usize {
        Self::out_len(
            self.in_w,
            self.padding[2] + self.padding[3],
            self.kernel_w,
            self.stride[1],
            self.dilation[1],
        )
    }

    fn out_len(
        input: usize,
        padding: usize,
        filter: usize,
        stride: usize,
        dilation: usize,
    ) -> usize {
        let span = dilation * (filter - 1) + 1;
        (input + padding).saturating_sub(span) / stride + 1
    }

    /// Rows of the column matrix: `in_channels · kernel_h · kernel_w`.
    pub fn patch_len(&self) -> usize {
        self.in_channels * self.kernel_h * self.kernel_w
    }

    /// Output pixels per image and channel: `out_h · out_w`.
    pub fn out_pixels(&self) -> usize {
        self.out_h() * self.out_w()
    }

    /// Input pixels per image and channel: `in_h · in_w`.
    pub fn in_pixels(&self) -> usize {
        self.in_h * self.in_w
    }

    /// Whether the column matrix of an image is the image itself (a 1×1, stride-1, unpadded
    /// convolution), so no im2col copy is needed.
    pub fn is_pointwise(&self) -> bool {
        self.kernel_h == 1 && self.kernel_w == 1 && self.stride == [1, 1] && self.padding == [0; 4]
    }

    /// Input shape `[batch, in_channels, in_h, in_w]`.
    pub fn input_shape(&self) -> [usize; 4] {
        [self.batch, self.in_channels, self.in_h, self.in_w]
    }

    /// Weight shape `[out_channels, in_channels, kernel_h, kernel_w]`.
    pub fn weight_shape(&self) -> [usize; 4] {
        [
            self.out_channels,
            self.in_channels,
            self.kernel_h,
            self.kernel_w,
        ]
    }

    /// Output shape `[batch, out_channels, out_h, out_w]`.
    pub fn output_shape(&self) -> [usize; 4] {
        [self.batch, self.out_channels, self.out_h(), self.out_w()]
    }
}
