//! When to draw: a pure decision from what changed and when the last frame was drawn.
//! The user's keys are drawn at once; data changes at most every [`DATA_GAP`]; new log
//! lines alone at the configured log rate, so a streaming log never delays a key.

use std::time::Duration;

use tokio::time::Instant;

use crate::app::state::Dirty;

/// Shortest time between two frames for data changes (pods, router, probes, actions):
/// about 30 frames a second.
pub const DATA_GAP: Duration = Duration::from_millis(33);

/// What is waiting to be drawn.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pending {
    /// The user pressed a key (or resized) and the state changed.
    pub key: bool,
    /// A data change other than log lines.
    pub urgent: bool,
    /// New log lines in a pane on screen.
    pub logs: bool,
}

impl Pending {
    /// Adds the state's changes (from `State::take_changes`).
    pub fn add(&mut self, changes: Dirty) {
        self.urgent |= changes.contains(Dirty::OTHER);
        self.logs |= changes.contains(Dirty::LOGS);
    }

    /// Nothing to draw.
    pub fn is_empty(&self) -> bool {
        !(self.key || self.urgent || self.logs)
    }
}

/// The frame gaps in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Pace {
    /// Shortest gap before a frame for data changes.
    pub data: Duration,
    /// Shortest gap before a frame for log lines alone.
    pub logs: Duration,
}

impl Pace {
    /// The pace for `[ui] log_fps` (at least one frame a second, at most [`DATA_GAP`]
    /// apart for logs too).
    pub fn new(log_fps: u32) -> Pace {
        let logs = Duration::from_secs(1) / log_fps.max(1);
        Pace {
            data: DATA_GAP,
            logs: logs.max(DATA_GAP),
        }
    }
}

/// What the loop does next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Draw a frame now.
    Draw,
    /// Draw at this instant, unless something more urgent comes first.
    DrawAt(Instant),
    /// Nothing to draw: wait for input or data.
    Idle,
}

/// The next frame, from what is pending and when the last frame was drawn.
pub fn next_frame(now: Instant, last_draw: Instant, pending: Pending, pace: Pace) -> Decision {
    let gap = if pending.key {
        return Decision::Draw;
    } else if pending.urgent {
        pace.data
    } else if pending.logs {
        pace.logs
    } else {
        return Decision::Idle;
    };
    let due = last_draw + gap;
    if now >= due {
        Decision::Draw
    } else {
        Decision::DrawAt(due)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOGS: Pending = Pending {
        key: false,
        urgent: false,
        logs: true,
    };

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn a_key_is_drawn_at_once_while_logs_stream() {
        let pace = Pace::new(10);
        let t0 = Instant::now();
        // A frame was just drawn for log lines; more lines are pending.
        assert_eq!(
            next_frame(t0 + ms(1), t0, LOGS, pace),
            Decision::DrawAt(t0 + ms(100))
        );
        let key = Pending { key: true, ..LOGS };
        assert_eq!(next_frame(t0 + ms(1), t0, key, pace), Decision::Draw);
        assert_eq!(
            next_frame(t0, t0, key, pace),
            Decision::Draw,
            "no cap at all"
        );
    }

    #[test]
    fn log_lines_alone_are_coalesced_at_the_log_rate() {
        let pace = Pace::new(10);
        let t0 = Instant::now();
        // However many batches arrive meanwhile, one frame is due 100 ms after the last.
        let mut pending = Pending::default();
        for _ in 0..50 {
            pending.add(Dirty::LOGS);
            assert_eq!(
                next_frame(t0 + ms(40), t0, pending, pace),
                Decision::DrawAt(t0 + ms(100))
            );
        }
        assert_eq!(next_frame(t0 + ms(100), t0, pending, pace), Decision::Draw);
        assert_eq!(
            next_frame(t0 + ms(5), t0, Pending::default(), pace),
            Decision::Idle
        );
    }

    #[test]
    fn other_changes_draw_at_the_data_rate_even_with_logs_pending() {
        let pace = Pace::new(10);
        let t0 = Instant::now();
        let mut pending = LOGS;
        pending.add(Dirty::OTHER);
        assert_eq!(
            next_frame(t0 + ms(10), t0, pending, pace),
            Decision::DrawAt(t0 + DATA_GAP)
        );
        assert_eq!(next_frame(t0 + DATA_GAP, t0, pending, pace), Decision::Draw);
    }

    #[test]
    fn the_log_rate_is_bounded_both_ways() {
        assert_eq!(Pace::new(4).logs, ms(250));
        assert_eq!(Pace::new(60).logs, DATA_GAP, "never faster than data");
        assert_eq!(Pace::new(0).logs, Duration::from_secs(1));
    }
}
