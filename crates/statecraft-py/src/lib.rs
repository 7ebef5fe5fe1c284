//! `statecraft._native`: the PyO3 extension module behind the `statecraft` Python package
//! (`python/statecraft/`). Thin glue only: argument conversion, exceptions, and releasing the
//! GIL while Rust runs. Every core call is in [`core`].

mod core;

use crate::core::{Error, Flags, StudyFlags};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

pyo3::create_exception!(
    statecraft,
    ScenarioError,
    PyValueError,
    "A scenario that does not load; `.errors` lists every located problem."
);
pyo3::create_exception!(
    statecraft,
    InputError,
    PyValueError,
    "Bad input to a statecraft call (unknown path, value out of range, damaged manifest, …)."
);

fn to_py(py: Python<'_>, e: Error) -> PyErr {
    let msg = e.message();
    match e {
        Error::Scenario { errors, total, .. } => {
            let err = ScenarioError::new_err(msg);
            let list = PyList::empty(py);
            for x in &errors {
                let d = PyDict::new(py);
                let _ = d.set_item("message", &x.message);
                let _ = d.set_item("help", &x.help);
                let _ = d.set_item("line", x.line);
                let _ = d.set_item("column", x.column);
                let _ = d.set_item("start", x.start);
                let _ = d.set_item("end", x.end);
                let _ = list.append(d);
            }
            let v = err.value(py);
            let _ = v.setattr("errors", list);
            let _ = v.setattr("total", total);
            err
        }
        Error::Input(_) => InputError::new_err(msg),
        Error::Other(_) => PyRuntimeError::new_err(msg),
    }
}

/// A loaded, validated scenario (immutable; picklable).
#[pyclass(frozen, module = "statecraft._native", name = "Scenario")]
struct PyScenario {
    scn: statecraft_core::scenario::Scenario,
}

#[pymethods]
impl PyScenario {
    #[getter]
    fn id(&self) -> String {
        core::summary(&self.scn).0
    }
    #[getter]
    fn title(&self) -> String {
        core::summary(&self.scn).1
    }
    #[getter]
    fn outcome_ids(&self) -> Vec<String> {
        core::summary(&self.scn).2
    }
    #[getter]
    fn issue_ids(&self) -> Vec<String> {
        core::summary(&self.scn).3
    }
    /// sha256 of the canonical scenario JSON (the hash studies and sweeps record).
    #[getter]
    fn hash(&self) -> String {
        core::scenario_hash(&self.scn)
    }
    fn parameters_json(&self, py: Python<'_>) -> PyResult<String> {
        core::parameters_json(&self.scn).map_err(|e| to_py(py, e))
    }
    /// The compiled experiment: model, uncertain inputs and output schema (JSON).
    fn schema_json(&self, py: Python<'_>) -> PyResult<String> {
        core::experiment_json(&self.scn).map_err(|e| to_py(py, e))
    }
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        core::scenario_to_json(&self.scn).map_err(|e| to_py(py, e))
    }
    fn __reduce__(&self, py: Python<'_>) -> PyResult<(Py<PyAny>, (String,))> {
        let f = py
            .import("statecraft._native")?
            .getattr("scenario_from_json")?
            .unbind();
        Ok((f, (self.to_json(py)?,)))
    }
    fn __repr__(&self) -> String {
        let (id, title, _, _) = core::summary(&self.scn);
        format!("<statecraft Scenario {id}: {title}>")
    }
}

fn wrap(
    py: Python<'_>,
    r: Result<statecraft_core::scenario::Scenario, Error>,
) -> PyResult<PyScenario> {
    r.map(|scn| PyScenario { scn }).map_err(|e| to_py(py, e))
}

/// Load a scenario from text; `filename` picks the format (`.toml`, `.csv`, KTAB `.xml`).
#[pyfunction]
fn load_text(py: Python<'_>, filename: &str, text: &str) -> PyResult<PyScenario> {
    wrap(py, core::load(filename, text))
}

/// A scenario from its JSON form (pickling), validated again.
#[pyfunction]
fn scenario_from_json(py: Python<'_>, text: &str) -> PyResult<PyScenario> {
    wrap(py, core::scenario_from_json(text))
}

#[pyfunction]
fn builtin_text(name: &str) -> Option<&'static str> {
    core::builtin_text(name)
}

