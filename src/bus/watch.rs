//! One long-lived watch feed: a kube-runtime watcher kept in a small map store, with
//! feed status reporting and restart with backoff.
//!
//! Why restart the watcher on every error instead of letting it retry internally: after a
//! failed watch, kube-runtime resumes silently from the last resourceVersion, so nothing
//! would tell us the feed is healthy again. A fresh watcher relists (Init, InitApply...,
//! InitDone), which both proves recovery and drops objects that vanished meanwhile.

use std::collections::BTreeMap;
use std::fmt::Debug;
use std::time::Duration;

use chrono::{DateTime, Utc};
use futures::{StreamExt, TryStreamExt};
use kube::runtime::watcher::{self, Event};
use kube::{Api, Resource, ResourceExt};
use serde::de::DeserializeOwned;
use tokio::sync::mpsc::UnboundedSender;

use crate::app::msg::Msg;
use crate::cluster::clean;
use crate::cluster::errors::explain;
use crate::model::{Feed, FeedStatus};

/// Server-side watch timeout: short, so a half-open connection is replaced quickly.
pub const WATCH_TIMEOUT_SECS: u32 = 30;

/// The objects of one feed, keyed by `namespace/name`.
pub type Store<K> = BTreeMap<String, K>;

/// What just happened to a feed's store.
pub enum Change<'a, K> {
    /// The store was (re)filled by a full list.
    Reset,
    /// An object was added or modified.
    Applied(&'a K),
    /// An object was deleted.
    Deleted(&'a K),
}

/// A watcher config with the short timeout every feed uses.
pub fn config() -> watcher::Config {
    watcher::Config::default().timeout(WATCH_TIMEOUT_SECS)
}

/// Exponential backoff between reconnect attempts: 0.25 s doubling up to 30 s.
#[derive(Debug, Clone)]
pub struct Backoff {
    next: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Self { next: Self::FIRST }
    }
}

impl Backoff {
    const FIRST: Duration = Duration::from_millis(250);
    const MAX: Duration = Duration::from_secs(30);

    /// The delay to wait now; the following one doubles.
    pub fn next_delay(&mut self) -> Duration {
        let now = self.next;
        self.next = (self.next * 2).min(Self::MAX);
        now
    }

    /// Back to the shortest delay after a success.
    pub fn reset(&mut self) {
        self.next = Self::FIRST;
    }
}

/// Reports a feed's health transitions as `Msg::Feed`.
pub struct FeedHealth {
    feed: Feed,
    tx: UnboundedSender<Msg>,
    live: bool,
    down_since: Option<DateTime<Utc>>,
}

impl FeedHealth {
    /// A feed that has not connected yet.
    pub fn new(feed: Feed, tx: UnboundedSender<Msg>) -> Self {
        Self {
            feed,
            tx,
            live: false,
            down_since: None,
        }
    }

    /// Data arrived: report Live once per recovery.
    pub fn live(&mut self) {
        if !self.live {
            self.live = true;
            self.down_since = None;
            let _ = self.tx.send(Msg::Feed(self.feed.clone(), FeedStatus::Live));
        }
    }

    /// A failure: report Reconnecting, keeping the time of the first failure.
    pub fn failed(&mut self, error: &dyn std::fmt::Display) {
        self.live = false;
        let since = *self.down_since.get_or_insert_with(Utc::now);
        let status = FeedStatus::Reconnecting {
            since,
            error: clean(&error.to_string()),
        };
        let _ = self.tx.send(Msg::Feed(self.feed.clone(), status));
    }
}

fn key<K: ResourceExt>(o: &K) -> String {
    format!("{}/{}", o.namespace().unwrap_or_default(), o.name_any())
}

/// Runs a feed forever: watch, keep the store, call `on` after every change and send the
/// messages it returns. Ends only when the receiver is gone or the task is aborted.
pub async fn run<K, F>(
    api: Api<K>,
    wc: watcher::Config,
    feed: Feed,
    tx: UnboundedSender<Msg>,
    mut on: F,
) where
    K: Resource + Clone + DeserializeOwned + Debug + Send + 'static,
    F: FnMut(Change<'_, K>, &Store<K>) -> Vec<Msg>,
{
    let mut store: Store<K> = BTreeMap::new();
    let mut health = FeedHealth::new(feed, tx.clone());
    let mut backoff = Backoff::default();
    loop {
        let mut stream = watcher::watcher(api.clone(), wc.clone()).boxed();
        let mut buffer: Option<Store<K>> = None;
        loop {
            let msgs = match stream.try_next().await {
                Ok(Some(Event::Init)) => {
                    buffer = Some(BTreeMap::new());
                    continue;
                }
                Ok(Some(Event::InitApply(o))) => {
                    buffer.get_or_insert_default().insert(key(&o), o);
                    continue;
                }
                Ok(Some(Event::InitDone)) => {
                    store = buffer.take().unwrap_or_default();
                    backoff.reset();
                    on(Change::Reset, &store)
                }
                Ok(Some(Event::Apply(o))) => {
                    store.insert(key(&o), o.clone());
                    on(Change::Applied(&o), &store)
                }
                Ok(Some(Event::Delete(o))) => {
                    store.remove(&key(&o));
                    on(Change::Deleted(&o), &store)
                }
                Ok(None) => break,
                Err(e) => {
                    health.failed(&explain(&e));
                    break;
                }
            };
            for m in msgs {
                if tx.send(m).is_err() {
                    return;
                }
            }
            // Live only after the data: a feed that says Live has delivered what it read
            // (a request waiting for facts must not be judged on an empty store).
            health.live();
        }
        if tx.is_closed() {
            return;
        }
        tokio::time::sleep(backoff.next_delay()).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_caps_and_resets() {
        let mut b = Backoff::default();
        let first: Vec<_> = (0..8).map(|_| b.next_delay().as_millis()).collect();
        assert_eq!(first, [250, 500, 1000, 2000, 4000, 8000, 16000, 30000]);
        b.reset();
        assert_eq!(b.next_delay().as_millis(), 250);
    }

    #[test]
    fn health_reports_transitions_once() {
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let mut h = FeedHealth::new(Feed::Router, tx);
        h.live();
        h.live();
        h.failed(&"boom\x1b[2J");
        h.failed(&"again");
        h.live();
        let mut got = vec![];
        while let Ok(m) = rx.try_recv() {
            got.push(m);
        }
        assert_eq!(got.len(), 4, "{got:?}");
        let since = |m: &Msg| match m {
            Msg::Feed(_, FeedStatus::Reconnecting { since, error }) => {
                assert!(!error.contains('\x1b'));
                *since
            }
            other => panic!("unexpected {other:?}"),
        };
        assert_eq!(since(&got[1]), since(&got[2]), "first failure time kept");
        assert!(matches!(got[3], Msg::Feed(Feed::Router, FeedStatus::Live)));
    }
}
