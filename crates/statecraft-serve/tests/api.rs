//! API tests: every error class comes back as 4xx JSON with a located message, and the server
//! keeps serving afterwards; the documented routes (docs/serve.openapi.json) match the router.

mod common;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{app, call};
use serde_json::{json, Value};
use tower::ServiceExt;

async fn run(app: &axum::Router, body: Value) -> (StatusCode, Value) {
    call(app, "POST", "/api/run", body.to_string().into_bytes()).await
}

/// The error object: status in the body equals the response's, a kind, a message, a location.
fn error<'a>(status: StatusCode, v: &'a Value, kind: &str) -> &'a Value {
    let e = &v["error"];
    assert_eq!(e["status"], json!(status.as_u16()), "{v}");
    assert_eq!(e["kind"], json!(kind), "{v}");
    assert!(e["message"].as_str().is_some_and(|m| !m.is_empty()), "{v}");
    assert!(e["location"].is_object(), "no location: {v}");
    e
}

async fn still_serves(app: &axum::Router) {
    let (s, v) = run(
        app,
        json!({ "scenario": "builtin:greenland-2026", "runs": 8, "seed": 3 }),
    )
    .await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["runs"], json!(8));
    assert_eq!(v["outcomes"].as_array().map(Vec::len), Some(9), "{v}");
}

#[tokio::test]
async fn bad_json_is_400_with_line_and_column() {
    let app = app();
    let (s, v) = call(
        &app,
        "POST",
        "/api/run",
        b"{\"scenario\": \n  oops}".to_vec(),
    )
    .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let e = error(s, &v, "bad_json");
    assert_eq!(e["location"]["line"], json!(2), "{v}");
    assert_eq!(e["location"]["column"], json!(3), "{v}");
    // A field of the wrong type or an unknown field: 422, also located.
    let (s, v) = run(
        &app,
        json!({ "scenario": "builtin:greenland-2026", "runz": 5 }),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let e = error(s, &v, "bad_request");
    assert!(e["message"].as_str().unwrap().contains("runz"), "{v}");
    still_serves(&app).await;
}

#[tokio::test]
async fn unknown_path_is_422_with_a_suggestion() {
    let app = app();
    let (s, v) = run(
        &app,
        json!({ "scenario": "builtin:greenland-2026", "runs": 8,
                "set": [{ "path": "crisis.ally.uk.alignment", "value": 1 },
                        { "path": "crisis.ally.uk.alignmnt", "value": 1 }] }),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let e = error(s, &v, "unknown_path");
    assert_eq!(e["location"]["field"], json!("set[1]"), "{v}");
    assert!(
        e["message"]
            .as_str()
            .unwrap()
            .contains("did you mean `crisis.ally.uk.alignment`"),
        "{v}"
    );
    // An element to disable that does not exist, and an unknown actor.
    let (s, v) = run(
        &app,
        json!({ "scenario": "builtin:greenland-2026", "disable": ["gate.jsc"] }),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        error(s, &v, "bad_edit")["location"]["field"],
        json!("disable[0]")
    );
    let (s, v) = run(
        &app,
        json!({ "scenario": "builtin:greenland-2026", "without": ["ukk"] }),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        error(s, &v, "bad_edit")["location"]["field"],
        json!("without[0]")
    );
    still_serves(&app).await;
}

#[tokio::test]
async fn out_of_range_value_is_422_with_the_declared_range() {
    let app = app();
    let (s, v) = run(
        &app,
        json!({ "scenario": "builtin:greenland-2026",
                "set": [{ "path": "crisis.ally.uk.alignment", "value": 1.5 }] }),
    )
    .await;
    assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
    let e = error(s, &v, "out_of_range");
    assert_eq!(e["location"]["field"], json!("set[0]"));
    assert!(e["message"].as_str().unwrap().contains("[-1, 1]"), "{v}");
    still_serves(&app).await;
}

#[tokio::test]
async fn oversized_bodies_are_413() {
    let app = app();
    let big = vec![b' '; statecraft_serve::limits::MAX_BODY_BYTES + 10];
    let (s, v) = call(&app, "POST", "/api/run", big).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        error(s, &v, "body_too_large")["location"]["field"],
        json!("body")
    );
    // An upload over 1 MiB inside a body under the body limit.
    let text = "#".repeat(statecraft_serve::limits::MAX_UPLOAD_BYTES + 1);
    let body = json!({ "filename": "big.toml", "text": text }).to_string();
    let (s, v) = call(&app, "POST", "/api/check", body.into_bytes()).await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(
        error(s, &v, "upload_too_large")["location"]["field"],
        json!("text")
    );
    still_serves(&app).await;
}

#[tokio::test]
async fn too_many_runs_is_422() {
    let app = app();
    let max = statecraft_serve::limits::MAX_RUNS_PER_REQUEST;
    for runs in [0, max + 1] {
        let (s, v) = run(
            &app,
            json!({ "scenario": "builtin:greenland-2026", "runs": runs }),
        )
        .await;
        assert_eq!(s, StatusCode::UNPROCESSABLE_ENTITY);
        let e = error(s, &v, "too_many_runs");
        assert_eq!(e["location"]["field"], json!("runs"));
    }
    still_serves(&app).await;
}

#[tokio::test]
async fn unknown_route_scenario_and_method_are_located_4xx() {
    let app = app();
    let (s, v) = call(&app, "GET", "/api/nope", vec![]).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(
        error(s, &v, "unknown_route")["location"]["value"],
        json!("/api/nope")
    );
    let (s, v) = run(&app, json!({ "scenario": "builtin:grenland-2026" })).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let e = error(s, &v, "unknown_scenario");
    assert!(
        e["hint"]
            .as_str()
            .unwrap()
            .contains("builtin:greenland-2026"),
        "{v}"
    );
    // No file-system path is ever read for a client.
    let (s, v) = run(&app, json!({ "scenario": "/etc/passwd" })).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    error(s, &v, "unknown_scenario");
    let (s, v) = call(&app, "GET", "/api/run", vec![]).await;
    assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED);
    error(s, &v, "method_not_allowed");
    still_serves(&app).await;
}