#[pyfunction]
fn builtin_names() -> Vec<&'static str> {
    core::builtin_names()
}

#[pyfunction]
fn suggest_builtin(name: &str) -> Option<String> {
    core::suggest_builtin(name)
}

/// `(seed, sweep runs, max runs per job)` defaults of the core.
#[pyfunction]
fn defaults() -> (u64, u64, u64) {
    core::defaults()
}

#[pyfunction]
fn engine_version() -> &'static str {
    core::engine_version()
}

#[allow(clippy::too_many_arguments)]
fn flags(
    runs: Option<u64>,
    seed: u64,
    evidence_discount: f64,
    set: Vec<(String, f64)>,
    without: Vec<String>,
    disable: Vec<String>,
    tolerance: f64,
    max_runs: Option<u64>,
) -> Flags {
    Flags {
        runs,
        seed,
        evidence_discount,
        set,
        without,
        disable,
        tolerance,
        max_runs,
    }
}

/// Run `f` without the GIL, in a rayon pool of `threads` threads (the global pool when `None`).
fn detached<T: Send>(
    py: Python<'_>,
    threads: Option<usize>,
    f: impl FnOnce() -> Result<T, Error> + Send,
) -> PyResult<T> {
    let r = py.detach(|| match threads {
        None => f(),
        Some(0) => Err(Error::Input("threads must be at least 1".into())),
        Some(n) => rayon_pool(n).and_then(|p| p.install(f)),
    });
    r.map_err(|e| to_py(py, e))
}

fn rayon_pool(n: usize) -> Result<rayon::ThreadPool, Error> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(n)
        .build()
        .map_err(|e| Error::Other(format!("cannot start {n} threads: {e}")))
}

/// A study; returns the `Study` JSON exactly as `statecraft run --format json` prints it.
#[pyfunction]
#[pyo3(signature = (scenario, *, preset, runs, seed, evidence_discount, set, without, disable,
    tolerance, max_runs, hypotheses, pivotal, pivotal_runs, discount_runs, nested, threads,
    pivotal_top=None, pivotal_cap=None, tornado=None, sobol=None, sobol_n=None,
    sobol_groups=None, hypothesis_looks=None))]
#[allow(clippy::too_many_arguments)]
fn study_json(
    py: Python<'_>,
    scenario: &PyScenario,
    preset: String,
    runs: Option<u64>,
    seed: u64,
    evidence_discount: f64,
    set: Vec<(String, f64)>,
    without: Vec<String>,
    disable: Vec<String>,
    tolerance: f64,
    max_runs: Option<u64>,
    hypotheses: bool,
    pivotal: bool,
    pivotal_runs: Option<u64>,
    discount_runs: Option<u64>,
    nested: Option<(u64, u64)>,
    threads: Option<usize>,
    pivotal_top: Option<usize>,
    pivotal_cap: Option<u64>,
    tornado: Option<String>,
    sobol: Option<String>,
    sobol_n: Option<usize>,
    sobol_groups: Option<String>,
    hypothesis_looks: Option<usize>,
) -> PyResult<String> {
    let f = flags(
        runs,
        seed,
        evidence_discount,
        set,
        without,
        disable,
        tolerance,
        max_runs,
    );
    let s = StudyFlags {
        preset,
        hypotheses,
        pivotal,
        pivotal_runs,
        pivotal_top,
        pivotal_cap,
        discount_runs,
        nested,
        tornado,
        sobol,
        sobol_n,
        sobol_groups,
        hypothesis_looks,
    };
    let scn = &scenario.scn;
    detached(py, threads, || core::study_json(scn, &f, &s))
}

/// One Monte Carlo job per row; JSON list of `{runs, outcomes: [[id, p, lo, hi]], vars: [[name, mean]]}`.
#[pyfunction]
#[pyo3(signature = (scenario, paths, rows, *, preset, runs, seed, evidence_discount, set,
    without, disable, tolerance, max_runs, vars, threads))]
