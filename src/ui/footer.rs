//! The footer: keys (rollback most visible), the filter input, or a flash message.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

use super::fmt::fit_line;
use super::theme::Palette;
use crate::app::state::State;
use crate::keymap::Intent;
use crate::keymap::KeyMode;

/// Draw the footer line.
pub fn draw(frame: &mut Frame, area: Rect, state: &State, p: &Palette) {
    let search = &state.logview;
    let line = match (&state.filter_input, &search.search_input) {
        (Some(input), _) => prompt_line(" filter /", input, state.filter_error.as_ref(), p),
        (None, Some(input)) => prompt_line(" search /", input, search.search_error.as_ref(), p),
        (None, None) => keys_line(state, p, area.width),
    };
    frame.render_widget(Paragraph::new(fit_line(line, area.width.into())), area);
}

/// A regex being typed (filter or search), with its error or the keys that end it.
fn prompt_line<'a>(
    label: &'a str,
    input: &'a str,
    error: Option<&'a String>,
    p: &Palette,
) -> Line<'a> {
    let mut spans = vec![
        Span::styled(label, p.bold),
        Span::raw(input),
        Span::styled("▏", p.bold),
    ];
    match error {
        Some(err) => spans.push(Span::styled(format!("  {err}"), p.error)),
        None => spans.push(Span::styled(
            "  Enter apply · Esc cancel · empty clears",
            p.dim,
        )),
    }
    Line::from(spans)
}

/// The keys that fit in `width` columns: rollback first, then help and quit, then the
/// release actions and the pane keys in that order (help lists them all).
fn keys_line<'a>(state: &'a State, p: &Palette, width: u16) -> Line<'a> {
    let km = &state.keymap;
    let key = |a| km.keys_for(KeyMode::Normal, a);
    let mut head = vec![Span::styled(
        format!(" {} ROLLBACK ", key(Intent::RollbackChord)),
        p.rollback,
    )];
    if let Some((text, _)) = &state.flash {
        head.push(Span::styled(format!(" {text} "), p.warn));
    }
    let named = |a, label: &str| {
        let keys = key(a);
        let first = keys.split(' ').next().unwrap_or_default().to_string();
        vec![
            Span::styled(format!("  {first}"), p.bold),
            Span::raw(format!(" {label}")),
        ]
    };
    let tail: Vec<Span> = [(Intent::Help, "help"), (Intent::Quit, "quit")]
        .into_iter()
        .flat_map(|(a, label)| named(a, label))
        .collect();
    // Release actions: always listed, dimmed when unavailable (read-only, a missing
    // permission, not configured); help says why.
    let release = [
        (Intent::Rollback, "rollback"),
        (Intent::Smoke, "smoke"),
        (Intent::Switch, "switch"),
        (Intent::Deploy, "deploy"),
        (Intent::Decommission, "decom"),
        (Intent::Checklist, "checklist"),
    ]
    .into_iter()
    .map(|(a, label)| {
        let style = if state.unavailable(a).is_some() {
            p.dim
        } else {
            Default::default()
        };
        vec![Span::styled(format!(" {} {label}", key(a)), style)]
    });
    // While a search is on, `n` says how to move between its matches.
    let find = match state.logview.search {
        Some(_) => (Intent::NextMatch, "next match"),
        None => (Intent::Search, "find"),
    };
    let panes = [
        (Intent::Filter, "filter"),
        (Intent::Open, "detail"),
        (Intent::AppLog, "log"),
        find,
        (Intent::LevelFilter, "level"),
        (Intent::Zoom, "zoom"),
        (Intent::SaveLogs, "save"),
    ]
    .into_iter()
    .map(|(a, label)| named(a, label));
    let width_of = |spans: &[Span]| spans.iter().map(|s| s.width()).sum::<usize>();
    let items: Vec<Vec<Span>> = release.chain(panes).collect();
    // Which items to keep when space is short, most useful first (indexes into `items`):
    // rollback, smoke, switch, filter, find, detail, level, deploy, decommission, log,
    // zoom, checklist, save.
    const PRIORITY: [usize; 13] = [0, 1, 2, 6, 9, 7, 10, 3, 4, 8, 11, 5, 12];
    let mut used = width_of(&head) + width_of(&tail);
    let mut keep = [false; 13];
    for i in PRIORITY {
        let w = width_of(&items[i]);
        if used + w <= usize::from(width) {
            used += w;
            keep[i] = true;
        }
    }
    for (item, kept) in items.into_iter().zip(keep) {
        if kept {
            head.extend(item);
        }
    }
    head.extend(tail);
    Line::from(head)
}
