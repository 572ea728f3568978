//! Where the client sends requests: Muxy's two environments, or any base URL.

use streamkit_runtime::ClientBuilder;

use crate::medkit;

/// A MEDKit environment. Production and sandbox are separate: they share no data, and a
/// sandbox token is refused by production.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Environment {
    /// `https://api.muxy.io/v1/e`: the only one a released extension works with.
    Production,
    /// `https://sandbox.api.muxy.io/v1/e`: relaxed authentication, data wiped regularly.
    Sandbox,
    /// Any base URL ending in `/v1/e`, e.g. the local sandbox (`streamkit-sandbox`).
    Custom(String),
}

impl Environment {
    /// The production base URL.
    pub const PRODUCTION_URL: &'static str = "https://api.muxy.io/v1/e";
    /// The sandbox base URL.
    pub const SANDBOX_URL: &'static str = "https://sandbox.api.muxy.io/v1/e";

    /// The base URL.
    ///
    /// ```
    /// use streamkit_medkit::Environment;
    /// assert_eq!(Environment::Sandbox.base_url(), "https://sandbox.api.muxy.io/v1/e");
    /// assert_eq!(Environment::Custom("http://127.0.0.1:8080/v1/e".into()).base_url(), "http://127.0.0.1:8080/v1/e");
    /// ```
    pub fn base_url(&self) -> &str {
        match self {
            Environment::Production => Self::PRODUCTION_URL,
            Environment::Sandbox => Self::SANDBOX_URL,
            Environment::Custom(url) => url,
        }
    }
}

/// Picks an [`Environment`] on a client builder in one call.
pub trait EnvironmentExt {
    /// Sends requests to `env`.
    fn environment(self, env: Environment) -> Self;
}

impl EnvironmentExt for ClientBuilder<medkit::Client> {
    fn environment(self, env: Environment) -> Self {
        self.base_url(env.base_url())
    }
}
