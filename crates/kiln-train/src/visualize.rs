//! What a network learned, as pictures: its first layer's filters, and the feature maps each
//! stage makes of one input (the lecture's hierarchical features: edges first, parts later).

use std::path::{Path, PathBuf};

use burn::module::{Module, ModuleVisitor, Param};
use burn::tensor::{Device, Tensor, TensorData};
use kiln_core::{Model, ShapeMismatch};
use kiln_data::{ImageSize, Picture, normalise};
use kiln_draw::{Grid, Tile};

/// The feature maps kept per stage: the strongest channels.
pub const MAPS_PER_STAGE: usize = 32;

/// The first convolution's filters (the model's first 4-D parameter, `[K, D, F, F]`) as one
/// tile of F×F per filter: colour for a 3-deep input, grey for 1 (the channels' mean for
/// another depth). `None` when the model has no 4-D parameter.
pub fn first_filters<M: Module>(model: &M) -> Option<Vec<Tile>> {
    struct First(Option<(Vec<usize>, Vec<f32>)>);
    impl ModuleVisitor for First {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            if D == 4 && self.0.is_none() {
                let tensor = param.val();
                let dims = tensor.dims().to_vec();
                let values = tensor.into_data().iter::<f32>().collect();
                self.0 = Some((dims, values));
            }
        }
    }
    let mut first = First(None);
    model.visit(&mut first);
    let (dims, values) = first.0?;
    let (depth, f_h, f_w) = (dims[1], dims[2], dims[3]);
    let tiles = values
        .chunks(depth * f_h * f_w)
        .map(|filter| Tile::from_planes(filter, f_w, f_h, depth))
        .collect();
    Some(tiles)
}

/// One stage's output for one input: its last layer's name, `[W, H, D]`, and the strongest
/// channels' maps, strongest first, with their mean activations.
#[derive(Clone, Debug, PartialEq)]
pub struct StageMaps {
    /// The top-level layer whose output ends the stage.
    pub layer: String,
    /// The output's `[W, H, D]`.
    pub shape: [usize; 3],
    /// Up to [`MAPS_PER_STAGE`] channels: (channel, mean activation, its W×H map).
    pub maps: Vec<(usize, f32, Tile)>,
}

/// The stages' outputs for a batch `[N, D, H, W]`, and the model's output: a stage ends at
/// the last top-level layer whose output has its width and height (a spatial map wider than
/// 1×1). Returns each stage's last layer's name and output, `[N, D', H', W']`; only those are
/// kept while the model runs.
pub fn stage_outputs<M: Model>(
    model: &M,
    input: Tensor<4>,
) -> Result<(Vec<(String, Tensor<4>)>, Tensor<4>), ShapeMismatch> {
    let mut stages: Vec<(String, Tensor<4>)> = Vec::new();
    let mut last: Option<(String, Tensor<4>)> = None;
    let side = |t: &Tensor<4>| [t.dims()[2], t.dims()[3]];
    let output = model.forward_tapped_tensor(input, &mut |name, x| {
        // The tap before a change of size ends a stage.
        if let Some((_, before)) = &last
            && side(before) != side(x)
            && side(before) != [1, 1]
        {
            stages.extend(last.take());
        }
        last = Some((name.to_string(), x.clone()));
    })?;
    stages.extend(last.filter(|(_, t)| side(t) != [1, 1]));
    Ok((stages, output))
}

/// The stages' outputs for one input `[1, D, H, W]` (see [`stage_outputs`]), each with its
/// channels ranked by their mean activation.
pub fn stage_maps<M: Model>(model: &M, input: Tensor<4>) -> Result<Vec<StageMaps>, ShapeMismatch> {
    let mut stages = Vec::new();
    for (layer, output) in stage_outputs(model, input)?.0 {
        let [_, depth, h, w] = output.dims();
        let data: Vec<f32> = output.into_data().iter::<f32>().collect();
        let plane = w * h;
        let mut ranked: Vec<(usize, f32)> = (0..depth)
            .map(|c| {
                let map = &data[c * plane..(c + 1) * plane];
                (c, map.iter().sum::<f32>() / plane as f32)
            })
            .collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        ranked.truncate(MAPS_PER_STAGE);
        let maps = ranked
            .into_iter()
            .map(|(c, mean)| {
                let tile = Tile::from_planes(&data[c * plane..(c + 1) * plane], w, h, 1);
                (c, mean, tile)
            })
            .collect();
        stages.push(StageMaps {
            layer,
            shape: [w, h, depth],
            maps,
        });
    }
    Ok(stages)
}

