//! `statecraft serve [SCENARIO] [--port P] [--bind ADDR]`: the what-if explorer in the browser
//! (`docs/serve.md`). The server lives in the `statecraft-serve` crate; this only reads the
//! scenario file (with the CLI's located errors) and starts it.

use super::Failure;
use std::net::IpAddr;

#[derive(clap::Args, Debug)]
pub struct Args {
    /// Scenario file (TOML, CSV table, KTAB CSV/XML) or built-in name [default: greenland-2026]
    pub scenario: Option<String>,
    /// TCP port (0 = any free port; the URL printed says which)
    #[arg(long, default_value_t = 8080)]
    pub port: u16,
    /// Address to listen on. Anything but a loopback address exposes the explorer to the network
    /// (it has no authentication) and prints a warning.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// Monte Carlo jobs running at once; further requests get 429 until one finishes
    #[arg(long, default_value_t = statecraft_serve::limits::DEFAULT_MAX_JOBS)]
    pub jobs: usize,
}

pub fn exec(args: Args) -> Result<(), Failure> {
    let mut cfg = statecraft_serve::ServeConfig {
        bind: args.bind,
        port: args.port,
        max_jobs: args.jobs.max(1),
        ..Default::default()
    };
    let name = args.scenario.unwrap_or_else(|| cfg.default_builtin.clone());
    let path = std::path::Path::new(&name);
    if path.is_file() {
        // Located errors exactly as `statecraft check` prints them, before the server starts.
        crate::load::scenario(&name)?;
        let text = crate::fsio::read_text(path)?;
        cfg.file = Some((name, text));
    } else {
        // A built-in name (or neither: the same error as `check`).
        crate::load::scenario(&name)?;
        cfg.default_builtin = name;
    }
    if !args.bind.is_loopback() {
        eprintln!(
            "warning: listening on {}: the explorer has no authentication; anyone who can reach \
             this address can run jobs on this machine",
            args.bind
        );
    }
    statecraft_serve::serve(cfg, |url| {
        println!("statecraft serve: open {url}  (Ctrl-C stops)");
    })
    .map_err(|e| match e {
        statecraft_serve::ServeError::Scenario(_) => Failure::input(e),
        statecraft_serve::ServeError::Io(_) => Failure::other(e),
    })
}
