//! One bargaining round of a registered model on one issue: the step API the crisis layer
//! calls once per week (docs/crisis.md §2, docs/models/crisis-averaging.md "Other models in the
//! crisis layer").
//!
//! No model logic lives here: [`Stepper::step`] hands the week's positions, saliences and
//! capabilities to the model's own round function —
//! [`averaging::bargain_step`], [`eum::round`] (one round of challenges,
//! `shared/reference/eum-spec.md`), or one turn of the SMP engine ([`smp::run_input`] with
//! `max_steps = 1`, `shared/reference/smp-spec.md`) — and writes the new positions back.

use super::{averaging, eum, smp, Dim, ModelError, ModelOptions, Problem};
use crate::rng::Rng;

/// Model ids a crisis scenario may bargain with (`[crisis.bargaining] model`, `--model`).
pub const CRISIS_IDS: &[&str] = &[averaging::ID, "eum", "eum-scholz", "eum-printed", "smp"];

/// A registered model configured to run one round at a time.
#[derive(Clone, Debug, PartialEq)]
pub enum Stepper {
    /// `crisis-averaging`: partial adjustment at the crisis layer's (pressure-scaled) rate.
    Averaging,
    /// One EUM round of challenges with these options.
    Eum(eum::EumOptions),
    /// One SMP turn with these parameters.
    Smp(smp::SmpParams),
}

impl Stepper {
    /// The stepper of model `id` configured by `opts` (EUM presets and `tie`/`q` as
    /// [`super::by_id`] applies them). `Err` for a model that has no round (`compromise`,
    /// `median`), an unknown id, or SMP with an accommodation matrix (its rows name the
    /// scenario's actors, while the crisis layer bargains among the actors with a stance).
    pub fn new(id: &str, opts: &ModelOptions) -> Result<Stepper, ModelError> {
        match id {
            averaging::ID => Ok(Stepper::Averaging),
            "eum" | "eum-scholz" | "eum-printed" => {
                let o = super::eum_options(id, opts);
                o.check().map_err(ModelError)?;
                Ok(Stepper::Eum(o))
            }
            "smp" => {
                let p = opts.smp.clone().unwrap_or_default();
                if p.accommodation.is_some() {
                    return Err(ModelError(
                        "smp in the crisis layer: an accommodation matrix is not supported \
                         (ideals follow positions)"
                            .into(),
                    ));
                }
                Ok(Stepper::Smp(p))
            }
            _ => Err(ModelError(format!(
                "model `{id}` has no bargaining round to run each crisis week; crisis models: {}",
                CRISIS_IDS.join(", ")
            ))),
        }
    }

