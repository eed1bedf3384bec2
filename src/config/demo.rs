//! The built-in configurations of the simulator's scenarios, and writing a config as TOML.

use std::collections::BTreeMap;

use super::metrics::{AnalysisConfig, Direction, MetricsConfig, SignalConfig};
use super::schema::{
    ChecklistItem, ColorConfig, Colors, Config, DecommissionConfig, DeployConfig, ItemKind,
    LogsConfig, ProbesConfig, ReleaseConfig, RouterConfig, RouterKind, SmokeCheck, SmokeConfig,
    UiConfig, VersionSource,
};

/// The demo configuration for a simulator scenario (`fittrack`, `fittrack-single-ns`, `load`).
///
/// `load` has the `fittrack` layout (more pods, more traffic); an unknown name gets the
/// `fittrack` configuration too, since the simulator rejects unknown scenarios itself.
pub fn demo_config(scenario: &str, lb_url: Option<&str>) -> Config {
    let router = match scenario {
        "fittrack-single-ns" => RouterConfig {
            kind: RouterKind::ServiceSelector,
            namespace: "fittrack".into(),
            name: "fittrack-lb".into(),
            selector_key: Some("deployment".into()),
            ..httproute()
        },
        _ => httproute(),
    };
    let color = |c: &str| match scenario {
        "fittrack-single-ns" => ColorConfig {
            namespace: "fittrack".into(),
            deployment: Some(format!("fittrack-{c}")),
            route_value: c.into(),
            ..color_in_own_namespace(c)
        },
        _ => color_in_own_namespace(c),
    };
    Config {
        read_only: false,
        router: RouterConfig {
            lb_url: lb_url.map(str::to_owned),
            lb_version: lb_url.map(|_| VersionSource::Header("X-App-Version".into())),
            ..router
        },
        colors: Colors {
            blue: color("blue"),
            green: color("green"),
        },
        probes: ProbesConfig::default(),
        logs: LogsConfig::default(),
        ui: UiConfig::default(),
        keys: BTreeMap::new(),
        release: ReleaseConfig::default(),
        smoke: demo_smoke(),
        deploy: Some(DeployConfig::default()),
        checklist: demo_checklist(),
        migrations: None,
        decommission: DecommissionConfig::default(),
        metrics: demo_metrics(),
        analysis: AnalysisConfig {
            auto_rollback: true,
            ..AnalysisConfig::default()
        },
    }
}

/// Scraped signals with the guide's DB pool usage and cache hit rate (each with the PromQL
/// that says the same, for a Prometheus source).
pub fn demo_metrics() -> MetricsConfig {
    let signal = |name: &str, expression: &str, query: &str, threshold, direction| SignalConfig {
        name: name.into(),
        expression: Some(expression.into()),
        query: Some(query.into()),
        unit: "%".into(),
        threshold: Some(threshold),
        direction,
    };
    MetricsConfig {
        signals: vec![
            signal(
                "db pool",
                "db_pool_connections_active / db_pool_connections_max",
                "sum(db_pool_connections_active{namespace=\"{namespace}\"}) / sum(db_pool_connections_max{namespace=\"{namespace}\"})",
                0.9,
                Direction::Above,
            ),
            signal(
                "cache hit",
                "rate(cache_hits_total) / (rate(cache_hits_total) + rate(cache_misses_total))",
                "sum(rate(cache_hits_total{namespace=\"{namespace}\"}[{window}])) / (sum(rate(cache_hits_total{namespace=\"{namespace}\"}[{window}])) + sum(rate(cache_misses_total{namespace=\"{namespace}\"}[{window}])))",
                0.5,
                Direction::Below,
            ),
        ],
        ..MetricsConfig::default()
    }
}

/// The deployment guide's pre-deployment checklist (ticked by hand), and the two facts
/// cutover can check itself: the standby color is ready and its version passed smoke.
fn demo_checklist() -> Vec<ChecklistItem> {
    let manual = |name: &str, required: bool| ChecklistItem {
        name: Some(name.into()),
        kind: ItemKind::Manual,
        required,
        command: Vec::new(),
        timeout_secs: None,
    };
    let builtin = |kind| ChecklistItem {
        name: None,
        kind,
        required: true,
        command: Vec::new(),
        timeout_secs: None,
    };
    vec![
        manual("All tests passing in CI", true),
        manual("Database migration tested in staging", true),
        manual("Migration is backward-compatible", true),
        manual("Container image built and pushed", false),
        manual("On-call engineer notified", true),
        manual("Rollback plan confirmed", false),
        builtin(ItemKind::StandbyReady),
        builtin(ItemKind::SmokePassed),
    ]
}

