//! A credential bound to a client id (a token cache whose source knows it) decides the
//! client id: given once, not twice, and a different one is refused at build time instead of
//! surfacing as a 401 on the first call.

use std::sync::Arc;

use super::{CLIENT_ID, Identities, StaticIdentity};
use crate::error::Error;

/// Registers the client id the credentials are bound to when none was given; fails when one
/// was given and differs, or when two credentials are bound to different ones.
pub(crate) fn bind_client_id(identities: &mut Identities) -> Result<(), Error> {
    let mut bound: Option<(String, String)> = None;
    for (name, provider) in identities.iter() {
        let Some(id) = provider.client_id() else { continue };
        match &bound {
            Some((other, first)) if *first != id => {
                return Err(Error::config(format!(
                    "credentials `{other}` and `{name}` belong to different client ids (`{first}` and `{id}`)"
                )));
            }
            _ => bound = Some((name.to_string(), id)),
        }
    }
    let Some((name, id)) = bound else { return Ok(()) };
    match identities.get(CLIENT_ID).and_then(|p| p.current()) {
        None => identities.insert(CLIENT_ID, Arc::new(StaticIdentity::public(id))),
        Some(given) if given.expose() == id => {}
        Some(given) => {
            return Err(Error::config(format!(
                "the client id given (`{}`) is not the one the `{name}` token cache gets tokens for (`{id}`); \
                 leave `.client_id()` out: a client built from a token cache takes its client id from it",
                given.expose()
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Secret;
    use crate::auth::{AccessToken, TokenCache, TokenFuture, TokenSource};
    use crate::identity::{ACCESS_TOKEN, ManagedToken};

    struct For(&'static str);
    impl TokenSource for For {
        fn fetch(&self, _: Option<&Secret>) -> TokenFuture<'_> {
            Box::pin(async { Ok(AccessToken { token: Secret::new("t"), expires_in: None }) })
        }
        fn client_id(&self) -> Option<&str> {
            Some(self.0)
        }
    }

    fn with_cache(client_id: Option<&str>) -> Identities {
        let mut ids = Identities::default();
        ids.insert(ACCESS_TOKEN, Arc::new(ManagedToken(TokenCache::new(For("app-1"), std::time::Duration::ZERO))));
        if let Some(c) = client_id {
            ids.insert(CLIENT_ID, Arc::new(StaticIdentity::public(c)));
        }
        ids
    }

    #[test]
    fn the_cache_supplies_the_client_id_and_a_different_one_is_refused() {
        let mut ids = with_cache(None);
        bind_client_id(&mut ids).unwrap();
        assert_eq!(ids.client_id().unwrap().expose(), "app-1");
        let mut same = with_cache(Some("app-1"));
        assert!(bind_client_id(&mut same).is_ok());
        let e = bind_client_id(&mut with_cache(Some("app-2"))).unwrap_err();
        assert!(e.to_string().contains("`app-2`") && e.to_string().contains("`app-1`"), "{e}");
        // Nothing bound: nothing changes.
        let mut none = Identities::default();
        bind_client_id(&mut none).unwrap();
        assert!(none.client_id().is_none());
    }
}
