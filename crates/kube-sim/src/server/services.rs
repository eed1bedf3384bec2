//! What the API server fills into a Service: a cluster IP from the service CIDR (unique, and
//! kept across updates) and the defaults a real server writes (`type`, `sessionAffinity`,
//! IP families, `internalTrafficPolicy`, ports' `protocol` and `targetPort`).

use crate::store::{Store, StoreError};
use serde_json::{json, Map, Value};
use std::collections::HashSet;
use std::net::Ipv4Addr;

/// The service CIDR cluster IPs come from (kubeadm's and kind's default).
pub const SERVICE_CIDR: (Ipv4Addr, u8) = (Ipv4Addr::new(10, 96, 0, 0), 12);
/// The `default/kubernetes` Service's IP: the first address of the range, as on a real cluster.
pub const KUBERNETES_IP: Ipv4Addr = Ipv4Addr::new(10, 96, 0, 1);

fn in_range(ip: Ipv4Addr) -> bool {
    let (net, bits) = SERVICE_CIDR;
    let mask = u32::MAX << (32 - bits);
    u32::from(ip) & mask == u32::from(net) && ip != net && u32::from(ip) != u32::from(net) | !mask
}

/// Whether a Service of this spec gets a cluster IP (not ExternalName, not headless).
fn wants_ip(spec: &Map<String, Value>) -> bool {
    spec.get("type").and_then(Value::as_str) != Some("ExternalName")
        && spec.get("clusterIP").and_then(Value::as_str) != Some("None")
}

/// The defaults a real server writes into a Service's spec (and its empty status).
pub fn apply_defaults(svc: &mut Value) {
    let Some(obj) = svc.as_object_mut() else {
        return;
    };
    obj.entry("status")
        .or_insert_with(|| json!({"loadBalancer": {}}));
    let spec = obj.entry("spec").or_insert_with(|| json!({}));
    let Some(spec) = spec.as_object_mut() else {
        return;
    };
    let external_name = spec.get("type").and_then(Value::as_str) == Some("ExternalName");
    spec.entry("type").or_insert_with(|| json!("ClusterIP"));
    spec.entry("sessionAffinity")
        .or_insert_with(|| json!("None"));
    if !external_name {
        spec.entry("internalTrafficPolicy")
            .or_insert_with(|| json!("Cluster"));
        spec.entry("ipFamilies").or_insert_with(|| json!(["IPv4"]));
        spec.entry("ipFamilyPolicy")
            .or_insert_with(|| json!("SingleStack"));
    }
    if let Some(ports) = spec.get_mut("ports").and_then(Value::as_array_mut) {
        for p in ports.iter_mut().filter_map(Value::as_object_mut) {
            p.entry("protocol").or_insert_with(|| json!("TCP"));
            if let Some(port) = p.get("port").cloned() {
                p.entry("targetPort").or_insert(port);
            }
        }
    }
}

/// The cluster IPs Services in `store` hold.
fn used_ips(store: &Store) -> HashSet<String> {
    let (services, _) = store.list("services", None, None);
    services
        .iter()
        .filter_map(|s| s.pointer("/spec/clusterIP")?.as_str().map(String::from))
        .collect()
}

fn invalid(name: &str, msg: String) -> StoreError {
    StoreError::Invalid(format!("Service \"{name}\" is invalid: {msg}"))
}

/// Admission of a new Service: defaults, and a cluster IP — the one asked for if it is in
/// the range and free (422 otherwise), or a free random one.
pub fn admit_create(store: &Store, svc: &mut Value) -> Result<(), StoreError> {
    apply_defaults(svc);
    let name = svc
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let Some(spec) = svc.get_mut("spec").and_then(Value::as_object_mut) else {
        return Ok(());
    };
    if !wants_ip(spec) {
        if spec.get("clusterIP").and_then(Value::as_str) == Some("None") {
            spec.insert("clusterIPs".into(), json!(["None"]));
        }
        return Ok(());
    }
    let used = used_ips(store);
    let asked = spec
        .get("clusterIP")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty());
    let ip = match asked {
        Some(ip) => {
            let ok = ip.parse::<Ipv4Addr>().is_ok_and(in_range);
            if !ok {
                return Err(invalid(&name, format!("spec.clusterIPs: Invalid value: [\"{ip}\"]: failed to allocate IP {ip}: the provided IP ({ip}) is not in the valid range. The range of valid IPs is 10.96.0.0/12")));
            }
            if used.contains(ip) {
                return Err(invalid(&name, format!("spec.clusterIPs: Invalid value: [\"{ip}\"]: failed to allocate IP {ip}: provided IP is already allocated")));
            }
            ip.to_string()
        }
        None => free_ip(&used),
    };
    spec.insert("clusterIP".into(), json!(ip));
    spec.insert("clusterIPs".into(), json!([ip]));
    Ok(())
}

