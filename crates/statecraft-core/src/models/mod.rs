//! Bargaining models: pure functions from a bargaining problem (and an RNG) to a trajectory.
//!
//! Invariant: models never do I/O and never read the clock; all randomness comes from the RNG
//! handed in.

use crate::rng::Rng;
use serde::{Deserialize, Serialize};

/// One policy dimension of a bargaining problem.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Dim {
    pub id: String,
    pub min: f64,
    pub max: f64,
}

/// The numbers a bargaining model needs: actors × dimensions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Problem {
    pub actors: Vec<String>,
    pub capability: Vec<f64>,
    pub dims: Vec<Dim>,
    /// `position[actor][dim]`, on the dimension's own scale.
    pub position: Vec<Vec<f64>>,
    /// `salience[actor][dim]`, 0–1.
    pub salience: Vec<Vec<f64>>,
}

impl Problem {
    pub fn n_actors(&self) -> usize {
        self.actors.len()
    }
    pub fn n_dims(&self) -> usize {
        self.dims.len()
    }
}

/// What a model produced: positions per round (round 0 = the input), plus model-specific notes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Trajectory {
    /// `rounds[t][actor][dim]`.
    pub rounds: Vec<Vec<Vec<f64>>>,
    /// Whether the model's own stopping rule ended the run before the round limit.
    pub converged: bool,
    /// Human-readable notes (e.g. "EUM is single-issue: each issue run separately").
    pub notes: Vec<String>,
    /// Model-specific per-round output (SMP: ideals, win probabilities), free-form JSON.
    #[serde(default, skip_serializing_if = "serde_json::Value::is_null")]
    pub details: serde_json::Value,
}

/// Error raised by a model on an input it cannot handle.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct ModelError(pub String);

/// A statistic of the positions used as a model's forecast.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ForecastStat {
    /// c·s-weighted median.
    #[default]
    Median,
    /// c·s-weighted mean.
    Mean,
}

/// A bargaining model.
pub trait Model: Send + Sync {
    /// Short id used on the command line (`--model eum`).
    fn id(&self) -> &str;
    /// One-line description for `statecraft models`.
    fn describe(&self) -> &str;
    /// True if the model bargains over all dimensions jointly (SMP); false if each dimension is
    /// an independent single-issue problem (EUM, compromise, median).
    fn multi_dimensional(&self) -> bool {
        false
    }
    /// Which statistic of the final positions is this model's forecast (reported as
    /// `forecast` by the engine). Default: the c·s-weighted median (BdM's "dominant outcome").
    fn forecast_stat(&self) -> ForecastStat {
        ForecastStat::Median
    }
    /// Run for at most `max_rounds` rounds.
    fn run(
        &self,
        problem: &Problem,
        max_rounds: usize,
        rng: &mut Rng,
    ) -> Result<Trajectory, ModelError>;
}

pub mod averaging;
pub mod compromise;
pub mod eum;
pub mod median;
pub mod smp;
pub mod stats;
pub mod step;

pub use stats::TieRule;

/// The c·s weights of every actor on dimension `d`.
pub fn weights(problem: &Problem, d: usize) -> Vec<f64> {
    problem
        .capability
        .iter()
        .zip(&problem.salience)
        .map(|(c, s)| c * s[d])
        .collect()
}

/// The trajectory of a model that moves no actor (compromise, median): round 0 only, after
/// [`check_problem`], with `forecast(d)` for every dimension in `details.forecast`.
fn static_trajectory(
    problem: &Problem,
    forecast: impl Fn(usize) -> f64,
    note: String,
) -> Result<Trajectory, ModelError> {
    check_problem(problem)?;
    let forecasts: Vec<f64> = (0..problem.n_dims()).map(forecast).collect();
    Ok(Trajectory {
        rounds: vec![problem.position.clone()],
        converged: true,
        notes: vec![note],
        details: serde_json::json!({ "forecast": forecasts }),
    })
}

