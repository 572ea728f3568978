//! Poll results in one shape, whichever the server sent: Muxy's JavaScript types and voting
//! guide put the statistics at the top level, its REST page nests them in `stats`.

use crate::medkit::types::VoteData;

/// A poll's statistics.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct VoteSummary {
    /// Number of votes.
    pub count: i64,
    /// Sum of the values.
    pub sum: f64,
    /// Mean of the values.
    pub mean: f64,
    /// Standard deviation of the values.
    pub stddev: f64,
    /// Votes per value, from value 0 up.
    pub specific: Vec<f64>,
}

impl VoteData {
    /// The statistics: from `stats` when present, else the top-level fields; a missing
    /// figure is 0.
    pub fn summary(&self) -> VoteSummary {
        match &self.stats {
            Some(s) => VoteSummary {
                count: s.count.unwrap_or(0),
                sum: s.sum.unwrap_or(0.0),
                mean: s.mean.unwrap_or(0.0),
                stddev: s.stddev.unwrap_or(0.0),
                specific: s.specific.clone(),
            },
            None => VoteSummary {
                count: self.count.unwrap_or(0),
                sum: self.sum.unwrap_or(0.0),
                mean: self.mean.unwrap_or(0.0),
                stddev: self.stddev.unwrap_or(0.0),
                specific: self.specific.clone(),
            },
        }
    }
}
