//! What the serve test binaries share: the app with its default state, and one request to it.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::Value;
use statecraft_serve::{router, AppState, ServeConfig};
use tower::ServiceExt;

/// The router over a fresh default state.
pub fn app() -> axum::Router {
    router(AppState::new(&ServeConfig::default()).expect("state"))
}

/// One request with a JSON content type: its status and its body as JSON (`Null` when the
/// body is not JSON).
pub async fn call(
    app: &axum::Router,
    method: &str,
    uri: &str,
    body: Vec<u8>,
) -> (StatusCode, Value) {
    let req = Request::builder()
        .method(method)
        .uri(uri)
        .header("content-type", "application/json")
        .body(Body::from(body))
        .unwrap();
    let resp = app.clone().oneshot(req).await.unwrap();
    let status = resp.status();
    let bytes = resp.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}
