//! Following one pod's log: open with `timestamps=true`, read whole lines, and when the
//! stream ends or fails, resume from the last seen second and drop the repeats.

use std::time::Duration;

use ::kube::api::LogParams;
use ::kube::Api;
use chrono::{DateTime, Utc};
use futures::AsyncBufReadExt;
use k8s_openapi::api::core::v1::Pod;
use tokio::sync::mpsc::{Sender, UnboundedSender};

use super::dedup::Dedup;
use crate::app::model::{Colour, LogLine};
use crate::kube::{clean, clean_max};

/// What one stream follows.
#[derive(Clone)]
pub struct Target {
    /// Pods API of the colour's namespace.
    pub api: Api<Pod>,
    /// Colour of the pod.
    pub colour: Colour,
    /// Pod name.
    pub pod: String,
    /// Container name.
    pub container: String,
    /// Lines fetched on the first open (negative: all).
    pub tail: i64,
    /// Longest line kept, in characters.
    pub max_line: usize,
}

/// Splits `2026-01-02T10:00:00.123456789Z text` into its timestamp and text.
/// A line without a parseable timestamp is returned whole.
pub fn split_timestamp(line: &str) -> (Option<DateTime<Utc>>, &str) {
    if let Some((head, rest)) = line.split_once(' ') {
        if let Ok(ts) = DateTime::parse_from_rfc3339(head) {
            return (Some(ts.with_timezone(&Utc)), rest);
        }
    }
    (None, line)
}

fn params(t: &Target, dedup: &mut Dedup) -> LogParams {
    let since = dedup.resume();
    LogParams {
        container: Some(t.container.clone()),
        follow: true,
        timestamps: true,
        tail_lines: (since.is_none() && t.tail >= 0).then_some(t.tail),
        // Already whole seconds, so kube's rounding to the second cannot move it forward.
        since_time: since.and_then(|s| jiff::Timestamp::from_second(s.timestamp()).ok()),
        ..LogParams::default()
    }
}

/// How a stream's latest attempt to open went: the colour's log feed is healthy when no
/// followed pod's stream fails to open.
#[derive(Debug, Clone, PartialEq)]
pub struct Opened {
    /// Pod name.
    pub pod: String,
    /// Why the stream could not be opened (None: it is open).
    pub error: Option<String>,
}

/// True when an error says the log feed itself is unhealthy (transport, auth, server),
/// false when it is about this pod (not found, container not started: 400/404).
pub fn is_feed_failure(e: &::kube::Error) -> bool {
    !matches!(e, ::kube::Error::Api(s) if s.code == 400 || s.code == 404)
}

/// Follows the pod's log until the task is aborted (the pod went away) or `out` closes,
/// reporting each open attempt on `health`.
pub async fn follow(t: Target, out: Sender<LogLine>, health: UnboundedSender<Opened>) {
    let mut dedup = Dedup::new();
    // Names go into requests as they are, and onto the screen cleaned.
    let (pod, container) = (clean(&t.pod), clean(&t.container));
    let mut delay = Duration::from_millis(250);
    loop {
        let opened = t.api.log_stream(&t.pod, &params(&t, &mut dedup)).await;
        let error = match &opened {
            Err(e) if is_feed_failure(e) => Some(e.to_string()),
            _ => None,
        };
        let _ = health.send(Opened {
            pod: t.pod.clone(),
            error,
        });
        if let Ok(mut reader) = opened {
            let mut buf = Vec::new();
            loop {
                buf.clear();
                match reader.read_until(b'\n', &mut buf).await {
                    // A line cut by a dropped connection has no newline: the resume repeats it whole.
                    Ok(_) if buf.last() == Some(&b'\n') => {}
                    _ => break,
                }
                let line = String::from_utf8_lossy(&buf);
                let line = line.trim_end_matches(['\n', '\r']);
                let (ts, text) = split_timestamp(line);
                if !dedup.accept(ts, text) {
                    continue;
                }
                delay = Duration::from_millis(250);
                let msg = LogLine {
                    colour: t.colour,
                    pod: pod.clone(),
                    container: container.clone(),
                    ts,
                    text: clean_max(text, t.max_line),
                };
                if out.send(msg).await.is_err() {
                    return;
                }
            }
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(5));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_split_off() {
        let (ts, text) = split_timestamp("2026-01-02T10:00:00.123456789Z GET /a 200");
        assert_eq!(ts.unwrap().timestamp_subsec_nanos(), 123_456_789);
        assert_eq!(text, "GET /a 200");
        assert_eq!(
            split_timestamp("no timestamp here"),
            (None, "no timestamp here")
        );
        assert_eq!(split_timestamp("x"), (None, "x"));
    }
}
