//! Router, handlers and the JSON error every failure comes back as.

// `ApiError` carries every located message of a rejected scenario; it is built once per failed
// request (the cold path), so its size does not matter and boxing it would only add noise.
#![allow(clippy::result_large_err)]

use crate::core_api::{self, Edits, Located};
use crate::limits::*;
use crate::{assets, view, ServeConfig, ServeError};
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use statecraft_core::scenario::Scenario;
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;
use tokio::sync::Semaphore;

/// Every route of the API, as documented in `docs/serve.openapi.json` (a test checks they match).
pub const ROUTES: &[(&str, &str)] = &[
    ("get", "/api/health"),
    ("get", "/api/scenarios"),
    ("get", "/api/scenario/{id}"),
    ("post", "/api/check"),
    ("post", "/api/run"),
    ("get", "/api/progress/{page}"),
];

/// A failure as JSON: `{"error": {"status", "kind", "message", "hint"?, "location"?, "errors"?}}`.
#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub kind: &'static str,
    pub message: String,
    pub hint: Option<String>,
    pub location: Option<Value>,
    pub errors: Vec<Located>,
}

impl ApiError {
    pub fn new(status: StatusCode, kind: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            kind,
            message: message.into(),
            hint: None,
            location: None,
            errors: Vec::new(),
        }
    }
    fn hint(mut self, h: impl Into<String>) -> Self {
        self.hint = Some(h.into());
        self
    }
    fn at(mut self, loc: Value) -> Self {
        self.location = Some(loc);
        self
    }
    fn field(self, f: &str) -> Self {
        self.at(json!({ "field": f }))
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut e = json!({
            "status": self.status.as_u16(),
            "kind": self.kind,
            "message": self.message,
        });
        if let Some(h) = self.hint {
            e["hint"] = json!(h);
        }
        if let Some(l) = self.location {
            e["location"] = l;
        }
        if !self.errors.is_empty() {
            e["errors"] = json!(self.errors);
        }
        let mut r = (self.status, Json(json!({ "error": e }))).into_response();
        if self.status == StatusCode::TOO_MANY_REQUESTS
            || self.status == StatusCode::SERVICE_UNAVAILABLE
        {
            r.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
        }
        r
    }
}

type ApiResult<T> = Result<T, ApiError>;

/// A loaded scenario and how to name it in a command line.
struct Loaded {
    scenario: Arc<Scenario>,
    /// What `statecraft run` takes: the built-in's name or the file's name.
    target: String,
}

/// Shared state: scenarios, job slots, the newest generation per page, progress.
pub struct AppState {
    builtins: Mutex<HashMap<String, Arc<Scenario>>>,
    file: Option<Loaded>,
    uploads: Mutex<VecDeque<(String, Loaded)>>,
    default_id: String,
    jobs: Arc<Semaphore>,
    max_jobs: usize,
    waiting: std::sync::atomic::AtomicUsize,
    pages: Mutex<HashMap<String, u64>>,
    progress: Mutex<HashMap<String, (Arc<AtomicU64>, u64)>>,
}

impl AppState {
    pub fn new(cfg: &ServeConfig) -> Result<Arc<AppState>, ServeError> {
        let file = match &cfg.file {
            Some((name, text)) => Some(Loaded {
                scenario: Arc::new(core_api::load_text(name, text).map_err(ServeError::Scenario)?),
                target: name.clone(),
            }),
            None => None,
        };
        if file.is_none() && core_api::builtin_text(&cfg.default_builtin).is_none() {
            return Err(ServeError::Io(format!(
                "no built-in scenario `{}`",
                cfg.default_builtin
            )));
        }
        let default_id = if file.is_some() {
            "file".to_string()
        } else {
            format!("builtin:{}", cfg.default_builtin)
        };
        let max_jobs = cfg.max_jobs.max(1);
        Ok(Arc::new(AppState {
            builtins: Mutex::new(HashMap::new()),
            file,
            uploads: Mutex::new(VecDeque::new()),
            default_id,
            jobs: Arc::new(Semaphore::new(max_jobs)),
            max_jobs,
            waiting: std::sync::atomic::AtomicUsize::new(0),
            pages: Mutex::new(HashMap::new()),
            progress: Mutex::new(HashMap::new()),
        }))
    }

