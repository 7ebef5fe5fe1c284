//! SMP parameters: the nine model options of KTAB's `<ModelParameters>` (smp-spec §3.6) with KTAB's
//! defaults, the hard-coded stopping rule (§3.5), and statecraft's own switches.

use serde::{Deserialize, Serialize};

macro_rules! ktab_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $var:ident = $s:literal),+ $(,)? } default $def:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name { $($(#[$vdoc])* $var),+ }

        impl Default for $name {
            fn default() -> Self { $name::$def }
        }

        impl $name {
            /// KTAB's code strings, in KTAB's enum order.
            pub const NAMES: &'static [&'static str] = &[$($s),+];
            /// Every variant, in KTAB's enum order.
            pub const ALL: &'static [$name] = &[$($name::$var),+];
            /// The string KTAB's XML reader expects.
            pub fn ktab_name(self) -> &'static str {
                match self { $($name::$var => $s),+ }
            }
            /// Parse KTAB's exact code string.
            pub fn from_ktab(s: &str) -> Option<Self> {
                match s { $($s => Some($name::$var),)+ _ => None }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.ktab_name())
            }
        }
    };
}

ktab_enum! {
    /// How coalition strengths turn into a probability of victory (`VictoryProbModel`).
    VictoryProbModel { Linear = "Linear", Square = "Square", Quartic = "Quartic", Octic = "Octic", Binary = "Binary" } default Linear
}
ktab_enum! {
    /// How pairwise victory probabilities turn into option probabilities (`PCEModel`).
    PceModel { Conditional = "Conditional", MarkovIncentive = "MarkovIncentive", MarkovUniform = "MarkovUniform" } default Conditional
}
ktab_enum! {
    /// Whether each actor takes the most likely bargain or samples one (`StateTransitions`).
    StateTransitions { Deterministic = "Deterministic", Stochastic = "Stochastic" } default Deterministic
}
ktab_enum! {
    /// How a utility difference becomes a vote (`VotingRule`).
    VotingRule { Binary = "Binary", PropBin = "PropBin", Prop = "Prop", PropCbc = "PropCbc", Cubic = "Cubic", ASymProsp = "ASymProsp" } default Prop
}
ktab_enum! {
    /// How actor h estimates actor i's risk attitude (`BigRAdjust`).
    BigRAdjust { None = "None", OneThird = "OneThird", Half = "Half", TwoThirds = "TwoThirds", Full = "Full" } default OneThird
}
ktab_enum! {
    /// The range of the map from win probability to risk attitude (`BigRRange`).
    BigRRange { Min = "Min", Mid = "Mid", Max = "Max" } default Mid
}
ktab_enum! {
    /// How committed a third party is to the side it joins (`ThirdPartyCommit`).
    ThirdPartyCommit { NoCommit = "NoCommit", SemiCommit = "SemiCommit", FullCommit = "FullCommit" } default SemiCommit
}
ktab_enum! {
    /// How two positions are interpolated into a bargain (`InterVecBrgn`).
    InterVecBrgn { S1P1 = "S1P1", S2P2 = "S2P2", S2PMax = "S2PMax" } default S2P2
}
ktab_enum! {
    /// Whose perspective forms the bargain (`BargnModel`).
    BargnModel { InitOnlyInterp = "InitOnlyInterp", InitRcvrInterp = "InitRcvrInterp", PWCompInterp = "PWCompInterp" } default InitOnlyInterp
}

/// Every option of KTAB's SMP (smp-spec §3.6), KTAB's stopping rule (§3.5), and statecraft's
/// compatibility switch. `SmpParams::default()` is KTAB's default configuration.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SmpParams {
    pub victory_prob_model: VictoryProbModel,
    pub pce_model: PceModel,
    pub state_transitions: StateTransitions,
    pub voting_rule: VotingRule,
    pub big_r_adjust: BigRAdjust,
    pub big_r_range: BigRRange,
    pub third_party_commit: ThirdPartyCommit,
    pub inter_vec_brgn: InterVecBrgn,
    pub bargn_model: BargnModel,
    /// Reproduce KTAB's behaviour where it departs from the model's intent (smp-spec §3.9),
    /// as far as that is possible deterministically. See `docs/models/smp.md`.
    pub ktab_compat: bool,
    /// The accommodation ("IdealAdjustment") matrix A, n×n; `None` = identity (ideals follow
    /// positions). Row sums must be ≤ 1.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub accommodation: Option<Vec<Vec<f64>>>,
    /// Stopping rule (KTAB hard-codes these): earliest step at which the run may stop.
    pub min_iter: usize,
    /// Stopping rule: last step.
    pub max_iter: usize,
    /// Stopping rule: stop once a step moves less than this fraction of the first step.
    pub min_delta_ratio: f64,
    /// Stopping rule: added to the first step's movement to avoid 0/0.
    pub min_sig_delta: f64,
    /// Two positions closer than this (Euclidean, [0,1] scale) are the same option.
    pub pos_tol: f64,
}

