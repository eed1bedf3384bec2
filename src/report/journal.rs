//! `cutover journal`: the shared history as text, JSON lines, or a markdown post-mortem.

use chrono::{DateTime, Utc};

use crate::app::action::journal::{Entry, Result as R};

/// Entries at or after `since` (all when None), oldest first.
pub fn select(entries: &[Entry], since: Option<DateTime<Utc>>) -> Vec<&Entry> {
    entries
        .iter()
        .filter(|e| since.is_none_or(|s| e.at >= s))
        .collect()
}

/// One line per entry.
pub fn text(entries: &[&Entry]) -> String {
    entries
        .iter()
        .map(|e| {
            let mark = if e.result == Some(R::Succeeded) {
                "✔"
            } else {
                "✖"
            };
            let reason = e
                .reason
                .as_deref()
                .map(|r| format!(" — reason: {r}"))
                .unwrap_or_default();
            format!(
                "{} {mark} {:<9} {:<8} {}{reason}",
                e.at.format("%Y-%m-%d %H:%M:%S"),
                e.kind.word(),
                e.who,
                e.summary
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// JSON lines, the journal's own format.
pub fn json(entries: &[&Entry]) -> String {
    entries
        .iter()
        .filter_map(|e| serde_json::to_string(e).ok())
        .collect::<Vec<_>>()
        .join("\n")
}

/// A post-mortem timeline in markdown: a title, what it spans, and one table row per entry.
pub fn markdown(entries: &[&Entry], title: &str) -> String {
    let span = match (entries.first(), entries.last()) {
        (Some(first), Some(last)) => format!(
            "{} action{} from {} to {} (UTC), oldest first.",
            entries.len(),
            if entries.len() == 1 { "" } else { "s" },
            first.at.format("%Y-%m-%d %H:%M:%S"),
            last.at.format("%Y-%m-%d %H:%M:%S"),
        ),
        _ => "No actions recorded.".into(),
    };
    let mut out = vec![format!("# {title}"), String::new(), span];
    if entries.is_empty() {
        return out.join("\n");
    }
    out.extend([
        String::new(),
        "| time (UTC) | who | action | result | what happened | phases | reason |".into(),
        "|---|---|---|---|---|---|---|".into(),
    ]);
    for e in entries {
        let phases = e
            .phases
            .iter()
            .map(|p| format!("{} {:.2} s", p.phase.words(), p.ms as f64 / 1000.0))
            .collect::<Vec<_>>()
            .join(", ");
        out.push(format!(
            "| {} | {} | {} | {} | {} | {} | {} |",
            e.at.format("%Y-%m-%d %H:%M:%S"),
            cell(&e.who),
            e.kind.word(),
            e.result.map(R::word).unwrap_or("–"),
            cell(&e.summary),
            phases,
            cell(e.reason.as_deref().unwrap_or("")),
        ));
    }
    out.join("\n")
}

/// Text safe inside a markdown table cell.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace('\n', " ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(at: &str, who: &str, summary: &str, reason: Option<&str>) -> Entry {
        serde_json::from_value(serde_json::json!({
            "id": format!("{at}-{who}"),
            "at": at,
            "who": who,
            "kind": "switch",
            "stage": "outcome",
            "result": "succeeded",
            "phases": [{"phase": "patch-accepted", "ms": 20}],
            "reason": reason,
            "summary": summary,
        }))
        .unwrap()
    }

    #[test]
    fn markdown_is_a_table_with_escaped_cells() {
        let a = entry(
            "2026-01-02T03:04:05Z",
            "alice",
            "switched BLUE → GREEN",
            None,
        );
        let b = entry(
            "2026-01-02T03:09:00Z",
            "bob",
            "rolled back",
            Some("5xx | errors"),
        );
        let md = markdown(&[&a, &b], "Release timeline");
        let lines: Vec<&str> = md.lines().collect();
        assert_eq!(lines[0], "# Release timeline");
        assert_eq!(
            lines[2],
            "2 actions from 2026-01-02 03:04:05 to 2026-01-02 03:09:00 (UTC), oldest first."
        );
        assert_eq!(
            lines[6],
            "| 2026-01-02 03:04:05 | alice | switch | succeeded | switched BLUE → GREEN | patch 0.02 s |  |"
        );
        assert!(lines[7].ends_with("| 5xx \\| errors |"), "{}", lines[7]);
        assert_eq!(lines.len(), 8);
    }

    #[test]
    fn markdown_of_nothing_says_so() {
        assert_eq!(markdown(&[], "T"), "# T\n\nNo actions recorded.");
    }

    #[test]
    fn since_selects_newer_entries() {
        let a = entry("2026-01-02T03:04:05Z", "alice", "a", None);
        let b = entry("2026-01-02T05:00:00Z", "bob", "b", None);
        let all = [a, b];
        let since = "2026-01-02T04:00:00Z".parse().ok();
        let got = select(&all, since);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].who, "bob");
        assert_eq!(select(&all, None).len(), 2);
    }
}
