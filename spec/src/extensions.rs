//! The typed `x-streamkit-*` extensions (documented in `specs/README.md`) and their readers.
//! Where each key may appear, and the check of one occurrence, is in [`crate::vocabulary`].

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

mod pagination;
pub use pagination::{PageRequest, PageResponse, PageStyle, Pagination};

/// `x-streamkit-service` (document level).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Service {
    /// The crate under `generated/`.
    #[serde(rename = "crate")]
    pub krate: String,
    /// The module (and `generated_<module>.rs`).
    pub module: String,
    /// Production base URL.
    pub base_url: String,
    /// What the service's ids are on the wire (default `string`, Twitch's opaque ids; Mixer's
    /// are `integer`). Lint's `string-ids` rule follows it.
    #[serde(default)]
    pub ids: IdKind,
}

/// `x-streamkit-service.ids`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum IdKind {
    /// Opaque strings: an `id`, `*_id` or `*_ids` property or parameter must be a string.
    #[default]
    String,
    /// Integers: the rule does not apply.
    Integer,
}

/// One entry of `x-streamkit-ratelimit-buckets`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Bucket {
    /// Bucket size.
    pub points: u32,
    /// Seconds to fill.
    pub per_seconds: u32,
    /// `client` or `client-and-user`.
    pub scope: BucketScope,
    /// Header names.
    #[serde(default)]
    pub headers: BucketHeaders,
}

/// Whose bucket a call draws from.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum BucketScope {
    /// One bucket per client id.
    Client,
    /// One per client id and user (app tokens: per client id).
    ClientAndUser,
}

/// Rate-limit header names.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct BucketHeaders {
    /// Bucket size header.
    pub limit: Option<String>,
    /// Points left header.
    pub remaining: Option<String>,
    /// Reset header; its unit is [`BucketHeaders::reset_unit`].
    pub reset: Option<String>,
    /// What the reset header counts. Required when `reset` is declared: services disagree
    /// (Twitch sends an epoch second, the IETF RateLimit draft seconds from now).
    pub reset_unit: Option<ResetUnit>,
}

/// The unit of a bucket's reset header.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum ResetUnit {
    /// Unix epoch second at which the bucket is full again (Twitch).
    EpochSeconds,
    /// Seconds from now until the bucket is full again (the IETF RateLimit draft).
    DeltaSeconds,
}

impl ResetUnit {
    /// The name used in the spec.
    pub fn as_str(self) -> &'static str {
        match self {
            ResetUnit::EpochSeconds => "epoch-seconds",
            ResetUnit::DeltaSeconds => "delta-seconds",
        }
    }
}

impl Bucket {
    /// What serde cannot say: a reset header needs its unit, and a unit needs a header.
    ///
    /// ```
    /// use streamkit_spec::extensions::Bucket;
    /// let b: Bucket = serde_json::from_value(serde_json::json!({
    ///     "points": 10, "per-seconds": 1, "scope": "client", "headers": {"reset": "Reset"}
    /// })).unwrap();
    /// assert!(b.check("main").unwrap_err().contains("reset-unit"));
    /// ```
    pub fn check(&self, name: &str) -> Result<(), String> {
        match (&self.headers.reset, self.headers.reset_unit) {
            (Some(h), None) => Err(format!(
                "bucket `{name}` declares the reset header `{h}` but not its unit: add `reset-unit: epoch-seconds` or `reset-unit: delta-seconds` to its `headers`"
            )),
            (None, Some(u)) => {
                Err(format!("bucket `{name}` declares `reset-unit: {}` without a `reset` header", u.as_str()))
            }
            _ => Ok(()),
        }
    }
}

/// Checks every bucket (see [`Bucket::check`]).
pub fn check_buckets(buckets: &Buckets) -> Result<(), String> {
    buckets.iter().try_for_each(|(name, b)| b.check(name))
}

/// `x-streamkit-retry-defaults` (document level): the service's own retry rules. Every field
/// is optional; a missing one keeps the runtime's neutral default.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RetryDefaults {
    /// How many times a rate-limited answer is retried after waiting for the reset.
    pub rate_limited_retries: Option<u32>,
    /// Longest wait for a reset, in seconds; a longer one gives up at once.
    pub max_rate_limit_wait_seconds: Option<u32>,
    /// Wait after a rate-limited answer without reset or `Retry-After`, in milliseconds.
    pub default_rate_limit_wait_ms: Option<u32>,
    /// Retry a 503 once.
    pub retry_503_once: Option<bool>,
    /// How many times a connection failure is retried.
    pub connection_retries: Option<u32>,
    /// First connection-retry backoff in milliseconds (doubles each time, with jitter).
    pub base_backoff_ms: Option<u32>,
    /// Refresh a managed token once and retry after a 401.
    pub refresh_on_401: Option<bool>,
}

