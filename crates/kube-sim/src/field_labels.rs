//! Which field selector labels each resource supports, as the real API server's field label
//! conversion functions decide: `metadata.name` and `metadata.namespace` everywhere, plus a
//! few per kind. Anything else is `400 BadRequest` "field label not supported: LABEL".

use crate::resources::ResourceDef;
use crate::selector::FieldSelector;
use serde_json::Value;

/// Labels every resource supports.
const META: [&str; 2] = ["metadata.name", "metadata.namespace"];

/// The labels a kind supports beyond [`META`] (Kubernetes 1.32).
fn kind_labels(def: &ResourceDef) -> &'static [&'static str] {
    match (def.group, def.plural) {
        ("", "pods") => &[
            "spec.nodeName",
            "spec.restartPolicy",
            "spec.schedulerName",
            "spec.serviceAccountName",
            "spec.hostNetwork",
            "status.phase",
            "status.podIP",
            "status.podIPs",
            "status.nominatedNodeName",
            // Old v1 clients' name for spec.nodeName.
            "spec.host",
        ],
        ("", "events") => &[
            "involvedObject.kind",
            "involvedObject.namespace",
            "involvedObject.name",
            "involvedObject.uid",
            "involvedObject.apiVersion",
            "involvedObject.resourceVersion",
            "involvedObject.fieldPath",
            "reason",
            "reportingComponent",
            "source",
            "type",
        ],
        ("events.k8s.io", "events") => &[
            "regarding.kind",
            "regarding.namespace",
            "regarding.name",
            "regarding.uid",
            "regarding.apiVersion",
            "regarding.resourceVersion",
            "regarding.fieldPath",
            "reason",
            "reportingController",
            "type",
        ],
        ("", "namespaces") => &["status.phase"],
        ("", "services") => &["spec.clusterIP", "spec.type"],
        ("apps", "replicasets") => &["status.replicas"],
        _ => &[],
    }
}

/// Whether `def` supports the field selector label `label`.
pub fn supported(def: &ResourceDef, label: &str) -> bool {
    META.contains(&label) || kind_labels(def).contains(&label)
}

/// The first label of `sel` that `def` does not support, as the real server's error message.
pub fn check(def: &ResourceDef, sel: &FieldSelector) -> Result<(), String> {
    match sel
        .terms
        .iter()
        .find(|(label, _, _)| !supported(def, label))
    {
        Some((label, _, _)) => Err(format!("field label not supported: {label}")),
        None => Ok(()),
    }
}

/// The value a field label selects on, as the real server's selectable fields compute it:
/// mostly the value at the dotted path (missing: empty), with a few derived labels.
pub fn value(obj: &Value, label: &str) -> String {
    let at = |path: &str| match obj.pointer(&format!("/{}", path.replace('.', "/"))) {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Null) | None => String::new(),
        Some(v) => v.to_string(),
    };
    match label {
        "spec.host" => at("spec.nodeName"),
        "spec.hostNetwork" => obj
            .pointer("/spec/hostNetwork")
            .and_then(Value::as_bool)
            .unwrap_or(false)
            .to_string(),
        "status.podIPs" => obj
            .pointer("/status/podIPs")
            .and_then(Value::as_array)
            .map(|ips| {
                let ips: Vec<&str> = ips.iter().filter_map(|i| i["ip"].as_str()).collect();
                ips.join(",")
            })
            .unwrap_or_default(),
        // A core Event's source: the component, or the reporting controller when unset.
        "source" => Some(at("source.component"))
            .filter(|c| !c.is_empty())
            .unwrap_or_else(|| at("reportingComponent")),
        path => at(path),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::find;

    #[test]
    fn labels_per_kind() {
        let pods = find("", "v1", "pods").unwrap();
        let cms = find("", "v1", "configmaps").unwrap();
        let ev = find("events.k8s.io", "v1", "events").unwrap();
        let core_ev = find("", "v1", "events").unwrap();
        let ok = |def, s: &str| check(def, &FieldSelector::parse(s).unwrap());
        assert!(ok(pods, "status.phase=Running,spec.nodeName=n,metadata.name=p").is_ok());
        assert!(ok(cms, "metadata.namespace=default").is_ok());
        assert_eq!(
            ok(cms, "metadata.name=a,spec.foo=bar"),
            Err("field label not supported: spec.foo".into())
        );
        assert!(
            ok(cms, "status.phase=Running").is_err(),
            "pod labels are pods' only"
        );
        assert!(ok(core_ev, "involvedObject.name=p,source=kubelet").is_ok());
        assert!(ok(core_ev, "regarding.name=p").is_err());
        assert!(ok(ev, "regarding.name=p,reportingController=x").is_ok());
        assert!(ok(ev, "involvedObject.name=p").is_err());
    }
}
