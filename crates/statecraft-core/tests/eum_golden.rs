//! Golden tests of the Expected Utility Model against published and independently measured
//! trajectories. The source of every expected number is given next to it.

use statecraft_core::models::eum::{self, Algorithm, EumOptions, Issue, RangeRule};
use statecraft_core::models::stats::{weighted_mean, weighted_median, TieRule};

const EXAMPLES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/reference/examples/"
);

/// A single-issue table `Actor,Capability,Position,Salience` (salience 0–1).
struct Table {
    names: Vec<String>,
    c: Vec<f64>,
    x: Vec<f64>,
    s: Vec<f64>,
}

fn read_table(file: &str) -> Table {
    let text = std::fs::read_to_string(format!("{EXAMPLES}{file}")).expect("example file");
    let mut t = Table {
        names: vec![],
        c: vec![],
        x: vec![],
        s: vec![],
    };
    for line in text.lines().skip(1).filter(|l| !l.trim().is_empty()) {
        let f: Vec<&str> = line.split(',').map(str::trim).collect();
        t.names.push(f[0].to_string());
        t.c.push(f[1].parse().unwrap());
        t.x.push(f[2].parse().unwrap());
        t.s.push(f[3].parse().unwrap());
    }
    t
}

/// (median, mean) after each round 0..=rounds.
fn trajectory(t: &Table, o: &EumOptions, rounds: usize) -> Vec<(f64, f64)> {
    let issue = Issue::new(&t.c, &t.s, &t.x, RangeRule::InitialPositions, (0.0, 0.0));
    let run = eum::run_issue(&t.x, &issue, o, rounds);
    run.positions
        .iter()
        .map(|x| {
            (
                weighted_median(x, &issue.w, TieRule::Lower),
                weighted_mean(x, &issue.w),
            )
        })
        .collect()
}

/// `eu_emissions_bdm1994_trajectories.csv` columns as rows of f64 (empty cell = NaN).
fn golden() -> Vec<Vec<f64>> {
    let text = std::fs::read_to_string(format!("{EXAMPLES}eu_emissions_bdm1994_trajectories.csv"))
        .unwrap();
    text.lines()
        .skip(1)
        .map(|l| {
            l.split(',')
                .map(|c| c.parse().unwrap_or(f64::NAN))
                .collect()
        })
        .collect()
}

#[test]
fn scholz_reproduces_jmckib_trajectory() {
    // Expected: columns jmckib_median (3) and jmckib_mean (4) of
    // shared/reference/examples/eu_emissions_bdm1994_trajectories.csv, measured by running
    // jmckib/bdm-scholz-expected-utility-model on eu_emissions_bdm1994.csv (BdM 1994, Table p.78)
    // with Q = 1, rounds 0–10; rounded there to 4 dp.
    let t = read_table("eu_emissions_bdm1994.csv");
    let gold = golden();
    for alg in [Algorithm::Fast, Algorithm::Naive] {
        let o = EumOptions {
            algorithm: alg,
            ..EumOptions::scholz()
        };
        let got = trajectory(&t, &o, 10);
        assert_eq!(got.len(), 11);
        for (round, row) in gold.iter().enumerate() {
            assert_eq!(row[0] as usize, round);
            let (med, mean) = got[round];
            assert!(
                (med - row[3]).abs() < 1e-3,
                "{alg:?} round {round}: median {med} vs jmckib {}",
                row[3]
            );
            assert!(
                (mean - row[4]).abs() < 1e-3,
                "{alg:?} round {round}: mean {mean} vs jmckib {}",
                row[4]
            );
        }
    }
}

