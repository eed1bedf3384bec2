//! Events are stored once, in core `v1` form; `events.k8s.io/v1` reads and writes convert.

use serde_json::{Map, Value};

/// (core v1 field, events.k8s.io/v1 field) pairs that differ only in name.
const RENAMES: [(&str, &str); 7] = [
    ("involvedObject", "regarding"),
    ("message", "note"),
    ("source", "deprecatedSource"),
    ("firstTimestamp", "deprecatedFirstTimestamp"),
    ("lastTimestamp", "deprecatedLastTimestamp"),
    ("count", "deprecatedCount"),
    ("reportingComponent", "reportingController"),
];

fn rename(obj: &Value, from_core: bool, api_version: &str) -> Value {
    let Some(m) = obj.as_object() else {
        return obj.clone();
    };
    let mut out = Map::new();
    for (k, v) in m {
        let renamed = RENAMES.iter().find_map(|(core, v1)| {
            let (from, to) = if from_core { (core, v1) } else { (v1, core) };
            (k == *from).then_some(*to)
        });
        out.insert(renamed.unwrap_or(k).to_string(), v.clone());
    }
    out.insert("apiVersion".into(), Value::from(api_version));
    out.insert("kind".into(), Value::from("Event"));
    Value::Object(out)
}

/// A stored (core) Event as `events.k8s.io/v1` serves it.
pub fn to_events_v1(core: &Value) -> Value {
    rename(core, true, "events.k8s.io/v1")
}

/// An `events.k8s.io/v1` Event as stored (core v1 form).
pub fn to_core(v1: &Value) -> Value {
    rename(v1, false, "v1")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn round_trip_between_groups() {
        let v1 = json!({"apiVersion": "events.k8s.io/v1", "kind": "Event",
            "metadata": {"name": "e1"}, "regarding": {"kind": "Pod", "name": "p"},
            "note": "switched", "reason": "Switch", "reportingController": "cutover",
            "eventTime": "2026-01-01T00:00:00.000000Z"});
        let core = to_core(&v1);
        assert_eq!(core["apiVersion"], "v1");
        assert_eq!(core["involvedObject"]["name"], "p");
        assert_eq!(core["message"], "switched");
        assert_eq!(core["reportingComponent"], "cutover");
        assert!(core.get("note").is_none());
        assert_eq!(to_events_v1(&core), v1);
    }
}
