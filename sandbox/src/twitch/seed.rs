//! The deterministic world: users, channels, games, streams, videos, clips, follows, moderators,
//! chatters and extensions. Every start builds exactly the same data from fixed seeds.

use crate::twitch::rng::{self, Rng, mix};
use chrono::{DateTime, Duration, TimeZone, Utc};
use std::collections::HashMap;

/// The fixed "now" of the seeded world: stream start times, video/clip dates and follow dates
/// are all placed before it, and Get Videos' `period` filter is relative to it.
pub(crate) fn seed_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0).single().unwrap_or_default()
}

/// Formats a timestamp the way Helix resources do: `2026-11-20T17:04:05Z`.
pub(crate) fn fmt_time(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// Formats a timestamp the way EventSub does: RFC 3339 with nanoseconds.
pub(crate) fn fmt_time_nanos(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(chrono::SecondsFormat::Nanos, true)
}

/// Number of seeded users.
pub(crate) const USER_COUNT: usize = 3000;
/// Followers of the featured broadcaster (user 0).
const FEATURED_FOLLOWERS: usize = 300;
/// Chatters in the featured broadcaster's chat.
const FEATURED_CHATTERS: usize = 1200;
/// Channels the live extension is active on.
const LIVE_EXTENSION_CHANNELS: usize = 180;

/// Ids and names tests can rely on. Everything here is the same on every start.
///
/// The *featured broadcaster* (user index 0, also the default
/// [`SandboxConfig::authorize_as`](crate::SandboxConfig::authorize_as)) is a live partner with
/// more than 250 followers, three moderators, more than 1000 chatters, more than 100 clips and
/// more than 40 videos.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeedInfo {
    /// Total number of seeded users.
    pub user_count: usize,
    /// Total number of live streams (every one is returned by Get Streams), the synthetic
    /// ones of [`SandboxConfig::extra_live_streams`](crate::SandboxConfig::extra_live_streams)
    /// included.
    pub live_stream_count: usize,
    /// Ids of the first ten users, in seed order (index 0 is the featured broadcaster).
    pub user_ids: Vec<String>,
    /// Logins of the first ten users, matching `user_ids`.
    pub user_logins: Vec<String>,
    /// The featured broadcaster's user id (the same as `user_ids[0]`).
    pub broadcaster_id: String,
    /// The featured broadcaster's login.
    pub broadcaster_login: String,
    /// How many users follow the featured broadcaster (> 250).
    pub broadcaster_follower_count: usize,
    /// How many users are in the featured broadcaster's chat (> 1000).
    pub broadcaster_chatter_count: usize,
    /// A moderator of the featured broadcaster (not the broadcaster).
    pub moderator_id: String,
    /// A user who follows the featured broadcaster and more than 20 other channels, and is
    /// neither the broadcaster nor one of its moderators.
    pub follower_id: String,
    /// How many channels `follower_id` follows.
    pub follower_followed_count: usize,
    /// A user whose channel is offline.
    pub offline_user_id: String,
    /// The login of `offline_user_id`.
    pub offline_user_login: String,
    /// The most-watched game (first in Get Top Games).
    pub game_id: String,
    /// The name of `game_id`.
    pub game_name: String,
    /// A game whose `igdb_id` is `""`.
    pub game_without_igdb_id: String,
    /// Total number of seeded games.
    pub game_count: usize,
    /// An extension live on more than 150 channels.
    pub live_extension_id: String,
    /// How many channels `live_extension_id` is live on.
    pub live_extension_channel_count: usize,
    /// An extension that exists but is not live anywhere (Get Extension Live Channels → 404).
    pub idle_extension_id: String,
    /// A clip of the featured broadcaster.
    pub clip_id: String,
    /// How many clips the featured broadcaster has (> 100).
    pub broadcaster_clip_count: usize,
    /// An archive (past broadcast) of the featured broadcaster; its `stream_id` is set.
    pub video_id: String,
    /// A highlight of the featured broadcaster; its `stream_id` is null.
    pub highlight_video_id: String,
    /// How many videos the featured broadcaster has (> 40).
    pub broadcaster_video_count: usize,
    /// A `query` for Search Channels that matches more than 20 channels, live and offline.
    pub search_query: String,
}

