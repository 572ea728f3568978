//! Chat frames as they go on the wire (reference B.2): replies, events and the two
//! documented forms of a reply's `error`.

use serde_json::{Value, json};

/// How a reply carries the string errors (`UNOTFOUND`, `UACCESS`, `UNOTJSON`): the newer
/// docs send the bare string, the older ones (and the `auth` method's page) an object
/// `{code: 1, message, stacktrace: "", data: {}}`. Both are documented, so the sandbox can
/// answer either ([`super::super::realtime::MixerRealtime::set_chat_error_form`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ErrorForm {
    /// `"error": "UNOTFOUND"` (default).
    #[default]
    String,
    /// `"error": {"code": 1, "message": "UNOTFOUND", "stacktrace": "", "data": {}}`.
    Object,
}

/// A chat error: one of the documented strings, or one of the official client's numeric codes
/// (4000 Unknown … 4006 AuthServerError), which only ever come as objects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ChatError {
    /// `UNOTFOUND`: the user id and authkey do not match (unknown, reused, for another user
    /// or channel), or the ids are not a channel and user.
    NotFound,
    /// `UACCESS`: no access (banned; here also: the session lacks the method's scope or role).
    Access,
    /// `UNOTJSON`: the frame is not JSON.
    NotJson,
    /// 4001 PurgeUserNotFound.
    PurgeUserNotFound,
    /// 4002 PurgeNoPermissions.
    PurgeNoPermissions,
    /// 4003 MessageNotFound.
    MessageNotFound,
    /// 4004 BadRequest: unknown method, or arguments of the wrong count or type.
    BadRequest,
}

impl ChatError {
    /// The `error` value of a reply.
    pub fn to_json(self, form: ErrorForm) -> Value {
        let (code, message) = match self {
            ChatError::NotFound => (1, "UNOTFOUND"),
            ChatError::Access => (1, "UACCESS"),
            // Code 1 as the documented objects of the other two string errors have.
            ChatError::NotJson => (1, "UNOTJSON"),
            ChatError::PurgeUserNotFound => (4001, "PurgeUserNotFound"),
            ChatError::PurgeNoPermissions => (4002, "PurgeNoPermissions"),
            ChatError::MessageNotFound => (4003, "MessageNotFound"),
            ChatError::BadRequest => (4004, "BadRequest"),
        };
        match (code, form) {
            (1, ErrorForm::String) => json!(message),
            _ => json!({"code": code, "message": message, "stacktrace": "", "data": {}}),
        }
    }
}

/// A successful reply; `data: None` leaves `data` out (as `purge`, `ping` and
/// `attachEmotes` replies do).
pub fn reply(id: &Value, data: Option<Value>) -> String {
    let mut frame = json!({"type": "reply", "error": null, "id": id});
    if let Some(d) = data {
        frame["data"] = d;
    }
    frame.to_string()
}

/// An error reply.
pub fn error_reply(id: &Value, error: ChatError, form: ErrorForm) -> String {
    json!({"type": "reply", "error": error.to_json(form), "id": id}).to_string()
}

/// An event frame.
pub fn event(name: &str, data: &Value) -> String {
    json!({"type": "event", "event": name, "data": data}).to_string()
}

/// A method frame as logged: the `auth` method's authkey (3rd argument) replaced by
/// `authkey_label(key)` (which says which key it was, never the key) and its test-stream
/// access key (4th) by `<redacted>`, so the log never holds a secret.
pub fn redacted(frame: &Value, authkey_label: impl Fn(&str) -> String) -> String {
    let mut frame = frame.clone();
    if frame["method"] == "auth"
        && let Some(args) = frame.get_mut("arguments").and_then(Value::as_array_mut)
    {
        for (i, secret) in args.iter_mut().enumerate().skip(2) {
            *secret = match (i, secret.as_str()) {
                (2, Some(key)) => json!(authkey_label(key)),
                _ => json!("<redacted>"),
            };
        }
    }
    frame.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn string_errors_take_either_documented_form_and_numeric_ones_are_objects() {
        assert_eq!(ChatError::NotFound.to_json(ErrorForm::String), json!("UNOTFOUND"));
        assert_eq!(
            ChatError::NotFound.to_json(ErrorForm::Object),
            json!({"code": 1, "message": "UNOTFOUND", "stacktrace": "", "data": {}})
        );
        assert_eq!(ChatError::MessageNotFound.to_json(ErrorForm::String)["code"], 4003);
    }

    #[test]
    fn the_authkey_never_reaches_the_log() {
        let label = |_: &str| "<authkey #1>".to_owned();
        let f = json!({"type": "method", "method": "auth", "arguments": [1, 2, "secretkey", "access"], "id": 0});
        let logged = redacted(&f, label);
        assert!(!logged.contains("secretkey") && !logged.contains("\"access\""), "{logged}");
        assert!(logged.contains("<authkey #1>") && logged.contains("<redacted>"), "{logged}");
        let msg = json!({"type": "method", "method": "msg", "arguments": ["a", "b", "c"], "id": 1});
        assert_eq!(redacted(&msg, label), msg.to_string());
    }

    #[test]
    fn replies_leave_data_out_when_there_is_none() {
        let parsed: Value = serde_json::from_str(&reply(&json!(3), None)).unwrap();
        assert_eq!(parsed, json!({"type": "reply", "error": null, "id": 3}));
        assert!(reply(&json!(3), Some(json!({}))).contains(r#""data":{}"#));
    }
}
