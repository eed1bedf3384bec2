//! App faults injected through `POST /sim/v1/faults` with a `"target"`.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Which app instances a fault applies to; every field that is set must match.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FaultTarget {
    /// Pods in this namespace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// The pod with this name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pod: Option<String>,
    /// Pods running this version (image tag, e.g. `v2.0.0`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
}

impl FaultTarget {
    /// True when the instance `(ns, pod, version)` is targeted.
    pub fn matches(&self, ns: &str, pod: &str, version: &str) -> bool {
        self.namespace.as_deref().is_none_or(|n| n == ns)
            && self.pod.as_deref().is_none_or(|p| p == pod)
            && self.version.as_deref().is_none_or(|v| v == version)
    }
}

/// What goes wrong in the targeted apps; unset fields leave behaviour unchanged.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct AppFault {
    /// Fraction (0..=1) of app requests answered with 500.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_rate: Option<f64>,
    /// Extra latency added to every request, in milliseconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latency_ms: Option<u64>,
    /// `false`: `/health/ready` answers 503.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ready: Option<bool>,
    /// `false`: `/health/live` answers 503.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub live: Option<bool>,
    /// `true`: the container dies (the kubelet asks `should_crash`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub crash: Option<bool>,
    /// `true`: remove every fault set for exactly this target.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clear: Option<bool>,
}

/// Why an app-fault body was rejected.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum FaultError {
    /// The JSON did not have the expected shape.
    #[error("invalid app fault: {0}")]
    Shape(String),
    /// The target names nothing.
    #[error("app fault target needs at least one of namespace, pod, version")]
    EmptyTarget,
    /// `error_rate` outside 0..=1.
    #[error("error_rate must be between 0 and 1, got {0}")]
    ErrorRate(f64),
}

/// Parse a fault body `{"target": {...}, "error_rate": 0.1, ...}` (the form SIM-API receives).
pub fn parse_app_fault(body: &Value) -> Result<(FaultTarget, AppFault), FaultError> {
    let target = body
        .get("target")
        .ok_or_else(|| FaultError::Shape("missing \"target\"".into()))?;
    let target: FaultTarget =
        serde_json::from_value(target.clone()).map_err(|e| FaultError::Shape(e.to_string()))?;
    let mut rest = body.clone();
    if let Some(map) = rest.as_object_mut() {
        map.remove("target");
    }
    let fault: AppFault =
        serde_json::from_value(rest).map_err(|e| FaultError::Shape(e.to_string()))?;
    validate(&target, &fault)?;
    Ok((target, fault))
}

/// Check a target/fault pair before it is stored.
pub fn validate(target: &FaultTarget, fault: &AppFault) -> Result<(), FaultError> {
    if target.namespace.is_none() && target.pod.is_none() && target.version.is_none() {
        return Err(FaultError::EmptyTarget);
    }
    match fault.error_rate {
        Some(r) if !(0.0..=1.0).contains(&r) || r.is_nan() => Err(FaultError::ErrorRate(r)),
        _ => Ok(()),
    }
}

/// The faults currently set, in the order they were set (later ones win field by field).
#[derive(Debug, Default)]
pub struct FaultTable {
    entries: Vec<(FaultTarget, AppFault)>,
}

impl FaultTable {
    /// Set (merge into) the fault for `target`, or clear it when `fault.clear` is true.
    pub fn set(&mut self, target: FaultTarget, fault: AppFault) {
        if fault.clear == Some(true) {
            self.entries.retain(|(t, _)| *t != target);
            return;
        }
        match self.entries.iter_mut().find(|(t, _)| *t == target) {
            Some((_, existing)) => merge(existing, &fault),
            None => self.entries.push((target, fault)),
        }
    }

    /// The combined fault affecting one instance.
    pub fn effective(&self, ns: &str, pod: &str, version: &str) -> AppFault {
        let mut out = AppFault::default();
        for (t, f) in &self.entries {
            if t.matches(ns, pod, version) {
                merge(&mut out, f);
            }
        }
        out
    }

    /// All entries, for the state snapshot.
    pub fn entries(&self) -> &[(FaultTarget, AppFault)] {
        &self.entries
    }
}

fn merge(into: &mut AppFault, from: &AppFault) {
    into.error_rate = from.error_rate.or(into.error_rate);
    into.latency_ms = from.latency_ms.or(into.latency_ms);
    into.ready = from.ready.or(into.ready);
    into.live = from.live.or(into.live);
    into.crash = from.crash.or(into.crash);
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_and_validates() {
        let (t, f) =
            parse_app_fault(&json!({"target": {"version": "v2.0.0"}, "error_rate": 0.5})).unwrap();
        assert_eq!(t.version.as_deref(), Some("v2.0.0"));
        assert_eq!(f.error_rate, Some(0.5));
        assert_eq!(
            parse_app_fault(&json!({"target": {}, "crash": true})),
            Err(FaultError::EmptyTarget)
        );
        assert_eq!(
            parse_app_fault(&json!({"target": {"pod": "p"}, "error_rate": 2.0})),
            Err(FaultError::ErrorRate(2.0))
        );
        assert!(matches!(
            parse_app_fault(&json!({"target": {"color": "x"}})),
            Err(FaultError::Shape(_))
        ));
        assert!(matches!(
            parse_app_fault(&json!({"error_rate": 0.1})),
            Err(FaultError::Shape(_))
        ));
    }

    #[test]
    fn table_matches_merges_and_clears() {
        let mut table = FaultTable::default();
        let ns = FaultTarget {
            namespace: Some("green".into()),
            ..Default::default()
        };
        let pod = FaultTarget {
            pod: Some("p1".into()),
            ..Default::default()
        };
        table.set(
            ns.clone(),
            AppFault {
                error_rate: Some(0.1),
                ..Default::default()
            },
        );
        table.set(
            pod.clone(),
            AppFault {
                ready: Some(false),
                ..Default::default()
            },
        );
        let f = table.effective("green", "p1", "v1");
        assert_eq!((f.error_rate, f.ready), (Some(0.1), Some(false)));
        assert_eq!(table.effective("blue", "p2", "v1"), AppFault::default());
        table.set(
            ns.clone(),
            AppFault {
                latency_ms: Some(5),
                ..Default::default()
            },
        );
        let f = table.effective("green", "p9", "v1");
        assert_eq!((f.error_rate, f.latency_ms), (Some(0.1), Some(5)));
        table.set(
            ns,
            AppFault {
                clear: Some(true),
                ..Default::default()
            },
        );
        assert_eq!(table.effective("green", "p9", "v1"), AppFault::default());
        assert_eq!(table.entries().len(), 1);
    }
}
