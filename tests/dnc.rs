//! The Differentiable Neural Computer: its memory bookkeeping held to the
//! `dnc_allocation` fixture, the bookkeeping's and the whole network's
//! backward passes checked by finite differences, the `dnc-copy` experiment
//! on a short setting, weights of the wrong shape refused, and its lab at
//! 80x24 and 120x40 in English and Chinese.

#[path = "support/lab_screen.rs"]
mod lab_screen;
#[path = "support/memory.rs"]
mod memory;

use lab_screen::{lab_with, snapshots};
use memory::fixture;
use ndarray::{Array1, Array2};
use nnzoo::model::memory::copy_task::{self, MemoryNetwork};
use nnzoo::model::memory::dnc_addressing as dnc;
use nnzoo::model::memory::dnc_network::{self, Dnc, Shape};
use nnzoo::model::memory::network;
use nnzoo::text::Lang;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

#[test]
fn the_bookkeeping_matches_the_fixture() {
    let f = fixture("dnc_allocation");
    let outputs = nnzoo::eval::evaluate(&f, None).expect("evaluates");
    let rows = nnzoo::eval::compare(&f, &outputs).expect("compares");
    assert_eq!(rows.len(), 9, "every expected tensor");
    for row in rows {
        let error = row
            .error
            .unwrap_or_else(|| panic!("{} not compared: {}", row.name, row.problem));
        assert!(error < 1e-6, "{} off by {error}", row.name);
    }
}

#[test]
fn a_fixture_of_the_wrong_shape_is_an_error_not_a_panic() {
    let mut f = fixture("dnc_allocation");
    f["inputs"]["u0"] = serde_json::json!({"shape": [4], "data": [0.1, 0.2, 0.3, 0.4]});
    let err = nnzoo::eval::evaluate(&f, None).expect_err("four rows, not five");
    assert!(err.to_string().contains("`u0`"), "{err}");
    let mut f = fixture("dnc_allocation");
    f["inputs"]["read_weights_prev"] = serde_json::json!({"shape": [3, 5], "data": vec![0.0; 15]});
    let err = nnzoo::eval::evaluate(&f, None).expect_err("no head axis");
    assert!(err.to_string().contains("[T, R, N]"), "{err}");
}

/// The inputs of one step of the bookkeeping, drawn at random.
struct Inputs {
    usage: Array1<f64>,
    write: Array1<f64>,
    reads: Array2<f64>,
    free: Array1<f64>,
    content: Array1<f64>,
    gates: [f64; 2],
    link: Array2<f64>,
    precedence: Array1<f64>,
}

/// A weighted sum of everything one step of the bookkeeping gives.
fn bookkeeping_loss(x: &Inputs, r: &[Array1<f64>]) -> f64 {
    let a = dnc::allocate(
        x.usage.view(),
        x.write.view(),
        x.reads.view(),
        x.free.view(),
        x.content.view(),
        x.gates[0],
        x.gates[1],
    );
    let ww = a.write_weighting.view();
    let link = dnc::link(x.link.view(), x.precedence.view(), ww);
    let p = dnc::precedence(x.precedence.view(), ww);
    let (f, b) = dnc::directional(link.view(), x.reads.view());
    let flat = |m: &Array2<f64>| Array1::from_iter(m.iter().copied());
    a.usage.dot(&r[0])
        + a.write_weighting.dot(&r[1])
        + flat(&link).dot(&r[2])
        + p.dot(&r[3])
        + flat(&f).dot(&r[4])
        + flat(&b).dot(&r[5])
}

