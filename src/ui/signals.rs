//! A color's signal rows (the error-rate sparkline against its threshold, p99, request
//! volume, custom signals, the judgement), and the header's automatic-rollback banner.
//! Everything shown is decided in the core (`State::signals`); this only draws it.

use ratatui::style::Style;
use ratatui::text::{Line, Span};

use super::fmt::age;
use super::theme::Palette;
use crate::app::signals::judge::show;
use crate::app::signals::{Judged, Signals, Verdict, ERROR_RATE, P99, RPS};
use crate::app::state::State;
use crate::config::metrics::{Direction, Source};
use crate::model::Color;

/// Bars of the sparkline, lowest first; the threshold sits at the middle one.
const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// Most samples in the sparkline.
const SPARK_MAX: usize = 24;

/// The rows under a color's probes.
pub fn rows(state: &State, c: Color, width: u16, p: &Palette) -> Vec<Line<'static>> {
    let s = &state.signals;
    if s.source == Source::None {
        // Never a flat "healthy" line without data: say there is no source.
        return vec![Line::from(vec![
            Span::styled("5xx ", p.dim),
            Span::styled("no metrics source", p.warn),
        ])];
    }
    let mut out = vec![error_row(s, c, width, p), volume_row(s, c, p)];
    if s.definitions.len() > crate::app::signals::CUSTOM {
        out.push(custom_row(s, c, p));
    }
    if let Some(line) = window_row(state, c, p) {
        out.push(line);
    }
    out
}

/// How many rows [`rows`] draws for `c`.
pub fn height(state: &State, c: Color) -> u16 {
    let s = &state.signals;
    if s.source == Source::None {
        return 1;
    }
    let custom = u16::from(s.definitions.len() > crate::app::signals::CUSTOM);
    let window = u16::from(s.window_of(c).is_some());
    2 + custom + window
}

/// `5xx ▁▁▂▃▅▇█ 2.31 % ✖ > 0.10 % ×23`, or why there is no value.
fn error_row(s: &Signals, c: Color, width: u16, p: &Palette) -> Line<'static> {
    let d = &s.definitions[ERROR_RATE];
    let samples: Vec<&Judged> = s.color(c).samples.iter().collect();
    let room = (width as usize).saturating_sub(34).clamp(4, SPARK_MAX);
    let mut spans = vec![Span::styled("5xx ", p.dim)];
    let bars = sparkline(
        s,
        &samples[samples.len().saturating_sub(room)..],
        ERROR_RATE,
        p,
    );
    if !bars.is_empty() {
        spans.extend(bars);
        spans.push(Span::raw(" "));
    }
    let Some(last) = samples.last() else {
        spans.push(Span::styled("waiting for the first sample…", p.dim));
        return Line::from(spans);
    };
    match (&last.verdict, last.sample.error_rate) {
        (Verdict::NoData(why), _) => spans.push(Span::styled(format!("no data: {why}"), p.warn)),
        (verdict, Some(rate)) => {
            let t = d.threshold.unwrap_or(f64::INFINITY);
            let breach = rate > t;
            let style = if breach { p.error } else { p.ok };
            spans.push(Span::styled(show(rate, "%"), style));
            let mark = if breach { " ✖ > " } else { " ≤ " };
            spans.push(Span::styled(format!("{mark}{}", show(t, "%")), p.dim));
            if breach && t > 0.0 {
                spans.push(Span::styled(format!(" ×{:.0}", rate / t), p.error));
            }
            if let Verdict::TooSmall { .. } = verdict {
                spans.push(Span::styled(" (too few requests to count)", p.dim));
            }
        }
        (_, None) => spans.push(Span::styled("no data: no requests", p.warn)),
    }
    Line::from(spans)
}

/// Bars scaled against the threshold (the threshold is the middle bar; twice it is full):
/// 0.02 % noise under a 0.1 % threshold stays low instead of filling the pane. No data is
/// an absent bar; a sample too small to count is dim; a breach is red.
pub fn sparkline(
    s: &Signals,
    samples: &[&Judged],
    signal: usize,
    p: &Palette,
) -> Vec<Span<'static>> {
    let d = &s.definitions[signal];
    samples
        .iter()
        .map(|j| {
            let Some(v) = s.value(&j.sample, signal) else {
                return Span::styled(" ", p.dim);
            };
            let level = match d.threshold {
                Some(t) if t > 0.0 => {
                    let ratio = match d.direction {
                        Direction::Above => v / t,
                        Direction::Below => (2.0 - v / t).max(0.0),
                    };
                    ((ratio * 4.0).ceil() as usize).clamp(1, 8) - 1
                }
                _ => 0,
            };
            let style = match &j.verdict {
                Verdict::Breach(b) if b.iter().any(|b| b.signal == signal) => p.error,
                Verdict::TooSmall { .. } | Verdict::NoData(_) => p.dim,
                _ => p.ok,
            };
            Span::styled(BARS[level].to_string(), style)
        })
        .collect()
}

