//! The watch feeds: pods, Deployment and EndpointSlices per color, the router object
//! (plus a heartbeat read), and Events of the color and router namespaces.

use std::collections::{BTreeMap, BTreeSet};
use std::time::Duration;

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{ConfigMap, Event, Pod};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use kube::api::DynamicObject;
use kube::{Api, ResourceExt};
use tokio::task::JoinSet;

use super::watch::{self, Change, FeedHealth, Store};
use super::{Ctx, PodFacts, Shared};
use crate::app::msg::Msg;
use crate::cluster::errors::explain;
use crate::cluster::{convert, router};
use crate::model::{Color, Feed};

/// How often the router is read besides its watch, to notice a half-open connection.
pub const HEARTBEAT: Duration = Duration::from_secs(5);

/// Starts every watch feed on `tasks`.
pub fn spawn_all(ctx: &Ctx, shared: &Shared, tasks: &mut JoinSet<()>) {
    for color in Color::BOTH {
        tasks.spawn(pods(ctx.clone(), shared.clone(), color));
        let cc = ctx.config.colors.of(color);
        if let Some(name) = cc.deployment.clone() {
            tasks.spawn(deployment(ctx.clone(), color, name));
        }
        if let Some(service) = cc.service.clone() {
            tasks.spawn(endpoints(ctx.clone(), color, service));
        }
    }
    tasks.spawn(router_watch(ctx.clone()));
    tasks.spawn(router_heartbeat(ctx.clone()));
    let mut namespaces = BTreeSet::new();
    namespaces.insert(ctx.config.router.namespace.clone());
    for color in Color::BOTH {
        namespaces.insert(ctx.config.colors.of(color).namespace.clone());
    }
    for ns in namespaces {
        tasks.spawn(events(ctx.clone(), ns));
    }
}

async fn pods(ctx: Ctx, shared: Shared, color: Color) {
    let cc = ctx.config.colors.of(color);
    let api: Api<Pod> = Api::namespaced(ctx.client.clone(), &cc.namespace);
    let wc = watch::config().labels(&cc.selector);
    let publish = shared.pods[color as usize].clone();
    // Converted once per change, not every pod on every change: a rollout of many pods
    // sends many events.
    let mut facts: BTreeMap<String, PodFacts> = BTreeMap::new();
    let on_change = move |change: Change<'_, Pod>, store: &Store<Pod>| {
        match change {
            Change::Reset => {
                facts = store
                    .values()
                    .map(|p| (p.name_any(), pod_facts(p)))
                    .collect();
            }
            Change::Applied(p) => {
                facts.insert(p.name_any(), pod_facts(p));
            }
            Change::Deleted(p) => {
                facts.remove(&p.name_any());
            }
        }
        // Keyed by name, so already sorted by name.
        let all: Vec<PodFacts> = facts.values().cloned().collect();
        let pods = all.iter().map(|f| f.summary.clone()).collect();
        publish.send_replace(all);
        vec![Msg::Pods { color, pods }]
    };
    watch::run(api, wc, Feed::Pods(color), ctx.tx.clone(), on_change).await;
}

fn pod_facts(p: &Pod) -> PodFacts {
    let annotated = p
        .annotations()
        .get("kubectl.kubernetes.io/default-container")
        .cloned();
    let first = p.spec.as_ref().and_then(|s| s.containers.first());
    PodFacts {
        summary: convert::pod_summary(p),
        log_container: annotated
            .or_else(|| first.map(|c| c.name.clone()))
            .unwrap_or_default(),
    }
}

async fn deployment(ctx: Ctx, color: Color, name: String) {
    let cc = ctx.config.colors.of(color);
    let api: Api<Deployment> = Api::namespaced(ctx.client.clone(), &cc.namespace);
    let wc = watch::config().fields(&format!("metadata.name={name}"));
    let feed = Feed::Deployment(color);
    watch::run(api, wc, feed, ctx.tx.clone(), move |_, store| {
        let deployment = store.values().next().map(convert::deployment_summary);
        vec![Msg::Deployment { color, deployment }]
    })
    .await;
}

