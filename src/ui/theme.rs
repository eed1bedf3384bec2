//! Styles for the dark, light and monochrome themes. Meaning never rests on color
//! alone: colors are also written as words, and mono uses reverse/bold/underline.

use ratatui::style::{Color as Tint, Modifier, Style};

use crate::app::logbuf::POD_SLOTS;
use crate::config::schema::Theme;
use crate::model::Color;

/// Resolved styles for one theme.
#[derive(Debug, Clone, PartialEq)]
pub struct Palette {
    /// Secondary text.
    pub dim: Style,
    /// Emphasis.
    pub bold: Style,
    /// Good (probe ok, Running).
    pub ok: Style,
    /// Attention (Pending, stale, paused).
    pub warn: Style,
    /// Bad (CrashLoopBackOff, failed probe).
    pub error: Style,
    /// UNKNOWN / MISSING router state: loud.
    pub alarm: Style,
    /// The rollback key in the footer.
    pub rollback: Style,
    /// Selected row.
    pub selected: Style,
    blue: Tint,
    green: Tint,
    on_color: Tint,
    pods: [Tint; POD_SLOTS as usize],
    mono: bool,
}

impl Palette {
    /// The palette of a theme.
    pub fn of(theme: Theme) -> Palette {
        let base = Palette {
            dim: Style::new().add_modifier(Modifier::DIM),
            bold: Style::new().add_modifier(Modifier::BOLD),
            ok: Style::new().fg(Tint::Green),
            warn: Style::new().fg(Tint::Yellow),
            error: Style::new().fg(Tint::Red).add_modifier(Modifier::BOLD),
            alarm: Style::new()
                .fg(Tint::White)
                .bg(Tint::Red)
                .add_modifier(Modifier::BOLD),
            rollback: Style::new()
                .fg(Tint::White)
                .bg(Tint::Red)
                .add_modifier(Modifier::BOLD),
            selected: Style::new().add_modifier(Modifier::REVERSED),
            blue: Tint::LightBlue,
            green: Tint::LightGreen,
            on_color: Tint::Black,
            pods: [
                Tint::Cyan,
                Tint::Magenta,
                Tint::Yellow,
                Tint::LightCyan,
                Tint::LightMagenta,
                Tint::LightYellow,
            ],
            mono: false,
        };
        match theme {
            Theme::Dark => base,
            Theme::Light => Palette {
                ok: Style::new().fg(Tint::Green),
                warn: Style::new().fg(Tint::Rgb(160, 100, 0)),
                blue: Tint::Blue,
                green: Tint::Green,
                on_color: Tint::White,
                pods: [
                    Tint::Cyan,
                    Tint::Magenta,
                    Tint::Rgb(160, 100, 0),
                    Tint::DarkGray,
                    Tint::Rgb(120, 0, 120),
                    Tint::Rgb(0, 110, 110),
                ],
                ..base
            },
            Theme::Mono => Palette {
                dim: Style::new(),
                ok: Style::new(),
                warn: Style::new().add_modifier(Modifier::BOLD),
                error: Style::new().add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
                alarm: Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
                rollback: Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD),
                blue: Tint::Reset,
                green: Tint::Reset,
                on_color: Tint::Reset,
                pods: [Tint::Reset; POD_SLOTS as usize],
                mono: true,
                ..base
            },
        }
    }

    /// Text in a color's own color (borders, the color's name).
    pub fn color(&self, c: Color) -> Style {
        if self.mono {
            return Style::new().add_modifier(Modifier::BOLD);
        }
        Style::new().fg(match c {
            Color::Blue => self.blue,
            Color::Green => self.green,
        })
    }

    /// The LIVE marker: the color as background, unmistakable.
    pub fn live(&self, c: Color) -> Style {
        if self.mono {
            return Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD);
        }
        Style::new()
            .fg(self.on_color)
            .bg(match c {
                Color::Blue => self.blue,
                Color::Green => self.green,
            })
            .add_modifier(Modifier::BOLD)
    }

    /// A pod's log prefix color.
    pub fn pod(&self, slot: u8) -> Style {
        if self.mono {
            return Style::new().add_modifier(Modifier::BOLD);
        }
        Style::new().fg(self.pods[slot as usize % self.pods.len()])
    }

    /// Style of a pod status word.
    pub fn status(&self, status: &str, ready: bool) -> Style {
        match status {
            "Running" if ready => self.ok,
            "Running" | "Pending" | "ContainerCreating" | "PodInitializing" | "Terminating" => {
                self.warn
            }
            "Completed" => self.dim,
            _ => self.error,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_theme_tells_the_colors_apart() {
        for theme in [Theme::Dark, Theme::Light] {
            let p = Palette::of(theme);
            assert_ne!(p.color(Color::Blue), p.color(Color::Green), "{theme:?}");
            assert_ne!(p.live(Color::Blue), p.live(Color::Green), "{theme:?}");
        }
        assert_eq!(
            Palette::of(Theme::Light).color(Color::Blue).fg,
            Some(Tint::Blue)
        );
    }

    #[test]
    fn mono_uses_no_color_but_still_marks_live() {
        let p = Palette::of(Theme::Mono);
        let live = p.live(Color::Blue);
        assert_eq!(live.fg, None);
        assert_eq!(live.bg, None);
        assert!(live.add_modifier.contains(Modifier::REVERSED));
        assert!(p.alarm.add_modifier.contains(Modifier::REVERSED));
    }
}