    /// Resolve a scenario id: `builtin:<name>`, `file`, or `upload:<hash>`. Never a path.
    fn scenario(&self, id: &str) -> ApiResult<(Arc<Scenario>, String)> {
        let not_found = |hint: String| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "unknown_scenario",
                format!("no scenario `{id}`"),
            )
            .hint(hint)
            .field("scenario")
        };
        if let Some(name) = id.strip_prefix("builtin:") {
            let Some(text) = core_api::builtin_text(name) else {
                let names = core_api::builtin_names();
                let hint = match core_api::suggest(name, names.iter().copied()) {
                    Some(s) => format!("did you mean `builtin:{s}`?"),
                    None => format!("built-in scenarios: {}", names.join(", ")),
                };
                return Err(not_found(hint));
            };
            let mut cache = lock(&self.builtins);
            if let Some(s) = cache.get(name) {
                return Ok((Arc::clone(s), name.to_string()));
            }
            let s = core_api::load_text(&format!("{name}.toml"), text).map_err(invalid_scenario)?;
            let s = Arc::new(s);
            cache.insert(name.to_string(), Arc::clone(&s));
            return Ok((s, name.to_string()));
        }
        if id == "file" {
            return match &self.file {
                Some(f) => Ok((Arc::clone(&f.scenario), f.target.clone())),
                None => Err(not_found(
                    "the server was started without a scenario file".into(),
                )),
            };
        }
        if id.starts_with("upload:") {
            let ups = lock(&self.uploads);
            if let Some((_, l)) = ups.iter().find(|(k, _)| k == id) {
                return Ok((Arc::clone(&l.scenario), l.target.clone()));
            }
            return Err(not_found(format!(
                "uploads are kept in memory ({MAX_UPLOADS} at most) and lost on restart: upload it again"
            )));
        }
        Err(not_found(
            "scenario ids look like `builtin:greenland-2026`, `file` or `upload:<hash>`".into(),
        ))
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn invalid_scenario(errs: Vec<Located>) -> ApiError {
    let n = errs.len();
    let file = errs.first().map(|e| e.file.clone()).unwrap_or_default();
    let mut e = ApiError::new(
        StatusCode::UNPROCESSABLE_ENTITY,
        "invalid_scenario",
        format!(
            "{file}: {n} error{} in scenario",
            if n == 1 { "" } else { "s" }
        ),
    );
    e.errors = errs;
    e
}

/// Parse a JSON body; syntax errors are 400 with line and column, shape errors 422.
fn parse_body<T: for<'de> Deserialize<'de>>(body: Result<Bytes, BytesRejection>) -> ApiResult<T> {
    let bytes = body.map_err(|r| {
        if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
            ApiError::new(
                StatusCode::PAYLOAD_TOO_LARGE,
                "body_too_large",
                format!("the request body is larger than {MAX_BODY_BYTES} bytes"),
            )
            .hint(format!(
                "scenario uploads may be at most {MAX_UPLOAD_BYTES} bytes"
            ))
            .at(json!({ "field": "body", "limit_bytes": MAX_BODY_BYTES }))
        } else {
            ApiError::new(r.status(), "bad_body", r.body_text())
        }
    })?;
    serde_json::from_slice(&bytes).map_err(|e| {
        let (status, kind) = if e.is_data() {
            (StatusCode::UNPROCESSABLE_ENTITY, "bad_request")
        } else {
            (StatusCode::BAD_REQUEST, "bad_json")
        };
        ApiError::new(status, kind, format!("request body: {e}"))
            .hint("the body must be one JSON object as documented in docs/serve.md")
            .at(json!({ "field": "body", "line": e.line(), "column": e.column() }))
    })
}

pub fn router(state: Arc<AppState>) -> Router {
    Router::new()
        .route("/", get(index))
        .route("/assets/app.js", get(app_js))
        .route("/assets/app.css", get(app_css))
        .route("/api/health", get(health))
        .route("/api/scenarios", get(scenarios))
        .route("/api/scenario/{id}", get(scenario))
        .route("/api/check", post(check))
        .route("/api/run", post(run))
        .route("/api/progress/{page}", get(progress))
        .fallback(not_found)
        .method_not_allowed_fallback(method_not_allowed)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .with_state(state)
}

fn asset(mime: &'static str, body: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, mime),
            (header::CONTENT_SECURITY_POLICY, assets::CSP),
            (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        body,
    )
        .into_response()
}

async fn index() -> Response {
    asset("text/html; charset=utf-8", assets::INDEX_HTML)
}
async fn app_js() -> Response {
    asset("text/javascript; charset=utf-8", assets::APP_JS)
}
async fn app_css() -> Response {
    asset("text/css; charset=utf-8", assets::APP_CSS)
}

