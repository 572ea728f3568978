//! An extension backend on MEDKit, against the embedded sandbox: it signs its own `backend`
//! JWT with the extension secret, reads and patches the channel's state, lets three viewers
//! vote (one changes its mind), and prints the tally.
//!
//! Run: `cargo run -p streamkit-examples --bin medkit-backend`

use serde::{Deserialize, Serialize};
use serde_json::json;
use streamkit_medkit::auth::{self, ExtensionJwt, ExtensionSecret, REMINT_MARGIN, Role};
use streamkit_medkit::medkit::{self, types};
use streamkit_medkit::{Environment, EnvironmentExt, Patch, Store, Stores};
use streamkit_sandbox::{AuthMode, MEDKIT_EXTENSION_ID, MEDKIT_SECRET, MedkitConfig, Sandbox, SandboxConfig};

const CHANNEL: &str = "12345";
const POLL: &str = "next-map";

/// What the backend keeps in the channel's state.
#[derive(Debug, Default, Serialize, Deserialize)]
struct Show {
    #[serde(default)]
    round: u32,
    #[serde(default)]
    maps: Vec<String>,
}

/// Runs the whole scenario and returns what it printed.
async fn run(sandbox: &Sandbox) -> Result<String, Box<dyn std::error::Error>> {
    let mut out = String::new();
    let env = Environment::Custom(sandbox.medkit_url());

    // The backend signs its own tokens: production rules (signature checked) apply.
    sandbox.medkit().set_mode(AuthMode::Production);
    let backend = medkit::Client::builder()
        .environment(env.clone())
        .client_id(MEDKIT_EXTENSION_ID)
        .jwt_minter(
            ExtensionJwt::new(ExtensionSecret::raw(MEDKIT_SECRET), Role::Backend).channel_id(CHANNEL),
            REMINT_MARGIN,
        )
        .build()?;

    let show: Show = backend.get_store(Store::Channel).await?;
    out.push_str(&format!("channel state before: {show:?}\n"));
    backend.set_store(Store::Channel, &Show { round: 1, maps: vec!["dust".into(), "nuke".into()] }).await?;
    backend.patch_store(Store::Channel, Patch::merge(json!({"round": 2}))).await?;
    let add: json_patch::Patch = serde_json::from_value(json!([{"op": "add", "path": "/maps/-", "value": "inferno"}]))?;
    backend.patch_store(Store::Channel, add.into()).await?;
    let show: Show = backend.get_store(Store::Channel).await?;
    out.push_str(&format!("channel state after:  {show:?}\n"));

    // Viewers get development tokens from the sandbox's authtoken flow.
    sandbox.medkit().set_mode(AuthMode::Sandbox);
    let anonymous = medkit::Client::builder().environment(env.clone()).build()?;
    let ballots = [("1001", 0), ("1002", 2), ("1003", 2), ("1001", 1)];
    for (viewer, choice) in ballots {
        let jwt = auth::sandbox_token(&anonymous, MEDKIT_EXTENSION_ID, CHANNEL, Role::Viewer, viewer).await?;
        let client = medkit::Client::builder()
            .environment(env.clone())
            .client_id(MEDKIT_EXTENSION_ID)
            .identity(streamkit_medkit::identity::JWT, std::sync::Arc::new(jwt))
            .build()?;
        let ballot = types::VoteRequest::builder().value(choice).count(1);
        client.vote().id(POLL).body(ballot).send().await?;
    }

    sandbox.medkit().set_mode(AuthMode::Production);
    let tally = backend.get_votes().id(POLL).send().await?.into_inner().summary();
    out.push_str(&format!("{} votes, mean {:.2}\n", tally.count, tally.mean));
    for (i, map) in show.maps.iter().enumerate() {
        let n = tally.specific.get(i).copied().unwrap_or(0.0);
        out.push_str(&format!("  {map:<8} {n}\n"));
    }
    Ok(out)
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let sandbox = Sandbox::start_with_medkit(SandboxConfig::default(), MedkitConfig::default()).await?;
    println!("sandbox listening on {}", sandbox.medkit_url());
    print!("{}", run(&sandbox).await?);
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn the_backend_reads_patches_and_tallies() {
        let sandbox = Sandbox::start_with_medkit(SandboxConfig::default(), MedkitConfig::default()).await.unwrap();
        let out = run(&sandbox).await.unwrap();
        assert!(out.contains("round: 2, maps: [\"dust\", \"nuke\", \"inferno\"]"), "{out}");
        // 1001 changed its vote from dust to nuke: one vote each for nuke, two for inferno.
        assert!(out.contains("3 votes, mean 1.67"), "{out}");
        assert!(out.contains("dust     0\n") && out.contains("nuke     1\n") && out.contains("inferno  2\n"), "{out}");
        assert!(sandbox.contract_violations().is_empty(), "{:?}", sandbox.contract_violations());
    }
}
