//! Unit tests of the semantic validators, through `parse` so positions are checked too.

use std::path::Path;

use crate::config::{parse, ConfigError, Diagnostic};

/// The FitTrack httproute layout, minimal.
const BASE: &str = r#"[router]
kind = "httproute"
namespace = "fittrack"
name = "fittrack"

[colors.blue]
namespace = "fittrack-blue"
selector = "app=fittrack,deployment=blue"
route_value = "fittrack-blue"

[colors.green]
namespace = "fittrack-green"
selector = "app=fittrack,deployment=green"
route_value = "fittrack-green"
"#;

/// The single-namespace service-selector layout.
const SINGLE_NS: &str = r#"[router]
kind = "service-selector"
namespace = "fittrack"
name = "fittrack-lb"
selector_key = "deployment"

[colors.blue]
namespace = "fittrack"
selector = "app=fittrack,deployment=blue"
route_value = "blue"

[colors.green]
namespace = "fittrack"
selector = "app=fittrack,deployment=green"
route_value = "green"
"#;

/// `base` with each `(from, to)` replaced once; panics if a pattern is missing, so a
/// typo in a test cannot turn into a silently valid file.
fn edit(base: &str, edits: &[(&str, &str)]) -> String {
    edits.iter().fold(base.to_owned(), |text, (from, to)| {
        assert!(text.contains(from), "fixture lacks {from:?}");
        text.replacen(from, to, 1)
    })
}

fn problems(text: &str) -> Vec<Diagnostic> {
    match parse(text, Path::new("t.toml")) {
        Ok(_) => Vec::new(),
        Err(ConfigError::Invalid { problems, .. }) => problems,
        Err(other) => panic!("unexpected error kind: {other}"),
    }
}

/// The single problem of `text`: its key, line and message.
fn only_problem(text: &str) -> (String, Option<usize>, String) {
    let found = problems(text);
    assert_eq!(found.len(), 1, "expected one problem, got {found:#?}");
    let p = &found[0];
    (p.key.clone(), p.position.map(|p| p.line), p.message.clone())
}

#[test]
fn fixtures_are_valid() {
    assert_eq!(problems(BASE), vec![]);
    assert_eq!(problems(SINGLE_NS), vec![]);
}

#[test]
fn service_selector_across_namespaces_suggests_httproute() {
    let text = edit(
        BASE,
        &[
            ("kind = \"httproute\"", "kind = \"service-selector\""),
            (
                "name = \"fittrack\"",
                "name = \"fittrack-lb\"\nselector_key = \"deployment\"",
            ),
            ("route_value = \"fittrack-blue\"", "route_value = \"blue\""),
            (
                "route_value = \"fittrack-green\"",
                "route_value = \"green\"",
            ),
        ],
    );
    let found = problems(&text);
    let keys: Vec<_> = found.iter().map(|p| p.key.as_str()).collect();
    assert_eq!(keys, ["colors.blue.namespace", "colors.green.namespace"]);
    let blue = &found[0];
    assert_eq!(blue.position.map(|p| p.line), Some(8));
    assert!(blue
        .message
        .contains("a Service selects only pods of its own namespace"));
    assert!(
        blue.message.contains("kind = \"httproute\""),
        "{}",
        blue.message
    );
}

#[test]
fn ingress_backend_needs_colors_in_its_namespace() {
    let text = edit(
        BASE,
        &[("kind = \"httproute\"", "kind = \"ingress-backend\"")],
    );
    let found = problems(&text);
    assert_eq!(found.len(), 2);
    assert!(found[0].message.contains("Services in its own namespace"));
}

#[test]
fn service_selector_requires_selector_key_located_at_its_table() {
    let text = edit(SINGLE_NS, &[("selector_key = \"deployment\"\n", "")]);
    let (key, line, msg) = only_problem(&text);
    assert_eq!((key.as_str(), line), ("router.selector_key", Some(1)));
    assert!(msg.contains("needs `selector_key`"));
}

#[test]
fn selector_key_and_rule_belong_to_their_kinds() {
    let text = edit(
        BASE,
        &[(
            "name = \"fittrack\"",
            "name = \"fittrack\"\nselector_key = \"x\"",
        )],
    );
    assert_eq!(only_problem(&text).0, "router.selector_key");
    let text = edit(
        SINGLE_NS,
        &[("name = \"fittrack-lb\"", "name = \"fittrack-lb\"\nrule = 2")],
    );
    assert_eq!(only_problem(&text).0, "router.rule");
}

