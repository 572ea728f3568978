//! The chat methods (reference B.3): one frame in, its reply out, then the events it causes.

use super::message::{self, Author};
use super::wire::{self, ChatError};
use super::{Audience, HISTORY, Member, log_received, moderation, polls};
use crate::core::lock;
use crate::core::ws::{ConnId, Inbound};
use crate::mixer::seed;
use crate::mixer::state::MixerState;
use serde_json::{Map, Value, json};
use std::sync::Arc;

/// Roles that may moderate a channel (the sandbox's rule, see the module docs).
pub(crate) const MODERATING: [&str; 5] = ["Owner", "Mod", "ChannelEditor", "GlobalMod", "Staff"];

/// A reply's outcome: its `data` (`None` leaves it out) or an error.
pub(crate) type Outcome = Result<Option<Value>, ChatError>;

/// One method call being answered: who calls, and the events to send after the reply.
pub(crate) struct Call<'a> {
    pub state: &'a Arc<MixerState>,
    pub conn: ConnId,
    pub events: Vec<(Audience, &'static str, Value)>,
}

impl Call<'_> {
    /// The caller's session (a copy).
    pub fn member(&self) -> Member {
        lock(&self.state.chat.data).members.get(&self.conn).cloned().unwrap_or_default()
    }

    /// The caller's channel and identity, when it authenticated with `scope` (and, with
    /// `moderate`, holds a moderating role); else `UACCESS`.
    pub fn authorized(&self, scope: &str, moderate: bool) -> Result<(usize, Author), ChatError> {
        let m = self.member();
        let (Some(c), Some(u)) = (m.channel, m.user) else { return Err(ChatError::Access) };
        let may_moderate = m.roles.iter().any(|r| MODERATING.contains(&r.as_str()));
        // A user banned while connected keeps reading, but speaks no more.
        let banned = m.roles.iter().any(|r| r == "Banned");
        if banned || !m.scopes.iter().any(|s| s == scope) || (moderate && !may_moderate) {
            return Err(ChatError::Access);
        }
        Ok((c, Author { user: u, roles: m.roles }))
    }

    /// Queues event `name` for `audience`, sent after the reply.
    pub fn emit(&mut self, audience: Audience, name: &'static str, data: Value) {
        self.events.push((audience, name, data));
    }
}

/// Argument `i` as a string.
pub(crate) fn string_arg(args: &[Value], i: usize) -> Result<&str, ChatError> {
    args.get(i).and_then(Value::as_str).ok_or(ChatError::BadRequest)
}

/// Argument `i` as a non-negative integer.
pub(crate) fn uint_arg(args: &[Value], i: usize) -> Result<u64, ChatError> {
    args.get(i).and_then(Value::as_u64).ok_or(ChatError::BadRequest)
}

/// Answers one frame received on `conn`.
pub(crate) fn handle(state: &Arc<MixerState>, conn: ConnId, frame: Inbound) {
    let chat = &state.chat;
    let form = lock(&chat.data).error_form;
    let text = match frame {
        Inbound::Text(t) => t,
        Inbound::Binary(b) => String::from_utf8_lossy(&b).into_owned(),
    };
    let Ok(value) = serde_json::from_str::<Value>(&text) else {
        log_received(state, conn, "invalid", &text);
        // There is no id to echo: the reply's id is null.
        chat.send(conn, "reply", wire::error_reply(&Value::Null, ChatError::NotJson, form));
        return;
    };
    let method = value["method"].as_str().unwrap_or("invalid").to_owned();
    let logged = wire::redacted(&value, |key| lock(&chat.data).authkeys.label(key));
    log_received(state, conn, &method, &logged);
    // Only a uint id is echoed (B.2); a frame without one is answered with `id: null`, as a
    // frame that is not JSON is (the spec's tolerant reading of the `UNOTJSON` reply).
    let id = value.get("id").filter(|id| id.as_u64().is_some()).cloned().unwrap_or(Value::Null);
    let args = match (&value["type"], value["arguments"].as_array(), id.as_u64()) {
        (Value::String(t), Some(args), Some(_)) if t == "method" => args.clone(),
        _ => {
            chat.send(conn, "reply", wire::error_reply(&id, ChatError::BadRequest, form));
            return;
        }
    };
    let mut call = Call { state, conn, events: Vec::new() };
    let outcome = dispatch(&mut call, &method, &args);
    let reply = match outcome {
        Ok(data) => wire::reply(&id, data),
        Err(e) => wire::error_reply(&id, e, form),
    };
    chat.send(conn, "reply", reply);
    for (audience, name, data) in call.events {
        chat.publish(audience, name, &data);
    }
}

fn dispatch(call: &mut Call<'_>, method: &str, args: &[Value]) -> Outcome {
    match method {
        "auth" => auth(call, args),
        "msg" => msg(call, args),
        "whisper" => whisper(call, args),
        "vote:start" => polls::start(call, args),
        "vote:choose" => polls::choose(call, args),
        "timeout" => moderation::timeout(call, args),
        "purge" => moderation::purge(call, args),
        "deleteMessage" => moderation::delete_message(call, args),
        "clearMessages" => moderation::clear_messages(call),
        "history" => history(call, args),
        "giveaway:start" => {
            call.authorized("chat:giveaway_start", true)?;
            Ok(Some(json!("Starting a giveaway")))
        }
        "ping" => Ok(None),
        "attachEmotes" => {
            if let Some(m) = lock(&call.state.chat.data).members.get_mut(&call.conn) {
                m.emotes = true;
            }
            Ok(None)
        }
        "optOutEvents" => opt_out(call, args),
        "cancelSkill" => moderation::cancel_skill(call, args),
        // No documented error for an unknown method: the official client's BadRequest.
        _ => Err(ChatError::BadRequest),
    }
}

