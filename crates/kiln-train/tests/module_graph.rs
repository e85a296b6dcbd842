//! kiln-train's modules depend one way: no module reaches itself through `use crate::…`.

use std::collections::BTreeMap;
use std::path::Path;

/// Each module of `src` (by file name) and the modules it names in `use crate::…` lines.
fn imports(src: &Path) -> BTreeMap<String, Vec<String>> {
    let mut graph = BTreeMap::new();
    for entry in std::fs::read_dir(src).expect("src is readable") {
        let path = entry.expect("a directory entry").path();
        let Some(name) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        if path.extension().is_none_or(|e| e != "rs") || name == "lib" {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("a module is readable");
        let used = text
            .lines()
            .filter_map(|line| line.trim().strip_prefix("use crate::"))
            .inspect(|rest| {
                assert!(
                    !rest.starts_with('{'),
                    "{name}.rs groups its crate imports (`use crate::{{…}}`), which this test \
                     cannot read: write one `use crate::module::…` per module"
                );
            })
            .filter_map(|rest| rest.split([':', ';']).next())
            .map(str::to_string)
            .filter(|module| module != name)
            .collect();
        graph.insert(name.to_string(), used);
    }
    graph
}

/// A cycle through `module`, if depth-first search from it finds one.
fn cycle(
    graph: &BTreeMap<String, Vec<String>>,
    module: &str,
    path: &mut Vec<String>,
    done: &mut Vec<String>,
) -> Option<Vec<String>> {
    if let Some(at) = path.iter().position(|m| m == module) {
        let mut found = path[at..].to_vec();
        found.push(module.to_string());
        return Some(found);
    }
    if done.iter().any(|m| m == module) {
        return None;
    }
    path.push(module.to_string());
    for next in graph.get(module).into_iter().flatten() {
        if let Some(found) = cycle(graph, next, path, done) {
            return Some(found);
        }
    }
    path.pop();
    done.push(module.to_string());
    None
}

#[test]
fn modules_depend_one_way() {
    let graph = imports(&Path::new(env!("CARGO_MANIFEST_DIR")).join("src"));
    assert!(graph.len() > 5, "modules found: {graph:?}");
    assert!(graph["fit"].contains(&"checkpoint".to_string()));
    let mut done = Vec::new();
    for module in graph.keys() {
        if let Some(found) = cycle(&graph, module, &mut Vec::new(), &mut done) {
            panic!(
                "kiln-train's modules import each other: {}",
                found.join(" → ")
            );
        }
    }
}

#[test]
fn a_cycle_is_found() {
    let graph: BTreeMap<String, Vec<String>> = [
        ("a", vec!["b"]),
        ("b", vec!["c"]),
        ("c", vec!["a"]),
        ("d", vec!["a"]),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v.into_iter().map(String::from).collect()))
    .collect();
    let found = cycle(&graph, "d", &mut Vec::new(), &mut Vec::new());
    assert_eq!(
        found,
        Some(
            vec!["a", "b", "c", "a"]
                .into_iter()
                .map(String::from)
                .collect()
        )
    );
}