/// A seeded user.
#[derive(Clone, Debug)]
pub(crate) struct User {
    pub(crate) id: String,
    pub(crate) login: String,
    pub(crate) display_name: String,
    pub(crate) user_type: &'static str,
    pub(crate) broadcaster_type: &'static str,
    pub(crate) description: String,
    pub(crate) profile_image_url: String,
    pub(crate) offline_image_url: String,
    pub(crate) view_count: u64,
    pub(crate) created_at: DateTime<Utc>,
}

/// A seeded game / category.
#[derive(Clone, Debug)]
pub(crate) struct Game {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) box_art_url: String,
    pub(crate) igdb_id: String,
}

/// Channel information; the sandbox keeps a mutable copy (Modify Channel Information).
#[derive(Clone, Debug)]
pub(crate) struct Channel {
    pub(crate) language: String,
    /// Index into `Seed::games`, `None` when no category is set.
    pub(crate) game: Option<usize>,
    pub(crate) title: String,
    pub(crate) delay: u32,
    pub(crate) tags: Vec<String>,
    pub(crate) labels: Vec<String>,
    pub(crate) is_branded_content: bool,
}

/// A live stream; title, game, language and tags come from the channel.
#[derive(Clone, Debug)]
pub(crate) struct Stream {
    pub(crate) id: String,
    pub(crate) user: usize,
    pub(crate) viewer_count: u64,
    pub(crate) started_at: DateTime<Utc>,
    pub(crate) is_mature: bool,
}

/// Video kinds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum VideoKind {
    Archive,
    Highlight,
    Upload,
}

impl VideoKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            VideoKind::Archive => "archive",
            VideoKind::Highlight => "highlight",
            VideoKind::Upload => "upload",
        }
    }
}

/// A seeded video.
#[derive(Clone, Debug)]
pub(crate) struct Video {
    pub(crate) id: String,
    pub(crate) user: usize,
    pub(crate) stream_id: Option<String>,
    pub(crate) title: String,
    pub(crate) description: String,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) published_at: DateTime<Utc>,
    pub(crate) view_count: u64,
    pub(crate) language: String,
    pub(crate) kind: VideoKind,
    pub(crate) duration_secs: u64,
    /// `(duration, offset)` pairs; `None` serialises as `null`.
    pub(crate) muted_segments: Option<Vec<(u64, u64)>>,
    pub(crate) game: Option<usize>,
    /// Deterministic "trending" score for `sort=trending`.
    pub(crate) trending: u64,
}

/// A seeded clip.
#[derive(Clone, Debug)]
pub(crate) struct Clip {
    pub(crate) id: String,
    pub(crate) broadcaster: usize,
    pub(crate) creator: usize,
    pub(crate) video_id: String,
    pub(crate) vod_offset: Option<u64>,
    pub(crate) game: Option<usize>,
    pub(crate) language: String,
    pub(crate) title: String,
    pub(crate) view_count: u64,
    pub(crate) created_at: DateTime<Utc>,
    /// Duration in tenths of a second.
    pub(crate) duration_tenths: u64,
    pub(crate) is_featured: bool,
}

/// A seeded extension and the channels it is live on.
#[derive(Clone, Debug)]
pub(crate) struct Extension {
    pub(crate) id: String,
    pub(crate) live_on: Vec<usize>,
}

/// The whole seeded world (immutable; channel information is copied into mutable state).
#[derive(Debug)]
pub(crate) struct Seed {
    pub(crate) users: Vec<User>,
    pub(crate) user_by_id: HashMap<String, usize>,
    pub(crate) user_by_login: HashMap<String, usize>,
    pub(crate) games: Vec<Game>,
    pub(crate) game_by_id: HashMap<String, usize>,
    /// Games in Get Top Games order.
    pub(crate) top_games: Vec<usize>,
    pub(crate) channels: Vec<Channel>,
    /// Sorted by viewer count, descending.
    pub(crate) streams: Vec<Stream>,
    /// User index → index into `streams`.
    pub(crate) stream_of_user: HashMap<usize, usize>,
    pub(crate) videos: Vec<Video>,
    pub(crate) video_by_id: HashMap<String, usize>,
    /// User index → video indices, newest first.
    pub(crate) videos_of_user: HashMap<usize, Vec<usize>>,
    pub(crate) clips: Vec<Clip>,
    pub(crate) clip_by_id: HashMap<String, usize>,
    /// Broadcaster index → `(follower index, followed_at)`, newest first.
    pub(crate) followers: HashMap<usize, Vec<(usize, DateTime<Utc>)>>,
    /// User index → `(broadcaster index, followed_at)`, newest first.
    pub(crate) followed: HashMap<usize, Vec<(usize, DateTime<Utc>)>>,
    /// Broadcaster index → moderator indices.
    pub(crate) moderators: HashMap<usize, Vec<usize>>,
    pub(crate) extensions: Vec<Extension>,
    pub(crate) info: SeedInfo,
}

