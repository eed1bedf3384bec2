//! The `L` screen: cutover's own log (tui-logger's records; the caller installs the logger),
//! sanitized and wrapped by display width like everything else on screen, with a hint when
//! there is nothing to show.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use ratatui::layout::Rect;
use ratatui::style::Style;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph, Widget, Wrap};
use ratatui::Frame;
use tui_logger::{ExtLogRecord, LogFormatter, TuiLoggerWidget};

use super::fmt::wrap_columns;
use super::theme::Palette;
use crate::sanitize::sanitize_oneline;

/// Longest record kept on screen, in columns (a record is one line before wrapping).
const MAX_RECORD: usize = 4_000;

/// Shown when the log has no record yet.
pub const EMPTY_HINT: &str = "cutover's own log is empty; CUTOVER_LOG=debug shows more";

/// Formats a record as `10:42:07 WARN  message`, the message sanitized and wrapped under
/// itself; notes that it was asked to format anything at all.
struct Sanitized {
    seen: Arc<AtomicBool>,
    warn: Style,
    error: Style,
    dim: Style,
}

impl LogFormatter for Sanitized {
    fn min_width(&self) -> u16 {
        20
    }

    fn format(&self, width: usize, evt: &ExtLogRecord) -> Vec<Line<'_>> {
        self.seen.store(true, Ordering::Relaxed);
        let level = evt.level.as_str();
        let style = match level {
            "ERROR" => self.error,
            "WARN" => self.warn,
            _ => Style::default(),
        };
        let head = format!("{} {level:<5} ", evt.timestamp.strftime("%H:%M:%S"));
        let indent = head.chars().count();
        let text = sanitize_oneline(evt.msg(), MAX_RECORD);
        let rows = wrap_columns(&text, width.saturating_sub(indent).max(1));
        rows.into_iter()
            .enumerate()
            .map(|(i, row)| {
                let lead = if i == 0 {
                    Span::styled(head.clone(), self.dim)
                } else {
                    Span::raw(" ".repeat(indent))
                };
                Line::from(vec![lead, Span::styled(row, style)])
            })
            .collect()
    }
}

/// Draw cutover's own log over `area`.
pub fn draw(frame: &mut Frame, area: Rect, p: &Palette) {
    frame.render_widget(Clear, area);
    let block = Block::bordered().title(" cutover log · Esc closes ");
    let inner = block.inner(area);
    let seen = Arc::new(AtomicBool::new(false));
    let widget = TuiLoggerWidget::default()
        .formatter(Box::new(Sanitized {
            seen: seen.clone(),
            warn: p.warn,
            error: p.error,
            dim: p.dim,
        }))
        .block(block);
    widget.render(area, frame.buffer_mut());
    if !seen.load(Ordering::Relaxed) {
        frame.render_widget(
            Paragraph::new(Span::styled(EMPTY_HINT, p.dim)).wrap(Wrap { trim: true }),
            inner,
        );
    }
}