/// One entry of `x-streamkit-classify` (operation level): what a response with this status
/// means for this operation, when it does not mean what the status usually does.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Classification {
    /// HTTP status the rule applies to.
    pub status: u16,
    /// When it applies.
    #[serde(default)]
    pub when: ClassifyWhen,
    /// What the response then is.
    #[serde(rename = "as")]
    pub outcome: ClassifyAs,
}

/// When a [`Classification`] applies.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum ClassifyWhen {
    /// Always.
    #[default]
    Always,
    /// The operation's bucket says points are left (its `remaining` header is above 0).
    PointsLeft,
}

/// What a classified response is.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum ClassifyAs {
    /// The operation's own answer: handed to the caller, never retried.
    Final,
    /// The rate limit: wait for the reset and retry, like a 429.
    RateLimited,
}

impl ClassifyWhen {
    /// The name used in the spec.
    pub fn as_str(self) -> &'static str {
        match self {
            ClassifyWhen::Always => "always",
            ClassifyWhen::PointsLeft => "points-left",
        }
    }
}

impl ClassifyAs {
    /// The name used in the spec.
    pub fn as_str(self) -> &'static str {
        match self {
            ClassifyAs::Final => "final",
            ClassifyAs::RateLimited => "rate-limited",
        }
    }
}

/// Checks an operation's classifications: real statuses, one rule per status and condition.
pub fn check_classifications(rules: &[Classification]) -> Result<(), String> {
    for (i, r) in rules.iter().enumerate() {
        if !(100..=599).contains(&r.status) {
            return Err(format!("entry {i}: status {} is not an HTTP status (100-599)", r.status));
        }
        if rules[..i].iter().any(|p| p.status == r.status && p.when == r.when) {
            return Err(format!("entry {i}: status {} `when: {}` is classified twice", r.status, r.when.as_str()));
        }
    }
    Ok(())
}

/// `x-streamkit-ratelimit` (document default or operation).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RateLimit {
    /// Bucket name.
    pub bucket: String,
    /// Points per call.
    #[serde(default = "one")]
    pub cost: u32,
}

fn one() -> u32 {
    1
}

/// `x-streamkit-retry`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Retry {
    /// Safe to resend.
    pub idempotent: bool,
}

/// `x-streamkit-header` on a security scheme.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuthHeader {
    /// Header name.
    pub name: String,
    /// Value template.
    pub value: String,
}

/// `x-streamkit-invalid-credential` on a security scheme: which answers mean the credential
/// its header carries is itself invalid (expired, revoked, unknown), so a managed one is
/// refreshed and the request sent again. Any other answer with that status (a missing scope,
/// the wrong kind of token) is the caller's answer at once, without a refresh.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct InvalidCredential {
    /// The status of such an answer (usually 401).
    pub status: u16,
    /// Dotted path of the JSON body field that says why, e.g. `message`.
    pub body_field: String,
    /// The values of that field that mean "the credential is invalid" (compared ignoring
    /// ASCII case and surrounding whitespace).
    pub equals: Vec<String>,
}

impl InvalidCredential {
    /// What serde cannot say: a real status, a field, and at least one non-empty value.
    ///
    /// ```
    /// use streamkit_spec::extensions::InvalidCredential;
    /// let r = InvalidCredential { status: 401, body_field: "message".into(), equals: vec![] };
    /// assert!(r.check().unwrap_err().contains("equals"));
    /// ```
    pub fn check(&self) -> Result<(), String> {
        if !(100..=599).contains(&self.status) {
            return Err(format!("status {} is not an HTTP status (100-599)", self.status));
        }
        if self.body_field.is_empty() || self.body_field.split('.').any(str::is_empty) {
            return Err(format!(
                "`body-field: {}` must be a dotted path of field names, e.g. `message`",
                self.body_field
            ));
        }
        if self.equals.is_empty() || self.equals.iter().any(|m| m.trim().is_empty()) {
            return Err("`equals` must list at least one non-empty value, e.g. `['Invalid OAuth token']`".into());
        }
        Ok(())
    }
}

/// `x-streamkit-scopes` (document level): the OAuth scopes the service knows, each with what
/// it grants. Codegen turns them into a `Scope` enum.
pub type Scopes = BTreeMap<String, String>;

/// The Rust variant name of a scope: its words (split at anything not a letter or digit) in
/// UpperCamelCase.
///
/// ```
/// assert_eq!(streamkit_spec::extensions::scope_variant("user:write:chat"), "UserWriteChat");
/// assert_eq!(streamkit_spec::extensions::scope_variant("moderator:read:chat_settings"), "ModeratorReadChatSettings");
/// ```
pub fn scope_variant(scope: &str) -> String {
    scope
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut cs = w.chars();
            cs.next()
                .map(|c| c.to_ascii_uppercase().to_string() + &cs.as_str().to_ascii_lowercase())
                .unwrap_or_default()
        })
        .collect()
}

