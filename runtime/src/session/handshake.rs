//! [`Handshake`]: what every connection's opening request carries — headers (secret ones
//! never shown), query parameters and subprotocols.

use std::fmt;

use http::{HeaderName, HeaderValue};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::handshake::client::Request;

use crate::{Error, Secret};

/// A header value, plain or secret.
#[derive(Clone)]
enum Value {
    Plain(String),
    Secret(Secret),
}

/// The request every connection opens with. Secret header values print as `[redacted]`.
#[derive(Clone, Default)]
pub(crate) struct Handshake {
    headers: Vec<(String, Value)>,
    query: Vec<(String, String)>,
    subprotocols: Vec<String>,
}

impl fmt::Debug for Handshake {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let headers: Vec<(&str, &str)> = self
            .headers
            .iter()
            .map(|(n, v)| match v {
                Value::Plain(v) => (n.as_str(), v.as_str()),
                Value::Secret(_) => (n.as_str(), "[redacted]"),
            })
            .collect();
        f.debug_struct("Handshake")
            .field("headers", &headers)
            .field("query", &self.query.iter().map(|(k, _)| k).collect::<Vec<_>>())
            .field("subprotocols", &self.subprotocols)
            .finish()
    }
}

impl Handshake {
    pub(crate) fn header(&mut self, name: &str, value: &str) {
        self.headers.push((name.to_owned(), Value::Plain(value.to_owned())));
    }

    pub(crate) fn secret_header(&mut self, name: &str, value: Secret) {
        self.headers.push((name.to_owned(), Value::Secret(value)));
    }

    pub(crate) fn query(&mut self, key: &str, value: &str) {
        self.query.push((key.to_owned(), value.to_owned()));
    }

    pub(crate) fn subprotocol(&mut self, protocol: &str) {
        self.subprotocols.push(protocol.to_owned());
    }

    /// The opening request for `url`. Errors name the header, never its value.
    pub(crate) fn request(&self, url: &str) -> Result<Request, Error> {
        let mut url = url.to_owned();
        if !self.query.is_empty() {
            let query = serde_urlencoded::to_string(&self.query)
                .map_err(|e| Error::config(format!("session query parameters: {e}")))?;
            url.push(if url.contains('?') { '&' } else { '?' });
            url.push_str(&query);
        }
        let mut request = url
            .as_str()
            .into_client_request()
            .map_err(|e| Error::config(format!("session endpoint {}: {e}", shown_url(&url))))?;
        let headers = request.headers_mut();
        for (name, value) in &self.headers {
            let header = HeaderName::from_bytes(name.as_bytes())
                .map_err(|_| Error::config(format!("session header name {name:?} is not valid")))?;
            let (value, secret) = match value {
                Value::Plain(v) => (HeaderValue::from_str(v), false),
                Value::Secret(s) => (HeaderValue::from_str(s.expose()), true),
            };
            let mut value = value.map_err(|_| {
                Error::config(format!("session header {name}: value has characters a header cannot carry"))
            })?;
            value.set_sensitive(secret);
            headers.append(header, value);
        }
        if !self.subprotocols.is_empty() {
            let list = self.subprotocols.join(", ");
            let value = HeaderValue::from_str(&list)
                .map_err(|_| Error::config("session subprotocols: not valid in a header"))?;
            headers.insert(http::header::SEC_WEBSOCKET_PROTOCOL, value);
        }
        Ok(request)
    }
}

/// A URL for logs and errors: scheme, host and path, without the query (it may carry tokens).
pub(crate) fn shown_url(url: &str) -> &str {
    url.split(['?', '#']).next().unwrap_or(url)
}
