//! The scrape source: every ready pod's metrics path through the probes' transport (pod
//! proxy or port-forward), a bounded number at once, each with its own timeout, so 400
//! pods never block each other, the other color, or the UI.

use std::time::Duration;

use chrono::Utc;
use futures::StreamExt;

use super::{interval, keep_reason};
use crate::app::msg::Msg;
use crate::bus::{probes, Ctx, Shared};
use crate::cluster::clean;
use crate::config::schema::Config;
use crate::metrics::rates::Tracker;
use crate::metrics::{expr, parse, reduce, Health, Spec};
use crate::model::{Color, PodSummary};

/// What the configuration asks a scrape round to be reduced to.
pub fn spec(config: &Config) -> Spec {
    let m = &config.metrics;
    Spec {
        requests: m.requests_metric.clone(),
        latency: m.latency_metric.clone(),
        custom: m
            .signals
            .iter()
            .map(|s| s.expression.as_deref().and_then(|e| expr::compile(e).ok()))
            .collect(),
    }
}

/// Scrape `color`'s ready pods every interval until the receiver is gone.
pub async fn run(ctx: Ctx, shared: Shared, color: Color) {
    let spec = spec(&ctx.config);
    let mut tracker = Tracker::new();
    let mut tick = interval(ctx.config.metrics.interval_secs);
    loop {
        tick.tick().await;
        let pods: Vec<PodSummary> = shared.pods[color as usize]
            .borrow()
            .iter()
            .map(|f| f.summary.clone())
            .filter(|p| p.is_ready() && !p.terminating)
            .collect();
        let health = round(&ctx, color, &pods, &mut tracker).await;
        let r = tracker.finish(pods.iter().map(|p| p.name.as_str()));
        let sample = reduce(&r, &spec, Utc::now(), health);
        let msg = Msg::Signals {
            color,
            sample: Box::new(sample),
        };
        if ctx.tx.send(msg).is_err() {
            return;
        }
    }
}

/// Scrape every pod once (bounded concurrency), folding each answer into the tracker.
async fn round(ctx: &Ctx, color: Color, pods: &[PodSummary], tracker: &mut Tracker) -> Health {
    let m = &ctx.config.metrics;
    let timeout = Duration::from_secs_f64(m.timeout_secs.max(0.1));
    let mut health = Health {
        asked: pods.len() as u32,
        ..Health::default()
    };
    // Owned futures: each scrape carries what it needs (no borrow across the spawned task).
    let jobs: Vec<_> = pods
        .iter()
        .map(|p| {
            let ctx = ctx.clone();
            let (pod, path) = (p.name.clone(), m.path.clone());
            async move {
                let get = probes::to_pod(&ctx, color, &pod, hyper::Method::GET, &path);
                let fetched = tokio::time::timeout(timeout, get).await;
                (pod, fetched, Utc::now())
            }
        })
        .collect();
    let mut answers = futures::stream::iter(jobs).buffer_unordered(m.concurrency.max(1));
    while let Some((pod, fetched, at)) = answers.next().await {
        let text = match fetched {
            Err(_) => Err(format!("timeout after {} s", m.timeout_secs)),
            Ok(Err(e)) => Err(clean(&e)),
            Ok(Ok(a)) if !a.status.is_success() => Err(format!("HTTP {}", a.status.as_u16())),
            Ok(Ok(a)) => String::from_utf8(a.body.to_vec()).map_err(|_| "not UTF-8".to_string()),
        };
        match text.and_then(|t| parse::parse(&t).map_err(|e| e.to_string())) {
            Ok(exposition) => {
                tracker.observe(&pod, at, &exposition);
                health.ok += 1;
            }
            Err(e) => keep_reason(&mut health.errors, clean(&format!("{pod}: {e}"))),
        }
    }
    health
}
