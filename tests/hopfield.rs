//! The Hopfield network's dynamics and its lab model, from outside the crate.

use ndarray::aview1;
use nnzoo::model::energy::hopfield::{
    Hopfield, Memory, Network, Rule, flip_random, random_patterns, shuffled_order,
};
use nnzoo::model::view::trace_line;
use nnzoo::model::{Model, Params, StatusLevel, find};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::io::Write;

/// The model with random patterns stored by Hebb's rule (the lab opens on
/// the letters by the projection rule) but for `settings`.
fn build(settings: &[&str], seed: u64) -> Result<Hopfield, String> {
    let spec = find("hopfield").expect("hopfield is registered");
    let mut params: Params = spec.default_params();
    for s in ["set=random", "rule=hebbian"].iter().chain(settings) {
        params.assign(s).map_err(|e| e.to_string())?;
    }
    Hopfield::new(&params, seed).map_err(|e| e.to_string())
}

fn status(model: &Hopfield) -> String {
    model
        .status()
        .expect("the model always has a status")
        .text
        .en
        .into_owned()
}

#[test]
fn energy_never_rises_under_asynchronous_updates() {
    let mut rng = StdRng::seed_from_u64(11);
    for case in 0..60 {
        let n = rng.random_range(16..200);
        let p = rng.random_range(1..n / 2);
        let rule = if case % 3 == 2 {
            Rule::Projection
        } else {
            Rule::Hebbian
        };
        let patterns = random_patterns(&mut rng, n, p);
        let start = random_patterns(&mut rng, n, 1).remove(0);
        let mut net = Network::new(Memory::new(rule, &patterns).unwrap(), &start).unwrap();
        let mut energy = net.energy();
        for _sweep in 0..5 {
            for i in shuffled_order(&mut rng, n) {
                net.update(i as usize, 0.0, &mut rng);
                let now = net.energy();
                // Hebbian energies are exact; the projection rule's are floats.
                let slack = if rule == Rule::Hebbian {
                    0.0
                } else {
                    1e-6 * energy.abs().max(1.0)
                };
                assert!(
                    now <= energy + slack,
                    "case {case} ({rule:?}, N={n}, P={p}): {energy} -> {now}"
                );
                energy = now;
            }
        }
    }
}

#[test]
fn every_stored_pattern_is_a_fixed_point_at_low_load() {
    let mut rng = StdRng::seed_from_u64(12);
    for rule in [Rule::Hebbian, Rule::Projection] {
        let patterns = random_patterns(&mut rng, 500, 10);
        let memory = Memory::new(rule, &patterns).unwrap();
        for (mu, pattern) in patterns.iter().enumerate() {
            let mut net = Network::new(memory.clone(), pattern).unwrap();
            let order = shuffled_order(&mut rng, 500);
            assert_eq!(
                net.sweep(&order, 0.0, &mut rng),
                0,
                "{rule:?}: pattern {mu} moved"
            );
            assert_eq!(
                net.sync_step(0.0, &mut rng),
                0,
                "{rule:?}: pattern {mu} moved in sync"
            );
        }
    }
}

#[test]
fn recall_from_ten_percent_noise_at_load_0_05() {
    let (n, p) = (500, 25);
    let mut recalled = 0;
    for trial in 0..100 {
        let mut rng = StdRng::seed_from_u64(1000 + trial);
        let patterns = random_patterns(&mut rng, n, p);
        let probe = flip_random(&mut rng, &patterns[0], n / 10);
        let mut net = Network::new(Memory::new(Rule::Hebbian, &patterns).unwrap(), &probe).unwrap();
        for _ in 0..20 {
            let order = shuffled_order(&mut rng, n);
            if net.sweep(&order, 0.0, &mut rng) == 0 {
                break;
            }
        }
        if net.state() == aview1(&patterns[0]) {
            recalled += 1;
        }
    }
    assert!(recalled >= 95, "recalled in {recalled} of 100 trials");
}

