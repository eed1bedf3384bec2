//! End-to-end tests (lead): the real binary in a tmux pane, driven with send-keys and read
//! with capture-pane; the simulated cluster is checked with the real kubectl.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::{Duration, Instant};

/// A tmux server of our own (own socket), so tests never touch a user's sessions.
pub(crate) struct Pane {
    socket: PathBuf,
    _dir: tempfile::TempDir,
}

impl Pane {
    /// A 120×40 (or other) pane running a plain shell with `TMPDIR` pointing at `tmp` and
    /// `XDG_STATE_HOME` at `tmp/state`.
    pub(crate) fn start(cols: u16, rows: u16, tmp: &Path) -> Option<Pane> {
        if Command::new("tmux").arg("-V").output().is_err() {
            eprintln!("notice: tmux not found; skipping end-to-end test");
            return None;
        }
        let dir = tempfile::tempdir().expect("temp dir");
        let pane = Pane {
            socket: dir.path().join("tmux.sock"),
            _dir: dir,
        };
        let status = Command::new("tmux")
            .arg("-S")
            .arg(&pane.socket)
            .args(["-f", "/dev/null", "new-session", "-d", "-s", "e2e"])
            .args(["-x", &cols.to_string(), "-y", &rows.to_string()])
            .args([
                "env",
                "-u",
                "HTTPS_PROXY",
                "-u",
                "https_proxy",
                "-u",
                "NO_COLOR",
            ])
            .arg(format!("TMPDIR={}", tmp.display()))
            .arg(format!("XDG_STATE_HOME={}", tmp.join("state").display()))
            .args([
                "TERM=xterm-256color",
                "PS1=$ ",
                "bash",
                "--norc",
                "--noprofile",
            ])
            .status()
            .expect("run tmux");
        assert!(status.success(), "tmux new-session failed");
        Some(pane)
    }

    fn tmux(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .args(args)
            .output()
            .expect("run tmux")
    }

    /// Type text literally, then press Enter.
    pub(crate) fn type_line(&self, text: &str) {
        self.tmux(&["send-keys", "-t", "e2e", "-l", text]);
        self.tmux(&["send-keys", "-t", "e2e", "Enter"]);
    }

    /// Press one key by tmux name ("q", "Escape", "C-c").
    pub(crate) fn key(&self, key: &str) {
        self.tmux(&["send-keys", "-t", "e2e", key]);
    }

    /// The visible screen as text.
    pub(crate) fn screen(&self) -> String {
        String::from_utf8_lossy(&self.tmux(&["capture-pane", "-p", "-t", "e2e"]).stdout)
            .into_owned()
    }

    /// Wait until the shell prompts again (the program in front has exited): keys typed
    /// earlier would still go to that program.
    pub(crate) fn wait_prompt(&self) {
        self.wait_for("the shell prompt", Duration::from_secs(20), |s| {
            s.lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .map(str::trim_end)
                == Some("$")
        });
    }

    /// Wait until `pred` holds for the screen; panics with the last screen after `limit`.
    /// The demo's required checklist items gate the switch: tick its six manual ones.
    pub(crate) fn tick_the_demo_checklist(&self) {
        self.key("c");
        self.wait_for("the checklist", Duration::from_secs(20), |s| {
            s.contains("All tests passing in CI")
        });
        for _ in 0..6 {
            self.key("Space");
            self.key("j");
        }
        self.key("Escape");
        // A key sent right after Esc would arrive as Alt+key (ESC then a byte is how a
        // terminal spells Alt): wait until the checklist has closed.
        self.wait_for("the checklist closed", Duration::from_secs(10), |s| {
            !s.contains("space ticks")
        });
    }

    pub(crate) fn wait_for(
        &self,
        what: &str,
        limit: Duration,
        pred: impl Fn(&str) -> bool,
    ) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if pred(&screen) {
                return screen;
            }
            if start.elapsed() > limit {
                panic!("timed out waiting for {what}; screen:\n{screen}");
            }
            std::thread::sleep(Duration::from_millis(200));
        }
    }
}

impl Drop for Pane {
    fn drop(&mut self) {
        let _ = self.tmux(&["kill-server"]);
    }
}

/// The header's traffic line names `color` as LIVE (not just "BLUE" and "LIVE" anywhere).
fn traffic_to(screen: &str, color: &str) -> bool {
    screen
        .lines()
        .find(|l| l.contains("traffic →"))
        .is_some_and(|l| l.contains(&format!(" {color} LIVE ")))
}

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_cutover")
}

/// The kubeconfig the demo's simulator wrote into our TMPDIR.
pub(crate) fn find_kubeconfig(tmp: &Path) -> Option<PathBuf> {
    let mut stack = vec![tmp.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).ok()?.flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.contains("kubeconfig"))
            {
                return Some(path);
            }
        }
    }
    None
}

