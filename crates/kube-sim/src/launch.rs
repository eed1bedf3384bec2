//! Starting the simulator: options, and the handle its users (tests, `cutover sim`, `cutover demo`) hold.

use crate::cluster::{self, Cluster, Tuning};
use crate::server::{self, ServerCtx};
use crate::state::SimState;
use crate::{apps, kubeconfig, tls};
use serde_json::json;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;
use tokio_util::sync::CancellationToken;

/// How to run the simulator (`cutover sim` flags).
#[derive(Debug, Clone)]
pub struct SimOptions {
    /// Where the API server listens (port 0: any free port).
    pub listen: SocketAddr,
    /// Serve plain HTTP instead of HTTPS.
    pub http: bool,
    /// Scenario name (`fittrack`, `fittrack-single-ns`, `load`, `empty`).
    pub scenario: String,
    /// Where to write the kubeconfig (default: a fresh directory in the system temp dir).
    pub kubeconfig_out: Option<PathBuf>,
    /// Keep a Prometheus file_sd file here.
    pub prometheus_sd: Option<PathBuf>,
    /// Timings and behaviour of the simulated cluster.
    pub tuning: Tuning,
    /// Allow a `listen` address that is not loopback (refused otherwise: the API, and over
    /// plain HTTP an unauthenticated admin API, would be open to the network).
    pub allow_remote: bool,
}

impl Default for SimOptions {
    fn default() -> Self {
        Self {
            listen: SocketAddr::from(([127, 0, 0, 1], 0)),
            http: false,
            scenario: "fittrack".into(),
            kubeconfig_out: None,
            prometheus_sd: None,
            tuning: Tuning::default(),
            allow_remote: false,
        }
    }
}

/// Why the simulator could not start.
#[derive(Debug, thiserror::Error)]
pub enum SimError {
    /// Binding or writing files failed.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The I/O error.
        source: std::io::Error,
    },
    /// Certificate generation failed.
    #[error(transparent)]
    Tls(#[from] tls::TlsError),
    /// The scenario name is not known.
    #[error("unknown scenario {0:?} (known: fittrack, fittrack-single-ns, load, empty)")]
    Scenario(String),
    /// The simulator thread died before it was listening.
    #[error("the simulator thread stopped during startup")]
    Thread,
    /// A non-loopback listen address without `allow_remote`.
    #[error("refusing to listen on {0}: not a loopback address, so the simulated cluster (and over plain HTTP its unauthenticated admin API) would be open to the network; use 127.0.0.1, or allow it explicitly (cutover sim --allow-remote)")]
    NotLoopback(SocketAddr),
}

impl SimOptions {
    /// The warning to show (loudly) when these options expose the simulator beyond this
    /// machine; None for a loopback address.
    pub fn remote_warning(&self) -> Option<String> {
        if self.listen.ip().is_loopback() {
            return None;
        }
        let who = if self.http {
            "ANYONE who can reach it is cluster admin: plain HTTP takes requests without a token as admin"
        } else {
            "anyone holding the kubeconfig's tokens can use it from other machines"
        };
        Some(format!(
            "WARNING: the Kubernetes API simulator listens on {} (not loopback); {who}. Its /sim/v1 endpoints need the admin token (except from loopback over plain HTTP).",
            self.listen
        ))
    }
}

fn io_err(context: impl Into<String>) -> impl FnOnce(std::io::Error) -> SimError {
    let context = context.into();
    move |source| SimError::Io { context, source }
}

/// What `start` learned once the server listens.
#[derive(Debug, Clone)]
struct Started {
    kubeconfig_path: PathBuf,
    api_url: String,
    lb_url: String,
    temp_dir: Option<PathBuf>,
}

/// A running simulator. Dropping it (or [`SimHandle::stop`]) shuts it down.
pub struct SimHandle {
    /// The written kubeconfig (contexts `sim`, `sim-alice`, `sim-bob`, `sim-viewer`).
    pub kubeconfig_path: PathBuf,
    /// The API server's base URL.
    pub api_url: String,
    /// The simulated load balancer's base URL (empty if it could not start).
    pub lb_url: String,
    /// The shared state, for in-process inspection by tests.
    pub state: SimState,
    shutdown: CancellationToken,
    thread: Option<std::thread::JoinHandle<()>>,
    temp_dir: Option<PathBuf>,
}

fn default_dir() -> PathBuf {
    static N: AtomicU32 = AtomicU32::new(0);
    let n = N.fetch_add(1, Ordering::Relaxed);
    std::env::temp_dir().join(format!("cutover-sim-{}-{n}", std::process::id()))
}

fn known_scenario(name: &str) -> bool {
    name == "empty" || cluster::scenario::objects(name).is_ok()
}

