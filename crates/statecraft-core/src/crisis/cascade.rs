//! The alliance alignment cascade (E8, docs/crisis.md §5) with spatial alignment (allies'
//! positions on the crisis issue), and cohesion.

use super::*;

/// Spatial alignment (docs/crisis.md §5.1): β and (initiator, target, crisis issue); `None`
/// when β = 0 (positions then do not reach the cascade).
pub(super) type Spatial = Option<(f64, usize, usize, usize)>;

/// `[crisis.alliance] position_weight` β with the roles it needs (none without a role).
pub(super) fn compile_spatial(
    scn: &Scenario,
    c: &CrisisSpec,
    initiator: Option<usize>,
    issue: Option<usize>,
) -> Spatial {
    let beta = c
        .alliance
        .as_ref()
        .map_or(0.0, |a| a.position_weight.value.max(0.0));
    // β ≤ 0 still keeps the roles: β is a sampled number, refreshed per run
    // (`compile::refresh`), and a run whose β is 0 gets no pull (`spatial_pull`).
    // The loader requires initiator, target and issue with β > 0; a role removed by a
    // `without` counterfactual leaves no side to be closer to, so no pull.
    let tgt = c.target.as_deref().and_then(|t| scn.actor_index(t));
    Some((beta, initiator?, tgt?, issue?))
}

/// The constants of the spatial pull (docs/crisis.md §5.1) within one cascade call
/// ([`Sim::spatial_now`]).
struct SpatialNow {
    beta: f64,
    nk: usize,
    k: usize,
    ini: usize,
    tgt: usize,
    xi: f64,
    xt: f64,
    range: f64,
}

/// Outside the lib tests, `false`: the passes after the first evaluate only the allies whose
/// neighbour sums went stale (the worklist, [`Sim::cascade`]).
#[cfg(not(test))]
#[inline(always)]
fn full_passes() -> bool {
    false
}

/// In the lib tests, the switch of `tests::worklist_is_the_full_pass`: every pass evaluates
/// every ally (the reference the worklist is checked against).
#[cfg(test)]
fn full_passes() -> bool {
    tests::FULL.with(std::cell::Cell::get)
}

