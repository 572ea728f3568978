//! [`MemoryNetwork`]: endpoints that live in the process, connected by `tokio::io::duplex`
//! pipes. For tests (and doc examples): no sockets, so tokio's paused clock only moves when
//! every task waits, and keep-alive, timeout and backoff tests are deterministic.

use std::collections::HashMap;
use std::io;
use std::sync::{Arc, Mutex};

use futures::future::BoxFuture;
use tokio::io::DuplexStream;
use tokio::sync::mpsc;

use super::connector::{BoxIo, Connector};

/// Bytes buffered in each direction of an in-memory connection.
const PIPE_BUFFER: usize = 64 * 1024;
/// Connections waiting to be accepted per listener.
const BACKLOG: usize = 16;

/// A set of in-memory endpoints, keyed by URL. [`MemoryNetwork::listen`] makes one;
/// [`MemoryNetwork::connector`] dials them. A URL nobody listens on (or whose listener was
/// dropped) refuses the connection, like a closed port.
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// use streamkit_runtime::session::{Connector, MemoryNetwork};
/// use tokio::io::{AsyncReadExt, AsyncWriteExt};
///
/// let net = MemoryNetwork::new();
/// let mut listener = net.listen("ws://chat.test/one");
/// let connector = net.connector();
/// let mut client = connector.connect(&"ws://chat.test/one".parse().unwrap()).await.unwrap();
/// client.write_all(b"hi").await.unwrap();
/// let mut server = listener.accept().await.unwrap();
/// let mut buf = [0; 2];
/// server.read_exact(&mut buf).await.unwrap();
/// assert_eq!(&buf, b"hi");
/// assert!(connector.connect(&"ws://chat.test/two".parse().unwrap()).await.is_err());
/// # }
/// ```
#[derive(Debug, Clone, Default)]
pub struct MemoryNetwork {
    listeners: Arc<Mutex<HashMap<String, mpsc::Sender<DuplexStream>>>>,
}

impl MemoryNetwork {
    /// An empty network.
    pub fn new() -> Self {
        Self::default()
    }

    /// Listens on `url` (replacing an earlier listener there).
    pub fn listen(&self, url: &str) -> MemoryListener {
        let (tx, rx) = mpsc::channel(BACKLOG);
        if let Ok(mut map) = self.listeners.lock() {
            map.insert(normalize(url), tx);
        }
        MemoryListener { incoming: rx }
    }

    /// A connector dialing this network.
    pub fn connector(&self) -> MemoryConnector {
        MemoryConnector { network: self.clone() }
    }
}

/// URIs print with a trailing `/` on an empty path; listeners are found either way.
fn normalize(url: &str) -> String {
    url.trim_end_matches('/').to_owned()
}

/// The accepting end of an in-memory endpoint.
#[derive(Debug)]
pub struct MemoryListener {
    incoming: mpsc::Receiver<DuplexStream>,
}

impl MemoryListener {
    /// The next connection (`None` once every connector is gone).
    pub async fn accept(&mut self) -> Option<DuplexStream> {
        self.incoming.recv().await
    }
}

/// Dials a [`MemoryNetwork`]. The URI's query is ignored when finding the listener.
#[derive(Debug, Clone)]
pub struct MemoryConnector {
    network: MemoryNetwork,
}

impl Connector for MemoryConnector {
    fn connect<'a>(&'a self, uri: &'a http::Uri) -> BoxFuture<'a, io::Result<BoxIo>> {
        Box::pin(async move {
            let key = format!(
                "{}://{}{}",
                uri.scheme_str().unwrap_or(""),
                uri.authority().map_or("", |a| a.as_str()),
                uri.path()
            );
            let listener = self.network.listeners.lock().ok().and_then(|m| m.get(&normalize(&key)).cloned());
            let refused = || io::Error::new(io::ErrorKind::ConnectionRefused, "nothing listens on this endpoint");
            let listener = listener.ok_or_else(refused)?;
            let (client, server) = tokio::io::duplex(PIPE_BUFFER);
            listener.send(server).await.map_err(|_| refused())?;
            Ok(Box::new(client) as BoxIo)
        })
    }
}
