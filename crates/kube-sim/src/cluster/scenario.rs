//! The ready-made scenarios (`--scenario`): the FitTrack release from the deployment guide,
//! as the Kubernetes objects a user would have applied. Controllers do the rest.

use serde_json::{json, Value};

/// Names of the scenarios the simulator knows.
pub const SCENARIOS: [&str; 3] = ["fittrack", "fittrack-single-ns", "load"];

/// The app port of every FitTrack container and Service.
pub const APP_PORT: u16 = 8000;

/// Image of the blue color in every scenario.
pub const BLUE_IMAGE: &str = "fittrack/api:v1.9.3";
/// Image of the green color in every scenario.
pub const GREEN_IMAGE: &str = "fittrack/api:v2.0.0";

/// A scenario name that is not one of [`SCENARIOS`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown scenario {0:?} (known: fittrack, fittrack-single-ns, load)")]
pub struct UnknownScenario(pub String);

/// The objects of scenario `name`, in an order that can be created one by one
/// (namespaces first).
pub fn objects(name: &str) -> Result<Vec<Value>, UnknownScenario> {
    match name {
        "fittrack" => Ok(split_namespaces(3)),
        "load" => Ok(split_namespaces(200)),
        "fittrack-single-ns" => Ok(single_namespace()),
        other => Err(UnknownScenario(other.to_string())),
    }
}

/// The guide's layout: one namespace per color, routed by a Gateway API HTTPRoute.
fn split_namespaces(replicas: u32) -> Vec<Value> {
    let mut out = vec![
        namespace("fittrack"),
        namespace("fittrack-blue"),
        namespace("fittrack-green"),
    ];
    for (color, image) in [("blue", BLUE_IMAGE), ("green", GREEN_IMAGE)] {
        let ns = format!("fittrack-{color}");
        out.push(deployment(&ns, "fittrack", color, image, replicas));
        out.push(service(&ns, &format!("fittrack-{color}"), color));
        out.push(reference_grant(&ns));
    }
    out.push(gateway());
    out.push(httproute());
    out.push(ingress(
        "fittrack-blue",
        Some((
            "nginx.ingress.kubernetes.io/service-upstream",
            "fittrack-blue",
        )),
    ));
    out
}

/// The guide's first command made real: both colors and the router Service in `fittrack`.
fn single_namespace() -> Vec<Value> {
    let mut out = vec![namespace("fittrack")];
    for (color, image) in [("blue", BLUE_IMAGE), ("green", GREEN_IMAGE)] {
        let name = format!("fittrack-{color}");
        out.push(deployment("fittrack", &name, color, image, 3));
        out.push(service("fittrack", &name, color));
    }
    out.push(service("fittrack", "fittrack-lb", "blue"));
    out.push(ingress("fittrack-lb", None));
    out
}

fn namespace(name: &str) -> Value {
    json!({"apiVersion": "v1", "kind": "Namespace",
           "metadata": {"name": name, "labels": {"kubernetes.io/metadata.name": name}}})
}

fn color_labels(color: &str) -> Value {
    json!({"app": "fittrack", "deployment": color})
}

fn http_probe(path: &str, period: u32) -> Value {
    json!({"httpGet": {"path": path, "port": APP_PORT, "scheme": "HTTP"},
           "periodSeconds": period, "timeoutSeconds": 1,
           "successThreshold": 1, "failureThreshold": 3})
}

/// One pod at a time for the FitTrack sizes; a quarter at a time for the `load` scenario.
fn max_surge(replicas: u32) -> Value {
    if replicas > 10 {
        json!("25%")
    } else {
        json!(1)
    }
}

/// A FitTrack Deployment as the guide's Helm chart would render it.
fn deployment(ns: &str, name: &str, color: &str, image: &str, replicas: u32) -> Value {
    json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": name, "namespace": ns,
                     "labels": {"app": "fittrack", "deployment": color,
                                "app.kubernetes.io/managed-by": "Helm"}},
        "spec": {
            "replicas": replicas,
            "progressDeadlineSeconds": 600,
            "revisionHistoryLimit": 10,
            "selector": {"matchLabels": color_labels(color)},
            "strategy": {"type": "RollingUpdate",
                         "rollingUpdate": {"maxSurge": max_surge(replicas), "maxUnavailable": 0}},
            "template": {
                "metadata": {"labels": color_labels(color)},
                "spec": {
                    "containers": [{
                        "name": "api",
                        "image": image,
                        "ports": [{"name": "http", "containerPort": APP_PORT, "protocol": "TCP"}],
                        "env": [{"name": "APP_ENV", "value": "production"}],
                        "readinessProbe": http_probe("/health/ready", 2),
                        "livenessProbe": http_probe("/health/live", 5),
                    }],
                    "restartPolicy": "Always",
                    "terminationGracePeriodSeconds": 30,
                }
            }
        }
    })
}

fn service(ns: &str, name: &str, color: &str) -> Value {
    json!({
        "apiVersion": "v1", "kind": "Service",
        "metadata": {"name": name, "namespace": ns, "labels": {"app": "fittrack"}},
        "spec": {
            "type": "ClusterIP",
            "selector": color_labels(color),
            "ports": [{"name": "http", "port": APP_PORT, "targetPort": APP_PORT, "protocol": "TCP"}],
        }
    })
}

fn reference_grant(ns: &str) -> Value {
    json!({
        "apiVersion": "gateway.networking.k8s.io/v1beta1", "kind": "ReferenceGrant",
        "metadata": {"name": "allow-fittrack-routes", "namespace": ns},
        "spec": {
            "from": [{"group": "gateway.networking.k8s.io", "kind": "HTTPRoute", "namespace": "fittrack"}],
            "to": [{"group": "", "kind": "Service"}],
        }
    })
}