/// `auth [channelId, userId?, authkey?, accessKey?]`.
fn auth(call: &mut Call<'_>, args: &[Value]) -> Outcome {
    let channel = args.first().and_then(Value::as_i64).and_then(seed::owner_index).ok_or(ChatError::NotFound)?;
    let previous = call.member();
    let anonymous = args.len() == 1 || args.get(1).is_some_and(Value::is_null);
    let (user, roles, scopes) = if anonymous {
        (None, Vec::new(), Vec::new())
    } else {
        let user = args.get(1).and_then(Value::as_i64).and_then(seed::user_index).ok_or(ChatError::NotFound)?;
        let key = args.get(2).and_then(Value::as_str).ok_or(ChatError::NotFound)?;
        let grant = lock(&call.state.chat.data).authkeys.redeem(key, channel, user).ok_or(ChatError::NotFound)?;
        let roles = lock(&call.state.data).roles_of(channel, user);
        if roles.iter().any(|r| r == "Banned") {
            return Err(ChatError::Access);
        }
        (Some(user), roles, grant.scopes)
    };
    if let Some(m) = lock(&call.state.chat.data).members.get_mut(&call.conn) {
        m.channel = Some(channel);
        m.user = user;
        m.roles = roles.clone();
        m.scopes = scopes;
    }
    if let (Some(c), Some(u)) = (previous.channel, previous.user) {
        call.emit(Audience::Channel { channel: c, except: Some(call.conn) }, "UserLeave", super::user_leave(c, u));
    }
    if let Some(u) = user {
        let join = json!({
            "originatingChannel": seed::FIRST_CHANNEL_ID + channel as i64,
            "username": seed::username(u),
            "roles": roles,
            "id": seed::FIRST_USER_ID + u as i64,
        });
        call.emit(Audience::Channel { channel, except: Some(call.conn) }, "UserJoin", join);
    }
    Ok(Some(json!({"authenticated": user.is_some(), "roles": roles})))
}

/// `msg [message]`: the reply is the message's data; the other sessions get it as an event.
fn msg(call: &mut Call<'_>, args: &[Value]) -> Outcome {
    let (c, author) = call.authorized("chat:chat", false)?;
    let text = string_arg(args, 0)?;
    if text.trim().is_empty() {
        return Err(ChatError::BadRequest);
    }
    let now = call.state.now();
    let data = {
        let mut d = lock(&call.state.chat.data);
        if d.timeouts.get(&(c, author.user)).is_some_and(|until| *until > now) {
            return Err(ChatError::Access);
        }
        let id = d.id();
        let data = message::chat_message(&id, c, &author, text, Map::new());
        let history = d.history.entry(c).or_default();
        if history.len() >= HISTORY {
            history.pop_front();
        }
        history.push_back(data.clone());
        data
    };
    call.emit(Audience::Channel { channel: c, except: Some(call.conn) }, "ChatMessage", data.clone());
    Ok(Some(data))
}

/// `whisper [targetUsername, message]`: only the recipient's sessions get the event.
fn whisper(call: &mut Call<'_>, args: &[Value]) -> Outcome {
    let (c, author) = call.authorized("chat:whisper", false)?;
    let target = string_arg(args, 0)?;
    let text = string_arg(args, 1)?;
    let target_user = (0..seed::USERS).find(|&u| seed::username(u) == target).ok_or(ChatError::BadRequest)?;
    let (data, recipients) = {
        let mut d = lock(&call.state.chat.data);
        let id = d.id();
        let mut meta = Map::new();
        meta.insert("whisper".into(), json!(true));
        let mut data = message::chat_message(&id, c, &author, text, meta);
        data["target"] = json!(target);
        let recipients: Vec<ConnId> = d
            .members
            .iter()
            .filter(|(_, m)| m.channel == Some(c) && m.user == Some(target_user))
            .map(|(id, _)| *id)
            .collect();
        (data, recipients)
    };
    call.emit(Audience::Conns(recipients), "ChatMessage", data.clone());
    Ok(Some(data))
}

/// `history [count ≤ 100]`: the channel's latest messages, oldest first.
fn history(call: &mut Call<'_>, args: &[Value]) -> Outcome {
    let channel = call.member().channel.ok_or(ChatError::Access)?;
    let count = uint_arg(args, 0)?;
    let count = usize::try_from(count).unwrap_or(HISTORY).min(HISTORY);
    let d = lock(&call.state.chat.data);
    let all: Vec<Value> = d.history.get(&channel).into_iter().flatten().cloned().collect();
    Ok(Some(Value::Array(all[all.len().saturating_sub(count)..].to_vec())))
}

/// `optOutEvents [eventName, ...]`: those events are no longer sent to this session.
fn opt_out(call: &mut Call<'_>, args: &[Value]) -> Outcome {
    let names: Vec<String> =
        args.iter().map(|a| a.as_str().map(str::to_owned)).collect::<Option<_>>().ok_or(ChatError::BadRequest)?;
    // Bounded: only the documented event names are kept.
    const EVENTS: [&str; 13] = [
        "WelcomeEvent",
        "ChatMessage",
        "UserJoin",
        "UserLeave",
        "PollStart",
        "PollEnd",
        "DeleteMessage",
        "PurgeMessage",
        "ClearMessages",
        "UserUpdate",
        "UserTimeout",
        "SkillAttribution",
        "DeleteSkillAttribution",
    ];
    if let Some(m) = lock(&call.state.chat.data).members.get_mut(&call.conn) {
        m.opted_out.extend(names.into_iter().filter(|n| EVENTS.contains(&n.as_str())));
    }
    Ok(Some(json!({})))
}
