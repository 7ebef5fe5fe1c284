//! The server's named limits (documented in `docs/serve.md`, "Limits").

use std::time::Duration;

/// Largest request body accepted (JSON; an upload's text is limited separately).
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;
/// Largest scenario text an upload may carry.
pub const MAX_UPLOAD_BYTES: usize = 1024 * 1024;
/// Longest upload file name (only its extension is used: it picks the format).
pub const MAX_FILENAME_CHARS: usize = 128;
/// Most runs per world one request may ask for (a comparison runs twice as many).
pub const MAX_RUNS_PER_REQUEST: u64 = 20_000;
/// Most edits (`set` + `without` + `disable`) in one request.
pub const MAX_EDITS: usize = 1_000;
/// Monte Carlo jobs running at once by default (the machine's cores are shared by them through
/// rayon); a request beyond this gets 429.
pub const DEFAULT_MAX_JOBS: usize = 2;
/// A job that has not answered by then gets 503 (its runs finish in the background).
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// Uploaded scenarios kept in memory (the oldest is dropped first).
pub const MAX_UPLOADS: usize = 16;
/// Pages whose newest request generation is remembered (for "newer supersedes older").
pub const MAX_PAGES: usize = 1_024;
/// Longest page id a client may send.
pub const MAX_PAGE_ID_CHARS: usize = 64;
/// Event rows returned per comparison (the most frequent in either world).
pub const MAX_EVENT_ROWS: usize = 200;
/// Requests that may wait for a job slot; one more gets 429 at once.
pub const MAX_QUEUED: usize = 16;
/// How long a request waits for a job slot before it gets 429.
pub const QUEUE_WAIT: Duration = Duration::from_secs(10);
/// Per-round series one request may ask for.
pub const MAX_SERIES: usize = 8;
/// A running job checks every this many runs whether a newer request from its page has
/// arrived, and if so cancels itself (the core's cooperative cancellation).
pub const SUPERSEDE_CHECK_RUNS: u64 = 64;
