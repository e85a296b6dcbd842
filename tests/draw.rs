//! Architecture drawings: their geometry follows the compile-time shapes (box sizes by the
//! scales, every layer named once, one arc per residual block, one fork per concatenation,
//! rounding framed), and the SVG and PNG files hold the same picture.

use kiln::draw::{Diagram, Scale};
use kiln::models::{AlexNetPaper, GoogLeNet, ResNet18, ResNet20, Vgg16};
use kiln::{Draw, Model, Role};

kiln::model! {
    /// The README's model: batch norm and ReLU fold into the boxes' captions, and the second
    /// convolution floors 7.5 to 7.
    pub struct Tiny {
        input: [28, 28, 1],
        conv1: conv(32, 3, pad = 1),
        bn1: batch_norm,
        relu,
        pool1: max_pool(2),
        conv2: conv(64, 3, stride = 2, pad = 1, round = floor),
        relu,
        flatten,
        fc: linear(10),
    }
}

kiln::model! {
    /// Element-wise layers at the start of the model and of a block, a projection shortcut
    /// and two branches, one of them nested in a residual block.
    pub struct Mixed {
        input: [12, 12, 2],
        bn0: batch_norm,
        conv: conv(4, 3, pad = 1),
        block: residual {
            bn: batch_norm,
            relu,
            conv: conv(8, 3, stride = 2, pad = 1, round = floor),
        } shortcut { proj: conv(8, 1, stride = 2, round = floor) },
        cat: concat {
            left { a: conv(3, 1) },
            right { b: conv(5, 3, pad = 1), relu, inner: residual { c: conv(5, 3, pad = 1) } },
        },
        flatten,
        fc: linear(3),
    }
}

/// Every row of `M`'s summary is named exactly once: in a caption, or on an arc (shortcuts).
fn names_every_row_once<M: Model>(diagram: &Diagram) {
    let summary = M::summary();
    let mut seen = vec![0; summary.rows.len()];
    for caption in &diagram.captions {
        caption.rows.iter().for_each(|&r| seen[r] += 1);
    }
    for arc in &diagram.arcs {
        arc.shortcut.iter().for_each(|&r| seen[r] += 1);
    }
    for (row, count) in summary.rows.iter().zip(&seen) {
        assert_eq!(*count, 1, "{} named {count} times", row.name);
    }
    assert_eq!(
        diagram.captions.len(),
        diagram.volumes.len(),
        "a caption per box"
    );
}

/// Each box's sizes are the scales' pixels for its shape: height H, oblique edge W and width
/// D, or for a 1×1×D vector a bar whose height follows D.
fn boxes_follow_the_shapes(diagram: &Diagram) {
    for v in &diagram.volumes {
        let [w, h, d] = v.shape;
        if [w, h] == [1, 1] {
            assert_eq!(v.depth, 0.0, "{:?}", v.shape);
            let want = diagram.depth.px(d) / diagram.depth.px(max(diagram.depth)) * 110.0;
            assert!((v.height - want.max(2.0)).abs() < 1e-3, "{v:?}");
        } else {
            assert!(
                (v.height - diagram.spatial.px(h).max(2.0)).abs() < 1e-3,
                "{v:?}"
            );
            assert!(
                (v.depth - diagram.spatial.px(w).max(2.0)).abs() < 1e-3,
                "{v:?}"
            );
            assert!(
                (v.width - diagram.depth.px(d).max(2.0)).abs() < 1e-3,
                "{v:?}"
            );
        }
    }
    // Monotone: a larger H never gets a shorter box, a larger D never a thinner one.
    let maps: Vec<_> = diagram.volumes.iter().filter(|v| v.depth > 0.0).collect();
    for a in &maps {
        for b in &maps {
            if a.shape[1] < b.shape[1] {
                assert!(a.height < b.height, "{a:?} {b:?}");
            }
            if a.shape[2] < b.shape[2] {
                assert!(a.width < b.width, "{a:?} {b:?}");
            }
        }
    }
}

fn max(scale: Scale) -> usize {
    match scale {
        Scale::Linear { max, .. } | Scale::Log { max, .. } => max,
    }
}