#[test]
fn scholz_matches_published_table_2() {
    // Expected: Scholz, Calbert & Smith (2011, ICAART), Table 2 (Q = 1), rounds 1–8:
    // median 8.4, 9.9, 9.9, 9.9, 9.9, 7.4, 8.8, 9.6; mean 7.4, 7.5, 7.6, 7.3, 7.3, 7.4, 7.5, 7.6
    // (columns 1–2 of the golden CSV). The table has one decimal; a round matches if the
    // model's value is within 0.1 of it (the table truncates). The examples README records that
    // jmckib misses round 2 (9.61 vs 9.9); the issue asks for at least 7 of 8.
    let t = read_table("eu_emissions_bdm1994.csv");
    let got = trajectory(&t, &EumOptions::scholz(), 8);
    let median_table = [8.4, 9.9, 9.9, 9.9, 9.9, 7.4, 8.8, 9.6];
    let mean_table = [7.4, 7.5, 7.6, 7.3, 7.3, 7.4, 7.5, 7.6];
    let hits = |table: &[f64], pick: &dyn Fn((f64, f64)) -> f64| {
        table
            .iter()
            .enumerate()
            .filter(|(k, v)| (pick(got[k + 1]) - **v).abs() < 0.1)
            .count()
    };
    let med_hits = hits(&median_table, &|p| p.0);
    let mean_hits = hits(&mean_table, &|p| p.1);
    assert!(
        med_hits >= 7,
        "median matches Table 2 in {med_hits} of 8 rounds: {got:?}"
    );
    assert_eq!(
        mean_hits, 8,
        "mean matches Table 2 in {mean_hits} of 8 rounds: {got:?}"
    );
}

#[test]
fn initial_statistics() {
    // Round 0 = the input: weighted median 7 and c·s-weighted mean 7.390
    // (examples/README.md, eu_emissions_bdm1994 row).
    let t = read_table("eu_emissions_bdm1994.csv");
    let got = trajectory(&t, &EumOptions::scholz(), 0);
    assert_eq!(got[0].0, 7.0);
    assert!((got[0].1 - 7.390).abs() < 5e-4);
}

#[test]
fn fast_equals_naive_on_every_example() {
    // Oracle test on the real inputs of every worked example, both variants, 10 rounds.
    for file in [
        "eu_emissions_bdm1994.csv",
        "iran_2013_election.csv",
        "greece_2015_debt.csv",
        "ktab_china_2014_policy.csv",
        "ktab_china_2014_cnpc.csv",
        "sultan_bdm1997.csv",
        "argentina_2016.csv",
    ] {
        let t = read_table(file);
        for base in [EumOptions::scholz(), EumOptions::printed()] {
            let issue = Issue::new(&t.c, &t.s, &t.x, RangeRule::InitialPositions, (0.0, 0.0));
            let fast = eum::run_issue(
                &t.x,
                &issue,
                &EumOptions {
                    algorithm: Algorithm::Fast,
                    ..base.clone()
                },
                10,
            );
            let naive = eum::run_issue(
                &t.x,
                &issue,
                &EumOptions {
                    algorithm: Algorithm::Naive,
                    ..base.clone()
                },
                10,
            );
            for (round, (a, b)) in fast.positions.iter().zip(&naive.positions).enumerate() {
                for (k, (p, q)) in a.iter().zip(b).enumerate() {
                    assert!(
                        (p - q).abs() < 1e-9,
                        "{file} {:?} round {round} actor {}: {p} vs {q}",
                        base.variant,
                        t.names[k]
                    );
                }
            }
        }
    }
}

#[test]
fn printed_regression() {
    // No published trajectory exists for the `printed` variant (decisionmechanics/eum differs
    // from the printed equations in several places, see docs/models/eum.md). These numbers are
    // this implementation's own output on BdM (1994), cross-checked by the naive oracle; they
    // pin the variant against accidental change. Median stays at 7 (the initial weighted
    // median); the mean moves 7.39 → 7.5185 → 7.8863 → 7.1640 → 7.0 and stays.
    let t = read_table("eu_emissions_bdm1994.csv");
    let got = trajectory(&t, &EumOptions::printed(), 10);
    let means = [
        7.39, 7.5185, 7.8863, 7.1640, 7.0, 7.0, 7.0, 7.0, 7.0, 7.0, 7.0,
    ];
    for (round, (med, mean)) in got.iter().enumerate() {
        assert_eq!(*med, 7.0, "round {round}");
        assert!(
            (mean - means[round]).abs() < 1e-3,
            "round {round}: {mean} vs {}",
            means[round]
        );
    }
}