fn gateway() -> Value {
    json!({
        "apiVersion": "gateway.networking.k8s.io/v1", "kind": "Gateway",
        "metadata": {"name": "fittrack-gateway", "namespace": "fittrack"},
        "spec": {
            "gatewayClassName": "oci-lb",
            "listeners": [{"name": "http", "port": 80, "protocol": "HTTP",
                           "allowedRoutes": {"namespaces": {"from": "Same"}}}],
        }
    })
}

fn backend_ref(color: &str, weight: u32) -> Value {
    json!({"group": "", "kind": "Service", "name": format!("fittrack-{color}"),
           "namespace": format!("fittrack-{color}"), "port": APP_PORT, "weight": weight})
}

fn httproute() -> Value {
    json!({
        "apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
        "metadata": {"name": "fittrack", "namespace": "fittrack"},
        "spec": {
            "parentRefs": [{"name": "fittrack-gateway"}],
            "hostnames": ["api.fittrack.example.com"],
            "rules": [{
                "matches": [{"path": {"type": "PathPrefix", "value": "/"}}],
                "backendRefs": [backend_ref("blue", 100), backend_ref("green", 0)],
            }],
        }
    })
}

/// Ingress `fittrack-ingress` in `fittrack` with one rule to `backend`.
fn ingress(backend: &str, annotation: Option<(&str, &str)>) -> Value {
    let annotations: serde_json::Map<String, Value> = annotation
        .map(|(k, v)| (k.to_string(), Value::from(v)))
        .into_iter()
        .collect();
    json!({
        "apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
        "metadata": {"name": "fittrack-ingress", "namespace": "fittrack", "annotations": annotations},
        "spec": {
            "ingressClassName": "nginx",
            "rules": [{
                "host": "api.fittrack.example.com",
                "http": {"paths": [{
                    "path": "/", "pathType": "Prefix",
                    "backend": {"service": {"name": backend, "port": {"number": APP_PORT}}},
                }]},
            }],
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find<'a>(objs: &'a [Value], kind: &str, ns: &str, name: &str) -> &'a Value {
        objs.iter()
            .find(|o| {
                o["kind"] == kind
                    && o["metadata"]["name"] == name
                    && (ns.is_empty() || o["metadata"]["namespace"] == ns)
            })
            .unwrap_or_else(|| panic!("{kind} {ns}/{name} missing"))
    }

    #[test]
    fn fittrack_has_the_guide_layout() {
        let objs = objects("fittrack").unwrap();
        for ns in ["fittrack", "fittrack-blue", "fittrack-green"] {
            find(&objs, "Namespace", "", ns);
        }
        let blue = find(&objs, "Deployment", "fittrack-blue", "fittrack");
        assert_eq!(blue["spec"]["replicas"], 3);
        let c = &blue["spec"]["template"]["spec"]["containers"][0];
        assert_eq!(c["image"], BLUE_IMAGE);
        assert_eq!(c["readinessProbe"]["httpGet"]["port"], 8000);
        assert_eq!(
            blue["spec"]["template"]["metadata"]["labels"]["deployment"],
            "blue"
        );
        let green = find(&objs, "Deployment", "fittrack-green", "fittrack");
        assert_eq!(
            green["spec"]["template"]["spec"]["containers"][0]["image"],
            GREEN_IMAGE
        );
        let svc = find(&objs, "Service", "fittrack-green", "fittrack-green");
        assert_eq!(svc["spec"]["ports"][0]["port"], 8000);
        let route = find(&objs, "HTTPRoute", "fittrack", "fittrack");
        let refs = &route["spec"]["rules"][0]["backendRefs"];
        assert_eq!(refs[0]["name"], "fittrack-blue");
        assert_eq!(refs[0]["weight"], 100);
        assert_eq!(refs[1]["namespace"], "fittrack-green");
        assert_eq!(refs[1]["weight"], 0);
        find(
            &objs,
            "ReferenceGrant",
            "fittrack-blue",
            "allow-fittrack-routes",
        );
        find(&objs, "Gateway", "fittrack", "fittrack-gateway");
        let ing = find(&objs, "Ingress", "fittrack", "fittrack-ingress");
        assert_eq!(
            ing["metadata"]["annotations"]["nginx.ingress.kubernetes.io/service-upstream"],
            "fittrack-blue"
        );
        // Namespaces come before anything namespaced.
        let first_namespaced = objs.iter().position(|o| o["kind"] != "Namespace").unwrap();
        assert!(objs[first_namespaced..]
            .iter()
            .all(|o| o["kind"] != "Namespace"));
    }

    #[test]
    fn single_ns_routes_through_the_lb_service() {
        let objs = objects("fittrack-single-ns").unwrap();
        let lb = find(&objs, "Service", "fittrack", "fittrack-lb");
        assert_eq!(lb["spec"]["selector"]["deployment"], "blue");
        assert_eq!(lb["spec"]["selector"]["app"], "fittrack");
        find(&objs, "Deployment", "fittrack", "fittrack-blue");
        find(&objs, "Deployment", "fittrack", "fittrack-green");
        let ing = find(&objs, "Ingress", "fittrack", "fittrack-ingress");
        let backend = &ing["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"];
        assert_eq!(backend["name"], "fittrack-lb");
    }

    #[test]
    fn load_has_200_pods_per_color() {
        let objs = objects("load").unwrap();
        for ns in ["fittrack-blue", "fittrack-green"] {
            assert_eq!(
                find(&objs, "Deployment", ns, "fittrack")["spec"]["replicas"],
                200
            );
        }
    }

    #[test]
    fn unknown_scenario_is_an_error_naming_the_choices() {
        let err = objects("nope").unwrap_err();
        assert!(err.to_string().contains("fittrack-single-ns"));
    }
}
