//! Rendering `x-streamkit-header` templates into header values.

use reqwest::header::{HeaderName, HeaderValue};

use crate::error::Error;
use crate::policy::AuthHeader;
use crate::Secret;

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
    let mut v = HeaderValue::from_str(value).map_err(|_| {
        Error::invalid_request(format!("header `{name}` has a value that is not valid in HTTP"))
    })?;
    v.set_sensitive(sensitive);
    Ok(v)
}

/// Fills each template with the credentials; fails naming the missing credential.
pub fn render_auth_headers(
    operation_id: &str,
    templates: &[AuthHeader],
    client_id: Option<&str>,
    access_token: Option<&Secret>,
    jwt: Option<&Secret>,
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
            let filled = match key {
                "client_id" => client_id.ok_or_else(|| missing(operation_id, "a client id"))?,
                "access_token" => {
                    sensitive = true;
                    access_token.ok_or_else(|| missing(operation_id, "an access token"))?.expose()
                }
                "jwt" => {
                    sensitive = true;
                    jwt.ok_or_else(|| missing(operation_id, "a JWT"))?.expose()
                }
                other => {
                    return Err(Error::config(format!(
                        "operation {operation_id}: unknown credential `{{{other}}}` in auth header template"
                    )));
                }
            };
            value.push_str(filled);
            rest = &rest[start + len + 1..];
        }
        value.push_str(rest);
        let name = HeaderName::from_bytes(t.name.as_bytes())
            .map_err(|_| Error::config(format!("operation {operation_id}: bad header name `{}`", t.name)))?;
        out.push((name, header_value(t.name, &value, sensitive)?));
    }
    Ok(out)
}

fn missing(operation_id: &str, what: &str) -> Error {
    Error::auth(format!("operation {operation_id} needs {what}, and the client has none configured"))
}

#[cfg(test)]
mod tests {
    use super::*;

    static MEDKIT: &[AuthHeader] = &[AuthHeader { name: "Authorization", template: "{client_id} {jwt}" }];

    #[test]
    fn templates_fill_credentials_and_mark_secrets_sensitive() {
        let jwt = Secret::new("eyJ.jwt.sig");
        let h = render_auth_headers("op", MEDKIT, Some("cid"), None, Some(&jwt)).unwrap();
        assert_eq!(h[0].0, "authorization");
        assert_eq!(h[0].1.to_str().unwrap(), "cid eyJ.jwt.sig");
        assert!(h[0].1.is_sensitive(), "a header carrying a secret is marked sensitive");
        let e = render_auth_headers("op", MEDKIT, Some("cid"), None, None).unwrap_err();
        assert!(e.to_string().contains("op needs a JWT"), "{e}");
        let bad = Secret::new("a\r\nb");
        assert!(render_auth_headers("op", MEDKIT, Some("cid"), None, Some(&bad)).is_err());
    }
}