#[allow(clippy::too_many_arguments)]
fn run_batch_json(
    py: Python<'_>,
    scenario: &PyScenario,
    paths: Vec<String>,
    rows: Vec<Vec<f64>>,
    preset: String,
    runs: Option<u64>,
    seed: u64,
    evidence_discount: f64,
    set: Vec<(String, f64)>,
    without: Vec<String>,
    disable: Vec<String>,
    tolerance: f64,
    max_runs: Option<u64>,
    vars: Option<Vec<String>>,
    threads: Option<usize>,
) -> PyResult<String> {
    let f = flags(
        runs,
        seed,
        evidence_discount,
        set,
        without,
        disable,
        tolerance,
        max_runs,
    );
    let scn = &scenario.scn;
    detached(py, threads, || {
        core::run_batch(scn, &f, &preset, &paths, &rows, vars)
    })
}

/// A sweep manifest (pretty JSON, as `statecraft sweep plan -o` writes it).
#[pyfunction]
#[pyo3(signature = (scenario, grid, *, runs, seed, evidence_discount, set, without, disable,
    tolerance, max_runs, vars))]
#[allow(clippy::too_many_arguments)]
fn sweep_plan(
    py: Python<'_>,
    scenario: &PyScenario,
    grid: Vec<(String, Vec<f64>)>,
    runs: Option<u64>,
    seed: u64,
    evidence_discount: f64,
    set: Vec<(String, f64)>,
    without: Vec<String>,
    disable: Vec<String>,
    tolerance: f64,
    max_runs: Option<u64>,
    vars: Vec<String>,
) -> PyResult<String> {
    let f = flags(
        runs,
        seed,
        evidence_discount,
        set,
        without,
        disable,
        tolerance,
        max_runs,
    );
    core::sweep_plan(&scenario.scn, grid, &f, vars).map_err(|e| to_py(py, e))
}

/// Points of a manifest (checked).
#[pyfunction]
fn sweep_points(py: Python<'_>, manifest: &str) -> PyResult<usize> {
    core::sweep_points(manifest).map_err(|e| to_py(py, e))
}

#[pyfunction]
fn shard_points(py: Python<'_>, points: usize, shard: usize, of: usize) -> PyResult<Vec<usize>> {
    core::shard_points(points, shard, of).map_err(|e| to_py(py, e))
}

/// One shard's CSV text (what `statecraft sweep run --shard I --of N` writes).
#[pyfunction]
#[pyo3(signature = (manifest, shard, of, threads=None))]
fn sweep_run_shard(
    py: Python<'_>,
    manifest: String,
    shard: usize,
    of: usize,
    threads: Option<usize>,
) -> PyResult<String> {
    detached(py, threads, || core::sweep_run_shard(&manifest, shard, of))
}

/// The merged CSV of shard texts `[(name, csv)]` (what `statecraft sweep reduce` writes).
#[pyfunction]
#[pyo3(signature = (files, manifest=None))]
fn sweep_reduce(
    py: Python<'_>,
    files: Vec<(String, String)>,
    manifest: Option<String>,
) -> PyResult<String> {
    core::sweep_reduce(&files, manifest.as_deref()).map_err(|e| to_py(py, e))
}

#[pyfunction]
fn shard_file_name(shard: usize, of: usize) -> String {
    core::shard_file_name(shard, of)
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("ScenarioError", py.get_type::<ScenarioError>())?;
    m.add("InputError", py.get_type::<InputError>())?;
    m.add_class::<PyScenario>()?;
    m.add_function(wrap_pyfunction!(load_text, m)?)?;
    m.add_function(wrap_pyfunction!(scenario_from_json, m)?)?;
    m.add_function(wrap_pyfunction!(builtin_text, m)?)?;
    m.add_function(wrap_pyfunction!(builtin_names, m)?)?;
    m.add_function(wrap_pyfunction!(suggest_builtin, m)?)?;
    m.add_function(wrap_pyfunction!(engine_version, m)?)?;
    m.add_function(wrap_pyfunction!(defaults, m)?)?;
    m.add_function(wrap_pyfunction!(study_json, m)?)?;
    m.add_function(wrap_pyfunction!(run_batch_json, m)?)?;
    m.add_function(wrap_pyfunction!(sweep_plan, m)?)?;
    m.add_function(wrap_pyfunction!(sweep_points, m)?)?;
    m.add_function(wrap_pyfunction!(shard_points, m)?)?;
    m.add_function(wrap_pyfunction!(sweep_run_shard, m)?)?;
    m.add_function(wrap_pyfunction!(sweep_reduce, m)?)?;
    m.add_function(wrap_pyfunction!(shard_file_name, m)?)?;
    Ok(())
}
