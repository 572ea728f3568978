//! [`Connector`]: how a session gets the byte stream a websocket runs over. The default
//! ([`TcpConnector`]) dials TCP, with TLS for `wss://`; tests inject an in-memory one
//! ([`MemoryNetwork`](super::MemoryNetwork)) so that paused time stays deterministic.

use std::fmt::Debug;
use std::io;

use futures::future::BoxFuture;
use tokio::io::{AsyncRead, AsyncWrite};

/// A byte stream a websocket can run over.
pub trait Io: AsyncRead + AsyncWrite + Send + Unpin + 'static {}

impl<T: AsyncRead + AsyncWrite + Send + Unpin + 'static> Io for T {}

/// A boxed [`Io`].
pub type BoxIo = Box<dyn Io>;

/// Opens the byte stream to an endpoint; the session then runs the websocket handshake over
/// it (with its headers, query and subprotocols). `Err` means this endpoint failed and the
/// next one is tried.
pub trait Connector: Send + Sync + Debug + 'static {
    /// Connects to `uri` (a `ws://` or `wss://` URI; TLS, if any, is the connector's job).
    fn connect<'a>(&'a self, uri: &'a http::Uri) -> BoxFuture<'a, io::Result<BoxIo>>;
}

/// TCP, and TLS through rustls (ring, the platform's certificate verifier, unless a config of
/// the caller's is given) for `wss://`. Without the `rustls` feature, `wss://` fails to connect.
///
/// ```
/// use streamkit_runtime::session::TcpConnector;
/// let connector = TcpConnector::new();
/// # drop(connector);
/// ```
#[derive(Debug, Default, Clone)]
pub struct TcpConnector {
    #[cfg(feature = "rustls")]
    tls: Option<std::sync::Arc<rustls::ClientConfig>>,
}

impl TcpConnector {
    /// TCP, and TLS with the platform's verifier.
    pub fn new() -> Self {
        Self::default()
    }

    /// TCP, and TLS with this rustls configuration (own roots, client certificates).
    #[cfg(feature = "rustls")]
    pub fn with_tls_config(config: std::sync::Arc<rustls::ClientConfig>) -> Self {
        TcpConnector { tls: Some(config) }
    }
}

impl Connector for TcpConnector {
    fn connect<'a>(&'a self, uri: &'a http::Uri) -> BoxFuture<'a, io::Result<BoxIo>> {
        Box::pin(async move {
            let invalid = |what: &str| io::Error::new(io::ErrorKind::InvalidInput, what.to_owned());
            let host = uri.host().ok_or_else(|| invalid("endpoint URI has no host"))?;
            let tls = match uri.scheme_str() {
                Some("ws") => false,
                Some("wss") => true,
                _ => return Err(invalid("endpoint URI scheme is neither ws nor wss")),
            };
            let port = uri.port_u16().unwrap_or(if tls { 443 } else { 80 });
            // IPv6 literals come bracketed in URIs; sockets want them bare.
            let host = host.trim_start_matches('[').trim_end_matches(']');
            let tcp = tokio::net::TcpStream::connect((host, port)).await?;
            // Frames are small and latency matters more than packing them.
            tcp.set_nodelay(true)?;
            if !tls {
                return Ok(Box::new(tcp) as BoxIo);
            }
            #[cfg(feature = "rustls")]
            {
                tls_connect(self.tls.clone(), host, tcp).await
            }
            #[cfg(not(feature = "rustls"))]
            {
                drop(tcp);
                Err(io::Error::new(
                    io::ErrorKind::Unsupported,
                    "wss:// needs the `rustls` feature of streamkit-runtime",
                ))
            }
        })
    }
}

#[cfg(feature = "rustls")]
async fn tls_connect(
    config: Option<std::sync::Arc<rustls::ClientConfig>>,
    host: &str,
    tcp: tokio::net::TcpStream,
) -> io::Result<BoxIo> {
    use std::sync::{Arc, OnceLock};

    use rustls_platform_verifier::ConfigVerifierExt;

    static PLATFORM: OnceLock<Result<Arc<rustls::ClientConfig>, String>> = OnceLock::new();
    let config = match config {
        Some(config) => config,
        None => PLATFORM
            .get_or_init(|| {
                crate::tls::install_default_provider();
                rustls::ClientConfig::with_platform_verifier().map(Arc::new).map_err(|e| e.to_string())
            })
            .clone()
            .map_err(io::Error::other)?,
    };
    let name = rustls::pki_types::ServerName::try_from(host.to_owned())
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "endpoint host is not a valid TLS server name"))?;
    let stream = tokio_rustls::TlsConnector::from(config).connect(name, tcp).await?;
    Ok(Box::new(stream))
}
