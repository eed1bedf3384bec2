//! The switch's write as data: one JSON patch that `test`s every value the user saw and,
//! in the same request, moves the router to the target and stamps it with the switch's
//! annotations (a compare-and-swap), and what a 422 refusal of that patch meant. Pure
//! functions; the bus sends the patch and reads the router again.

use serde_json::{json, Map, Value};

use super::router::{
    api_resource, backend_ref_color, escape, ANNOTATIONS, SWITCHED_AT, SWITCHED_BY, SWITCH_ID,
};
use crate::config::schema::{Config, RouterKind};
use crate::model::{Color, RouterReading, RouterValue, SwitchStamp};

/// Why no patch can be built: the values read do not allow a safe write.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Unpatchable(pub String);

/// "httproute fittrack/fittrack": the router object, for messages about writing it.
pub fn router_object(config: &Config) -> String {
    let r = &config.router;
    let kind = api_resource(r.kind).kind.to_lowercase();
    format!("{kind} {}/{}", r.namespace, r.name)
}

/// The switch patch: `test` each of `expected` (the values read when the user decided),
/// set the router to `to` (httproute: the target's backendRef weight 100, every other 0;
/// service-selector: the selector value; ingress-backend: every path's backend Service),
/// and record `stamp` in the annotations — creating the map when the reading found none.
pub fn switch_patch(
    config: &Config,
    to: Color,
    expected: &[RouterValue],
    stamp: &SwitchStamp,
) -> Result<json_patch::Patch, Unpatchable> {
    let ops = switch_ops(config, to, expected, stamp)?;
    serde_json::from_value(Value::Array(ops))
        .map_err(|e| Unpatchable(format!("building the JSON patch: {e}")))
}

/// The operations of [`switch_patch`] as JSON, in order: tests, the move, the stamp.
pub fn switch_ops(
    config: &Config,
    to: Color,
    expected: &[RouterValue],
    stamp: &SwitchStamp,
) -> Result<Vec<Value>, Unpatchable> {
    let routed: Vec<&RouterValue> = expected
        .iter()
        .filter(|v| v.pointer != ANNOTATIONS)
        .collect();
    if routed.is_empty() {
        return Err(Unpatchable(format!(
            "the {} reading holds no routing value to test; cutover writes the router only \
             against what it read",
            router_object(config)
        )));
    }
    let mut ops: Vec<Value> = expected
        .iter()
        .map(|v| json!({"op": "test", "path": v.pointer, "value": v.value}))
        .collect();
    let target = config.colors.of(to).route_value.as_str();
    for v in routed {
        match config.router.kind {
            RouterKind::ServiceSelector => ops.push(set(&v.pointer, &v.value, json!(target))),
            RouterKind::Httproute => ops.extend(weights(config, to, v)?),
            RouterKind::IngressBackend => ops.extend(backends(v, target)?),
        }
    }
    ops.extend(stamp_ops(expected, stamp));
    Ok(ops)
}

/// `replace` a value that exists; `add` one that was absent (`replace` needs it to exist).
fn set(pointer: &str, old: &Value, new: Value) -> Value {
    let op = if old.is_null() { "add" } else { "replace" };
    json!({"op": op, "path": pointer, "value": new})
}

fn array<'a>(v: &'a RouterValue, what: &str) -> Result<&'a Vec<Value>, Unpatchable> {
    v.value
        .as_array()
        .filter(|a| !a.is_empty())
        .ok_or_else(|| Unpatchable(format!("{} is not a list of {what}", v.pointer)))
}

/// The target's first backendRef gets weight 100, every other ref 0.
fn weights(config: &Config, to: Color, v: &RouterValue) -> Result<Vec<Value>, Unpatchable> {
    let refs = array(v, "backendRefs")?;
    let first = refs
        .iter()
        .position(|r| backend_ref_color(config, r) == Some(to))
        .ok_or_else(|| {
            let cc = config.colors.of(to);
            Unpatchable(format!(
                "{} has no backendRef for {} (Service {}/{}): cutover moves weights, it does \
                 not add backends",
                v.pointer,
                to.word(),
                cc.namespace,
                cc.route_value
            ))
        })?;
    Ok(refs
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let old = r.get("weight").unwrap_or(&Value::Null);
            let weight = if i == first { 100 } else { 0 };
            set(&format!("{}/{i}/weight", v.pointer), old, json!(weight))
        })
        .collect())
}

/// Every path's backend Service becomes the target's.
fn backends(v: &RouterValue, target: &str) -> Result<Vec<Value>, Unpatchable> {
    let paths = array(v, "paths")?;
    paths
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let service = p.pointer("/backend/service").filter(|s| s.is_object());
            let Some(service) = service else {
                return Err(Unpatchable(format!(
                    "{}/{i} has no Service backend: cutover will not rewrite it",
                    v.pointer
                )));
            };
            let old = service.get("name").unwrap_or(&Value::Null);
            let path = format!("{}/{i}/backend/service/name", v.pointer);
            Ok(set(&path, old, json!(target)))
        })
        .collect()
}

/// The switch's annotations: into the map when it exists, else the map itself (the
/// reading then tested that it is still absent).
fn stamp_ops(expected: &[RouterValue], stamp: &SwitchStamp) -> Vec<Value> {
    let pairs = [
        (SWITCH_ID, &stamp.id),
        (SWITCHED_BY, &stamp.by),
        (SWITCHED_AT, &stamp.at),
    ];
    if expected.iter().any(|v| v.pointer == ANNOTATIONS) {
        let map: Map<String, Value> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), json!(v)))
            .collect();
        return vec![json!({"op": "add", "path": ANNOTATIONS, "value": map})];
    }
    pairs
        .iter()
        .map(|(k, v)| json!({"op": "add", "path": format!("{ANNOTATIONS}/{}", escape(k)), "value": v}))
        .collect()
}

/// What a 422 refusal of the switch patch meant, judged from the router read again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The router carries our switch id: an earlier attempt landed and its answer was lost.
    OurWrite,
    /// The router no longer holds what was tested: someone changed it; nothing was written.
    Conflict,
    /// The router still holds exactly what was tested, yet the patch was refused: the server
    /// rejects the write itself (validation, admission); nothing was written.
    Rejected,
}

/// Judge a 422 from the router as read after it.
pub fn judge_refusal(expected: &[RouterValue], now: &RouterReading, switch_id: &str) -> Refusal {
    if now.stamp.as_ref().is_some_and(|s| s.id == switch_id) {
        Refusal::OurWrite
    } else if now.values == expected {
        Refusal::Rejected
    } else {
        Refusal::Conflict
    }
}

#[cfg(test)]
mod tests;
