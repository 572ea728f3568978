//! What ties a generated client to the runtime: the policy table, the `ClientHooks` impl
//! and the constructors.

use proc_macro2::TokenStream;
use quote::quote;

use super::names;
use crate::extensions::{BucketScope, ClassifyAs, ClassifyWhen, ResetUnit, RetryDefaults};
use crate::plan::ServicePlan;

/// The policy table: one `OperationPolicy` per operation, sorted by progenitor's name.
pub fn policy_table(plan: &ServicePlan) -> TokenStream {
    let service = &plan.service.module;
    let base = &plan.service.base_url;
    let buckets = plan.buckets.iter().map(|(name, b)| {
        let (points, per) = (b.points, b.per_seconds);
        let per_user = b.scope == BucketScope::ClientAndUser;
        let opt = |s: &Option<String>| match s {
            Some(s) => quote!(Some(#s)),
            None => quote!(None),
        };
        let (l, r, s) = (opt(&b.headers.limit), opt(&b.headers.remaining), opt(&b.headers.reset));
        // Without a reset header the unit is never read; the runtime's default stands in.
        let unit = match b.headers.reset_unit {
            Some(ResetUnit::EpochSeconds) => quote!(EpochSeconds),
            Some(ResetUnit::DeltaSeconds) | None => quote!(DeltaSeconds),
        };
        quote! {
            ::streamkit_runtime::policy::BucketSpec {
                name: #name, points: #points, per_seconds: #per, per_user: #per_user,
                limit_header: #l, remaining_header: #r, reset_header: #s,
                reset_unit: ::streamkit_runtime::policy::ResetUnit::#unit,
            }
        }
    });
    let mut ops: Vec<_> = plan.operations.iter().map(|o| (names::operation_method(&o.id), o)).collect();
    ops.sort_by(|a, b| a.0.cmp(&b.0));
    let ops = ops.iter().map(|(name, o)| {
        let method = &o.method;
        let path = &o.path;
        let idempotent = o.idempotent;
        let auth = o.auth.iter().map(|h| {
            let (n, v) = (&h.name, &h.value);
            quote!(::streamkit_runtime::policy::AuthHeader { name: #n, template: #v })
        });
        let rate = match &o.ratelimit {
            Some(r) => {
                let (b, c) = (&r.bucket, r.cost);
                quote!(Some(::streamkit_runtime::policy::RateCost { bucket: #b, cost: #c }))
            }
            None => quote!(None),
        };
        let page = match &o.pagination {
            Some(p) => {
                let style = p.style.as_str();
                // The position's parameter (a cursor, or the page number for `page`) and where
                // the next one is read: a body path, or the `Link` header for header styles.
                let cursor_param = p.position_param();
                let back = match &p.request.backward {
                    Some(b) => quote!(Some(#b)),
                    None => quote!(None),
                };
                let size = match &p.request.page_size {
                    Some(b) => quote!(Some(#b)),
                    None => quote!(None),
                };
                let items = &p.response.items;
                let cursor = p.response.cursor.as_deref().or(p.response.link.as_deref()).unwrap_or_default();
                quote!(Some(::streamkit_runtime::policy::PaginationSpec {
                    style: #style, cursor_param: #cursor_param, backward_param: #back,
                    page_size_param: #size, items: #items, cursor: #cursor,
                }))
            }
            None => quote!(None),
        };
        let classify = o.classify.iter().map(|c| {
            let status = c.status;
            let when = match c.when {
                ClassifyWhen::Always => quote!(Always),
                ClassifyWhen::PointsLeft => quote!(PointsLeft),
            };
            let outcome = match c.outcome {
                ClassifyAs::Final => quote!(Final),
                ClassifyAs::RateLimited => quote!(RateLimited),
            };
            quote!(::streamkit_runtime::policy::Classification {
                status: #status,
                when: ::streamkit_runtime::policy::ClassifyWhen::#when,
                outcome: ::streamkit_runtime::policy::ClassifyAs::#outcome,
            })
        });
        let invalid = o.invalid_credential.iter().map(|r| {
            let (status, field, equals) = (r.status, &r.body_field, &r.equals);
            quote!(::streamkit_runtime::policy::InvalidCredential { status: #status, body_field: #field, equals: &[#(#equals),*] })
        });
        quote! {
            ::streamkit_runtime::policy::OperationPolicy {
                operation_id: #name, method: #method, path: #path, auth: &[#(#auth),*], ratelimit: #rate,
                idempotent: #idempotent, pagination: #page, classify: &[#(#classify),*],
                invalid_credential: &[#(#invalid),*],
            }
        }
    });
    let retry = retry_defaults(&plan.retry);
    quote! {
        /// What the runtime needs to know about each operation (auth headers, rate-limit
        /// cost, whether it is safe to resend, paging), as the spec declares it.
        pub static POLICY: ::streamkit_runtime::policy::ServicePolicy = ::streamkit_runtime::policy::ServicePolicy {
            service: #service,
            default_base_url: #base,
            buckets: &[#(#buckets),*],
            operations: &[#(#ops),*],
            retry: #retry,
        };
    }
}

/// The document's retry rules; `None` for each one it leaves to the runtime.
fn retry_defaults(r: &RetryDefaults) -> TokenStream {
    fn opt<T: quote::ToTokens>(v: &Option<T>) -> TokenStream {
        match v {
            Some(v) => quote!(Some(#v)),
            None => quote!(None),
        }
    }
    let (a, b, c, d) = (
        opt(&r.rate_limited_retries),
        opt(&r.max_rate_limit_wait_seconds),
        opt(&r.default_rate_limit_wait_ms),
        opt(&r.retry_503_once),
    );
    let (e, f, g) = (opt(&r.connection_retries), opt(&r.base_backoff_ms), opt(&r.refresh_on_401));
    quote! {
        ::streamkit_runtime::policy::RetryDefaults {
            rate_limited_retries: #a, max_rate_limit_wait_seconds: #b, default_rate_limit_wait_ms: #c,
            retry_503_once: #d, connection_retries: #e, base_backoff_ms: #f, refresh_on_401: #g,
        }
    }
}

/// The `ClientHooks` impl (it must live beside `Client`: orphan rule) and constructors.
pub fn client_glue(plan: &ServicePlan) -> TokenStream {
    let base = &plan.service.base_url;
    quote! {
        impl ClientHooks<::streamkit_runtime::Runtime> for Client {
            async fn pre<E>(&self, request: &mut ::reqwest::Request, info: &OperationInfo) -> ::std::result::Result<(), Error<E>> {
                ::streamkit_runtime::hooks::pre(&self.inner, request, info).await.map_err(Error::Custom)
            }

            async fn exec(&self, request: ::reqwest::Request, info: &OperationInfo) -> ::reqwest::Result<::reqwest::Response> {
                ::streamkit_runtime::hooks::exec(&self.inner, &self.client, request, info).await
            }
        }

        impl ::streamkit_runtime::FromRuntime for Client {
            fn policy() -> &'static ::streamkit_runtime::policy::ServicePolicy {
                &POLICY
            }

            fn from_parts(base_url: &str, http: ::reqwest::Client, runtime: ::streamkit_runtime::Runtime) -> Self {
                Self::new_with_client(base_url, http, runtime)
            }
        }

        impl Client {
            /// The production base URL, from the spec.
            pub const DEFAULT_BASE_URL: &'static str = #base;

            /// A builder for this client: base URL, client id, token, user agent, timeout.
            pub fn builder() -> ::streamkit_runtime::ClientBuilder<Self> {
                ::streamkit_runtime::ClientBuilder::new()
            }

            /// The same client acting with another access token (e.g. one user's token):
            /// connection pool, rate-limit state and settings are shared.
            pub fn with_access_token(&self, token: impl ::std::convert::Into<::streamkit_runtime::Secret>) -> Self {
                // The parsed base URL is cloned, not parsed again.
                Self {
                    baseurl: self.baseurl.clone(),
                    base_url: self.base_url.clone(),
                    client: self.client.clone(),
                    inner: self.inner.with_access_token(token.into()),
                }
            }

            /// The runtime state: credentials, policy, last rate-limit figures.
            pub fn runtime(&self) -> &::streamkit_runtime::Runtime {
                &self.inner
            }
        }
    }
}