async fn not_found(uri: axum::http::Uri) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "unknown_route",
        format!("no route `{}`", uri.path()),
    )
    .hint("the API's routes are listed in docs/serve.md (GET /api/scenarios, POST /api/run, …)")
    .at(json!({ "field": "path", "value": uri.path() }))
}

async fn method_not_allowed(method: axum::http::Method, uri: axum::http::Uri) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("`{method}` is not allowed on `{}`", uri.path()),
    )
    .at(json!({ "field": "method", "value": method.as_str() }))
}

async fn health(State(st): State<Arc<AppState>>) -> Json<Value> {
    Json(json!({
        "ok": true,
        "jobs_running": st.max_jobs - st.jobs.available_permits(),
        "max_jobs": st.max_jobs,
    }))
}

async fn scenarios(State(st): State<Arc<AppState>>) -> Json<Value> {
    let mut list: Vec<Value> = core_api::builtin_names()
        .into_iter()
        .map(|n| json!({ "id": format!("builtin:{n}"), "name": n }))
        .collect();
    if let Some(f) = &st.file {
        list.insert(0, json!({ "id": "file", "name": f.target }));
    }
    Json(json!({
        "default": st.default_id,
        "scenarios": list,
        "defaults": { "runs": core_api::default_runs(), "seed": core_api::default_seed() },
        "limits": {
            "max_body_bytes": MAX_BODY_BYTES,
            "max_upload_bytes": MAX_UPLOAD_BYTES,
            "max_runs": MAX_RUNS_PER_REQUEST,
            "max_edits": MAX_EDITS,
            "max_jobs": st.max_jobs,
            "timeout_seconds": REQUEST_TIMEOUT.as_secs(),
        },
    }))
}

fn scenario_json(id: &str, target: &str, s: &Scenario) -> Value {
    let params: Vec<Value> = core_api::parameters(s)
        .into_iter()
        .map(|p| {
            let dist = core_api::dist_text(&p);
            let mut v = serde_json::to_value(&p).unwrap_or_default();
            if let Some(d) = dist {
                v["dist_text"] = json!(d);
            }
            v
        })
        .collect();
    json!({
        "id": id,
        "target": target,
        "meta": core_api::meta(s),
        "elements": core_api::elements(s),
        "parameters": params,
    })
}

