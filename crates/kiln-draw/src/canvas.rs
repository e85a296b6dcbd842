//! An RGB canvas for the PNG pictures kiln writes: plotters draws the geometry into it, and
//! labels are set in DejaVu Sans Mono (bundled, so no system fonts are needed), which
//! plotters 0.3 cannot do without a system font library.

use std::io::Write;
use std::path::Path;

use ab_glyph::{Font, FontRef, PxScale, ScaleFont, point};
use plotters::coord::Shift;
use plotters::prelude::{BitMapBackend, DrawingArea, IntoDrawingArea};

static FONT: &[u8] = include_bytes!("../fonts/DejaVuSansMono.ttf");

/// Where a label's anchor point lies on the label.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Anchor {
    /// The anchor is the left end of the label's middle.
    Left,
    /// The anchor is the middle of the label.
    Centre,
    /// The anchor is the right end of the label's middle.
    Right,
}

/// A label to set once the geometry is drawn.
#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    /// The text.
    pub text: String,
    /// The anchor point, in pixels.
    pub at: (i32, i32),
    /// Where the anchor lies on the text (vertically, at its middle).
    pub anchor: Anchor,
    /// The size in pixels.
    pub size: f32,
    /// The colour.
    pub rgb: [u8; 3],
}

impl Label {
    /// A black label.
    pub fn new(text: impl Into<String>, at: (i32, i32), anchor: Anchor, size: f32) -> Self {
        Self {
            text: text.into(),
            at,
            anchor,
            size,
            rgb: [0, 0, 0],
        }
    }
}

/// A white RGB image of `width`×`height` pixels.
#[derive(Debug)]
pub struct Canvas {
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
    /// `height` rows of `width` RGB pixels.
    pub rgb: Vec<u8>,
}

impl Canvas {
    /// A white canvas.
    pub fn new(width: u32, height: u32) -> Self {
        Self {
            width,
            height,
            rgb: vec![255; (width * height * 3) as usize],
        }
    }

