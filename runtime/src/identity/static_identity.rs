//! A credential with a fixed value.

use super::{IdentityFuture, IdentityProvider};
use crate::Secret;

/// A fixed value: a client id (public) or a token its owner refreshes (secret).
///
/// ```
/// use streamkit_runtime::identity::{IdentityProvider, StaticIdentity};
/// # #[tokio::main(flavor = "current_thread")] async fn main() {
/// let id = StaticIdentity::public("my-client-id");
/// assert_eq!(id.resolve().await.unwrap().expose(), "my-client-id");
/// assert!(!id.is_secret() && !id.refreshable());
/// assert!(StaticIdentity::secret("tok").is_secret());
/// # }
/// ```
#[derive(Clone)]
pub struct StaticIdentity {
    value: Secret,
    secret: bool,
}

impl StaticIdentity {
    /// A secret value (a token, a key): sent in sensitive headers, redacted everywhere.
    pub fn secret(value: impl Into<Secret>) -> Self {
        StaticIdentity { value: value.into(), secret: true }
    }

    /// A value that is not a secret (a client id): shown in `Debug`, headers not sensitive.
    pub fn public(value: impl Into<String>) -> Self {
        StaticIdentity { value: Secret::new(value.into()), secret: false }
    }
}

impl std::fmt::Debug for StaticIdentity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.secret {
            f.write_str("StaticIdentity([redacted])")
        } else {
            write!(f, "StaticIdentity({:?})", self.value.expose())
        }
    }
}

impl IdentityProvider for StaticIdentity {
    fn resolve(&self) -> IdentityFuture<'_> {
        let v = self.value.clone();
        Box::pin(async move { Ok(v) })
    }

    fn current(&self) -> Option<Secret> {
        Some(self.value.clone())
    }

    fn is_secret(&self) -> bool {
        self.secret
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_static_identity_is_its_value_and_hides_secrets() {
        let s = StaticIdentity::secret("tok-123");
        assert_eq!(s.resolve().await.unwrap().expose(), "tok-123");
        assert_eq!(s.refresh_after_rejection(None).await.unwrap().expose(), "tok-123");
        assert!(!format!("{s:?}").contains("tok-123"));
        assert!(format!("{:?}", StaticIdentity::public("cid")).contains("cid"));
    }
}