/// Rows whose kind carries a rounding note that drops or pads something (`floor: 0 col, 0
/// row unread` loses nothing).
fn rounded_rows<M: Model>() -> Vec<usize> {
    let summary = M::summary();
    let lost = |kind: &str| {
        kind.split_once(" [")
            .is_some_and(|(_, note)| note.chars().any(|c| c.is_ascii_digit() && c != '0'))
    };
    (0..summary.rows.len())
        .filter(|&r| lost(&summary.rows[r].kind))
        .collect()
}

/// Every rounded row is framed: its caption is marked, or it is a shortcut's (on the arc).
fn rounding_is_marked<M: Model>(diagram: &Diagram) {
    let on_arcs: Vec<usize> = diagram
        .arcs
        .iter()
        .flat_map(|a| a.shortcut.clone())
        .collect();
    for r in rounded_rows::<M>() {
        if on_arcs.contains(&r) {
            continue;
        }
        let caption = diagram
            .captions
            .iter()
            .find(|c| c.rows.contains(&r))
            .unwrap();
        assert!(
            caption.rounded,
            "row {r} ({:?}) is rounded but not framed",
            M::summary().rows[r]
        );
    }
    let framed = diagram.captions.iter().filter(|c| c.rounded).count();
    let want = rounded_rows::<M>()
        .iter()
        .filter(|r| !on_arcs.contains(r))
        .count();
    assert_eq!(framed, want, "only rounded captions are framed");
}

fn check<M: Model>() -> Diagram {
    let diagram = M::diagram();
    names_every_row_once::<M>(&diagram);
    boxes_follow_the_shapes(&diagram);
    rounding_is_marked::<M>(&diagram);
    let summary = M::summary();
    let adds = summary
        .rows
        .iter()
        .filter(|r| r.role == Role::ResidualAdd)
        .count();
    let concats = summary
        .rows
        .iter()
        .filter(|r| r.role == Role::Concat)
        .count();
    assert_eq!(diagram.arcs.len(), adds, "an arc per residual block");
    assert_eq!(diagram.forks.len(), concats, "a fork per concatenation");
    // Everything drawn lies inside the picture.
    assert!(
        diagram
            .volumes
            .iter()
            .all(|v| v.x > 0.0 && v.baseline > 0.0)
    );
    assert!(
        diagram
            .volumes
            .iter()
            .all(|v| v.x + v.width < diagram.scene.width as f32)
    );
    diagram
}

#[test]
fn tiny_folds_element_wise_layers_and_frames_the_floor() {
    let diagram = check::<Tiny>();
    // input, conv1 (+ bn1 + relu), pool1, conv2 (+ relu), flatten, fc.
    let shapes: Vec<[usize; 3]> = diagram.volumes.iter().map(|v| v.shape).collect();
    assert_eq!(
        shapes,
        [
            [28, 28, 1],
            [28, 28, 32],
            [14, 14, 32],
            [7, 7, 64],
            [1, 1, 3136],
            [1, 1, 10]
        ]
    );
    assert_eq!(diagram.captions[1].rows, [0, 1, 2]);
    assert_eq!(diagram.captions.iter().filter(|c| c.rounded).count(), 1);
    assert!(diagram.captions[3].rounded);
    // 28 to 7 is 4×: linear, so heights are proportional to H.
    assert_eq!(
        diagram.spatial,
        Scale::Linear {
            max: 28,
            length: 110.0
        }
    );
    assert!((diagram.volumes[0].height / diagram.volumes[3].height - 4.0).abs() < 1e-4);
    let svg = diagram.scene.to_svg();
    for text in [
        "conv 3×3/2 p1",
        "K = 64",
        "floor: 1 col, 1 row unread",
        "+ bn1 + relu",
        "7×7×64",
    ] {
        assert!(svg.contains(text), "{text} missing");
    }
}

