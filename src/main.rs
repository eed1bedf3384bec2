//! The `cutover` command line.

use std::path::PathBuf;

use clap::Parser;
use color_eyre::eyre::{eyre, WrapErr};

use cutover::app::action::Request;
use cutover::cli::{ActArgs, Cli, ClusterArgs, Command, Format, SimArgs};
use cutover::cluster::{ConnectError, Connected};
use cutover::cockpit::{self, Look};
use cutover::config::{self, schema::Config, ConfigError};
use cutover::driver::Launch;
use cutover::headless::{self, Job};
use cutover::{logging, term};

/// A mistake in how cutover was called (exit 2, like a usage error).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
struct Usage(String);

fn main() -> color_eyre::Result<()> {
    term::install_hooks()?;
    let cli = Cli::parse();
    let code = match run(cli) {
        Ok(code) => code,
        // Expected errors are the user's input or the world, not a crash: one plain sentence.
        Err(e) if e.downcast_ref::<ConfigError>().is_some() => {
            eprintln!("{e}");
            2
        }
        Err(e) if e.downcast_ref::<Usage>().is_some() => {
            eprintln!("cutover: {e}");
            2
        }
        Err(e) if e.downcast_ref::<ConnectError>().is_some() => {
            eprintln!("cutover: {e}");
            1
        }
        Err(e) if e.downcast_ref::<cutover::paths::PathError>().is_some() => {
            eprintln!("cutover: cannot keep the journal of actions: {e}");
            1
        }
        Err(e) => return Err(e),
    };
    std::process::exit(code);
}

fn run(cli: Cli) -> color_eyre::Result<i32> {
    let before = cli.cluster.clone();
    let no_cluster_flags = |what: &str| -> color_eyre::Result<()> {
        let given = before.given();
        if given.is_empty() {
            return Ok(());
        }
        Err(Usage(format!(
            "`cutover {what}` does not take {}",
            given.join(", ")
        ))
        .into())
    };
    match cli.command {
        None => run_cockpit(before),
        Some(Command::Demo {
            scenario,
            read_only,
        }) => {
            // The demo makes its own cluster and configuration.
            let ClusterArgs { read_only: ro, .. } = before.clone();
            let others = ClusterArgs {
                read_only: false,
                ..before.clone()
            };
            if !others.given().is_empty() {
                return Err(Usage(format!(
                    "`cutover demo` runs its own simulated cluster and configuration; it does not take {}",
                    others.given().join(", ")
                ))
                .into());
            }
            run_demo(&scenario, read_only || ro)
        }
        Some(Command::Sim(args)) => {
            no_cluster_flags("sim")?;
            logging::init_stderr();
            run_sim(args)
        }
        Some(Command::CheckConfig {
            path,
            offline,
            cluster,
        }) => {
            logging::init_stderr();
            let cluster = cluster.or(&before);
            let loaded = config::load(path.or(cluster.config.clone()).as_deref())?;
            println!("{}", config::check::describe(&loaded.config, &loaded.path));
            if offline {
                return Ok(0);
            }
            runtime()?.block_on(check_cluster(&cluster, &loaded.config))
        }
        Some(Command::Status { output, cluster }) => {
            if output == Format::Markdown {
                return Err(Usage("`cutover status` prints text or json".into()).into());
            }
            run_headless(cluster.or(&before), Job::Status(output))
        }
        Some(Command::Smoke { color, cluster }) => {
            let request = Request::Smoke {
                color: color.map(Into::into),
            };
            // A smoke test changes nothing: it never asks.
            let act = ActArgs {
                yes: true,
                reason: None,
            };
            run_headless(cluster.or(&before), Job::Act(request, act.options()))
        }
        Some(Command::Switch { to, act, cluster }) => {
            let request = Request::Switch { to: to.into() };
            run_headless(cluster.or(&before), Job::Act(request, act.options()))
        }
        Some(Command::Rollback { act, cluster }) => {
            let request = Request::Rollback { to: None };
            run_headless(cluster.or(&before), Job::Act(request, act.options()))
        }
        Some(Command::Deploy {
            version,
            color,
            act,
            cluster,
        }) => {
            let request = Request::Deploy {
                version,
                color: color.map(Into::into),
            };
            run_headless(cluster.or(&before), Job::Act(request, act.options()))
        }
        Some(Command::Decommission {
            color,
            act,
            cluster,
        }) => {
            let request = Request::Decommission {
                color: color.map(Into::into),
            };
            run_headless(cluster.or(&before), Job::Act(request, act.options()))
        }
        Some(Command::Checklist { output, cluster }) => {
            if output == Format::Markdown {
                return Err(Usage("`cutover checklist` prints text or json".into()).into());
            }
            run_headless(cluster.or(&before), Job::Checklist(output))
        }
        Some(Command::Watch {
            duration,
            auto_rollback,
            cluster,
        }) => run_headless(
            cluster.or(&before),
            Job::Watch {
                duration,
                auto_rollback,
            },
        ),
        Some(Command::Journal {
            since,
            output,
            cluster,
        }) => run_headless(
            cluster.or(&before),
            Job::Journal {
                since,
                format: output,
            },
        ),
    }
}

/// The cockpit on the configured cluster. An API server that does not answer at start
/// does not stop it: it opens, says so, and retries.
fn run_cockpit(args: ClusterArgs) -> color_eyre::Result<i32> {
    logging::init_cockpit();
    let loaded = config::load(args.config.as_deref())?;
    let runtime = runtime()?;
    runtime.block_on(async {
        let connected =
            cutover::cluster::connect(args.kubeconfig.clone(), args.context.clone()).await?;
        let mono = loaded.config.ui.theme == config::schema::Theme::Mono;
        let launch = launch(loaded.config, connected, args.read_only, args.kubeconfig)?;
        cockpit::run(launch, look(mono)).await
    })
}

