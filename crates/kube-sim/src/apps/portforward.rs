//! `pods/NAME/portforward` over WebSocket (`v4.channel.k8s.io`), as kube-rs speaks it.
//!
//! Port index i uses channel 2i for data and 2i+1 for errors. Both channels first carry the
//! port number (u16 little-endian). Each forwarded port is one HTTP connection to the pod,
//! served by the same code as the shared app listener.

use super::listener::serve_connection;
use super::status::{bad_request, not_found};
use super::Ctx;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Path, RawQuery, State};
use axum::response::Response;
use bytes::Bytes;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt, WriteHalf};
use tokio::sync::mpsc;

/// The one subprotocol served.
pub const PROTOCOL: &str = "v4.channel.k8s.io";

/// Ports from `ports=8000,9000` (also repeated `ports=` pairs).
pub fn parse_ports(query: Option<&str>) -> Result<Vec<u16>, String> {
    let mut ports = Vec::new();
    for pair in query.unwrap_or("").split('&') {
        let Some(v) = pair.strip_prefix("ports=") else {
            continue;
        };
        let v = v.replace("%2C", ",").replace("%2c", ",");
        for p in v.split(',').filter(|p| !p.is_empty()) {
            match p.parse::<u16>() {
                Ok(n) if n > 0 && !ports.contains(&n) => ports.push(n),
                _ => return Err(format!("invalid port {p:?}")),
            }
        }
    }
    if ports.is_empty() {
        return Err("at least one port must be specified".into());
    }
    Ok(ports)
}

/// A frame: channel byte followed by payload.
pub fn frame(channel: u8, payload: &[u8]) -> Bytes {
    let mut v = Vec::with_capacity(payload.len() + 1);
    v.push(channel);
    v.extend_from_slice(payload);
    Bytes::from(v)
}

/// Ports the pod's containers declare (the app listens on 8000 when none are declared).
fn declared_ports(pod: &Value) -> Vec<u16> {
    let mut out: Vec<u16> = pod
        .pointer("/spec/containers")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .flat_map(|c| c["ports"].as_array().into_iter().flatten())
        .filter_map(|p| {
            p["containerPort"]
                .as_u64()
                .and_then(|n| u16::try_from(n).ok())
        })
        .collect();
    if out.is_empty() {
        out.push(8000);
    }
    out
}

/// The handler.
pub async fn pod_portforward(
    State(ctx): State<Ctx>,
    Path((ns, name)): Path<(String, String)>,
    RawQuery(query): RawQuery,
    ws: WebSocketUpgrade,
) -> Response {
    let ports = match parse_ports(query.as_deref()) {
        Ok(p) => p,
        Err(e) => return bad_request(&e),
    };
    let Some(pod) = ctx.store.get("pods", &ns, &name) else {
        return not_found("pods", &name);
    };
    let open = declared_ports(&pod);
    ws.protocols([PROTOCOL])
        .on_upgrade(move |socket| run(ctx, ns, name, ports, open, socket))
}

enum FromPod {
    Data(usize, Bytes),
    Eof(usize),
}

async fn run(
    ctx: Ctx,
    ns: String,
    pod: String,
    ports: Vec<u16>,
    open: Vec<u16>,
    mut ws: WebSocket,
) {
    let (tx, mut rx) = mpsc::channel::<FromPod>(32);
    let mut writers: Vec<Option<WriteHalf<tokio::io::DuplexStream>>> = Vec::new();
    let mut live = 0;
    for (i, port) in ports.iter().enumerate() {
        let ch = (2 * i) as u8;
        for c in [ch, ch + 1] {
            if ws
                .send(Message::Binary(frame(c, &port.to_le_bytes())))
                .await
                .is_err()
            {
                return;
            }
        }
        let running = ctx.apps.running(&ns, &pod).is_some();
        if !running || !open.contains(port) {
            let msg = format!(
                "error forwarding port {port} to pod {pod}: dial tcp4 127.0.0.1:{port}: connect: connection refused"
            );
            let _ = ws
                .send(Message::Binary(frame(ch + 1, msg.as_bytes())))
                .await;
            writers.push(None);
            continue;
        }
        let (app_side, our_side) = tokio::io::duplex(64 * 1024);
        let bound = Some((ns.clone(), pod.clone()));
        tokio::spawn(serve_connection(
            ctx.apps.clone(),
            bound,
            app_side,
            "127.0.0.1".into(),
        ));
        let (mut reader, writer) = tokio::io::split(our_side);
        writers.push(Some(writer));
        live += 1;
        let tx = tx.clone();
        tokio::spawn(async move {
            let mut buf = vec![0u8; 16 * 1024];
            loop {
                match reader.read(&mut buf).await {
                    Ok(0) | Err(_) => break,
                    Ok(n) => {
                        if tx
                            .send(FromPod::Data(i, Bytes::copy_from_slice(&buf[..n])))
                            .await
                            .is_err()
                        {
                            return;
                        }
                    }
                }
            }
            let _ = tx.send(FromPod::Eof(i)).await;
        });
    }
    drop(tx);
    while live > 0 {
        tokio::select! {
            _ = ctx.shutdown.cancelled() => break,
            from_pod = rx.recv() => match from_pod {
                Some(FromPod::Data(i, data)) => {
                    if ws.send(Message::Binary(frame((2 * i) as u8, &data))).await.is_err() {
                        break;
                    }
                }
                Some(FromPod::Eof(i)) => {
                    writers[i] = None;
                    live -= 1;
                }
                None => break,
            },
            msg = ws.recv() => match msg {
                Some(Ok(Message::Binary(b))) if b.len() > 1 => {
                    let i = usize::from(b[0] / 2);
                    if b[0] % 2 == 0 {
                        if let Some(Some(w)) = writers.get_mut(i) {
                            if w.write_all(&b[1..]).await.is_err() {
                                writers[i] = None;
                            }
                        }
                    }
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break,
                Some(Ok(_)) => {}
            },
        }
    }
    for w in writers.iter_mut().flatten() {
        let _ = w.shutdown().await;
    }
    let _ = ws.send(Message::Close(None)).await;
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn ports_query() {
        assert_eq!(parse_ports(Some("ports=8000")), Ok(vec![8000]));
        assert_eq!(parse_ports(Some("ports=8000%2C9000")), Ok(vec![8000, 9000]));
        assert_eq!(parse_ports(Some("ports=80&ports=81")), Ok(vec![80, 81]));
        assert!(parse_ports(Some("ports=0")).is_err());
        assert!(parse_ports(Some("ports=70000")).is_err());
        assert!(parse_ports(Some("ports=80,80")).is_err());
        assert!(parse_ports(None).is_err());
    }

    #[test]
    fn frames_and_ports() {
        assert_eq!(&frame(3, &8000u16.to_le_bytes())[..], &[3, 0x40, 0x1f]);
        let pod = json!({"spec": {"containers": [{"ports": [{"containerPort": 8000}, {"containerPort": 9090}]}]}});
        assert_eq!(declared_ports(&pod), vec![8000, 9090]);
        assert_eq!(declared_ports(&json!({})), vec![8000]);
    }
}
