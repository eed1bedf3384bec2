//! The zone times are shown in.

use chrono::{DateTime, FixedOffset, Local, Offset, Utc};

/// The zone timestamps are shown in (fixed when the state is made, so frames are stable).
#[derive(Debug, Clone, PartialEq)]
pub struct Zone {
    /// Offset from UTC.
    pub offset: FixedOffset,
    /// Label shown beside times: "UTC" or "UTC+01:00".
    pub label: String,
}

impl Zone {
    /// UTC.
    pub fn utc() -> Zone {
        Zone {
            offset: FixedOffset::east_opt(0).expect("zero offset"),
            label: "UTC".into(),
        }
    }

    /// The local zone's offset at `now`.
    pub fn local(now: DateTime<Utc>) -> Zone {
        let offset = now.with_timezone(&Local).offset().fix();
        if offset.local_minus_utc() == 0 {
            return Zone::utc();
        }
        Zone {
            offset,
            label: format!("UTC{offset}"),
        }
    }

    /// "10:42:07" in this zone.
    pub fn hms(&self, t: DateTime<Utc>) -> String {
        t.with_timezone(&self.offset).format("%H:%M:%S").to_string()
    }

    /// A time as it reads best beside `now`: "10:42:07" today, "Nov 25 10:42:07" this
    /// year, "2099-01-01 00:00:00" otherwise (all in this zone).
    pub fn stamp(&self, t: DateTime<Utc>, now: DateTime<Utc>) -> String {
        let (t, now) = (
            t.with_timezone(&self.offset),
            now.with_timezone(&self.offset),
        );
        let format = if t.date_naive() == now.date_naive() {
            "%H:%M:%S"
        } else if t.format("%Y").to_string() == now.format("%Y").to_string() {
            "%b %d %H:%M:%S"
        } else {
            "%Y-%m-%d %H:%M:%S"
        };
        t.format(format).to_string()
    }
}
