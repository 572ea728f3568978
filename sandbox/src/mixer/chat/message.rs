//! `ChatMessage` data (reference B.5): the author, the message split into parts (`text`,
//! `emoticon`, `link`, `tag`) and the `meta` flags.

use crate::mixer::seed;
use serde_json::{Map, Value, json};

/// The author of a message, or the moderator of an action, as events describe them.
#[derive(Clone, Debug)]
pub struct Author {
    /// The user index.
    pub user: usize,
    /// Their roles in the channel.
    pub roles: Vec<String>,
}

impl Author {
    /// The user id.
    pub fn id(&self) -> i64 {
        seed::FIRST_USER_ID + self.user as i64
    }

    /// `{user_name, user_id, user_roles, user_level}` (DeleteMessage's `moderator`,
    /// ClearMessages' `clearer`).
    pub fn moderator(&self) -> Value {
        json!({"user_name": seed::username(self.user), "user_id": self.id(), "user_roles": self.roles, "user_level": level(self.user)})
    }

    /// `{user_name, user_id, user_roles}` (PollStart's `author`, UserTimeout's `user`).
    pub fn short(&self) -> Value {
        json!({"user_name": seed::username(self.user), "user_id": self.id(), "user_roles": self.roles})
    }
}

fn level(user: usize) -> Value {
    seed::user(user)["level"].clone()
}

/// A UUID-shaped id, distinct for every `n` (ids of messages, polls …).
pub fn uuid(n: u64) -> String {
    let h = n.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    format!("{:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}", h >> 32, (h >> 16) & 0xffff, h & 0xfff, (n >> 12) & 0xfff, n)
}

/// Whether `s` looks like a UUID (8-4-4-4-12 hex digits).
pub fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups.iter().zip([8, 4, 4, 4, 12]).all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()))
}

/// The built-in emoticons the sandbox knows, with their sprite-sheet position (the
/// reference's example: `:)` at x 96).
const EMOTICONS: [(&str, u32); 3] = [(":)", 96), (":(", 120), (":D", 144)];

fn text_part(s: &str) -> Value {
    json!({"type": "text", "data": s, "text": s})
}

/// A word's part, if it is more than text.
fn special(word: &str) -> Option<Value> {
    if let Some(&(text, x)) = EMOTICONS.iter().find(|(t, _)| *t == word) {
        let coords = json!({"x": x, "y": 0, "width": 24, "height": 24});
        return Some(
            json!({"type": "emoticon", "source": "builtin", "pack": "default", "coords": coords, "text": text}),
        );
    }
    if word.starts_with("http://") || word.starts_with("https://") {
        return Some(json!({"type": "link", "url": word, "text": word}));
    }
    let name = word.strip_prefix('@')?;
    let user = (0..seed::USERS).find(|&u| seed::username(u) == name)?;
    Some(json!({"type": "tag", "username": name, "id": seed::FIRST_USER_ID + user as i64, "text": word}))
}

/// `text` split into parts: emoticons, links and `@user` tags of known users, with the text
/// between them (spaces included) as `text` parts.
pub fn parts(text: &str) -> Vec<Value> {
    let mut parts = Vec::new();
    let mut pending = String::new();
    for (i, word) in text.split(' ').enumerate() {
        if i > 0 {
            pending.push(' ');
        }
        match special(word) {
            Some(part) => {
                if !pending.is_empty() {
                    parts.push(text_part(&pending));
                    pending.clear();
                }
                parts.push(part);
            }
            None => pending.push_str(word),
        }
    }
    if !pending.is_empty() {
        parts.push(text_part(&pending));
    }
    parts
}

/// The `data` of a `ChatMessage` by `author` in `channel` (an index): `/me ` makes it an
/// action (`meta.me`).
pub fn chat_message(id: &str, channel: usize, author: &Author, text: &str, mut meta: Map<String, Value>) -> Value {
    let text = match text.strip_prefix("/me ") {
        Some(rest) => {
            meta.insert("me".into(), json!(true));
            rest
        }
        None => text,
    };
    json!({
        "channel": seed::FIRST_CHANNEL_ID + channel as i64,
        "id": id,
        "user_name": seed::username(author.user),
        "user_id": author.id(),
        "user_roles": author.roles,
        "user_level": level(author.user),
        "message": {"message": parts(text), "meta": meta},
    })
}

/// A 1×1 PNG, base64: the image `attachEmotes` sessions get for every emoticon.
pub const EMOTE_PNG: &str =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==";

/// `data` with `meta.emoticons` added (`{text: png}` for each emoticon part), as sessions
/// that called `attachEmotes` receive it.
pub fn with_emotes(data: &Value) -> Value {
    let mut data = data.clone();
    let emoticons: Map<String, Value> = data["message"]["message"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|p| p["type"] == "emoticon")
        .filter_map(|p| p["text"].as_str().map(|t| (t.to_owned(), json!(EMOTE_PNG))))
        .collect();
    if !emoticons.is_empty() {
        data["message"]["meta"]["emoticons"] = Value::Object(emoticons);
    }
    data
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_splits_into_text_emoticons_links_and_tags() {
        let p = parts("Hello! :) see https://example.com @user3 and @nobody");
        let kinds: Vec<&str> = p.iter().map(|x| x["type"].as_str().unwrap()).collect();
        assert_eq!(kinds, ["text", "emoticon", "text", "link", "text", "tag", "text"]);
        assert_eq!(p[0]["data"], "Hello! ");
        assert_eq!(p[5], json!({"type": "tag", "username": "user3", "id": 1003, "text": "@user3"}));
        assert_eq!(p[6]["text"], " and @nobody");
    }

    #[test]
    fn me_messages_are_actions_and_uuids_are_distinct() {
        let author = Author { user: 2, roles: vec!["User".into()] };
        let m = chat_message("x", 0, &author, "/me waves", Map::new());
        assert_eq!(m["message"]["meta"], json!({"me": true}));
        assert_eq!(m["message"]["message"][0]["text"], "waves");
        assert!(is_uuid(&uuid(1)) && uuid(1) != uuid(2));
        assert!(!is_uuid("not-a-uuid"));
    }
}
