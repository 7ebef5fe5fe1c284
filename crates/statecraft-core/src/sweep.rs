//! Sweeps: a manifest of parameter points, sharded runs, and a merge that never loses or
//! double-counts.
//!
//! A sweep is the cartesian product of grid axes (`path = v1, v2, …`, paths from
//! `Scenario::visit_nums_mut`). Point `p` is decoded in mixed radix with the **last** axis
//! varying fastest. Shard `i` of `n` owns the points `p` with `p mod n = i` (round-robin, so
//! shards get similar work). Every point runs a full Monte Carlo job with the manifest's seed
//! (common random numbers across points), so a point's row depends only on the manifest and the
//! point index — never on the shard layout or on how often a shard was restarted.
//!
//! This module does no I/O: it produces and parses CSV text. The CLI writes shard files
//! atomically (temporary file + rename). See `docs/sweeps.md`.

pub use crate::csv::{csv_line, parse_csv};
use crate::mc::{self, McConfig, McError};
use crate::rng::Rng;
use crate::scenario::{Edit, Scenario};
use crate::state::RunState;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt::Display;

/// Manifest format tag.
pub const FORMAT: &str = "statecraft-sweep/1";

/// Most grid points one sweep may have (docs/reliability.md).
pub const MAX_SWEEP_POINTS: usize = 10_000_000;

/// Most Monte Carlo runs per point a manifest may ask for (docs/reliability.md).
pub const MAX_SWEEP_RUNS: u64 = 100_000_000;

/// One axis of the grid.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GridAxis {
    pub path: String,
    pub values: Vec<f64>,
}

impl GridAxis {
    /// Parse `path=v1,v2,…`.
    pub fn parse(s: &str) -> Result<GridAxis, String> {
        let (path, vals) = s.split_once('=').ok_or_else(|| {
            format!("`{s}`: expected PATH=V1,V2,… e.g. stance.uk.x.position=20,50,80")
        })?;
        let values = vals
            .split(',')
            .map(|v| {
                let t = v.trim();
                t.parse::<f64>()
                    .ok()
                    .filter(|x| x.is_finite())
                    .ok_or_else(|| format!("`{s}`: `{t}` is not a number"))
            })
            .collect::<Result<Vec<f64>, String>>()?;
        if values.is_empty() {
            return Err(format!("`{s}`: no values"));
        }
        Ok(GridAxis {
            path: path.trim().to_string(),
            values,
        })
    }
}

/// Everything a shard needs to run, with no access to the scenario file.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub engine_version: String,
    /// sha256 of the canonical scenario JSON (see `mc::scenario_hash`).
    pub scenario_hash: String,
    pub scenario: Scenario,
    pub seed: u64,
    pub runs: u64,
    pub evidence_discount: f64,
    /// Edits applied to every point before the grid values (e.g. `--without`).
    pub edits: Vec<Edit>,
    pub grid: Vec<GridAxis>,
    /// Vars whose mean and 5/50/95% quantiles are recorded per point.
    pub vars: Vec<String>,
    /// Number of points (product of the axes' lengths).
    pub points: usize,
    pub model_options: serde_json::Value,
}

/// Why a sweep step failed.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum SweepError {
    #[error("{0}")]
    Input(String),
    #[error(transparent)]
    Mc(#[from] McError),
    /// Shard files that do not merge (missing or duplicate points, mixed sweeps).
    #[error("{0}")]
    Reduce(String),
}

