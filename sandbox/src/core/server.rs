//! The server: one listener on `127.0.0.1`, one or several [`Service`]s behind the core's
//! middleware (request log, contract check, faults).

use crate::core::clock::{Clock, SystemClock};
use crate::core::contract::ServiceSpec;
use crate::core::faults::{Fault, FaultStore};
use crate::core::frame_contract::Violations;
use crate::core::ratelimit::BucketSpec;
use crate::core::requestlog::{LoggedRequest, RequestLog};
use crate::core::service::{Context, Service};
use crate::core::{contract, faults, limits, lock, requestlog};
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{HeaderName, StatusCode};
use axum::response::{IntoResponse, Response};
use std::any::Any;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::sync::oneshot;

/// A service as the core keeps it: with what it declared at start.
pub(crate) struct Registered {
    pub(crate) service: Arc<dyn Service>,
    /// The same service, for [`Server::service`].
    any: Arc<dyn Any + Send + Sync>,
    pub(crate) specs: Vec<ServiceSpec>,
    pub(crate) buckets: Vec<BucketSpec>,
}

/// What the core's middleware share.
pub(crate) struct Shared {
    pub(crate) services: Vec<Registered>,
    pub(crate) clock: Arc<dyn Clock>,
    pub(crate) contract_check: bool,
    /// Every rate-limit header any service declares (kept on contract-violation 500s).
    pub(crate) rate_headers: Vec<HeaderName>,
    pub(crate) log: Mutex<RequestLog>,
    pub(crate) faults: Mutex<FaultStore>,
    pub(crate) violations: Violations,
}

impl std::fmt::Debug for Shared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Shared").field("services", &self.services.len()).finish_non_exhaustive()
    }
}

impl Shared {
    /// The service that owns `path`, else the first one (`None` only without services).
    pub(crate) fn owner(&self, path: &str) -> Option<&Registered> {
        self.services.iter().find(|r| r.service.owns(path)).or(self.services.first())
    }
}

async fn fallback(State(shared): State<Arc<Shared>>, req: Request) -> Response {
    let path = req.uri().path();
    match shared.owner(path) {
        Some(o) => o.service.not_found(path),
        None => StatusCode::NOT_FOUND.into_response(),
    }
}

/// Chooses the services and settings of a [`Server`].
///
/// ```
/// # #[tokio::main(flavor = "current_thread")] async fn main() -> std::io::Result<()> {
/// use streamkit_sandbox::core::ServerBuilder;
/// use streamkit_sandbox::demo::PagedDemo;
/// let server = ServerBuilder::default().service(PagedDemo).start().await?;
/// assert!(server.url().starts_with("http://127.0.0.1:"));
/// # Ok(()) }
/// ```
pub struct ServerBuilder {
    port: u16,
    contract_check: bool,
    clock: Arc<dyn Clock>,
    services: Vec<(Arc<dyn Service>, Arc<dyn Any + Send + Sync>)>,
}

impl Default for ServerBuilder {
    fn default() -> Self {
        ServerBuilder { port: 0, contract_check: true, clock: Arc::new(SystemClock), services: Vec::new() }
    }
}

impl std::fmt::Debug for ServerBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServerBuilder")
            .field("port", &self.port)
            .field("contract_check", &self.contract_check)
            .field("services", &self.services.len())
            .finish_non_exhaustive()
    }
}

impl ServerBuilder {
    /// TCP port on 127.0.0.1; `0` picks a free one (default).
    pub fn port(mut self, port: u16) -> Self {
        self.port = port;
        self
    }

    /// Check every response against the specs the services register (default `true`).
    pub fn contract_check(mut self, on: bool) -> Self {
        self.contract_check = on;
        self
    }