    /// The registry id of the model that runs (`eum` is reported as `eum-scholz`).
    pub fn id(&self) -> &'static str {
        match self {
            Stepper::Averaging => averaging::ID,
            Stepper::Eum(o) => match o.variant {
                eum::Variant::Printed => "eum-printed",
                eum::Variant::Scholz => "eum-scholz",
                eum::Variant::Custom => "eum-custom",
            },
            Stepper::Smp(_) => "smp",
        }
    }

    /// One round on one issue with scale `[lo, hi]`. Only actors with `has[i]` take part and
    /// move; `rate` is used by `crisis-averaging` only (EUM and SMP run one whole round of
    /// their own). SMP takes part only actors with a positive salience (its distance is
    /// undefined otherwise) and needs three of them; with fewer nobody moves. `rng` feeds SMP's
    /// stochastic mode only.
    #[allow(clippy::too_many_arguments)]
    pub fn step(
        &self,
        pos: &mut [f64],
        sal: &[f64],
        cap: &[f64],
        has: &[bool],
        rate: f64,
        (lo, hi): (f64, f64),
        rng: &mut Rng,
    ) -> Result<(), ModelError> {
        match self {
            Stepper::Averaging => {
                averaging::bargain_step(pos, sal, cap, has, rate);
                Ok(())
            }
            Stepper::Eum(o) => {
                let idx: Vec<usize> = (0..pos.len()).filter(|&i| has[i]).collect();
                let x: Vec<f64> = idx.iter().map(|&i| pos[i]).collect();
                let c: Vec<f64> = idx.iter().map(|&i| cap[i].max(0.0)).collect();
                let s: Vec<f64> = idx.iter().map(|&i| sal[i].clamp(0.0, 1.0)).collect();
                let issue = eum::Issue::new(&c, &s, &x, o.range, (lo, hi));
                let (next, _) = eum::round(&x, &issue, o);
                for (&i, v) in idx.iter().zip(next) {
                    pos[i] = v;
                }
                Ok(())
            }
            Stepper::Smp(p) => {
                let idx: Vec<usize> = (0..pos.len()).filter(|&i| has[i] && sal[i] > 0.0).collect();
                if idx.len() < 3 {
                    return Ok(());
                }
                let pr = Problem {
                    actors: idx.iter().map(|i| format!("#{i}")).collect(),
                    capability: idx.iter().map(|&i| cap[i].max(0.0)).collect(),
                    dims: vec![Dim {
                        id: "issue".into(),
                        min: lo,
                        max: hi,
                    }],
                    position: idx.iter().map(|&i| vec![pos[i]]).collect(),
                    salience: idx.iter().map(|&i| vec![sal[i].clamp(0.0, 1.0)]).collect(),
                };
                let (inp, _notes) = smp::SmpInput::from_problem(&pr, p)?;
                let run = smp::run_input(&inp, p, 1, rng)?;
                if let Some(last) = run.positions.get(1) {
                    for (&i, u) in idx.iter().zip(last) {
                        pos[i] = lo + u * (hi - lo);
                    }
                }
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problem() -> (Vec<f64>, Vec<f64>, Vec<f64>) {
        (
            vec![10.0, 30.0, 55.0, 80.0, 95.0],
            vec![0.9, 0.4, 0.6, 0.5, 0.8],
            vec![5.0, 20.0, 8.0, 30.0, 12.0],
        )
    }

    fn full(pos: &[f64], sal: &[f64], cap: &[f64]) -> Problem {
        Problem {
            actors: (0..pos.len()).map(|i| format!("a{i}")).collect(),
            capability: cap.to_vec(),
            dims: vec![Dim {
                id: "x".into(),
                min: 0.0,
                max: 100.0,
            }],
            position: pos.iter().map(|x| vec![*x]).collect(),
            salience: sal.iter().map(|s| vec![*s]).collect(),
        }
    }

    /// One step equals round 1 of the model's own multi-round run (the step adds no logic).
    #[test]
    fn one_step_is_round_one_of_the_model() {
        let (pos, sal, cap) = problem();
        let has = vec![true; pos.len()];
        let pr = full(&pos, &sal, &cap);
        let mut rng = crate::rng::stream(0, 0);
        for id in ["eum", "eum-printed", "smp"] {
            let st = Stepper::new(id, &ModelOptions::default()).unwrap();
            let mut x = pos.clone();
            st.step(&mut x, &sal, &cap, &has, 0.0, (0.0, 100.0), &mut rng)
                .unwrap();
            let t = crate::models::by_id(id, &ModelOptions::default())
                .unwrap()
                .run(&pr, 1, &mut crate::rng::stream(0, 0))
                .unwrap();
            let want: Vec<f64> = t.rounds[1].iter().map(|r| r[0]).collect();
            for (a, b) in x.iter().zip(&want) {
                assert!((a - b).abs() < 1e-9, "{id}: {x:?} vs {want:?}");
            }
            assert_ne!(x, pos, "{id}: the round moved nobody on this problem");
        }
    }

    #[test]
    fn non_members_do_not_move_and_unknown_models_are_refused() {
        let (pos, sal, cap) = problem();
        let has = [true, true, false, true, true];
        for id in ["eum", "smp", averaging::ID] {
            let st = Stepper::new(id, &ModelOptions::default()).unwrap();
            let mut x = pos.clone();
            st.step(
                &mut x,
                &sal,
                &cap,
                &has,
                0.5,
                (0.0, 100.0),
                &mut crate::rng::stream(0, 0),
            )
            .unwrap();
            assert_eq!(x[2], pos[2], "{id}");
        }
        assert!(Stepper::new("median", &ModelOptions::default()).is_err());
        assert!(Stepper::new("nope", &ModelOptions::default()).is_err());
        assert_eq!(
            Stepper::new("eum", &ModelOptions::default()).unwrap().id(),
            "eum-scholz"
        );
    }
}