/// Build a manifest. Every grid value is checked by applying it to the scenario.
/// `vars` defaults to `issue.<id>` for every issue when empty.
pub fn plan(
    scn: &Scenario,
    grid: Vec<GridAxis>,
    cfg: &McConfig,
    vars: Vec<String>,
) -> Result<Manifest, SweepError> {
    if grid.is_empty() {
        return Err(SweepError::Input(
            "a sweep needs at least one --grid axis".into(),
        ));
    }
    let mut points: usize = 1;
    for ax in &grid {
        if grid.iter().filter(|a| a.path == ax.path).count() > 1 {
            return Err(SweepError::Input(format!("axis `{}` given twice", ax.path)));
        }
        points = points
            .checked_mul(ax.values.len())
            .filter(|p| *p <= MAX_SWEEP_POINTS)
            .ok_or_else(|| SweepError::Input("the grid has more than 10 million points".into()))?;
        for v in &ax.values {
            let mut edits = cfg.edits.clone();
            edits.push(Edit::Set {
                path: ax.path.clone(),
                value: *v,
            });
            mc::apply_edits(scn, &edits)?;
        }
    }
    mc::compile_outcomes(scn)?;
    let vars = if vars.is_empty() {
        scn.issues
            .iter()
            .map(|i| format!("issue.{}", i.id))
            .collect()
    } else {
        vars
    };
    Ok(Manifest {
        format: FORMAT.into(),
        engine_version: crate::ENGINE_VERSION.into(),
        scenario_hash: mc::scenario_hash(scn),
        scenario: scn.clone(),
        seed: cfg.seed,
        runs: cfg.runs,
        evidence_discount: cfg.evidence_discount,
        edits: cfg.edits.clone(),
        grid,
        vars,
        points,
        model_options: cfg.model_options.clone(),
    })
}

impl Manifest {
    /// Check a manifest read back from disk (format, engine version, hash, point count).
    pub fn check(&self) -> Result<(), SweepError> {
        if self.format != FORMAT {
            return Err(SweepError::Input(format!(
                "manifest format `{}`, expected `{FORMAT}`",
                self.format
            )));
        }
        if self.engine_version != crate::ENGINE_VERSION {
            return Err(SweepError::Input(format!(
                "manifest written by engine {}, this is {}: re-plan the sweep",
                self.engine_version,
                crate::ENGINE_VERSION
            )));
        }
        if mc::scenario_hash(&self.scenario) != self.scenario_hash {
            return Err(SweepError::Input(
                "the manifest's scenario does not match its hash (edited by hand?)".into(),
            ));
        }
        if let Some(a) = self.grid.iter().find(|a| a.values.is_empty()) {
            return Err(SweepError::Input(format!(
                "grid axis `{}` has no values",
                a.path
            )));
        }
        if !(1..=MAX_SWEEP_RUNS).contains(&self.runs) {
            return Err(SweepError::Input(format!(
                "the manifest's runs = {} is outside [1, {MAX_SWEEP_RUNS}]",
                self.runs
            )));
        }
        if !(0.0..=1.0).contains(&self.evidence_discount) {
            return Err(SweepError::Input(format!(
                "the manifest's evidence_discount = {} is outside [0, 1]",
                self.evidence_discount
            )));
        }
        if let Some(a) = self
            .grid
            .iter()
            .find(|a| a.values.iter().any(|v| !v.is_finite()))
        {
            return Err(SweepError::Input(format!(
                "grid axis `{}` has a value that is not a finite number",
                a.path
            )));
        }
        // Checked: 4 axes of 65,536 values would wrap a plain product.
        let n = self
            .grid
            .iter()
            .try_fold(1usize, |p, a| p.checked_mul(a.values.len()))
            .filter(|n| *n <= MAX_SWEEP_POINTS);
        if n != Some(self.points) || self.grid.is_empty() {
            return Err(SweepError::Input(
                "the manifest's point count is wrong".into(),
            ));
        }
        Ok(())
    }

    /// Grid values of point `p` (one per axis).
    pub fn point_values(&self, p: usize) -> Vec<f64> {
        let mut rem = p;
        let mut out = vec![0.0; self.grid.len()];
        for (k, ax) in self.grid.iter().enumerate().rev() {
            let n = ax.values.len().max(1);
            out[k] = ax.values.get(rem % n).copied().unwrap_or(f64::NAN);
            rem /= n;
        }
        out
    }

    /// The Monte Carlo configuration of point `p`.
    pub fn point_config(&self, p: usize) -> McConfig {
        let mut edits = self.edits.clone();
        for (ax, v) in self.grid.iter().zip(self.point_values(p)) {
            edits.push(Edit::Set {
                path: ax.path.clone(),
                value: v,
            });
        }
        McConfig {
            runs: self.runs,
            seed: self.seed,
            evidence_discount: self.evidence_discount,
            edits,
            model_options: self.model_options.clone(),
            // a point's row holds its outcomes and its vars' summaries: its runs record no
            // series and count no events (`mc::Collect`)
            collect: mc::Collect {
                series: false,
                events: false,
                ..mc::Collect::ALL
            },
            ..McConfig::default()
        }
    }

