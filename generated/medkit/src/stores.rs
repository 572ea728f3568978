//! The state and config stores, typed by the caller: any `T: Serialize` goes in, any
//! `T: DeserializeOwned` comes out (`serde_json::Value` when the shape is open).

use serde::Serialize;
use serde::de::DeserializeOwned;
use streamkit_runtime::Error;

use crate::Patch;
use crate::medkit::{self, types};

/// One of MEDKit's JSON object stores.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Store {
    /// `extension_state`: extension-wide (write: admin, backend).
    Extension,
    /// `channel_state`: the JWT's channel (write: broadcaster, admin, backend).
    Channel,
    /// `viewer_state`: the caller's own, per channel.
    Viewer,
    /// `extension_viewer_state`: the caller's own, across channels (no PATCH for one
    /// viewer; admins patch many with `patch_extension_viewer_states`).
    ExtensionViewer,
    /// `extension_hidden_state`: extension-wide, admin and backend only.
    ExtensionHidden,
    /// `config/extension`: extension-wide configuration.
    ExtensionConfig,
    /// `config/channel`: the JWT's channel's configuration.
    ChannelConfig,
}

fn invalid(message: String) -> Error {
    Error::InvalidRequest { operation: None, message }
}

fn to_object<T: Serialize>(value: &T) -> Result<types::JsonObject, Error> {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::Object(m)) => Ok(types::JsonObject(m)),
        Ok(other) => Err(invalid(format!("a MEDKit store holds a JSON object, not `{other}`"))),
        Err(e) => Err(invalid(format!("cannot serialize the store's value: {e}"))),
    }
}

fn from_object<T: DeserializeOwned>(store: Store, object: types::JsonObject) -> Result<T, Error> {
    serde_json::from_value(serde_json::Value::Object(object.0)).map_err(|e| Error::InvalidRequest {
        operation: None,
        message: format!("the {store:?} store does not hold the requested type: {e}"),
    })
}

/// Typed access to the stores, on the generated client.
pub trait Stores {
    /// Reads a store as `T`.
    fn get_store<T: DeserializeOwned>(&self, store: Store) -> impl Future<Output = Result<T, Error>> + Send;
    /// Replaces a store with `value` (which must serialize to a JSON object).
    fn set_store<T: Serialize + Sync>(&self, store: Store, value: &T)
    -> impl Future<Output = Result<(), Error>> + Send;
    /// Patches a store (not [`Store::ExtensionViewer`]).
    fn patch_store(&self, store: Store, patch: Patch) -> impl Future<Output = Result<(), Error>> + Send;
}

impl Stores for medkit::Client {
    async fn get_store<T: DeserializeOwned>(&self, store: Store) -> Result<T, Error> {
        let object = match store {
            Store::Extension => self.get_extension_state().send().await?,
            Store::Channel => self.get_channel_state().send().await?,
            Store::Viewer => self.get_viewer_state().send().await?,
            Store::ExtensionViewer => self.get_extension_viewer_state().send().await?,
            Store::ExtensionHidden => self.get_extension_hidden_state().send().await?,
            Store::ExtensionConfig => self.get_extension_config().send().await?,
            Store::ChannelConfig => self.get_channel_config().send().await?,
        }
        .into_inner();
        from_object(store, object)
    }

    async fn set_store<T: Serialize + Sync>(&self, store: Store, value: &T) -> Result<(), Error> {
        let body = to_object(value)?;
        match store {
            Store::Extension => self.set_extension_state().body(body).send().await?,
            Store::Channel => self.set_channel_state().body(body).send().await?,
            Store::Viewer => self.set_viewer_state().body(body).send().await?,
            Store::ExtensionViewer => self.set_extension_viewer_state().body(body).send().await?,
            Store::ExtensionHidden => self.set_extension_hidden_state().body(body).send().await?,
            Store::ExtensionConfig => self.set_extension_config().body(body).send().await?,
            Store::ChannelConfig => self.set_channel_config().body(body).send().await?,
        };
        Ok(())
    }

    async fn patch_store(&self, store: Store, patch: Patch) -> Result<(), Error> {
        let body = patch.to_wire()?;
        match store {
            Store::Extension => self.patch_extension_state().body(body).send().await?,
            Store::Channel => self.patch_channel_state().body(body).send().await?,
            Store::Viewer => self.patch_viewer_state().body(body).send().await?,
            Store::ExtensionViewer => {
                return Err(invalid(
                    "extension_viewer_state has no single-viewer PATCH; use patch_extension_viewer_states (admin) or set_store".into(),
                ));
            }
            Store::ExtensionHidden => self.patch_extension_hidden_state().body(body).send().await?,
            Store::ExtensionConfig => self.patch_extension_config().body(body).send().await?,
            Store::ChannelConfig => self.patch_channel_config().body(body).send().await?,
        };
        Ok(())
    }
}
