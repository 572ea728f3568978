//! Polls: `vote:start` and `vote:choose` (reference B.3), `PollStart` (sent when the poll
//! starts and again after every vote, with the counts so far) and `PollEnd` (when its time
//! is up, or at once through [`end`], the test hook's way).

use super::Audience;
use super::message::Author;
use super::methods::{Call, Outcome, string_arg, uint_arg};
use super::wire::ChatError;
use crate::core::lock;
use crate::mixer::seed;
use crate::mixer::state::MixerState;
use serde_json::{Map, Value, json};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The longest poll, and the most answers one may have.
const MAX_DURATION: Duration = Duration::from_secs(24 * 3600);
const MAX_ANSWERS: usize = 32;

/// A running poll.
#[derive(Clone, Debug)]
pub(crate) struct Poll {
    seq: u64,
    question: String,
    answers: Vec<String>,
    author: Author,
    ends: Instant,
    ends_at_ms: i64,
    /// The answer index of each user who voted.
    votes: BTreeMap<usize, usize>,
}

impl Poll {
    /// `PollStart` / `PollEnd` data.
    fn data(&self, channel: usize, now: Instant) -> Value {
        let mut by_index = vec![0u64; self.answers.len()];
        for a in self.votes.values() {
            if let Some(n) = by_index.get_mut(*a) {
                *n += 1;
            }
        }
        let responses: Map<String, Value> =
            self.answers.iter().zip(&by_index).map(|(a, n)| (a.clone(), json!(n))).collect();
        json!({
            "originatingChannel": seed::FIRST_CHANNEL_ID + channel as i64,
            "q": self.question,
            "answers": self.answers,
            "author": self.author.short(),
            "duration": u64::try_from(self.ends.saturating_duration_since(now).as_millis()).unwrap_or(u64::MAX),
            "endsAt": self.ends_at_ms,
            "voters": self.votes.len(),
            "responses": responses,
            "responsesByIndex": by_index,
        })
    }
}

fn epoch_ms(state: &MixerState) -> i64 {
    let secs = state.clock.get().map(|c| crate::core::clock::epoch_secs(c.as_ref())).unwrap_or(0.0);
    (secs * 1000.0) as i64
}

/// `vote:start [question, answers, durationSeconds]`.
pub(crate) fn start(call: &mut Call<'_>, args: &[Value]) -> Outcome {
    let (c, author) = call.authorized("chat:poll_start", true)?;
    let question = string_arg(args, 0)?.to_owned();
    let answers: Vec<String> = args
        .get(1)
        .and_then(Value::as_array)
        .and_then(|a| a.iter().map(|x| x.as_str().map(str::to_owned)).collect::<Option<Vec<_>>>())
        .filter(|a| (2..=MAX_ANSWERS).contains(&a.len()))
        .ok_or(ChatError::BadRequest)?;
    let seconds = uint_arg(args, 2)?;
    if seconds == 0 {
        return Err(ChatError::BadRequest);
    }
    let duration = Duration::from_secs(seconds).min(MAX_DURATION);
    let now = call.state.now();
    let ends_at_ms = epoch_ms(call.state) + i64::try_from(duration.as_millis()).unwrap_or(i64::MAX / 2);
    let (seq, data) = {
        let mut d = lock(&call.state.chat.data);
        if d.polls.contains_key(&c) {
            return Err(ChatError::BadRequest);
        }
        d.next_id += 1;
        let poll = Poll {
            seq: d.next_id,
            question,
            answers,
            author,
            ends: now + duration,
            ends_at_ms,
            votes: BTreeMap::new(),
        };
        let data = poll.data(c, now);
        let seq = poll.seq;
        d.polls.insert(c, poll);
        (seq, data)
    };
    call.emit(Audience::Channel { channel: c, except: None }, "PollStart", data);
    let state = call.state.clone();
    tokio::spawn(async move {
        tokio::time::sleep(duration).await;
        end_if(&state, c, Some(seq));
    });
    Ok(Some(json!("Poll started.")))
}

/// `vote:choose [optionIndex]`.
pub(crate) fn choose(call: &mut Call<'_>, args: &[Value]) -> Outcome {
    let (c, voter) = call.authorized("chat:poll_vote", false)?;
    let index = usize::try_from(uint_arg(args, 0)?).map_err(|_| ChatError::BadRequest)?;
    let now = call.state.now();
    let data = {
        let mut d = lock(&call.state.chat.data);
        let poll = d.polls.get_mut(&c).ok_or(ChatError::BadRequest)?;
        if index >= poll.answers.len() {
            return Err(ChatError::BadRequest);
        }
        poll.votes.insert(voter.user, index);
        poll.data(c, now)
    };
    call.emit(Audience::Channel { channel: c, except: None }, "PollStart", data);
    Ok(Some(json!(true)))
}

/// Ends channel `channel`'s poll now (when `seq` is `None`, or it is still that poll):
/// `PollEnd` goes to the channel. `false` when no such poll runs.
pub(crate) fn end_if(state: &Arc<MixerState>, channel: usize, seq: Option<u64>) -> bool {
    let now = state.now();
    let data = {
        let mut d = lock(&state.chat.data);
        if d.polls.get(&channel).is_none_or(|p| seq.is_some_and(|s| s != p.seq)) {
            return false;
        }
        d.polls.remove(&channel).map(|p| p.data(channel, now))
    };
    if let Some(data) = data {
        state.chat.publish(Audience::Channel { channel, except: None }, "PollEnd", &data);
    }
    true
}

/// Ends channel `channel`'s poll now, whichever it is.
pub(crate) fn end(state: &Arc<MixerState>, channel: usize) -> bool {
    end_if(state, channel, None)
}
