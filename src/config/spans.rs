//! Where each key of a TOML document sits, so every error can name line, column and key path.

use std::ops::Range;

use toml::de::{DeTable, DeValue};

/// One key of the document: its dotted path and the byte spans of key and value.
#[derive(Debug, Clone)]
struct Entry {
    path: String,
    key: Range<usize>,
    value: Range<usize>,
}

/// A line/column position (both 1-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// Line, from 1.
    pub line: usize,
    /// Column in characters, from 1.
    pub column: usize,
}

/// Index from dotted key paths (`colors.green.namespace`) to their place in the text.
#[derive(Debug, Clone, Default)]
pub struct SpanIndex {
    entries: Vec<Entry>,
    line_starts: Vec<usize>,
    text: String,
}

impl SpanIndex {
    /// Index a document that already parsed as TOML.
    pub fn new(text: &str, root: &DeTable<'_>) -> Self {
        let mut entries = Vec::new();
        walk_table(root, "", &mut entries);
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        Self {
            entries,
            line_starts,
            text: text.to_owned(),
        }
    }

    /// Whether the document spells out this key (false when a default applies).
    pub fn contains(&self, path: &str) -> bool {
        self.entries.iter().any(|e| e.path == path)
    }

    /// Position of a key's value, or of its nearest ancestor written in the document.
    pub fn locate(&self, path: &str) -> Option<Position> {
        let mut probe = path;
        loop {
            if let Some(e) = self.entries.iter().find(|e| e.path == probe) {
                // An absent key is reported where its table starts; a present one at its value.
                let at = if probe == path {
                    e.value.start
                } else {
                    e.key.start
                };
                return Some(self.position(at));
            }
            probe = &probe[..probe.rfind('.')?];
        }
    }

    /// The deepest key whose key or value span covers `offset` ("" for the top level).
    pub fn path_at(&self, offset: usize) -> String {
        self.entries
            .iter()
            .filter(|e| e.key.contains(&offset) || e.value.contains(&offset))
            .max_by_key(|e| e.path.matches('.').count())
            .map(|e| e.path.clone())
            .unwrap_or_default()
    }

    /// For a line that failed to parse: `[table]` in effect plus the key written on the line.
    pub fn key_on_line(&self, line: usize) -> String {
        let lines: Vec<&str> = self.text.lines().take(line).collect();
        let table = lines
            .iter()
            .rev()
            .find_map(|l| {
                let l = l.trim();
                let inner = l.strip_prefix('[')?.trim_start_matches('[');
                Some(inner.split(']').next()?.trim().to_owned())
            })
            .unwrap_or_default();
        let key = lines
            .last()
            .and_then(|l| l.split_once('='))
            .map(|(k, _)| k.trim())
            .filter(|k| !k.is_empty() && !k.starts_with(['[', '#']))
            .unwrap_or_default();
        join(&table, key)
    }

    /// Line and column of a byte offset.
    pub fn position(&self, offset: usize) -> Position {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset).max(1);
        let start = self.line_starts[line - 1];
        let column = self
            .text
            .get(start..offset)
            .map_or(offset - start, |s| s.chars().count())
            + 1;
        Position { line, column }
    }
}

fn walk_table(table: &DeTable<'_>, prefix: &str, out: &mut Vec<Entry>) {
    for (key, value) in table.iter() {
        let path = join(prefix, key.get_ref());
        out.push(Entry {
            path: path.clone(),
            key: key.span(),
            value: value.span(),
        });
        walk_value(value.get_ref(), &path, out);
    }
}

fn walk_value(value: &DeValue<'_>, path: &str, out: &mut Vec<Entry>) {
    match value {
        DeValue::Table(t) => walk_table(t, path, out),
        DeValue::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let item_path = format!("{path}[{i}]");
                out.push(Entry {
                    path: item_path.clone(),
                    key: item.span(),
                    value: item.span(),
                });
                walk_value(item.get_ref(), &item_path, out);
            }
        }
        _ => {}
    }
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_owned()
    } else {
        format!("{prefix}.{key}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn index(text: &str) -> SpanIndex {
        let root = DeTable::parse(text).expect("valid toml");
        SpanIndex::new(text, root.get_ref())
    }

    const DOC: &str =
        "# top\n[router]\nkind = \"httproute\"\n\n[colors.green]\nnamespace = \"ns\"\nport = 80\n";

    #[test]
    fn locates_values_by_dotted_path() {
        let idx = index(DOC);
        assert_eq!(
            idx.locate("router.kind"),
            Some(Position { line: 3, column: 8 })
        );
        assert_eq!(
            idx.locate("colors.green.port"),
            Some(Position { line: 7, column: 8 })
        );
    }

    #[test]
    fn absent_keys_fall_back_to_their_table() {
        let idx = index(DOC);
        assert!(!idx.contains("colors.green.route_value"));
        let pos = idx
            .locate("colors.green.route_value")
            .expect("table is present");
        assert_eq!(pos.line, 5);
        assert_eq!(idx.locate("probes.live"), None);
    }

    #[test]
    fn path_at_finds_the_deepest_key() {
        let idx = index(DOC);
        let offset = DOC.find("80").unwrap();
        assert_eq!(idx.path_at(offset), "colors.green.port");
        assert_eq!(idx.path_at(0), "");
    }

    #[test]
    fn key_on_line_reads_broken_lines() {
        let idx = SpanIndex::new(DOC, &DeTable::default());
        assert_eq!(idx.key_on_line(3), "router.kind");
        assert_eq!(idx.key_on_line(6), "colors.green.namespace");
        assert_eq!(idx.key_on_line(1), "");
    }

    #[test]
    fn position_counts_characters_not_bytes() {
        let idx = index("a = \"é\"\nb = 1\n");
        assert_eq!(idx.position(0), Position { line: 1, column: 1 });
        let b = "a = \"é\"\n".len();
        assert_eq!(idx.position(b), Position { line: 2, column: 1 });
    }
}
