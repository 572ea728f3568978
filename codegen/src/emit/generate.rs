//! Running progenitor on the adapted document, with panics turned into errors.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Mutex;

use proc_macro2::TokenStream;
use progenitor::{GenerationSettings, Generator, InterfaceStyle, TagStyle, TypeImpl};

use crate::adapt::SECRET_SCHEMA;

/// The last panic's message and location, captured by our silent hook.
static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);

/// Generates client tokens from the adapted document. A progenitor panic becomes an `Err`
/// with its message; nothing reaches stderr.
pub fn generate(spec: &openapiv3::OpenAPI) -> Result<TokenStream, String> {
    let mut settings = GenerationSettings::default();
    settings
        .with_interface(InterfaceStyle::Builder)
        .with_tag(TagStyle::Merged)
        .with_inner_type(quote::quote!(::streamkit_runtime::Runtime))
        .with_hooks(progenitor::HooksMode::Expected)
        .with_map_type("::std::collections::BTreeMap")
        .with_replacement(
            SECRET_SCHEMA,
            "::streamkit_runtime::Secret",
            [TypeImpl::Display, TypeImpl::FromStr].into_iter(),
        );
    silently(|| {
        let mut generator = Generator::new(&settings);
        generator.generate_tokens(spec).map_err(|e| e.to_string())
    })
}

/// Runs `f` with a panic hook that records instead of printing, and restores the old hook.
pub fn silently<T>(f: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(|info| {
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".into());
        let at = info.location().map(|l| format!(" ({}:{})", l.file(), l.line())).unwrap_or_default();
        *LAST_PANIC.lock().unwrap_or_else(|p| p.into_inner()) = Some(format!("{msg}{at}"));
    }));
    let result = catch_unwind(AssertUnwindSafe(f));
    std::panic::set_hook(previous);
    match result {
        Ok(r) => r,
        Err(_) => {
            let msg = LAST_PANIC.lock().unwrap_or_else(|p| p.into_inner()).take().unwrap_or_default();
            Err(format!("the generator failed on a shape it does not support: {msg}"))
        }
    }
}