async fn scenario(
    State(st): State<Arc<AppState>>,
    Path(id): Path<String>,
) -> ApiResult<Json<Value>> {
    let (s, target) = st.scenario(&id)?;
    Ok(Json(scenario_json(&id, &target, &s)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CheckRequest {
    filename: String,
    text: String,
}

/// Validate an uploaded or pasted scenario; when it loads, keep it and return its view.
async fn check(
    State(st): State<Arc<AppState>>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<Value>> {
    let req: CheckRequest = parse_body(body)?;
    if req.text.len() > MAX_UPLOAD_BYTES {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "upload_too_large",
            format!(
                "the scenario is {} bytes; uploads may be at most {MAX_UPLOAD_BYTES}",
                req.text.len()
            ),
        )
        .at(json!({ "field": "text", "limit_bytes": MAX_UPLOAD_BYTES })));
    }
    // Only the base name is kept (it picks the format and names the file in messages).
    let name = req
        .filename
        .rsplit(['/', '\\'])
        .next()
        .unwrap_or("")
        .chars()
        .take(MAX_FILENAME_CHARS)
        .collect::<String>();
    let name = if name.trim().is_empty() {
        "upload.toml".to_string()
    } else {
        name
    };
    let text = req.text;
    let loaded = tokio::task::spawn_blocking({
        let name = name.clone();
        move || core_api::load_text(&name, &text)
    })
    .await
    .map_err(|e| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", e.to_string()))?;
    let s = match loaded {
        Ok(s) => s,
        // The check itself succeeded: the answer is the located problems (200, `ok: false`).
        Err(errs) => {
            let n = errs.len();
            return Ok(Json(json!({
                "ok": false,
                "message": format!("{name}: {n} error{} in scenario", if n == 1 { "" } else { "s" }),
                "errors": errs,
            })));
        }
    };
    let hash = core_api::scenario_hash(&s);
    let id = format!("upload:{}", &hash[..16.min(hash.len())]);
    let mut view = scenario_json(&id, &name, &s);
    view["ok"] = json!(true);
    let mut ups = lock(&st.uploads);
    if !ups.iter().any(|(k, _)| *k == id) {
        if ups.len() >= MAX_UPLOADS {
            ups.pop_front();
        }
        ups.push_back((
            id,
            Loaded {
                scenario: Arc::new(s),
                target: name,
            },
        ));
    }
    Ok(Json(view))
}

#[derive(Deserialize, Serialize, Clone, Debug)]
#[serde(deny_unknown_fields)]
pub struct SetEdit {
    pub path: String,
    pub value: f64,
}

#[derive(Deserialize, Debug)]
#[serde(deny_unknown_fields)]
pub struct RunRequest {
    pub scenario: String,
    #[serde(default)]
    pub runs: Option<u64>,
    #[serde(default)]
    pub seed: Option<u64>,
    #[serde(default)]
    pub set: Vec<SetEdit>,
    #[serde(default)]
    pub without: Vec<String>,
    #[serde(default)]
    pub disable: Vec<String>,
    /// A page's id and the generation of this request: a newer generation from the same page
    /// supersedes an older one, whose result is discarded (409).
    #[serde(default)]
    pub page: Option<String>,
    #[serde(default)]
    pub generation: u64,
    /// Per-round series to return as fans (at most `MAX_SERIES`; default: cohesion and issues).
    #[serde(default)]
    pub series: Vec<String>,
}

enum JobEnd {
    Done(view::RunView),
    Superseded,
    /// Stopped while running by a newer request (runs done of the total).
    Cancelled(u64, u64),
    Failed(String),
}

impl AppState {
    /// Record `generation` as the page's newest unless a newer one is known; true when this
    /// request is (still) the newest.
    fn is_newest(&self, page: &Option<String>, generation: u64, record: bool) -> bool {
        let Some(p) = page else { return true };
        let mut pages = lock(&self.pages);
        if record && pages.len() >= MAX_PAGES && !pages.contains_key(p) {
            pages.clear();
        }
        let cur = pages.get(p).copied().unwrap_or(0);
        if generation < cur {
            return false;
        }
        if record {
            pages.insert(p.clone(), generation);
        }
        true
    }
}

async fn run(
    State(st): State<Arc<AppState>>,
    body: Result<Bytes, BytesRejection>,
) -> ApiResult<Json<view::RunView>> {
    let req: RunRequest = parse_body(body)?;
    let runs = req.runs.unwrap_or_else(core_api::default_runs);
    let seed = req.seed.unwrap_or_else(core_api::default_seed);
    if runs == 0 || runs > MAX_RUNS_PER_REQUEST {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "too_many_runs",
            format!("runs must be between 1 and {MAX_RUNS_PER_REQUEST}; got {runs}"),
        )
        .hint(format!(
            "for more runs use the command line: statecraft run --runs {runs}"
        ))
        .at(json!({ "field": "runs", "value": runs, "max": MAX_RUNS_PER_REQUEST })));
    }
    let n_edits = req.set.len() + req.without.len() + req.disable.len();
    if n_edits > MAX_EDITS {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "too_many_edits",
            format!("{n_edits} edits; at most {MAX_EDITS} per request"),
        )
        .field("set"));
    }
    if req.series.len() > MAX_SERIES {
        return Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_request",
            format!(
                "{} series asked for; at most {MAX_SERIES}",
                req.series.len()
            ),
        )
        .field("series"));
    }
    if let Some(p) = &req.page {
        if p.chars().count() > MAX_PAGE_ID_CHARS {
            return Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "bad_request",
                format!("page ids may be at most {MAX_PAGE_ID_CHARS} characters"),
            )
            .field("page"));
        }
    }
    let (base, target) = st.scenario(&req.scenario)?;
    let edits = Edits {
        set: req.set.iter().map(|e| (e.path.clone(), e.value)).collect(),
        without: req.without.clone(),
        disable: req.disable.clone(),
    };
    let variant = core_api::apply(&base, &edits).map_err(|e| {
        let (field, value) = match e.list {
            "set" => (
                format!("set[{}]", e.index),
                json!(edits
                    .set
                    .get(e.index)
                    .map(|(p, v)| json!({ "path": p, "value": v }))),
            ),
            "without" => (
                format!("without[{}]", e.index),
                json!(edits.without.get(e.index)),
            ),
            _ => (
                format!("disable[{}]", e.index),
                json!(edits.disable.get(e.index)),
            ),
        };
        let kind = if e.message.contains("outside the allowed range") {
            "out_of_range"
        } else if e.message.starts_with("no number at") {
            "unknown_path"
        } else {
            "bad_edit"
        };
        ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            kind,
            format!("{field}: {}", e.message),
        )
        .at(json!({ "field": field, "value": value }))
    })?;
    if !st.is_newest(&req.page, req.generation, true) {
        return Err(superseded());
    }
    let busy = || {
        ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "busy",
            format!(
                "{} Monte Carlo jobs are running and {MAX_QUEUED} waiting; try again shortly",
                st.max_jobs
            ),
        )
        .hint("retry after the time in the Retry-After header")
    };
    let permit = match Arc::clone(&st.jobs).try_acquire_owned() {
        Ok(p) => p,
        Err(_) => {
            if st.waiting.fetch_add(1, Ordering::SeqCst) >= MAX_QUEUED {
                st.waiting.fetch_sub(1, Ordering::SeqCst);
                return Err(busy());
            }
            let got = tokio::time::timeout(QUEUE_WAIT, Arc::clone(&st.jobs).acquire_owned()).await;
            st.waiting.fetch_sub(1, Ordering::SeqCst);
            match got {
                Ok(Ok(p)) => p,
                _ => return Err(busy()),
            }
        }
    };
    let counter = Arc::new(AtomicU64::new(0));
    if let Some(p) = &req.page {
        let mut prog = lock(&st.progress);
        if prog.len() >= MAX_PAGES {
            prog.clear();
        }
        prog.insert(p.clone(), (Arc::clone(&counter), 2 * runs));
    }
    let command = view::command(&target, runs, seed, &edits);
    let overlay = view::overlay(&target, runs, seed, &edits);
    let scenario_id = req.scenario.clone();
    let page = req.page.clone();
    let generation = req.generation;
    let wanted = req.series.clone();
    let st2 = Arc::clone(&st);
    let job = tokio::task::spawn_blocking(move || {
        let _permit = permit;
        if !st2.is_newest(&page, generation, false) {
            return JobEnd::Superseded;
        }
        let t0 = Instant::now();
        // A newer request from the same page cancels this job: checked every
        // `SUPERSEDE_CHECK_RUNS` runs (a lock per check), the core stops at its next run.
        let cancel = core_api::cancel_token();
        let tick = |n: u64| {
            counter.store(n, Ordering::Relaxed);
            if n.is_multiple_of(SUPERSEDE_CHECK_RUNS) && !st2.is_newest(&page, generation, false) {
                cancel.cancel();
            }
        };
        match core_api::compare(&base, &variant, runs, seed, &cancel, &tick) {
            Err(_) if cancel.is_cancelled() => {
                JobEnd::Cancelled(counter.load(Ordering::Relaxed), 2 * runs)
            }
            Err(m) => JobEnd::Failed(m),
            Ok(_) if !st2.is_newest(&page, generation, false) => JobEnd::Superseded,
            Ok(c) => {
                let ms = t0.elapsed().as_millis() as u64;
                JobEnd::Done(view::run_view(
                    &c,
                    &scenario_id,
                    command,
                    overlay,
                    generation,
                    ms,
                    &wanted,
                ))
            }
        }
    });
    match tokio::time::timeout(REQUEST_TIMEOUT, job).await {
        Err(_) => Err(ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "timeout",
            format!(
                "the job did not finish within {} s",
                REQUEST_TIMEOUT.as_secs()
            ),
        )
        .hint("ask for fewer runs")),
        Ok(Err(e)) => Err(ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            e.to_string(),
        )),
        Ok(Ok(JobEnd::Superseded)) => Err(superseded()),
        Ok(Ok(JobEnd::Cancelled(done, total))) => {
            let mut e = superseded();
            e.message = format!(
                "a newer request from the same page replaced this one: cancelled after {done} of \
                 {total} runs"
            );
            Err(e)
        }
        Ok(Ok(JobEnd::Failed(m))) => Err(ApiError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "run_failed",
            m,
        )),
        Ok(Ok(JobEnd::Done(v))) => Ok(Json(v)),
    }
}

fn superseded() -> ApiError {
    ApiError::new(
        StatusCode::CONFLICT,
        "superseded",
        "a newer request from the same page replaced this one",
    )
    .field("generation")
}

async fn progress(State(st): State<Arc<AppState>>, Path(page): Path<String>) -> Json<Value> {
    // A page whose job has not started yet (or an unknown page) has done 0 of 0: polling never
    // errs.
    let prog = lock(&st.progress);
    let (done, total) = prog
        .get(&page)
        .map_or((0, 0), |(n, total)| (n.load(Ordering::Relaxed), *total));
    Json(json!({ "done": done, "total": total }))
}