    /// Where the server and its services read the time (default [`SystemClock`]).
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.clock = clock;
        self
    }

    /// Adds a service. Services are asked in the order added which one owns a path; the
    /// first one also answers paths no service owns.
    pub fn service<S: Service>(mut self, service: S) -> Self {
        let service = Arc::new(service);
        self.services.push((service.clone(), service));
        self
    }

    /// Binds `127.0.0.1:<port>` and starts serving on the current tokio runtime.
    pub async fn start(self) -> std::io::Result<Server> {
        install_tls_provider();
        let listener = tokio::net::TcpListener::bind(("127.0.0.1", self.port)).await?;
        let addr = listener.local_addr()?;
        let ctx = Context {
            base_url: format!("http://{addr}"),
            clock: self.clock.clone(),
            contract_check: self.contract_check,
            violations: Violations::default(),
        };
        let services: Vec<Registered> = self
            .services
            .into_iter()
            .map(|(service, any)| Registered { specs: service.specs(), buckets: service.buckets(), service, any })
            .collect();
        let mut rate_headers: Vec<HeaderName> = Vec::new();
        for name in services.iter().flat_map(|r| &r.buckets).flat_map(|b| b.headers.names()) {
            if !rate_headers.contains(name) {
                rate_headers.push(name.clone());
            }
        }
        let shared = Arc::new(Shared {
            services,
            clock: self.clock,
            contract_check: self.contract_check,
            rate_headers,
            log: Mutex::new(RequestLog::default()),
            faults: Mutex::new(FaultStore::default()),
            violations: ctx.violations.clone(),
        });
        let mut app = Router::new();
        for r in &shared.services {
            app = app.merge(r.service.router(&ctx));
        }
        let mut app = app.fallback_service(axum::routing::any(fallback).with_state(shared.clone()));
        for r in &shared.services {
            app = r.service.wrap(app, &ctx);
        }
        let app = app
            .layer(axum::middleware::from_fn_with_state(shared.clone(), faults::middleware))
            .layer(axum::middleware::from_fn_with_state(shared.clone(), contract::middleware))
            .layer(axum::middleware::from_fn_with_state(shared.clone(), limits::middleware))
            // Extractors stop reading a body (without Content-Length) at the same limit.
            .layer(axum::extract::DefaultBodyLimit::max(limits::MAX_REQUEST_BODY))
            .layer(axum::middleware::from_fn_with_state(shared.clone(), requestlog::middleware));
        let (tx, rx) = oneshot::channel::<()>();
        tokio::spawn(async move {
            let shutdown = async {
                let _ = rx.await;
            };
            let _ = axum::serve(listener, app).with_graceful_shutdown(shutdown).await;
        });
        Ok(Server { shared, addr, shutdown: Some(tx) })
    }
}

/// A running server. It serves on a tokio task and shuts down gracefully when dropped.
#[derive(Debug)]
pub struct Server {
    shared: Arc<Shared>,
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
}

impl Server {
    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The address listened on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The first service of type `S`, if one was added.
    pub fn service<S: Service>(&self) -> Option<&S> {
        self.shared.services.iter().find_map(|r| r.any.downcast_ref::<S>())
    }

    /// Every request received so far (since the last [`clear_requests`](Self::clear_requests)),
    /// in arrival order. A request whose response is still being prepared is included with
    /// `status: None` and `finished: None`.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        lock(&self.shared.log).snapshot()
    }

    /// Empties the request log (sequence numbers keep counting).
    pub fn clear_requests(&self) {
        lock(&self.shared.log).clear();
    }

    /// Adds a fault. Faults are tried in injection order; the first one matching a request is
    /// applied (and one of its [`times`](Fault::times) used up), the others are not.
    pub fn inject(&self, fault: Fault) {
        lock(&self.shared.faults).inject(fault);
    }

    /// Removes every injected fault.
    pub fn clear_faults(&self) {
        lock(&self.shared.faults).clear();
    }

    /// Every contract violation found so far, as `"<METHOD> <path> <status>: <JSON path>:
    /// <problem>"`, e.g. `"GET /api/users 200: $.data[0].x: undocumented property"`.
    pub fn contract_violations(&self) -> Vec<String> {
        self.shared.violations.all()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Installs rustls' *ring* provider as the process default, unless one is installed. The
/// workspace builds reqwest with rustls and no built-in provider (see the runtime's `tls`
/// module), so a test that builds its own `reqwest::Client` next to a sandbox would panic
/// without one; the sandbox is test infrastructure, so it makes sure one is there.
fn install_tls_provider() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        if rustls::crypto::CryptoProvider::get_default().is_none() {
            let _ = rustls::crypto::ring::default_provider().install_default();
        }
    });
}