async fn endpoints(ctx: Ctx, color: Color, service: String) {
    let cc = ctx.config.colors.of(color);
    let api: Api<EndpointSlice> = Api::namespaced(ctx.client.clone(), &cc.namespace);
    let wc = watch::config().labels(&format!("kubernetes.io/service-name={service}"));
    watch::run(
        api,
        wc,
        Feed::Endpoints(color),
        ctx.tx.clone(),
        move |_, store| {
            let (ready, total) = convert::endpoint_counts(store.values());
            vec![Msg::Endpoints {
                color,
                ready,
                total,
            }]
        },
    )
    .await;
}

async fn events(ctx: Ctx, namespace: String) {
    let api: Api<Event> = Api::namespaced(ctx.client.clone(), &namespace);
    let feed = Feed::Events(namespace);
    watch::run(
        api,
        watch::config(),
        feed,
        ctx.tx.clone(),
        |change, store| {
            // cutover's own Events repeat journal entries the timeline already shows from
            // the shared history (with who, versions and phases), so they are left out.
            let theirs = |e: &&Event| {
                e.reporting_component.as_deref() != Some(super::journal::REPORTING_CONTROLLER)
            };
            let events: Vec<_> = match change {
                Change::Reset => store
                    .values()
                    .filter(theirs)
                    .map(convert::kube_event)
                    .collect(),
                Change::Applied(e) if theirs(&e) => vec![convert::kube_event(e)],
                // Events expire; the timeline keeps what it has seen.
                Change::Applied(_) | Change::Deleted(_) => return vec![],
            };
            vec![Msg::Events(events)]
        },
    )
    .await;
}

/// Watch the shared history (ConfigMap `cutover-history` in the router's namespace); a
/// missing ConfigMap is an empty history.
pub fn spawn_history(ctx: &Ctx, tasks: &mut JoinSet<()>) {
    tasks.spawn(history(ctx.clone()));
}

async fn history(ctx: Ctx) {
    let api: Api<ConfigMap> = Api::namespaced(ctx.client.clone(), &ctx.config.router.namespace);
    let wc = watch::config().fields(&format!("metadata.name={}", super::journal::HISTORY));
    watch::run(api, wc, Feed::History, ctx.tx.clone(), |_, store| {
        let entries = store
            .values()
            .next()
            .map(super::journal::parse_history)
            .unwrap_or_default();
        vec![Msg::History(entries)]
    })
    .await;
}

fn router_api(ctx: &Ctx) -> Api<DynamicObject> {
    let ar = router::api_resource(ctx.config.router.kind);
    Api::namespaced_with(ctx.client.clone(), &ctx.config.router.namespace, &ar)
}

/// The router reading as a message; `update` decides what changed and since when.
fn router_view(ctx: &Ctx, obj: Option<&DynamicObject>) -> Msg {
    let value = obj.and_then(|o| serde_json::to_value(o).ok());
    Msg::Router(router::read(&ctx.config, value.as_ref()))
}

async fn router_watch(ctx: Ctx) {
    let wc = watch::config().fields(&format!("metadata.name={}", ctx.config.router.name));
    let api = router_api(&ctx);
    let tx = ctx.tx.clone();
    watch::run(
        api,
        wc,
        Feed::Router,
        tx,
        |_, store: &Store<DynamicObject>| vec![router_view(&ctx, store.values().next())],
    )
    .await;
}

async fn router_heartbeat(ctx: Ctx) {
    let api = router_api(&ctx);
    let mut health = FeedHealth::new(Feed::Router, ctx.tx.clone());
    let mut tick = tokio::time::interval(HEARTBEAT);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tick.tick().await; // the watch delivers the first reading
    loop {
        tick.tick().await;
        let name = &ctx.config.router.name;
        match tokio::time::timeout(HEARTBEAT, api.get_opt(name)).await {
            Ok(Ok(obj)) => {
                health.live();
                if ctx.tx.send(router_view(&ctx, obj.as_ref())).is_err() {
                    return;
                }
            }
            Ok(Err(e)) => health.failed(&format!("router heartbeat: {}", explain(&e))),
            Err(_) => health.failed(&"router heartbeat: no answer within 5 s"),
        }
    }
}
