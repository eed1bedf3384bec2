//! One log line as spans: a structured line as level badge, message and dimmed fields; a
//! plain line with its level words and 5xx codes marked; search matches highlighted on
//! top. All of it was decided when the line arrived: drawing only slices and styles.

use std::borrow::Cow;

use ratatui::style::{Color as Tint, Modifier, Style};
use ratatui::text::Span;
use regex::Regex;

use super::theme::Palette;
use crate::app::logbuf::LogEntry;
use crate::app::logfmt::{Level, MarkKind, Shape};
use crate::config::schema::Theme;

/// Styles of the parts of a log line, for one theme.
#[derive(Debug, Clone)]
pub struct LineStyles {
    /// Badges in words (monochrome) rather than coloured three-letter tags.
    words: bool,
    badge: [Style; 6],
    mark: [Style; 6],
    server_error: Style,
    /// The fields after the message.
    pub fields: Style,
    /// A search match.
    pub search: Style,
    /// The current search match (and its line's pod name).
    pub current: Style,
}

impl LineStyles {
    /// The styles of `theme`: in mono, meaning is in words and modifiers only.
    pub fn of(theme: Theme, p: &Palette) -> LineStyles {
        let on = |fg, bg| Style::new().fg(fg).bg(bg).add_modifier(Modifier::BOLD);
        // Trace, debug, info, warn, error, fatal.
        let mark = [p.dim, p.dim, p.ok, p.warn, p.error, p.error];
        if theme == Theme::Mono {
            let strong = Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD);
            let bold = Style::new().add_modifier(Modifier::BOLD);
            return LineStyles {
                words: true,
                badge: [
                    Style::new(),
                    Style::new(),
                    Style::new(),
                    bold,
                    strong,
                    strong,
                ],
                mark,
                server_error: p.error,
                fields: p.dim,
                search: Style::new().add_modifier(Modifier::REVERSED),
                current: Style::new()
                    .add_modifier(Modifier::REVERSED | Modifier::BOLD | Modifier::UNDERLINED),
            };
        }
        LineStyles {
            words: false,
            badge: [
                p.dim,
                Style::new().fg(Tint::Blue),
                Style::new().fg(Tint::Green),
                on(Tint::Black, Tint::Yellow),
                on(Tint::White, Tint::Red),
                on(Tint::White, Tint::Magenta),
            ],
            mark,
            server_error: p.error.add_modifier(Modifier::REVERSED),
            fields: p.dim,
            search: Style::new().fg(Tint::Black).bg(Tint::LightCyan),
            current: on(Tint::Black, Tint::LightMagenta),
        }
    }

    /// A level's badge: "ERR" in colour, "ERROR" in words (padded to one width).
    pub fn badge(&self, level: Level) -> Span<'static> {
        let text = match (self.words, level) {
            (false, l) => l.tag(),
            (true, Level::Info) => "INFO ",
            (true, Level::Warn) => "WARN ",
            (true, l) => l.word(),
        };
        Span::styled(text, self.badge[level as usize])
    }
}

/// The spans of a line's text, after its pod name: structured (unless `raw`), or the text
/// with marks. `drop_time` leaves out a structured line's own timestamp field.
pub fn body<'a>(e: &'a LogEntry, raw: bool, drop_time: bool, st: &LineStyles) -> Vec<Span<'a>> {
    let mut spans = Vec::with_capacity(4);
    match &e.parsed.shape {
        Shape::Structured(s) if !raw => {
            if let Some(level) = e.parsed.level {
                spans.push(st.badge(level));
                spans.push(Span::raw(" "));
            }
            let fields = s.fields(drop_time);
            spans.push(Span::raw(s.msg()));
            if !fields.is_empty() {
                if !s.msg().is_empty() {
                    spans.push(Span::raw(" "));
                }
                spans.push(Span::styled(fields, st.fields));
            }
        }
        Shape::Plain(marks) => {
            let mut at = 0;
            for m in marks.iter() {
                let (start, end) = (m.start as usize, m.end as usize);
                if start < at {
                    continue;
                }
                if start > at {
                    spans.push(Span::raw(&e.text[at..start]));
                }
                let style = match m.kind {
                    MarkKind::Level(l) => st.mark[l as usize],
                    MarkKind::ServerError => st.server_error,
                };
                spans.push(Span::styled(&e.text[start..end], style));
                at = end;
            }
            if at < e.text.len() || spans.is_empty() {
                spans.push(Span::raw(&e.text[at..]));
            }
        }
        Shape::Structured(_) => spans.push(Span::raw(e.text.as_str())),
    }
    spans
}

/// Split spans so every match of `re` is drawn patched with `style` (matches are found
/// within each span: a message and its fields are searched apart).
pub fn highlight<'a>(spans: Vec<Span<'a>>, re: &Regex, style: Style) -> Vec<Span<'a>> {
    let mut out = Vec::with_capacity(spans.len() + 2);
    for span in spans {
        let mut found = re
            .find_iter(&span.content)
            .filter(|m| !m.is_empty())
            .peekable();
        if found.peek().is_none() {
            out.push(span);
            continue;
        }
        let ranges: Vec<_> = found.map(|m| m.range()).collect();
        let part = |r: std::ops::Range<usize>| -> Cow<'a, str> {
            match &span.content {
                Cow::Borrowed(s) => {
                    let s: &'a str = s;
                    Cow::Borrowed(&s[r])
                }
                Cow::Owned(s) => Cow::Owned(s[r].to_string()),
            }
        };
        let mut at = 0;
        for r in ranges {
            if r.start > at {
                out.push(Span::styled(part(at..r.start), span.style));
            }
            out.push(Span::styled(part(r.clone()), span.style.patch(style)));
            at = r.end;
        }
        if at < span.content.len() {
            out.push(Span::styled(part(at..span.content.len()), span.style));
        }
    }
    out
}
