//! The seeded Mixer data: users (each with a channel), game types, teams, follows and
//! roles, all computed from indexes so every sandbox starts the same.

use serde_json::{Value, json};

/// Users (and channels: one each).
pub const USERS: usize = 120;
/// The first user id; user `i` has id `FIRST_USER_ID + i`.
pub const FIRST_USER_ID: i64 = 1000;
/// The first channel id; user `i` owns channel `FIRST_CHANNEL_ID + i`.
pub const FIRST_CHANNEL_ID: i64 = 5000;
/// Game types, ids `FIRST_TYPE_ID..`.
pub const TYPES: usize = 6;
/// The first type id.
pub const FIRST_TYPE_ID: i64 = 100;
/// Teams, ids `1..=TEAMS`.
pub const TEAMS: usize = 3;

const CREATED: &str = "2016-06-28T04:25:45.110Z";
const UPDATED: &str = "2020-01-15T10:00:00.000Z";
const AUDIENCES: [&str; 3] = ["family", "teen", "18+"];
const TYPE_NAMES: [&str; TYPES] = ["Programming", "Minecraft", "Fortnite", "Art", "Music", "Just Chatting"];

/// The owner of channel `channel_id`, as a user index.
pub fn owner_index(channel_id: i64) -> Option<usize> {
    let i = usize::try_from(channel_id.checked_sub(FIRST_CHANNEL_ID)?).ok()?;
    (i < USERS).then_some(i)
}

/// The index of user `user_id`.
pub fn user_index(user_id: i64) -> Option<usize> {
    let i = usize::try_from(user_id.checked_sub(FIRST_USER_ID)?).ok()?;
    (i < USERS).then_some(i)
}

/// `user{i}`; also the token of their channel.
pub fn username(i: usize) -> String {
    format!("user{i}")
}

/// Whether channel `i` is live (every third).
pub fn online(i: usize) -> bool {
    i.is_multiple_of(3)
}

/// The user object (`User` of the spec).
pub fn user(i: usize) -> Value {
    json!({
        "id": FIRST_USER_ID + i as i64,
        "level": (i * 7) % 100,
        "social": { "verified": [] },
        "username": username(i),
        "verified": true,
        "experience": i * 100,
        "sparks": i * 50,
        "avatarUrl": null,
        "bio": format!("Bio of user {i}"),
        "primaryTeam": (i % 4 != 3).then(|| (i % 4 + 1) as i64).filter(|t| *t as usize <= TEAMS),
        "createdAt": CREATED,
        "updatedAt": UPDATED,
        "deletedAt": null,
    })
}

/// The channel object (`Channel` of the spec) as seeded.
pub fn channel(i: usize) -> Value {
    let live = online(i);
    json!({
        "id": FIRST_CHANNEL_ID + i as i64,
        "userId": FIRST_USER_ID + i as i64,
        "token": username(i),
        "online": live,
        "featured": i.is_multiple_of(10),
        "featureLevel": if i.is_multiple_of(10) { 1 } else { 0 },
        "partnered": i.is_multiple_of(5),
        "transcodingProfileId": 1,
        "suspended": false,
        "name": format!("Stream number {i}"),
        "audience": AUDIENCES[i % AUDIENCES.len()],
        "viewersTotal": i * 1000 + 7,
        "viewersCurrent": if live { ((i * 37) % 200) as i64 } else { 0 },
        "numFollowers": followers_of(i).len(),
        "description": format!("<p>Channel {i}</p>"),
        "typeId": FIRST_TYPE_ID + (i % TYPES) as i64,
        "interactive": false,
        "interactiveGameId": null,
        "ftl": 0,
        "hasVod": i.is_multiple_of(2),
        "languageId": "en",
        "coverId": null,
        "thumbnailId": null,
        "badgeId": null,
        "bannerUrl": null,
        "hosteeId": null,
        "hasTranscodes": true,
        "vodsEnabled": true,
        "costreamId": null,
        "createdAt": CREATED,
        "updatedAt": UPDATED,
        "deletedAt": null,
    })
}

/// The users (indexes) following channel `i`: every user `j != i` with `(i + j).is_multiple_of(7)`.
pub fn followers_of(i: usize) -> Vec<usize> {
    (0..USERS).filter(|&j| j != i && (i + j).is_multiple_of(7)).collect()
}

/// The game type `t` (`GameType`), with live counts from the seeded channels.
pub fn game_type(t: usize) -> Value {
    let live: Vec<usize> = (0..USERS).filter(|&i| i % TYPES == t && online(i)).collect();
    json!({
        "id": FIRST_TYPE_ID + t as i64,
        "name": TYPE_NAMES[t],
        "parent": "Games",
        "description": format!("All about {}", TYPE_NAMES[t]),
        "source": "sandbox",
        "viewersCurrent": live.iter().map(|&i| ((i * 37) % 200) as i64).sum::<i64>(),
        "online": live.len(),
        "coverUrl": null,
        "backgroundUrl": null,
    })
}

/// Team `n` (1-based), owned by user `n - 1`; its members are the users whose index is
/// `n - 1` modulo 4.
pub fn team(n: usize) -> Value {
    json!({
        "id": n,
        "ownerId": FIRST_USER_ID + (n - 1) as i64,
        "token": format!("team{n}"),
        "name": format!("Team {n}"),
        "description": null,
        "logoUrl": null,
        "backgroundUrl": null,
        "totalViewersCurrent": team_members(n).iter().map(|&i| if online(i) { ((i * 37) % 200) as i64 } else { 0 }).sum::<i64>(),
        "createdAt": CREATED,
        "updatedAt": UPDATED,
    })
}

/// The members (user indexes) of team `n`.
pub fn team_members(n: usize) -> Vec<usize> {
    (0..USERS).filter(|i| i % 4 == n - 1).collect()
}

/// The seeded preferences of every channel.
pub fn preferences() -> Value {
    json!({
        "sharetext": "Watch me on Mixer",
        "channel:links:allowed": true,
        "channel:links:clickable": true,
        "channel:slowchat": 0,
        "channel:notify:follow": true,
        "hosting:allow": true,
    })
}
