//! Integration tests (LIFECYCLE): the release's other steps through the real binary against
//! the simulator — an image-mode deploy rolls the standby color to a new version; a tag that
//! cannot be pulled ends in a failed deploy with the reason and nothing switched;
//! decommission scales the old color to 0 (typed, before the window) and a later deploy
//! restores its replicas.

use std::path::Path;
use std::process::Output;
use std::time::Duration;

use cutover::config::demo::{demo_config, to_toml};
use k8s_openapi::api::core::v1::Pod;
use kube::api::{Api, ListParams};
use kube_sim::SimHandle;
use serde_json::Value;

use crate::support::{self, explain};

/// Runs the built binary with the simulator's kubeconfig, `config`, and the journal under
/// `dir/state`.
fn cutover(sim: &SimHandle, dir: &Path, args: &[&str]) -> Output {
    cutover_typing(sim, dir, args, "")
}

/// Like [`cutover`], with `typed` on standard input (the answer to a typed confirmation).
fn cutover_typing(sim: &SimHandle, dir: &Path, args: &[&str], typed: &str) -> Output {
    let (config, state) = (dir.join("cutover.toml"), dir.join("state"));
    support::run_cutover(sim, &config, &state, args, typed)
}

/// The demo configuration with a rollout timeout short enough for a test.
fn write_config(dir: &Path) {
    let mut config = demo_config("fittrack", None);
    config
        .deploy
        .as_mut()
        .expect("the demo deploys in image mode")
        .rollout_timeout_secs = 30.0;
    std::fs::write(dir.join("cutover.toml"), to_toml(&config)).unwrap();
}

/// The images of GREEN's pods that are not terminating, with whether each is ready.
async fn green_pods(sim: &SimHandle) -> Vec<(String, bool)> {
    pods_in(sim, "fittrack-green").await
}

/// The images of the pods in `ns` that are not terminating, with whether each is ready.
async fn pods_in(sim: &SimHandle, ns: &str) -> Vec<(String, bool)> {
    let pods: Api<Pod> = Api::namespaced(sim.client("sim").await, ns);
    let list = pods.list(&ListParams::default()).await.expect("pods");
    list.items
        .iter()
        .map(cutover::cluster::convert::pod_summary)
        .filter(|p| !p.terminating)
        .map(|p| {
            let image = p.containers.first().map(|c| c.image.clone());
            (image.unwrap_or_default(), p.is_ready())
        })
        .collect()
}

/// Waits until GREEN has 3 ready pods.
async fn green_ready(sim: &SimHandle) {
    support::eventually("3 ready GREEN pods", Duration::from_secs(60), || async {
        let pods = green_pods(sim).await;
        (pods.iter().filter(|(_, r)| *r).count() == 3).then_some(())
    })
    .await;
}

/// The HTTPRoute's (blue, green) weights.
async fn weights(sim: &SimHandle) -> (Value, Value) {
    let ar = cutover::cluster::router::api_resource(cutover::config::schema::RouterKind::Httproute);
    let api: Api<kube::api::DynamicObject> =
        Api::namespaced_with(sim.client("sim").await, "fittrack", &ar);
    let route = serde_json::to_value(api.get("fittrack").await.expect("route")).unwrap();
    let refs = &route["spec"]["rules"][0]["backendRefs"];
    (refs[0]["weight"].clone(), refs[1]["weight"].clone())
}

