//! The house's rooms: no module cycle inside `src/`, neither between the crate's top-level
//! modules nor between the files of the core (`src/app/`). Read from the source itself
//! (every `crate::x` / `super::x` path outside `#[cfg(test)]` code), so the rule holds for
//! whatever lands next.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Production code of a file: everything before its first `#[cfg(test)]`.
fn production(path: &Path) -> String {
    let text = std::fs::read_to_string(path).expect("readable source");
    match text.find("#[cfg(test)]") {
        Some(i) => text[..i].to_string(),
        None => text,
    }
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable dir") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Identifiers following `prefix` in `code` (`crate::app::state` → `app`).
fn names_after(code: &str, prefix: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for (i, _) in code.match_indices(prefix) {
        // Skip `foo_crate::`-like matches: the prefix must start a path.
        let before = code[..i].chars().next_back();
        if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
            continue;
        }
        let rest = &code[i + prefix.len()..];
        if let Some(group) = rest.strip_prefix('{') {
            // `crate::{a, b::c}`
            let group = &group[..group.find('}').unwrap_or(group.len())];
            for part in group.split(',') {
                let name: String = part
                    .trim()
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if !name.is_empty() {
                    out.insert(name);
                }
            }
            continue;
        }
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() {
            out.insert(name);
        }
    }
    out
}

/// A cycle in `graph`, if any, as the nodes along it.
fn find_cycle(graph: &BTreeMap<String, BTreeSet<String>>) -> Option<Vec<String>> {
    fn visit(
        node: &str,
        graph: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut cycle = path[at..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in graph.get(node).into_iter().flatten() {
            if let Some(c) = visit(next, graph, path, done) {
                return Some(c);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    graph
        .keys()
        .find_map(|n| visit(n, graph, &mut Vec::new(), &mut done))
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The top-level module a file belongs to (`src/app/keys.rs` → `app`, `src/term.rs` → `term`).
fn top_module(path: &Path) -> String {
    let rel = path.strip_prefix(src()).expect("under src");
    let first = rel.components().next().expect("a component");
    first
        .as_os_str()
        .to_string_lossy()
        .trim_end_matches(".rs")
        .to_string()
}

#[test]
fn top_level_modules_form_no_cycle() {
    let mut files = Vec::new();
    rust_files(&src(), &mut files);
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in &files {
        let from = top_module(file);
        let rel = file.strip_prefix(src()).expect("under src");
        let in_tests = rel.components().any(|c| c.as_os_str() == "tests");
        if from == "main"
            || from == "lib"
            || in_tests
            || file.file_name().is_some_and(|n| n == "tests.rs")
        {
            continue;
        }
        let uses = names_after(&production(file), "crate::");
        let entry = graph.entry(from.clone()).or_default();
        entry.extend(uses.into_iter().filter(|m| *m != from));
    }
    assert!(
        graph.contains_key("app") && graph.contains_key("bus"),
        "{graph:?}"
    );
    if let Some(cycle) = find_cycle(&graph) {
        panic!("module cycle: {}", cycle.join(" → "));
    }
}

#[test]
fn the_core_files_form_no_cycle() {
    let app = src().join("app");
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut files = Vec::new();
    rust_files(&app, &mut files);
    for file in &files {
        let rel = file.strip_prefix(&app).expect("under app");
        let first = rel.components().next().expect("component");
        let from = first
            .as_os_str()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_string();
        // Test files (`x/tests.rs` and its modules under `x/tests/`) are test code through
        // and through.
        let in_tests = rel.components().any(|c| c.as_os_str() == "tests");
        if from == "mod" || in_tests || file.file_name().is_some_and(|n| n == "tests.rs") {
            continue;
        }
        let code = production(file);
        let mut uses = names_after(&code, "crate::app::");
        // `super::x` from a file directly in app/ names a sibling.
        if rel.components().count() == 1 {
            uses.extend(names_after(&code, "super::"));
        }
        let entry = graph.entry(from.clone()).or_default();
        entry.extend(uses.into_iter().filter(|m| *m != from));
    }
    assert!(graph.contains_key("update"), "{graph:?}");
    if let Some(cycle) = find_cycle(&graph) {
        panic!("cycle in the core: {}", cycle.join(" → "));
    }
}

#[test]
fn the_cycle_finder_finds_cycles() {
    let g = |edges: &[(&str, &str)]| {
        let mut m: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (a, b) in edges {
            m.entry(a.to_string()).or_default().insert(b.to_string());
        }
        m
    };
    assert_eq!(
        find_cycle(&g(&[("a", "b"), ("b", "c"), ("c", "a")])),
        Some(vec!["a".into(), "b".into(), "c".into(), "a".into()])
    );
    assert_eq!(find_cycle(&g(&[("a", "b"), ("b", "c"), ("a", "c")])), None);
    assert_eq!(
        names_after(
            "use crate::{app::x, bus}; my_crate::z; crate::ui::view",
            "crate::"
        ),
        BTreeSet::from(["app".to_string(), "bus".to_string(), "ui".to_string()])
    );
}
