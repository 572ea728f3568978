//! The service's state: seeded data that writes change, issued tokens and shortcodes, and
//! the rate-limit buckets.

use super::seed;
use crate::core::{Clock, TokenBuckets, lock};
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// Lifetime of access tokens (Mixer's: 6 hours).
pub const ACCESS_LIFETIME: Duration = Duration::from_secs(6 * 3600);
/// Lifetime of a shortcode (Mixer's example: 120 s).
pub const SHORTCODE_LIFETIME: Duration = Duration::from_secs(120);

/// Who is calling, from the access token (the middleware puts it in the request).
#[derive(Debug, Clone)]
pub struct Caller {
    /// The user index.
    pub user: usize,
    /// The token's scopes.
    pub scopes: Vec<String>,
}

impl Caller {
    /// Whether the token has `scope`.
    pub fn has(&self, scope: &str) -> bool {
        self.scopes.iter().any(|s| s == scope)
    }
}

/// Where a shortcode stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Approval {
    /// Waiting for the user.
    Pending,
    /// Approved as this user; the authorization code to exchange.
    Approved(String),
    /// The user said no.
    Denied,
}

#[derive(Debug)]
pub struct Shortcode {
    pub code: String,
    pub scopes: Vec<String>,
    pub expires: Instant,
    pub approval: Approval,
}

/// Issued credentials.
#[derive(Debug, Default)]
pub struct Tokens {
    next: u64,
    pub access: HashMap<String, (Caller, Instant)>,
    pub refresh: HashMap<String, Caller>,
    /// Authorization codes (single use), from shortcodes or [`super::Mixer::mint_code`].
    pub codes: HashMap<String, Caller>,
    /// By handle.
    pub shortcodes: HashMap<String, Shortcode>,
}

impl Tokens {
    fn id(&mut self, kind: &str) -> String {
        self.next += 1;
        format!("{kind}{:016x}", self.next.wrapping_mul(0x9e37_79b9_7f4a_7c15))
    }

    /// A new access and refresh token for `caller`.
    pub fn issue(&mut self, caller: Caller, now: Instant) -> (String, String) {
        let access = self.id("at");
        let refresh = self.id("rt");
        self.access.insert(access.clone(), (caller.clone(), now + ACCESS_LIFETIME));
        self.refresh.insert(refresh.clone(), caller);
        (access, refresh)
    }

    /// A new authorization code for `caller`.
    pub fn code(&mut self, caller: Caller) -> String {
        let code = self.id("ac");
        self.codes.insert(code.clone(), caller);
        code
    }

    /// A new shortcode: (code shown to the user, handle polled).
    pub fn shortcode(&mut self, scopes: Vec<String>, now: Instant) -> (String, String) {
        self.next += 1;
        let code = format!("{:06X}", (self.next * 0x2f_a3c1) % 0xff_ffff);
        let handle = self.id("sh");
        self.shortcodes.insert(
            handle.clone(),
            Shortcode { code: code.clone(), scopes, expires: now + SHORTCODE_LIFETIME, approval: Approval::Pending },
        );
        (code, handle)
    }
}

/// The data writes change.
#[derive(Debug)]
pub struct Data {
    /// `Channel` objects by user index.
    pub channels: Vec<Value>,
    /// (channel index, user index) pairs.
    pub follows: BTreeSet<(usize, usize)>,
    /// Roles of users in channels, beyond `User`.
    pub roles: BTreeMap<(usize, usize), BTreeSet<String>>,
    /// Preferences by channel index.
    pub preferences: Vec<Value>,
}

impl Data {
    fn seeded() -> Data {
        let mut follows = BTreeSet::new();
        for c in 0..seed::USERS {
            for u in seed::followers_of(c) {
                follows.insert((c, u));
            }
        }
        let mut roles = BTreeMap::new();
        for c in 0..seed::USERS {
            roles.insert((c, c), BTreeSet::from(["Owner".to_owned()]));
            roles.insert((c, (c + 1) % seed::USERS), BTreeSet::from(["Mod".to_owned()]));
        }
        Data {
            channels: (0..seed::USERS).map(seed::channel).collect(),
            follows,
            roles,
            preferences: (0..seed::USERS).map(|_| seed::preferences()).collect(),
        }
    }