#[test]
fn the_bookkeeping_gradients_match_finite_differences() {
    let (n, heads) = (6, 2);
    let mut rng = StdRng::seed_from_u64(5);
    let mut u = |len: usize| Array1::from_shape_fn(len, |_| rng.random_range(0.05..0.95));
    let mut x = Inputs {
        usage: u(n),
        write: u(n) / 3.0,
        reads: Array2::from_shape_vec((heads, n), (u(heads * n) / 3.0).to_vec()).expect("R x N"),
        free: u(heads),
        content: u(n) / 4.0,
        gates: [0.7, 0.8],
        link: Array2::from_shape_fn((n, n), |(i, j)| {
            if i == j {
                0.0
            } else {
                0.02 * (i + 2 * j) as f64
            }
        }),
        precedence: u(n) / 5.0,
    };
    let r: Vec<Array1<f64>> = [n, n, n * n, n, heads * n, heads * n]
        .iter()
        .map(|&len| u(len) - 0.5)
        .collect();
    // Analytic: back through the reads' directions, the link, then the
    // allocation.
    let a = dnc::allocate(
        x.usage.view(),
        x.write.view(),
        x.reads.view(),
        x.free.view(),
        x.content.view(),
        x.gates[0],
        x.gates[1],
    );
    let ww = a.write_weighting.view();
    let link = dnc::link(x.link.view(), x.precedence.view(), ww);
    let shaped = |v: &Array1<f64>, rows: usize| {
        Array2::from_shape_vec((rows, v.len() / rows), v.to_vec()).expect("rows")
    };
    let mut grad_link = shaped(&r[2], n);
    let grad_reads_dir = dnc::directional_backward(
        link.view(),
        x.reads.view(),
        shaped(&r[4], heads).view(),
        shaped(&r[5], heads).view(),
        &mut grad_link,
    );
    let links = dnc::link_backward(
        x.link.view(),
        x.precedence.view(),
        ww,
        grad_link.view(),
        r[3].view(),
    );
    let grad_write = &r[1] + &links.write;
    let g = dnc::allocate_backward(
        x.usage.view(),
        x.write.view(),
        x.reads.view(),
        x.free.view(),
        x.content.view(),
        x.gates[0],
        x.gates[1],
        &a,
        grad_write.view(),
        r[0].view(),
    );
    let grad_reads = &g.previous_reads + &grad_reads_dir;
    let eps = 1e-6;
    let check = |what: &str, analytic: f64, x: &mut Inputs, poke: &dyn Fn(&mut Inputs, f64)| {
        poke(x, eps);
        let up = bookkeeping_loss(x, &r);
        poke(x, -2.0 * eps);
        let down = bookkeeping_loss(x, &r);
        poke(x, eps);
        let numeric = (up - down) / (2.0 * eps);
        assert!(
            (numeric - analytic).abs() < 1e-7,
            "{what}: {analytic} against {numeric}"
        );
    };
    for k in 0..n {
        check("u_t-1", g.previous_usage[k], &mut x, &|x, d| {
            x.usage[k] += d
        });
        check("w^w_t-1", g.previous_write[k], &mut x, &|x, d| {
            x.write[k] += d
        });
        check("c^w", g.write_content[k], &mut x, &|x, d| x.content[k] += d);
        check("p_t-1", links.precedence[k], &mut x, &|x, d| {
            x.precedence[k] += d
        });
        for i in 0..heads {
            check("w^r_t-1", grad_reads[(i, k)], &mut x, &|x, d| {
                x.reads[(i, k)] += d
            });
        }
        for j in 0..n {
            if j != k {
                check("L_t-1", links.link[(k, j)], &mut x, &|x, d| {
                    x.link[(k, j)] += d
                });
            }
        }
    }
    for i in 0..heads {
        check("f", g.free_gates[i], &mut x, &|x, d| x.free[i] += d);
    }
    check("g^a", g.allocation_gate, &mut x, &|x, d| x.gates[0] += d);
    check("g^w", g.write_gate, &mut x, &|x, d| x.gates[1] += d);
}

#[test]
fn backward_through_time_matches_finite_differences() {
    let mut rng = StdRng::seed_from_u64(3);
    let shape = Shape {
        bits: 3,
        rows: 5,
        width: 4,
        hidden: 6,
        reads: 2,
    };
    let net = Dnc::new(shape, &mut rng);
    memory::check_backward_through_time(net, &dnc_network::NAMES, 3, &mut rng);
}

