//! The cockpit configuration (TOML) that matches a scenario, written next to the kubeconfig
//! by `cutover sim` so `cutover --config` works against the simulator at once. The
//! configuration itself is the cockpit's built-in demo configuration: one source of truth.

use crate::config::{demo_config, to_toml};

/// The cockpit configuration for `scenario` as TOML: `fittrack-single-ns` switches the
/// `fittrack-lb` Service's selector; every other scenario (`fittrack`, `load`) weights the
/// HTTPRoute.
pub fn cockpit_config(scenario: &str, lb_url: Option<&str>) -> String {
    let body = to_toml(&demo_config(scenario, lb_url));
    format!("# cutover configuration for the simulator's {scenario:?} scenario\n{body}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::schema::{Config, RouterKind, VersionSource};

    /// Parsed with the cockpit's own validating parser: what `cutover sim` writes loads.
    fn parse(text: &str) -> Config {
        crate::config::parse(text, std::path::Path::new("sim.toml")).expect("valid config")
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
