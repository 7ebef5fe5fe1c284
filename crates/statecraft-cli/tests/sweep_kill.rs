//! A sweep whose shard is killed with SIGKILL mid-way and then re-run gives exactly the same
//! merged result as an uninterrupted sweep; reduce refuses incomplete or mixed shard sets.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The toy scenario of the core's sweep tests (`statecraft-core/tests/mc_sweep.rs`).
const SCN: &str = include_str!("../../statecraft-core/tests/fixtures/sweep_toy.toml");

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_statecraft"))
}

fn workdir(name: &str) -> PathBuf {
    let d = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn ok(cmd: &mut Command) {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{:?} failed: {}",
        cmd,
        String::from_utf8_lossy(&out.stderr)
    );
}

fn plan(dir: &Path, runs: u64) -> PathBuf {
    let scn = dir.join("s.toml");
    std::fs::write(&scn, SCN).unwrap();
    let m = dir.join("m.json");
    ok(bin()
        .args(["sweep", "plan"])
        .arg(&scn)
        .args([
            "--grid",
            "stance.b.x.position=20,40,60,80",
            "--grid",
            "actor.a.capability=10,90",
            "--runs",
            &runs.to_string(),
            "--seed",
            "11",
            "-o",
        ])
        .arg(&m));
    m
}

fn run_shard(m: &Path, out: &Path, i: usize, of: usize) {
    ok(bin()
        .args(["sweep", "run"])
        .arg(m)
        .args(["--shard", &i.to_string(), "--of", &of.to_string(), "--out"])
        .arg(out));
}

fn reduce(dir: &Path, merged: &Path) -> std::process::Output {
    bin()
        .args(["sweep", "reduce"])
        .arg(dir)
        .arg("-o")
        .arg(merged)
        .output()
        .unwrap()
}

#[test]
fn killed_shard_rerun_gives_identical_merge() {
    let runs = 6_000;
    // Uninterrupted sweep.
    let a = workdir("sweep_kill_a");
    let ma = plan(&a, runs);
    let out_a = a.join("out");
    run_shard(&ma, &out_a, 0, 2);
    run_shard(&ma, &out_a, 1, 2);
    let merged_a = a.join("merged.csv");
    assert!(reduce(&out_a, &merged_a).status.success());

    // Interrupted sweep: shard 0 is killed with SIGKILL while it runs.
    let b = workdir("sweep_kill_b");
    let mb = plan(&b, runs);
    let out_b = b.join("out");
    run_shard(&mb, &out_b, 1, 2);
    let mut child = bin()
        .args(["sweep", "run"])
        .arg(&mb)
        // One thread: slow enough to be caught mid-way on any machine; the re-run below uses
        // all threads, which must not change the result.
        .args(["--shard", "0", "--of", "2", "--threads", "1", "--out"])
        .arg(&out_b)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let t0 = Instant::now();
    while t0.elapsed() < Duration::from_millis(150) {
        std::thread::sleep(Duration::from_millis(20));
    }
    assert!(
        child.try_wait().unwrap().is_none(),
        "the shard finished before it could be killed; raise `runs`"
    );
    child.kill().unwrap(); // SIGKILL on Unix
    let status = child.wait().unwrap();
    assert!(!status.success());
    // Nothing half-written under the shard's name.
    assert!(!out_b.join("shard-00000-of-00002.csv").exists());
    // Reduce refuses the incomplete set.
    let merged_b = b.join("merged.csv");
    let r = reduce(&out_b, &merged_b);
    assert_eq!(r.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&r.stderr).contains("missing"));
    assert!(!merged_b.exists());
    // Re-run the killed shard, then reduce: byte-identical to the uninterrupted sweep.
    run_shard(&mb, &out_b, 0, 2);
    assert!(reduce(&out_b, &merged_b).status.success());
    let ta = std::fs::read_to_string(&merged_a).unwrap();
    let tb = std::fs::read_to_string(&merged_b).unwrap();
    assert_eq!(ta, tb);
    assert_eq!(ta.lines().count(), 1 + 8);

    // A shard file from a different shard layout double-counts: reduce refuses.
    std::fs::copy(
        out_b.join("shard-00001-of-00002.csv"),
        out_b.join("shard-00001-of-00003.csv"),
    )
    .unwrap();
    let r = reduce(&out_b, &b.join("dup.csv"));
    assert_eq!(r.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&r.stderr).contains("twice"));
}

#[test]
fn shard_index_from_scheduler_environment() {
    let d = workdir("sweep_env");
    let m = plan(&d, 50);
    let out = d.join("out");
    ok(bin()
        .args(["sweep", "run"])
        .arg(&m)
        .arg("--out")
        .arg(&out)
        .env("SLURM_ARRAY_TASK_ID", "1")
        .env("SLURM_ARRAY_TASK_COUNT", "3"));
    assert!(out.join("shard-00001-of-00003.csv").exists());
    ok(bin()
        .args(["sweep", "run"])
        .arg(&m)
        .args(["--of", "3", "--out"])
        .arg(&out)
        .env_remove("SLURM_ARRAY_TASK_ID")
        .env("JOB_COMPLETION_INDEX", "2"));
    assert!(out.join("shard-00002-of-00003.csv").exists());
    let r = bin()
        .args(["sweep", "run"])
        .arg(&m)
        .arg("--out")
        .arg(&out)
        .env_remove("SLURM_ARRAY_TASK_ID")
        .env_remove("JOB_COMPLETION_INDEX")
        .env_remove("SLURM_ARRAY_TASK_COUNT")
        .output()
        .unwrap();
    // neither a flag nor a scheduler variable: the whole sweep, as one shard of one
    assert_eq!(
        r.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    assert!(out.join("shard-00000-of-00001.csv").exists());
    // a shard index without a shard count is an input error
    let r = bin()
        .args(["sweep", "run"])
        .arg(&m)
        .args(["--shard", "1", "--out"])
        .arg(&out)
        .env_remove("SLURM_ARRAY_TASK_ID")
        .env_remove("JOB_COMPLETION_INDEX")
        .env_remove("SLURM_ARRAY_TASK_COUNT")
        .output()
        .unwrap();
    assert_eq!(r.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&r.stderr).contains("--shard given without --of"));
}