/// Reject problems whose shape or numbers a model cannot use (never panic on user input).
pub fn check_problem(problem: &Problem) -> Result<(), ModelError> {
    let n = problem.n_actors();
    let m = problem.n_dims();
    if problem.capability.len() != n || problem.position.len() != n || problem.salience.len() != n {
        return Err(ModelError(format!(
            "problem has {n} actors but {} capabilities, {} position rows and {} salience rows",
            problem.capability.len(),
            problem.position.len(),
            problem.salience.len()
        )));
    }
    for (a, name) in problem.actors.iter().enumerate() {
        if problem.position[a].len() != m || problem.salience[a].len() != m {
            return Err(ModelError(format!(
                "actor `{name}` has {} positions and {} saliences for {m} dimensions",
                problem.position[a].len(),
                problem.salience[a].len()
            )));
        }
        let c = problem.capability[a];
        if !c.is_finite() || c < 0.0 {
            return Err(ModelError(format!(
                "actor `{name}` has capability {c}; expected a finite number >= 0"
            )));
        }
        for d in 0..m {
            let (x, s) = (problem.position[a][d], problem.salience[a][d]);
            if !x.is_finite() {
                return Err(ModelError(format!(
                    "actor `{name}` has position {x} on `{}`",
                    problem.dims[d].id
                )));
            }
            if !s.is_finite() || !(0.0..=1.0).contains(&s) {
                return Err(ModelError(format!(
                    "actor `{name}` has salience {s} on `{}`; expected 0–1",
                    problem.dims[d].id
                )));
            }
        }
    }
    Ok(())
}

/// Options a front end may pass to [`by_id`]. Every field is optional; `None` keeps the model's
/// documented default. Which fields apply to which model: [`option_keys`].
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ModelOptions {
    /// Median tie rule (the `median` model, and the median the EUM reports and uses for μ).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tie: Option<TieRule>,
    /// EUM: probability Q that the status quo holds if no challenge is made.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub q: Option<f64>,
    /// EUM: a complete option set replacing the variant's preset (then `tie` and `q` still
    /// override it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eum: Option<eum::EumOptions>,
    /// SMP: KTAB's nine parameters, the accommodation matrix, the stopping rule and
    /// `ktab_compat` (KTAB's defaults when absent).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub smp: Option<smp::SmpParams>,
    /// `crisis-averaging` on a plain bargaining scenario: the adjustment rate λ (0–1).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate: Option<f64>,
}

/// The model family an id belongs to (which options apply).
fn family(model: &str) -> &'static str {
    match model {
        "eum" | "eum-scholz" | "eum-printed" => "eum",
        "smp" => "smp",
        "median" => "median",
        averaging::ID => "averaging",
        _ => "compromise",
    }
}

/// The option keys `--model-opt KEY=VALUE` accepts for `model` (KTAB's XML names are accepted
/// for SMP too, e.g. `VotingRule=PropCbc`).
pub fn option_keys(model: &str) -> Vec<String> {
    let fields = |v: serde_json::Value| -> Vec<String> {
        match v {
            serde_json::Value::Object(m) => m.keys().cloned().collect(),
            _ => Vec::new(),
        }
    };
    match family(model) {
        "eum" => {
            let mut k = vec!["tie".to_string(), "q".to_string()];
            for f in fields(serde_json::to_value(eum::EumOptions::scholz()).unwrap_or_default()) {
                if !k.contains(&f) {
                    k.push(f);
                }
            }
            k
        }
        "smp" => {
            let mut k = fields(serde_json::to_value(smp::SmpParams::default()).unwrap_or_default());
            k.push("accommodation".into());
            k.extend(smp::KTAB_PARAM_NAMES.iter().map(|s| s.to_string()));
            k
        }
        "median" => vec!["tie".into()],
        "averaging" => vec!["rate".into()],
        _ => Vec::new(),
    }
}

impl ModelOptions {
    /// True if no option is set.
    pub fn is_empty(&self) -> bool {
        *self == ModelOptions::default()
    }

    /// Check that every option set applies to `model` (e.g. `smp` options on `eum` do not);
    /// the error names the offending option and the model's own options.
    pub fn check_applies(&self, model: &str) -> Result<(), String> {
        let fam = family(model);
        let set: [(&str, bool, &[&str]); 5] = [
            ("tie", self.tie.is_some(), &["eum", "median"]),
            ("q", self.q.is_some(), &["eum"]),
            ("eum", self.eum.is_some(), &["eum"]),
            ("smp", self.smp.is_some(), &["smp"]),
            ("rate", self.rate.is_some(), &["averaging"]),
        ];
        for (key, present, families) in set {
            if present && !families.contains(&fam) {
                return Err(not_applicable(model, key));
            }
        }
        if let Some(r) = self.rate {
            if !(0.0..=1.0).contains(&r) || r.is_nan() {
                return Err(format!("rate = {r} is outside 0–1"));
            }
        }
        if let Some(q) = self.q {
            if !(0.0..=1.0).contains(&q) || q.is_nan() {
                return Err(format!("q = {q} is outside 0–1"));
            }
        }
        if let Some(e) = &self.eum {
            e.check()?;
        }
        Ok(())
    }