const ADJECTIVES: &[&str] = &[
    "bright", "sleepy", "swift", "quiet", "lucky", "brave", "cosmic", "fuzzy", "golden", "hidden", "jolly", "mighty",
    "neon", "pixel", "rapid", "silent", "tiny", "witty", "zesty", "frozen", "amber", "crimson", "dusty", "electric",
    "gentle", "humble", "iron", "lunar", "misty", "noble",
];
const NOUNS: &[&str] = &[
    "otter", "falcon", "panda", "badger", "comet", "dragon", "ember", "fox", "gecko", "heron", "koala", "lynx",
    "moose", "newt", "owl", "penguin", "quokka", "raven", "salmon", "tiger", "walrus", "yak", "zebra", "beetle",
    "coyote", "dolphin", "ferret", "marmot", "puffin", "wombat",
];
const GAME_FIRST: &[&str] = &["Crystal", "Neon", "Iron", "Shadow", "Sky", "Ember", "Frost", "Star", "Pixel", "Rogue"];
const GAME_SECOND: &[&str] = &["Frontier", "Odyssey", "Kingdoms", "Drift", "Legends", "Harbor", "Circuit", "Depths"];
const LANGUAGES: &[&str] =
    &["en", "en", "en", "en", "en", "es", "de", "fr", "pt", "ja", "ko", "ru", "it", "pl", "other"];
const TAGS: &[&str] = &[
    "English",
    "Speedrun",
    "Chill",
    "NoBackseating",
    "Cozy",
    "PvP",
    "Competitive",
    "Casual",
    "Vtuber",
    "FirstPlaythrough",
    "Retro",
    "Coding",
    "Music",
    "Challenge",
    "Community",
];
/// The content classification labels a channel can set.
pub(crate) const LABELS: &[&str] = &[
    "DebatedSocialIssuesAndPolitics",
    "DrugsIntoxication",
    "SexualThemes",
    "ViolentGraphic",
    "Gambling",
    "ProfanityVulgarity",
];
const TITLE_STARTS: &[&str] = &[
    "Late night",
    "Chill",
    "Ranked",
    "First look at",
    "Blind run of",
    "Grinding",
    "Learning",
    "Community night:",
    "100% run of",
    "Just vibing with",
];
const CLIP_WORDS: &[&str] =
    &["Awkward", "Helpless", "Brave", "Tiny", "Clever", "Sneaky", "Fancy", "Gentle", "Lazy", "Proud"];
const CLIP_ANIMALS: &[&str] = &["Salamander", "Otter", "Panda", "Heron", "Lynx", "Raven", "Koala"];
const CLIP_EMOTES: &[&str] = &["Kappa", "PogChamp", "SwiftRage", "BibleThump", "NotLikeThis"];

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

fn seconds_before(now: DateTime<Utc>, secs: u64) -> DateTime<Utc> {
    now - Duration::seconds(i64::try_from(secs).unwrap_or(0))
}

/// The id of the seeded user with index `i`.
pub(crate) fn user_id_for(i: usize) -> String {
    (100_000_000 + i as u64 * 1009 + mix(i as u64) % 1000).to_string()
}

