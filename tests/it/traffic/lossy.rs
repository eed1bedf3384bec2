//! A test double for a lost answer: a small HTTP/1.1 proxy in front of the plain-HTTP
//! simulator. It forwards every request (one per connection, answers streamed back, so
//! watches work) — except that the first `drop` PATCHes of the router reach the simulator
//! (the write lands) and their answers are read and thrown away: the client's connection
//! just closes, as when a load balancer in front of the API server loses it.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// The proxy; it stops when dropped.
pub struct Lossy {
    /// `http://127.0.0.1:PORT`.
    pub url: String,
    patches: Arc<AtomicU32>,
    task: tokio::task::JoinHandle<()>,
}

impl Lossy {
    /// A proxy to `upstream` (`http://127.0.0.1:PORT`) losing the answers of the first
    /// `drop` PATCH requests whose path contains `path_part`.
    pub async fn start(upstream: &str, path_part: &str, drop: u32) -> Lossy {
        let upstream: SocketAddr = upstream
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .parse()
            .expect("upstream is http://IP:PORT");
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let patches = Arc::new(AtomicU32::new(0));
        let (seen, part) = (patches.clone(), path_part.to_string());
        let task = tokio::spawn(async move {
            while let Ok((conn, _)) = listener.accept().await {
                let (seen, part) = (seen.clone(), part.clone());
                tokio::spawn(async move {
                    let _ = serve(conn, upstream, &part, &seen, drop).await;
                });
            }
        });
        Lossy { url, patches, task }
    }

    /// PATCHes of the router seen so far.
    pub fn patches(&self) -> u32 {
        self.patches.load(Ordering::SeqCst)
    }

    /// A kube client through the proxy (the plain-HTTP simulator takes it as admin).
    pub fn client(&self) -> kube::Client {
        let uri: hyper::Uri = self.url.parse().expect("proxy URL");
        kube::Client::try_from(kube::Config::new(uri)).expect("client")
    }
}

impl Drop for Lossy {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve(
    mut client: TcpStream,
    upstream: SocketAddr,
    path_part: &str,
    patches: &AtomicU32,
    drop: u32,
) -> std::io::Result<()> {
    let (head, body) = read_request(&mut client).await?;
    let first = head.lines().next().unwrap_or_default();
    let ours = first.starts_with("PATCH ") && first.contains(path_part);
    let mut up = TcpStream::connect(upstream).await?;
    up.write_all(close_connection(&head).as_bytes()).await?;
    up.write_all(&body).await?;
    if ours && patches.fetch_add(1, Ordering::SeqCst) < drop {
        // The write lands; its answer never reaches the client.
        let mut sink = Vec::new();
        up.read_to_end(&mut sink).await?;
        return Ok(());
    }
    tokio::io::copy(&mut up, &mut client).await?;
    Ok(())
}

/// One request: its head (through the blank line) and its `Content-Length` body.
async fn read_request(conn: &mut TcpStream) -> std::io::Result<(String, Vec<u8>)> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let end = loop {
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = conn.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
    let length: usize = head
        .lines()
        .filter_map(|l| l.split_once(':'))
        .find(|(k, _)| k.trim().eq_ignore_ascii_case("content-length"))
        .and_then(|(_, v)| v.trim().parse().ok())
        .unwrap_or(0);
    let mut body = buf[end..].to_vec();
    while body.len() < length {
        let n = conn.read(&mut chunk).await?;
        if n == 0 {
            return Err(std::io::ErrorKind::UnexpectedEof.into());
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Ok((head, body))
}

/// The head with `Connection: close`: one request per connection keeps the proxy simple.
fn close_connection(head: &str) -> String {
    let mut lines: Vec<&str> = head
        .trim_end()
        .lines()
        .filter(|l| !l.to_ascii_lowercase().starts_with("connection:"))
        .collect();
    lines.push("Connection: close");
    format!("{}\r\n\r\n", lines.join("\r\n"))
}
