//! The router object: which Kubernetes resource it is, and where it says traffic goes.
//!
//! Reading is a pure function from the object's JSON to a [`RouterReading`]. Each reading also
//! names the JSON pointers it read, so the switch (a compare-and-swap JSON patch: `test`
//! the value read, then `replace`) can be built next to it from the same paths.

use kube::discovery::ApiResource;
use serde_json::Value;

use super::clean;
use crate::config::schema::{Config, RouterKind};
use crate::model::{Color, RouterReading, RouterTarget, RouterValue, SwitchStamp};

/// The API resource (group, version, plural) of a router kind.
pub fn api_resource(kind: RouterKind) -> ApiResource {
    let (group, version, kind, plural) = match kind {
        RouterKind::ServiceSelector => ("", "v1", "Service", "services"),
        RouterKind::Httproute => ("gateway.networking.k8s.io", "v1", "HTTPRoute", "httproutes"),
        RouterKind::IngressBackend => ("networking.k8s.io", "v1", "Ingress", "ingresses"),
    };
    let api_version = if group.is_empty() {
        version.to_string()
    } else {
        format!("{group}/{version}")
    };
    ApiResource {
        group: group.into(),
        version: version.into(),
        api_version,
        kind: kind.into(),
        plural: plural.into(),
    }
}

/// Reads a router object (`None`: it does not exist) as the cockpit shows it.
pub fn read(config: &Config, object: Option<&Value>) -> RouterReading {
    let Some(obj) = object else {
        return reading(RouterTarget::Missing, "not found".into(), "", vec![], None);
    };
    let rv = obj
        .pointer("/metadata/resourceVersion")
        .and_then(Value::as_str)
        .unwrap_or("");
    let (target, raw, mut values) = match config.router.kind {
        RouterKind::ServiceSelector => read_selector(config, obj),
        RouterKind::Httproute => read_httproute(config, obj),
        RouterKind::IngressBackend => read_ingress(config, obj),
    };
    if !values.is_empty() && !has_annotations(obj) {
        // The switch adds the whole annotations map then, which must still be absent.
        values.push(RouterValue {
            pointer: ANNOTATIONS.into(),
            value: Value::Null,
        });
    }
    reading(target, raw, rv, values, stamp(obj))
}

fn reading(
    target: RouterTarget,
    raw: String,
    rv: &str,
    values: Vec<RouterValue>,
    stamp: Option<SwitchStamp>,
) -> RouterReading {
    RouterReading {
        target,
        raw: clean(&raw),
        resource_version: clean(rv),
        since: None,
        values,
        stamp,
    }
}

/// The annotation a switch records its id in.
pub const SWITCH_ID: &str = "cutover.dev/switch-id";
/// The annotation a switch records who switched in.
pub const SWITCHED_BY: &str = "cutover.dev/switched-by";
/// The annotation a switch records when it switched in.
pub const SWITCHED_AT: &str = "cutover.dev/switched-at";

/// Where the object's annotations are. A reading of an object without them tests this
/// pointer for `null`, which the API server's JSON patch (evanphx/json-patch) treats as
/// "absent": the switch then adds the map instead of adding keys to it.
pub const ANNOTATIONS: &str = "/metadata/annotations";

fn has_annotations(obj: &Value) -> bool {
    obj.pointer(ANNOTATIONS).is_some_and(|a| !a.is_null())
}

/// The last switch cutover recorded on the object, if its id annotation is there.
fn stamp(obj: &Value) -> Option<SwitchStamp> {
    let annotations = obj.pointer("/metadata/annotations")?;
    let get = |key: &str| annotations.get(key).and_then(Value::as_str).map(clean);
    Some(SwitchStamp {
        id: get(SWITCH_ID)?,
        by: get(SWITCHED_BY).unwrap_or_default(),
        at: get(SWITCHED_AT).unwrap_or_default(),
    })
}

/// The color whose `route_value` is `value`, if exactly that.
fn color_for(config: &Config, value: &str) -> Option<Color> {
    Color::BOTH
        .into_iter()
        .find(|c| config.colors.of(*c).route_value == value)
}

/// A JSON-pointer token for `token` (RFC 6901: `~` → `~0`, `/` → `~1`).
pub fn escape(token: &str) -> String {
    token.replace('~', "~0").replace('/', "~1")
}

fn target_of(config: &Config, value: &str) -> RouterTarget {
    match color_for(config, value) {
        Some(c) => RouterTarget::Color(c),
        None => RouterTarget::Unknown(clean(value)),
    }
}

type Parts = (RouterTarget, String, Vec<RouterValue>);

