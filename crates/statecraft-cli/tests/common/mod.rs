//! Helpers shared by the CLI integration tests (`tests/common/mod.rs` is not a test target).
//! Each test file uses only some of them.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The workspace root: the binary runs there, so builtin names and `tests/fixtures/` resolve.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs `statecraft` with `args` from the workspace root, `NO_COLOR=1` and the extra `env`.
pub fn statecraft_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_statecraft"));
    c.args(args).current_dir(root()).env("NO_COLOR", "1");
    for (k, v) in env {
        c.env(k, v);
    }
    c.output().expect("run statecraft")
}

/// Runs `statecraft` with `args` from the workspace root with `NO_COLOR=1`.
pub fn statecraft(args: &[&str]) -> Output {
    statecraft_env(args, &[])
}