impl Default for SmpParams {
    fn default() -> Self {
        SmpParams {
            victory_prob_model: VictoryProbModel::default(),
            pce_model: PceModel::default(),
            state_transitions: StateTransitions::default(),
            voting_rule: VotingRule::default(),
            big_r_adjust: BigRAdjust::default(),
            big_r_range: BigRRange::default(),
            third_party_commit: ThirdPartyCommit::default(),
            inter_vec_brgn: InterVecBrgn::default(),
            bargn_model: BargnModel::default(),
            ktab_compat: false,
            accommodation: None,
            min_iter: 2,
            max_iter: 100,
            min_delta_ratio: 0.02,
            min_sig_delta: 1e-4,
            pos_tol: 1e-3,
        }
    }
}

impl SmpParams {
    /// Set one of the nine KTAB options from its XML element name and value
    /// (e.g. `("VotingRule", "Prop")`). Returns an error message listing the valid values.
    pub fn set_ktab(&mut self, key: &str, value: &str) -> Result<(), String> {
        fn parse<T: Copy>(
            value: &str,
            from: fn(&str) -> Option<T>,
            names: &[&str],
        ) -> Result<T, String> {
            from(value).ok_or_else(|| format!("expected one of: {}", names.join(", ")))
        }
        match key {
            "VictoryProbModel" => {
                self.victory_prob_model =
                    parse(value, VictoryProbModel::from_ktab, VictoryProbModel::NAMES)?
            }
            "PCEModel" => self.pce_model = parse(value, PceModel::from_ktab, PceModel::NAMES)?,
            "StateTransitions" => {
                self.state_transitions =
                    parse(value, StateTransitions::from_ktab, StateTransitions::NAMES)?
            }
            "VotingRule" => {
                // The XSD spells it `Proportional`; KTAB's code expects `Prop` (smp-spec §3.6).
                let v = if value == "Proportional" {
                    "Prop"
                } else {
                    value
                };
                self.voting_rule = parse(v, VotingRule::from_ktab, VotingRule::NAMES)?
            }
            "BigRAdjust" => {
                let v = if value == "No" { "None" } else { value };
                self.big_r_adjust = parse(v, BigRAdjust::from_ktab, BigRAdjust::NAMES)?
            }
            "BigRRange" => self.big_r_range = parse(value, BigRRange::from_ktab, BigRRange::NAMES)?,
            "ThirdPartyCommit" => {
                self.third_party_commit =
                    parse(value, ThirdPartyCommit::from_ktab, ThirdPartyCommit::NAMES)?
            }
            "InterVecBrgn" => {
                self.inter_vec_brgn = parse(value, InterVecBrgn::from_ktab, InterVecBrgn::NAMES)?
            }
            "BargnModel" => {
                self.bargn_model = parse(value, BargnModel::from_ktab, BargnModel::NAMES)?
            }
            _ => return Err(format!("unknown SMP model parameter `{key}`")),
        }
        Ok(())
    }

    /// The nine KTAB options as (XML element name, value) pairs, in KTAB's order.
    pub fn ktab_pairs(&self) -> [(&'static str, &'static str); 9] {
        [
            ("VictoryProbModel", self.victory_prob_model.ktab_name()),
            ("PCEModel", self.pce_model.ktab_name()),
            ("StateTransitions", self.state_transitions.ktab_name()),
            ("VotingRule", self.voting_rule.ktab_name()),
            ("BigRAdjust", self.big_r_adjust.ktab_name()),
            ("BigRRange", self.big_r_range.ktab_name()),
            ("ThirdPartyCommit", self.third_party_commit.ktab_name()),
            ("InterVecBrgn", self.inter_vec_brgn.ktab_name()),
            ("BargnModel", self.bargn_model.ktab_name()),
        ]
    }
}

/// The names of the nine options, as KTAB's XML spells them.
pub const KTAB_PARAM_NAMES: [&str; 9] = [
    "VictoryProbModel",
    "PCEModel",
    "StateTransitions",
    "VotingRule",
    "BigRAdjust",
    "BigRRange",
    "ThirdPartyCommit",
    "InterVecBrgn",
    "BargnModel",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_ktabs() {
        let p = SmpParams::default();
        let got: Vec<&str> = p.ktab_pairs().iter().map(|(_, v)| *v).collect();
        assert_eq!(
            got,
            [
                "Linear",
                "Conditional",
                "Deterministic",
                "Prop",
                "OneThird",
                "Mid",
                "SemiCommit",
                "S2P2",
                "InitOnlyInterp"
            ]
        );
        assert_eq!((p.min_iter, p.max_iter), (2, 100));
    }

    #[test]
    fn set_ktab_round_trips_and_rejects() {
        let mut p = SmpParams::default();
        for (k, names) in KTAB_PARAM_NAMES.iter().zip([
            VictoryProbModel::NAMES,
            PceModel::NAMES,
            StateTransitions::NAMES,
            VotingRule::NAMES,
            BigRAdjust::NAMES,
            BigRRange::NAMES,
            ThirdPartyCommit::NAMES,
            InterVecBrgn::NAMES,
            BargnModel::NAMES,
        ]) {
            for n in names {
                p.set_ktab(k, n).unwrap();
                assert!(p.ktab_pairs().iter().any(|(kk, v)| kk == k && v == n));
            }
        }
        assert!(p.set_ktab("VotingRule", "prop").is_err());
        assert!(p.set_ktab("Nope", "x").is_err());
        p.set_ktab("VotingRule", "Proportional").unwrap();
        assert_eq!(p.voting_rule, VotingRule::Prop);
    }
}
