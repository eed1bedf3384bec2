//! API-layer faults (`POST /sim/v1/faults`) and the request log (`GET /sim/v1/requests`).

use serde::{Deserialize, Serialize};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// How many requests the log keeps.
pub const REQUEST_LOG_LIMIT: usize = 2_000;

/// An API fault as posted to `/sim/v1/faults` (every field optional; several may combine).
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiFaultRequest {
    /// Fail the next `count` API requests with `status` (default 500).
    pub fail_next: Option<FailNext>,
    /// Let the next `count` successful writes (create, update, patch, delete) happen — stored,
    /// watch events sent — and then answer them with `status` (default 500): a lost response.
    pub fail_after_write: Option<FailNext>,
    /// Added latency per API request, in milliseconds (0 clears it).
    pub latency_ms: Option<u64>,
    /// Cut every open watch and stream now.
    #[serde(default)]
    pub drop_watches: bool,
    /// Refuse connections for this many milliseconds, then come back with the same data.
    pub down_ms: Option<u64>,
    /// Expire every resourceVersion up to now (watchers must relist).
    #[serde(default)]
    pub compact: bool,
}

/// `fail_next`: how many requests fail, and with which HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FailNext {
    /// Number of requests to fail.
    pub count: u32,
    /// The status code to answer (default 500).
    #[serde(default = "default_fail_status")]
    pub status: u16,
}

fn default_fail_status() -> u16 {
    500
}

/// The live API fault switches, shared by the server's middleware and streams.
pub struct ApiFaults {
    fail: Mutex<Option<FailNext>>,
    after_write: Mutex<Option<FailNext>>,
    latency_ms: AtomicU64,
    down_until: Mutex<Option<Instant>>,
    /// Bumped on every `drop_watches`/`down_ms`: streams end when it changes.
    drops: watch::Sender<u64>,
}

impl Default for ApiFaults {
    fn default() -> Self {
        Self {
            fail: Mutex::new(None),
            after_write: Mutex::new(None),
            latency_ms: AtomicU64::new(0),
            down_until: Mutex::new(None),
            drops: watch::channel(0).0,
        }
    }
}

impl ApiFaults {
    /// Applies the parts of a fault request that only flip switches. `compact` is the
    /// store's business and `down_ms` the listener's; the server handles those itself.
    pub fn apply(&self, req: &ApiFaultRequest) {
        if let Some(f) = req.fail_next {
            *self.fail.lock().unwrap_or_else(|e| e.into_inner()) = (f.count > 0).then_some(f);
        }
        if let Some(f) = req.fail_after_write {
            *self.after_write.lock().unwrap_or_else(|e| e.into_inner()) =
                (f.count > 0).then_some(f);
        }
        if let Some(ms) = req.latency_ms {
            self.latency_ms.store(ms, Ordering::Relaxed);
        }
        if let Some(ms) = req.down_ms {
            *self.down_until.lock().unwrap_or_else(|e| e.into_inner()) =
                Some(Instant::now() + Duration::from_millis(ms));
        }
        if req.drop_watches || req.down_ms.is_some() {
            self.drop_streams();
        }
    }

    /// Takes one injected failure, if any are pending: the status to answer.
    pub fn take_failure(&self) -> Option<u16> {
        take(&self.fail)
    }

    /// Takes one after-write failure, if any are pending: the status to answer instead of
    /// the successful write's response.
    pub fn take_after_write(&self) -> Option<u16> {
        take(&self.after_write)
    }

    /// The injected latency per request.
    pub fn latency(&self) -> Duration {
        Duration::from_millis(self.latency_ms.load(Ordering::Relaxed))
    }

    /// How long the server should still refuse connections (None when it is up).
    pub fn down_for(&self) -> Option<Duration> {
        let mut down = self.down_until.lock().unwrap_or_else(|e| e.into_inner());
        let until = (*down)?;
        let left = until.saturating_duration_since(Instant::now());
        if left.is_zero() {
            *down = None;
            return None;
        }
        Some(left)
    }

    /// Ends every open watch and stream (they observe [`ApiFaults::stream_cut`]).
    pub fn drop_streams(&self) {
        self.drops.send_modify(|n| *n += 1);
    }

