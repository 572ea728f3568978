//! The spec the fake MEDKit keeps to: `specs/medkit/medkit.yaml`, embedded and parsed once
//! per process.

use crate::core::ServiceSpec;
use std::path::Path;
use std::sync::{Arc, OnceLock};
use streamkit_spec::contract::Contract;
use streamkit_spec::document::parse;

pub(crate) fn medkit() -> Arc<Contract> {
    static MEDKIT: OnceLock<Arc<Contract>> = OnceLock::new();
    MEDKIT
        .get_or_init(|| {
            let text = include_str!("../../../specs/medkit/medkit.yaml");
            // Embedded at build time and parsed by this crate's tests: a failure is a bug here.
            match parse(text, Path::new("specs/medkit/medkit.yaml")) {
                Ok(doc) => Arc::new(Contract::new(doc)),
                Err(e) => panic!("the embedded specs/medkit/medkit.yaml does not load: {e}"),
            }
        })
        .clone()
}

/// The spec registered with the contract check.
pub(crate) fn service_specs() -> Vec<ServiceSpec> {
    vec![ServiceSpec { answered_before_routing: vec![400, 401, 403], ..ServiceSpec::new("/v1/e", medkit()) }]
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_spec_loads() {
        assert_eq!(super::medkit().find_path("/channel_state"), Some("/channel_state"));
    }
}
