//! One Greenland 2026 crisis run (43 weekly rounds × 40 actors). Target: well under 1 ms.
//! `cargo bench -p statecraft-core --bench crisis`

use statecraft_core::crisis::simulate;
use statecraft_core::rng::stream;
use statecraft_core::scenario::Scenario;

fn main() {
    divan::main();
}

fn load() -> Scenario {
    let text = include_str!("../../../scenarios/greenland-2026.toml");
    let mut v: toml::Table = text.parse().expect("scenario parses");
    // hypotheses reduced to the skeleton's fields until the MC schema lands
    if let Some(toml::Value::Array(hs)) = v.get_mut("hypotheses") {
        for h in hs.iter_mut() {
            if let toml::Value::Table(t) = h {
                t.retain(|k, _| k == "id" || k == "claim");
            }
        }
    }
    toml::Value::Table(v)
        .try_into()
        .expect("scenario deserialises")
}

#[divan::bench]
fn greenland_run(bencher: divan::Bencher) {
    let s = load();
    let mut i = 0u64;
    bencher.bench_local(|| {
        i += 1;
        simulate(divan::black_box(&s), &mut stream(1, i)).expect("runs")
    });
}