    /// A receiver that changes when streams must end; long-lived responses (watches, log
    /// follows, port-forwards) select on `rx.changed()` and end when it fires.
    pub fn stream_cut(&self) -> watch::Receiver<u64> {
        self.drops.subscribe()
    }
}

/// Counts one failure down from `slot`: its status, or None when none is pending.
fn take(slot: &Mutex<Option<FailNext>>) -> Option<u16> {
    let mut fail = slot.lock().unwrap_or_else(|e| e.into_inner());
    let f = fail.as_mut()?;
    let status = f.status;
    f.count -= 1;
    if f.count == 0 {
        *fail = None;
    }
    Some(status)
}

/// One served request, as `GET /sim/v1/requests` reports it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RequestRecord {
    /// HTTP method.
    pub method: String,
    /// Path and query string.
    pub path: String,
    /// The authenticated user (`system:anonymous` when none).
    pub user: String,
    /// The response status code.
    pub status: u16,
}

/// A bounded log of recent requests.
#[derive(Default)]
pub struct RequestLog {
    entries: Mutex<VecDeque<RequestRecord>>,
}

impl RequestLog {
    /// Records one request, dropping the oldest beyond the limit.
    pub fn push(&self, record: RequestRecord) {
        let mut e = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        e.push_back(record);
        while e.len() > REQUEST_LOG_LIMIT {
            e.pop_front();
        }
    }

    /// The recent requests, oldest first.
    pub fn snapshot(&self) -> Vec<RequestRecord> {
        let e = self.entries.lock().unwrap_or_else(|e| e.into_inner());
        e.iter().cloned().collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fail_next_counts_down() {
        let f = ApiFaults::default();
        let req: ApiFaultRequest =
            serde_json::from_str(r#"{"fail_next": {"count": 2, "status": 503}}"#).unwrap();
        f.apply(&req);
        assert_eq!(f.take_failure(), Some(503));
        assert_eq!(f.take_failure(), Some(503));
        assert_eq!(f.take_failure(), None);
        let req: ApiFaultRequest = serde_json::from_str(r#"{"fail_next": {"count": 1}}"#).unwrap();
        f.apply(&req);
        assert_eq!(f.take_failure(), Some(500));
        let req: ApiFaultRequest =
            serde_json::from_str(r#"{"fail_after_write": {"count": 1, "status": 504}}"#).unwrap();
        f.apply(&req);
        assert_eq!(f.take_failure(), None, "separate from fail_next");
        assert_eq!(f.take_after_write(), Some(504));
        assert_eq!(f.take_after_write(), None);
    }

    #[test]
    fn unknown_fields_are_refused() {
        assert!(serde_json::from_str::<ApiFaultRequest>(r#"{"fail_nxt": 1}"#).is_err());
        assert!(serde_json::from_str::<ApiFaultRequest>(r#"{"latency_ms": -1}"#).is_err());
    }

    #[test]
    fn drop_and_down_cut_streams() {
        let f = ApiFaults::default();
        let mut rx = f.stream_cut();
        assert!(!rx.has_changed().unwrap());
        f.apply(&ApiFaultRequest {
            down_ms: Some(60_000),
            ..Default::default()
        });
        assert!(rx.has_changed().unwrap());
        rx.mark_unchanged();
        assert!(f.down_for().unwrap() > Duration::from_secs(50));
        f.apply(&ApiFaultRequest {
            drop_watches: true,
            latency_ms: Some(5),
            ..Default::default()
        });
        assert!(rx.has_changed().unwrap());
        assert_eq!(f.latency(), Duration::from_millis(5));
    }

    #[test]
    fn request_log_is_bounded() {
        let log = RequestLog::default();
        for i in 0..(REQUEST_LOG_LIMIT + 5) {
            log.push(RequestRecord {
                method: "GET".into(),
                path: format!("/{i}"),
                user: "admin".into(),
                status: 200,
            });
        }
        let s = log.snapshot();
        assert_eq!(s.len(), REQUEST_LOG_LIMIT);
        assert_eq!(s[0].path, "/5");
    }
}
