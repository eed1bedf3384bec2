//! Following one pod's log: open with `timestamps=true`, read whole lines, and when the
//! stream ends or fails, resume from the last seen second and drop the repeats.

use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::{AsyncBufRead, AsyncBufReadExt};
use k8s_openapi::api::core::v1::Pod;
use kube::api::LogParams;
use kube::Api;
use tokio::sync::mpsc::{Sender, UnboundedSender};

use super::dedup::Dedup;
use crate::cluster::{clean, clean_max};
use crate::model::{Color, LogLine};
use crate::sanitize::{display_width, CUT_MARKER};

/// What one stream follows.
#[derive(Clone)]
pub struct Target {
    /// Pods API of the color's namespace.
    pub api: Api<Pod>,
    /// Color of the pod.
    pub color: Color,
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

/// How a stream's latest attempt to open went: the color's log feed is healthy when no
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
pub fn is_feed_failure(e: &kube::Error) -> bool {
    !matches!(e, kube::Error::Api(s) if s.code == 400 || s.code == 404)
}

/// Room for the `timestamps=true` prefix (`2026-01-02T10:00:00.123456789+00:00 `).
const TIMESTAMP_PREFIX_MAX: usize = 40;

/// Most bytes of one log line kept before sanitizing: the timestamp prefix plus
/// `max_line` characters of up to 4 bytes each. The rest of a longer line is discarded.
pub fn line_byte_limit(max_line: usize) -> usize {
    TIMESTAMP_PREFIX_MAX.saturating_add(max_line.saturating_mul(4))
}

/// Reads one `\n`-terminated line into `buf` (newline excluded), keeping at most `limit`
/// bytes and discarding the rest of the line, so a line without a newline cannot grow
/// memory without bound. Returns `Some(cut)` (`cut`: bytes were discarded) for a whole
/// line, `None` at the end of the stream; a final line without a newline (cut by a
/// dropped connection) is not returned: the resume repeats it whole.
pub async fn read_line_bounded<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    buf: &mut Vec<u8>,
    limit: usize,
) -> std::io::Result<Option<bool>> {
    buf.clear();
    let mut cut = false;
    loop {
        let chunk = reader.fill_buf().await?;
        if chunk.is_empty() {
            return Ok(None);
        }
        let newline = chunk.iter().position(|&b| b == b'\n');
        let part = &chunk[..newline.unwrap_or(chunk.len())];
        let room = limit.saturating_sub(buf.len());
        cut |= part.len() > room;
        buf.extend_from_slice(&part[..part.len().min(room)]);
        let used = newline.map_or(chunk.len(), |i| i + 1);
        reader.consume_unpin(used);
        if newline.is_some() {
            return Ok(Some(cut));
        }
    }
}

/// Sanitizes a line's text to `max_line` columns; a line whose bytes were discarded
/// always ends in the cut marker, even when what was kept fits.
fn clean_line(text: &str, max_line: usize, cut: bool) -> String {
    let cleaned = clean_max(text, max_line);
    if !cut || max_line == 0 || cleaned.ends_with(CUT_MARKER) {
        return cleaned;
    }
    let mut cleaned = cleaned;
    while display_width(&cleaned) + 1 > max_line && cleaned.pop().is_some() {}
    cleaned.push(CUT_MARKER);
    cleaned
}

/// Whose lines a stream carries, as shown on screen.
struct Who<'a> {
    color: Color,
    pod: &'a str,
    container: &'a str,
    max_line: usize,
}

/// How reading one opened stream ended.
#[derive(Debug, PartialEq)]
enum Pumped {
    /// The receiver is gone: stop following.
    Closed,
    /// The stream ended or failed after `lines` new lines: reopen it.
    Ended { lines: usize },
}