fn make_users() -> Vec<User> {
    let mut rng = Rng::new(0x05EE_D0001);
    let mut users = Vec::with_capacity(USER_COUNT);
    for i in 0..USER_COUNT {
        let (login, display_name) = match i {
            0 => ("streamkitcaster".to_owned(), "StreamKitCaster".to_owned()),
            1 => ("trustymod".to_owned(), "TrustyMod".to_owned()),
            _ => {
                let adj = rng.pick(ADJECTIVES);
                let noun = rng.pick(NOUNS);
                let login = format!("{adj}{noun}{i}");
                let display = if i % 17 == 0 {
                    login.clone() // some display names are just the login
                } else {
                    format!("{}{}{i}", capitalize(adj), capitalize(noun))
                };
                (login, display)
            }
        };
        let user_type = match i {
            7 => "staff",
            13 => "admin",
            21 => "global_mod",
            _ => "",
        };
        let broadcaster_type = if i % 10 == 0 {
            "partner"
        } else if i % 3 == 0 {
            "affiliate"
        } else {
            ""
        };
        let description = if rng.chance(30) {
            String::new()
        } else {
            format!("Hi, I'm {display_name}. I stream {} things.", rng.pick(ADJECTIVES))
        };
        let picture = rng::uuid(i as u64, 0xA11CE);
        let offline_image_url = if rng.chance(25) {
            format!(
                "https://static-cdn.jtvnw.net/jtv_user_pictures/{}-channel_offline_image-1920x1080.png",
                rng::uuid(i as u64, 0xB0B)
            )
        } else {
            String::new()
        };
        let created_at = seconds_before(seed_now(), rng.range(86_400 * 30, 86_400 * 365 * 14));
        users.push(User {
            id: user_id_for(i),
            login,
            display_name,
            user_type,
            broadcaster_type,
            description,
            profile_image_url: format!(
                "https://static-cdn.jtvnw.net/jtv_user_pictures/{picture}-profile_image-300x300.png"
            ),
            offline_image_url,
            view_count: rng.below(500_000),
            created_at,
        });
    }
    users
}

fn make_games() -> Vec<Game> {
    let mut games = Vec::new();
    let mut rng = Rng::new(0x6A3E5);
    for (k, first) in GAME_FIRST.iter().enumerate() {
        for (j, second) in GAME_SECOND.iter().enumerate() {
            let i = k * GAME_SECOND.len() + j;
            let id = (490_000 + i as u64 * 131 + mix(i as u64 ^ 0x6A) % 100).to_string();
            let igdb_id = if i % 6 == 5 { String::new() } else { (1000 + rng.below(200_000)).to_string() };
            games.push(Game {
                box_art_url: format!("https://static-cdn.jtvnw.net/ttv-boxart/{id}_IGDB-{{width}}x{{height}}.jpg"),
                id,
                name: format!("{first} {second}"),
                igdb_id,
            });
        }
    }
    games.insert(
        0,
        Game {
            id: "509658".to_owned(),
            name: "Just Chatting".to_owned(),
            box_art_url: "https://static-cdn.jtvnw.net/ttv-boxart/509658-{width}x{height}.jpg".to_owned(),
            igdb_id: String::new(),
        },
    );
    games
}

fn is_live(i: usize) -> bool {
    i % 7 != 6
}

fn make_channels(users: &[User], games: &[Game]) -> Vec<Channel> {
    let mut rng = Rng::new(0xC4A22E1);
    let mut channels = Vec::with_capacity(users.len());
    for (i, user) in users.iter().enumerate() {
        // Skewed towards the first games so Get Top Games has a clear order.
        let a = rng.below(games.len() as u64);
        let b = rng.below(games.len() as u64);
        let game_idx = (a * b / games.len() as u64) as usize;
        let game = if !is_live(i) && rng.chance(30) { None } else { Some(game_idx) };
        let game_name = game.map_or("something", |g| games[g].name.as_str());
        let title = match i {
            0 => "Building a Twitch client in Rust | !streamkit".to_owned(),
            _ => format!("{} {game_name}", rng.pick(TITLE_STARTS)),
        };
        let mut tags: Vec<String> = Vec::new();
        for _ in 0..rng.below(5) {
            let t = (*rng.pick(TAGS)).to_owned();
            if !tags.contains(&t) {
                tags.push(t);
            }
        }
        let mut labels = Vec::new();
        if rng.chance(8) {
            labels.push((*rng.pick(LABELS)).to_owned());
        }
        let delay =
            if user.broadcaster_type == "partner" && rng.chance(30) { *rng.pick(&[15u32, 30, 60, 120]) } else { 0 };
        channels.push(Channel {
            language: if i == 0 { "en".to_owned() } else { (*rng.pick(LANGUAGES)).to_owned() },
            game,
            title,
            delay,
            tags,
            labels,
            is_branded_content: rng.chance(3),
        });
    }
    channels
}

