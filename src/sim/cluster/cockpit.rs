//! The cockpit configuration (TOML) that matches a scenario, written next to the kubeconfig
//! by `cutover sim` so `cutover --config` works against the simulator at once.

use super::scenario::APP_PORT;
use crate::config::schema::{
    ColorConfig, Colors, Config, LogsConfig, ProbesConfig, RouterConfig, RouterKind, UiConfig,
    VersionSource,
};

fn colour(
    namespace: &str,
    selector_colour: &str,
    deployment: &str,
    service: &str,
    route_value: &str,
) -> ColorConfig {
    ColorConfig {
        namespace: namespace.into(),
        selector: format!("app=fittrack,deployment={selector_colour}"),
        deployment: Some(deployment.into()),
        service: Some(service.into()),
        port: APP_PORT,
        route_value: route_value.into(),
    }
}

/// The cockpit [`Config`] for `scenario`: `fittrack-single-ns` switches the `fittrack-lb`
/// Service's selector; every other scenario (`fittrack`, `load`) weights the HTTPRoute.
pub fn cockpit_config_value(scenario: &str, lb_url: Option<&str>) -> Config {
    let (router, blue, green) = if scenario == "fittrack-single-ns" {
        (
            RouterConfig {
                kind: RouterKind::ServiceSelector,
                namespace: "fittrack".into(),
                name: "fittrack-lb".into(),
                selector_key: Some("deployment".into()),
                rule: 0,
                lb_url: None,
                lb_version: None,
            },
            colour("fittrack", "blue", "fittrack-blue", "fittrack-blue", "blue"),
            colour(
                "fittrack",
                "green",
                "fittrack-green",
                "fittrack-green",
                "green",
            ),
        )
    } else {
        (
            RouterConfig {
                kind: RouterKind::Httproute,
                namespace: "fittrack".into(),
                name: "fittrack".into(),
                selector_key: None,
                rule: 0,
                lb_url: None,
                lb_version: None,
            },
            colour(
                "fittrack-blue",
                "blue",
                "fittrack",
                "fittrack-blue",
                "fittrack-blue",
            ),
            colour(
                "fittrack-green",
                "green",
                "fittrack",
                "fittrack-green",
                "fittrack-green",
            ),
        )
    };
    let router = RouterConfig {
        lb_url: lb_url.map(String::from),
        lb_version: lb_url.map(|_| VersionSource::Header("X-App-Version".into())),
        ..router
    };
    Config {
        router,
        colors: Colors { blue, green },
        probes: ProbesConfig::default(),
        logs: LogsConfig::default(),
        ui: UiConfig::default(),
        keys: Default::default(),
    }
}

/// The cockpit configuration for `scenario` as TOML (see [`cockpit_config_value`]).
pub fn cockpit_config(scenario: &str, lb_url: Option<&str>) -> String {
    let config = cockpit_config_value(scenario, lb_url);
    let body = toml::to_string(&config).unwrap_or_else(|e| format!("# could not render: {e}\n"));
    format!("# cutover configuration for the simulator's {scenario:?} scenario\n{body}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Config {
        toml::from_str(text).expect("valid config")
    }

    #[test]
    fn fittrack_routes_by_httproute_weights() {
        let c = parse(&cockpit_config("fittrack", Some("http://127.0.0.1:9")));
        assert_eq!(c.router.kind, RouterKind::Httproute);
        assert_eq!(
            (c.router.namespace.as_str(), c.router.name.as_str()),
            ("fittrack", "fittrack")
        );
        assert_eq!(c.router.lb_url.as_deref(), Some("http://127.0.0.1:9"));
        assert_eq!(
            c.router.lb_version,
            Some(VersionSource::Header("X-App-Version".into()))
        );
        assert_eq!(c.colors.green.namespace, "fittrack-green");
        assert_eq!(c.colors.green.selector, "app=fittrack,deployment=green");
        assert_eq!(c.colors.green.deployment.as_deref(), Some("fittrack"));
        assert_eq!(c.colors.green.route_value, "fittrack-green");
        assert_eq!(c.colors.blue.port, 8000);
    }

    #[test]
    fn single_ns_switches_the_selector() {
        let c = parse(&cockpit_config("fittrack-single-ns", None));
        assert_eq!(c.router.kind, RouterKind::ServiceSelector);
        assert_eq!(c.router.name, "fittrack-lb");
        assert_eq!(c.router.selector_key.as_deref(), Some("deployment"));
        assert_eq!(c.colors.blue.namespace, "fittrack");
        assert_eq!(c.colors.blue.deployment.as_deref(), Some("fittrack-blue"));
        assert_eq!(c.colors.blue.route_value, "blue");
        assert!(c.router.lb_url.is_none() && c.router.lb_version.is_none());
    }
}