/// Reads whole lines from an opened stream and sends the new ones to `out`.
async fn pump<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    who: &Who<'_>,
    dedup: &mut Dedup,
    out: &Sender<LogLine>,
) -> Pumped {
    let limit = line_byte_limit(who.max_line);
    let mut buf = Vec::new();
    let mut lines = 0;
    while let Ok(Some(cut)) = read_line_bounded(reader, &mut buf, limit).await {
        let line = String::from_utf8_lossy(&buf);
        let line = line.trim_end_matches('\r');
        let (ts, text) = split_timestamp(line);
        if !dedup.accept(ts, text) {
            continue;
        }
        lines += 1;
        let msg = LogLine {
            color: who.color,
            pod: who.pod.to_string(),
            container: who.container.to_string(),
            ts,
            text: clean_line(text, who.max_line, cut),
        };
        if out.send(msg).await.is_err() {
            return Pumped::Closed;
        }
    }
    Pumped::Ended { lines }
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
            Err(e) if is_feed_failure(e) => Some(crate::cluster::errors::explain(e)),
            _ => None,
        };
        let _ = health.send(Opened {
            pod: t.pod.clone(),
            error,
        });
        if let Ok(mut reader) = opened {
            let who = Who {
                color: t.color,
                pod: &pod,
                container: &container,
                max_line: t.max_line,
            };
            match pump(&mut reader, &who, &mut dedup, &out).await {
                Pumped::Closed => return,
                Pumped::Ended { lines } if lines > 0 => delay = Duration::from_millis(250),
                Pumped::Ended { .. } => {}
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

    /// `len` bytes of `x` without a newline, then `tail`, produced as they are read:
    /// the test itself holds no 10 MB buffer.
    struct HugeLine {
        len: usize,
        tail: &'static [u8],
    }

    impl futures::AsyncRead for HugeLine {
        fn poll_read(
            mut self: std::pin::Pin<&mut Self>,
            _: &mut std::task::Context<'_>,
            out: &mut [u8],
        ) -> std::task::Poll<std::io::Result<usize>> {
            let n = if self.len > 0 {
                let n = self.len.min(out.len());
                out[..n].fill(b'x');
                self.len -= n;
                n
            } else {
                let n = self.tail.len().min(out.len());
                out[..n].copy_from_slice(&self.tail[..n]);
                self.tail = &self.tail[n..];
                n
            };
            std::task::Poll::Ready(Ok(n))
        }
    }

    const TEN_MB: usize = 10 * 1024 * 1024;

    #[tokio::test]
    async fn a_huge_line_is_read_within_the_bound() {
        let mut r = futures::io::BufReader::new(HugeLine {
            len: TEN_MB,
            tail: b"\nnext line\r\npartial",
        });
        let limit = line_byte_limit(2_000);
        let mut buf = Vec::new();
        assert_eq!(
            read_line_bounded(&mut r, &mut buf, limit).await.unwrap(),
            Some(true)
        );
        assert_eq!(buf.len(), limit);
        assert!(buf.capacity() <= 2 * limit, "grew to {}", buf.capacity());
        assert_eq!(
            read_line_bounded(&mut r, &mut buf, limit).await.unwrap(),
            Some(false)
        );
        assert_eq!(buf, b"next line\r");
        // No newline before the end: not a line.
        assert_eq!(
            read_line_bounded(&mut r, &mut buf, limit).await.unwrap(),
            None
        );
    }

    #[tokio::test]
    async fn a_huge_line_is_cut_with_the_marker_and_the_next_line_is_intact() {
        let mut r = futures::io::BufReader::new(HugeLine {
            len: TEN_MB,
            tail: b"\n2026-01-02T10:00:00.5Z GET /a 200\n",
        });
        let who = Who {
            color: Color::Blue,
            pod: "web-1",
            container: "app",
            max_line: 100,
        };
        let (tx, mut rx) = tokio::sync::mpsc::channel(8);
        let ended = pump(&mut r, &who, &mut Dedup::new(), &tx).await;
        assert_eq!(ended, Pumped::Ended { lines: 2 });
        let huge = rx.recv().await.unwrap();
        assert_eq!(huge.text.chars().count(), 100);
        assert!(huge.text.ends_with(CUT_MARKER), "{}", huge.text);
        let next = rx.recv().await.unwrap();
        assert_eq!(next.text, "GET /a 200");
        assert!(next.ts.is_some());
    }

    #[test]
    fn a_cut_line_ends_in_the_marker_even_when_what_was_kept_fits() {
        // Kept bytes that are mostly escape sequences sanitize to fewer columns.
        assert_eq!(clean_line("\x1b[31mab", 5, true), "ab…");
        assert_eq!(clean_line("abcdef", 5, true), "abcd…");
        assert_eq!(clean_line("ab", 5, false), "ab");
        assert_eq!(clean_line("abc", 3, true), "ab…");
    }
}