#[test]
fn the_experiment_learns_short_sequences() {
    memory::check_the_experiment_learns("dnc-copy", 5, 2, 4);
}

#[test]
fn weights_of_the_wrong_shape_are_refused_with_a_clear_error() {
    let mut rng = StdRng::seed_from_u64(1);
    let shape = Shape {
        bits: 8,
        rows: 6,
        width: 4,
        hidden: 5,
        reads: 1,
    };
    let net = Dnc::new(shape, &mut rng);
    let mut weights = net.to_weights();
    // An interface of the wrong size: W(R + 3) + 5R + 3 = 24 rows expected.
    let interface = weights.get_mut("interface.weight").expect("a tensor");
    interface.shape = vec![23, 5];
    interface.data.truncate(23 * 5);
    let text = memory::lab_refuses("dnc", &weights);
    assert!(
        text.contains("interface.weight")
            && text.contains("[23, 5]")
            && text.contains("expected [24, 5]"),
        "{text}"
    );
    // An NTM's file is refused too, naming what is missing.
    let ntm = network::Ntm::new(
        network::Shape {
            bits: 8,
            rows: 6,
            width: 4,
            hidden: 5,
        },
        &mut rng,
    );
    let err = memory::lab_refuses("dnc", &ntm.to_weights());
    assert!(err.contains("interface.weight"), "{err}");
    memory::lab_loads_only("dnc", &weights, &net.to_weights());
}

#[test]
fn the_bundled_weights_copy_a_sequence_in_the_lab() {
    let (rate, status) = memory::bundled_lab_bit_errors("dnc", 10);
    assert!(rate <= 0.02, "the trained DNC copies badly: {status}");
}

/// With the bundled weights, the write head fills free rows one after
/// another (allocation), and after the delimiter the read head reads them
/// back in the order of the writes.
#[test]
fn the_trained_dnc_writes_by_allocation_and_reads_in_the_order_of_the_writes() {
    let weights = nnzoo::model::weights::from_json(
        std::fs::read(format!(
            "{}/assets/weights/dnc-copy.json",
            env!("CARGO_MANIFEST_DIR")
        ))
        .expect("the bundled weights")
        .as_slice(),
    )
    .expect("JSON weights");
    let net =
        Dnc::from_weights(Dnc::shape_of(&weights).expect("a shape"), &weights).expect("loads");
    let mut rng = StdRng::seed_from_u64(11);
    let len = 8;
    let seq = copy_task::sequence(8, len, &mut rng);
    let steps = net.run(seq.inputs.view());
    let argmax = |v: ndarray::ArrayView1<'_, f64>| {
        v.iter()
            .enumerate()
            .fold(
                (0, f64::NEG_INFINITY),
                |b, (i, &x)| if x > b.1 { (i, x) } else { b },
            )
            .0
    };
    let written: Vec<usize> = (0..len)
        .map(|t| argmax(steps[t].allocation.write_weighting.view()))
        .collect();
    let mut distinct = written.clone();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(
        distinct.len(),
        len,
        "each vector to its own row: {written:?}"
    );
    let read: Vec<usize> = (0..len)
        .map(|k| argmax(steps[seq.recall_start() + k].read_weightings.row(0)))
        .collect();
    assert_eq!(read, written, "read back in the order written");
}

// Seven steps, then three stages into the eighth.
snapshots! {
    dnc_80x24_english: lab_with("dnc", &[], "nnnnnnnmmm"), 80 x 24, Lang::En;
    dnc_80x24_chinese: lab_with("dnc", &[], "nnnnnnnmmm"), 80 x 24, Lang::Zh;
    dnc_120x40_english: lab_with("dnc", &[], "nnnnnnnmmm"), 120 x 40, Lang::En;
    dnc_120x40_chinese: lab_with("dnc", &[], "nnnnnnnmmm"), 120 x 40, Lang::Zh;
}
