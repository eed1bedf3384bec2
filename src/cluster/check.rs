//! Checking a configuration against a live cluster (the second half of `check-config`).

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Namespace, Pod, Service};
use kube::api::{Api, DynamicObject, ListParams};
use kube::core::SelectorExt;
use kube::{Client, Resource};
use serde::de::DeserializeOwned;

use super::errors::explain;
use super::router;
use crate::config::check::{Finding, Level};
use crate::config::labels::parse_selector;
use crate::config::schema::{ColorConfig, Config, RouterKind};
use crate::model::RouterTarget;

/// Check the cluster: namespaces exist, the router exists and points at one color, each
/// color's Deployment and Services exist and its selector matches pods, and the two colors
/// are two workloads.
///
/// Never fails: an unreachable cluster is one warning finding ("only the file was checked").
pub async fn check_cluster(client: &Client, config: &Config) -> Vec<Finding> {
    let mut out = Vec::new();
    let mut namespaces = vec![config.router.namespace.as_str()];
    for (_, c) in config.colors.both() {
        if !namespaces.contains(&c.namespace.as_str()) {
            namespaces.push(&c.namespace);
        }
    }
    for ns in namespaces {
        let subject = format!("namespace {ns}");
        match Api::<Namespace>::all(client.clone()).get_opt(ns).await {
            Err(e) if !matches!(e, kube::Error::Api(_)) => {
                return vec![finding(
                    Level::Warn,
                    "cluster",
                    format!("not reachable ({}); only the file was checked", explain(&e)),
                )];
            }
            result => out.push(exists(subject, result)),
        }
    }
    out.push(check_router(client, config).await);
    for (color, c) in config.colors.both() {
        check_color(client, config, color.name(), c, &mut out).await;
    }
    check_same_workload(client, config, &mut out).await;
    out.extend(super::rights::check(client, config).await);
    out
}

/// The pod labels of a color's Deployment's template, when it has a Deployment and it exists.
async fn template_labels(client: &Client, c: &ColorConfig) -> Option<BTreeMap<String, String>> {
    let d: Deployment = get(client, &c.namespace, c.deployment.as_deref()?)
        .await
        .ok()??;
    d.spec.template.metadata?.labels
}

/// Two colors must be two workloads in the cluster too: each color's Deployment makes pods
/// its own selector selects and the other's does not, and a color's own Service does not
/// send to the other color's pods. (The file check already refuses selectors that could
/// overlap; this sees what only the objects say.)
async fn check_same_workload(client: &Client, config: &Config, out: &mut Vec<Finding>) {
    let [(blue, b), (green, g)] = config.colors.both();
    for ((color, c), (other, o)) in [((blue, b), (green, g)), ((green, g), (blue, b))] {
        let Some(labels) = template_labels(client, c).await else {
            continue;
        };
        let deployment = c.deployment.as_deref().unwrap_or_default();
        let subject = format!("{} deployment {}/{deployment}", color.name(), c.namespace);
        let selects =
            |cfg: &ColorConfig| parse_selector(&cfg.selector).is_ok_and(|sel| sel.matches(&labels));
        if o.namespace == c.namespace && selects(o) {
            out.push(finding(
                Level::Error,
                subject.clone(),
                format!(
                    "its pods ({}) are also selected by {}'s selector `{}`: two colors must \
                     be two workloads",
                    label_text(&labels),
                    other.name(),
                    o.selector
                ),
            ));
        }
        if !selects(c) {
            out.push(finding(
                Level::Error,
                subject,
                format!(
                    "its pods ({}) are not selected by {}'s own selector `{}`: the column \
                     would show another workload's pods beside this Deployment's version",
                    label_text(&labels),
                    color.name(),
                    c.selector
                ),
            ));
        }
        // The other color's own Service must not send to these pods.
        let Some(svc) = o.service.as_deref().filter(|_| o.namespace == c.namespace) else {
            continue;
        };
        let Ok(Some(service)) = get::<Service>(client, &o.namespace, svc).await else {
            continue;
        };
        let selector = service.spec.and_then(|s| s.selector).unwrap_or_default();
        if !selector.is_empty() && selector.iter().all(|(k, v)| labels.get(k) == Some(v)) {
            out.push(finding(
                Level::Error,
                format!("{} service {}/{svc}", other.name(), o.namespace),
                format!(
                    "its selector ({}) also selects {}'s pods: {}'s probes would reach {}",
                    label_text(&selector),
                    color.name(),
                    other.name(),
                    color.name()
                ),
            ));
        }
    }
}

