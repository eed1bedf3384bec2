//! Subscriptions, watch resume points and compaction.

use super::{Change, Expired, Store};
use serde_json::Value;
use tokio::sync::broadcast;

impl Store {
    /// A receiver of every future change (controllers; filter by `Change::resource`).
    /// A receiver that falls behind gets `Lagged` and should relist.
    pub fn subscribe(&self) -> broadcast::Receiver<Change> {
        self.tx.subscribe()
    }

    /// For a watch resuming at `rv`: the changes after it still in history, plus a receiver
    /// for everything later (taken atomically, so nothing is missed or duplicated).
    pub fn watch_from(
        &self,
        rv: u64,
    ) -> Result<(Vec<Change>, broadcast::Receiver<Change>), Expired> {
        let inner = self.lock();
        if rv < inner.floor {
            return Err(Expired {
                requested: rv,
                oldest: inner.floor,
            });
        }
        let past = inner
            .history
            .iter()
            .filter(|c| c.rv > rv)
            .cloned()
            .collect();
        Ok((past, self.tx.subscribe()))
    }

    /// A snapshot of matching objects plus a receiver for later changes, atomically (a watch
    /// without a resourceVersion starts with an ADDED per object).
    pub fn snapshot_and_subscribe(
        &self,
        resource: &str,
        ns: Option<&str>,
    ) -> (Vec<Value>, u64, broadcast::Receiver<Change>) {
        let inner = self.lock();
        let items = Self::matching(&inner, resource, ns)
            .map(|o| (**o).clone())
            .collect();
        (items, inner.rv, self.tx.subscribe())
    }

    /// Expires every version up to now: watches resuming from any earlier version get 410.
    /// Bumps the global version so that even the latest list's version becomes too old.
    pub fn compact(&self) {
        let mut inner = self.lock();
        inner.rv += 1;
        inner.floor = inner.rv;
        inner.history.clear();
    }

    /// The oldest version a watch may resume from.
    pub fn oldest_resumable(&self) -> u64 {
        self.lock().floor
    }
}