    /// Set one option from a `key=value` pair as given on a command line
    /// (`--model-opt q=0.5`), for model `model`. Keys: [`option_keys`]: `tie`
    /// (lower|upper|midpoint), `q`, every field of [`eum::EumOptions`]
    /// (`ranking=least-move`, `perspective=own`, `stopping=still:0.001`, `stopping=fixed`, …;
    /// starting from the preset of `model`), every field of [`smp::SmpParams`] or KTAB's XML
    /// name of it (`VotingRule=PropCbc`, `ktab_compat=true`; starting from the options already
    /// set), `rate` for `crisis-averaging`. An unknown key, a key of another model or a bad
    /// value is an error naming the valid keys or values.
    pub fn set(&mut self, model: &str, key: &str, value: &str) -> Result<(), String> {
        let keys = option_keys(model);
        if !keys.iter().any(|k| k == key) {
            return Err(unknown_option(model, key, &keys));
        }
        match (family(model), key) {
            (_, "tie") => {
                let t: TieRule = value.parse()?;
                self.tie = Some(t);
                Ok(())
            }
            (_, "q") => {
                let q: f64 = value
                    .parse()
                    .map_err(|_| format!("q: `{value}` is not a number"))?;
                if !(0.0..=1.0).contains(&q) {
                    return Err(format!("q = {q} is outside 0–1"));
                }
                self.q = Some(q);
                Ok(())
            }
            (_, "rate") => {
                let r: f64 = value
                    .parse()
                    .map_err(|_| format!("rate: `{value}` is not a number"))?;
                if !(0.0..=1.0).contains(&r) {
                    return Err(format!("rate = {r} is outside 0–1"));
                }
                self.rate = Some(r);
                Ok(())
            }
            ("smp", _) => {
                let mut p = self.smp.clone().unwrap_or_default();
                if smp::KTAB_PARAM_NAMES.contains(&key) {
                    p.set_ktab(key, value).map_err(|e| format!("{key}: {e}"))?;
                } else {
                    p = set_field(&p, key, value)?;
                }
                self.smp = Some(p);
                Ok(())
            }
            _ => {
                let base = self.eum.clone().unwrap_or_else(|| {
                    if model == "eum-printed" {
                        eum::EumOptions::printed()
                    } else {
                        eum::EumOptions::scholz()
                    }
                });
                // The variant label (and so the model id) is kept: the run's details list
                // every option.
                let o: eum::EumOptions = set_field(&base, key, value)?;
                o.check()?;
                self.eum = Some(o);
                Ok(())
            }
        }
    }
}

fn not_applicable(model: &str, key: &str) -> String {
    let keys = option_keys(model);
    format!(
        "option `{key}` does not apply to model `{model}`; {}",
        if keys.is_empty() {
            format!("`{model}` takes no options")
        } else {
            format!("its options: {}", keys.join(", "))
        }
    )
}

fn unknown_option(model: &str, key: &str, keys: &[String]) -> String {
    let all: Vec<String> = IDS.iter().flat_map(|m| option_keys(m)).collect();
    if all.iter().any(|k| k == key) {
        return not_applicable(model, key);
    }
    let hint = crate::suggest::suggest(key, keys.iter().map(String::as_str))
        .map(|s| format!(" (did you mean `{s}`?)"))
        .unwrap_or_default();
    format!(
        "unknown option `{key}` for model `{model}`{hint}; {}",
        if keys.is_empty() {
            format!("`{model}` takes no options")
        } else {
            format!("known: {}", keys.join(", "))
        }
    )
}

