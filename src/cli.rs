//! The command line: the cockpit (no subcommand), `demo`, `sim`, `check-config`, and the
//! headless commands. Each subcommand accepts exactly the flags it honours; the cluster
//! flags (`--config`, `--kubeconfig`, `--context`, `--read-only`) work before or after the
//! subcommand of the commands that use them.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::app::action::RequestOptions;
use crate::model::Color;

/// A full-screen terminal cockpit for blue-green releases on Kubernetes.
#[derive(Parser, Debug)]
#[command(name = "cutover", version, about, long_about = None)]
pub struct Cli {
    /// What to run (default: the cockpit on the configured cluster).
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Cluster flags given before the subcommand.
    #[command(flatten)]
    pub cluster: ClusterArgs,
}

/// Where the cluster and the configuration are.
#[derive(Args, Debug, Clone, Default, PartialEq)]
pub struct ClusterArgs {
    /// Configuration file (default: $CUTOVER_CONFIG, $XDG_CONFIG_HOME/cutover/config.toml, ~/.config/cutover/config.toml).
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Kubeconfig file (default: $KUBECONFIG, then ~/.kube/config).
    #[arg(long, value_name = "PATH")]
    pub kubeconfig: Option<PathBuf>,
    /// Kubeconfig context (default: the current context).
    #[arg(long, value_name = "NAME")]
    pub context: Option<String>,
    /// Watch only: refuse every traffic or workload action.
    #[arg(long)]
    pub read_only: bool,
}

impl ClusterArgs {
    /// These flags, with any given before the subcommand filling what was not given after.
    pub fn or(self, before: &ClusterArgs) -> ClusterArgs {
        ClusterArgs {
            config: self.config.or_else(|| before.config.clone()),
            kubeconfig: self.kubeconfig.or_else(|| before.kubeconfig.clone()),
            context: self.context.or_else(|| before.context.clone()),
            read_only: self.read_only || before.read_only,
        }
    }

    /// The flags given, as written (for "X does not take Y" errors).
    pub fn given(&self) -> Vec<&'static str> {
        let mut out = Vec::new();
        if self.config.is_some() {
            out.push("--config");
        }
        if self.kubeconfig.is_some() {
            out.push("--kubeconfig");
        }
        if self.context.is_some() {
            out.push("--context");
        }
        if self.read_only {
            out.push("--read-only");
        }
        out
    }
}

/// A color on the command line.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColorArg {
    /// Blue.
    Blue,
    /// Green.
    Green,
}

impl From<ColorArg> for Color {
    fn from(c: ColorArg) -> Color {
        match c {
            ColorArg::Blue => Color::Blue,
            ColorArg::Green => Color::Green,
        }
    }
}

/// How a report is printed.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Format {
    /// For people.
    #[default]
    Text,
    /// For programs (a documented, stable shape).
    Json,
    /// A post-mortem timeline (journal only).
    Markdown,
}

