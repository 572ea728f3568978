//! The moderation methods: `timeout`, `purge`, `deleteMessage`, `clearMessages`,
//! `cancelSkill` (reference B.3) and the events they cause (B.4).

use super::message::is_uuid;
use super::methods::{Call, Outcome, string_arg};
use super::wire::ChatError;
use super::{Audience, ChatData};
use crate::core::lock;
use crate::core::ws::ConnId;
use crate::mixer::seed;
use serde_json::json;
use std::time::Duration;

/// The longest timeout the sandbox keeps (longer ones are cut to it).
const MAX_TIMEOUT: Duration = Duration::from_secs(366 * 24 * 3600);

/// A timeout's duration: `30s`, `1m15s`, `2h`, or a bare number of seconds.
pub(crate) fn parse_duration(s: &str) -> Option<Duration> {
    if !s.is_empty() && s.chars().all(|c| c.is_ascii_digit()) {
        return s.parse().ok().map(Duration::from_secs);
    }
    let mut total: u64 = 0;
    let mut number = String::new();
    for c in s.chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit = match c {
            'h' => 3600,
            'm' => 60,
            's' => 1,
            _ => return None,
        };
        let n: u64 = number.parse().ok()?;
        total = total.checked_add(n.checked_mul(unit)?)?;
        number.clear();
    }
    (number.is_empty() && !s.is_empty()).then(|| Duration::from_secs(total))
}

/// The user index of `username` (a seeded user).
fn user_named(username: &str) -> Option<usize> {
    (0..seed::USERS).find(|&u| seed::username(u) == username)
}

fn sessions_of(d: &ChatData, channel: usize, user: usize) -> Vec<ConnId> {
    d.members.iter().filter(|(_, m)| m.channel == Some(channel) && m.user == Some(user)).map(|(id, _)| *id).collect()
}

fn forget_messages_of(d: &mut ChatData, channel: usize, user: usize) {
    let id = seed::FIRST_USER_ID + user as i64;
    if let Some(h) = d.history.get_mut(&channel) {
        h.retain(|m| m["user_id"].as_i64() != Some(id));
    }
}

/// `timeout [username, duration]`: the user (who must be in the channel) cannot send
/// messages for that long (`clear` lifts it), their messages are purged.
pub(crate) fn timeout(call: &mut Call<'_>, args: &[serde_json::Value]) -> Outcome {
    let (c, moderator) = call.authorized("chat:timeout", true)?;
    let username = string_arg(args, 0)?;
    let given = match args.get(1) {
        Some(serde_json::Value::Number(n)) => n.to_string(),
        _ => string_arg(args, 1)?.to_owned(),
    };
    let target = user_named(username).ok_or(ChatError::BadRequest)?;
    let target_roles = lock(&call.state.data).roles_of(c, target);
    let now = call.state.now();
    let mut d = lock(&call.state.chat.data);
    let sessions = sessions_of(&d, c, target);
    if sessions.is_empty() {
        return Err(ChatError::BadRequest);
    }
    if given == "clear" {
        d.timeouts.remove(&(c, target));
        // The reference documents no reply text for `clear`; this mirrors the timeout's.
        return Ok(Some(json!(format!("{username} has been untimed out."))));
    }
    let duration = parse_duration(&given).ok_or(ChatError::BadRequest)?.min(MAX_TIMEOUT);
    let human = if given.chars().all(|c| c.is_ascii_digit()) { format!("{given}s") } else { given };
    d.timeouts.insert((c, target), now + duration);
    forget_messages_of(&mut d, c, target);
    drop(d);
    let user =
        json!({"user_name": username, "user_id": seed::FIRST_USER_ID + target as i64, "user_roles": target_roles});
    let duration_ms = u64::try_from(duration.as_millis()).unwrap_or(u64::MAX);
    call.emit(Audience::Conns(sessions), "UserTimeout", json!({"user": user, "duration": duration_ms}));
    let purge = json!({
        "moderator": moderator.moderator(),
        "user_id": seed::FIRST_USER_ID + target as i64,
        "cause": {"type": "timeout", "durationString": human},
    });
    call.emit(Audience::Channel { channel: c, except: None }, "PurgeMessage", purge);
    Ok(Some(json!(format!("{username} has been timed out for {human}."))))
}

/// `purge [username]`: the user's messages are gone; no reply data.
pub(crate) fn purge(call: &mut Call<'_>, args: &[serde_json::Value]) -> Outcome {
    let (c, moderator) = call.authorized("chat:purge", true).map_err(|_| ChatError::PurgeNoPermissions)?;
    let target = user_named(string_arg(args, 0)?).ok_or(ChatError::PurgeUserNotFound)?;
    forget_messages_of(&mut lock(&call.state.chat.data), c, target);
    let data = json!({"moderator": moderator.moderator(), "user_id": seed::FIRST_USER_ID + target as i64});
    call.emit(Audience::Channel { channel: c, except: None }, "PurgeMessage", data);
    Ok(None)
}

/// `deleteMessage [messageId]`.
pub(crate) fn delete_message(call: &mut Call<'_>, args: &[serde_json::Value]) -> Outcome {
    let (c, moderator) = call.authorized("chat:remove_message", true)?;
    let id = string_arg(args, 0)?;
    if !is_uuid(id) {
        return Err(ChatError::BadRequest);
    }
    {
        let mut d = lock(&call.state.chat.data);
        let history = d.history.entry(c).or_default();
        let before = history.len();
        history.retain(|m| m["id"] != id);
        if history.len() == before {
            return Err(ChatError::MessageNotFound);
        }
    }
    let data = json!({"moderator": moderator.moderator(), "id": id});
    call.emit(Audience::Channel { channel: c, except: None }, "DeleteMessage", data);
    Ok(Some(json!("Message deleted.")))
}

/// `clearMessages []`.
pub(crate) fn clear_messages(call: &mut Call<'_>) -> Outcome {
    let (c, moderator) = call.authorized("chat:clear_messages", true)?;
    lock(&call.state.chat.data).history.remove(&c);
    call.emit(
        Audience::Channel { channel: c, except: None },
        "ClearMessages",
        json!({"clearer": moderator.moderator()}),
    );
    Ok(Some(json!("Messages cleared.")))
}

/// `cancelSkill [executionId]`.
pub(crate) fn cancel_skill(call: &mut Call<'_>, args: &[serde_json::Value]) -> Outcome {
    call.authorized("chat:cancel_skill", true)?;
    if !is_uuid(string_arg(args, 0)?) {
        return Err(ChatError::BadRequest);
    }
    Ok(Some(json!("Skill execution cancelled.")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_take_units_or_bare_seconds() {
        assert_eq!(parse_duration("30s"), Some(Duration::from_secs(30)));
        assert_eq!(parse_duration("1m15s"), Some(Duration::from_secs(75)));
        assert_eq!(parse_duration("2h"), Some(Duration::from_secs(7200)));
        assert_eq!(parse_duration("45"), Some(Duration::from_secs(45)));
        for bad in ["", "s", "10x", "1m5", "99999999999999999999h"] {
            assert_eq!(parse_duration(bad), None, "{bad}");
        }
    }
}