#[tokio::test]
async fn a_bad_upload_reports_every_error_located_as_check_does() {
    let app = app();
    let text = "[scenario]\nid = \"x\"\ntitle = \"t\"\n\n[[actors]]\nid = \"a\"\nname = \"A\"\ncapability = \"lots\"\n";
    let body = json!({ "filename": "../../bad.toml", "text": text }).to_string();
    let (s, v) = call(&app, "POST", "/api/check", body.into_bytes()).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert_eq!(v["ok"], json!(false), "{v}");
    let errs = v["errors"].as_array().expect("errors");
    assert!(!errs.is_empty());
    let e = &errs[0];
    assert_eq!(
        e["file"],
        json!("bad.toml"),
        "only the base name is kept: {v}"
    );
    assert!(
        e["line"].as_u64().is_some() && e["column"].as_u64().is_some(),
        "{v}"
    );
    // A good upload loads, and can be run by its id.
    let good = statecraft_core::builtin::get("minimal").unwrap();
    let body = json!({ "filename": "mine.toml", "text": good }).to_string();
    let (s, v) = call(&app, "POST", "/api/check", body.into_bytes()).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    let id = v["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("upload:"), "{v}");
    let (s, v) = run(&app, json!({ "scenario": id, "runs": 5 })).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    assert!(
        v["command"]
            .as_str()
            .unwrap()
            .starts_with("statecraft run mine.toml --runs 5"),
        "{v}"
    );
}

#[tokio::test]
async fn a_run_compares_with_paired_intervals_and_is_reproducible() {
    let app = app();
    let body = json!({ "scenario": "builtin:greenland-2026", "runs": 64, "seed": 1,
        "set": [{ "path": "crisis.ally.uk.alignment", "value": 1 }, { "path": "crisis.ally.uk.lock", "value": 1 }],
        "disable": ["gate.jcs"] });
    let (s, a) = run(&app, body.clone()).await;
    assert_eq!(s, StatusCode::OK, "{a}");
    let (_, b) = run(&app, body).await;
    assert_eq!(a["outcomes"], b["outcomes"], "same request, same numbers");
    for o in a["outcomes"].as_array().unwrap() {
        let d = &o["delta"];
        assert!(d["lo"].as_f64().unwrap() <= d["delta"].as_f64().unwrap());
        assert!(d["delta"].as_f64().unwrap() <= d["hi"].as_f64().unwrap());
        assert_eq!(o["base"]["runs"], json!(64));
    }
    assert!(
        a["command"]
            .as_str()
            .unwrap()
            .contains("--disable gate.jcs"),
        "{a}"
    );
    assert!(
        a["overlay"]
            .as_str()
            .unwrap()
            .contains("\"crisis.ally.uk.lock\" = 1.0"),
        "{a}"
    );
    assert!(!a["series"].as_array().unwrap().is_empty());
    assert!(!a["allies"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn an_older_generation_from_the_same_page_is_superseded() {
    let app = app();
    let base =
        |g: u64| json!({ "scenario": "builtin:minimal", "runs": 4, "page": "p1", "generation": g });
    let (s, _) = run(&app, base(5)).await;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = run(&app, base(4)).await;
    assert_eq!(s, StatusCode::CONFLICT);
    error(s, &v, "superseded");
    let (s, _) = run(&app, base(6)).await;
    assert_eq!(s, StatusCode::OK);
}

/// A running job is cancelled (not just discarded at the end) when a newer request from its page
/// arrives: its 409 says after how many of its runs it stopped.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_running_job_is_cancelled_by_a_newer_request() {
    let app = app();
    let long = json!({ "scenario": "builtin:greenland-2026", "runs": 20000, "page": "p2", "generation": 1 });
    let app2 = app.clone();
    let first = tokio::spawn(async move { run(&app2, long).await });
    // wait until the first job has started running (its progress is above 0)
    for _ in 0..600 {
        let (_, p) = call(&app, "GET", "/api/progress/p2", Vec::new()).await;
        if p["done"].as_u64().unwrap_or(0) > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let (s, _) = run(
        &app,
        json!({ "scenario": "builtin:minimal", "runs": 4, "page": "p2", "generation": 2 }),
    )
    .await;
    assert_eq!(s, StatusCode::OK);
    let (s, v) = first.await.unwrap();
    let e = error(s, &v, "superseded");
    let m = e["message"].as_str().unwrap();
    assert!(m.contains("cancelled after"), "{m}");
    let done: u64 = m
        .split("cancelled after ")
        .nth(1)
        .and_then(|t| t.split(' ').next())
        .and_then(|t| t.parse().ok())
        .unwrap();
    assert!(done < 40000, "{m}");
}

#[tokio::test]
async fn the_page_and_its_assets_are_served_with_a_strict_csp() {
    let app = app();
    for (uri, mime) in [
        ("/", "text/html"),
        ("/assets/app.js", "text/javascript"),
        ("/assets/app.css", "text/css"),
    ] {
        let resp = app
            .clone()
            .oneshot(Request::builder().uri(uri).body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(resp.status(), StatusCode::OK, "{uri}");
        let h = resp.headers();
        assert!(
            h["content-type"].to_str().unwrap().starts_with(mime),
            "{uri}"
        );
        assert!(h["content-security-policy"]
            .to_str()
            .unwrap()
            .contains("default-src 'none'"));
    }
    let html = statecraft_serve::assets::INDEX_HTML;
    assert!(
        !html.contains("http://") && !html.contains("https://"),
        "no external URL"
    );
}

#[test]
fn documented_routes_match_the_router() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/serve.openapi.json");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut documented: Vec<(String, String)> = Vec::new();
    for (p, item) in doc["paths"].as_object().unwrap() {
        for m in item.as_object().unwrap().keys() {
            documented.push((m.clone(), p.clone()));
        }
    }
    documented.sort();
    let mut routed: Vec<(String, String)> = statecraft_serve::api::ROUTES
        .iter()
        .map(|(m, p)| (m.to_string(), p.to_string()))
        .collect();
    routed.sort();
    assert_eq!(documented, routed);
    // Every route in ROUTES answers (not the JSON 404 of the fallback).
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let app = app();
        for (m, p) in statecraft_serve::api::ROUTES {
            let uri = p
                .replace("{id}", "builtin:minimal")
                .replace("{page}", "nobody");
            let (s, v) = call(&app, &m.to_uppercase(), &uri, b"{}".to_vec()).await;
            assert_ne!(v["error"]["kind"], json!("unknown_route"), "{m} {uri}: {s}");
            assert_ne!(s, StatusCode::METHOD_NOT_ALLOWED, "{m} {uri}");
        }
    });
}