fn make_streams(users: &[User]) -> Vec<Stream> {
    let mut rng = Rng::new(0x5781EA);
    let mut streams = Vec::new();
    for i in (0..users.len()).filter(|&i| is_live(i)) {
        let r = (rng.below(1_000_000) as f64 + 1.0) / 1_000_000.0;
        let viewer_count = if i == 0 { 54_321 } else { (30_000.0 * r.powi(8)) as u64 + rng.below(40) };
        streams.push(Stream {
            id: (40_000_000_000u64 + i as u64 * 1000 + mix(i as u64 ^ 0x57) % 1000).to_string(),
            user: i,
            viewer_count,
            started_at: seconds_before(seed_now(), rng.range(300, 12 * 3600)),
            is_mature: rng.chance(10),
        });
    }
    streams.sort_by(|a, b| b.viewer_count.cmp(&a.viewer_count).then(a.user.cmp(&b.user)));
    streams
}

/// First user id of the synthetic users behind
/// [`SandboxConfig::extra_live_streams`](crate::SandboxConfig::extra_live_streams), far
/// above the seeded ids.
const SYNTHETIC_USER_BASE: u64 = 900_000_000;

/// A synthetic live stream (number `j`, 0-based) and its synthetic broadcaster, computed
/// from `j` alone so that any number of them costs no memory. Listed after the seeded
/// streams, with 0 viewers.
#[derive(Clone, Debug)]
pub(crate) struct SyntheticStream {
    pub(crate) id: String,
    pub(crate) user_id: String,
    pub(crate) user_login: String,
    pub(crate) user_name: String,
    /// Index into `Seed::games`.
    pub(crate) game: usize,
    pub(crate) language: &'static str,
    pub(crate) title: String,
    pub(crate) started_at: DateTime<Utc>,
}

impl SyntheticStream {
    /// Synthetic stream `j` of a world with `games` games.
    pub(crate) fn new(j: usize, games: usize) -> Self {
        let n = j as u64;
        SyntheticStream {
            id: (60_000_000_000 + n).to_string(),
            user_id: (SYNTHETIC_USER_BASE + n).to_string(),
            user_login: format!("synthetic{j}"),
            user_name: format!("Synthetic{j}"),
            game: j % games.max(1),
            language: LANGUAGES[j % LANGUAGES.len()],
            title: format!("Synthetic stream {j}"),
            started_at: seconds_before(seed_now(), 300 + mix(n) % 43_200),
        }
    }

    /// The index of the synthetic user with this id or login, if it is one.
    pub(crate) fn index_of_user(id_or_login: &str) -> Option<usize> {
        if let Some(j) = id_or_login.to_ascii_lowercase().strip_prefix("synthetic") {
            return j.parse().ok().filter(|j: &usize| j.to_string().len() == id_or_login.len() - 9);
        }
        let id: u64 = id_or_login.parse().ok()?;
        let j = id.checked_sub(SYNTHETIC_USER_BASE)?;
        (id.to_string() == id_or_login).then_some(j as usize)
    }

    /// The language of synthetic stream `j`, without building it.
    pub(crate) fn language_of(j: usize) -> &'static str {
        LANGUAGES[j % LANGUAGES.len()]
    }
}

fn make_videos(users: &[User], channels: &[Channel]) -> Vec<Video> {
    let mut rng = Rng::new(0x01DE05);
    let mut videos = Vec::new();
    let mut counter: u64 = 0;
    for i in 0..400.min(users.len()) {
        let count = if i == 0 { 45 } else { rng.below(6) };
        for n in 0..count {
            let kind = match (i, n) {
                (0, 0) => VideoKind::Archive,
                (0, 1) => VideoKind::Highlight,
                (0, 2) => VideoKind::Upload,
                _ => match rng.below(4) {
                    0 | 1 => VideoKind::Archive,
                    2 => VideoKind::Highlight,
                    _ => VideoKind::Upload,
                },
            };
            counter += 1;
            let id = (2_100_000_000 + counter * 100 + mix(counter ^ 0x71D) % 100).to_string();
            let created_at = seconds_before(seed_now(), rng.range(3600, 86_400 * 90));
            let published_at = if kind == VideoKind::Upload {
                created_at + Duration::seconds(i64::try_from(rng.below(7200)).unwrap_or(0))
            } else {
                created_at
            };
            let duration_secs = match kind {
                VideoKind::Archive => rng.range(1800, 8 * 3600),
                VideoKind::Highlight => rng.range(30, 1800),
                VideoKind::Upload => rng.range(60, 3600),
            };
            let stream_id = (kind == VideoKind::Archive)
                .then(|| (39_000_000_000u64 + counter * 1000 + mix(counter) % 1000).to_string());
            let muted_segments = if kind == VideoKind::Archive && rng.chance(30) {
                let mut segs = Vec::new();
                let mut offset = rng.below(600);
                for _ in 0..rng.range(1, 3) {
                    let d = rng.range(1, 18) * 30;
                    if offset + d > duration_secs {
                        break;
                    }
                    segs.push((d, offset));
                    offset += d + rng.range(60, 1200);
                }
                Some(segs)
            } else {
                None
            };
            let game = channels[i].game;
            videos.push(Video {
                id,
                user: i,
                stream_id,
                title: format!("{} #{}", channels[i].title, n + 1),
                description: if rng.chance(60) {
                    String::new()
                } else {
                    format!("Video {} from {}", n + 1, users[i].display_name)
                },
                created_at,
                published_at,
                view_count: rng.below(100_000),
                language: channels[i].language.clone(),
                kind,
                duration_secs,
                muted_segments,
                game,
                trending: rng.below(1_000_000),
            });
        }
    }
    videos
}

