//! Log feeds: per color, follow up to `max_streams` pods matching the selector, attach to
//! new pods and detach from deleted ones, and deliver lines in batches.

pub mod dedup;
pub mod stream;

use std::collections::BTreeMap;
use std::time::Duration;

use k8s_openapi::api::core::v1::Pod;
use kube::Api;
use tokio::sync::mpsc;
use tokio::task::{AbortHandle, JoinSet};

use super::watch::FeedHealth;
use super::{Ctx, PodFacts, Shared};
use crate::app::msg::Msg;
use crate::model::{Color, Feed, LogLine, PodSummary};

/// Lines are gathered this long before they are sent as one `Msg::LogLines`.
pub const BATCH: Duration = Duration::from_millis(50);
/// Most batches (one per stream read) queued for the batcher before the streams wait.
const QUEUE: usize = 10_000;

/// Starts the batcher and one log manager per color.
pub fn spawn_all(ctx: &Ctx, shared: &Shared, tasks: &mut JoinSet<()>) {
    let (lines_tx, lines_rx) = mpsc::channel(QUEUE);
    tasks.spawn(batch(lines_rx, ctx.tx.clone()));
    for color in Color::BOTH {
        let pods = shared.pods[color as usize].subscribe();
        tasks.spawn(manage(ctx.clone(), color, pods, lines_tx.clone()));
    }
}

/// Joins the streams' batches into one message per [`BATCH`]. After the first batch it
/// sleeps rather than waking for every read: one wake-up per message, not per read.
async fn batch(mut rx: mpsc::Receiver<Vec<LogLine>>, tx: mpsc::UnboundedSender<Msg>) {
    let mut batches = Vec::new();
    while rx.recv_many(&mut batches, QUEUE).await > 0 {
        tokio::time::sleep(BATCH).await;
        while let Ok(more) = rx.try_recv() {
            batches.push(more);
            if batches.len() >= QUEUE {
                break;
            }
        }
        let lines: Vec<LogLine> = batches.drain(..).flatten().collect();
        if tx.send(Msg::LogLines(lines)).is_err() {
            return;
        }
    }
}

/// A pod whose container has started has logs to follow.
fn has_started(p: &PodSummary) -> bool {
    p.restarts > 0
        || p.containers
            .iter()
            .any(|c| c.state.starts_with("running") || c.state.starts_with("terminated"))
}

/// Which pods to follow: those already followed while they exist, then started pods by
/// name, up to `max`. Stable, so a new pod never steals a running stream's slot.
pub fn choose(pods: &[PodSummary], followed: &[String], max: usize) -> Vec<String> {
    let mut chosen: Vec<String> = followed
        .iter()
        .filter(|f| pods.iter().any(|p| &p.name == *f))
        .take(max)
        .cloned()
        .collect();
    for p in pods.iter().filter(|p| has_started(p)) {
        if chosen.len() >= max {
            break;
        }
        if !chosen.contains(&p.name) {
            chosen.push(p.name.clone());
        }
    }
    chosen
}

/// The health of a color's log feed: Reconnecting while any followed stream fails to
/// open for a feed-level reason, Live otherwise.
struct StreamsHealth {
    health: FeedHealth,
    failing: BTreeMap<String, String>,
}

impl StreamsHealth {
    fn new(health: FeedHealth) -> Self {
        Self {
            health,
            failing: BTreeMap::new(),
        }
    }

    /// Forgets pods no longer followed; following nothing is healthy, not connecting.
    fn retain(&mut self, open: &BTreeMap<String, AbortHandle>) {
        self.failing.retain(|name, _| open.contains_key(name));
        if open.is_empty() || self.failing.is_empty() {
            self.health.live();
        }
    }

    /// A stream reported how its open went; `following` streams are open.
    fn opened(&mut self, opened: stream::Opened, following: usize) {
        let was = self.failing.len();
        match opened.error {
            Some(e) => self.failing.insert(opened.pod, e),
            None => self.failing.remove(&opened.pod),
        };
        match self.failing.iter().next() {
            None => self.health.live(),
            Some((pod, e)) if self.failing.len() != was => {
                let n = self.failing.len();
                let error = format!("{n} of {following} log streams failing; {pod}: {e}");
                self.health.failed(&error);
            }
            Some(_) => {}
        }
    }
}