pub(crate) fn kubectl(kubeconfig: &Path, args: &[&str]) -> Option<String> {
    let home = tempfile::tempdir().ok()?;
    let out = Command::new("kubectl")
        .env("HOME", home.path())
        .env_remove("HTTPS_PROXY")
        .env_remove("https_proxy")
        .arg("--kubeconfig")
        .arg(kubeconfig)
        .args(args)
        .output()
        .ok()?;
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

const START: Duration = Duration::from_secs(60);

#[test]
fn demo_shows_both_colors_with_blue_live_help_and_quits_cleanly() {
    let tmp = tempfile::tempdir().unwrap();
    let Some(pane) = Pane::start(120, 40, tmp.path()) else {
        return;
    };
    pane.type_line(&format!("{} demo", bin()));
    let screen = pane.wait_for("blue live, both colors' pods and logs", START, |s| {
        traffic_to(s, "BLUE")
            && s.contains("GREEN standby")
            && s.matches("Running").count() >= 6
            && (s.contains("GET /") || s.contains("\"level\""))
    });
    assert!(
        screen.contains("v1.9.3") && screen.contains("v2.0.0"),
        "{screen}"
    );

    // The pods on screen are the cluster's pods.
    if let Some(kc) = find_kubeconfig(tmp.path()) {
        for ns in ["fittrack-blue", "fittrack-green"] {
            let Some(pods) = kubectl(&kc, &["get", "pods", "-n", ns, "-o", "name"]) else {
                eprintln!("notice: kubectl not found; skipping the cluster cross-check");
                break;
            };
            let names: Vec<&str> = pods.lines().map(|l| l.trim_start_matches("pod/")).collect();
            assert_eq!(names.len(), 3, "{ns}: {pods}");
            for name in names {
                assert!(
                    screen.contains(name),
                    "{ns} pod {name} not on screen:\n{screen}"
                );
            }
        }
    }

    pane.key("?");
    pane.wait_for("help", Duration::from_secs(10), |s| {
        s.to_lowercase().contains("help") && s.contains("deploy a version to the standby color")
    });
    pane.key("Escape");
    pane.wait_for("help closed", Duration::from_secs(10), |s| {
        !s.contains("deploy a version to the standby color")
    });

    pane.key("q");
    pane.wait_prompt();
    pane.type_line("echo rc=$?; stty -a | grep -o -- '-\\?icanon'");
    let screen = pane.wait_for("shell back", Duration::from_secs(20), |s| {
        s.contains("rc=0") || s.contains("rc=1")
    });
    assert!(screen.contains("rc=0"), "{screen}");
    assert!(
        !screen.contains("-icanon"),
        "terminal left in raw mode:\n{screen}"
    );
}

/// Start the cockpit, send it `signal`, and check the shell got a sane terminal back.
fn signal_restores_the_terminal(signal: &str, scenario: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let Some(pane) = Pane::start(80, 24, tmp.path()) else {
        return;
    };
    // A scenario per test keeps the command lines apart for pgrep (tests run in parallel).
    let cmdline = format!("{} demo --scenario {scenario}", bin());
    pane.type_line(&cmdline);
    pane.wait_for("cockpit", START, |s| {
        s.contains("BLUE") && s.contains("GREEN")
    });
    let pids = Command::new("pgrep")
        .args(["-xf", &cmdline])
        .output()
        .unwrap();
    let pid = String::from_utf8_lossy(&pids.stdout)
        .lines()
        .next()
        .expect("cutover pid")
        .to_string();
    Command::new("kill")
        .args([&format!("-{signal}"), &pid])
        .status()
        .unwrap();
    pane.wait_prompt();
    pane.type_line("stty -a | grep -o -- '-\\?icanon'; echo done");
    let screen = pane.wait_for("shell back", Duration::from_secs(20), |s| {
        s.contains("done")
    });
    assert!(
        screen.contains("icanon") && !screen.contains("-icanon"),
        "{signal}: {screen}"
    );
}

#[test]
fn sigterm_restores_the_terminal() {
    signal_restores_the_terminal("TERM", "fittrack-single-ns");
}

#[test]
fn sighup_restores_the_terminal() {
    signal_restores_the_terminal("HUP", "load");
}

#[test]
fn sigint_restores_the_terminal() {
    signal_restores_the_terminal("INT", "fittrack");
}

/// A `cutover sim` child process, killed on drop.
struct SimProcess {
    child: std::process::Child,
    kubeconfig: PathBuf,
    config: PathBuf,
}

impl SimProcess {
    fn start(dir: &Path) -> SimProcess {
        use std::io::BufRead;
        let kubeconfig = dir.join("kubeconfig");
        let config = dir.join("cutover.toml");
        let mut child = Command::new(bin())
            .arg("sim")
            .arg("--kubeconfig-out")
            .arg(&kubeconfig)
            .arg("--config-out")
            .arg(&config)
            .stdout(std::process::Stdio::piped())
            .spawn()
            .expect("start cutover sim");
        let stdout = child.stdout.take().expect("sim stdout");
        let mut lines = std::io::BufReader::new(stdout).lines();
        // The first lines say where everything is; `lb:` comes last.
        for line in lines.by_ref() {
            if line.expect("sim output").starts_with("lb:") {
                break;
            }
        }
        SimProcess {
            child,
            kubeconfig,
            config,
        }
    }
}

impl Drop for SimProcess {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The sim's kubeconfig with the admin user authenticated by an exec credential plugin
/// that chats on stderr and hands out a token that is always about to expire (so kube-rs
/// runs it again and again while the cockpit is on screen).
fn exec_plugin_kubeconfig(sim: &SimProcess, dir: &Path) -> PathBuf {
    let text = std::fs::read_to_string(&sim.kubeconfig).expect("sim kubeconfig");
    let mut kc: serde_yaml::Value = serde_yaml::from_str(&text).expect("kubeconfig yaml");
    let users = kc["users"].as_sequence_mut().expect("users");
    let admin = users
        .iter_mut()
        .find(|u| u["name"] == "admin")
        .expect("admin user");
    let token = admin["user"]["token"].as_str().expect("token").to_string();
    let plugin = dir.join("credential-plugin.sh");
    std::fs::write(
        &plugin,
        format!(
            "#!/bin/sh\necho 'PLUGIN-NOISE on stderr' >&2\nexp=$(date -u -d '+2 seconds' +%Y-%m-%dT%H:%M:%SZ)\n\
             printf '{{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{{\"token\":\"{token}\",\"expirationTimestamp\":\"%s\"}}}}\\n' \"$exp\"\n"
        ),
    )
    .expect("write plugin");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&plugin, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    admin["user"] = serde_yaml::from_str(&format!(
        "exec:\n  apiVersion: client.authentication.k8s.io/v1\n  command: {}\n",
        plugin.display()
    ))
    .expect("exec user");
    let path = dir.join("exec-kubeconfig");
    std::fs::write(&path, serde_yaml::to_string(&kc).expect("yaml")).expect("write kubeconfig");
    path
}

#[test]
fn exec_credential_plugin_stderr_never_reaches_the_cockpit_screen() {
    let tmp = tempfile::tempdir().unwrap();
    let sim = SimProcess::start(tmp.path());
    let kubeconfig = exec_plugin_kubeconfig(&sim, tmp.path());
    let Some(pane) = Pane::start(120, 40, tmp.path()) else {
        return;
    };
    pane.type_line(&format!(
        "clear; {} --kubeconfig {} --config {}",
        bin(),
        kubeconfig.display(),
        sim.config.display()
    ));
    pane.wait_for("the cockpit with pods", START, |s| {
        traffic_to(s, "BLUE") && s.matches("Running").count() >= 6
    });
    // The token expires every 2 s: the plugin runs again while the screen is ours.
    std::thread::sleep(Duration::from_secs(5));
    let screen = pane.screen();
    assert!(
        !screen.contains("PLUGIN-NOISE"),
        "plugin wrote over the UI:\n{screen}"
    );
    // A private per-process file in the state directory, nothing in the shared temp dir.
    let state = tmp.path().join("state/cutover");
    let logs: Vec<_> = std::fs::read_dir(&state)
        .unwrap_or_else(|e| panic!("{}: {e}", state.display()))
        .map(|e| e.unwrap().path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("stderr-")
        })
        .collect();
    assert_eq!(logs.len(), 1, "{logs:?}");
    use std::os::unix::fs::MetadataExt;
    assert_eq!(std::fs::metadata(&logs[0]).unwrap().mode() & 0o777, 0o600);
    assert!(!tmp.path().join("cutover-stderr.log").exists());
    let captured = std::fs::read_to_string(&logs[0]).unwrap_or_default();
    assert!(
        captured.contains("PLUGIN-NOISE"),
        "the plugin's later stderr was not captured: {captured:?}"
    );
    pane.key("q");
    pane.wait_prompt();
    pane.type_line("echo rc=$?");
    let screen = pane.wait_for("shell back", Duration::from_secs(20), |s| {
        s.contains("rc=0") || s.contains("rc=1")
    });
    assert!(screen.contains("rc=0"), "{screen}");
}

#[test]
fn a_bad_configuration_is_a_plain_error_with_file_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("cutover.toml");
    std::fs::write(
        &path,
        "[router]\nkind = \"httproute\"\nnamespace = \"fittrack\"\nname = \"fittrack\"\nbogus = 1\n",
    )
    .unwrap();
    for args in [vec!["check-config"], vec!["--config"]] {
        let out = Command::new(bin())
            .args(&args)
            .arg(&path)
            .env("NO_COLOR", "1")
            .output()
            .expect("run cutover");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(
            stderr.contains(&format!("{}:5:1: `router.bogus`", path.display())),
            "{args:?}: {stderr}"
        );
        assert!(
            !stderr.contains("Location:"),
            "a developer report: {stderr}"
        );
    }
}

#[test]
fn check_config_validates_the_example_offline() {
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/config.example.toml");
    let out = Command::new(bin())
        .args(["check-config", example, "--offline"])
        .output()
        .expect("run cutover");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("HTTPRoute fittrack/fittrack"), "{stdout}");
}