fn make_clips(users: &[User], channels: &[Channel], videos: &[Video]) -> Vec<Clip> {
    let mut rng = Rng::new(0xC11B5);
    let mut clips = Vec::new();
    let mut counter: u64 = 0;
    for (i, channel) in channels.iter().enumerate().take(300) {
        let count = if i == 0 { 150 } else { rng.below(5) };
        let archives: Vec<&Video> = videos.iter().filter(|v| v.user == i && v.kind == VideoKind::Archive).collect();
        for _ in 0..count {
            counter += 1;
            let id = format!(
                "{}{}{}{}-{}",
                rng.pick(CLIP_WORDS),
                rng.pick(CLIP_WORDS),
                rng.pick(CLIP_ANIMALS),
                rng.pick(CLIP_EMOTES),
                rng::base62(counter, 0xC1, 16)
            );
            let (video_id, vod_offset) = if !archives.is_empty() && rng.chance(50) {
                let v = archives[rng.below(archives.len() as u64) as usize];
                (v.id.clone(), Some(rng.below(v.duration_secs.max(1))))
            } else {
                (String::new(), None)
            };
            let game = if rng.chance(80) { channel.game } else { Some(rng.below(40) as usize) };
            let r = (rng.below(1000) as f64 + 1.0) / 1000.0;
            clips.push(Clip {
                id,
                broadcaster: i,
                creator: rng.below(users.len() as u64) as usize,
                video_id,
                vod_offset,
                game,
                language: channel.language.clone(),
                title: format!("{} moment", rng.pick(CLIP_WORDS)),
                view_count: (50_000.0 * r.powi(4)) as u64 + rng.below(20),
                created_at: seconds_before(seed_now(), rng.range(600, 86_400 * 60)),
                duration_tenths: rng.range(50, 600),
                is_featured: rng.chance(20),
            });
        }
    }
    // Get Clips lists by view count, descending.
    clips.sort_by(|a, b| b.view_count.cmp(&a.view_count).then(a.id.cmp(&b.id)));
    clips
}

type FollowIndex = HashMap<usize, Vec<(usize, DateTime<Utc>)>>;

fn make_follows(users: &[User]) -> (FollowIndex, FollowIndex) {
    let mut rng = Rng::new(0xF0110);
    let mut edges: Vec<(usize, usize, DateTime<Utc>)> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let mut add = |edges: &mut Vec<_>, follower: usize, broadcaster: usize, at| {
        if follower != broadcaster && seen.insert((follower, broadcaster)) {
            edges.push((follower, broadcaster, at));
        }
    };
    let when = |rng: &mut Rng| seconds_before(seed_now(), rng.range(3600, 86_400 * 900));
    // The featured broadcaster's followers.
    for f in 10..10 + FEATURED_FOLLOWERS {
        let at = when(&mut rng);
        add(&mut edges, f, 0, at);
    }
    // user 10 follows a lot of channels.
    for b in 11..40 {
        let at = when(&mut rng);
        add(&mut edges, 10, b, at);
    }
    // The featured broadcaster and its moderator follow a few channels.
    for b in [3, 5, 8, 12, 40] {
        let at = when(&mut rng);
        add(&mut edges, 0, b, at);
        let at = when(&mut rng);
        add(&mut edges, 1, b, at);
    }
    // Background noise.
    for u in 0..1500.min(users.len()) {
        for _ in 0..rng.below(6) {
            let b = rng.below(400) as usize;
            let at = when(&mut rng);
            add(&mut edges, u, b, at);
        }
    }
    let mut followers: FollowIndex = HashMap::new();
    let mut followed: FollowIndex = HashMap::new();
    for (f, b, at) in edges {
        followers.entry(b).or_default().push((f, at));
        followed.entry(f).or_default().push((b, at));
    }
    for list in followers.values_mut().chain(followed.values_mut()) {
        list.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    }
    (followers, followed)
}