/// A random free address of the range (not the first one, which `kubernetes` holds).
fn free_ip(used: &HashSet<String>) -> String {
    let (net, bits) = SERVICE_CIDR;
    let size = 1u32 << (32 - bits);
    loop {
        let ip = Ipv4Addr::from(u32::from(net) + rand::random_range(2..size - 1)).to_string();
        if !used.contains(&ip) {
            return ip;
        }
    }
}

/// Admission of a changed Service: an update without cluster IPs keeps the allocated ones
/// (as the real server does for idempotent replaces); changing them is 422.
pub fn admit_update(old: &Value, new: &mut Value) -> Result<(), StoreError> {
    apply_defaults(new);
    let name = old
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    let (Some(old_ip), Some(spec)) = (
        old.pointer("/spec/clusterIP").cloned(),
        new.get_mut("spec").and_then(Value::as_object_mut),
    ) else {
        return Ok(());
    };
    match spec.get("clusterIP").and_then(Value::as_str) {
        None | Some("") => {
            spec.insert("clusterIP".into(), old_ip.clone());
            let ips = old.pointer("/spec/clusterIPs").cloned();
            spec.insert("clusterIPs".into(), ips.unwrap_or_else(|| json!([old_ip])));
        }
        Some(ip) if Some(ip) != old_ip.as_str() => {
            return Err(invalid(
                &name,
                format!("spec.clusterIPs[0]: Invalid value: [\"{ip}\"]: may not change once set"),
            ));
        }
        Some(_) => {
            spec.entry("clusterIPs").or_insert_with(|| json!([old_ip]));
        }
    }
    Ok(())
}

/// The `default/kubernetes` Service every cluster has: the API server at 443 (https),
/// forwarding to the port it listens on.
pub fn kubernetes_service(api_port: u16) -> Value {
    let ip = KUBERNETES_IP.to_string();
    let mut svc = json!({
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": "kubernetes", "namespace": "default",
                     "labels": {"component": "apiserver", "provider": "kubernetes"}},
        "spec": {"clusterIP": ip, "clusterIPs": [ip], "type": "ClusterIP",
                 "ports": [{"name": "https", "port": 443, "protocol": "TCP", "targetPort": api_port}]},
    });
    apply_defaults(&mut svc);
    svc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_allocation() {
        let store = Store::new();
        let mut svc = json!({"metadata": {"name": "web"}, "spec": {"selector": {"app": "web"},
            "ports": [{"port": 80}, {"port": 9090, "targetPort": "metrics", "protocol": "UDP"}]}});
        admit_create(&store, &mut svc).unwrap();
        let spec = &svc["spec"];
        assert_eq!(spec["type"], "ClusterIP");
        assert_eq!(spec["sessionAffinity"], "None");
        assert_eq!(spec["ipFamilies"], json!(["IPv4"]));
        assert_eq!(spec["ipFamilyPolicy"], "SingleStack");
        assert_eq!(spec["internalTrafficPolicy"], "Cluster");
        assert_eq!(
            spec["ports"][0],
            json!({"port": 80, "protocol": "TCP", "targetPort": 80})
        );
        assert_eq!(spec["ports"][1]["targetPort"], "metrics");
        assert_eq!(spec["ports"][1]["protocol"], "UDP");
        let ip: Ipv4Addr = spec["clusterIP"].as_str().unwrap().parse().unwrap();
        assert!(in_range(ip) && ip != KUBERNETES_IP, "{ip}");
        assert_eq!(spec["clusterIPs"], json!([ip.to_string()]));
        store.create("services", "ns", svc.clone()).unwrap();
        // The same IP again is refused; so is one outside the range.
        let mut taken = json!({"metadata": {"name": "b"}, "spec": {"clusterIP": ip.to_string()}});
        assert!(admit_create(&store, &mut taken).is_err());
        let mut outside = json!({"metadata": {"name": "c"}, "spec": {"clusterIP": "192.168.0.1"}});
        assert!(admit_create(&store, &mut outside).is_err());
        let mut headless = json!({"metadata": {"name": "h"}, "spec": {"clusterIP": "None"}});
        admit_create(&store, &mut headless).unwrap();
        assert_eq!(headless["spec"]["clusterIPs"], json!(["None"]));
    }

    #[test]
    fn updates_keep_the_ip() {
        let old = kubernetes_service(6443);
        let mut replace =
            json!({"metadata": {"name": "kubernetes"}, "spec": {"ports": [{"port": 443}]}});
        admit_update(&old, &mut replace).unwrap();
        assert_eq!(replace["spec"]["clusterIP"], "10.96.0.1");
        let mut moved =
            json!({"metadata": {"name": "kubernetes"}, "spec": {"clusterIP": "10.96.0.9"}});
        assert!(admit_update(&old, &mut moved).is_err());
        assert_eq!(old["spec"]["ports"][0]["targetPort"], 6443);
    }
}