    /// Draws with plotters on the whole canvas; `draw` returns the labels to set.
    pub fn draw(
        &mut self,
        draw: impl FnOnce(&DrawingArea<BitMapBackend<'_>, Shift>) -> Result<Vec<Label>, String>,
    ) -> Result<(), String> {
        let labels = {
            let area = BitMapBackend::with_buffer(&mut self.rgb, (self.width, self.height))
                .into_drawing_area();
            let labels = draw(&area)?;
            area.present().map_err(|e| e.to_string())?;
            labels
        };
        let font = FontRef::try_from_slice(FONT).expect("the bundled font parses");
        for label in &labels {
            self.label(&font, label);
        }
        Ok(())
    }

    /// Sets `label`, blending its coverage over what is drawn.
    fn label(&mut self, font: &FontRef<'_>, label: &Label) {
        let scale = PxScale::from(label.size);
        let scaled = font.as_scaled(scale);
        let width: f32 = label
            .text
            .chars()
            .map(|c| scaled.h_advance(scaled.glyph_id(c)))
            .sum();
        let left = match label.anchor {
            Anchor::Left => label.at.0 as f32,
            Anchor::Centre => label.at.0 as f32 - width / 2.0,
            Anchor::Right => label.at.0 as f32 - width,
        };
        let baseline = label.at.1 as f32 + (scaled.ascent() + scaled.descent()) / 2.0;
        let mut caret = left;
        for c in label.text.chars() {
            let id = scaled.glyph_id(c);
            let glyph = id.with_scale_and_position(scale, point(caret, baseline));
            caret += scaled.h_advance(id);
            let Some(outline) = font.outline_glyph(glyph) else {
                continue;
            };
            let bounds = outline.px_bounds();
            outline.draw(|gx, gy, coverage| {
                let x = bounds.min.x as i64 + gx as i64;
                let y = bounds.min.y as i64 + gy as i64;
                if x < 0 || y < 0 || x >= self.width as i64 || y >= self.height as i64 {
                    return;
                }
                let at = ((y as u32 * self.width + x as u32) * 3) as usize;
                for (channel, ink) in self.rgb[at..at + 3].iter_mut().zip(label.rgb) {
                    let old = *channel as f32;
                    *channel = (old + (ink as f32 - old) * coverage.min(1.0)).round() as u8;
                }
            });
        }
    }

    /// Writes the canvas as a PNG file, through a temporary file and a rename.
    pub fn write_png(&self, path: &Path) -> Result<(), String> {
        let tmp = path.with_extension("png.tmp");
        std::fs::write(&tmp, encode_png(self.width, self.height, &self.rgb))
            .map_err(|e| format!("{}: {e}", tmp.display()))?;
        std::fs::rename(&tmp, path).map_err(|e| format!("{}: {e}", path.display()))
    }
}

/// An 8-bit RGB PNG of `rgb` (rows top to bottom, no row filter, zlib-compressed): figures
/// are mostly flat colour, which deflate alone shrinks some fifty-fold.
pub fn encode_png(width: u32, height: u32, rgb: &[u8]) -> Vec<u8> {
    let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    for row in rgb.chunks(width as usize * 3) {
        zlib.write_all(&[0]).expect("writing to memory");
        zlib.write_all(row).expect("writing to memory");
    }
    let data = zlib.finish().expect("writing to memory");
    let mut header = Vec::with_capacity(13);
    header.extend_from_slice(&width.to_be_bytes());
    header.extend_from_slice(&height.to_be_bytes());
    // Bit depth 8, colour type 2 (RGB), deflate, adaptive filtering, no interlace.
    header.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    for (kind, body) in [
        (b"IHDR", &header[..]),
        (b"IDAT", &data[..]),
        (b"IEND", &[][..]),
    ] {
        png.extend_from_slice(&(body.len() as u32).to_be_bytes());
        let mut crc = flate2::Crc::new();
        crc.update(kind);
        crc.update(body);
        png.extend_from_slice(kind);
        png.extend_from_slice(body);
        png.extend_from_slice(&crc.sum().to_be_bytes());
    }
    png
}

/// About `count` round tick values inside `low..=high`: the step of 1, 2 or 5 times a power
/// of ten nearest to (high − low)/count.
pub fn ticks(low: f64, high: f64, count: usize) -> Vec<f64> {
    let span = (high - low).max(1e-12);
    let raw = span / count.max(1) as f64;
    let power = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .min_by(|a, b| (a / raw).ln().abs().total_cmp(&(b / raw).ln().abs()))
        .expect("four candidates");
    let first = (low / step).ceil() as i64;
    let last = (high / step).floor() as i64;
    (first..=last).map(|i| i as f64 * step).collect()
}

/// `value` with as many decimals as `step` needs.
pub fn tick_text(value: f64, step: f64) -> String {
    let decimals = (-step.log10().floor()).max(0.0) as usize;
    format!("{value:.decimals$}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_inside_the_range() {
        assert_eq!(
            ticks(0.0, 1.0, 5),
            vec![0.0, 0.2, 0.4, 0.6000000000000001, 0.8, 1.0]
        );
        assert_eq!(ticks(0.23, 2.4, 4), vec![0.5, 1.0, 1.5, 2.0]);
        assert_eq!(ticks(1.0, 30.0, 6), vec![5.0, 10.0, 15.0, 20.0, 25.0, 30.0]);
        assert_eq!(tick_text(0.6000000000000001, 0.2), "0.6");
        assert_eq!(tick_text(25.0, 5.0), "25");
    }

    #[test]
    fn the_png_decodes_to_the_canvas_pixels() {
        let mut canvas = Canvas::new(37, 5);
        for (i, v) in canvas.rgb.iter_mut().enumerate() {
            *v = (i * 7 % 256) as u8;
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.png");
        canvas.write_png(&path).unwrap();
        // zune-png (through kiln-data) decodes independently of this encoder.
        let picture = kiln_data::read_picture(&path).unwrap();
        assert_eq!(
            (picture.width, picture.height, picture.channels),
            (37, 5, 3)
        );
        assert_eq!(picture.pixels, canvas.rgb);
        assert!(!dir.path().join("f.png.tmp").exists());
    }

    #[test]
    fn a_label_inks_pixels_around_its_anchor_only() {
        let mut canvas = Canvas::new(200, 60);
        let font = FontRef::try_from_slice(FONT).unwrap();
        canvas.label(
            &font,
            &Label::new("kiln 42", (100, 30), Anchor::Centre, 20.0),
        );
        let inked: Vec<(u32, u32)> = (0..60)
            .flat_map(|y| (0..200).map(move |x| (x, y)))
            .filter(|&(x, y)| canvas.rgb[((y * 200 + x) * 3) as usize] < 128)
            .collect();
        assert!(inked.len() > 50, "{} dark pixels", inked.len());
        let (min_x, max_x) = (
            inked.iter().map(|p| p.0).min(),
            inked.iter().map(|p| p.0).max(),
        );
        let (min_y, max_y) = (
            inked.iter().map(|p| p.1).min(),
            inked.iter().map(|p| p.1).max(),
        );
        // Seven monospaced characters of 20 px are about 84 px wide, centred on x = 100.
        assert!(
            min_x.unwrap() >= 50 && max_x.unwrap() <= 150,
            "{min_x:?}..{max_x:?}"
        );
        assert!(
            min_y.unwrap() >= 15 && max_y.unwrap() <= 45,
            "{min_y:?}..{max_y:?}"
        );
    }
}