fn make_moderators(users: &[User]) -> HashMap<usize, Vec<usize>> {
    let mut rng = Rng::new(0x30D5);
    let mut mods: HashMap<usize, Vec<usize>> = HashMap::new();
    mods.insert(0, vec![1, 2, 3]);
    for b in 1..300.min(users.len()) {
        let mut list = Vec::new();
        for _ in 0..rng.below(3) {
            let m = rng.below(users.len() as u64) as usize;
            if m != b && m != 10 && !list.contains(&m) {
                list.push(m);
            }
        }
        if !list.is_empty() {
            mods.insert(b, list);
        }
    }
    mods
}

fn make_extensions(streams: &[Stream]) -> Vec<Extension> {
    let mut live: Vec<usize> = streams.iter().map(|s| s.user).collect();
    live.sort_unstable();
    let ext_id = |k: u64| rng::token(k, 0xE87);
    vec![
        Extension {
            id: ext_id(1),
            live_on: live.iter().copied().filter(|u| u % 13 == 2).take(LIVE_EXTENSION_CHANNELS).collect(),
        },
        Extension { id: ext_id(2), live_on: live.iter().copied().filter(|u| u % 401 == 5).collect() },
        Extension { id: ext_id(3), live_on: Vec::new() },
    ]
}

impl Seed {
    /// Builds the world.
    pub(crate) fn build() -> Seed {
        let users = make_users();
        let user_by_id = users.iter().enumerate().map(|(i, u)| (u.id.clone(), i)).collect();
        let user_by_login = users.iter().enumerate().map(|(i, u)| (u.login.clone(), i)).collect();
        let games = make_games();
        let game_by_id: HashMap<String, usize> = games.iter().enumerate().map(|(i, g)| (g.id.clone(), i)).collect();
        let channels = make_channels(&users, &games);
        let streams = make_streams(&users);
        let stream_of_user = streams.iter().enumerate().map(|(k, s)| (s.user, k)).collect();

        // Top games: total viewers per game across live streams.
        let mut viewers = vec![0u64; games.len()];
        for s in &streams {
            if let Some(g) = channels[s.user].game {
                viewers[g] += s.viewer_count;
            }
        }
        let mut top_games: Vec<usize> = (0..games.len()).collect();
        top_games.sort_by(|a, b| viewers[*b].cmp(&viewers[*a]).then(a.cmp(b)));

        let videos = make_videos(&users, &channels);
        let video_by_id = videos.iter().enumerate().map(|(i, v)| (v.id.clone(), i)).collect();
        let mut videos_of_user: HashMap<usize, Vec<usize>> = HashMap::new();
        for (k, v) in videos.iter().enumerate() {
            videos_of_user.entry(v.user).or_default().push(k);
        }
        for list in videos_of_user.values_mut() {
            list.sort_by(|a, b| videos[*b].created_at.cmp(&videos[*a].created_at).then(a.cmp(b)));
        }
        let clips = make_clips(&users, &channels, &videos);
        let clip_by_id = clips.iter().enumerate().map(|(i, c)| (c.id.clone(), i)).collect();
        let (followers, followed) = make_follows(&users);
        let moderators = make_moderators(&users);
        let extensions = make_extensions(&streams);

        let offline = (0..users.len()).find(|&i| !is_live(i)).unwrap_or(0);
        let no_igdb = games.iter().find(|g| g.igdb_id.is_empty()).map(|g| g.id.clone());
        let top = top_games.first().copied().unwrap_or(0);
        let own_videos = videos_of_user.get(&0).cloned().unwrap_or_default();
        let find_video = |kind: VideoKind| {
            own_videos.iter().map(|&k| &videos[k]).find(|v| v.kind == kind).map(|v| v.id.clone()).unwrap_or_default()
        };
        let info = SeedInfo {
            user_count: users.len(),
            live_stream_count: streams.len(),
            user_ids: users.iter().take(10).map(|u| u.id.clone()).collect(),
            user_logins: users.iter().take(10).map(|u| u.login.clone()).collect(),
            broadcaster_id: users[0].id.clone(),
            broadcaster_login: users[0].login.clone(),
            broadcaster_follower_count: followers.get(&0).map_or(0, Vec::len),
            broadcaster_chatter_count: chatter_count(0),
            moderator_id: users[1].id.clone(),
            follower_id: users[10].id.clone(),
            follower_followed_count: followed.get(&10).map_or(0, Vec::len),
            offline_user_id: users[offline].id.clone(),
            offline_user_login: users[offline].login.clone(),
            game_id: games[top].id.clone(),
            game_name: games[top].name.clone(),
            game_without_igdb_id: no_igdb.unwrap_or_default(),
            game_count: games.len(),
            live_extension_id: extensions[0].id.clone(),
            live_extension_channel_count: extensions[0].live_on.len(),
            idle_extension_id: extensions[2].id.clone(),
            clip_id: clips.iter().find(|c| c.broadcaster == 0).map(|c| c.id.clone()).unwrap_or_default(),
            broadcaster_clip_count: clips.iter().filter(|c| c.broadcaster == 0).count(),
            video_id: find_video(VideoKind::Archive),
            highlight_video_id: find_video(VideoKind::Highlight),
            broadcaster_video_count: own_videos.len(),
            search_query: "otter".to_owned(),
        };
        Seed {
            users,
            user_by_id,
            user_by_login,
            games,
            game_by_id,
            top_games,
            channels,
            streams,
            stream_of_user,
            videos,
            video_by_id,
            videos_of_user,
            clips,
            clip_by_id,
            followers,
            followed,
            moderators,
            extensions,
            info,
        }
    }