#[test]
fn route_values_must_differ() {
    let text = edit(
        BASE,
        &[(
            "route_value = \"fittrack-green\"",
            "route_value = \"fittrack-blue\"",
        )],
    );
    let (key, line, msg) = only_problem(&text);
    assert_eq!((key.as_str(), line), ("colors.green.route_value", Some(14)));
    assert!(msg.contains("same route_value"));
}

#[test]
fn color_selector_must_agree_with_its_route_value() {
    let text = edit(
        SINGLE_NS,
        &[("route_value = \"green\"", "route_value = \"verde\"")],
    );
    let (key, _, msg) = only_problem(&text);
    assert_eq!(key, "colors.green.route_value");
    assert!(msg.contains("requires deployment=green"), "{msg}");
}

#[test]
fn same_pods_for_both_colors_is_refused() {
    let text = edit(SINGLE_NS, &[("deployment=green\"", "deployment=blue\"")]);
    let found = problems(&text);
    assert!(
        found.iter().any(|p| p.key == "colors.green.selector"),
        "{found:#?}"
    );
}

/// One workload as two colors: the same Deployment, or selectors that can pick the same
/// pods in one namespace; told at the key, with both values.
#[test]
fn two_colors_that_are_one_workload_are_refused() {
    let text = edit(
        SINGLE_NS,
        &[
            (
                "selector = \"app=fittrack,deployment=blue\"",
                "selector = \"app=fittrack\"",
            ),
            (
                "route_value = \"blue\"",
                "route_value = \"blue\"\ndeployment = \"fittrack\"",
            ),
            (
                "route_value = \"green\"",
                "route_value = \"green\"\ndeployment = \"fittrack\"",
            ),
        ],
    );
    let found = problems(&text);
    let keys: Vec<(&str, Option<usize>)> = found
        .iter()
        .map(|p| (p.key.as_str(), p.position.map(|p| p.line)))
        .collect();
    assert_eq!(
        keys,
        [
            ("colors.green.selector", Some(15)),
            ("colors.green.deployment", Some(17))
        ],
        "{found:#?}"
    );
    assert!(
        found[0].message.contains("`app=fittrack` and green's"),
        "{found:#?}"
    );
    assert!(
        found[1].message.contains("same Deployment `fittrack`"),
        "{found:#?}"
    );
    // Separate namespaces never share pods or a Deployment.
    assert_eq!(problems(BASE), vec![]);
    let excluded = edit(SINGLE_NS, &[("deployment=green\"", "deployment!=blue\"")]);
    assert_eq!(problems(&excluded), vec![], "green excludes blue's pods");
}

#[test]
fn names_must_be_dns_labels() {
    let text = edit(
        BASE,
        &[(
            "namespace = \"fittrack-green\"",
            "namespace = \"FitTrack_Green\"",
        )],
    );
    let (key, line, msg) = only_problem(&text);
    assert_eq!((key.as_str(), line), ("colors.green.namespace", Some(12)));
    assert!(msg.contains("not a valid DNS label"));
    let text = edit(
        BASE,
        &[("route_value = \"fittrack-blue\"", "route_value = \"9blue\"")],
    );
    assert_eq!(only_problem(&text).0, "colors.blue.route_value");
}

#[test]
fn selectors_must_parse() {
    let text = edit(
        BASE,
        &[("app=fittrack,deployment=blue", "app in (fittrack")],
    );
    let (key, line, msg) = only_problem(&text);
    assert_eq!((key.as_str(), line), ("colors.blue.selector", Some(8)));
    assert!(msg.contains("invalid label selector"));
}

#[test]
fn lb_version_needs_lb_url() {
    let text = edit(
        BASE,
        &[(
            "name = \"fittrack\"",
            "name = \"fittrack\"\nlb_version = { header = \"X-App-Version\" }",
        )],
    );
    let (key, line, _) = only_problem(&text);
    assert_eq!((key.as_str(), line), ("router.lb_version", Some(5)));
    let bad_url = edit(
        BASE,
        &[(
            "name = \"fittrack\"",
            "name = \"fittrack\"\nlb_url = \"ftp://x\"",
        )],
    );
    assert_eq!(only_problem(&bad_url).0, "router.lb_url");
}