async fn manage(
    ctx: Ctx,
    color: Color,
    mut pods: tokio::sync::watch::Receiver<Vec<PodFacts>>,
    lines: mpsc::Sender<Vec<LogLine>>,
) {
    let cc = ctx.config.colors.of(color);
    let api: Api<Pod> = Api::namespaced(ctx.client.clone(), &cc.namespace);
    let logs = &ctx.config.logs;
    let mut streams: JoinSet<()> = JoinSet::new();
    let mut open: BTreeMap<String, AbortHandle> = BTreeMap::new();
    let mut reported = None;
    let (health_tx, mut health_rx) = mpsc::unbounded_channel();
    let mut health = StreamsHealth::new(FeedHealth::new(Feed::Logs(color), ctx.tx.clone()));
    loop {
        let current = pods.borrow_and_update().clone();
        let summaries: Vec<PodSummary> = current.iter().map(|f| f.summary.clone()).collect();
        let followed: Vec<String> = open.keys().cloned().collect();
        let chosen = choose(&summaries, &followed, logs.max_streams);
        open.retain(|name, handle| {
            let keep = chosen.contains(name);
            if !keep {
                handle.abort();
            }
            keep
        });
        health.retain(&open);
        for name in &chosen {
            if open.contains_key(name) {
                continue;
            }
            let Some(pod) = current.iter().find(|p| &p.summary.name == name) else {
                continue;
            };
            let container = logs
                .container
                .clone()
                .unwrap_or_else(|| pod.log_container.clone());
            let target = stream::Target {
                api: api.clone(),
                color,
                pod: name.clone(),
                container,
                tail: logs.tail,
                max_line: logs.max_line,
            };
            let follow = stream::follow(target, lines.clone(), health_tx.clone());
            let handle = streams.spawn(follow);
            open.insert(name.clone(), handle);
        }
        let now = (open.len(), current.len());
        if reported != Some(now) {
            reported = Some(now);
            let msg = Msg::LogStreams {
                color,
                following: now.0,
                total: now.1,
            };
            if ctx.tx.send(msg).is_err() {
                return;
            }
        }
        // Reap finished stream tasks so the set does not grow.
        while streams.try_join_next().is_some() {}
        tokio::select! {
            changed = pods.changed() => if changed.is_err() {
                return;
            },
            Some(opened) = health_rx.recv() => {
                if open.contains_key(&opened.pod) {
                    health.opened(opened, open.len());
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ContainerSummary;

    fn pod(name: &str, state: &str) -> PodSummary {
        PodSummary {
            name: name.into(),
            containers: vec![ContainerSummary {
                name: "api".into(),
                state: state.into(),
                ..ContainerSummary::default()
            }],
            ..PodSummary::default()
        }
    }

    #[test]
    fn choose_keeps_followed_pods_and_fills_by_name() {
        let pods = [
            pod("a", "running"),
            pod("b", "waiting: ContainerCreating"),
            pod("c", "running"),
            pod("d", "terminated: Error (exit 1)"),
        ];
        assert_eq!(choose(&pods, &[], 2), ["a", "c"]);
        assert_eq!(choose(&pods, &["d".into()], 2), ["d", "a"]);
        // A deleted pod is dropped; a pod not yet started is not followed.
        assert_eq!(choose(&pods[..3], &["d".into(), "c".into()], 5), ["c", "a"]);
    }

    #[tokio::test]
    async fn batcher_groups_lines() {
        let (ltx, lrx) = mpsc::channel(100);
        let (tx, mut rx) = mpsc::unbounded_channel();
        tokio::spawn(batch(lrx, tx));
        let line = |i: usize| LogLine {
            color: Color::Blue,
            pod: "p".into(),
            container: "c".into(),
            ts: None,
            text: format!("{i}"),
        };
        // Reads of 2, 1 and 2 lines sent at once arrive as one message, in order.
        for read in [0..2, 2..3, 3..5] {
            ltx.send(read.map(line).collect()).await.unwrap();
        }
        match rx.recv().await {
            Some(Msg::LogLines(lines)) => {
                let got: Vec<_> = lines.into_iter().map(|l| l.text).collect();
                assert_eq!(got, ["0", "1", "2", "3", "4"]);
            }
            other => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn log_feed_health_follows_failing_streams() {
        let (tx, mut rx) = mpsc::unbounded_channel();
        let mut h = StreamsHealth::new(FeedHealth::new(Feed::Logs(Color::Blue), tx));
        let fail = |pod: &str| stream::Opened {
            pod: pod.into(),
            error: Some("connection refused".into()),
        };
        let ok = |pod: &str| stream::Opened {
            pod: pod.into(),
            error: None,
        };
        h.opened(ok("a"), 2);
        h.opened(fail("a"), 2);
        h.opened(fail("a"), 2); // same failure again: no new message
        h.opened(fail("b"), 2);
        h.opened(ok("a"), 2);
        h.opened(ok("b"), 2);
        let mut got = vec![];
        while let Ok(Msg::Feed(_, status)) = rx.try_recv() {
            got.push(status);
        }
        use crate::model::FeedStatus;
        let errors: Vec<_> = got
            .iter()
            .map(|s| match s {
                FeedStatus::Live => "live".to_string(),
                FeedStatus::Reconnecting { error, .. } => error.clone(),
                FeedStatus::Connecting => "connecting".to_string(),
            })
            .collect();
        assert_eq!(
            errors,
            [
                "live",
                "1 of 2 log streams failing; a: connection refused",
                "2 of 2 log streams failing; a: connection refused",
                "1 of 2 log streams failing; b: connection refused",
                "live"
            ]
        );
    }
}
