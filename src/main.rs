//! The `cutover` command line.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};
use color_eyre::eyre::{eyre, WrapErr};

use cutover::cockpit::{self, Launch};
use cutover::config::{self, schema::Config};
use cutover::{logging, term};

/// A full-screen terminal cockpit for blue-green releases on Kubernetes.
#[derive(Parser, Debug)]
#[command(name = "cutover", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    cockpit: CockpitArgs,
}

/// Options of the cockpit on a real cluster.
#[derive(Args, Debug, Clone)]
struct CockpitArgs {
    /// Configuration file (default: $CUTOVER_CONFIG, $XDG_CONFIG_HOME/cutover/config.toml, ~/.config/cutover/config.toml).
    #[arg(long, global = true, value_name = "PATH")]
    config: Option<PathBuf>,
    /// Kubeconfig file (default: $KUBECONFIG, then ~/.kube/config).
    #[arg(long, global = true, value_name = "PATH")]
    kubeconfig: Option<PathBuf>,
    /// Kubeconfig context (default: the current context).
    #[arg(long, global = true, value_name = "NAME")]
    context: Option<String>,
    /// Watch only: refuse every traffic or workload action.
    #[arg(long, global = true)]
    read_only: bool,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Open the cockpit on a built-in simulated cluster (no setup needed).
    Demo {
        /// Simulator scenario: fittrack, fittrack-single-ns or load.
        #[arg(long, default_value = "fittrack")]
        scenario: String,
    },
    /// Run the Kubernetes API simulator until SIGINT/SIGTERM.
    Sim(SimArgs),
    /// Validate a configuration (and, when reachable, check it against the cluster).
    CheckConfig {
        /// Configuration file (default: the usual search order).
        path: Option<PathBuf>,
        /// Only check the file; don't contact the cluster.
        #[arg(long)]
        offline: bool,
    },
}

/// `cutover sim` options.
#[derive(Args, Debug)]
struct SimArgs {
    /// Address to listen on (port 0: any free port).
    #[arg(long, default_value = "127.0.0.1:0")]
    listen: SocketAddr,
    /// Where to write the kubeconfig (default: in the system temp dir).
    #[arg(long, value_name = "PATH")]
    kubeconfig_out: Option<PathBuf>,
    /// Where to write a cutover configuration for the scenario (default: beside the kubeconfig).
    #[arg(long, value_name = "PATH")]
    config_out: Option<PathBuf>,
    /// Scenario: fittrack, fittrack-single-ns or load.
    #[arg(long, default_value = "fittrack")]
    scenario: String,
    /// Serve plain HTTP instead of HTTPS (requests without a token act as admin).
    #[arg(long)]
    http: bool,
    /// Keep a Prometheus file_sd JSON file of every running pod's metrics target.
    #[arg(long, value_name = "PATH")]
    prometheus_sd: Option<PathBuf>,
    /// Allow a --listen address that is not loopback (the simulated cluster, and with --http
    /// an unauthenticated admin API, is then open to the network).
    #[arg(long)]
    allow_remote: bool,
}

fn main() -> color_eyre::Result<()> {
    term::install_hooks()?;
    let cli = Cli::parse();
    match run(cli) {
        // A bad configuration is the user's input, not a crash: say it plainly.
        Err(e) if e.downcast_ref::<config::ConfigError>().is_some() => {
            eprintln!("{e}");
            std::process::exit(2);
        }
        other => other,
    }
}

fn run(cli: Cli) -> color_eyre::Result<()> {
    match cli.command {
        None => {
            logging::init_cockpit();
            let loaded = config::load(cli.cockpit.config.as_deref())?;
            let runtime = runtime()?;
            runtime.block_on(async {
                let connected = cutover::kube::connect(
                    cli.cockpit.kubeconfig.clone(),
                    cli.cockpit.context.clone(),
                )
                .await?;
                cockpit::run(launch(loaded.config, connected, cli.cockpit.read_only)).await
            })
        }
        Some(Command::Demo { scenario }) => {
            logging::init_cockpit();
            let handle = kube_sim::start(kube_sim::SimOptions {
                scenario: scenario.clone(),
                ..Default::default()
            })
            .wrap_err("starting the built-in simulator")?;
            let config = config::demo_config(
                &scenario,
                Some(handle.lb_url.as_str()).filter(|u| !u.is_empty()),
            );
            let runtime = runtime()?;
            let result = runtime.block_on(async {
                let connected = cutover::kube::connect(
                    Some(handle.kubeconfig_path.clone()),
                    Some("sim".into()),
                )
                .await?;
                cockpit::run(launch(config, connected, cli.cockpit.read_only)).await
            });
            drop(runtime);
            handle.stop();
            result
        }
        Some(Command::Sim(args)) => {
            logging::init_stderr();
            run_sim(args)
        }
        Some(Command::CheckConfig { path, offline }) => {
            logging::init_stderr();
            let explicit = path.or(cli.cockpit.config.clone());
            let loaded = config::load(explicit.as_deref())?;
            println!("{}", config::check::describe(&loaded.config, &loaded.path));
            if offline {
                return Ok(());
            }
            runtime()?.block_on(check_cluster(&cli.cockpit, &loaded.config))
        }
    }
}

/// `cutover sim`: start the simulator, write the cockpit configuration for its scenario
/// (beside the kubeconfig unless `--config-out`), print where everything is, and run until
/// SIGINT/SIGTERM.
fn run_sim(args: SimArgs) -> color_eyre::Result<()> {
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
    Ok(())
}

/// The cockpit's runtime: two workers are plenty; the simulator has its own.
fn runtime() -> color_eyre::Result<tokio::runtime::Runtime> {
    Ok(tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("cutover")
        .enable_all()
        .build()?)
}

fn launch(config: Config, connected: cutover::kube::Connected, read_only: bool) -> Launch {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
        || config.ui.theme == config::schema::Theme::Mono;
    Launch {
        config,
        connected,
        read_only,
        no_color,
        stderr_log: std::env::temp_dir().join("cutover-stderr.log"),
    }
}

/// Check the configuration against the cluster; unreachable clusters are reported, not fatal.
async fn check_cluster(args: &CockpitArgs, config: &Config) -> color_eyre::Result<()> {
    let connected =
        match cutover::kube::connect(args.kubeconfig.clone(), args.context.clone()).await {
            Ok(c) => c,
            Err(e) => {
                println!("cluster: not reachable ({e:#}); checked the file only");
                return Ok(());
            }
        };
    println!(
        "cluster: {} ({})",
        connected.context_name, connected.cluster_url
    );
    let findings = config::check::check_cluster(&connected.client, config).await;
    for finding in &findings {
        println!("{finding}");
    }
    if config::check::has_errors(&findings) {
        return Err(eyre!("the configuration does not match the cluster"));
    }
    Ok(())
}
