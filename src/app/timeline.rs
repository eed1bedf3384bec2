//! The timeline: Kubernetes Events (merged by uid) and cutover's own notices, in time
//! order, bounded.

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
    max: usize,
}

impl Timeline {
    /// An empty timeline keeping at most `max` items.
    pub fn new(max: usize) -> Self {
        Timeline {
            items: Vec::new(),
            max: max.max(1),
        }
    }

    /// Insert or update (by uid) a Kubernetes Event.
    pub fn upsert_event(&mut self, ev: KubeEvent) {
        if let Some(pos) = self
            .items
            .iter()
            .position(|i| matches!(i, TimelineItem::Event(e) if e.uid == ev.uid))
        {
            self.items.remove(pos);
        }
        self.insert(TimelineItem::Event(ev));
    }

    /// Insert or update (by id) an action's outcome; attempts stay in the journal only.
    pub fn entry(&mut self, entry: Entry) {
        if entry.stage != Stage::Outcome {
            return;
        }
        if let Some(pos) = self
            .items
            .iter()
            .position(|i| matches!(i, TimelineItem::Entry(e) if e.id == entry.id))
        {
            self.items.remove(pos);
        }
        self.insert(TimelineItem::Entry(Box::new(entry)));
    }

    /// Add a notice of cutover's own.
    pub fn notice(&mut self, at: DateTime<Utc>, text: String, warning: bool) {
        self.insert(TimelineItem::Notice { at, text, warning });
    }

    fn insert(&mut self, item: TimelineItem) {
        // After every item with the same or an earlier time: arrival order breaks ties.
        let t = item.time();
        let pos = self.items.partition_point(|i| i.time() <= t);
        self.items.insert(pos, item);
        if self.items.len() > self.max {
            let excess = self.items.len() - self.max;
            self.items.drain(..excess);
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
        t.upsert_event(ev("a", 10, "A1"));
        t.upsert_event(ev("b", 5, "B"));
        t.notice(
            Utc.timestamp_opt(1_700_000_007, 0).unwrap(),
            "N".into(),
            false,
        );
        t.upsert_event(ev("a", 20, "A2"));
        assert_eq!(reasons(&t), ["B", "N", "A2"]);
    }

    #[test]
    fn bounded_drops_oldest() {
        let mut t = Timeline::new(3);
        for i in 0..5 {
            t.upsert_event(ev(&i.to_string(), i, &format!("E{i}")));
        }
        assert_eq!(reasons(&t), ["E2", "E3", "E4"]);
    }

    #[test]
    fn events_for_object() {
        let mut t = Timeline::new(10);
        t.upsert_event(ev("a", 1, "Old"));
        t.upsert_event(ev("b", 2, "New"));
        let mut other = ev("c", 3, "Other");
        other.object = "Pod/q".into();
        t.upsert_event(other);
        let got: Vec<_> = t
            .events_for("ns", "Pod/p")
            .map(|e| e.reason.as_str())
            .collect();
        assert_eq!(got, ["New", "Old"]);
    }
}