/// The local journal's outcomes: (kind, result, summary).
fn outcomes(dir: &Path) -> Vec<(String, String, String)> {
    let text = std::fs::read_to_string(dir.join("state/cutover/journal.jsonl")).unwrap_or_default();
    text.lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
        .filter(|e| e["stage"] == "outcome")
        .map(|e| {
            let s = |k: &str| e[k].as_str().unwrap_or_default().to_string();
            (s("kind"), s("result"), s("summary"))
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn image_mode_deploy_rolls_green_to_the_version_and_a_pullfail_tag_fails_with_the_reason() {
    let sim = support::sim();
    let dir = tempfile::tempdir().unwrap();
    write_config(dir.path());
    green_ready(&sim).await;
    let before = weights(&sim).await;

    let path = dir.path().to_path_buf();
    let out = tokio::task::block_in_place(|| {
        cutover(&sim, &path, &["deploy", "--version", "v2.0.1", "--yes"])
    });
    assert_eq!(out.status.code(), Some(0), "{}", explain(&out));
    let pods = green_pods(&sim).await;
    assert_eq!(pods.len(), 3, "{pods:?}");
    assert!(
        pods.iter()
            .all(|(image, ready)| image.ends_with(":v2.0.1") && *ready),
        "every GREEN pod runs v2.0.1: {pods:?}"
    );
    assert_eq!(weights(&sim).await, before, "a deploy switches nothing");

    let out = tokio::task::block_in_place(|| {
        cutover(
            &sim,
            &path,
            &["deploy", "--version", "v2.0.2-pullfail", "--yes"],
        )
    });
    assert_ne!(out.status.code(), Some(0), "{}", explain(&out));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("ImagePullBackOff")
            || stderr.contains("ErrImagePull")
            || stderr.contains("ProgressDeadlineExceeded"),
        "{}",
        explain(&out)
    );
    assert_eq!(weights(&sim).await, before, "nothing switched");

    let deploys: Vec<_> = outcomes(&path)
        .into_iter()
        .filter(|(kind, ..)| kind == "deploy")
        .collect();
    assert_eq!(deploys.len(), 2, "{deploys:?}");
    assert_eq!(deploys[0].1, "succeeded", "{deploys:?}");
    assert_eq!(deploys[1].1, "failed", "{deploys:?}");
    assert!(deploys[1].2.contains("Pull"), "{deploys:?}");
}

/// The desired replicas of the Deployment `fittrack` in `ns`.
async fn replicas(sim: &SimHandle, ns: &str) -> i32 {
    let api: Api<k8s_openapi::api::apps::v1::Deployment> =
        Api::namespaced(sim.client("sim").await, ns);
    let d = api.get("fittrack").await.expect("the Deployment");
    d.spec.replicas.unwrap_or(1)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn decommission_scales_to_zero_and_a_later_deploy_restores_replicas() {
    let sim = support::sim();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    // No smoke gate or checklist (not this test's business); a window of 0 minutes.
    let mut config = demo_config("fittrack", None);
    config.release.require_smoke = false;
    config.release.monitor_minutes = 0.0;
    config.checklist.clear();
    std::fs::write(path.join("cutover.toml"), to_toml(&config)).unwrap();
    green_ready(&sim).await;
    let run = |args: &[&str], typed: &str| {
        tokio::task::block_in_place(|| cutover_typing(&sim, &path, args, typed))
    };

    // Nobody saw traffic move to BLUE: the window cannot be known to have passed, so
    // --yes is not enough (the color must be typed, and there is no terminal).
    let out = run(&["decommission", "--yes"], "y\n");
    assert_eq!(out.status.code(), Some(1), "{}", explain(&out));
    assert!(String::from_utf8_lossy(&out.stderr).contains("type green"));
    assert_eq!(replicas(&sim, "fittrack-green").await, 3, "nothing changed");

    // After a switch to GREEN (journaled) and its window: BLUE goes down with --yes.
    let out = run(&["switch", "--to", "green", "--yes"], "");
    assert_eq!(out.status.code(), Some(0), "{}", explain(&out));
    let out = run(&["decommission", "--yes"], "");
    assert_eq!(out.status.code(), Some(0), "{}", explain(&out));
    assert_eq!(replicas(&sim, "fittrack-blue").await, 0);
    support::eventually("BLUE without pods", Duration::from_secs(60), || async {
        pods_in(&sim, "fittrack-blue")
            .await
            .is_empty()
            .then_some(())
    })
    .await;

    // GREEN is LIVE: refused.
    let out = run(&["decommission", "--color", "green", "--yes"], "");
    assert_eq!(out.status.code(), Some(2), "{}", explain(&out));
    assert_eq!(replicas(&sim, "fittrack-green").await, 3);

    // The next deploy goes to BLUE and gives it GREEN's replica count back.
    let out = run(&["deploy", "--version", "v2.0.3", "--yes"], "");
    assert_eq!(out.status.code(), Some(0), "{}", explain(&out));
    assert_eq!(replicas(&sim, "fittrack-blue").await, 3, "as many as GREEN");
    let pods = pods_in(&sim, "fittrack-blue").await;
    assert!(
        pods.len() == 3 && pods.iter().all(|(i, r)| i.ends_with(":v2.0.3") && *r),
        "{pods:?}"
    );
    let kinds: Vec<_> = outcomes(&path)
        .into_iter()
        .map(|(k, r, _)| (k, r))
        .collect();
    assert!(
        kinds.contains(&("decommission".into(), "succeeded".into()))
            && kinds.contains(&("deploy".into(), "succeeded".into())),
        "{kinds:?}"
    );

    // The post-mortem lists all of it, in order.
    let out = run(&["journal", "-o", "markdown"], "");
    assert_eq!(out.status.code(), Some(0), "{}", explain(&out));
    let md = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(md.starts_with("# Release timeline"), "{md}");
    let at = |what: &str| {
        md.find(what)
            .unwrap_or_else(|| panic!("no {what:?} in:\n{md}"))
    };
    assert!(
        at("| switch | succeeded | GREEN live") < at("BLUE decommissioned"),
        "{md}"
    );
    assert!(
        at("BLUE decommissioned") < at("BLUE rolled out v2.0.3"),
        "{md}"
    );
    assert!(md.contains("## Router changes\n\n- "), "{md}");
    assert!(md.contains("## Failed gates and conflicts"), "{md}");
    assert!(md.contains("GREEN is LIVE: taking it down"), "{md}");
}

/// A checklist item as `cutover checklist -o json` prints it: (name, state, output).
type Item = (String, String, Vec<String>);

/// `cutover checklist -o json`: the exit code and the items.
fn checklist(sim: &SimHandle, dir: &Path) -> (Option<i32>, Vec<Item>) {
    let out = cutover(sim, dir, &["checklist", "-o", "json"]);
    let json: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", explain(&out)));
    let items = json["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|i| {
            let lines = i["output"].as_array().cloned().unwrap_or_default();
            let output = lines
                .iter()
                .filter_map(|l| l.as_str().map(str::to_string))
                .collect();
            let s = |k: &str| i[k].as_str().unwrap_or_default().to_string();
            (s("name"), s("state"), output)
        })
        .collect();
    (out.status.code(), items)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn command_items_pass_by_exit_code_and_migrations_compare_output() {
    use cutover::config::schema::{ChecklistItem, ItemKind, MigrationsConfig};
    let sim = support::sim();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    let command = |name: &str, argv: &[&str], required| ChecklistItem {
        name: Some(name.into()),
        kind: ItemKind::Command,
        required,
        command: argv.iter().map(|a| a.to_string()).collect(),
        timeout_secs: Some(10.0),
    };
    let write = |fails_required: bool, expect: &str| {
        let mut config = demo_config("fittrack", None);
        config.checklist = vec![
            command("CI green", &["echo", "all 42 tests passed"], true),
            command("lint", &["false"], fails_required),
            ChecklistItem {
                name: None,
                kind: ItemKind::MigrationsApplied,
                required: true,
                command: vec![],
                timeout_secs: None,
            },
            ChecklistItem {
                timeout_secs: Some(1.0),
                ..command("slow", &["sleep", "30"], false)
            },
        ];
        config.migrations = Some(MigrationsConfig {
            check: vec!["echo".into(), "20261126_add_workouts".into()],
            expect: expect.into(),
            env: Default::default(),
            workdir: None,
            timeout_secs: 10.0,
        });
        std::fs::write(path.join("cutover.toml"), to_toml(&config)).unwrap();
    };
    green_ready(&sim).await;

    write(false, "20261126_add_workouts");
    let (code, items) = tokio::task::block_in_place(|| checklist(&sim, &path));
    let states: Vec<(&str, &str)> = items
        .iter()
        .map(|(n, s, _)| (n.as_str(), s.as_str()))
        .collect();
    assert_eq!(
        states,
        [
            ("CI green", "pass"),
            ("lint", "fail"),
            ("Migrations applied", "pass"),
            ("slow", "fail"),
        ],
        "{items:?}"
    );
    let runs = outcomes(&path);
    assert!(runs[0].2.contains("slow FAILED (timed out"), "{runs:?}");
    assert!(
        items[0].2.iter().any(|l| l.contains("all 42 tests passed")),
        "output kept: {items:?}"
    );
    assert_eq!(code, Some(0), "the failing item is not required");

    // A required item failing, and migrations not at the expected version: exit 2.
    write(true, "20261201_later");
    let (code, items) = tokio::task::block_in_place(|| checklist(&sim, &path));
    assert_eq!(code, Some(2), "{items:?}");
    assert_eq!(items[2].1, "fail", "{items:?}");

    // Both runs are in the journal.
    let runs = outcomes(&path)
        .into_iter()
        .filter(|(k, ..)| k == "checklist-run")
        .count();
    assert_eq!(runs, 2, "{:?}", outcomes(&path));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn command_mode_deploy_substitutes_placeholders_without_a_shell() {
    use cutover::config::schema::DeployMode;
    use std::os::unix::fs::PermissionsExt;
    let sim = support::sim();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().to_path_buf();
    let script = path.join("fake-helm");
    let args_file = path.join("args.txt");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$@\" > '{}'\necho upgraded\n",
            args_file.display()
        ),
    )
    .unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    let mut config = demo_config("fittrack", None);
    let deploy = config.deploy.as_mut().unwrap();
    deploy.mode = DeployMode::Command;
    deploy.rollout_timeout_secs = 30.0;
    deploy.command = [
        script.to_str().unwrap(),
        "upgrade",
        "fittrack-{color}",
        "--namespace",
        "{namespace}",
        "--set",
        "image.tag={version}",
    ]
    .map(String::from)
    .to_vec();
    std::fs::write(path.join("cutover.toml"), to_toml(&config)).unwrap();
    green_ready(&sim).await;

    let args = ["deploy", "--version", "v2.1;touch-pwned", "--yes"];
    let out = tokio::task::block_in_place(|| cutover(&sim, &path, &args));
    assert_eq!(out.status.code(), Some(0), "{}", explain(&out));
    let seen = std::fs::read_to_string(&args_file).expect("the command ran");
    assert_eq!(
        seen.lines().collect::<Vec<_>>(),
        [
            "upgrade",
            "fittrack-green",
            "--namespace",
            "fittrack-green",
            "--set",
            "image.tag=v2.1;touch-pwned"
        ],
        "placeholders substituted, the `;` passed literally"
    );
    assert!(!path.join("touch-pwned").exists(), "no shell ran it");
    let deploys: Vec<_> = outcomes(&path)
        .into_iter()
        .filter(|(k, ..)| k == "deploy")
        .collect();
    assert_eq!(deploys.len(), 1, "{deploys:?}");
    assert_eq!(deploys[0].1, "succeeded", "{deploys:?}");
}
