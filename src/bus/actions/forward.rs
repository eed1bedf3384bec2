//! The smoke suite's `BASE_URL`: a local listener on 127.0.0.1 whose every accepted
//! connection gets its own port-forward stream to one pod (what `kubectl port-forward`
//! does). It lives exactly as long as its [`Forward`]: dropping it closes the listener
//! and every forwarded connection.

use std::net::SocketAddr;

use k8s_openapi::api::core::v1::Pod;
use kube::Api;
use tokio::net::{TcpListener, TcpStream};
use tokio::task::{JoinHandle, JoinSet};

use super::Progress;
use crate::cluster::clean;

/// A running local forward to one pod's port.
pub struct Forward {
    /// Where the listener accepts (`127.0.0.1:PORT`).
    pub addr: SocketAddr,
    task: JoinHandle<()>,
}

impl Forward {
    /// Listens on a free local port and forwards each connection to `pod:port`; failures
    /// of single connections are reported as output lines.
    pub async fn start(
        api: Api<Pod>,
        pod: String,
        port: u16,
        progress: Progress,
    ) -> std::io::Result<Forward> {
        let listener = TcpListener::bind(("127.0.0.1", 0)).await?;
        let addr = listener.local_addr()?;
        let task = tokio::spawn(accept(listener, api, pod, port, progress));
        Ok(Forward { addr, task })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }
}

impl Drop for Forward {
    fn drop(&mut self) {
        // The accept task owns the connections' JoinSet: aborting it ends them all.
        self.task.abort();
    }
}

async fn accept(listener: TcpListener, api: Api<Pod>, pod: String, port: u16, progress: Progress) {
    let mut connections = JoinSet::new();
    loop {
        let (tcp, _) = match listener.accept().await {
            Ok(c) => c,
            Err(e) => {
                progress.output(clean(&format!("BASE_URL: accept failed: {e}")));
                continue;
            }
        };
        // Reap finished connections so a long suite does not pile them up.
        while connections.try_join_next().is_some() {}
        let (api, pod, progress) = (api.clone(), pod.clone(), progress.clone());
        connections.spawn(async move {
            if let Err(e) = pipe(tcp, &api, &pod, port).await {
                progress.output(clean(&format!(
                    "BASE_URL: port-forward to {pod}:{port} failed: {e}"
                )));
            }
        });
    }
}

/// One connection: a fresh port-forward, bytes copied both ways until either side closes.
async fn pipe(mut tcp: TcpStream, api: &Api<Pod>, pod: &str, port: u16) -> Result<(), String> {
    let mut pf = api
        .portforward(pod, &[port])
        .await
        .map_err(|e| e.to_string())?;
    let mut upstream = pf.take_stream(port).ok_or("port-forward gave no stream")?;
    // A side hanging up mid-copy shows in the suite's own output (its request failed).
    let _ = tokio::io::copy_bidirectional(&mut tcp, &mut upstream).await;
    drop(upstream);
    pf.abort();
    Ok(())
}