/// `picture` as `M`'s input batch of one, normalised with `stats`, and the bytes it became.
pub fn picture_input<M: Model>(
    picture: &Picture,
    stats: (f32, f32),
    device: &Device,
) -> (Tensor<4>, Tile) {
    let [cols, rows, depth] = M::INPUT;
    let bytes = picture.to_input(ImageSize { rows, cols, depth });
    let mut values = Vec::with_capacity(bytes.len());
    normalise(&bytes, stats, &mut values);
    let tensor = Tensor::from_data(TensorData::new(values, [1, depth, rows, cols]), device);
    let planes: Vec<f32> = bytes.iter().map(|&b| b as f32).collect();
    let tile = Tile::from_planes(&planes, cols, rows, depth);
    (tensor, tile)
}

/// Screen pixels per tile pixel that make a tile of `size` pixels about `target` wide.
fn scale_for(size: usize, target: usize) -> usize {
    (target / size.max(1)).max(1)
}

/// Writes `filters.png` (the first layer's filters), `input.png` (the picture as the model
/// sees it) and `stage-N-LAYER.png` (each stage's strongest maps) into `out`; returns the
/// files written with what each holds.
pub fn write_visuals<M: Model>(
    model: &M,
    picture: &Picture,
    stats: (f32, f32),
    device: &Device,
    out: &Path,
) -> Result<Vec<(PathBuf, String)>, String> {
    std::fs::create_dir_all(out).map_err(|e| format!("cannot create {}: {e}", out.display()))?;
    let mut written = Vec::new();
    let mut write = |name: String, grid: Grid, tiles: &[Tile], what: String| {
        let path = out.join(name);
        grid.render(tiles)
            .and_then(|canvas| canvas.write_png(&path))
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
        written.push((path, what));
        Ok::<(), String>(())
    };
    if let Some(filters) = first_filters(model) {
        let (f, count) = (filters[0].width, filters.len());
        let what = format!("the first layer's {count} filters of {f}×{f}");
        let grid = Grid {
            columns: (count as f64).sqrt().ceil() as usize,
            scale: scale_for(f, 36),
            gap: 4,
            title: Some(format!("first layer: {count} filters, {f}×{f}")),
        };
        write("filters.png".into(), grid, &filters, what)?;
    }
    let (input, shown) = picture_input::<M>(picture, stats, device);
    let shown = shown.with_range(0.0, 255.0);
    let [w, h, d] = M::INPUT;
    let grid = Grid {
        columns: 1,
        scale: scale_for(w, 224),
        gap: 4,
        title: Some(format!("input {w}×{h}×{d}")),
    };
    write(
        "input.png".into(),
        grid,
        &[shown],
        format!("the input as the model sees it, {w}×{h}×{d}"),
    )?;
    let stages = stage_maps(model, input).map_err(|e| e.to_string())?;
    for (i, stage) in stages.iter().enumerate() {
        let [w, h, d] = stage.shape;
        let tiles: Vec<Tile> = stage.maps.iter().map(|(_, _, t)| t.clone()).collect();
        let title = format!(
            "stage {} ({}): {w}×{h}×{d}, the {} strongest channels by mean activation",
            i + 1,
            stage.layer,
            tiles.len()
        );
        let grid = Grid {
            columns: 8,
            scale: scale_for(w, 64),
            gap: 3,
            title: Some(title),
        };
        let what = format!(
            "stage {} after {}: {} of {d} maps of {w}×{h}",
            i + 1,
            stage.layer,
            tiles.len()
        );
        write(
            format!("stage-{}-{}.png", i + 1, stage.layer),
            grid,
            &tiles,
            what,
        )?;
    }
    Ok(written)
}