    /// CSV header of a shard or merged file.
    pub fn header(&self) -> Vec<String> {
        let mut h: Vec<String> = [
            "point",
            "points",
            "scenario_hash",
            "seed",
            "runs",
            "engine_version",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        h.extend(self.grid.iter().map(|a| a.path.clone()));
        for o in &self.scenario.outcomes {
            for k in ["p", "lo", "hi"] {
                h.push(format!("{k}:{}", o.id));
            }
        }
        for v in &self.vars {
            for k in ["mean", "q05", "q50", "q95"] {
                h.push(format!("{k}:{v}"));
            }
        }
        h
    }
}

/// Points owned by shard `shard` of `of` (round-robin).
pub fn shard_points(points: usize, shard: usize, of: usize) -> Result<Vec<usize>, SweepError> {
    if of == 0 || shard >= of {
        return Err(SweepError::Input(format!(
            "shard {shard} of {of}: need 0 ≤ shard < of"
        )));
    }
    Ok((shard..points).step_by(of).collect())
}

/// Run one point and return its CSV row (fields in header order).
pub fn run_point<F, E>(m: &Manifest, p: usize, f: F) -> Result<Vec<String>, SweepError>
where
    F: Fn(&Scenario, &mut Rng) -> Result<RunState, E> + Sync,
    E: Display,
{
    let cfg = m.point_config(p);
    let r = mc::run(&m.scenario, &cfg, f, None)?;
    let mut row = vec![
        p.to_string(),
        m.points.to_string(),
        m.scenario_hash.clone(),
        m.seed.to_string(),
        m.runs.to_string(),
        m.engine_version.clone(),
    ];
    row.extend(m.point_values(p).iter().map(|v| v.to_string()));
    for o in &r.outcomes {
        row.extend([o.p, o.lo, o.hi].iter().map(|v| v.to_string()));
    }
    for v in &m.vars {
        match r.vars.get(v) {
            Some(s) => row.extend(
                [s.mean, s.quantiles[0], s.quantiles[2], s.quantiles[4]]
                    .iter()
                    .map(|x| x.to_string()),
            ),
            None => row.extend(std::iter::repeat_n(String::new(), 4)),
        }
    }
    Ok(row)
}

/// Run every point of a shard and return the shard's CSV text. `progress(done, total)` is
/// called after each point.
pub fn run_shard<F, E>(
    m: &Manifest,
    shard: usize,
    of: usize,
    f: F,
    progress: Option<&dyn Fn(usize, usize)>,
) -> Result<String, SweepError>
where
    F: Fn(&Scenario, &mut Rng) -> Result<RunState, E> + Sync,
    E: Display,
{
    let pts = shard_points(m.points, shard, of)?;
    let mut out = csv_line(&m.header());
    for (k, p) in pts.iter().enumerate() {
        out.push_str(&csv_line(&run_point(m, *p, &f)?));
        if let Some(cb) = progress {
            cb(k + 1, pts.len());
        }
    }
    Ok(out)
}

/// Canonical file name of a shard's result.
pub fn shard_file_name(shard: usize, of: usize) -> String {
    format!("shard-{shard:05}-of-{of:05}.csv")
}

/// Merge shard CSV texts into one CSV sorted by point, checking that all shards come from the
/// same sweep (header, scenario hash, seed, runs, engine version, point count) and that every
/// point `0..points` appears exactly once. `files` are (name, text) pairs, names used in errors.
pub fn reduce(
    files: &[(String, String)],
    manifest: Option<&Manifest>,
) -> Result<String, SweepError> {
    if files.is_empty() {
        return Err(SweepError::Reduce("no shard files to merge".into()));
    }
    let bad = |m: String| SweepError::Reduce(m);
    let mut header: Option<Vec<String>> = manifest.map(Manifest::header);
    let mut ident: Option<(String, String, String, String, String)> = manifest.map(|m| {
        (
            m.points.to_string(),
            m.scenario_hash.clone(),
            m.seed.to_string(),
            m.runs.to_string(),
            m.engine_version.clone(),
        )
    });
    let mut rows: BTreeMap<usize, (Vec<String>, String)> = BTreeMap::new();
    for (name, text) in files {
        let mut lines = parse_csv(text).map_err(|e| bad(format!("{name}: {e}")))?;
        if lines.is_empty() {
            return Err(bad(format!("{name}: empty file")));
        }
        let h = lines.remove(0);
        match &header {
            None => header = Some(h),
            Some(expected) if *expected != h => {
                return Err(bad(format!(
                    "{name}: its columns differ from the other shards' (a different sweep?)"
                )))
            }
            _ => {}
        }
        let ncol = header.as_ref().map_or(0, Vec::len);
        for (ln, row) in lines.into_iter().enumerate() {
            if row.len() != ncol || row.len() < 6 {
                return Err(bad(format!(
                    "{name}: row {} has {} fields, expected {ncol} (truncated file?)",
                    ln + 2,
                    row.len()
                )));
            }
            let id = (
                row[1].clone(),
                row[2].clone(),
                row[3].clone(),
                row[4].clone(),
                row[5].clone(),
            );
            match &ident {
                None => ident = Some(id),
                Some(e) if *e != id => {
                    return Err(bad(format!(
                        "{name}: row {} belongs to another sweep (points, scenario hash, seed, runs or engine version differ)",
                        ln + 2
                    )))
                }
                _ => {}
            }
            // Every result cell is a finite number or empty (a var absent from every run).
            if let Some((k, cell)) = row
                .iter()
                .enumerate()
                .skip(6)
                .find(|(_, c)| !c.is_empty() && !c.parse::<f64>().is_ok_and(f64::is_finite))
            {
                return Err(bad(format!(
                    "{name}: row {}, column `{}`: `{cell}` is not a finite number (a damaged shard?)",
                    ln + 2,
                    header.as_ref().and_then(|h| h.get(k)).map_or("?", String::as_str)
                )));
            }
            let p: usize = row[0]
                .parse()
                .map_err(|_| bad(format!("{name}: row {}: bad point `{}`", ln + 2, row[0])))?;
            if let Some((_, other)) = rows.get(&p) {
                return Err(bad(format!(
                    "point {p} appears twice ({other} and {name}): shards from different --of values mixed?"
                )));
            }
            rows.insert(p, (row, name.clone()));
        }
    }
    let points: usize = ident
        .as_ref()
        .and_then(|i| i.0.parse().ok())
        .ok_or_else(|| bad("no data rows in any shard".into()))?;
    let missing: Vec<usize> = (0..points).filter(|p| !rows.contains_key(p)).collect();
    if !missing.is_empty() {
        let shown: Vec<String> = missing.iter().take(20).map(ToString::to_string).collect();
        return Err(bad(format!(
            "{} of {points} points missing (e.g. {}): re-run the shards that own them",
            missing.len(),
            shown.join(", ")
        )));
    }
    if let Some(p) = rows.keys().find(|p| **p >= points) {
        return Err(bad(format!(
            "point {p} is out of range (sweep has {points})"
        )));
    }
    let mut out = csv_line(header.as_deref().unwrap_or(&[]));
    for (row, _) in rows.values() {
        out.push_str(&csv_line(row));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grid_axis_parse() {
        let a = GridAxis::parse("stance.a.x.position=10, 20,30").unwrap();
        assert_eq!(a.values, vec![10.0, 20.0, 30.0]);
        assert!(GridAxis::parse("x").is_err());
        assert!(GridAxis::parse("x=1,y").is_err());
        assert!(GridAxis::parse("x=1,inf").is_err());
    }

    #[test]
    fn shards_partition_points() {
        let mut all: Vec<usize> = (0..3)
            .flat_map(|i| shard_points(10, i, 3).unwrap())
            .collect();
        all.sort();
        assert_eq!(all, (0..10).collect::<Vec<_>>());
        assert!(shard_points(10, 3, 3).is_err());
        assert!(shard_points(10, 0, 0).is_err());
    }
}
