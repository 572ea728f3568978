"""Schemathesis hooks for the sandbox's property-based contract run.

`sandbox/tests/schemathesis.rs` starts a sandbox, writes the seeded ids it relies on to the
environment variable `STREAMKIT_SANDBOX_SEED` (JSON) and runs `schemathesis run` with
`SCHEMATHESIS_HOOKS` pointing at this file. Nothing here relaxes a check. The hooks do three
things, each listed with its reason:

1. `before_load_schema` adds SPEC_GAPS to the loaded spec. Each gap is a constraint the spec
   already states in prose or implies (a required id cannot be empty), but that is missing as
   a JSON Schema keyword, e.g. `minLength: 1` on a required id. Without the keyword,
   schemathesis treats `""` as valid data and the (correct) 400 as a failure. With it, `""` is
   tested as invalid data, so the run checks more, not less. A patch is skipped when the spec
   already has the keyword, so each one can be deleted once specs/twitch/*.yaml carries it.

2. `before_call` rewrites *positive* (schema-valid) cases only, so that they also satisfy the
   rules OpenAPI 3.0 cannot express for query parameters. Most rules are a sentence of the
   spec, quoted in `rules_helix` and `rules_oauth`: "exactly one of `id`, `user_id` and
   `game_id`", mutually exclusive filters, `after` XOR `before`, cursors are opaque values the
   server handed out, ids that must name the token's user, and so on. The others are facts no
   schema can state: which ids exist and which credentials are valid. It also draws ids from
   the seeded world with a fixed probability, so that most requests reach the handlers' real
   logic. A positive case that breaks none of these rules is sent unchanged (apart from the id
   draws). Negative cases are never touched. schemathesis revalidates every rewritten case
   against the schema, so a rewrite cannot turn a positive case into an invalid one
   unnoticed.

3. `after_call` remembers the cursors, subscription ids and tokens the sandbox hands out, so
   that later positive cases can send them back, as a real client would.

The Mixer run (specs/mixer/core.yaml) has its own section below: `rules_mixer` (the same three
kinds of rules, for Mixer's prose), `after_call_mixer`, and the auth provider `MixerToken`,
registered only in that run's process.

Every random choice uses a `random.Random` seeded from a hash of the case itself. With
`--generation-deterministic`, the whole run is therefore reproducible.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
from datetime import datetime
from typing import Any
from urllib.parse import parse_qs

import requests  # a dependency of schemathesis
import schemathesis

SEED: dict[str, Any] = json.loads(os.environ.get("STREAMKIT_SANDBOX_SEED", "{}"))
TOKEN_USER: str = SEED.get("broadcaster_id", "")
CLIENT_ID: str = SEED.get("client_id", "")
CLIENT_SECRET: str = SEED.get("client_secret", "")
OAUTH_URL: str = SEED.get("oauth_url", "")


def _pool(*values: Any) -> list[str]:
    """The distinct non-empty strings among `values` (lists are flattened), in order."""
    flat: list[Any] = []
    for value in values:
        flat.extend(value if isinstance(value, list) else [value])
    return [v for v in dict.fromkeys(flat) if isinstance(v, str) and v]


USER_IDS = _pool(
    TOKEN_USER, SEED.get("user_ids"), SEED.get("follower_id"), SEED.get("offline_user_id")
)
LOGINS = _pool(SEED.get("user_logins"), SEED.get("offline_user_login"))
GAME_IDS = _pool(SEED.get("game_id"), SEED.get("game_without_igdb_id"))
GAME_NAMES = _pool(SEED.get("game_name"))
CLIP_IDS = _pool(SEED.get("clip_id"))
VIDEO_IDS = _pool(SEED.get("video_id"), SEED.get("highlight_video_id"))
# Mostly the live extension; the idle one gets the documented 404.
EXTENSION_IDS = _pool(SEED.get("live_extension_id")) * 3 + _pool(SEED.get("idle_extension_id"))
WEBSOCKET_SESSIONS = _pool(SEED.get("websocket_sessions"))
SEARCH_QUERIES = _pool(SEED.get("search_query"), [login[:4] for login in LOGINS[:3]])

# How often a generated id is replaced by a seeded one. The rest keep the generated value, so
# the "id that names nothing" path is still exercised wherever the spec allows it.
P_SEEDED = 0.75
# How often an id that must name the token's user is set to it (the rest get the 401 the
# spec documents).
P_OWN = 0.875

# ---------------------------------------------------------------------------------------------
# 1. Spec gaps
# ---------------------------------------------------------------------------------------------

# (spec title prefix, location, keywords, why). A location is a path of keys from the document
# root; "param:NAME" picks the parameter named NAME from a `parameters` list, and "[]" steps
# into `items`.
SPEC_GAPS: list[tuple[str, tuple[str, ...], dict[str, Any], str]] = []


def _gap(
    location: tuple[str, ...], keywords: dict[str, Any], why: str, spec: str = "Twitch Helix"
) -> None:
    SPEC_GAPS.append((spec, location, keywords, why))


_REQUIRED_ID = "required; an empty value is a missing one (400 'Missing required parameter')"
for _path, _method, _name in [
    ("/channels", "patch", "broadcaster_id"),
    ("/channels/followers", "get", "broadcaster_id"),
    ("/channels/followed", "get", "user_id"),
    ("/search/channels", "get", "query"),
    ("/eventsub/subscriptions", "delete", "id"),
    ("/extensions/live", "get", "extension_id"),
    ("/chat/chatters", "get", "broadcaster_id"),
    ("/chat/chatters", "get", "moderator_id"),
]:
    _gap(("paths", _path, _method, f"param:{_name}", "schema"), {"minLength": 1}, _REQUIRED_ID)
_gap(
    ("paths", "/channels", "get", "param:broadcaster_id", "schema", "[]"),
    {"minLength": 1},
    "the only (required) filter; a request whose ids are all empty names no broadcaster (400)",
)
for _field in ["broadcaster_id", "sender_id", "message"]:
    _gap(
        ("components", "schemas", "SendChatMessageBody", "properties", _field),
        {"minLength": 1},
        "a required field; an empty one is a 400",
    )
for _field in ["type", "version"]:
    _gap(
        ("components", "schemas", "CreateEventsubSubscriptionBody", "properties", _field),
        {"minLength": 1},
        "a required field; an empty one is a 400",
    )
_gap(
    ("components", "schemas", "EventSubTransportRequest", "properties", "secret"),
    {"minLength": 10, "maxLength": 100},
    "its description: 'It must be ASCII, 10 to 100 characters long'",
)
_gap(
    ("components", "schemas", "ModifyChannelInformationBody", "properties", "tags", "[]"),
    {"minLength": 1, "maxLength": 25},
    "its description: 'each 1 to 25 characters'",
)
_gap(
    ("components", "schemas", "ModifyChannelInformationBody"),
    {"minProperties": 1},
    "its description: 'the body must set at least one' field",
)


def _resolve(doc: Any, location: tuple[str, ...]) -> Any:
    node = doc
    for step in location:
        if node is None:
            return None
        if step == "[]":
            node = node.get("items")
        elif step.startswith("param:"):
            name = step[len("param:") :]
            node = next((p for p in node.get("parameters", []) if p.get("name") == name), None)
        else:
            node = node.get(step)
    return node


@schemathesis.hook
def before_load_schema(context, raw_schema: dict[str, Any]) -> None:
    title = raw_schema.get("info", {}).get("title", "")
    for spec, location, keywords, _why in SPEC_GAPS:
        if not title.startswith(spec):
            continue
        node = _resolve(raw_schema, location)
        if not isinstance(node, dict):
            raise RuntimeError(f"hooks.py: SPEC_GAPS location {location} is gone from {title}")
        for key, value in keywords.items():
            node.setdefault(key, value)


# ---------------------------------------------------------------------------------------------
# 2. Positive-case rules
# ---------------------------------------------------------------------------------------------

# Values the sandbox handed out, by operation label (see `after_call`).
CURSORS: dict[str, list[str]] = {}
SUBSCRIPTION_IDS: list[str] = []
# Tokens the test minted for `POST /revoke` to revoke, plus the ones `POST /token` hands out.
ACCESS_TOKENS: list[str] = list(SEED.get("revocable_tokens", []))
REFRESH_TOKENS: list[str] = []
DEVICE_CODES: list[str] = []
DEVICE_COUNT = [0]


def _rng(case) -> random.Random:
    body = case.body if isinstance(case.body, (dict, list, str)) else None
    material = json.dumps([case.operation.label, case.query, body], sort_keys=True, default=str)
    return random.Random(hashlib.sha256(material.encode()).digest())


def _present(query: dict[str, Any], key: str) -> bool:
    """Whether a query parameter is given with a non-empty value (the sandbox, like Twitch,
    treats `key=` as absent)."""
    value = query.get(key)
    if isinstance(value, list):
        return any(str(v) != "" for v in value)
    return value is not None and str(value) != ""


def _maybe(rng: random.Random, value: Any, pool: list[str], p: float = P_SEEDED) -> Any:
    return rng.choice(pool) if pool and rng.random() < p else value


def _maybe_each(rng: random.Random, query: dict[str, Any], key: str, pool: list[str]) -> None:
    value = query.get(key)
    if isinstance(value, list):
        query[key] = [_maybe(rng, v, pool) for v in value]
    elif value is not None:
        query[key] = _maybe(rng, value, pool)


def _exactly_one(
    rng: random.Random, query: dict[str, Any], keys: list[str], fill: dict[str, list[str]]
) -> str:
    """'Exactly one of ... is required. They are mutually exclusive.'"""
    given = [k for k in keys if _present(query, k)]
    keep = rng.choice(given) if given else rng.choice(keys)
    for k in keys:
        if k != keep:
            query.pop(k, None)
    if not _present(query, keep):
        value = rng.choice(fill[keep])
        query[keep] = [value] if _is_array_param(keep, fill) else value
    return keep


def _is_array_param(key: str, fill: dict[str, list[str]]) -> bool:
    return key in fill.get("__arrays__", [])


def _at_most_one(rng: random.Random, query: dict[str, Any], keys: list[str]) -> None:
    """'The filters ... are mutually exclusive.'"""
    given = [k for k in keys if _present(query, k)]
    if len(given) > 1:
        keep = rng.choice(given)
        for k in given:
            if k != keep:
                query.pop(k, None)


def _cap_total(query: dict[str, Any], keys: list[str], limit: int) -> None:
    """'at most 100 ... in total across ...': trim the later keys first."""
    total = sum(len(query[k]) for k in keys if isinstance(query.get(k), list))
    for k in reversed(keys):
        values = query.get(k)
        if total <= limit or not isinstance(values, list):
            continue
        drop = min(total - limit, len(values))
        query[k] = values[: len(values) - drop]
        total -= drop


def _cursors(rng: random.Random, label: str, query: dict[str, Any]) -> None:
    """Cursors are opaque: only a value taken from `pagination` is meaningful ('Cursor for
    the next page, taken from `pagination.cursor`'), and `after` and `before` are mutually
    exclusive. A generated cursor is swapped for one the sandbox handed out, or dropped."""
    _at_most_one(rng, query, ["after", "before"])
    known = CURSORS.get(label, [])
    for key in ("after", "before"):
        if key not in query:
            continue
        if str(query[key]) == "" or query[key] in known:
            continue
        if known and rng.random() < P_SEEDED:
            query[key] = rng.choice(known)
        else:
            query.pop(key)


def _ascii_tag(rng: random.Random, tag: Any) -> str:
    tag = "".join(c for c in str(tag) if c.isascii() and c.isalnum())[:25]
    return tag or rng.choice(["Rust", "English", "Speedrun", "Chill"])


MODIFY_CHANNEL_FIELDS = (
    "game_id",
    "broadcaster_language",
    "title",
    "delay",
    "tags",
    "content_classification_labels",
    "is_branded_content",
)


def _instant(value: Any) -> datetime | None:
    """An RFC 3339 timestamp (always with an offset) as an instant."""
    try:
        instant = datetime.fromisoformat(str(value).upper())
    except ValueError:
        return None
    return instant if instant.tzinfo is not None else None


def rules_helix(case, rng: random.Random) -> None:
    label = case.operation.label
    query: dict[str, Any] = case.query if isinstance(case.query, dict) else {}
    body = case.body if isinstance(case.body, dict) else None

    if label == "GET /users":
        _maybe_each(rng, query, "id", USER_IDS)
        _maybe_each(rng, query, "login", LOGINS)
        # "The request may name at most 100 users in total across `id` and `login`."
        _cap_total(query, ["id", "login"], 100)
    elif label == "GET /streams":
        _maybe_each(rng, query, "user_id", USER_IDS)
        _maybe_each(rng, query, "user_login", LOGINS)
        _maybe_each(rng, query, "game_id", GAME_IDS)
    elif label == "GET /videos":
        # "Exactly one of `id`, `user_id` and `game_id` is required."
        fill = {"id": VIDEO_IDS, "user_id": [TOKEN_USER], "game_id": GAME_IDS, "__arrays__": ["id"]}
        _exactly_one(rng, query, ["id", "user_id", "game_id"], fill)
        _maybe_each(rng, query, "id", VIDEO_IDS)
        _maybe_each(rng, query, "user_id", [TOKEN_USER])
        _maybe_each(rng, query, "game_id", GAME_IDS)
    elif label == "GET /channels":
        _maybe_each(rng, query, "broadcaster_id", USER_IDS)
    elif label == "PATCH /channels":
        # "It must be the user in the access token."
        query["broadcaster_id"] = _maybe(rng, query.get("broadcaster_id", ""), [TOKEN_USER], P_OWN)
        if body is not None:
            # "The body's fields are all optional, but the body must set at least one of them"
            # (properties the spec does not list do not count).
            if not any(k in body for k in MODIFY_CHANNEL_FIELDS):
                body["title"] = rng.choice(["Speedrunning all day", "Chill stream", "x"])
            if "game_id" in body:
                body["game_id"] = _maybe(rng, body["game_id"], GAME_IDS, 0.5)
            # "each 1 to 25 characters with no spaces or special characters"
            if isinstance(body.get("tags"), list):
                body["tags"] = [_ascii_tag(rng, t) for t in body["tags"]]
    elif label == "GET /channels/followers":
        # The broadcaster must be a user that exists (otherwise: 400 "The ID in
        # broadcaster_id is not valid"). No schema can say which ids exist.
        query["broadcaster_id"] = rng.choice(USER_IDS)
        _maybe_each(rng, query, "user_id", USER_IDS)
    elif label == "GET /channels/followed":
        # "It must be the user in the access token."
        query["user_id"] = _maybe(rng, query.get("user_id", ""), [TOKEN_USER], P_OWN)
        _maybe_each(rng, query, "broadcaster_id", USER_IDS)
    elif label == "GET /search/channels":
        _maybe_each(rng, query, "query", SEARCH_QUERIES)
    elif label == "GET /eventsub/subscriptions":
        _maybe_each(rng, query, "subscription_id", SUBSCRIPTION_IDS)
        _maybe_each(rng, query, "user_id", USER_IDS)
        # "The filters `status`, `type`, `user_id` and `subscription_id` are mutually exclusive."
        # (After the draws above, which can turn an empty, i.e. absent, filter into a real one.)
        _at_most_one(rng, query, ["status", "type", "user_id", "subscription_id"])
    elif label == "POST /eventsub/subscriptions" and body is not None:
        condition = body.get("condition")
        if isinstance(condition, dict):
            # Users named in a condition must exist (otherwise: 400). Mostly the token's user:
            # a subscription that names a user who authorized the client costs 0, so the
            # WebSocket limit of `max_total_cost` 10 is not reached at once.
            for key in list(condition):
                if key.endswith("user_id"):
                    condition[key] = TOKEN_USER if rng.random() < P_SEEDED else rng.choice(USER_IDS)
        transport = body.get("transport")
        if isinstance(transport, dict):
            # "websocket transport needs a user access token" (the run's token); webhook and
            # conduit get the documented 401 in the remaining cases.
            if rng.random() < P_SEEDED:
                transport["method"] = "websocket"
            # "Set the fields that belong to `method`."
            method = transport.get("method")
            # "For `websocket`, the session id from the Welcome message": only a session the
            # EventSub websocket issued and that is still connected (otherwise: 400). The
            # test keeps WEBSOCKET_SESSIONS open for the whole run.
            if method == "websocket" and WEBSOCKET_SESSIONS:
                transport["session_id"] = rng.choice(WEBSOCKET_SESSIONS)
            if method == "conduit" and not transport.get("conduit_id"):
                transport["conduit_id"] = f"{rng.getrandbits(128):032x}"
            if method == "webhook":
                # "the HTTPS callback URL on port 443".
                if not str(transport.get("callback", "")).startswith("https://"):
                    transport["callback"] = "https://example.com/eventsub"
            if method == "webhook" or "secret" in transport:
                # The secret "must be ASCII" (with any method; webhook needs one).
                secret = "".join(c for c in str(transport.get("secret", "")) if c.isascii())
                transport["secret"] = (secret + "0123456789")[: max(10, min(len(secret), 100))]
    elif label == "DELETE /eventsub/subscriptions":
        _maybe_each(rng, query, "id", SUBSCRIPTION_IDS)
    elif label == "GET /extensions/live":
        _maybe_each(rng, query, "extension_id", EXTENSION_IDS)
    elif label == "GET /clips":
        # "Exactly one of `broadcaster_id`, `game_id` and `id` is required."
        fill = {
            "broadcaster_id": [TOKEN_USER],
            "game_id": GAME_IDS,
            "id": CLIP_IDS,
            "__arrays__": ["id"],
        }
        _exactly_one(rng, query, ["broadcaster_id", "game_id", "id"], fill)
        _maybe_each(rng, query, "broadcaster_id", [TOKEN_USER])
        _maybe_each(rng, query, "game_id", GAME_IDS)
        _maybe_each(rng, query, "id", CLIP_IDS)
        # "twitch-cli rejects `ended_at` without `started_at`", and a window cannot end before
        # it starts (the sandbox answers 400; the spec does not say so yet: reported).
        if _present(query, "ended_at") and not _present(query, "started_at"):
            query.pop("ended_at")
        if _present(query, "ended_at"):
            start, end = _instant(query["started_at"]), _instant(query["ended_at"])
            if start and end and end < start:
                query["started_at"], query["ended_at"] = query["ended_at"], query["started_at"]
    elif label == "GET /games":
        # "At least one of `id`, `name` and `igdb_id` is required ... up to 100 values in total."
        if not any(_present(query, k) for k in ("id", "name", "igdb_id")):
            query["id"] = [rng.choice(GAME_IDS)]
        _maybe_each(rng, query, "id", GAME_IDS)
        _maybe_each(rng, query, "name", GAME_NAMES)
        _cap_total(query, ["id", "name", "igdb_id"], 100)
    elif label == "POST /chat/messages" and body is not None:
        # "With a user token it must be the token's user."
        body["sender_id"] = _maybe(rng, body.get("sender_id", ""), [TOKEN_USER], P_OWN)
        # The broadcaster must be a user that exists (otherwise: 400).
        body["broadcaster_id"] = rng.choice(USER_IDS)
        # `for_source_only`: "App tokens only (a user token gets a 400)."
        body.pop("for_source_only", None)
    elif label == "GET /chat/chatters":
        # "It must be the user in the access token."
        query["moderator_id"] = _maybe(rng, query.get("moderator_id", ""), [TOKEN_USER], P_OWN)
        # The broadcaster must be a user that exists (otherwise: 400); one the token's user
        # does not moderate gets the documented 403.
        query["broadcaster_id"] = _maybe(rng, rng.choice(USER_IDS), [TOKEN_USER])

    if "after" in query or "before" in query:
        _cursors(rng, label, query)


def _take(rng: random.Random, pool: list[str], value: Any) -> Any:
    """A single-use credential from `pool` (removed from it), with probability P_SEEDED."""
    if pool and rng.random() < P_SEEDED:
        return pool.pop(rng.randrange(len(pool)))
    return value


def _authorization_code(redirect_uri: str) -> str | None:
    """A fresh authorization code, got the way a user's browser gets one: through
    `GET /oauth2/authorize` (a redirect the spec describes only in prose), which the sandbox
    approves at once."""
    response = requests.get(
        f"{OAUTH_URL}/authorize",
        params={"client_id": CLIENT_ID, "redirect_uri": redirect_uri, "response_type": "code"},
        allow_redirects=False,
        timeout=10,
    )
    location = response.headers.get("location", "")
    query = location.split("?", 1)[1] if "?" in location else ""
    return (parse_qs(query).get("code") or [None])[0]


def rules_oauth(case, rng: random.Random) -> None:
    label = case.operation.label
    body = case.body if isinstance(case.body, dict) else None
    if body is None:
        return
    if label in ("POST /token", "POST /device", "POST /revoke"):
        # A client id is a credential: whether an app is registered is not a property of the
        # request's schema (the sandbox, like id.twitch.tv, answers 400 "invalid client").
        body["client_id"] = CLIENT_ID
    if label == "POST /token":
        grant = body.get("grant_type")
        if "client_secret" in body or grant in ("client_credentials", "authorization_code"):
            body["client_secret"] = _maybe(rng, body.get("client_secret"), [CLIENT_SECRET])
        if grant == "authorization_code" and rng.random() < P_SEEDED:
            redirect_uri = str(body.get("redirect_uri") or "http://localhost:3000")
            code = _authorization_code(redirect_uri)
            if code:
                body["code"], body["redirect_uri"] = code, redirect_uri
        if grant == "refresh_token":
            body["refresh_token"] = _take(rng, REFRESH_TOKENS, body.get("refresh_token"))
        if grant == "urn:ietf:params:oauth:grant-type:device_code":
            # Half of the device codes were approved (see `after_call`); the others still get
            # the documented 400 `authorization_pending`.
            body["device_code"] = _take(rng, DEVICE_CODES, body.get("device_code"))
    if label == "POST /revoke":
        body["token"] = _take(rng, ACCESS_TOKENS, body.get("token"))


# ---------------------------------------------------------------------------------------------
# Mixer (specs/mixer/core.yaml). `schemathesis.rs` passes the seeded world under the "mixer" key.
# ---------------------------------------------------------------------------------------------

MIXER: dict[str, Any] = SEED.get("mixer", {})
MIXER_USER_IDS: list[int] = MIXER.get("user_ids", [])
MIXER_CHANNEL_IDS: list[int] = MIXER.get("channel_ids", [])
MIXER_USERNAMES: list[str] = MIXER.get("usernames", [])
MIXER_TYPE_IDS: list[int] = MIXER.get("type_ids", [])
MIXER_TEAM_IDS: list[int] = MIXER.get("team_ids", [])
MIXER_TOKEN_USER = MIXER.get("token_user")
MIXER_TOKEN_CHANNEL = MIXER.get("token_channel")
# The access token of token_user, with every scope the spec names, and single-use
# credentials: authorization codes the test minted (a browser redirect hands them
# out, outside the API), refresh tokens `requestToken` hands out.
MIXER_CREDENTIALS: dict[str, Any] = json.loads(os.environ.get("STREAMKIT_MIXER_CREDENTIALS", "{}"))
MIXER_TOKEN: str = MIXER_CREDENTIALS.get("token", "")
MIXER_CODES: list[str] = list(MIXER_CREDENTIALS.get("codes", []))
MIXER_REFRESH_TOKENS: list[str] = []
# Shortcode handles: approved and denied before the run (the user's answer is a sandbox hook,
# not an API call), plus the pending ones `createShortcode` hands out.
MIXER_HANDLES: list[str] = list(MIXER.get("approved_handles", [])) + list(MIXER.get("denied_handles", []))
MIXER_LIVE_CHANNEL_IDS: list[int] = MIXER.get("live_channel_ids", [])
MIXER_BROADCAST_IDS: list[str] = []
# (channel id, user id) of users `getChatUsers` listed, and channels `setChannelHostee` made
# host: what `getChatUser` and `getChannelHostee` find (the rest get the documented 404).
MIXER_CHATTERS: list[tuple[int, int]] = []
MIXER_HOSTING: list[int] = []
MIXER_CONTINUATIONS: list[str] = []

# The properties `where`, `order` and `fields` may name, by the item type each list answers.
# The spec says the three name properties of the listed objects ("field:op:value", "The
# properties to return"); a name the objects do not have is a 400, like an unknown operator.
_CHANNEL_FIELDS = ["id", "userId", "token", "online", "featured", "partnered", "name", "audience",
                   "viewersTotal", "viewersCurrent", "numFollowers", "typeId"]
_USER_FIELDS = ["id", "username", "level", "experience", "sparks", "verified"]
MIXER_LIST_FIELDS: dict[str, list[str]] = {
    "GET /v1/channels": _CHANNEL_FIELDS,
    "GET /v1/channels/{channelIdOrToken}": _CHANNEL_FIELDS,
    "GET /v1/users/{userId}/follows": _CHANNEL_FIELDS,
    "GET /v1/types/{typeId}/channels": _CHANNEL_FIELDS,
    "GET /v1/channels/{channelId}/follow": _USER_FIELDS,
    "GET /v1/channels/{channelId}/users": _USER_FIELDS,
    "GET /v1/types": ["id", "name", "online", "viewersCurrent"],
    "GET /v1/teams": ["id", "token", "name"],
}
_WHERE_OPERATORS = ["eq", "ne", "lt", "lte", "gt", "gte", "in", "notin"]

# Operations only the channel's owner may call (the spec's "Auth: the channel's owner",
# "Only the fields sent change" on one's own channel): the token's user owns token_channel.
MIXER_OWN_CHANNEL = {
    "PATCH /v1/channels/{channelIdOrToken}",
    "GET /v1/channels/{channelIdOrToken}/details",
    "PUT /v1/channels/{channelId}/hostee",
    "DELETE /v1/channels/{channelId}/hostee",
    "POST /v1/channels/{channelId}/preferences",
    "PATCH /v1/channels/{channelId}/users/{roleOrUserId}",
}


def _mixer_value(rng: random.Random, field: str) -> str:
    if field in ("id", "userId", "typeId", "level", "experience", "sparks", "viewersTotal",
                 "viewersCurrent", "numFollowers"):
        return str(rng.randrange(0, 6000))
    if field in ("online", "featured", "partnered", "verified"):
        return rng.choice(["true", "false"])
    if field == "audience":
        return rng.choice(["family", "teen", "18+"])
    return rng.choice(MIXER_USERNAMES or ["user1"])


def _mixer_where(rng: random.Random, fields: list[str]) -> str:
    clauses = []
    for _ in range(rng.randint(1, 2)):
        field = rng.choice(fields)
        op = rng.choice(_WHERE_OPERATORS)
        count = rng.randint(1, 3) if op in ("in", "notin") else 1
        clauses.append(f"{field}:{op}:" + ";".join(_mixer_value(rng, field) for _ in range(count)))
    return ",".join(clauses)


def rules_mixer(case, rng: random.Random) -> None:
    label = case.operation.label
    query: dict[str, Any] = case.query if isinstance(case.query, dict) else {}
    path: dict[str, Any] = case.path_parameters if isinstance(case.path_parameters, dict) else {}
    body = case.body if isinstance(case.body, dict) else None

    # Every positive case sends the app's Client-ID, as the generated client does (the token
    # comes from `MixerToken`). Negative cases keep their missing or malformed headers.
    headers = case.headers if isinstance(case.headers, dict) else {}
    headers["Client-ID"] = MIXER.get("client_id")
    case.headers = headers

    # Ids: mostly seeded ones, so that requests reach the handlers; the rest keep the generated
    # value and get the documented 404.
    for key, pool in (("userId", MIXER_USER_IDS), ("channelId", MIXER_CHANNEL_IDS),
                      ("typeId", MIXER_TYPE_IDS), ("teamId", MIXER_TEAM_IDS)):
        if key in path:
            path[key] = _maybe(rng, path[key], pool)
    if "channelIdOrToken" in path:
        if isinstance(path["channelIdOrToken"], int):
            path["channelIdOrToken"] = _maybe(rng, path["channelIdOrToken"], MIXER_CHANNEL_IDS)
        else:
            pool = [str(c) for c in MIXER_CHANNEL_IDS] + MIXER_USERNAMES
            path["channelIdOrToken"] = _maybe(rng, path["channelIdOrToken"], pool)
    if label == "PATCH /v1/channels/{channelId}/users/{roleOrUserId}":
        path["roleOrUserId"] = _maybe(rng, path.get("roleOrUserId"), MIXER_USER_IDS)
    if label in MIXER_OWN_CHANNEL and rng.random() < P_OWN:
        key = "channelIdOrToken" if "channelIdOrToken" in path else "channelId"
        # Keep the parameter's type: getChannelDetails' `channelIdOrToken` is a string,
        # updateChannel's an integer.
        path[key] = str(MIXER_TOKEN_CHANNEL) if isinstance(path.get(key), str) else MIXER_TOKEN_CHANNEL
    if "user" in query:
        query["user"] = _maybe(rng, query["user"], MIXER_USER_IDS)
    if label == "GET /v1/channels/{channelId}/broadcast":
        path["channelId"] = _maybe(rng, path.get("channelId"), MIXER_LIVE_CHANNEL_IDS)
    if label == "GET /v1/channels/{channelId}/hostee":
        path["channelId"] = _maybe(rng, path.get("channelId"), MIXER_HOSTING)
    if label == "GET /v2/chats/{channelId}/users/{userId}" and MIXER_CHATTERS and rng.random() < P_SEEDED:
        path["channelId"], path["userId"] = rng.choice(MIXER_CHATTERS)
    if label == "GET /v1/broadcasts/{broadcastId}":
        path["broadcastId"] = _maybe(rng, path.get("broadcastId"), MIXER_BROADCAST_IDS)

    # "A filter, `field:op:value` clauses joined by `,`"; "A sort, `field:ASC|DESC` joined by
    # `,`"; "The properties to return, joined by `,`": a free string only fits the prose by
    # chance, so a positive case gets one that does.
    fields = MIXER_LIST_FIELDS.get(label, _CHANNEL_FIELDS)
    if "where" in query:
        query["where"] = _mixer_where(rng, fields)
    if "order" in query:
        query["order"] = ",".join(
            f"{rng.choice(fields)}:{rng.choice(['ASC', 'DESC', 'asc', 'desc'])}" for _ in range(rng.randint(1, 2))
        )
    if "fields" in query:
        # The spec: "Lists trimmed with `fields` leave out the other properties, so only `id` is
        # required" (and `username` of a user): a trimmed list still names what is required.
        required = ["id", "username"] if fields is _USER_FIELDS else ["id"]
        extra = [f for f in fields if f not in required]
        query["fields"] = ",".join(required + rng.sample(extra, rng.randint(0, 3)))
    # "The token from the previous page's `link` header": opaque, only a handed-out one counts.
    if "continuationToken" in query:
        if MIXER_CONTINUATIONS and rng.random() < P_SEEDED:
            query["continuationToken"] = rng.choice(MIXER_CONTINUATIONS)
        else:
            query.pop("continuationToken")

    if body is not None and label in ("PUT /v1/channels/{channelId}/follow", "DELETE /v1/channels/{channelId}/follow"):
        # A token may follow only as its own user (the 403 is documented for the rest).
        if rng.random() < P_OWN:
            body["user"] = MIXER_TOKEN_USER
    if body is not None and label == "PUT /v1/channels/{channelId}/hostee":
        body["id"] = _maybe(rng, body.get("id"), MIXER_CHANNEL_IDS)
    if body is not None and label in ("POST /v1/oauth/token", "POST /v1/oauth/shortcode"):
        # A client id is a credential: whether an app is registered is not a property of the
        # request's schema.
        body["client_id"] = MIXER.get("client_id")
        if "client_secret" in body:
            body["client_secret"] = MIXER.get("client_secret")
    if body is not None and label == "POST /v1/oauth/token":
        if body.get("grant_type") == "authorization_code":
            body["code"] = _take(rng, MIXER_CODES, body.get("code"))
        if body.get("grant_type") == "refresh_token":
            body["refresh_token"] = _take(rng, MIXER_REFRESH_TOKENS, body.get("refresh_token"))
    if label == "GET /v1/oauth/shortcode/check/{handle}":
        path["handle"] = _maybe(rng, path.get("handle"), MIXER_HANDLES)


def _is_mixer(case) -> bool:
    return case.operation.schema.raw_schema.get("info", {}).get("title", "").startswith("Mixer")


class MixerToken:
    """The test's access token on the positive cases of Mixer operations that take one.

    An auth provider rather than `-H`: schemathesis then knows the token is a real credential
    (its `ignored_auth` check probes the operation without it and with a wrong one, expecting
    401), and negative cases keep their missing or malformed `Authorization` (401, or the
    403 of Mixer's CSRF quirk) instead of having it overwritten. Other specs are left alone.
    """

    def get(self, case, ctx):
        return MIXER_TOKEN

    def set(self, case, data, ctx):
        if not _is_mixer(case) or not data:
            return
        meta = case.meta
        if meta is not None and not meta.generation.mode.is_positive:
            return
        security = case.operation.definition.raw.get("security", [])
        if any("bearer" in requirement for requirement in security):
            case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}


# Registered only in the Mixer run's process: an auth provider changes how schemathesis treats
# every spec's credentials, and the Twitch runs pass theirs with `-H`.
if MIXER:
    schemathesis.auth()(MixerToken)


def after_call_mixer(case, response) -> None:
    label = case.operation.label
    link = response.headers.get("link", "")
    if "continuationToken=" in link:
        token = link.split("continuationToken=", 1)[1].split(">", 1)[0].split("&", 1)[0]
        _remember(MIXER_CONTINUATIONS, token)
    try:
        body = json.loads(response.content or b"null")
    except ValueError:
        return
    if label == "GET /v2/chats/{channelId}/users" and isinstance(body, list):
        channel = case.path_parameters.get("channelId")
        for user in body[:5]:
            pair = (channel, user.get("userId")) if isinstance(user, dict) else None
            if pair and pair not in MIXER_CHATTERS:
                MIXER_CHATTERS.append(pair)
        del MIXER_CHATTERS[:-500]
    if not isinstance(body, dict):
        return
    if label == "POST /v1/oauth/token":
        _remember(MIXER_REFRESH_TOKENS, body.get("refresh_token"))
    if label == "POST /v1/oauth/shortcode":
        _remember(MIXER_HANDLES, body.get("handle"))
    if label == "GET /v1/channels/{channelId}/broadcast":
        _remember(MIXER_BROADCAST_IDS, body.get("id"))
    if label == "PUT /v1/channels/{channelId}/hostee" and isinstance(body.get("id"), int):
        if body["id"] not in MIXER_HOSTING:
            MIXER_HOSTING.append(body["id"])


@schemathesis.hook
def before_call(context, case, kwargs) -> None:
    meta = case.meta
    if meta is not None and not meta.generation.mode.is_positive:
        return
    rng = _rng(case)
    title = case.operation.schema.raw_schema.get("info", {}).get("title", "")
    if title.startswith("Twitch Helix"):
        if case.query is None:
            case.query = {}
        rules_helix(case, rng)
    elif title.startswith("Twitch OAuth"):
        rules_oauth(case, rng)
    elif title.startswith("Mixer"):
        rules_mixer(case, rng)


# ---------------------------------------------------------------------------------------------
# 3. Values the sandbox hands out
# ---------------------------------------------------------------------------------------------


def _remember(pool: list[str], value: Any, limit: int = 500) -> None:
    if isinstance(value, str) and value and value not in pool:
        pool.append(value)
        del pool[:-limit]


@schemathesis.hook
def after_call(context, case, response) -> None:
    if response.status_code >= 300:
        return
    if _is_mixer(case):
        after_call_mixer(case, response)
        return
    try:
        body = json.loads(response.content or b"null")
    except ValueError:
        return
    if not isinstance(body, dict):
        return
    label = case.operation.label
    pagination = body.get("pagination")
    cursor = pagination.get("cursor") if isinstance(pagination, dict) else pagination
    _remember(CURSORS.setdefault(label, []), cursor)
    if label == "POST /eventsub/subscriptions":
        for sub in body.get("data") or []:
            if isinstance(sub, dict):
                _remember(SUBSCRIPTION_IDS, sub.get("id"))
    _remember(ACCESS_TOKENS, body.get("access_token"))
    _remember(REFRESH_TOKENS, body.get("refresh_token"))
    if label == "POST /device" and isinstance(body.get("device_code"), str):
        _remember(DEVICE_CODES, body["device_code"])
        # The user approves every other device code on the activation page, as a person would.
        DEVICE_COUNT[0] += 1
        if DEVICE_COUNT[0] % 2 and isinstance(body.get("verification_uri"), str):
            requests.get(body["verification_uri"], timeout=10)
