//! Styles for the dark, light and monochrome themes. Meaning never rests on colour
//! alone: colours are also written as words, and mono uses reverse/bold/underline.

use ratatui::style::{Color, Modifier, Style};

use crate::app::logbuf::POD_SLOTS;
use crate::app::model::Colour;
use crate::config::schema::Theme;

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
    blue: Color,
    green: Color,
    on_colour: Color,
    pods: [Color; POD_SLOTS as usize],
    mono: bool,
}

impl Palette {
    /// The palette of a theme.
    pub fn of(theme: Theme) -> Palette {
        let base = Palette {
            dim: Style::new().add_modifier(Modifier::DIM),
            bold: Style::new().add_modifier(Modifier::BOLD),
            ok: Style::new().fg(Color::Green),
            warn: Style::new().fg(Color::Yellow),
            error: Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
            alarm: Style::new()
                .fg(Color::White)
                .bg(Color::Red)
                .add_modifier(Modifier::BOLD),
            rollback: Style::new()
                .fg(Color::White)
                .bg(Color::Red)
                .add_modifier(Modifier::BOLD),
            selected: Style::new().add_modifier(Modifier::REVERSED),
            blue: Color::LightBlue,
            green: Color::LightGreen,
            on_colour: Color::Black,
            pods: [
                Color::Cyan,
                Color::Magenta,
                Color::Yellow,
                Color::LightCyan,
                Color::LightMagenta,
                Color::LightYellow,
            ],
            mono: false,
        };
        match theme {
            Theme::Dark => base,
            Theme::Light => Palette {
                ok: Style::new().fg(Color::Green),
                warn: Style::new().fg(Color::Rgb(160, 100, 0)),
                blue: Color::Blue,
                green: Color::Green,
                on_colour: Color::White,
                pods: [
                    Color::Cyan,
                    Color::Magenta,
                    Color::Rgb(160, 100, 0),
                    Color::DarkGray,
                    Color::Rgb(120, 0, 120),
                    Color::Rgb(0, 110, 110),
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
                blue: Color::Reset,
                green: Color::Reset,
                on_colour: Color::Reset,
                pods: [Color::Reset; POD_SLOTS as usize],
                mono: true,
                ..base
            },
        }
    }

    /// Text in a colour's own colour (borders, the colour's name).
    pub fn colour(&self, c: Colour) -> Style {
        if self.mono {
            return Style::new().add_modifier(Modifier::BOLD);
        }
        Style::new().fg(match c {
            Colour::Blue => self.blue,
            Colour::Green => self.green,
        })
    }

    /// The LIVE marker: the colour as background, unmistakable.
    pub fn live(&self, c: Colour) -> Style {
        if self.mono {
            return Style::new().add_modifier(Modifier::REVERSED | Modifier::BOLD);
        }
        Style::new()
            .fg(self.on_colour)
            .bg(match c {
                Colour::Blue => self.blue,
                Colour::Green => self.green,
            })
            .add_modifier(Modifier::BOLD)
    }

    /// A pod's log prefix colour.
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
    fn every_theme_tells_the_colours_apart() {
        for theme in [Theme::Dark, Theme::Light] {
            let p = Palette::of(theme);
            assert_ne!(p.colour(Colour::Blue), p.colour(Colour::Green), "{theme:?}");
            assert_ne!(p.live(Colour::Blue), p.live(Colour::Green), "{theme:?}");
        }
        assert_eq!(
            Palette::of(Theme::Light).colour(Colour::Blue).fg,
            Some(Color::Blue)
        );
    }

    #[test]
    fn mono_uses_no_colour_but_still_marks_live() {
        let p = Palette::of(Theme::Mono);
        let live = p.live(Colour::Blue);
        assert_eq!(live.fg, None);
        assert_eq!(live.bg, None);
        assert!(live.add_modifier.contains(Modifier::REVERSED));
        assert!(p.alarm.add_modifier.contains(Modifier::REVERSED));
    }
}