#[test]
fn overlaps_kept_up_to_date_equal_a_recomputation() {
    let mut rng = StdRng::seed_from_u64(13);
    for rule in [Rule::Hebbian, Rule::Projection] {
        let (n, p) = (300, 40);
        let patterns = random_patterns(&mut rng, n, p);
        let start = random_patterns(&mut rng, n, 1).remove(0);
        let mut net = Network::new(Memory::new(rule, &patterns).unwrap(), &start).unwrap();
        for _ in 0..5000 {
            let i = rng.random_range(0..n);
            let v = if rng.random::<bool>() { 1 } else { -1 };
            net.set_neuron(i, v);
        }
        let order = shuffled_order(&mut rng, n);
        net.sweep(&order, 0.7, &mut rng);
        net.sync_step(0.3, &mut rng);
        let fresh = Network::new(net.memory().clone(), net.state()).unwrap();
        assert_eq!(net.overlap_sums(), fresh.overlap_sums(), "{rule:?}");
        for (pattern, &sum) in patterns.iter().zip(net.overlap_sums()) {
            let direct: i32 = pattern
                .iter()
                .zip(net.state())
                .map(|(&x, &s)| i32::from(x) * i32::from(s))
                .sum();
            assert_eq!(sum, direct);
        }
        for i in 0..n {
            assert!(
                (net.field(i) - fresh.field(i)).abs() < 1e-3,
                "{rule:?} field {i}"
            );
        }
        assert!((net.energy() - fresh.energy()).abs() < 1e-6);
    }
}

#[test]
fn synchronous_updates_fall_into_a_two_cycle_on_a_known_case() {
    // One stored pattern, all on; a probe with half its pixels on. Every field
    // is −s_i/N (the other pixels cancel), so all at once every neuron flips,
    // and flips back: a two-cycle. One at a time, the same probe settles.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("one.txt");
    std::fs::write(&path, "####\n####\n####\n####\n").unwrap();
    let set = format!("set={}", path.display());
    let balanced = |model: &mut Hopfield| {
        for i in 0..16 {
            model
                .edit("state", i, if i % 2 == 0 { 1.0 } else { -1.0 })
                .unwrap();
        }
    };
    let mut sync = build(&[&set, "update=sync", "noise=0"], 1).unwrap();
    balanced(&mut sync);
    let first = sync.network().state().to_vec();
    sync.step();
    let flipped: Vec<i8> = first.iter().map(|v| -v).collect();
    assert_eq!(sync.network().state(), aview1(&flipped));
    sync.step();
    assert_eq!(sync.network().state(), aview1(&first));
    let text = status(&sync);
    assert!(text.contains("two-cycle"), "{text}");
    assert_eq!(sync.status().unwrap().level, StatusLevel::Warning);

    let mut asynchronous = build(&[&set, "noise=0"], 1).unwrap();
    balanced(&mut asynchronous);
    for _ in 0..4 {
        asynchronous.step();
    }
    let text = status(&asynchronous);
    assert!(text.starts_with("recalled pattern 0"), "{text}");
}

#[test]
fn projection_stores_correlated_letters_that_hebbian_cannot() {
    let unstable = |rule: &str| -> Vec<usize> {
        let model = build(&["set=letters", &format!("rule={rule}")], 3).unwrap();
        let memory = model.network().memory().clone();
        let mut rng = StdRng::seed_from_u64(5);
        (0..memory.patterns())
            .filter(|&mu| {
                let mut net = Network::new(memory.clone(), memory.pattern(mu)).unwrap();
                for _ in 0..50 {
                    let order = shuffled_order(&mut rng, memory.neurons());
                    if net.sweep(&order, 0.0, &mut rng) == 0 {
                        break;
                    }
                }
                net.state() != memory.pattern(mu)
            })
            .collect()
    };
    let hebbian = unstable("hebbian");
    assert!(
        hebbian.len() >= 3,
        "Hebbian keeps too many letters: loses only {hebbian:?}"
    );
    assert_eq!(unstable("projection"), Vec::<usize>::new());

    // And with the projection rule a corrupted letter comes back.
    let mut model = build(
        &["set=letters", "rule=projection", "target=7", "noise=0.05"],
        4,
    )
    .unwrap();
    for _ in 0..20 {
        model.step();
    }
    let text = status(&model);
    assert!(text.starts_with("recalled H after"), "{text}");
}

