//! Each color's signals, every `[metrics] interval_secs`: scraped from its ready pods
//! (`scrape.rs`) or asked of a Prometheus server (`prometheus.rs`). The math lives in
//! `crate::metrics`; this is only the I/O, and each sample goes to `update` as
//! `Msg::Signals`.

mod prometheus;
mod scrape;

use std::time::Duration;

use tokio::task::JoinSet;

use super::{Ctx, Shared};
use crate::config::metrics::Source;
use crate::model::Color;

pub use scrape::spec;

/// Starts one sampling loop per color for the configured source.
pub fn spawn_all(ctx: &Ctx, shared: &Shared, tasks: &mut JoinSet<()>) {
    for color in Color::BOTH {
        match ctx.config.metrics.source {
            Source::Scrape => {
                tasks.spawn(scrape::run(ctx.clone(), shared.clone(), color));
            }
            Source::Prometheus => {
                tasks.spawn(prometheus::run(ctx.clone(), color));
            }
            Source::None => {}
        }
    }
}

/// A tick every `secs` that never bursts to catch up after a slow round.
fn interval(secs: f64) -> tokio::time::Interval {
    let mut tick = tokio::time::interval(Duration::from_secs_f64(secs.max(0.1)));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tick
}

/// The first few distinct reasons, enough to say what is wrong.
fn keep_reason(errors: &mut Vec<String>, reason: String) {
    if errors.len() < 3 && !errors.contains(&reason) {
        errors.push(reason);
    }
}
