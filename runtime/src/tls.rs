//! The TLS crypto provider. reqwest's `rustls-no-provider` needs one installed before a
//! client is built (it panics otherwise); with the `rustls` feature we install *ring*'s,
//! unless the application installed its own first (then that one stays).

/// Installs ring as rustls' process-wide default provider, once; a no-op without `rustls`.
pub(crate) fn install_provider() {
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
        super::install_provider();
        assert!(rustls::crypto::CryptoProvider::get_default().is_some());
        assert!(reqwest::Client::builder().build().is_ok());
    }
}