/// `value` with field `key` set from its command-line text (numbers, booleans, `still:EPS`,
/// or a string), through serde so that the field's own type checks it.
fn set_field<T: Serialize + serde::de::DeserializeOwned>(
    value: &T,
    key: &str,
    text: &str,
) -> Result<T, String> {
    let mut v = serde_json::to_value(value).map_err(|e| e.to_string())?;
    let serde_json::Value::Object(map) = &mut v else {
        return Err("options are not an object".into());
    };
    let new = if key == "stopping" {
        match text.split_once(':') {
            None if text == "fixed" => serde_json::json!({ "rule": "fixed" }),
            Some(("still", eps)) => {
                let eps: f64 = eps
                    .parse()
                    .map_err(|_| format!("stopping: `{eps}` is not a number"))?;
                serde_json::json!({ "rule": "still", "eps": eps })
            }
            _ => {
                return Err(format!(
                    "stopping: expected `fixed` or `still:EPS`, got `{text}`"
                ))
            }
        }
    } else if key == "accommodation" {
        serde_json::from_str(text).map_err(|_| {
            format!("accommodation: expected a JSON matrix like [[1,0],[0.5,0.5]], got `{text}`")
        })?
    } else if let Ok(b) = text.parse::<bool>() {
        serde_json::json!(b)
    } else if let Ok(i) = text.parse::<u64>() {
        serde_json::json!(i)
    } else if let Ok(x) = text.parse::<f64>() {
        serde_json::json!(x)
    } else {
        serde_json::json!(text)
    };
    map.insert(key.to_string(), new);
    serde_json::from_value(v).map_err(|e| format!("model option `{key}={text}`: {e}"))
}

/// A scenario's `[model]` table: which bargaining model runs, with which options, for how many
/// rounds. KTAB XML files fill it from `<ModelParameters>`, `<IdealAdjustment>` and
/// `<prngSeed>`; the command line overrides it (`--model`, `--model-opt`, `--rounds`). Resolved
/// and checked against the registry by `engine::RunOptions::resolve`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ModelSpec {
    /// Model id (see [`IDS`]); `None` = `eum` for a bargaining scenario, `crisis-averaging` for a
    /// crisis scenario.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Round limit; `None` = the model's default (10; SMP 100).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rounds: Option<usize>,
    /// Seed of the model's random stream in a single run (KTAB's `prngSeed`); `None` = the
    /// run's `--seed`. Monte Carlo runs always use their own streams.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub seed: Option<Seed>,
    /// The model's options (only those of the chosen model may be set).
    #[serde(skip_serializing_if = "ModelOptions::is_empty")]
    pub options: ModelOptions,
}

impl ModelSpec {
    /// True if the table is empty (nothing chosen).
    pub fn is_empty(&self) -> bool {
        *self == ModelSpec::default()
    }

    /// Every problem of the table against the registry, as (key path, message, help): an
    /// unknown id (with a did-you-mean), a bargaining model on a crisis scenario (`crisis` =
    /// the scenario has a crisis layer), options that do not apply to the model or are out of
    /// range, a round limit of 0 or on a crisis scenario.
    pub fn check(&self, crisis: bool) -> Vec<(String, String, String)> {
        let mut out = Vec::new();
        let id = self
            .id
            .as_deref()
            .unwrap_or(if crisis { averaging::ID } else { "eum" });
        if !IDS.contains(&id) {
            out.push((
                "model.id".into(),
                format!("unknown model `{id}`"),
                match suggest(id) {
                    Some(s) => format!("did you mean `{s}`?"),
                    None => format!("known models: {}", IDS.join(", ")),
                },
            ));
            return out;
        }
        if crisis && id != averaging::ID {
            out.push((
                "model.id".into(),
                format!("model `{id}` cannot run on a crisis scenario"),
                format!(
                    "the crisis layer's bargaining step is `{}` (docs/models/crisis-averaging.md); \
                     remove `id` or set it to `{}`",
                    averaging::ID,
                    averaging::ID
                ),
            ));
        }
        if let Err(m) = self.options.check_applies(id) {
            let key = ["tie", "q", "eum", "smp", "rate"]
                .into_iter()
                .find(|k| m.contains(&format!("`{k}`")))
                .map(|k| format!("model.options.{k}"))
                .unwrap_or_else(|| "model.options".into());
            out.push((
                key,
                m,
                "see `statecraft models` for each model's options".into(),
            ));
        }
        if crisis && self.options.rate.is_some() {
            out.push((
                "model.options.rate".into(),
                "a crisis scenario's bargaining rate is `[crisis.bargaining] rate`".into(),
                "move the rate there".into(),
            ));
        }
        match self.rounds {
            Some(_) if crisis => out.push((
                "model.rounds".into(),
                "a crisis scenario runs weekly rounds from as_of to its horizon".into(),
                "remove `rounds`; set `scenario.horizon` instead".into(),
            )),
            Some(0) => out.push((
                "model.rounds".into(),
                "rounds must be at least 1".into(),
                "the model's round limit, e.g. 10".into(),
            )),
            _ => {}
        }
        out
    }
}

