//! Rendering `x-streamkit-header` templates into header values.

use reqwest::header::{HeaderName, HeaderValue};

use crate::Secret;
use crate::error::Error;
use crate::identity::Identities;
use crate::policy::AuthHeader;

/// Makes a header value, refusing CR, LF and other control characters (header injection).
///
/// ```
/// use streamkit_runtime::auth::header_value;
/// assert!(header_value("Client-Id", "abc", false).is_ok());
/// let err = header_value("Client-Id", "abc\r\nX-Evil: 1", false).unwrap_err();
/// assert!(err.to_string().contains("Client-Id"));
/// ```
pub fn header_value(name: &str, value: &str, sensitive: bool) -> Result<HeaderValue, Error> {
    if let Some(bad) = value.chars().find(|c| c.is_control() && *c != '\t') {
        return Err(Error::invalid_request(format!(
            "header `{name}` contains a forbidden control character (U+{:04X}); CR and LF are never allowed in header values",
            bad as u32
        )));
    }
    let mut v = HeaderValue::from_str(value)
        .map_err(|_| Error::invalid_request(format!("header `{name}` has a value that is not valid in HTTP")))?;
    v.set_sensitive(sensitive);
    Ok(v)
}

/// One credential's value for one request.
#[derive(Clone, Debug)]
pub struct ResolvedCredential {
    /// The credential name (`{name}` in templates).
    pub name: String,
    /// Its value.
    pub value: Secret,
    /// Whether headers carrying it are sensitive.
    pub secret: bool,
}

/// The credential names in a template, in order. Codegen and lint have refused malformed
/// templates already; an unclosed brace here is left as text.
///
/// ```
/// assert_eq!(streamkit_runtime::auth::template_credentials("{client_id} {jwt}"), ["client_id", "jwt"]);
/// ```
pub fn template_credentials(template: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else { break };
        out.push(&rest[start + 1..start + len]);
        rest = &rest[start + len + 1..];
    }
    out
}

/// Asks the identity providers for every credential the templates name; fails naming a
/// credential no provider is registered for.
pub async fn resolve_auth_headers(
    operation_id: &str,
    templates: &[AuthHeader],
    identities: &Identities,
) -> Result<Vec<ResolvedCredential>, Error> {
    let mut out: Vec<ResolvedCredential> = Vec::new();
    for name in templates.iter().flat_map(|t| template_credentials(t.template)) {
        if out.iter().any(|r| r.name == name) {
            continue;
        }
        let provider = identities.get(name).ok_or_else(|| missing(operation_id, name))?;
        let value = provider.resolve().await?;
        out.push(ResolvedCredential { name: name.to_string(), value, secret: provider.is_secret() });
    }
    Ok(out)
}

/// Fills each template with the resolved credentials; fails naming a missing credential.
pub fn render_auth_headers(
    operation_id: &str,
    templates: &[AuthHeader],
    credentials: &[ResolvedCredential],
) -> Result<Vec<(HeaderName, HeaderValue)>, Error> {
    let mut out = Vec::with_capacity(templates.len());
    for t in templates {
        let mut value = String::with_capacity(t.template.len() + 64);
        let mut sensitive = false;
        let mut rest = t.template;
        while let Some(start) = rest.find('{') {
            value.push_str(&rest[..start]);
            let Some(len) = rest[start..].find('}') else { break };
            let key = &rest[start + 1..start + len];
            let c = credentials.iter().find(|c| c.name == key).ok_or_else(|| missing(operation_id, key))?;
            sensitive |= c.secret;
            value.push_str(c.value.expose());
            rest = &rest[start + len + 1..];
        }
        value.push_str(rest);
        let name = HeaderName::from_bytes(t.name.as_bytes())
            .map_err(|_| Error::config(format!("operation {operation_id}: bad header name `{}`", t.name)))?;
        out.push((name, header_value(t.name, &value, sensitive)?));
    }
    Ok(out)
}

fn missing(operation_id: &str, name: &str) -> Error {
    Error::auth(format!(
        "operation {operation_id} needs the credential `{name}` ({}), and the client has none configured",
        name.replace('_', " ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    use crate::identity::StaticIdentity;

    static CLIENT_AND_JWT: &[AuthHeader] = &[AuthHeader { name: "Authorization", template: "{client_id} {jwt}" }];

    fn identities(jwt: Option<&str>) -> Identities {
        let mut ids = Identities::default();
        ids.insert("client_id", Arc::new(StaticIdentity::public("cid")));
        if let Some(j) = jwt {
            ids.insert("jwt", Arc::new(StaticIdentity::secret(j)));
        }
        ids
    }

    #[tokio::test]
    async fn templates_fill_credentials_and_mark_secrets_sensitive() {
        let creds = resolve_auth_headers("op", CLIENT_AND_JWT, &identities(Some("eyJ.jwt.sig"))).await.unwrap();
        let h = render_auth_headers("op", CLIENT_AND_JWT, &creds).unwrap();
        assert_eq!(h[0].0, "authorization");
        assert_eq!(h[0].1.to_str().unwrap(), "cid eyJ.jwt.sig");
        assert!(h[0].1.is_sensitive(), "a header carrying a secret is marked sensitive");
        let e = resolve_auth_headers("op", CLIENT_AND_JWT, &identities(None)).await.unwrap_err();
        assert!(e.to_string().contains("op needs the credential `jwt`"), "{e}");
        let bad = resolve_auth_headers("op", CLIENT_AND_JWT, &identities(Some("a\r\nb"))).await.unwrap();
        assert!(render_auth_headers("op", CLIENT_AND_JWT, &bad).is_err());
    }

    #[tokio::test]
    async fn any_credential_name_resolves_through_its_provider() {
        static CUSTOM: &[AuthHeader] = &[AuthHeader { name: "X-Api-Key", template: "{api_key}" }];
        let mut ids = Identities::default();
        ids.insert("api_key", Arc::new(StaticIdentity::secret("k-1")));
        let creds = resolve_auth_headers("op", CUSTOM, &ids).await.unwrap();
        let h = render_auth_headers("op", CUSTOM, &creds).unwrap();
        assert_eq!(h[0].1.to_str().unwrap(), "k-1");
        let public =
            resolve_auth_headers("op", &[AuthHeader { name: "Client-Id", template: "{client_id}" }], &identities(None))
                .await
                .unwrap();
        assert!(
            !render_auth_headers("op", &[AuthHeader { name: "Client-Id", template: "{client_id}" }], &public).unwrap()
                [0]
            .1
            .is_sensitive()
        );
    }
}