fn run_demo(scenario: &str, read_only: bool) -> color_eyre::Result<i32> {
    logging::init_cockpit();
    let handle = kube_sim::start(kube_sim::SimOptions {
        scenario: scenario.to_string(),
        ..Default::default()
    })
    .wrap_err("starting the built-in simulator")?;
    let config = config::demo_config(
        scenario,
        Some(handle.lb_url.as_str()).filter(|u| !u.is_empty()),
    );
    let runtime = runtime()?;
    let result = runtime.block_on(async {
        let connected =
            cutover::cluster::connect(Some(handle.kubeconfig_path.clone()), Some("sim".into()))
                .await?;
        let mono = config.ui.theme == config::schema::Theme::Mono;
        let kubeconfig = Some(handle.kubeconfig_path.clone());
        cockpit::run(
            launch(config, connected, read_only, kubeconfig)?,
            look(mono),
        )
        .await
    });
    drop(runtime);
    handle.stop();
    result
}

/// A headless command on the configured cluster.
fn run_headless(args: ClusterArgs, job: Job) -> color_eyre::Result<i32> {
    logging::init_stderr();
    let loaded = config::load(args.config.as_deref())?;
    runtime()?.block_on(async {
        let connected = cutover::cluster::connect(args.kubeconfig.clone(), args.context.clone())
            .await?
            .reachable()?;
        let launch = launch(loaded.config, connected, args.read_only, args.kubeconfig)?;
        headless::run(launch, job).await
    })
}

/// `cutover sim`: start the simulator, write the cockpit configuration for its scenario
/// (beside the kubeconfig unless `--config-out`), print where everything is, and run until
/// SIGINT/SIGTERM.
fn run_sim(args: SimArgs) -> color_eyre::Result<i32> {
    let opts = kube_sim::SimOptions {
        listen: args.listen,
        http: args.http,
        scenario: args.scenario.clone(),
        kubeconfig_out: args.kubeconfig_out,
        prometheus_sd: args.prometheus_sd,
        allow_remote: args.allow_remote,
        ..Default::default()
    };
    // Refused unless --allow-remote; allowed, it is said loudly before anything else.
    if let (true, Some(warning)) = (opts.allow_remote, opts.remote_warning()) {
        eprintln!("\n{}\n{warning}\n{}\n", "!".repeat(78), "!".repeat(78));
    }
    let handle = kube_sim::start(opts)?;
    let config_path = args.config_out.unwrap_or_else(|| {
        handle
            .kubeconfig_path
            .parent()
            .map(|dir| dir.join("cutover.toml"))
            .unwrap_or_else(|| PathBuf::from("cutover.toml"))
    });
    let lb_url = Some(handle.lb_url.as_str()).filter(|u| !u.is_empty());
    let text = config::demo::scenario_toml(&args.scenario, lb_url);
    if let Some(dir) = config_path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).wrap_err_with(|| format!("creating {}", dir.display()))?;
    }
    std::fs::write(&config_path, text)
        .wrap_err_with(|| format!("writing {}", config_path.display()))?;
    println!("kubeconfig: {}", handle.kubeconfig_path.display());
    println!("config: {}", config_path.display());
    println!("api: {}", handle.api_url);
    println!("lb: {}", handle.lb_url);
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(async {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::select! {
            r = tokio::signal::ctrl_c() => r,
            _ = term.recv() => Ok(()),
        }
    })?;
    handle.stop();
    Ok(0)
}

/// The cockpit's runtime: two workers are plenty; the simulator has its own.
fn runtime() -> color_eyre::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("cutover")
        .enable_all()
        .build()?)
}

fn launch(
    config: Config,
    connected: Connected,
    read_only: bool,
    kubeconfig: Option<PathBuf>,
) -> color_eyre::Result<Launch> {
    // No journal, no actions: cutover does not start without a private place for it.
    let journal = cutover::bus::journal::default_path()?;
    Ok(Launch {
        // The configuration can make a session read-only; the command line cannot undo it.
        read_only: read_only || config.read_only,
        config,
        connected,
        journal,
        kubeconfig,
    })
}

fn look(mono_theme: bool) -> Look {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) || mono_theme;
    Look {
        no_color,
        // A private, per-process file (see `paths`); without one, stderr is dropped rather
        // than written over the screen, and the reason is said before the screen is taken.
        stderr_log: match cutover::paths::new_stderr_log() {
            Ok(path) => {
                tracing::info!("stderr goes to {} while the cockpit runs", path.display());
                path
            }
            Err(e) => {
                eprintln!("cutover: not keeping stderr while the cockpit runs: {e}");
                PathBuf::from("/dev/null")
            }
        },
    }
}

/// Check the configuration against the cluster. Exit 0: the cluster matches; 1: it does not;
/// 3: the cluster could not be checked (only the file was).
async fn check_cluster(args: &ClusterArgs, config: &Config) -> color_eyre::Result<i32> {
    let connected = cutover::cluster::connect(args.kubeconfig.clone(), args.context.clone())
        .await
        .and_then(Connected::reachable);
    let connected = match connected {
        Ok(c) => c,
        Err(e) => {
            println!("cluster: not checked — {e}; only the file was checked");
            return Ok(3);
        }
    };
    println!(
        "cluster: {} ({})",
        connected.context_name, connected.cluster_url
    );
    let findings = cutover::cluster::check::check_cluster(&connected.client, config).await;
    for finding in &findings {
        println!("{finding}");
    }
    if config::check::has_errors(&findings) {
        eprintln!("{}", eyre!("the configuration does not match the cluster"));
        return Ok(1);
    }
    Ok(0)
}
