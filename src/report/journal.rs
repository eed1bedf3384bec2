//! `cutover journal`: the shared history as text, JSON lines, or a markdown post-mortem
//! (also written by the cockpit's post-mortem key).

use chrono::{DateTime, Utc};

use crate::app::action::journal::{Entry, EntryKind, Postmortem, Result as R};

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

/// A post-mortem in markdown: a title and what it spans, one table row per action (who,
/// when, phase durations, reason), then the router changes seen (made outside cutover too),
/// the failed gates and conflicts, and the Warning Events of both colors in the window.
pub fn markdown(pm: &Postmortem) -> String {
    let entries: Vec<&Entry> = pm.entries.iter().collect();
    let span = match (entries.first(), entries.last()) {
        (Some(first), Some(last)) => format!(
            "{} action{} from {} to {} (UTC), oldest first.",
            entries.len(),
            if entries.len() == 1 { "" } else { "s" },
            first.at.format(TIME),
            last.at.format(TIME),
        ),
        _ => "No actions recorded.".into(),
    };
    let mut out = vec![format!("# {}", pm.title), String::new(), span];
    if let Some(now) = &pm.router_now {
        out.push(format!(
            "The router says {} at {} (UTC).",
            cell(now),
            pm.until.format(TIME)
        ));
    }
    if !entries.is_empty() {
        out.extend([
            String::new(),
            "| time (UTC) | who | action | result | what happened | phases | reason |".into(),
            "|---|---|---|---|---|---|---|".into(),
        ]);
        out.extend(entries.iter().map(|e| row(e)));
    }
    section(&mut out, "Router changes", router_changes(&entries));
    section(&mut out, "Failed gates and conflicts", refusals(&entries));
    let title = format!("Warning events ({})", pm.namespaces.join(", "));
    let warnings = pm
        .warnings
        .iter()
        .map(|e| {
            let times = if e.count > 1 {
                format!(" (×{})", e.count)
            } else {
                String::new()
            };
            format!(
                "- {} {} {} **{}**: {}{times}",
                e.time.format(TIME),
                e.namespace,
                e.object,
                e.reason,
                e.message
            )
        })
        .collect();
    section(&mut out, &title, warnings);
    out.join("\n")
}

/// The timestamp format of the post-mortem.
const TIME: &str = "%Y-%m-%d %H:%M:%S";

fn row(e: &Entry) -> String {
    let phases = e
        .phases
        .iter()
        .map(|p| format!("{} {:.2} s", p.phase.words(), p.ms as f64 / 1000.0))
        .collect::<Vec<_>>()
        .join(", ");
    format!(
        "| {} | {} | {} | {} | {} | {} | {} |",
        e.at.format(TIME),
        cell(&e.who),
        e.kind.word(),
        e.result.map(R::word).unwrap_or("–"),
        cell(&e.summary),
        phases,
        cell(e.reason.as_deref().unwrap_or("")),
    )
}

/// A `## title` with its lines (omitted when there are none).
fn section(out: &mut Vec<String>, title: &str, lines: Vec<String>) {
    if lines.is_empty() {
        return;
    }
    out.extend([String::new(), format!("## {title}"), String::new()]);
    out.extend(lines);
}

/// Every change of the router: cutover's switches and rollbacks, and changes made
/// outside cutover.
fn router_changes(entries: &[&Entry]) -> Vec<String> {
    entries
        .iter()
        .filter(|e| {
            matches!(e.kind, EntryKind::Switch | EntryKind::Rollback)
                && e.result == Some(R::Succeeded)
                || e.kind == EntryKind::RouterChange
        })
        .map(|e| {
            let by = if e.kind == EntryKind::RouterChange {
                "outside cutover".to_string()
            } else {
                format!("{} {} (switch id {})", e.who, e.kind.word(), e.id)
            };
            format!(
                "- {} {} → {} — {by}: {}",
                e.at.format(TIME),
                e.from.as_deref().unwrap_or("?"),
                e.to.as_deref().unwrap_or("?"),
                e.summary
            )
        })
        .collect()
}

/// Refusals (each failed gate) and conflicts.
fn refusals(entries: &[&Entry]) -> Vec<String> {
    let mut out = Vec::new();
    for e in entries
        .iter()
        .filter(|e| matches!(e.result, Some(R::Refused | R::Conflict)))
    {
        out.push(format!(
            "- {} {} {} {}: {}",
            e.at.format(TIME),
            e.who,
            e.kind.word(),
            e.result.map(R::word).unwrap_or("?"),
            e.summary
        ));
        for g in e.gates.iter().filter(|g| !g.ok) {
            out.push(format!("  - ✖ {}: {}", g.name, g.detail));
        }
    }
    out
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

    fn pm(entries: Vec<Entry>, title: &str) -> Postmortem {
        Postmortem {
            title: title.into(),
            since: None,
            until: "2026-01-02T04:00:00Z".parse().unwrap(),
            entries,
            warnings: vec![],
            namespaces: vec!["fittrack-blue".into(), "fittrack-green".into()],
            router_now: None,
        }
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
        let md = markdown(&pm(vec![a, b], "Release timeline"));
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
        // Both were switches that went through: the router changed twice.
        assert_eq!(lines[9], "## Router changes");
        assert_eq!(lines.len(), 13, "{md}");
    }

    #[test]
    fn markdown_of_nothing_says_so() {
        assert_eq!(markdown(&pm(vec![], "T")), "# T\n\nNo actions recorded.");
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