    /// The roles of user `u` in channel `c` (always with `User`).
    pub fn roles_of(&self, c: usize, u: usize) -> Vec<String> {
        let mut r: Vec<String> = self.roles.get(&(c, u)).into_iter().flatten().cloned().collect();
        r.push("User".to_owned());
        r
    }

    /// `UserWithGroups` for user `u` (groups: their roles in their own channel).
    pub fn user_with_groups(&self, u: usize) -> Value {
        let mut user = seed::user(u);
        user["groups"] = Value::Array(
            self.roles_of(u, u).iter().enumerate().map(|(i, r)| json!({"id": i + 1, "name": r})).collect(),
        );
        user
    }

    /// `UserWithChannel` for user `u`.
    pub fn user_with_channel(&self, u: usize) -> Value {
        let mut user = self.user_with_groups(u);
        user["channel"] = self.channels[u].clone();
        user
    }

    /// `ChannelAdvanced` for channel `c`.
    pub fn channel_advanced(&self, c: usize) -> Value {
        let mut ch = self.channels[c].clone();
        let t = ch["typeId"]
            .as_i64()
            .and_then(|t| t.checked_sub(seed::FIRST_TYPE_ID))
            .and_then(|t| usize::try_from(t).ok())
            .filter(|t| *t < seed::TYPES);
        ch["type"] = t.map(seed::game_type).unwrap_or(Value::Null);
        ch["user"] = self.user_with_groups(c);
        ch
    }

    /// `ExpandedChannel` for channel `c`.
    pub fn channel_expanded(&self, c: usize) -> Value {
        let mut ch = self.channel_advanced(c);
        ch["thumbnail"] = Value::Null;
        ch["cover"] = Value::Null;
        ch["badge"] = Value::Null;
        ch["cache"] = json!([]);
        ch["preferences"] = self.preferences[c].clone();
        ch
    }
}

/// Everything the handlers share.
#[derive(Debug)]
pub struct MixerState {
    pub base_url: OnceLock<String>,
    pub clock: OnceLock<Arc<dyn Clock>>,
    pub data: Mutex<Data>,
    pub tokens: Mutex<Tokens>,
    pub limits: Mutex<BTreeMap<String, TokenBuckets>>,
    pub routes: Vec<super::specs::Route>,
    /// The chat servers (`mixer::chat`).
    pub chat: super::chat::ChatServer,
    /// Constellation (`mixer::constellation`).
    pub live: super::constellation::LiveServer,
}

impl MixerState {
    pub fn new() -> MixerState {
        let limits = super::specs::buckets().into_iter().map(|b| (b.name.clone(), TokenBuckets::new(b))).collect();
        MixerState {
            base_url: OnceLock::new(),
            clock: OnceLock::new(),
            data: Mutex::new(Data::seeded()),
            tokens: Mutex::new(Tokens::default()),
            limits: Mutex::new(limits),
            routes: super::specs::routes(),
            chat: Default::default(),
            live: Default::default(),
        }
    }

    /// The server's clock (the system's before the server started).
    pub fn now(&self) -> Instant {
        match self.clock.get() {
            Some(c) => c.now(),
            None => tokio::time::Instant::now().into_std(),
        }
    }

    /// `http://127.0.0.1:PORT/mixer/api`.
    pub fn api_url(&self) -> String {
        format!("{}{}", self.base_url.get().map(String::as_str).unwrap_or(""), super::specs::PREFIX)
    }

    /// The caller of a valid, unexpired access token.
    pub fn caller(&self, token: &str) -> Option<Caller> {
        let now = self.now();
        lock(&self.tokens).access.get(token).filter(|(_, exp)| *exp > now).map(|(c, _)| c.clone())
    }
}