impl Sim<'_> {
    /// The reference form of the cascade's hoisted pull ([`Sim::spatial_pull_with`]), checked
    /// against it bit for bit in every cascade of the lib tests.
    ///
    /// The spatial pull on ally `i` this round (docs/crisis.md §5.1), signed: > 0 toward the
    /// initiator, < 0 toward the target: β·s_i·(|x_i − x_T| − |x_i − x_I|)/(max − min). 0 for
    /// the parties themselves, an ally without a stance on the crisis issue, or β = 0.
    #[cfg(test)]
    pub(super) fn spatial_pull(&self, i: usize) -> f64 {
        let Some((beta, ini, tgt, k)) = self.m.spatial else {
            return 0.0;
        };
        if beta <= 0.0 {
            return 0.0;
        }
        let a = self.m.allies[i].actor;
        let nk = self.m.n_issues;
        if a == ini || a == tgt || !self.m.stance[a * nk + k] {
            return 0.0;
        }
        let range = (self.m.hi[k] - self.m.lo[k]).max(1e-9);
        let x = self.v.pos[a * nk + k];
        let (xi, xt) = (self.v.pos[ini * nk + k], self.v.pos[tgt * nk + k]);
        beta * self.v.sal[a * nk + k].clamp(0.0, 1.0) * ((x - xt).abs() - (x - xi).abs()) / range
    }

    /// The per-call constants of [`Sim::spatial_pull`]: (β, crisis issue, initiator, target,
    /// x_I, x_T, range), `None` when no ally gets a pull (no roles, or β ≤ 0). Nothing the
    /// cascade changes moves them (positions and saliences are read, never written, by it).
    fn spatial_now(&self) -> Option<SpatialNow> {
        let (beta, ini, tgt, k) = self.m.spatial?;
        if beta <= 0.0 {
            return None;
        }
        let nk = self.m.n_issues;
        Some(SpatialNow {
            beta,
            nk,
            k,
            ini,
            tgt,
            xi: self.v.pos[ini * nk + k],
            xt: self.v.pos[tgt * nk + k],
            range: (self.m.hi[k] - self.m.lo[k]).max(1e-9),
        })
    }

    /// [`Sim::spatial_pull`] of the ally on `actor` with the hoisted constants `c`: the same
    /// operations in the same order (β·s, ·(|x − x_T| − |x − x_I|), /range), so the same bits.
    fn spatial_pull_with(&self, c: &SpatialNow, actor: usize) -> f64 {
        let at = actor * c.nk + c.k;
        if actor == c.ini || actor == c.tgt || !self.m.stance[at] {
            return 0.0;
        }
        let x = self.v.pos[at];
        c.beta * self.v.sal[at].clamp(0.0, 1.0) * ((x - c.xt).abs() - (x - c.xi).abs()) / c.range
    }

    /// Cohesion (docs/crisis.md §5): 1 − 2·min(C⁺, C⁻)/C over members' capabilities, minus the
    /// accumulated damage from options and withdrawal notices, clamped to [0, 1]. Cached
    /// between the state changes that move it (`Sim::coh`).
    pub(super) fn cohesion(&self) -> f64 {
        if let Some(c) = self.coh.get() {
            return c;
        }
        let c = self.cohesion_now();
        self.coh.set(Some(c));
        c
    }

    fn cohesion_now(&self) -> f64 {
        let (mut plus, mut minus, mut total) = (0.0, 0.0, 0.0);
        for (i, a) in self.m.allies.iter().enumerate() {
            if !a.counted {
                continue;
            }
            let c = self.v.cap[a.actor].max(0.0);
            total += c;
            match self.v.align[i] {
                1 => plus += c,
                -1 => minus += c,
                _ => {}
            }
        }
        let split = if total > 0.0 {
            2.0 * f64::min(plus, minus) / total
        } else {
            0.0
        };
        let dmg = self.cohesion_shift + self.m.withdrawal_damage * f64::from(self.n_withdrawals);
        (1.0 - split - dmg).clamp(0.0, 1.0)
    }

    /// Linear-threshold cascade of alignments (docs/crisis.md §5), iterated to a fixed point.
    /// The exogenous pulls are summed once per call (nothing the cascade changes moves them)
    /// and the neighbour sums once per change of a neighbour (`Sim::nb`), in the same order
    /// of operations as summing them afresh for every ally in every iteration.
    pub(super) fn cascade(&mut self) {
        let m = self.m;
        let n = m.allies.len();
        let mut ex = std::mem::take(&mut self.v.ex);
        ex.clear();
        // β, the parties' positions and the range are read once per call, not once per ally
        // (`spatial_pull_with` gives `spatial_pull`'s bits: tests::hoisted_pulls_are_the_pulls)
        let spn = self.spatial_now();
        for (i, a) in m.allies.iter().enumerate() {
            if a.locked {
                ex.push((0.0, 0.0));
                continue;
            }
            let mut ex_p = self.v.lean[i].max(0.0) + self.push_i;
            let mut ex_n = (-self.v.lean[i]).max(0.0) + self.push_t;
            // spatial alignment (§5.1), recomputed from this round's positions, never
            // accumulated: it is an exogenous pull like the lean
            let sp = spn
                .as_ref()
                .map_or(0.0, |c| self.spatial_pull_with(c, a.actor));
            #[cfg(test)]
            tests::check_hoisted(sp, self.spatial_pull(i));
            if sp > 0.0 {
                ex_p += sp;
            } else if sp < 0.0 {
                ex_n -= sp;
            }
            ex.push((ex_p, ex_n));
        }
        let mut next = std::mem::take(&mut self.v.next);
        next.clear();
        next.extend_from_slice(&self.v.align);
        let last_push = self.last_push;
        for pass in 0..(2 * n + 2) {
            let mut changed = false;
            {
                // the passes read disjoint fields, each slice cut to the allies' count once
                // (no bounds check per ally on them)
                let allies = &m.allies[..n];
                let ex = &ex[..n];
                let next = &mut next[..n];
                let align = &self.v.align[..n];
                let nb = &mut self.v.nb[..n];
                let nb_stale = &mut self.v.nb_stale[..n];
                let log = &mut self.log;
                for i in 0..n {
                    let a = &allies[i];
                    // After the first pass only an ally with a changed in-neighbour can change:
                    // its ex is fixed within the call, and if its nb is not stale its nb is the
                    // one of the pass that last evaluated it. That pass decided d = f(p, q, cur);
                    // its alignment is d now (set or kept), and f(p, q, d) = d: either p or q
                    // wins (the same side, d) or neither does and f keeps cur = d. So the ally
                    // keeps d and logs nothing, as a full pass would find
                    // (tests::worklist_is_the_full_pass).
                    if a.locked || (pass > 0 && !nb_stale[i] && !full_passes()) {
                        continue;
                    }
                    let (ex_p, ex_n) = ex[i];
                    if nb_stale[i] {
                        let (mut np, mut nn) = (0.0, 0.0);
                        for &(j, w) in &a.inn {
                            match align[j] {
                                1 => np += w,
                                -1 => nn += w,
                                _ => {}
                            }
                        }
                        nb[i] = (np, nn);
                        nb_stale[i] = false;
                    }
                    let (np, nn) = nb[i];
                    let (p, q) = (ex_p + np, ex_n + nn);
                    let cur = align[i];
                    let new = if p >= a.theta && p > q {
                        1
                    } else if q >= a.theta && q > p {
                        -1
                    } else {
                        cur
                    };
                    next[i] = new;
                    if new != cur {
                        changed = true;
                        let neigh = if new == 1 { np } else { nn };
                        let exo = if new == 1 { ex_p } else { ex_n };
                        let by_neighbour = if neigh >= exo {
                            a.inn
                                .iter()
                                .filter(|(j, _)| align[*j] == new)
                                .max_by(|x, y| x.1.total_cmp(&y.1))
                                .map(|(j, _)| allies[*j].actor)
                        } else {
                            None
                        };
                        let t = &m.tippers;
                        let who = match (by_neighbour, last_push) {
                            (Some(who), _) => t.actor[who],
                            (None, Some(o)) => t.opt[o],
                            (None, None) => t.lean,
                        };
                        log.push(log::key(log::TIPPED, [who, a.actor, 0], 0));
                    }
                }
            }
            if !changed {
                break;
            }
            #[cfg(test)]
            if pass > 0 {
                tests::LATER.with(|c| c.set(c.get() + 1));
            }
            for (i, &v) in next.iter().enumerate() {
                if v != self.v.align[i] {
                    self.set_align(i, v);
                }
            }
        }
        self.v.ex = ex;
        self.v.next = next;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;

    thread_local! {
        /// (hoisted pulls compared, of which nonzero) on this thread
        static CHECKED: Cell<(u64, u64)> = const { Cell::new((0, 0)) };
        /// every pass of the cascade evaluates every ally (`full_passes`)
        pub(super) static FULL: Cell<bool> = const { Cell::new(false) };
        /// passes after the first that changed an alignment, on this thread
        pub(super) static LATER: Cell<u64> = const { Cell::new(0) };
    }

    /// Called by every cascade of the lib tests: the hoisted pull has the reference's bits.
    pub(super) fn check_hoisted(hoisted: f64, reference: f64) {
        assert_eq!(
            hoisted.to_bits(),
            reference.to_bits(),
            "hoisted spatial pull {hoisted} != spatial_pull {reference}"
        );
        CHECKED.with(|c| {
            let (n, nz) = c.get();
            c.set((n + 1, nz + u64::from(reference != 0.0)));
        });
    }

    /// Greenland runs (β = 0.3, positions moving every week) go through `check_hoisted` with
    /// nonzero pulls: the cascade's hoisted constants give `spatial_pull`'s bits.
    #[test]
    fn hoisted_pulls_are_the_pulls() {
        let text = include_str!("../../../../scenarios/greenland-2026.toml");
        let s = crate::scenario::load::from_toml_str(text).expect("the Greenland scenario loads");
        let cfg = crate::mc::McConfig::default();
        CHECKED.with(|c| c.set((0, 0)));
        for i in 0..8 {
            let x = crate::mc::sampled_scenario(&s, &cfg, i).expect("samples");
            simulate(&x, &mut rng::stream(3, i)).expect("runs");
        }
        let (n, nz) = CHECKED.with(Cell::get);
        assert!(nz > 1000, "{n} pulls checked, {nz} nonzero");
    }

    /// The worklist (after the first pass, only allies with a stale neighbour sum are
    /// evaluated) gives the bits of evaluating every ally in every pass: Greenland runs with
    /// a random push, whose cascades take several passes, against the full passes.
    #[test]
    fn worklist_is_the_full_pass() {
        let text = include_str!("../../../../scenarios/greenland-2026.toml");
        let s = crate::scenario::load::from_toml_str(text).expect("the Greenland scenario loads");
        let cfg = crate::mc::McConfig::default();
        let runs = |full: bool| {
            FULL.with(|c| c.set(full));
            LATER.with(|c| c.set(0));
            let out: Vec<_> = (0..48)
                .map(|i| {
                    let x = crate::mc::sampled_scenario(&s, &cfg, i).expect("samples");
                    simulate(&x, &mut rng::stream(5, i)).expect("runs")
                })
                .collect();
            FULL.with(|c| c.set(false));
            (out, LATER.with(Cell::get))
        };
        let (full, later) = runs(true);
        let (work, later_w) = runs(false);
        assert!(later > 0, "no cascade took a second changing pass");
        assert_eq!(later, later_w);
        for (a, b) in full.iter().zip(&work) {
            assert_eq!(a.events, b.events);
            assert_eq!(format!("{:?}", a.vars), format!("{:?}", b.vars));
            assert_eq!(format!("{:?}", a.series), format!("{:?}", b.series));
        }
    }
}
