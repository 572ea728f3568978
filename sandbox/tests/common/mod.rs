//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod eventsub_ws;
pub mod schemathesis;

use reqwest::header::HeaderMap;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use streamkit_sandbox::{CLIENT_ID, Sandbox, SandboxConfig};

pub struct Ctx {
    pub sb: Sandbox,
    pub http: reqwest::Client,
}

pub struct Reply {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    pub text: String,
}

pub async fn start() -> Ctx {
    start_with(SandboxConfig::default()).await
}

pub async fn start_with(config: SandboxConfig) -> Ctx {
    let sb = Sandbox::start(config).await.expect("sandbox starts");
    streamkit_runtime::tls::install_default_provider();
    let http = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
    Ctx { sb, http }
}

async fn reply(resp: reqwest::Response) -> Reply {
    let status = resp.status();
    let headers = resp.headers().clone();
    let text = resp.text().await.expect("body");
    let body = serde_json::from_str(&text).unwrap_or(Value::Null);
    Reply { status, headers, body, text }
}

impl Ctx {
    /// A Helix request with `Authorization: Bearer <token>` and `Client-Id: CLIENT_ID`.
    pub fn helix(&self, method: Method, path: &str, token: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.sb.helix_url()))
            .header("Authorization", format!("Bearer {token}"))
            .header("Client-Id", CLIENT_ID)
    }

    pub async fn send(&self, req: reqwest::RequestBuilder) -> Reply {
        reply(req.send().await.expect("request")).await
    }

    pub async fn get(&self, path: &str, token: &str, query: &[(&str, &str)]) -> Reply {
        self.send(self.helix(Method::GET, path, token).query(query)).await
    }

    pub async fn oauth_post(&self, path: &str, form: &[(&str, &str)]) -> Reply {
        let req = self.http.post(format!("{}{path}", self.sb.oauth_url())).form(form);
        self.send(req).await
    }

    /// Follows `pagination.cursor` with `after` until `pagination` is `{}`; returns all items.
    pub async fn walk(&self, path: &str, token: &str, query: &[(&str, &str)]) -> Vec<Value> {
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        for _ in 0..1000 {
            let mut q: Vec<(&str, &str)> = query.to_vec();
            if let Some(c) = &cursor {
                q.push(("after", c));
            }
            let r = self.get(path, token, &q).await;
            assert_eq!(r.status, 200, "{path}: {}", r.text);
            items.extend(r.body["data"].as_array().expect("data array").iter().cloned());
            match r.body["pagination"]["cursor"].as_str() {
                Some(c) => cursor = Some(c.to_owned()),
                None => {
                    assert_eq!(r.body["pagination"], serde_json::json!({}), "{path}");
                    return items;
                }
            }
        }
        panic!("{path}: pagination never ended");
    }
}

/// Asserts a Helix error body: `{error: <reason>, status, message}`.
pub fn assert_helix_error(r: &Reply, status: u16) {
    assert_eq!(r.status.as_u16(), status, "{}", r.text);
    assert_eq!(r.body["status"], status, "{}", r.text);
    let reason = StatusCode::from_u16(status).unwrap().canonical_reason().unwrap();
    assert_eq!(r.body["error"], reason, "{}", r.text);
    assert!(r.body["message"].is_string(), "{}", r.text);
    assert_eq!(r.body.as_object().unwrap().len(), 3, "{}", r.text);
}

/// Asserts an id.twitch.tv error body: `{status, message}`.
pub fn assert_oauth_error(r: &Reply, status: u16, message: &str) {
    assert_eq!(r.status.as_u16(), status, "{}", r.text);
    assert_eq!(r.body, serde_json::json!({ "status": status, "message": message }));
}

pub fn ids(items: &[Value], key: &str) -> Vec<String> {
    items.iter().map(|v| v[key].as_str().expect("string id").to_owned()).collect()
}

pub fn assert_unique(list: &[String]) {
    let set: std::collections::HashSet<_> = list.iter().collect();
    assert_eq!(set.len(), list.len(), "duplicates in {list:?}");
}