/// The subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Open the cockpit on a built-in simulated cluster (no setup needed).
    Demo {
        /// Simulator scenario: fittrack, fittrack-single-ns or load.
        #[arg(long, default_value = "fittrack")]
        scenario: String,
        /// Watch only: refuse every traffic or workload action.
        #[arg(long)]
        read_only: bool,
    },
    /// Run the Kubernetes API simulator until SIGINT/SIGTERM.
    Sim(SimArgs),
    /// Validate a configuration (and, when reachable, check it against the cluster).
    CheckConfig {
        /// Configuration file (default: --config, then the usual search order).
        path: Option<PathBuf>,
        /// Only check the file; don't contact the cluster.
        #[arg(long)]
        offline: bool,
        /// Cluster flags.
        #[command(flatten)]
        cluster: ClusterArgs,
    },
    /// Where traffic goes, and each color's version, readiness, probes and last smoke test.
    Status {
        /// Output format (text or json).
        #[arg(short, long, value_enum, default_value_t)]
        output: Format,
        /// Cluster flags.
        #[command(flatten)]
        cluster: ClusterArgs,
    },
    /// Smoke-test a color (default: the standby color).
    Smoke {
        /// The color to test.
        #[arg(long, value_enum)]
        color: Option<ColorArg>,
        /// Cluster flags.
        #[command(flatten)]
        cluster: ClusterArgs,
    },
    /// Switch traffic to a color (gated, compare-and-swap, verified).
    Switch {
        /// The target color.
        #[arg(long, value_enum)]
        to: ColorArg,
        /// Confirmation and reason.
        #[command(flatten)]
        act: ActArgs,
        /// Cluster flags.
        #[command(flatten)]
        cluster: ClusterArgs,
    },
    /// Roll traffic back to the color that is not live (no smoke gate).
    Rollback {
        /// Confirmation and reason.
        #[command(flatten)]
        act: ActArgs,
        /// Cluster flags.
        #[command(flatten)]
        cluster: ClusterArgs,
    },
    /// Deploy a version to a color (default: the standby color) and follow its rollout.
    Deploy {
        /// The version (image tag in image mode; `{version}` of the deploy command).
        #[arg(long, value_name = "VERSION")]
        version: String,
        /// The color (default: the standby color; the LIVE color asks for typing).
        #[arg(long, value_enum)]
        color: Option<ColorArg>,
        /// Confirmation and reason.
        #[command(flatten)]
        act: ActArgs,
        /// Cluster flags.
        #[command(flatten)]
        cluster: ClusterArgs,
    },
    /// Take the old color down (scale to 0, or `[decommission] command`).
    Decommission {
        /// The color (default: the standby color; the LIVE color is refused).
        #[arg(long, value_enum)]
        color: Option<ColorArg>,
        /// Confirmation and reason.
        #[command(flatten)]
        act: ActArgs,
        /// Cluster flags.
        #[command(flatten)]
        cluster: ClusterArgs,
    },
    /// The release's checklist: run its commands, then print every item (exit 2 when a
    /// required item does not pass).
    Checklist {
        /// Output format (text or json).
        #[arg(short, long, value_enum, default_value_t)]
        output: Format,
        /// Cluster flags.
        #[command(flatten)]
        cluster: ClusterArgs,
    },
    /// Judge the live color's signals for a while: exit 0 if it stayed healthy, 4 if it
    /// breached (after rolling back, with --auto-rollback), 1 if it could not be judged.
    Watch {
        /// How long (e.g. 15m, 90s).
        #[arg(long = "for", value_name = "DURATION", value_parser = parse_duration)]
        duration: chrono::Duration,
        /// Roll back when the budget is exhausted (once, through the rollback path).
        #[arg(long)]
        auto_rollback: bool,
        /// Cluster flags.
        #[command(flatten)]
        cluster: ClusterArgs,
    },
    /// The shared history of actions (every cockpit's and pipeline's).
    Journal {
        /// Only entries newer than this (e.g. 30m, 2h, 1d).
        #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
        since: Option<chrono::Duration>,
        /// Output format (text, json or markdown).
        #[arg(short, long, value_enum, default_value_t)]
        output: Format,
        /// Cluster flags.
        #[command(flatten)]
        cluster: ClusterArgs,
    },
}

/// `cutover sim` options.
#[derive(Args, Debug)]
pub struct SimArgs {
    /// Address to listen on (port 0: any free port).
    #[arg(long, default_value = "127.0.0.1:0")]
    pub listen: SocketAddr,
    /// Where to write the kubeconfig (default: in the system temp dir).
    #[arg(long, value_name = "PATH")]
    pub kubeconfig_out: Option<PathBuf>,
    /// Where to write a cutover configuration for the scenario (default: beside the kubeconfig).
    #[arg(long, value_name = "PATH")]
    pub config_out: Option<PathBuf>,
    /// Scenario: fittrack, fittrack-single-ns or load.
    #[arg(long, default_value = "fittrack")]
    pub scenario: String,
    /// Serve plain HTTP instead of HTTPS (requests without a token act as admin).
    #[arg(long)]
    pub http: bool,
    /// Keep a Prometheus file_sd JSON file of every running pod's metrics target.
    #[arg(long, value_name = "PATH")]
    pub prometheus_sd: Option<PathBuf>,
    /// Allow a --listen address that is not loopback (the simulated cluster, and with --http
    /// an unauthenticated admin API, is then open to the network).
    #[arg(long)]
    pub allow_remote: bool,
}

