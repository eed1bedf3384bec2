//! The explanation of a color's signals: how each is measured (the query or scrape
//! expression), its threshold, the judgement's budget, the recent samples against the
//! threshold with their sample sizes, and the source's health.

use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Wrap};
use ratatui::Frame;

use super::detail::centered;
use super::theme::Palette;
use crate::app::signals::judge::show;
use crate::app::signals::{Opened, Signals, Verdict, Window, P99, RPS};
use crate::app::state::State;
use crate::config::metrics::{Direction, Source};
use crate::model::Color;

/// Most samples listed.
const LISTED: usize = 30;

/// Draw the explanation of `color`'s signals; returns its line count.
pub fn draw(
    frame: &mut Frame,
    area: Rect,
    state: &State,
    color: Color,
    scroll: usize,
    p: &Palette,
) -> usize {
    let rect = centered(
        area,
        area.width.saturating_sub(6).max(40),
        area.height.saturating_sub(4).max(10),
    );
    let block = Block::bordered()
        .border_style(p.color(color))
        .title(format!(
            " {} signals explained · j/k scroll · Esc closes ",
            color.word()
        ));
    let lines = lines(state, color, p);
    let count = lines.len();
    frame.render_widget(Clear, rect);
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false })
            .scroll((scroll.min(u16::MAX as usize) as u16, 0)),
        rect,
    );
    count
}

/// The explanation's lines.
pub fn lines(state: &State, color: Color, p: &Palette) -> Vec<Line<'static>> {
    let s = &state.signals;
    let mut out = vec![source_line(s, color, p), Line::raw("")];
    out.push(Line::styled("how each signal is measured", p.bold));
    for d in &s.definitions {
        let threshold = match (d.threshold, d.direction) {
            (Some(t), Direction::Above) => format!("breach above {}", show(t, &d.unit)),
            (Some(t), Direction::Below) => format!("breach below {}", show(t, &d.unit)),
            (None, _) => "shown, not judged".into(),
        };
        out.push(Line::from(vec![
            Span::styled(format!("  {:<10} ", d.name), p.bold),
            Span::styled(threshold, p.dim),
        ]));
        out.push(Line::raw(format!("    {}", d.how[color as usize])));
    }
    out.push(Line::raw(""));
    out.extend(judgement(state, color, p));
    out.push(Line::raw(""));
    out.push(Line::styled(
        format!(
            "recent samples, newest first (a sample counts with ≥ {} requests)",
            s.analysis.min_requests
        ),
        p.bold,
    ));
    out.push(Line::styled(
        "  time      requests   5xx                p99        rps      verdict",
        p.dim,
    ));
    let samples = s.color(color).samples.iter().rev().take(LISTED);
    for j in samples {
        let x = &j.sample;
        let n = x
            .requests
            .map(|n| format!("{n:.0}"))
            .unwrap_or_else(|| "–".into());
        let errors = match (x.error_rate, x.errors) {
            (Some(r), Some(e)) => format!("{} ({e:.0})", show(r, "%")),
            _ => "–".into(),
        };
        let p99 = s
            .value(x, P99)
            .map(|v| show(v, "ms"))
            .unwrap_or_else(|| "–".into());
        let rps = s
            .value(x, RPS)
            .map(|v| format!("{v:.1}"))
            .unwrap_or_else(|| "–".into());
        let (verdict, style) = match &j.verdict {
            Verdict::NoData(why) => (format!("no data: {why}"), p.warn),
            Verdict::TooSmall { requests } => (
                format!(
                    "not counted: {requests:.0} < {} requests",
                    s.analysis.min_requests
                ),
                p.dim,
            ),
            Verdict::Healthy => ("healthy".into(), p.ok),
            Verdict::Breach(b) => (
                b.iter()
                    .map(|b| format!("BREACH {} (×{:.1})", b.words, b.factor))
                    .collect::<Vec<_>>()
                    .join("; "),
                p.error,
            ),
        };
        out.push(Line::from(vec![
            Span::raw(format!(
                "  {}  {n:>8}   {errors:<18} {p99:<10} {rps:<8} ",
                state.zone.hms(x.at)
            )),
            Span::styled(verdict, style),
        ]));
    }
    if s.color(color).samples.is_empty() {
        out.push(Line::styled("  none yet", p.dim));
    }
    out
}