/// A 64-bit seed. TOML integers are signed 64-bit, so a seed above 2^63−1 (KTAB's default
/// `15455440707583219804`, for one) is written as a decimal string; both forms are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Seed(pub u64);

impl Serialize for Seed {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if let Ok(i) = i64::try_from(self.0) {
            s.serialize_i64(i)
        } else {
            s.serialize_str(&self.0.to_string())
        }
    }
}

impl<'de> Deserialize<'de> for Seed {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Raw {
            Int(i64),
            Text(String),
        }
        match Raw::deserialize(d)? {
            Raw::Int(i) => u64::try_from(i)
                .map(Seed)
                .map_err(|_| serde::de::Error::custom("a seed must be >= 0")),
            Raw::Text(s) => s.trim().parse().map(Seed).map_err(|_| {
                serde::de::Error::custom(format!(
                    "seed `{s}` is not an integer from 0 to 18446744073709551615"
                ))
            }),
        }
    }
}

/// Every model id accepted by [`by_id`], with aliases, in listing order.
pub const IDS: &[&str] = &[
    "compromise",
    "median",
    "eum",
    "eum-scholz",
    "eum-printed",
    "smp",
    averaging::ID,
];

/// One instance of every model, with default options, for `statecraft models`.
/// (`eum` is an alias of `eum-scholz` and is not listed twice.)
pub fn all() -> Vec<Box<dyn Model>> {
    let models: Vec<Box<dyn Model>> = vec![
        Box::new(compromise::Compromise),
        Box::new(median::Median::default()),
        Box::new(eum::Eum::new(eum::EumOptions::scholz())),
        Box::new(eum::Eum::new(eum::EumOptions::printed())),
        Box::new(smp::Smp::default()),
        Box::new(averaging::Averaging::default()),
    ];
    models
}

/// The EUM variant `id` (`eum`/`eum-scholz`: Scholz et al.'s; `eum-printed`: the printed
/// equations) with `opts`' EUM table, tie rule and `q` applied.
pub(crate) fn eum_options(id: &str, opts: &ModelOptions) -> eum::EumOptions {
    let mut o = match (&opts.eum, id) {
        (Some(o), _) => o.clone(),
        (None, "eum-printed") => eum::EumOptions::printed(),
        (None, _) => eum::EumOptions::scholz(),
    };
    if let Some(t) = opts.tie {
        o.median_tie = t;
    }
    if let Some(q) = opts.q {
        o.q = q;
    }
    o
}

/// The model with this id (see [`IDS`]), configured by `opts`; `None` for an unknown id.
/// `eum` means `eum-scholz`.
pub fn by_id(id: &str, opts: &ModelOptions) -> Option<Box<dyn Model>> {
    let tie = opts.tie.unwrap_or_default();
    match id {
        "compromise" => Some(Box::new(compromise::Compromise)),
        "median" => Some(Box::new(median::Median::new(tie))),
        "eum" | "eum-scholz" | "eum-printed" => {
            Some(Box::new(eum::Eum::new(eum_options(id, opts))))
        }
        "smp" => Some(Box::new(smp::Smp::new(
            opts.smp.clone().unwrap_or_default(),
        ))),
        averaging::ID => Some(Box::new(averaging::Averaging {
            rate: opts.rate.unwrap_or(averaging::DEFAULT_RATE),
        })),
        _ => None,
    }
}