/// Checks a scope list: no blank or space-holding name (scopes travel space-separated), a
/// description for each, and no two scopes with the same variant name.
pub fn check_scopes(scopes: &Scopes) -> Result<(), String> {
    let mut seen: BTreeMap<String, &str> = BTreeMap::new();
    for (name, description) in scopes {
        if name.is_empty() || name.chars().any(char::is_whitespace) {
            return Err(format!("scope `{name}` is empty or holds whitespace (scopes are sent space-separated)"));
        }
        if description.trim().is_empty() {
            return Err(format!("scope `{name}` has no description (it becomes the variant's doc comment)"));
        }
        let variant = scope_variant(name);
        if !variant.starts_with(|c: char| c.is_ascii_alphabetic()) {
            return Err(format!("scope `{name}` gives the Rust name `{variant}`, which must start with a letter"));
        }
        if variant == "Other" {
            return Err(format!(
                "scope `{name}` gives the Rust name `Other`, reserved for scopes the spec does not list"
            ));
        }
        if let Some(first) = seen.insert(variant.clone(), name) {
            return Err(format!("scopes `{first}` and `{name}` give the same Rust name `{variant}`"));
        }
    }
    Ok(())
}

/// Credentials every runtime client can be given through a builder convenience
/// (`.client_id()`, `.access_token()`/`.token_cache()`, `.jwt()`). A template may name any
/// other credential too; the client then registers an identity provider under that name.
pub const CREDENTIALS: &[&str] = &["client_id", "access_token", "jwt"];

/// Whether `name` can be a credential name: a lower-case snake_case identifier.
fn is_credential_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

/// The credential names a header template uses, in order (see [`check_template`]).
///
/// ```
/// use streamkit_spec::extensions::template_credentials;
/// assert_eq!(template_credentials("{client_id} {jwt}").unwrap(), ["client_id", "jwt"]);
/// assert!(template_credentials("Bearer {access token}").is_err());
/// ```
pub fn template_credentials(template: &str) -> Result<Vec<&str>, String> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        let Some(len) = rest[start..].find('}') else {
            return Err(format!("unclosed `{{` in header template `{template}`"));
        };
        let key = &rest[start + 1..start + len];
        if !is_credential_name(key) {
            return Err(format!(
                "`{{{key}}}` in header template `{template}` is not a credential name: use lower-case snake_case, e.g. {}",
                CREDENTIALS.iter().map(|c| format!("`{{{c}}}`")).collect::<Vec<_>>().join(", ")
            ));
        }
        out.push(key);
        rest = &rest[start + len + 1..];
    }
    Ok(out)
}

/// Reads one extension at `value[key]`; `Ok(None)` when absent, `Err(message)` when malformed.
pub fn read<T: for<'de> Deserialize<'de>>(value: &Value, key: &str) -> Result<Option<T>, String> {
    match value.get(key) {
        None => Ok(None),
        Some(v) => serde_json::from_value(v.clone())
            .map(Some)
            .map_err(|e| format!("`{key}` is malformed: {e} (see specs/README.md)")),
    }
}

/// `x-streamkit-frames` (document level, AsyncAPI): which field of each frame holds what.
/// Either the frames of a call-and-reply socket ([`RpcFrames`]: `method`, `reply`, `event`,
/// optional `topic`) or the frames of a socket that only delivers, each kind of frame named
/// by one field of a common envelope ([`EnvelopeFrames`]: `envelope`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(try_from = "RawFrames")]
pub enum Frames {
    /// Method, reply and event frames (Mixer's sockets).
    Rpc(RpcFrames),
    /// Enveloped frames (EventSub's `{metadata, payload}`).
    Envelope(EnvelopeFrames),
}

/// `x-streamkit-frames` as written, before its shape is chosen.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFrames {
    #[serde(default)]
    method: Option<MethodFrame>,
    #[serde(default)]
    reply: Option<ReplyFrame>,
    #[serde(default)]
    event: Option<EventFrame>,
    #[serde(default)]
    topic: Option<TopicFrame>,
    #[serde(default)]
    envelope: Option<EnvelopeFrames>,
}

impl TryFrom<RawFrames> for Frames {
    type Error = String;

    fn try_from(raw: RawFrames) -> Result<Frames, String> {
        match raw {
            RawFrames { method: None, reply: None, event: None, topic: None, envelope: Some(e) } => {
                e.check()?;
                Ok(Frames::Envelope(e))
            }
            RawFrames { envelope: Some(_), .. } => {
                Err("`envelope` describes every frame: it does not go with `method`, `reply`, `event` or `topic`"
                    .into())
            }
            RawFrames { method: Some(method), reply: Some(reply), event: Some(event), topic, envelope: None } => {
                Ok(Frames::Rpc(RpcFrames { method, reply, event, topic }))
            }
            _ => Err("needs `method`, `reply` and `event` (a call-and-reply socket) or `envelope` alone".into()),
        }
    }
}

