//! The live event catalogue (reference C.4): which `livesubscribe` names exist, and who
//! may subscribe to them.

/// The events of each `{scope}:{id}:{event}` family (the id is an integer, a UUID for
/// `costream`).
const FAMILIES: [(&str, &[&str]); 7] = [
    (
        "channel",
        &[
            "followed",
            "hosted",
            "unhosted",
            "subscribed",
            "resubscribed",
            "resubShared",
            "directPurchased",
            "update",
            "skill",
            "patronageUpdate",
            "subscriptionGifted",
            "status",
        ],
    ),
    ("costream", &["update"]),
    ("interactive", &["connect", "disconnect"]),
    ("team", &["deleted", "memberAccepted", "memberInvited", "memberRemoved", "ownerChanged"]),
    (
        "user",
        &[
            "achievement",
            "followed",
            "notify",
            "subscribed",
            "resubscribed",
            "subscriptionGifted",
            "teamAccepted",
            "teamRemoved",
            "teamInvited",
            "update",
        ],
    ),
    ("progression", &["levelup"]),
    ("announcement", &[]),
];

fn is_uuid(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups.iter().zip([8, 4, 4, 4, 12]).all(|(g, n)| g.len() == n && g.chars().all(|c| c.is_ascii_hexdigit()))
}

/// Whether `name` is an event of the catalogue.
pub fn known(name: &str) -> bool {
    if name == "announcement:announce" {
        return true;
    }
    let parts: Vec<&str> = name.split(':').collect();
    let [scope, id, event] = parts.as_slice() else { return false };
    let id_ok = if *scope == "costream" {
        is_uuid(id)
    } else {
        !id.is_empty() && id.len() <= 19 && id.chars().all(|c| c.is_ascii_digit())
    };
    id_ok && FAMILIES.iter().any(|(s, events)| s == scope && events.contains(event))
}

/// Whether a session authenticated as user id `user` (`None`: not authenticated) may
/// subscribe to the known event `name`: `user:{id}:notify` only as that user (C.4).
pub fn permitted(name: &str, user: Option<i64>) -> bool {
    match name.strip_prefix("user:").and_then(|r| r.strip_suffix(":notify")) {
        Some(id) => user.is_some_and(|u| u.to_string() == id),
        None => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_catalogue_knows_its_families_and_ids() {
        for ok in [
            "channel:5000:followed",
            "user:1000:update",
            "announcement:announce",
            "costream:0b3a6b49-1b8d-4cc1-8a4c-3a3d0b8b9e11:update",
            "progression:5000:levelup",
        ] {
            assert!(known(ok), "{ok}");
        }
        for bad in [
            "channel:x:followed",
            "channel:5000:sneezed",
            "user:1:secrets",
            "channel:1",
            "costream:1:update",
            "my silly event",
        ] {
            assert!(!known(bad), "{bad}");
        }
    }

    #[test]
    fn notify_needs_that_user() {
        assert!(permitted("user:1000:notify", Some(1000)));
        assert!(!permitted("user:1000:notify", Some(1001)));
        assert!(!permitted("user:1000:notify", None));
        assert!(permitted("user:1000:update", None));
    }
}