/// The closest known model id to `id`, for a did-you-mean hint.
pub fn suggest(id: &str) -> Option<&'static str> {
    crate::suggest::suggest(id, IDS.iter().copied())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registry_resolves_every_id_and_suggests() {
        for id in IDS {
            let m = by_id(id, &ModelOptions::default()).expect(id);
            assert!(!m.describe().is_empty());
        }
        assert_eq!(
            by_id("eum", &ModelOptions::default()).unwrap().id(),
            "eum-scholz"
        );
        assert!(by_id("nope", &ModelOptions::default()).is_none());
        assert_eq!(suggest("eun"), Some("eum"));
        assert_eq!(suggest("comp"), Some("compromise"));
        assert_eq!(suggest("medain"), Some("median"));
        assert_eq!(suggest("zzzzzz"), None);
        let ids: Vec<String> = all().iter().map(|m| m.id().to_string()).collect();
        assert_eq!(
            ids,
            [
                "compromise",
                "median",
                "eum-scholz",
                "eum-printed",
                "smp",
                "crisis-averaging"
            ]
        );
    }

    #[test]
    fn options_from_key_value_pairs() {
        let mut o = ModelOptions::default();
        o.set("eum-printed", "ranking", "scholz-key").unwrap();
        o.set("eum-printed", "stopping", "still:0.01").unwrap();
        o.set("eum-printed", "q", "0.5").unwrap();
        o.set("eum-printed", "tie", "upper").unwrap();
        let e = o.eum.clone().unwrap();
        assert_eq!(e.ranking, eum::Ranking::ScholzKey);
        assert_eq!(e.probability, eum::Probability::Printed);
        assert_eq!(e.stopping, eum::Stopping::Still { eps: 0.01 });
        let m = by_id("eum-printed", &o).unwrap();
        assert_eq!(m.id(), "eum-printed");
        let e = o.set("eum", "rankin", "x").unwrap_err();
        assert!(e.contains("unknown option `rankin`"), "{e}");
        assert!(e.contains("did you mean `ranking`?"), "{e}");
        assert!(o.set("eum", "ranking", "best").is_err());
        assert!(o.set("eum", "q", "2").is_err());
        assert!(o.set("eum", "stopping", "sometimes").is_err());
        assert!(o.set("eum", "tie", "left").is_err());
        // options of another model, with the model's own list
        let e = o.set("smp", "q", "0.5").unwrap_err();
        assert!(e.contains("does not apply to model `smp`"), "{e}");
        let e = o.set("compromise", "tie", "upper").unwrap_err();
        assert!(e.contains("takes no options"), "{e}");
        assert!(o.check_applies("eum-printed").is_ok());
        assert!(o.check_applies("median").unwrap_err().contains("`q`"));
    }

    #[test]
    fn smp_options_by_field_or_ktab_name() {
        let mut o = ModelOptions::default();
        o.set("smp", "VotingRule", "PropCbc").unwrap();
        o.set("smp", "ktab_compat", "true").unwrap();
        o.set("smp", "big_r_range", "Max").unwrap();
        o.set("smp", "max_iter", "40").unwrap();
        o.set("smp", "accommodation", "[[1,0,0],[0.5,0.5,0],[0,0,1]]")
            .unwrap();
        let p = o.smp.clone().unwrap();
        assert_eq!(p.voting_rule, smp::VotingRule::PropCbc);
        assert_eq!(p.big_r_range, smp::BigRRange::Max);
        assert!(p.ktab_compat);
        assert_eq!(p.max_iter, 40);
        assert_eq!(p.accommodation.as_ref().unwrap()[1], vec![0.5, 0.5, 0.0]);
        assert!(o.set("smp", "VotingRule", "prop").is_err());
        assert!(o.set("smp", "max_iter", "-1").is_err());
        let e = o.set("smp", "votingrule", "Prop").unwrap_err();
        assert!(e.contains("did you mean `VotingRule`?"), "{e}");
        let m = by_id("smp", &o).unwrap();
        assert_eq!(m.id(), "smp");
        o.set("crisis-averaging", "rate", "0.2").unwrap();
        assert!(o.check_applies("smp").unwrap_err().contains("`rate`"));
    }

    #[test]
    fn seeds_above_i64_round_trip_through_toml() {
        let s = ModelSpec {
            id: Some("smp".into()),
            seed: Some(Seed(15455440707583219804)),
            ..ModelSpec::default()
        };
        let text = toml::to_string(&s).unwrap();
        assert!(text.contains("seed = \"15455440707583219804\""), "{text}");
        assert_eq!(toml::from_str::<ModelSpec>(&text).unwrap(), s);
        let small: ModelSpec = toml::from_str("seed = 7").unwrap();
        assert_eq!(small.seed, Some(Seed(7)));
        assert!(toml::from_str::<ModelSpec>("seed = -1").is_err());
        assert!(toml::from_str::<ModelSpec>("modle = \"eum\"").is_err());
    }
}
