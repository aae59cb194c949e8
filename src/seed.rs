//! Where every generator's seed comes from: the run's seed, the replication and the period,
//! mixed by SplitMix64, so that a replication's draws depend on `(seed, replication)` only and
//! never on the thread that runs it.
//!
//! It sits at the bottom of the crate (it imports nothing): [`crate::simulate`] seeds each
//! replication with [`replication`], [`crate::window`] each busy window with [`window`], and
//! tests derive their pseudo-random inputs with [`splitmix`].

/// SplitMix64 (Steele, Lea and Flood, 2014): one step of the generator whose state is `x`,
/// used here to derive independent seeds.
pub fn splitmix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = x;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// The seed of replication `rep` of a run seeded with `seed`.
pub fn replication(seed: u64, rep: u32) -> u64 {
    splitmix(seed ^ splitmix(u64::from(rep) + 1))
}

/// The seed of the busy window of report period `period` in the replication seeded with
/// `replication_seed` (`peak_window` mode restarts the engine with it).
pub fn window(replication_seed: u64, period: usize) -> u64 {
    splitmix(replication_seed ^ splitmix(period as u64 + 0x9e37))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_is_the_published_generator() {
        // The first outputs of SplitMix64 from state 0 (the reference implementation's
        // `next()` adds the increment to the state, then mixes it).
        let mut state = 0u64;
        let mut next = || {
            let out = splitmix(state);
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            out
        };
        assert_eq!(next(), 0xE220_A839_7B1D_CDAF);
        assert_eq!(next(), 0x6E78_9E6A_A1B9_65F4);
        assert_eq!(next(), 0x06C4_5D18_8009_454F);
    }

    #[test]
    fn replications_and_windows_get_distinct_seeds() {
        for seed in [0u64, 1, 42, u64::MAX] {
            let mut reps: Vec<u64> = (0..2000).map(|r| replication(seed, r)).collect();
            reps.sort_unstable();
            reps.dedup();
            assert_eq!(reps.len(), 2000, "seed {seed}");
            let mut windows: Vec<u64> = (0..2000).map(|p| window(reps[0], p)).collect();
            windows.sort_unstable();
            windows.dedup();
            assert_eq!(windows.len(), 2000, "seed {seed}");
        }
    }
}