/// Smoke checks against the simulated FitTrack app's paths.
fn demo_smoke() -> SmokeConfig {
    let check = |path: &str, method: &str, status: u16, body: Option<&str>| SmokeCheck {
        path: path.into(),
        method: method.into(),
        status,
        body_contains: body.map(str::to_owned),
        max_latency_ms: Some(2_000),
    };
    SmokeConfig {
        checks: vec![
            check("/health/live", "GET", 200, None),
            check("/health/ready", "GET", 200, None),
            check("/api/workouts", "GET", 200, Some("\"kind\"")),
            check("/api/users/me", "GET", 200, Some("\"name\"")),
            check("/api/stats", "GET", 200, Some("\"workouts\"")),
            check("/api/workouts", "POST", 201, Some("\"created\":true")),
        ],
        ..SmokeConfig::default()
    }
}

/// The `fittrack` router: HTTPRoute `fittrack` in namespace `fittrack`, rule 0.
fn httproute() -> RouterConfig {
    RouterConfig {
        kind: RouterKind::Httproute,
        namespace: "fittrack".into(),
        name: "fittrack".into(),
        selector_key: None,
        rule: 0,
        lb_url: None,
        lb_version: None,
    }
}

/// A color in namespace `fittrack-<c>`, routed by its Service `fittrack-<c>`.
fn color_in_own_namespace(c: &str) -> ColorConfig {
    ColorConfig {
        namespace: format!("fittrack-{c}"),
        selector: format!("app=fittrack,deployment={c}"),
        deployment: Some("fittrack".into()),
        service: Some(format!("fittrack-{c}")),
        port: 8000,
        route_value: format!("fittrack-{c}"),
    }
}

/// The configuration for a simulator scenario as a commented TOML document (what
/// `cutover sim` writes beside its kubeconfig, so `cutover --config` works against it at once).
pub fn scenario_toml(scenario: &str, lb_url: Option<&str>) -> String {
    let body = to_toml(&demo_config(scenario, lb_url));
    format!("# cutover configuration for the simulator's {scenario:?} scenario\n{body}")
}

/// The configuration as a TOML document that `parse` reads back to the same value.
pub fn to_toml(config: &Config) -> String {
    // Only integers beyond i64 could fail, and TOML cannot hold those; the comment keeps
    // the output self-explaining instead of panicking if that ever changes.
    toml::to_string_pretty(config)
        .unwrap_or_else(|e| format!("# cutover could not write this configuration: {e}\n"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse;
    use std::path::Path;

    #[test]
    fn every_scenario_validates_and_round_trips() {
        for scenario in ["fittrack", "fittrack-single-ns", "load"] {
            for lb in [None, Some("http://127.0.0.1:4321")] {
                let config = demo_config(scenario, lb);
                let text = to_toml(&config);
                let back = parse(&text, Path::new("<demo>"))
                    .unwrap_or_else(|e| panic!("{scenario}: {e}\n{text}"));
                assert_eq!(back, config, "{scenario} round trip");
            }
        }
    }

    #[test]
    fn fittrack_facts() {
        let c = demo_config("fittrack", Some("http://lb"));
        assert_eq!(c.router.kind, RouterKind::Httproute);
        assert_eq!(
            (c.router.namespace.as_str(), c.router.name.as_str()),
            ("fittrack", "fittrack")
        );
        assert_eq!(c.colors.green.namespace, "fittrack-green");
        assert_eq!(c.colors.blue.selector, "app=fittrack,deployment=blue");
        assert_eq!(c.colors.green.route_value, "fittrack-green");
        assert_eq!(c.router.lb_url.as_deref(), Some("http://lb"));
        assert_eq!(
            c.router.lb_version,
            Some(VersionSource::Header("X-App-Version".into()))
        );
    }

    #[test]
    fn single_namespace_facts() {
        let c = demo_config("fittrack-single-ns", None);
        assert_eq!(c.router.kind, RouterKind::ServiceSelector);
        assert_eq!(c.router.name, "fittrack-lb");
        assert_eq!(c.router.selector_key.as_deref(), Some("deployment"));
        assert_eq!(c.colors.blue.namespace, "fittrack");
        assert_eq!(c.colors.green.deployment.as_deref(), Some("fittrack-green"));
        assert_eq!(c.colors.green.service.as_deref(), Some("fittrack-green"));
        assert_eq!(c.colors.blue.route_value, "blue");
        assert_eq!(c.router.lb_version, None);
    }
}
