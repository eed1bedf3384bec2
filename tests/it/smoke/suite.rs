//! The external suite: it reaches the tested color through `BASE_URL`, sees only its
//! configured environment, and is stopped — its whole process group — on timeout and on
//! cancel; a program that cannot start is reported.

use std::collections::BTreeSet;
use std::time::Duration;

use cutover::app::action::Outcome;

use super::rig::{config, gone, pids, python_executable, run_script, sim, smoke, Run};
use crate::support;

/// Fetches `$BASE_URL` + argv[1] twice (two connections); exits 0 only on 200.
const FETCH: &str = r#"
import os, sys, urllib.request, urllib.error
url = os.environ["BASE_URL"] + sys.argv[1]
for attempt in (1, 2):
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            print(f"GET {url} -> {r.status} {r.read().decode()}", flush=True)
            status = r.status
    except urllib.error.HTTPError as e:
        print(f"GET {url} -> {e.code}", file=sys.stderr, flush=True)
        status = e.code
sys.exit(0 if status == 200 else 1)
"#;

/// Prints its environment's names and its working directory.
const ENV: &str = r#"
import json, os
print("ENV " + json.dumps(sorted(os.environ)))
print("CWD " + os.getcwd())
"#;

/// Starts a child that would outlive it, writes both pids, then hangs ignoring SIGTERM
/// (so only SIGKILL ends it; the child keeps the default and dies at SIGTERM).
const HANG: &str = r#"
import os, signal, subprocess, sys, time
child = subprocess.Popen(["sleep", "300"])
signal.signal(signal.SIGTERM, signal.SIG_IGN)
with open(sys.argv[1], "w") as f:
    f.write(f"{os.getpid()} {child.pid}\n")
print("started", flush=True)
time.sleep(300)
"#;

/// The smoke test with the `FETCH` suite asking for `path`.
async fn fetch(path: &str) -> Run {
    let (run, _dir) = run_script(FETCH, 60.0, None, |c, _| {
        c.smoke.command.push(path.into());
    })
    .await;
    run
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_suite_reaches_the_tested_color_through_base_url() {
    let run = fetch("/health/ready").await;
    let r = run.report();
    assert!(r.passed, "{r:#?}\n{:#?}", run.lines);
    assert_eq!((r.suite_exit, &r.suite_error), (Some(0), &None));
    // Its own output, streamed: GREEN's pod answered (its version), through 127.0.0.1.
    let answered = run
        .lines
        .iter()
        .filter(|l| l.starts_with("GET http://127.0.0.1:") && l.contains("-> 200"))
        .collect::<Vec<_>>();
    assert_eq!(answered.len(), 2, "{:#?}", run.lines);
    assert!(answered[0].contains("v2.0.0"), "{answered:?}");
    assert!(run.said("suite exited 0"), "{:#?}", run.lines);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failing_suite_fails_the_test_with_its_exit_code() {
    let run = fetch("/no/such/page").await;
    let r = run.report();
    assert!(!r.passed);
    assert_eq!((r.suite_exit, &r.suite_error), (Some(1), &None));
    let stderr_streamed = run.said("-> 404");
    assert!(stderr_streamed, "{:#?}", run.lines);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_suite_sees_only_its_env_path_home_and_base_url() {
    let (run, dir) = run_script(ENV, 60.0, None, |c, dir| {
        c.smoke.command[0] = python_executable();
        c.smoke.env.insert("APP_ENV".into(), "testing".into());
        // Python would otherwise add LC_CTYPE to its own environment under a C locale.
        c.smoke.env.insert("PYTHONCOERCECLOCALE".into(), "0".into());
        c.smoke.workdir = Some(dir.to_path_buf());
    })
    .await;
    assert!(run.report().passed, "{:#?}", run.lines);
    let names: BTreeSet<String> = run
        .lines
        .iter()
        .find_map(|l| l.strip_prefix("ENV "))
        .map(|json| serde_json::from_str(json).expect("a JSON list"))
        .expect("the script printed its environment");
    let mut want: BTreeSet<String> = ["APP_ENV", "PYTHONCOERCECLOCALE", "BASE_URL"]
        .map(String::from)
        .into();
    for inherited in ["PATH", "HOME"] {
        if std::env::var_os(inherited).is_some() {
            want.insert(inherited.into());
        }
    }
    assert_eq!(names, want);
    // Something this test process has is indeed absent.
    let ours = std::env::vars()
        .map(|(k, _)| k)
        .find(|k| !want.contains(k))
        .expect("the test process has more variables than the suite");
    assert!(!names.contains(&ours), "{ours} leaked");
    let cwd = dir.path().canonicalize().unwrap();
    let in_workdir = run.said(&format!("CWD {}", cwd.display()));
    assert!(in_workdir, "{:#?}", run.lines);
}

/// `HANG` with its pid file in the script's directory.
fn hang_pids(c: &mut cutover::config::schema::Config, dir: &std::path::Path) {
    c.smoke.command.push(dir.join("pids").display().to_string());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hung_suite_times_out_and_its_whole_group_is_killed() {
    let (run, dir) = run_script(HANG, 1.5, None, hang_pids).await;
    let r = run.report();
    assert!(!r.passed);
    assert_eq!(r.suite_exit, None);
    assert_eq!(r.suite_error.as_deref(), Some("timed out after 1.5 s"));
    assert!(run.said("started"), "{:#?}", run.lines);
    assert!(run.said("suite timed out after 1.5 s"), "{:#?}", run.lines);
    all_gone(&pids(&dir.path().join("pids"))).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancel_kills_the_suite_and_its_group() {
    let (run, dir) = run_script(HANG, 600.0, Some("started"), hang_pids).await;
    // No built-in check ran: the whole test counts as cancelled.
    assert_eq!(run.outcome, Outcome::Cancelled, "{:#?}", run.lines);
    assert!(run.said("suite cancelled"), "{:#?}", run.lines);
    all_gone(&pids(&dir.path().join("pids"))).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_suite_that_cannot_start_is_reported() {
    let sim = sim().await;
    let mut c = config();
    c.smoke.checks.truncate(1);
    c.smoke.command = vec!["no-such-suite-program".into(), "-v".into()];
    let run = smoke(&sim, c, None).await;
    let r = run.report();
    assert!(!r.passed);
    assert_eq!(
        r.checks_passed(),
        3,
        "the built-in checks ran first: {r:#?}"
    );
    let why = "cannot run `no-such-suite-program`: No such file or directory";
    assert_eq!(r.suite_error.as_deref(), Some(why));
    assert!(run.said(&format!("suite: {why}")), "{:#?}", run.lines);
}

/// Every pid ends (a zombie waiting for its new parent counts as ended).
async fn all_gone(pids: &[u32]) {
    assert_eq!(pids.len(), 2, "leader and child");
    support::eventually(
        &format!("processes {pids:?} gone"),
        Duration::from_secs(5),
        || async { pids.iter().all(|&p| gone(p)).then_some(()) },
    )
    .await;
}
