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

/// Splits a stream's chunks into whole lines of at most `limit` bytes: the rest of a
/// longer line is discarded, so a line without a newline cannot grow memory without bound.
/// A final line without a newline (cut by a dropped connection) is never returned: the
/// resume repeats it whole.
#[derive(Debug)]
pub struct LineSplitter {
    buf: Vec<u8>,
    cut: bool,
    limit: usize,
}

impl LineSplitter {
    /// A splitter keeping at most `limit` bytes of each line.
    pub fn new(limit: usize) -> Self {
        Self {
            buf: Vec::new(),
            cut: false,
            limit,
        }
    }

    /// Calls `line(bytes, cut)` for every line `chunk` completes (newline excluded; `cut`:
    /// bytes were discarded); an unfinished line waits for the next chunk.
    pub fn feed(&mut self, mut chunk: &[u8], mut line: impl FnMut(&[u8], bool)) {
        while !chunk.is_empty() {
            let newline = chunk.iter().position(|&b| b == b'\n');
            let part = &chunk[..newline.unwrap_or(chunk.len())];
            match newline {
                // The common case: a whole line inside the chunk, used in place.
                Some(i) if self.buf.is_empty() && part.len() <= self.limit => {
                    line(part, false);
                    chunk = &chunk[i + 1..];
                    continue;
                }
                _ => {}
            }
            let room = self.limit.saturating_sub(self.buf.len());
            self.cut |= part.len() > room;
            self.buf.extend_from_slice(&part[..part.len().min(room)]);
            let Some(i) = newline else { return };
            line(&self.buf, self.cut);
            self.buf.clear();
            self.cut = false;
            chunk = &chunk[i + 1..];
        }
    }

    /// Calls `line` for an unfinished last line, if any: a process's output may end
    /// without a newline (a log stream's never does; it resumes instead).
    pub fn finish(&mut self, mut line: impl FnMut(&[u8], bool)) {
        if !self.buf.is_empty() || self.cut {
            line(&self.buf, self.cut);
            self.buf.clear();
            self.cut = false;
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

/// One raw line as a new `LogLine`, or None for a repeat of a resume.
fn to_line(who: &Who<'_>, dedup: &mut Dedup, raw: &[u8], cut: bool) -> Option<LogLine> {
    let line = String::from_utf8_lossy(raw);
    let line = line.trim_end_matches('\r');
    let (ts, text) = split_timestamp(line);
    if !dedup.accept(ts, text) {
        return None;
    }
    Some(LogLine {
        color: who.color,
        pod: who.pod.to_string(),
        container: who.container.to_string(),
        ts,
        text: clean_line(text, who.max_line, cut),
    })
}

/// Reads an opened stream chunk by chunk and sends each chunk's new lines to `out` as one
/// batch: one channel send and wake-up per read, not per line.
async fn pump<R: AsyncBufRead + Unpin>(
    reader: &mut R,
    who: &Who<'_>,
    dedup: &mut Dedup,
    out: &Sender<Vec<LogLine>>,
) -> Pumped {
    let mut split = LineSplitter::new(line_byte_limit(who.max_line));
    let mut lines = 0;
    loop {
        let chunk = match reader.fill_buf().await {
            Ok(chunk) if !chunk.is_empty() => chunk,
            _ => return Pumped::Ended { lines },
        };
        let read = chunk.len();
        let mut batch = Vec::new();
        split.feed(chunk, |raw, cut| {
            batch.extend(to_line(who, dedup, raw, cut))
        });
        reader.consume_unpin(read);
        if batch.is_empty() {
            continue;
        }
        lines += batch.len();
        if out.send(batch).await.is_err() {
            return Pumped::Closed;
        }
    }
}

/// Follows the pod's log until the task is aborted (the pod went away) or `out` closes,
/// reporting each open attempt on `health`.
pub async fn follow(t: Target, out: Sender<Vec<LogLine>>, health: UnboundedSender<Opened>) {
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

    #[test]
    fn a_huge_line_is_split_within_the_bound() {
        let limit = line_byte_limit(2_000);
        let mut split = LineSplitter::new(limit);
        let mut got: Vec<(Vec<u8>, bool)> = Vec::new();
        let block = vec![b'x'; 64 * 1024];
        for _ in 0..TEN_MB / block.len() {
            split.feed(&block, |l, cut| got.push((l.to_vec(), cut)));
        }
        assert!(got.is_empty(), "no newline yet");
        assert!(
            split.buf.capacity() <= 2 * limit,
            "grew to {}",
            split.buf.capacity()
        );
        split.feed(b"\nnext line\r\npar", |l, cut| got.push((l.to_vec(), cut)));
        split.feed(b"tial", |l, cut| got.push((l.to_vec(), cut)));
        assert_eq!(got.len(), 2);
        assert_eq!((got[0].0.len(), got[0].1), (limit, true));
        assert_eq!(got[1], (b"next line\r".to_vec(), false));
        // A line split across chunks is whole; no newline before the end: not a line.
        split.feed(b"\n", |l, cut| got.push((l.to_vec(), cut)));
        assert_eq!(got[2], (b"partial".to_vec(), false));
        split.feed(b"unfinished", |l, cut| got.push((l.to_vec(), cut)));
        assert_eq!(got.len(), 3);
        // A process's last line without a newline is given at the end, once.
        split.finish(|l, cut| got.push((l.to_vec(), cut)));
        split.finish(|l, cut| got.push((l.to_vec(), cut)));
        assert_eq!(got.len(), 4);
        assert_eq!(got[3], (b"unfinished".to_vec(), false));
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
        drop(tx);
        let mut lines = Vec::new();
        while let Some(batch) = rx.recv().await {
            lines.extend(batch);
        }
        let huge = &lines[0];
        assert_eq!(huge.text.chars().count(), 100);
        assert!(huge.text.ends_with(CUT_MARKER), "{}", huge.text);
        let next = &lines[1];
        assert_eq!(next.text, "GET /a 200");
        assert!(next.ts.is_some());
    }

    #[tokio::test]
    async fn each_read_is_sent_as_one_batch() {
        use futures::TryStreamExt;
        let chunks: Vec<std::io::Result<Vec<u8>>> = vec![
            Ok(b"2026-01-02T10:00:00.1Z a\n2026-01-02T10:00:00.2Z b\n2026-01-02T10:00".to_vec()),
            Ok(b":00.3Z c\n2026-01-02T10:00:00.4Z d\n".to_vec()),
        ];
        let mut r = futures::stream::iter(chunks).into_async_read();
        let who = Who {
            color: Color::Green,
            pod: "web-1",
            container: "app",
            max_line: 100,
        };
        let (tx, mut rx) = tokio::sync::mpsc::channel(8);
        let ended = pump(&mut r, &who, &mut Dedup::new(), &tx).await;
        assert_eq!(ended, Pumped::Ended { lines: 4 });
        drop(tx);
        let mut batches = Vec::new();
        while let Some(batch) = rx.recv().await {
            batches.push(batch.into_iter().map(|l| l.text).collect::<Vec<_>>());
        }
        assert_eq!(batches, [vec!["a", "b"], vec!["c", "d"]]);
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
