//! The plain text of a chat message: its parts' `text`, in order.

use crate::chat_messages::types::{MessageContent, MessagePart};

impl MessageContent {
    /// The message as a reader sees it: every part's `text` joined (a part of a kind the
    /// spec does not know contributes nothing).
    ///
    /// ```
    /// use streamkit_mixer::chat_messages::types::MessageContent;
    /// let content: MessageContent = serde_json::from_value(serde_json::json!({
    ///     "message": [
    ///         {"type": "text", "data": "hi ", "text": "hi "},
    ///         {"type": "tag", "username": "ana", "id": 7, "text": "@ana"}
    ///     ],
    ///     "meta": {}
    /// })).unwrap();
    /// assert_eq!(content.text(), "hi @ana");
    /// ```
    pub fn text(&self) -> String {
        self.message
            .iter()
            .map(|part| match part {
                MessagePart::Text { text, .. }
                | MessagePart::Emoticon { text, .. }
                | MessagePart::Link { text, .. }
                | MessagePart::Tag { text, .. }
                | MessagePart::Image { text, .. } => text.as_str(),
                _ => "",
            })
            .collect()
    }
}
