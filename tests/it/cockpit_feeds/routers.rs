//! The router kinds read from the simulator's objects: HTTPRoute (in `watches`),
//! Service selector and Ingress backend.

use cutover::cluster::router::api_resource;
use cutover::config::schema::RouterKind;
use cutover::model::{Color, RouterTarget};
use kube::api::{Api, DynamicObject, Patch, PatchParams};
use serde_json::json;

use super::rig::Rig;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_service_selector_router_of_the_single_namespace_scenario() {
    let mut rig = Rig::start_with("fittrack-single-ns", |_| {}).await;
    let view = rig.until("router read", |s| s.router.clone()).await;
    assert_eq!(view.target, RouterTarget::Color(Color::Blue), "{view:?}");
    assert_eq!(view.raw, "deployment=blue");
    rig.until("pods of both colors", |s| {
        (s.running(Color::Blue) > 0 && s.running(Color::Green) > 0).then_some(())
    })
    .await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_ingress_backend_router_follows_a_patch() {
    let mut rig = Rig::start_with("fittrack", |c| {
        c.router.kind = RouterKind::IngressBackend;
        c.router.name = "fittrack-ingress".into();
    })
    .await;
    let view = rig.until("router read", |s| s.router.clone()).await;
    assert_eq!(view.target, RouterTarget::Color(Color::Blue), "{view:?}");
    let ar = api_resource(RouterKind::IngressBackend);
    let api: Api<DynamicObject> = Api::namespaced_with(rig.client.clone(), "fittrack", &ar);
    let path = "/spec/rules/0/http/paths/0/backend/service/name";
    let patch: json_patch::Patch = serde_json::from_value(json!([
        {"op": "test", "path": path, "value": "fittrack-blue"},
        {"op": "replace", "path": path, "value": "fittrack-green"}
    ]))
    .unwrap();
    api.patch(
        "fittrack-ingress",
        &PatchParams::default(),
        &Patch::Json::<()>(patch),
    )
    .await
    .unwrap();
    rig.until("router says GREEN", |s| {
        (s.router_target() == Some(&RouterTarget::Color(Color::Green))).then_some(())
    })
    .await;
}