/// `app=fittrack,deployment=blue`.
fn label_text(labels: &BTreeMap<String, String>) -> String {
    labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

fn finding(level: Level, subject: impl Into<String>, message: impl Into<String>) -> Finding {
    // Messages quote the cluster (router values, API errors): `new` sanitizes them.
    Finding::new(level, subject, message)
}

/// A finding for a lookup whose only question is "does it exist?".
fn exists<T>(subject: String, result: Result<Option<T>, kube::Error>) -> Finding {
    match result {
        Ok(Some(_)) => finding(Level::Ok, subject, "exists"),
        Ok(None) => finding(Level::Error, subject, "does not exist"),
        Err(e) => cannot_check(subject, &e),
    }
}

fn cannot_check(subject: String, err: &kube::Error) -> Finding {
    let why = match err {
        kube::Error::Api(s) if s.code == 403 => format!("not allowed to read it ({})", s.message),
        other => format!("could not check: {}", explain(other)),
    };
    finding(Level::Warn, subject, why)
}

async fn get<K>(client: &Client, ns: &str, name: &str) -> Result<Option<K>, kube::Error>
where
    K: Resource<Scope = k8s_openapi::NamespaceResourceScope, DynamicType = ()>
        + Clone
        + DeserializeOwned
        + std::fmt::Debug,
{
    Api::<K>::namespaced(client.clone(), ns).get_opt(name).await
}

async fn check_router(client: &Client, config: &Config) -> Finding {
    let r = &config.router;
    let subject = format!("router {}/{}", r.namespace, r.name);
    let api: Api<DynamicObject> =
        Api::namespaced_with(client.clone(), &r.namespace, &router::api_resource(r.kind));
    let object = match api.get_opt(&r.name).await {
        Ok(Some(o)) => o,
        Ok(None) => {
            let kind = router::api_resource(r.kind).kind;
            return finding(Level::Error, subject, format!("{kind} does not exist"));
        }
        Err(e) => return cannot_check(subject, &e),
    };
    let value = match serde_json::to_value(&object) {
        Ok(v) => v,
        Err(e) => return finding(Level::Warn, subject, format!("could not read it: {e}")),
    };
    let view = router::read(config, Some(&value));
    match view.target {
        RouterTarget::Color(c) => finding(
            Level::Ok,
            subject,
            format!("sends traffic to {} ({})", c.word(), view.raw),
        ),
        RouterTarget::Split { blue, green } => finding(
            Level::Warn,
            subject,
            format!(
                "splits traffic: BLUE {blue} %, GREEN {green} % ({})",
                view.raw
            ),
        ),
        RouterTarget::Unknown(v) => finding(
            Level::Error,
            subject,
            format!(
                "its value `{v}` matches neither color (blue = \"{}\", green = \"{}\")",
                config.colors.blue.route_value, config.colors.green.route_value
            ),
        ),
        RouterTarget::Missing => finding(Level::Error, subject, "does not exist"),
    }
}

async fn check_color(
    client: &Client,
    config: &Config,
    name: &str,
    c: &ColorConfig,
    out: &mut Vec<Finding>,
) {
    if let Some(d) = &c.deployment {
        let subject = format!("{name} deployment {}/{d}", c.namespace);
        out.push(exists(
            subject,
            get::<Deployment>(client, &c.namespace, d).await,
        ));
    }
    let mut services: Vec<(String, String)> = Vec::new();
    if let Some(s) = &c.service {
        services.push((c.namespace.clone(), s.clone()));
    }
    // The router's value names a Service for these kinds; it must exist where the router looks.
    let routed_ns = match config.router.kind {
        RouterKind::Httproute => Some(&c.namespace),
        RouterKind::IngressBackend => Some(&config.router.namespace),
        RouterKind::ServiceSelector => None,
    };
    if let Some(ns) = routed_ns {
        let pair = (ns.clone(), c.route_value.clone());
        if !services.contains(&pair) {
            services.push(pair);
        }
    }
    for (ns, svc) in services {
        let subject = format!("{name} service {ns}/{svc}");
        out.push(exists(subject, get::<Service>(client, &ns, &svc).await));
    }
    let subject = format!("{name} pods ({} in {})", c.selector, c.namespace);
    let pods = Api::<Pod>::namespaced(client.clone(), &c.namespace)
        .list(&ListParams::default().labels(&c.selector))
        .await;
    out.push(match pods {
        Ok(list) if list.items.is_empty() => {
            finding(Level::Warn, subject, "the selector matches no pods")
        }
        Ok(list) => {
            let ready = list.items.iter().filter(|p| is_ready(p)).count();
            finding(
                Level::Ok,
                subject,
                format!("{} pods match, {ready} ready", list.items.len()),
            )
        }
        Err(e) => cannot_check(subject, &e),
    });
}

fn is_ready(pod: &Pod) -> bool {
    pod.status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .is_some_and(|cs| cs.iter().any(|c| c.type_ == "Ready" && c.status == "True"))
}
