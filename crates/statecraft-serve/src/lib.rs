//! `statecraft serve`: the what-if explorer. An HTTP server (axum on tokio) whose page shows a
//! scenario's controls and, on every change, re-runs the Monte Carlo with common random numbers
//! against the base case (`docs/serve.md`).
//!
//! Layout: [`core_api`] is the only module that calls `statecraft-core`; [`api`] holds the
//! handlers and the JSON error type; [`limits`] the named limits; [`view`] shapes results;
//! [`assets`] the embedded page.

pub mod api;
pub mod assets;
pub mod core_api;
pub mod limits;
pub mod view;

use std::net::{IpAddr, SocketAddr};

pub use api::{router, AppState};

/// Where the explorer's scenarios come from and how it listens.
#[derive(Clone, Debug)]
pub struct ServeConfig {
    /// The file named on the command line: (name shown and used in commands, its text).
    pub file: Option<(String, String)>,
    /// The built-in scenario shown first when no file is given.
    pub default_builtin: String,
    pub bind: IpAddr,
    pub port: u16,
    pub max_jobs: usize,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            file: None,
            default_builtin: "greenland-2026".into(),
            bind: IpAddr::from([127, 0, 0, 1]),
            port: 8080,
            max_jobs: limits::DEFAULT_MAX_JOBS,
        }
    }
}

/// Why the server could not start.
#[derive(Debug)]
pub enum ServeError {
    /// The scenario file does not load (its located problems).
    Scenario(Vec<core_api::Located>),
    /// The address is taken or not ours; the runtime could not start.
    Io(String),
}

impl std::fmt::Display for ServeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ServeError::Scenario(errs) => {
                for e in errs {
                    let at = match (e.line, e.column) {
                        (Some(l), Some(c)) => format!("{}:{l}:{c}", e.file),
                        _ => e.file.clone(),
                    };
                    writeln!(f, "{at}: {}", e.message)?;
                }
                Ok(())
            }
            ServeError::Io(m) => write!(f, "{m}"),
        }
    }
}

/// Run the server until Ctrl-C. `on_listening` gets the page's URL once the socket is bound.
pub fn serve(cfg: ServeConfig, on_listening: impl FnOnce(&str)) -> Result<(), ServeError> {
    let state = AppState::new(&cfg)?;
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_io()
        .enable_time()
        .build()
        .map_err(|e| ServeError::Io(format!("cannot start the runtime: {e}")))?;
    rt.block_on(async move {
        let addr = SocketAddr::new(cfg.bind, cfg.port);
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| ServeError::Io(format!("cannot listen on {addr}: {e}")))?;
        let local = listener
            .local_addr()
            .map_err(|e| ServeError::Io(e.to_string()))?;
        let host = match local.ip() {
            IpAddr::V6(ip) => format!("[{ip}]"),
            IpAddr::V4(ip) => ip.to_string(),
        };
        on_listening(&format!("http://{host}:{}/", local.port()));
        axum::serve(listener, router(state))
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
            .map_err(|e| ServeError::Io(e.to_string()))
    })
}
