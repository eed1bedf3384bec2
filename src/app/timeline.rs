//! The timeline: Kubernetes Events (merged by uid) and cutover's own notices, in time
//! order, bounded.
//!
//! An Event is placed by its own time, but never later than when cutover received it: a
//! clock that is ahead (or an Event stamped 2099) cannot pin an entry on top, while the
//! history a fresh watch lists keeps its real order. The shown time is still the Event's own.

use chrono::{DateTime, Utc};

use super::action::journal::{Entry, Stage};
use crate::model::KubeEvent;

/// One timeline row.
#[derive(Debug, Clone, PartialEq)]
pub enum TimelineItem {
    /// A Kubernetes Event.
    Event(KubeEvent),
    /// An action's outcome from the journal: this cockpit's, or another's from the shared
    /// history.
    Entry(Box<Entry>),
    /// A notice of cutover's own.
    Notice {
        /// When.
        at: DateTime<Utc>,
        /// What (sanitized).
        text: String,
        /// Warning?
        warning: bool,
    },
}

impl TimelineItem {
    /// When it happened.
    pub fn time(&self) -> DateTime<Utc> {
        match self {
            TimelineItem::Event(e) => e.time,
            TimelineItem::Entry(e) => e.at,
            TimelineItem::Notice { at, .. } => *at,
        }
    }
}

/// Time-ordered, bounded timeline (oldest first).
#[derive(Debug, Clone)]
pub struct Timeline {
    items: Vec<TimelineItem>,
    /// Where each item is placed (same index as `items`).
    places: Vec<DateTime<Utc>>,
    max: usize,
}

impl Timeline {
    /// An empty timeline keeping at most `max` items.
    pub fn new(max: usize) -> Self {
        Timeline {
            items: Vec::new(),
            places: Vec::new(),
            max: max.max(1),
        }
    }

    /// Insert or update (by uid) a Kubernetes Event that cutover received at `received`.
    pub fn upsert_event(&mut self, ev: KubeEvent, received: DateTime<Utc>) {
        if let Some(pos) = self
            .items
            .iter()
            .position(|i| matches!(i, TimelineItem::Event(e) if e.uid == ev.uid))
        {
            self.items.remove(pos);
            self.places.remove(pos);
        }
        let place = ev.time.min(received);
        self.insert(TimelineItem::Event(ev), place);
    }

    /// Insert or update (by id) an action's outcome that cutover received (or made) at
    /// `received`, placed like an Event; attempts stay in the journal only.
    pub fn entry(&mut self, entry: Entry, received: DateTime<Utc>) {
        if entry.stage != Stage::Outcome {
            return;
        }
        if let Some(pos) = self
            .items
            .iter()
            .position(|i| matches!(i, TimelineItem::Entry(e) if e.id == entry.id))
        {
            self.items.remove(pos);
            self.places.remove(pos);
        }
        let place = entry.at.min(received);
        self.insert(TimelineItem::Entry(Box::new(entry)), place);
    }

    /// Add a notice of cutover's own.
    pub fn notice(&mut self, at: DateTime<Utc>, text: String, warning: bool) {
        self.insert(TimelineItem::Notice { at, text, warning }, at);
    }

    fn insert(&mut self, item: TimelineItem, place: DateTime<Utc>) {
        // After every item placed at the same or an earlier time: arrival breaks ties.
        let pos = self.places.partition_point(|p| *p <= place);
        self.items.insert(pos, item);
        self.places.insert(pos, place);
        if self.items.len() > self.max {
            let excess = self.items.len() - self.max;
            self.items.drain(..excess);
            self.places.drain(..excess);
        }
    }

    /// All items, oldest first.
    pub fn items(&self) -> &[TimelineItem] {
        &self.items
    }

    /// Events about one object ("Pod/name") in a namespace, newest first.
    pub fn events_for<'a>(
        &'a self,
        namespace: &'a str,
        object: &'a str,
    ) -> impl Iterator<Item = &'a KubeEvent> + 'a {
        self.items.iter().rev().filter_map(move |i| match i {
            TimelineItem::Event(e) if e.namespace == namespace && e.object == object => Some(e),
            _ => None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::EventKind;
    use chrono::TimeZone;

    pub(crate) fn ev(uid: &str, secs: i64, reason: &str) -> KubeEvent {
        KubeEvent {
            uid: uid.into(),
            time: Utc.timestamp_opt(1_700_000_000 + secs, 0).unwrap(),
            namespace: "ns".into(),
            object: "Pod/p".into(),
            reason: reason.into(),
            message: "m".into(),
            kind: EventKind::Normal,
            count: 1,
        }
    }

    /// Received long after every test Event's own time.
    fn late() -> DateTime<Utc> {
        Utc.timestamp_opt(1_800_000_000, 0).unwrap()
    }

    fn reasons(t: &Timeline) -> Vec<String> {
        t.items()
            .iter()
            .map(|i| match i {
                TimelineItem::Event(e) => e.reason.clone(),
                TimelineItem::Entry(e) => e.summary.clone(),
                TimelineItem::Notice { text, .. } => text.clone(),
            })
            .collect()
    }

    #[test]
    fn merges_by_uid_and_orders_by_time() {
        let mut t = Timeline::new(10);
        t.upsert_event(ev("a", 10, "A1"), late());
        t.upsert_event(ev("b", 5, "B"), late());
        t.notice(
            Utc.timestamp_opt(1_700_000_007, 0).unwrap(),
            "N".into(),
            false,
        );
        t.upsert_event(ev("a", 20, "A2"), late());
        assert_eq!(reasons(&t), ["B", "N", "A2"]);
    }

    #[test]
    fn a_future_stamp_is_placed_when_received_not_on_top_forever() {
        let mut t = Timeline::new(10);
        let at = |secs: i64| Utc.timestamp_opt(1_700_000_000 + secs, 0).unwrap();
        let mut future = ev("f", 0, "Future");
        future.time = Utc.with_ymd_and_hms(2099, 1, 1, 0, 0, 0).unwrap();
        t.upsert_event(future, at(10));
        t.notice(at(20), "later notice".into(), false);
        t.upsert_event(ev("p", 5, "Past"), at(30));
        assert_eq!(reasons(&t), ["Past", "Future", "later notice"]);
        // Shown with its own time all the same.
        assert_eq!(t.items()[1].time().format("%Y").to_string(), "2099");
    }

    #[test]
    fn bounded_drops_oldest() {
        let mut t = Timeline::new(3);
        for i in 0..5 {
            t.upsert_event(ev(&i.to_string(), i, &format!("E{i}")), late());
        }
        assert_eq!(reasons(&t), ["E2", "E3", "E4"]);
    }

    #[test]
    fn events_for_object() {
        let mut t = Timeline::new(10);
        t.upsert_event(ev("a", 1, "Old"), late());
        t.upsert_event(ev("b", 2, "New"), late());
        let mut other = ev("c", 3, "Other");
        other.object = "Pod/q".into();
        t.upsert_event(other, late());
        let got: Vec<_> = t
            .events_for("ns", "Pod/p")
            .map(|e| e.reason.as_str())
            .collect();
        assert_eq!(got, ["New", "Old"]);
    }
}
