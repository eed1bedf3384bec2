//! Integration tests (CONFIG): the example file, the demo configurations, and every broken
//! configuration under `tests/configs/` failing with its expected, located message.

use std::path::{Path, PathBuf};

use cutover::config::schema::RouterKind;
use cutover::config::{demo_config, load, parse, to_toml, ConfigError};

fn repo_file(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(rel)
}

#[test]
fn example_config_validates_with_fittrack_values() {
    let path = repo_file("config.example.toml");
    let loaded = load(Some(&path)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(loaded.path, path);
    let c = loaded.config;
    assert_eq!(c.router.kind, RouterKind::Httproute);
    assert_eq!(c.router.namespace, "fittrack");
    assert_eq!(c.colors.blue.namespace, "fittrack-blue");
    assert_eq!(c.colors.green.selector, "app=fittrack,deployment=green");
    assert_eq!(c.colors.green.port, 8000);
    assert_eq!(c.probes.ready, "/health/ready");
    assert_eq!(
        c.router.lb_url.as_deref(),
        Some("https://api.fittrack.example.com")
    );
}

/// Every key the schema knows appears in the example, so none goes undocumented.
#[test]
fn example_config_mentions_every_key() {
    let text = std::fs::read_to_string(repo_file("config.example.toml")).unwrap();
    let full = to_toml(&demo_config("fittrack-single-ns", Some("http://lb")));
    for line in full.lines().filter(|l| l.contains(" = ")) {
        let key = line.split(" = ").next().unwrap();
        assert!(text.contains(&format!("{key} =")), "`{key}` undocumented");
    }
    for key in ["json_field", "container", "[keys]"] {
        assert!(text.contains(key), "`{key}` undocumented");
    }
}

#[test]
fn demo_configs_validate_and_round_trip() {
    for scenario in ["fittrack", "fittrack-single-ns", "load"] {
        let config = demo_config(scenario, Some("http://127.0.0.1:8080"));
        let text = to_toml(&config);
        let origin = PathBuf::from(format!("<demo:{scenario}>"));
        let back = parse(&text, &origin).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(back, config, "{scenario}");
        assert_eq!(to_toml(&back), text, "{scenario}: to_toml is stable");
    }
}

/// (file, expected `line:column: `key`: message` prefix) for every broken config.
const BROKEN: &[(&str, &str)] = &[
    ("unknown_key.toml", "6:1: `router.color`: unknown field `color`"),
    (
        "wrong_type.toml",
        "11:8: `colors.blue.port`: invalid type: string \"8000\", expected u16",
    ),
    (
        "missing_key.toml",
        "13:1: `colors.green.route_value`: missing field `route_value`",
    ),
    ("bad_enum.toml", "3:8: `router.kind`: unknown variant `nginx`"),
    ("syntax_error.toml", "4:22: `router.namespace`: invalid basic string"),
    (
        "same_route_value.toml",
        "17:15: `colors.green.route_value`: blue and green have the same route_value",
    ),
    (
        "lb_version_without_url.toml",
        "6:14: `router.lb_version`: `lb_version` says where to read the version at `lb_url`, but `lb_url` is not set",
    ),
    (
        "bad_selector.toml",
        "15:12: `colors.green.selector`: invalid label selector: unbalanced parentheses",
    ),
    (
        "relative_probe_path.toml",
        "20:9: `probes.ready`: probe path `health/ready` must start with '/'",
    ),
    ("zero_log_streams.toml", "20:15: `logs.max_streams`: must be at least 1"),
    (
        "bad_namespace.toml",
        "14:13: `colors.green.namespace`: `FitTrack_Green` is not a valid DNS label",
    ),
    (
        "selector_key_missing.toml",
        "2:2: `router.selector_key`: a service-selector router needs `selector_key`",
    ),
    (
        "same_workload.toml",
        "15:12: `colors.green.selector`: blue's selector `app=fittrack` and green's \
         `app=fittrack,deployment=green` can select the same pods in namespace `fittrack`",
    ),
    (
        "smoke_method_lowercase.toml",
        "24:10: `smoke.checks[1].method`: `post` is not an HTTP method a check can send; write \"POST\"",
    ),
    (
        "selector_across_namespaces.toml",
        "11:13: `colors.blue.namespace`: a service-selector router cannot route to blue",
    ),
    (
        "deploy_image_with_tag.toml",
        "23:9: `deploy.image`: `oci.example.com/fittrack/api:v2` has a tag or digest",
    ),
    (
        "checklist_migrations_without_section.toml",
        "22:8: `checklist[0].kind`: `migrations-applied` runs `[migrations] check`, but there is no [migrations] section",
    ),
    (
        "monitor_minutes_too_long.toml",
        "22:19: `release.monitor_minutes`: 5000 is not a number of minutes from 0 to 1440",
    ),
];

#[test]
fn broken_configs_fail_with_file_line_and_key() {
    for (file, expected) in BROKEN {
        let path = repo_file("tests/configs").join(file);
        let err = load(Some(&path)).expect_err(file);
        assert!(matches!(err, ConfigError::Invalid { .. }), "{file}: {err}");
        let text = err.to_string();
        let want = format!("{}:{expected}", path.display());
        assert!(
            text.starts_with(&want),
            "{file}:\n got: {text}\nwant: {want}"
        );
    }
}

#[test]
fn every_broken_config_has_an_expectation() {
    let dir = repo_file("tests/configs");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        assert!(
            BROKEN.iter().any(|(f, _)| *f == name),
            "tests/configs/{name} has no expected message"
        );
    }
}

/// The guide's layout taken literally: both colors are refused, the message says why
/// in plain words and points to the router kind that works.
#[test]
fn guide_layout_with_service_selector_explains_and_suggests_httproute() {
    let path = repo_file("tests/configs/selector_across_namespaces.toml");
    let err = load(Some(&path)).unwrap_err();
    let problems = err.problems();
    assert_eq!(problems.len(), 2, "{err}");
    assert_eq!(problems[1].key, "colors.green.namespace");
    for p in problems {
        assert!(p
            .message
            .contains("a Service selects only pods of its own namespace"));
        assert!(p.message.contains("kind = \"httproute\""));
    }
}