/// The frames of a call-and-reply socket. Codegen reads the method name and parameters,
/// reply result and event data from these fields of the message payloads (each payload is
/// a whole frame).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RpcFrames {
    /// A method frame (client to server).
    pub method: MethodFrame,
    /// A reply frame (server to client, answering one method frame).
    pub reply: ReplyFrame,
    /// An event frame (server to client, on its own).
    pub event: EventFrame,
    /// When one event carries many named events (Constellation's `live`): how.
    pub topic: Option<TopicFrame>,
}

/// `x-streamkit-frames.method`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MethodFrame {
    /// The field naming the method (`method`).
    pub name: String,
    /// The field holding the parameters (`arguments`: a positional array; `params`: a named
    /// object); whether they are positional is read from its schema (`type: array`).
    pub params: String,
    /// The field holding the call id (`id`).
    pub id: String,
}

/// `x-streamkit-frames.reply`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReplyFrame {
    /// The field holding the call id being answered.
    pub id: String,
    /// The field holding what a successful call returns (`data`, `result`).
    pub result: String,
    /// The field holding the error (`error`).
    pub error: String,
}

/// `x-streamkit-frames.event`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventFrame {
    /// The field naming the event (`event`).
    pub name: String,
    /// The field holding its data (`data`).
    pub data: String,
}

/// `x-streamkit-frames.topic`: events that ride inside one frame event. Each other channel
/// of the document (address = the topic's name, `{param}`s declared) is one of them.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopicFrame {
    /// The frame event that carries them (`live`).
    pub event: String,
    /// The field of that event's data naming the topic (`channel`).
    pub name: String,
    /// The field of that event's data holding the topic's payload (`payload`).
    pub payload: String,
}

/// `x-streamkit-frames.envelope`: every frame of the socket's channel is one envelope, and
/// the field at `kind` (a dotted path) names what it is: the `name` of one of the channel's
/// messages. One kind of frame carries an event, typed by the pair of fields `type` and
/// `version` name.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnvelopeFrames {
    /// The key of the channel whose messages are the frames (`websocket`).
    pub channel: String,
    /// Dotted path of the field naming a frame's kind (`metadata.message_type`).
    pub kind: String,
    /// The frames that carry an event.
    pub notification: NotificationFrame,
}

/// `x-streamkit-frames.envelope.notification`: which frame carries an event, what selects
/// the event's type and where its body is. The typed bodies are the messages of the other
/// channels whose payload fixes `body-type` and `body-version` with `const`s.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct NotificationFrame {
    /// The `kind` of these frames (`notification`).
    pub kind: String,
    /// Dotted path, in the frame, of the event's type (`metadata.subscription_type`, or
    /// `payload.subscription.type`).
    #[serde(rename = "type")]
    pub type_: String,
    /// Dotted path, in the frame, of the type's version (`metadata.subscription_version`).
    pub version: String,
    /// Dotted path, in the frame, of the typed body (`payload`).
    pub body: String,
    /// Dotted path, in the body, of the event (`event`).
    pub event: String,
    /// Dotted path, in a typed body, of the `const` naming its type (`subscription.type`).
    pub body_type: String,
    /// Dotted path, in a typed body, of the `const` naming its version (`subscription.version`).
    pub body_version: String,
}

impl EnvelopeFrames {
    /// Every path is a dotted path of plain names.
    pub fn check(&self) -> Result<(), String> {
        let n = &self.notification;
        for (key, path) in [
            ("kind", &self.kind),
            ("notification.type", &n.type_),
            ("notification.version", &n.version),
            ("notification.body", &n.body),
            ("notification.event", &n.event),
            ("notification.body-type", &n.body_type),
            ("notification.body-version", &n.body_version),
        ] {
            if path.is_empty() || path.split('.').any(str::is_empty) {
                return Err(format!(
                    "`envelope.{key}` must be a dotted path of field names, such as `metadata.type` (got `{path}`)"
                ));
            }
        }
        if self.channel.is_empty() {
            return Err("`envelope.channel` must name a channel (a key of `channels`)".into());
        }
        Ok(())
    }
}

/// A dotted path (`metadata.message_type`) as a JSON pointer (`/metadata/message_type`).
pub fn dotted_pointer(path: &str) -> String {
    path.split('.').map(|s| format!("/{}", crate::pointer::escape(s))).collect()
}

/// Buckets by name.
pub type Buckets = BTreeMap<String, Bucket>;

/// Checks a header template: every `{name}` in braces is a credential name.
pub fn check_template(template: &str) -> Result<(), String> {
    template_credentials(template).map(|_| ())
}