fn read_selector(config: &Config, obj: &Value) -> Parts {
    let key = config.router.selector_key.as_deref().unwrap_or("");
    let pointer = format!("/spec/selector/{}", escape(key));
    let found = obj.pointer(&pointer).cloned().unwrap_or(Value::Null);
    let values = vec![RouterValue {
        pointer,
        value: found.clone(),
    }];
    match found.as_str() {
        Some(v) => (target_of(config, v), format!("{key}={v}"), values),
        None => {
            let raw = format!("selector has no key {key:?}");
            (RouterTarget::Unknown(raw.clone()), raw, values)
        }
    }
}

fn read_ingress(config: &Config, obj: &Value) -> Parts {
    let rule = config.router.rule;
    let paths = obj
        .pointer(&format!("/spec/rules/{rule}/http/paths"))
        .and_then(Value::as_array);
    let Some(paths) = paths.filter(|p| !p.is_empty()) else {
        let raw = format!("ingress has no rule {rule} with http paths");
        return (RouterTarget::Unknown(raw.clone()), raw, vec![]);
    };
    // The whole list is tested: a path added or changed meanwhile is a conflict, not a
    // half-switched Ingress.
    let values = vec![RouterValue {
        pointer: format!("/spec/rules/{rule}/http/paths"),
        value: Value::Array(paths.clone()),
    }];
    let names: Vec<&str> = paths
        .iter()
        .map(|p| {
            p.pointer("/backend/service/name")
                .and_then(Value::as_str)
                .unwrap_or("<none>")
        })
        .collect();
    let raw = names.join(",");
    if names.iter().all(|n| *n == names[0]) {
        (target_of(config, names[0]), raw, values)
    } else {
        (RouterTarget::Unknown(clean(&raw)), raw, values)
    }
}

/// The namespace and Service name an HTTPRoute backendRef names (no namespace: the route's).
fn backend_ref_name<'a>(config: &'a Config, r: &'a Value) -> (&'a str, &'a str) {
    let name = r.get("name").and_then(Value::as_str).unwrap_or("<none>");
    let ns = r
        .get("namespace")
        .and_then(Value::as_str)
        .unwrap_or(config.router.namespace.as_str());
    (ns, name)
}

/// The color whose Service an HTTPRoute backendRef names, if any. A ref without a namespace
/// names a Service in the route's own namespace: it is a color's Service only when that
/// color lives there.
pub fn backend_ref_color(config: &Config, r: &Value) -> Option<Color> {
    let (ns, name) = backend_ref_name(config, r);
    Color::BOTH.into_iter().find(|c| {
        let cc = config.colors.of(*c);
        cc.route_value == name && ns == cc.namespace
    })
}

fn read_httproute(config: &Config, obj: &Value) -> Parts {
    let rule = config.router.rule;
    let refs = obj
        .pointer(&format!("/spec/rules/{rule}/backendRefs"))
        .and_then(Value::as_array);
    let Some(refs) = refs.filter(|r| !r.is_empty()) else {
        let raw = format!("httproute has no rule {rule} with backendRefs");
        return (RouterTarget::Unknown(raw.clone()), raw, vec![]);
    };
    let mut weights = [0u64; 2];
    let mut stray = Vec::new();
    let mut raw = Vec::new();
    // The whole list is tested: a backendRef added, removed or reordered meanwhile is a
    // conflict, not a split the switch did not mean.
    let values = vec![RouterValue {
        pointer: format!("/spec/rules/{rule}/backendRefs"),
        value: Value::Array(refs.clone()),
    }];
    for r in refs {
        let (ns, name) = backend_ref_name(config, r);
        // Gateway API: an absent weight means 1.
        let weight = r.get("weight").and_then(Value::as_u64).unwrap_or(1);
        raw.push(format!("{name}:{weight}"));
        match backend_ref_color(config, r) {
            Some(c) => weights[c as usize] += weight,
            None if weight > 0 => stray.push(format!("{ns}/{name}:{weight}")),
            None => {}
        }
    }
    let raw = raw.join(",");
    let total = weights[0] + weights[1];
    let target = if !stray.is_empty() {
        RouterTarget::Unknown(clean(&stray.join(",")))
    } else if total == 0 {
        RouterTarget::Unknown("all weights 0".into())
    } else if weights[1] == 0 {
        RouterTarget::Color(Color::Blue)
    } else if weights[0] == 0 {
        RouterTarget::Color(Color::Green)
    } else {
        let blue = ((weights[0] * 100 + total / 2) / total) as u32;
        RouterTarget::Split {
            blue,
            green: 100 - blue,
        }
    };
    (target, raw, values)
}

#[cfg(test)]
mod tests;