    /// Whether `user` is the broadcaster or one of its moderators.
    pub(crate) fn is_broadcaster_or_mod(&self, broadcaster: usize, user: usize) -> bool {
        broadcaster == user || self.moderators.get(&broadcaster).is_some_and(|m| m.contains(&user))
    }

    /// The users in a broadcaster's chat, in a stable order.
    pub(crate) fn chatters(&self, broadcaster: usize) -> Vec<usize> {
        let n = self.users.len();
        if n == 0 {
            return Vec::new();
        }
        let count = chatter_count(broadcaster).min(n);
        // 13 is coprime with the user count (3000), so this visits distinct users.
        let start = (mix(broadcaster as u64 ^ 0xC4A7) % n as u64) as usize;
        (0..count).map(|k| (start + k * 13) % n).collect()
    }
}

fn chatter_count(broadcaster: usize) -> usize {
    if broadcaster == 0 { FEATURED_CHATTERS } else { 1 + (mix(broadcaster as u64) % 60) as usize }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_is_deterministic_and_big_enough() {
        let a = Seed::build();
        let b = Seed::build();
        assert_eq!(a.info, b.info);
        assert!(a.users.len() >= 300);
        assert!(a.streams.len() >= 2500);
        assert!(a.games.len() >= 50);
        assert!(a.info.broadcaster_follower_count > 250);
        assert!(a.info.live_extension_channel_count > 150);
        assert!(a.info.follower_followed_count > 20);
        assert!(a.info.broadcaster_clip_count > 100);
        assert!(a.info.broadcaster_video_count > 40);
        assert!(!a.info.video_id.is_empty() && !a.info.highlight_video_id.is_empty());
        assert!(!a.info.game_without_igdb_id.is_empty());
        assert_eq!(a.user_by_id.len(), a.users.len());
        assert_eq!(a.user_by_login.len(), a.users.len());
        assert_eq!(a.clip_by_id.len(), a.clips.len());
        assert_eq!(a.video_by_id.len(), a.videos.len());
        assert_eq!(a.game_by_id.len(), a.games.len());
        let chatters = a.chatters(0);
        let unique: std::collections::HashSet<_> = chatters.iter().collect();
        assert_eq!(unique.len(), chatters.len());
        assert!(a.users.iter().any(|u| u.user_type.is_empty()));
        assert!(a.users.iter().any(|u| u.broadcaster_type.is_empty()));
        assert!(a.stream_of_user.contains_key(&0));
        let search = a.users.iter().filter(|u| u.login.contains(&a.info.search_query)).count();
        assert!(search > 20);
    }
}
