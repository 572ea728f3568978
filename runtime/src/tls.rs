//! The TLS crypto provider. With the `rustls` feature, reqwest is built with
//! `rustls-no-provider` and the *ring* provider (it builds with a C compiler alone; reqwest's
//! default, aws-lc-rs, costs more to build). reqwest then needs a process-wide default
//! provider before any `reqwest::Client` is built, and panics without one.
//!
//! Every streamkit client builder installs it. An app that builds its own `reqwest::Client`
//! before any streamkit client (e.g. for [`ClientBuilder::http_client`](crate::ClientBuilder::http_client))
//! calls [`install_default_provider`] first, or turns the client crate's default features
//! off and picks reqwest's TLS features itself.

/// Installs ring as rustls' process-wide default crypto provider, unless one is installed
/// already (an app's own choice stays). Cheap after the first call; a no-op without the
/// `rustls` feature.
///
/// ```
/// streamkit_runtime::tls::install_default_provider();
/// let http = reqwest::Client::builder().build().unwrap();
/// # drop(http);
/// ```
pub fn install_default_provider() {
    #[cfg(feature = "rustls")]
    {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            if rustls::crypto::CryptoProvider::get_default().is_none() {
                // Err means another thread installed one in between: theirs is as good.
                let _ = rustls::crypto::ring::default_provider().install_default();
            }
        });
    }
}

#[cfg(all(test, feature = "rustls"))]
mod tests {
    #[test]
    fn a_provider_is_installed_and_an_https_client_builds() {
        super::install_default_provider();
        assert!(rustls::crypto::CryptoProvider::get_default().is_some());
        assert!(reqwest::Client::builder().build().is_ok());
    }
}