#[test]
fn probes_need_absolute_paths_and_positive_timeouts() {
    // Problems come in file order: timeout_secs is written before interval_secs.
    let text =
        format!("{BASE}\n[probes]\nlive = \"health\"\ntimeout_secs = 0\ninterval_secs = -1\n");
    let found = problems(&text);
    let keys: Vec<_> = found.iter().map(|p| p.key.as_str()).collect();
    assert_eq!(
        keys,
        ["probes.live", "probes.timeout_secs", "probes.interval_secs"]
    );
    assert_eq!(found[0].position.map(|p| p.line), Some(17));
}

#[test]
fn log_bounds_must_be_positive() {
    let text = format!("{BASE}\n[logs]\nmax_streams = 0\nbuffer_bytes = 0\ntail = -5\n");
    let keys: Vec<_> = problems(&text).into_iter().map(|p| p.key).collect();
    assert_eq!(keys, ["logs.max_streams", "logs.buffer_bytes", "logs.tail"]);
}

#[test]
fn key_overrides_use_the_keymap() {
    let ok = format!("{BASE}\n[keys]\nwrap = \"W\"\nhelp = \"F2\"\n");
    assert_eq!(problems(&ok), vec![]);
    let bad_key = format!("{BASE}\n[keys]\nrollback = \"ctrl r\"\n");
    let (key, line, msg) = only_problem(&bad_key);
    assert_eq!((key.as_str(), line), ("keys.rollback", Some(17)));
    assert!(msg.contains("unparsable key"), "{msg}");
    let unknown = format!("{BASE}\n[keys]\nroll_back = \"x\"\n");
    let (key, _, msg) = only_problem(&unknown);
    assert_eq!(key, "keys.roll_back");
    assert!(
        msg.contains("unknown action") && msg.contains("rollback"),
        "{msg}"
    );
    // `w` toggles wrap in normal mode; giving it to help too would clash.
    let clash = format!("{BASE}\n[keys]\nhelp = \"w\"\n");
    let (key, _, msg) = only_problem(&clash);
    assert_eq!(key, "keys.help");
    assert!(msg.contains("already bound to `wrap`"), "{msg}");
}

#[test]
fn actions_bound_everywhere_need_a_modifier_or_function_key() {
    for (action, key) in [
        ("rollback_chord", "x"),
        ("rollback_chord", "shift-x"),
        ("interrupt", "enter"),
        ("suspend", "Z"),
    ] {
        let text = format!("{BASE}\n[keys]\n{action} = \"{key}\"\n");
        let (found, line, msg) = only_problem(&text);
        assert_eq!((found, line), (format!("keys.{action}"), Some(17)), "{key}");
        assert!(
            msg.contains(&format!("key \"{key}\"")) && msg.contains("every mode"),
            "{msg}"
        );
        let err = parse(&text, Path::new("/etc/cutover.toml")).unwrap_err();
        let shown = err.to_string();
        assert!(
            shown.contains("/etc/cutover.toml:17:") && shown.contains(&format!("`keys.{action}`")),
            "{shown}"
        );
    }
    for key in ["ctrl-x", "alt-r", "F9", "ctrl+shift+r"] {
        let ok = format!("{BASE}\n[keys]\nrollback_chord = \"{key}\"\n");
        assert_eq!(problems(&ok), vec![], "{key}");
    }
    // Plain keys stay fine for actions of one mode.
    let ok = format!("{BASE}\n[keys]\nrollback = \"x\"\n");
    assert_eq!(problems(&ok), vec![]);
}

/// However long a value is, the error quoting it stays readable: a 100 KB name and a
/// 309-digit number are cut, a serde message quoting a huge string too.
#[test]
fn errors_never_echo_huge_values() {
    let huge = "a".repeat(100_000);
    let text = edit(
        BASE,
        &[
            (
                "namespace = \"fittrack-green\"",
                &format!("namespace = \"{huge}\""),
            ),
            (
                "[colors.green]",
                "[probes]\ninterval_secs = 1e308\n\n[colors.green]",
            ),
        ],
    );
    let err = parse(&text, Path::new("t.toml")).unwrap_err().to_string();
    assert!(err.len() < 2_000, "{} bytes", err.len());
    assert!(err.contains("1e308 is not a positive number"), "{err}");
    assert!(err.contains("aaaa…"), "{err}");
    let typed = edit(
        BASE,
        &[(
            "[colors.green]",
            &format!("[colors.green]\nport = \"{huge}\""),
        )],
    );
    let err = parse(&typed, Path::new("t.toml")).unwrap_err().to_string();
    assert!(err.len() < 1_000, "{} bytes: {}", err.len(), &err[..200]);
    assert!(err.contains("`colors.green.port`"), "{err}");
}
