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

/// A post-mortem timeline in markdown.
pub fn markdown(entries: &[&Entry], title: &str) -> String {
    let mut out = vec![
        format!("# {title}"),
        String::new(),
        "| time (UTC) | who | action | result | what happened | phases | reason |".into(),
        "|---|---|---|---|---|---|---|".into(),
    ];
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
