//! The release on screen: the stepper line under the header, the version prompt of a
//! deploy, the checklist, and the question before an external command is killed.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, BorderType, Clear, Paragraph, Wrap};
use ratatui::Frame;

use super::detail::centered;
use super::fmt::fit;
use super::theme::Palette;
use crate::app::action::standing::{ItemState, Mark};
use crate::app::state::{Prompt, State};
use crate::config::schema::ItemKind;
use crate::keymap::{KeyMode, Keymap};

/// The stepper line: "release v2.0.0 → GREEN: ✔ deployed · ▶ smoke (s) · …".
pub fn stepper_line<'a>(state: &State, p: &Palette, width: u16) -> Line<'a> {
    let s = &state.standing.stepper;
    let mut spans = vec![Span::styled(format!(" {}: ", s.head), p.bold)];
    for (i, step) in s.steps.iter().enumerate() {
        if i > 0 {
            spans.push(Span::styled(" · ", p.dim));
        }
        let (mark, style) = match step.mark {
            Mark::Done => ("✔ ", p.ok),
            Mark::Now => ("▶ ", p.warn.patch(p.bold)),
            Mark::Failed => ("✖ ", p.error),
            Mark::Todo => ("", p.dim),
        };
        let key = step
            .key
            .map(|i| first_key(&state.keymap, i))
            .filter(|k| !k.is_empty())
            .map(|k| format!(" ({k})"))
            .unwrap_or_default();
        spans.push(Span::styled(format!("{mark}{}{key}", step.text), style));
    }
    let text: String = spans.iter().map(|s| s.content.as_ref()).collect();
    if text.chars().count() > usize::from(width) {
        // Too narrow for every step: the plain text, cut, keeps the line readable.
        return Line::from(Span::raw(fit(&s.line(&state.keymap), usize::from(width))));
    }
    Line::from(spans)
}

fn first_key(keymap: &Keymap, intent: crate::keymap::Intent) -> String {
    keymap
        .keys_for(KeyMode::Normal, intent)
        .split(' ')
        .next()
        .unwrap_or_default()
        .to_string()
}

/// The header's monitoring note: "BLUE kept warm for rollback · 12:31 left" (after a
/// rollback: "rolled back from GREEN · 12:31 left").
pub fn warm_note<'a>(state: &State, p: &Palette) -> Vec<Span<'a>> {
    let Some(m) = &state.standing.monitor else {
        return Vec::new();
    };
    match m.left_words(state.now) {
        Some(left) if !m.passed && !m.old_down => vec![
            Span::raw(" · "),
            Span::styled(
                if m.rolled_back {
                    format!("rolled back from {} · {left} left", m.live.other().word())
                } else {
                    format!(
                        "{} kept warm for rollback · {left} left",
                        m.live.other().word()
                    )
                },
                p.warn,
            ),
        ],
        _ => Vec::new(),
    }
}

/// The version prompt of a deploy.
pub fn draw_prompt(frame: &mut Frame, area: Rect, state: &State, prompt: &Prompt, p: &Palette) {
    let to = prompt
        .color
        .map(|c| format!(" to {}", c.word()))
        .unwrap_or_default();
    let now = prompt
        .color
        .and_then(|c| state.color(c).version())
        .map(|v| format!(" (now {v})"))
        .unwrap_or_default();
    let recalled = match prompt.at {
        Some(i) => format!(
            "version {} of {} used before · typing replaces it",
            i + 1,
            prompt.history.len()
        ),
        None if prompt.history.is_empty() => "no version used before".into(),
        None => format!("↑ recalls the {} used before", prompt.history.len()),
    };
    let lines = vec![
        Line::from(format!("Version to deploy{to}{now}:")),
        Line::from(vec![
            Span::styled("> ", p.bold),
            Span::raw(prompt.input.clone()),
            Span::styled("▏", p.bold),
        ]),
        Line::from(Span::styled(recalled, p.dim)),
        Line::from(Span::styled(
            "Enter shows what it will do · ↑/↓ history · Esc cancels",
            p.dim,
        )),
    ];
    let rect = centered(area, 64, lines.len() as u16 + 2);
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().border_style(p.bold).title(" DEPLOY ")),
        rect,
    );
}

/// The checklist of the release, the selected row marked.
pub fn draw_checklist(frame: &mut Frame, area: Rect, state: &State, selected: usize, p: &Palette) {
    let rect = centered(
        area,
        area.width.saturating_sub(8).clamp(40, 110),
        area.height.saturating_sub(4).max(8),
    );
    let width = usize::from(rect.width.saturating_sub(4));
    let (title, mut lines) = match &state.standing.checklist {
        None => (
            " checklist ".to_string(),
            vec![Line::from(Span::styled(
                "no release to check: the router names no standby color",
                p.warn,
            ))],
        ),
        Some(cl) => {
            let title = format!(
                " checklist · {} {} · {}/{} done · space ticks · x runs the checks · Esc closes ",
                cl.color.word(),
                cl.version.as_deref().unwrap_or("?"),
                cl.done(),
                cl.items.len()
            );
            let mut lines = Vec::new();
            for (i, item) in cl.items.iter().enumerate() {
                let (mark, style) = match item.state {
                    ItemState::Pass => ("[✔]", p.ok),
                    ItemState::Fail => ("[✖]", p.error),
                    ItemState::Open => ("[ ]", p.warn),
                };
                let how = match item.kind {
                    ItemKind::Manual => "",
                    ItemKind::Command => " (command)",
                    _ => " (cutover checks)",
                };
                let req = if item.required { "required" } else { "" };
                let head = format!("{mark} {:<8} {}{how}", req, item.name);
                let row_style = if i == selected { p.selected } else { style };
                lines.push(Line::from(Span::styled(fit(&head, width), row_style)));
                lines.push(Line::from(Span::styled(
                    fit(&format!("      {}", item.detail), width),
                    p.dim,
                )));
                for out in item.output.iter().rev().take(3).rev() {
                    lines.push(Line::from(Span::styled(
                        fit(&format!("      │ {out}"), width),
                        p.dim,
                    )));
                }
            }
            (title, lines)
        }
    };
    if state.session.read_only {
        lines.push(Line::from(Span::styled(
            "read-only session: ticks and commands are refused",
            p.warn,
        )));
    }
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines).block(Block::bordered().title(fit(&title, width + 2))),
        rect,
    );
}

/// "Kill the running command?"
pub fn draw_confirm_cancel(frame: &mut Frame, area: Rect, lines: &[String], p: &Palette) {
    let body: Vec<Line> = lines.iter().map(|l| Line::from(l.clone())).collect();
    let rect = centered(area, 80, body.len() as u16 + 4);
    frame.render_widget(Clear, rect);
    let block = Block::bordered()
        .border_type(BorderType::Thick)
        .border_style(p.alarm)
        .title(Span::styled(" INTERRUPT? ", p.alarm));
    frame.render_widget(
        Paragraph::new(body).block(block).wrap(Wrap { trim: false }),
        rect,
    );
}
