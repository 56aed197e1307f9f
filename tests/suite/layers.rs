//! The import rule of ARCHITECTURE.md, read from the source: the world's state is the
//! ground floor (it imports only `scenario`), mechanisms import the world and each other but
//! never the composition (`sim`), `scenario` imports nothing above it, and neither the
//! crate's top-level modules nor sibling files within a folder import each other in a
//! circle.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Top-level modules each layer may name as `crate::X` (besides itself).
const RULES: [(&str, &[&str]); 4] = [
    ("world", &["scenario"]),
    ("mechanisms", &["world", "scenario"]),
    ("scenario", &[]),
    ("sim", &["world", "mechanisms", "scenario", "outcome"]),
];

/// Folders whose files may import each other in a circle, and why. `scenario`: validating a
/// timeline applies its `set` events (`load::set_value`), which validates the scenario they
/// produce (`params::validate`), which validates its timeline — one recursion by design.
const CIRCLES_ALLOWED: [&str; 1] = ["src/scenario"];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
}

/// The source without `//` comments (doc comments may name any module).
fn code(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    text.lines()
        .map(|l| l.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// Identifiers following each occurrence of `prefix` (`crate::` → the module named).
fn names_after<'a>(code: &'a str, prefix: &str) -> BTreeSet<&'a str> {
    let mut out = BTreeSet::new();
    let mut rest = code;
    while let Some(i) = rest.find(prefix) {
        let before = rest[..i].chars().next_back();
        rest = &rest[i + prefix.len()..];
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
            continue;
        }
        let end = rest
            .find(|c: char| !(c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'))
            .unwrap_or(rest.len());
        if end > 0 {
            out.insert(&rest[..end]);
        } else if rest.starts_with('{') {
            // `crate::{a, b::c}`: every item of the group.
            let group = &rest[1..rest.find('}').unwrap_or(rest.len())];
            for item in group.split(',') {
                let head = item.trim().split("::").next().unwrap_or("");
                if !head.is_empty() {
                    out.insert(head);
                }
            }
        }
    }
    out
}

fn has_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<String> {
    for start in graph.keys() {
        let mut seen = BTreeSet::new();
        let mut stack = vec![start.clone()];
        while let Some(x) = stack.pop() {
            for y in graph.get(&x).into_iter().flatten() {
                if y == start {
                    return Some(format!("{start} reaches itself through {x}"));
                }
                if seen.insert(y.clone()) {
                    stack.push(y.clone());
                }
            }
        }
    }
    None
}

#[test]
fn layers_import_only_downwards() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let src = root.join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut modules: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut siblings: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut broken = Vec::new();
    for file in &files {
        let rel = file.strip_prefix(&src).unwrap();
        let top = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        let text = code(file);
        let used = names_after(&text, "crate::");
        for m in &used {
            if *m != top {
                modules.entry(top.clone()).or_default().insert(m.to_string());
            }
        }
        if let Some((_, allowed)) = RULES.iter().find(|(layer, _)| *layer == top) {
            for m in used.iter().filter(|m| **m != top && !allowed.contains(m)) {
                broken.push(format!("{} imports crate::{m}", rel.display()));
            }
        }
        // Sibling files of one folder (a parent `mod.rs` declares its children: not an import).
        let dir = file.parent().unwrap();
        let stem = file.file_stem().unwrap().to_string_lossy().to_string();
        if stem != "mod" && !rel.to_string_lossy().contains("tests") {
            for m in names_after(&text, "super::") {
                if dir.join(format!("{m}.rs")).exists() || dir.join(m).join("mod.rs").exists() {
                    let key = |s: &str| dir.join(s).strip_prefix(root).unwrap().display().to_string();
                    siblings.entry(key(&stem)).or_default().insert(key(m));
                }
            }
        }
    }
    assert!(broken.is_empty(), "imports against the layers:\n{}", broken.join("\n"));
    assert_eq!(has_cycle(&modules), None, "top-level modules in a circle: {modules:?}");
    siblings.retain(|file, _| !CIRCLES_ALLOWED.iter().any(|d| file.starts_with(&format!("{d}/"))));
    assert_eq!(has_cycle(&siblings), None, "sibling files in a circle");
    // The rule is not vacuous: the layers exist and the mechanisms do use the world.
    assert!(modules["mechanisms"].contains("world") && modules["sim"].contains("mechanisms"));
}

/// The scanner finds plain paths, groups, and ignores comments and longer names.
#[test]
fn the_import_scanner_reads_paths_groups_and_skips_comments() {
    let text = "use crate::sim::x;\nuse crate::{world::a, stats};\nlet y = my_crate::cli::z;\n";
    let found: Vec<&str> = names_after(text, "crate::").into_iter().collect();
    assert_eq!(found, ["sim", "stats", "world"]);
    let dir = std::env::temp_dir().join(format!("layers-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("a.rs");
    std::fs::write(&file, "//! see crate::sim\nuse crate::world; // not crate::cli\n").unwrap();
    let found: Vec<String> = names_after(&code(&file), "crate::")
        .into_iter()
        .map(String::from)
        .collect();
    assert_eq!(found, ["world"]);
    std::fs::remove_dir_all(&dir).unwrap();
}
