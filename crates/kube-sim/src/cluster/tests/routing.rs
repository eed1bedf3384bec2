//! Routing-side tests: Gateway/HTTPRoute status and the `/sim/v1/state` summary.

use super::*;

fn route_condition(state: &SimState, kind: &str) -> (String, String) {
    let r = state
        .store
        .get("httproutes", "fittrack", "fittrack")
        .unwrap();
    let c = r
        .pointer("/status/parents/0/conditions")
        .and_then(Value::as_array)
        .and_then(|cs| cs.iter().find(|c| c["type"] == kind).cloned())
        .unwrap_or(Value::Null);
    (
        c["status"].as_str().unwrap_or("").into(),
        c["reason"].as_str().unwrap_or("").into(),
    )
}

#[tokio::test]
async fn gateway_status_reports_accepted_routes_and_unresolved_refs() {
    let (state, _) = start("fittrack");
    let ok = ("True".to_string(), "ResolvedRefs".to_string());
    eventually("route accepted and resolved", || {
        route_condition(&state, "Accepted").0 == "True"
            && route_condition(&state, "ResolvedRefs") == ok
    })
    .await;
    eventually("gateway programmed with 1 route", || {
        let g = state
            .store
            .get("gateways", "fittrack", "fittrack-gateway")
            .unwrap();
        g.pointer("/status/listeners/0/attachedRoutes") == Some(&json!(1))
            && g.pointer("/status/conditions/1/type") == Some(&json!("Programmed"))
    })
    .await;
    state
        .store
        .delete("referencegrants", "fittrack-green", "allow-fittrack-routes")
        .unwrap();
    eventually("RefNotPermitted", || {
        route_condition(&state, "ResolvedRefs") == ("False".into(), "RefNotPermitted".into())
    })
    .await;
    state
        .store
        .modify("httproutes", "fittrack", "fittrack", |r| {
            r["spec"]["rules"][0]["backendRefs"] = json!([{"name": "nope", "port": 8000}]);
        })
        .unwrap();
    eventually("BackendNotFound", || {
        route_condition(&state, "ResolvedRefs") == ("False".into(), "BackendNotFound".into())
    })
    .await;
    state.shutdown.cancel();
}

#[tokio::test]
async fn state_summary_counts_colors_and_routers() {
    let (state, _) = start("fittrack");
    eventually("both settled", || {
        settled(&state, "fittrack-blue", 3) && settled(&state, "fittrack-green", 3)
    })
    .await;
    let s = summary::summary(&state, None);
    assert_eq!(s["scenario"], "fittrack");
    assert_eq!(s["colors"]["blue"]["total"], 3);
    assert_eq!(s["colors"]["green"]["ready"], 3);
    let route = &s["routers"]["httproutes"][0];
    assert_eq!(route["name"], "fittrack");
    assert_eq!(route["rules"][0]["backends"][0]["weight"], 100);
    assert_eq!(
        route["rules"][0]["backends"][1]["service"],
        "fittrack-green"
    );
    let d = s["deployments"].as_array().unwrap();
    assert!(d
        .iter()
        .all(|d| d["progressing"] == "NewReplicaSetAvailable"));
    state.shutdown.cancel();
}