#[test]
fn high_temperature_melts_the_memory() {
    let mut cold = build(&["n=400", "patterns=5", "temperature=0.1"], 2).unwrap();
    let mut hot = build(&["n=400", "patterns=5", "temperature=5"], 2).unwrap();
    for _ in 0..20 {
        cold.step();
        hot.step();
    }
    let overlap = |m: &Hopfield| f64::from(m.network().overlap_sums()[0]) / 400.0;
    assert!(overlap(&cold) > 0.95, "cold m = {}", overlap(&cold));
    assert!(overlap(&hot).abs() < 0.4, "hot m = {}", overlap(&hot));
    assert!(status(&hot).contains("at T = 5"));
}

#[test]
fn pattern_file_errors_name_the_file_and_the_line() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("ragged.txt", "####\n####\n###\n####\n", "line 3", "ragged"),
        (
            "chars.txt",
            "####\n##o#\n####\n####\n",
            "line 2",
            "unknown character 'o'",
        ),
        (
            "sizes.txt",
            "####\n####\n####\n####\n\n#####\n#####\n#####\n#####\n",
            "line 6",
            "different sizes",
        ),
        ("empty.txt", "\n\n", "empty.txt:", "no patterns"),
        ("tiny.txt", "##\n##\n", "line 1", "does not fit"),
    ];
    for (name, text, place, what) in cases {
        let path = dir.path().join(name);
        std::fs::File::create(&path)
            .unwrap()
            .write_all(text.as_bytes())
            .unwrap();
        let err = build(&[&format!("set={}", path.display())], 1)
            .err()
            .unwrap();
        assert!(err.contains(&path.display().to_string()), "{name}: {err}");
        assert!(err.contains(place), "{name}: {err}");
        assert!(err.contains(what), "{name}: {err}");
    }
    let err = build(&["set=/no/such/file.txt"], 1).err().unwrap();
    assert!(err.contains("/no/such/file.txt: cannot read"), "{err}");
}

#[test]
fn parameters_are_bounded() {
    for bad in [
        "n=15",
        "n=65537",
        "patterns=0",
        "patterns=4001",
        "noise=1.5",
        "temperature=-1",
        "rule=oja",
        "update=both",
    ] {
        assert!(build(&[bad], 1).is_err(), "{bad} accepted");
    }
    let err = build(&["n=65536", "patterns=4000"], 1).err().unwrap();
    assert!(err.contains("fit in memory"), "{err}");
    let err = build(&["n=100", "patterns=100", "rule=projection"], 1)
        .err()
        .unwrap();
    assert!(err.contains("fewer patterns than neurons"), "{err}");
}

#[test]
fn the_trace_carries_state_energy_overlap_and_target() {
    let mut model = build(&["set=digits", "target=3", "patterns=10"], 9).unwrap();
    model.step();
    let line = trace_line(model.steps_done(), "", &model.views());
    let state = line["state"].as_array().unwrap();
    assert_eq!(state.len(), 12);
    assert_eq!(state[0].as_array().unwrap().len(), 10);
    assert!(line["energy"].as_f64().unwrap() < 0.0);
    assert_eq!(line["overlap"].as_array().unwrap().len(), 10);
    assert_eq!(line["target"].as_f64(), Some(3.0));
    assert!(line["hamming"].as_f64().is_some());
    // What does not change per step stays out of the trace.
    assert!(line.get("patterns").is_none() && line.get("energy_trace").is_none());
}

#[test]
fn the_same_seed_gives_the_same_run() {
    let run = |seed| {
        let mut m = build(
            &["n=256", "patterns=30", "noise=0.3", "temperature=0.2"],
            seed,
        )
        .unwrap();
        for _ in 0..5 {
            m.step();
        }
        m.network().state().to_vec()
    };
    assert_eq!(run(5), run(5));
    assert_ne!(run(5), run(6));
    let mut m = build(&["n=256", "patterns=30", "noise=0.3"], 5).unwrap();
    let start = m.network().state().to_vec();
    m.step();
    m.reset(5);
    assert_eq!(m.network().state(), aview1(&start));
    assert_eq!(m.steps_done(), 0);
}