/// Starts the simulator on its own thread with its own tokio runtime; returns once it listens.
pub fn start(opts: SimOptions) -> Result<SimHandle, SimError> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    if !known_scenario(&opts.scenario) {
        return Err(SimError::Scenario(opts.scenario));
    }
    if !opts.listen.ip().is_loopback() && !opts.allow_remote {
        return Err(SimError::NotLoopback(opts.listen));
    }
    if let Some(w) = opts.remote_warning() {
        tracing::warn!("{w}");
    }
    let state = SimState::new(&opts.scenario, opts.tuning.clone());
    let shutdown = state.shutdown.clone();
    let (tx, rx) = std::sync::mpsc::channel();
    let thread_state = state.clone();
    let thread = std::thread::Builder::new()
        .name("cutover-sim".into())
        .spawn(move || {
            let rt = match tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("cutover-sim-rt")
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => {
                    let _ = tx.send(Err(io_err("tokio runtime")(e)));
                    return;
                }
            };
            rt.block_on(async move {
                let shutdown = thread_state.shutdown.clone();
                let started = setup(thread_state, opts).await;
                let ok = started.is_ok();
                let _ = tx.send(started);
                if ok {
                    shutdown.cancelled().await;
                }
            });
            rt.shutdown_timeout(Duration::from_secs(2));
        })
        .map_err(io_err("simulator thread"))?;
    let started = rx.recv().map_err(|_| SimError::Thread)??;
    Ok(SimHandle {
        kubeconfig_path: started.kubeconfig_path,
        api_url: started.api_url,
        lb_url: started.lb_url,
        state,
        shutdown,
        thread: Some(thread),
        temp_dir: started.temp_dir,
    })
}

async fn setup(state: SimState, opts: SimOptions) -> Result<Started, SimError> {
    let listener = tokio::net::TcpListener::bind(opts.listen)
        .await
        .map_err(io_err(format!("listen on {}", opts.listen)))?;
    let addr = listener.local_addr().map_err(io_err("local address"))?;
    let tls = if opts.http {
        None
    } else {
        Some(tls::generate()?)
    };
    let api_url = format!("{}://{addr}", if opts.http { "http" } else { "https" });
    let _ = state.api_url.set(api_url.clone());
    for ns in ["default", "kube-system"] {
        let _ = state.store.create(
            "namespaces",
            "",
            json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}}),
        );
    }
    // Every cluster has it, whatever the scenario.
    let _ = state.store.create(
        "services",
        "default",
        server::services::kubernetes_service(addr.port()),
    );

    // --- SIM-APPS: app listener + API routes (logs, proxy, port-forward).
    let mut extra: axum::Router = apps::api_routes(state.clone());
    // --- SIM-CLUSTER: seeds the scenario, runs controllers + kubelet on the simulated apps;
    // its routes serve GET /sim/v1/state.
    let _ = state.cluster.set(Cluster::start(state.clone()));
    extra = extra.merge(cluster::routes(state.clone()));
    if let Some(path) = &opts.prometheus_sd {
        cluster::prom_sd::spawn(&state, path.clone());
    }
    // --- SIM-APPS: load balancer and synthetic traffic.
    let lb_url = match apps::start_lb(state.clone()).await {
        Ok(a) => format!("http://{a}"),
        Err(e) => {
            tracing::error!("simulated load balancer: {e}");
            String::new()
        }
    };
    apps::start_traffic(state.clone());

    let temp_dir = opts.kubeconfig_out.is_none().then(default_dir);
    let kubeconfig_path = opts
        .kubeconfig_out
        .clone()
        .unwrap_or_else(|| temp_dir.clone().unwrap_or_default().join("kubeconfig"));
    let kc = kubeconfig::render(
        &api_url,
        tls.as_ref().map(|t| t.ca_pem.as_str()),
        &state.auth,
        "default",
    );
    write_file(&kubeconfig_path, &kc)?;

    let ctx = ServerCtx {
        state: state.clone(),
        plain_http: opts.http,
        addr,
    };
    let app = server::router(ctx, extra);
    let acceptor = tls.map(|t| tokio_rustls::TlsAcceptor::from(t.server_config));
    tokio::spawn(server::serve(listener, acceptor, app, state));
    Ok(Started {
        kubeconfig_path,
        api_url,
        lb_url,
        temp_dir,
    })
}

fn write_file(path: &Path, text: &str) -> Result<(), SimError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io_err(format!("create {}", dir.display())))?;
    }
    std::fs::write(path, text).map_err(io_err(format!("write {}", path.display())))
}

impl SimHandle {
    /// The kube-rs configuration of one of the kubeconfig's contexts, without a proxy (e.g.
    /// to turn off kube-rs's default retry of 429/503/504 answers with `default_retry`).
    pub async fn config(&self, context: &str) -> Result<kube::Config, kube::Error> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let kc = kube::config::Kubeconfig::read_from(&self.kubeconfig_path)
            .map_err(kube::Error::InferKubeconfig)?;
        let opts = kube::config::KubeConfigOptions {
            context: Some(context.to_string()),
            ..Default::default()
        };
        let mut config = kube::Config::from_custom_kubeconfig(kc, &opts)
            .await
            .map_err(kube::Error::InferKubeconfig)?;
        config.proxy_url = None;
        Ok(config)
    }

    /// A kube-rs client for one of the kubeconfig's contexts (`sim`, `sim-alice`, ...).
    pub async fn try_client(&self, context: &str) -> Result<kube::Client, kube::Error> {
        kube::Client::try_from(self.config(context).await?)
    }

    /// Like [`SimHandle::try_client`]; panics if the written kubeconfig is unusable (tests).
    pub async fn client(&self, context: &str) -> kube::Client {
        self.try_client(context)
            .await
            .expect("client for the simulator's kubeconfig")
    }

    /// Stops the simulator and waits for its thread.
    pub fn stop(mut self) {
        self.shutdown_now();
    }

    fn shutdown_now(&mut self) {
        self.shutdown.cancel();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
        if let Some(dir) = self.temp_dir.take() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

impl Drop for SimHandle {
    fn drop(&mut self) {
        self.shutdown_now();
    }
}