/// Where the samples come from and how the source fared last time.
fn source_line(s: &Signals, color: Color, p: &Palette) -> Line<'static> {
    let what = match s.source {
        Source::Scrape => "scraped from each ready pod",
        Source::Prometheus => "asked of Prometheus",
        Source::None => {
            return Line::styled("no metrics source is configured ([metrics] source)", p.warn)
        }
    };
    let mut spans = vec![Span::raw(format!(
        "source: {what} every {} s · ",
        s.interval_secs
    ))];
    match s.color(color).last() {
        None => spans.push(Span::styled("nothing received yet", p.warn)),
        Some(j) => {
            let h = &j.sample.health;
            let style = if h.ok == h.asked && h.errors.is_empty() {
                p.ok
            } else {
                p.warn
            };
            let unit = if s.source == Source::Scrape {
                "pods"
            } else {
                "queries"
            };
            spans.push(Span::styled(
                format!("{}/{} {unit} answered", h.ok, h.asked),
                style,
            ));
            if h.resets > 0 {
                spans.push(Span::styled(
                    format!(" · {} counter resets (restarts)", h.resets),
                    p.warn,
                ));
            }
            for e in &h.errors {
                spans.push(Span::styled(format!(" · {e}"), p.warn));
            }
        }
    }
    Line::from(spans)
}

/// The monitoring window about this color: counted, failures, budget, outcome.
fn judgement(state: &State, color: Color, p: &Palette) -> Vec<Line<'static>> {
    let s = &state.signals;
    let a = &s.analysis;
    let rule = format!(
        "judgement: {} {}breaching samples exhaust the budget (interval {} s → detection delay {} s)",
        a.failures_allowed + 1,
        if a.consecutive { "consecutive " } else { "" },
        s.interval_secs,
        s.detection_secs()
    );
    let mut out = vec![Line::styled(rule, p.bold)];
    let Some(w) = s.window_of(color) else {
        out.push(Line::styled(
            format!(
                "  {} is not being judged (a window opens when traffic switches to it)",
                color.word()
            ),
            p.dim,
        ));
        return out;
    };
    out.push(Line::raw(format!(
        "  window opened {} {} by {}, until {} · {}",
        state.zone.hms(w.opened),
        state.zone.label,
        opened_words(w),
        state.zone.hms(w.until),
        if w.armed {
            "auto-rollback armed"
        } else {
            "alarm only"
        }
    )));
    out.push(Line::raw(format!(
        "  {} samples counted · {} breaching ({} in a row) · budget left {} of {} · {} not counted",
        w.counted,
        w.failures,
        w.streak,
        w.budget_left(s),
        a.failures_allowed + 1,
        w.not_counted
    )));
    if let Some(reason) = &w.exhausted {
        let at = w
            .exhausted_at
            .map(|t| state.zone.hms(t))
            .unwrap_or_default();
        out.push(Line::styled(
            format!("  BUDGET EXHAUSTED at {at}: {reason}"),
            p.error,
        ));
    }
    if let Some(id) = &w.rollback {
        out.push(Line::styled(
            format!("  rolled back automatically (switch id {id})"),
            p.alarm,
        ));
    }
    if let Some(why) = &w.alarm {
        out.push(Line::styled(format!("  not rolled back: {why}"), p.alarm));
    }
    out
}

fn opened_words(w: &Window) -> &'static str {
    match w.opened_by {
        Opened::OwnSwitch => "this cockpit's switch",
        Opened::Watch => "cutover watch",
        Opened::Other => "a router change (another cockpit, or a rollback)",
    }
}