/// `p99 340 ms · 48.0 rps · 250 requests in 5 s`.
fn volume_row(s: &Signals, c: Color, p: &Palette) -> Line<'static> {
    let mut spans = vec![Span::styled("p99 ", p.dim)];
    let last = s.color(c).last();
    let value = |i: usize| last.and_then(|j| s.value(&j.sample, i));
    spans.push(value_span(s, last, P99, p));
    spans.push(Span::styled(" · ", p.dim));
    spans.push(match value(RPS) {
        Some(r) => Span::raw(show(r, "rps")),
        None => Span::styled("– rps", p.dim),
    });
    if let Some(j) = last {
        spans.push(Span::styled(" · ", p.dim));
        spans.push(match (j.sample.requests, j.sample.errors) {
            (Some(n), Some(e)) => Span::styled(
                format!("{e:.0} 5xx of {n:.0} requests in {:.0} s", j.sample.secs),
                if n < s.analysis.min_requests as f64 {
                    p.warn
                } else {
                    Style::default()
                },
            ),
            _ => Span::styled("requests unknown", p.warn),
        });
    }
    Line::from(spans)
}

/// `db pool 45 % · cache hit 85 % ✖ < 90 %`.
fn custom_row(s: &Signals, c: Color, p: &Palette) -> Line<'static> {
    let last = s.color(c).last();
    let mut spans = Vec::new();
    for i in crate::app::signals::CUSTOM..s.definitions.len() {
        if !spans.is_empty() {
            spans.push(Span::styled(" · ", p.dim));
        }
        spans.push(Span::styled(format!("{} ", s.definitions[i].name), p.dim));
        spans.push(value_span(s, last, i, p));
    }
    Line::from(spans)
}

/// A signal's value, red with its threshold when it breaches; "–" without data.
fn value_span(s: &Signals, last: Option<&Judged>, i: usize, p: &Palette) -> Span<'static> {
    let d = &s.definitions[i];
    let Some(v) = last.and_then(|j| s.value(&j.sample, i)) else {
        return Span::styled("–", p.dim);
    };
    let breach = d.threshold.is_some_and(|t| match d.direction {
        Direction::Above => v > t,
        Direction::Below => v < t,
    });
    if !breach {
        return Span::raw(show(v, &d.unit));
    }
    let sign = if d.direction == Direction::Above {
        ">"
    } else {
        "<"
    };
    let t = d.threshold.unwrap_or_default();
    Span::styled(
        format!("{} ✖ {sign} {}", show(v, &d.unit), show(t, &d.unit)),
        p.error,
    )
}

/// The judgement of this color, when a window judges (or judged) it.
fn window_row(state: &State, c: Color, p: &Palette) -> Option<Line<'static>> {
    let s = &state.signals;
    let w = s.window_of(c)?;
    let mut spans = vec![Span::styled("judged ", p.dim)];
    if w.rollback.is_some() {
        spans.push(Span::styled(
            format!(
                " ROLLED BACK automatically: {} ",
                w.exhausted.clone().unwrap_or_default()
            ),
            p.alarm,
        ));
    } else if let Some(why) = &w.alarm {
        spans.push(Span::styled(
            format!(
                " BREACHED: {} — {why} ",
                w.exhausted.clone().unwrap_or_default()
            ),
            p.alarm,
        ));
    } else if let Some(reason) = &w.exhausted {
        spans.push(Span::styled(format!(" BREACHED: {reason} "), p.alarm));
    } else if w.open(state.now) {
        spans.push(Span::raw(format!(
            "{} left · {} counted · budget {}/{}",
            age(w.until, state.now),
            w.counted,
            w.budget_left(s),
            s.analysis.failures_allowed + 1
        )));
        if w.armed {
            spans.push(Span::styled(" · auto-rollback armed", p.warn));
        }
    } else {
        spans.push(Span::styled(
            format!(
                "healthy for the whole window ({} samples counted)",
                w.counted
            ),
            p.ok,
        ));
    }
    Some(Line::from(spans))
}

/// The header's banner: an automatic rollback or a breach nobody can miss.
pub fn banner(state: &State, p: &Palette) -> Vec<Span<'static>> {
    match &state.signals.banner {
        Some(text) => vec![Span::raw(" "), Span::styled(format!(" {text} "), p.alarm)],
        None => Vec::new(),
    }
}

/// `· auto-rollback armed (this cockpit)` when it is.
pub fn armed(state: &State, p: &Palette) -> Vec<Span<'static>> {
    if !state.auto_rollback_armed() {
        return Vec::new();
    }
    vec![
        Span::raw(" · "),
        Span::styled("auto-rollback armed (this cockpit)", p.warn),
    ]
}