#[test]
fn blocks_nest_and_element_wise_layers_fold_at_their_starts() {
    let diagram = check::<Mixed>();
    let summary = Mixed::summary();
    let name = |r: usize| summary.rows[r].name.as_str();
    // bn0 opens the model: the input's caption names it.
    assert_eq!(
        diagram.captions[0]
            .rows
            .iter()
            .map(|&r| name(r))
            .collect::<Vec<_>>(),
        ["bn0"]
    );
    // The block's bn and relu fold into its convolution's caption, before it.
    let conv = diagram
        .captions
        .iter()
        .find(|c| c.rows.iter().any(|&r| name(r) == "block.conv"))
        .unwrap();
    let names: Vec<&str> = conv.rows.iter().map(|&r| name(r)).collect();
    assert!(
        names[0] == "block.bn" && names[1].starts_with("block.relu"),
        "{names:?}"
    );
    assert_eq!(names[2], "block.conv");
    assert_eq!(diagram.arcs.len(), 2, "block and cat.right.inner");
    let outer = diagram
        .arcs
        .iter()
        .find(|a| name(a.join) == "block")
        .unwrap();
    assert_eq!(
        outer.shortcut.iter().map(|&r| name(r)).collect::<Vec<_>>(),
        ["block.shortcut.proj"]
    );
    assert_eq!(diagram.forks[0].branches, ["left", "right"]);
    // The lanes stack: the left branch's box sits above the right's.
    let lane = |n: &str| {
        let i = diagram
            .captions
            .iter()
            .position(|c| c.rows.iter().any(|&r| name(r) == n))
            .unwrap();
        diagram.volumes[i].baseline
    };
    assert!(lane("cat.left.a") < lane("cat.right.b"));
}

#[test]
fn the_zoo_draws_with_its_shapes() {
    let resnet20 = check::<ResNet20>();
    assert_eq!(resnet20.arcs.len(), 9);
    assert!(
        resnet20
            .arcs
            .iter()
            .filter(|a| !a.shortcut.is_empty())
            .count()
            == 2,
        "option A at two stages"
    );
    let resnet18 = check::<ResNet18>();
    assert_eq!(resnet18.arcs.len(), 8);
    assert_eq!(
        resnet18
            .arcs
            .iter()
            .filter(|a| !a.shortcut.is_empty())
            .count(),
        3
    );
    // 224 to 7 spans 32×: logarithmic.
    assert!(matches!(resnet18.spatial, Scale::Log { max: 224, .. }));
    let googlenet = check::<GoogLeNet>();
    assert_eq!(googlenet.forks.len(), 9);
    assert!(googlenet.forks.iter().all(|f| f.branches.len() == 4));
    let vgg = check::<Vgg16>();
    assert!(
        vgg.captions.iter().all(|c| !c.rounded),
        "224 halves evenly: nothing rounded"
    );
    let alexnet = check::<AlexNetPaper>();
    assert!(alexnet.arcs.is_empty() && alexnet.forks.is_empty());
}

#[test]
fn svg_and_png_files_hold_the_drawing() {
    let dir = tempfile::tempdir().unwrap();
    let (svg, png) = (dir.path().join("net.svg"), dir.path().join("net.png"));
    ResNet20::draw(&svg).unwrap();
    ResNet20::draw(&png).unwrap();
    let diagram = ResNet20::diagram();
    let text = std::fs::read_to_string(&svg).unwrap();
    assert!(text.starts_with("<svg") && text.trim_end().ends_with("</svg>"));
    assert!(text.contains(&format!("width=\"{}\"", diagram.scene.width)));
    let picture = kiln::data::read_picture(&png).unwrap();
    assert_eq!(
        (picture.width, picture.height),
        (diagram.scene.width as usize, diagram.scene.height as usize)
    );
    // The PNG is not blank: the boxes' faces are drawn.
    assert!(picture.pixels.iter().filter(|&&p| p < 200).count() > 10_000);
    let err = ResNet20::draw(dir.path().join("net.gif"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("net.gif"), "{err}");
    let err = ResNet20::draw(dir.path().join("missing/net.svg"))
        .unwrap_err()
        .to_string();
    assert!(err.contains("missing/net.svg"), "{err}");
}