/// What every mutating command takes: whether to ask, and why (for the journal).
#[derive(Args, Debug, Clone, Default)]
pub struct ActArgs {
    /// Do not ask (a confirmation that needs typing — a LIVE target, a decommission inside
    /// the monitoring window — still asks).
    #[arg(long)]
    pub yes: bool,
    /// Why, for the journal.
    #[arg(long, value_name = "TEXT")]
    pub reason: Option<String>,
}

impl ActArgs {
    /// The request's options for a headless command.
    pub fn options(self) -> RequestOptions {
        RequestOptions {
            yes: self.yes,
            reason: self
                .reason
                .map(|r| crate::sanitize::sanitize_oneline(&r, 300)),
            headless: true,
        }
    }
}

/// "90s", "30m", "2h", "1d" (a bare number is seconds).
pub fn parse_duration(text: &str) -> Result<chrono::Duration, String> {
    let t = text.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (n, unit) = t.split_at(split);
    let n: i64 = n
        .parse()
        .map_err(|_| format!("{text:?}: expected a number and a unit, like 30m or 2h"))?;
    let secs = match unit {
        "" | "s" => 1,
        "m" => 60,
        "h" => 3600,
        "d" => 86_400,
        other => return Err(format!("{text:?}: unknown unit {other:?} (s, m, h, d)")),
    };
    n.checked_mul(secs)
        .and_then(chrono::Duration::try_seconds)
        .ok_or_else(|| format!("{text:?}: too long"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_parse_with_units() {
        assert_eq!(parse_duration("90"), Ok(chrono::Duration::seconds(90)));
        assert_eq!(parse_duration("30m"), Ok(chrono::Duration::minutes(30)));
        assert_eq!(parse_duration("2h"), Ok(chrono::Duration::hours(2)));
        assert!(parse_duration("2w").unwrap_err().contains("unknown unit"));
        assert!(parse_duration("h").is_err());
        assert!(parse_duration("99999999999999999d")
            .unwrap_err()
            .contains("too long"));
    }

    #[test]
    fn cluster_flags_work_before_or_after_the_subcommand() {
        let after =
            Cli::try_parse_from(["cutover", "switch", "--to", "green", "--context", "a"]).unwrap();
        let before =
            Cli::try_parse_from(["cutover", "--context", "a", "switch", "--to", "green"]).unwrap();
        for cli in [after, before] {
            let Some(Command::Switch { cluster, .. }) = cli.command else {
                panic!("switch");
            };
            assert_eq!(cluster.or(&cli.cluster).context.as_deref(), Some("a"));
        }
    }

    #[test]
    fn watch_takes_a_duration_and_auto_rollback() {
        let cli =
            Cli::try_parse_from(["cutover", "watch", "--for", "15m", "--auto-rollback"]).unwrap();
        let Some(Command::Watch {
            duration,
            auto_rollback,
            ..
        }) = cli.command
        else {
            panic!("watch");
        };
        assert_eq!(duration, chrono::Duration::minutes(15));
        assert!(auto_rollback);
        assert!(Cli::try_parse_from(["cutover", "watch"]).is_err());
    }

    #[test]
    fn sim_takes_no_cluster_flags_after_it() {
        assert!(Cli::try_parse_from(["cutover", "sim", "--context", "a"]).is_err());
        assert!(Cli::try_parse_from(["cutover", "demo", "--kubeconfig", "k"]).is_err());
    }
}
