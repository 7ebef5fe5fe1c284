//! The explorer's re-run: 1,000 Greenland runs per world, base vs an edited variant with common
//! random numbers, exactly as `POST /api/run` does it (server side, without HTTP).
//! `cargo bench -p statecraft-serve --bench rerun` (docs/performance.md, "Explorer").

use statecraft_serve::core_api::{self, Edits};

fn main() {
    divan::main();
}

#[divan::bench(sample_count = 5, sample_size = 1)]
fn rerun_1000_greenland(b: divan::Bencher) {
    let text = core_api::builtin_text("greenland-2026").expect("built-in");
    let base = core_api::load_text("greenland-2026.toml", text).expect("loads");
    let edits = Edits {
        set: vec![("crisis.ally.uk.alignment".into(), 1.0)],
        ..Edits::default()
    };
    let variant = core_api::apply(&base, &edits).expect("edit applies");
    b.bench(|| {
        let c = core_api::compare(&base, &variant, 1000, 1, &core_api::cancel_token(), &|_| {})
            .expect("runs");
        divan::black_box(c.runs)
    });
}
