//! The support vector machine against libsvm (scikit-learn's `SVC`), the
//! KKT conditions after training, and the breast cancer experiment on a
//! short setting.

use ndarray::{Array1, Array2};
use nnzoo::experiment;
use nnzoo::model::kernel::smo::{Kernel, Smo};
use nnzoo::work::{Flow, Progress};
use serde_json::Value;
use std::path::PathBuf;

fn load(name: &str) -> Value {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/torch/{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).expect("fixture is JSON")
}

fn tensor(v: &Value) -> (Vec<usize>, Vec<f64>) {
    let shape = v["shape"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d.as_u64().unwrap() as usize)
        .collect();
    let data = v["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect();
    (shape, data)
}

fn matrix(v: &Value) -> Array2<f64> {
    let (shape, data) = tensor(v);
    Array2::from_shape_vec((shape[0], shape[1]), data).unwrap()
}

fn vector(v: &Value) -> Vec<f64> {
    if v.get("data").is_some() {
        tensor(v).1
    } else {
        v.as_array()
            .unwrap()
            .iter()
            .map(|x| x.as_f64().unwrap())
            .collect()
    }
}

fn close(what: &str, got: &[f64], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (k, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(
            (g - w).abs() <= tol * w.abs().max(1.0),
            "{what}[{k}]: got {g}, want {w} (tol {tol})"
        );
    }
}

/// Trains on a fixture to `tol` and holds every expected value to `within`
/// (the support set exactly when `tol` is tight).
fn parity(name: &str, tol: f64, within: f64) {
    let f = load(name);
    let x = matrix(&f["inputs"]["X"]);
    let y = Array1::from(vector(&f["inputs"]["y"]));
    let c = f["inputs"]["C"].as_f64().unwrap();
    let mut smo = Smo::new(x.clone(), y.clone(), c, Kernel::Linear);
    assert!(smo.solve(tol, 1_000_000), "{name}: SMO converges");
    let machine = smo.machine();
    // scikit-learn's order: class −1's support vectors first, then +1's.
    let mut support = machine.support.clone();
    support.sort_by_key(|&t| (y[t] > 0.0, t));
    let want: Vec<usize> = f["expected"]["support"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap() as usize)
        .collect();
    if tol <= 1e-8 {
        assert_eq!(support, want, "{name}: support");
        let dual: Vec<f64> = support.iter().map(|&t| y[t] * smo.alpha[t]).collect();
        close(
            &format!("{name} dual_coef"),
            &dual,
            &vector(&f["expected"]["dual_coef"]),
            within,
        );
    }
    close(
        &format!("{name} alpha"),
        smo.alpha.as_slice().unwrap(),
        &vector(&f["expected"]["alpha"]),
        within,
    );
    close(
        &format!("{name} w"),
        machine.weights().as_slice().unwrap(),
        &vector(&f["expected"]["w"]),
        within,
    );
    close(
        &format!("{name} b"),
        &[machine.bias],
        &vector(&f["expected"]["b"]),
        within,
    );
    close(
        &format!("{name} decision_train"),
        machine.decisions(x.view()).as_slice().unwrap(),
        &vector(&f["expected"]["decision_train"]),
        within,
    );
    let x_test = matrix(&f["inputs"]["X_test"]);
    close(
        &format!("{name} decision_test"),
        machine.decisions(x_test.view()).as_slice().unwrap(),
        &vector(&f["expected"]["decision_test"]),
        within,
    );
}

#[test]
fn linear_separable_matches_libsvm() {
    parity("svm_linear_separable", 1e-10, 1e-6);
}

#[test]
fn linear_nonseparable_matches_libsvm() {
    parity("svm_linear_nonseparable", 1e-10, 1e-6);
}

#[test]
fn at_svc_default_tolerance_the_solution_is_within_the_readme_bound() {
    // The README: 1e-3 for `svm_linear` unless the solver runs to a tight tolerance.
    parity("svm_linear_separable", 1e-3, 1e-3);
    parity("svm_linear_nonseparable", 1e-3, 1e-3);
}

/// The KKT conditions of the soft-margin dual, each to `tol`:
/// α = 0 ⇒ y f(x) ≥ 1, 0 < α < C ⇒ y f(x) = 1, α = C ⇒ y f(x) ≤ 1,
/// with 0 ≤ α ≤ C and Σ y α = 0.
fn assert_kkt(smo: &Smo, tol: f64) {
    let machine = smo.machine();
    let f = machine.decisions(smo.x.view());
    let c = smo.c;
    let balance: f64 = smo.alpha.iter().zip(&smo.y).map(|(a, y)| a * y).sum();
    assert!(balance.abs() < 1e-9, "Σ y α = {balance}");
    for t in 0..smo.len() {
        let (a, margin) = (smo.alpha[t], smo.y[t] * f[t]);
        assert!((0.0..=c).contains(&a), "α_{t} = {a} outside [0, {c}]");
        if a == 0.0 {
            assert!(margin >= 1.0 - tol, "α_{t} = 0 but y f = {margin}");
        } else if a == c {
            assert!(margin <= 1.0 + tol, "α_{t} = C but y f = {margin}");
        } else {
            assert!(
                (margin - 1.0).abs() <= tol,
                "0 < α_{t} = {a} < C but y f = {margin}"
            );
        }
    }
}

fn moons(n: usize) -> (Array2<f64>, Array1<f64>) {
    use rand::SeedableRng;
    let mut rng = rand::rngs::StdRng::seed_from_u64(3);
    let set = nnzoo::data::toy::moons(n, 0.2, &mut rng);
    let labels = set.labels().unwrap().clone();
    (
        set.records.mapv(f64::from),
        labels.mapv(|k| if k == 1 { 1.0 } else { -1.0 }),
    )
}

#[test]
fn kkt_conditions_hold_after_training_rbf() {
    let (x, y) = moons(200);
    for (c, gamma, tol) in [(1.0, 1.0, 1e-3), (10.0, 2.0, 1e-3), (0.1, 0.5, 1e-6)] {
        let mut smo = Smo::new(x.clone(), y.clone(), c, Kernel::Rbf { gamma });
        assert!(smo.solve(tol, 1_000_000));
        assert!(smo.gap() < tol);
        assert_kkt(&smo, tol);
    }
}

#[test]
fn kkt_conditions_hold_after_training_linear() {
    let (x, y) = moons(150);
    let mut smo = Smo::new(x, y, 1.0, Kernel::Linear);
    assert!(smo.solve(1e-3, 1_000_000));
    assert_kkt(&smo, 1e-3);
}

#[test]
fn a_loose_tolerance_is_not_the_optimum() {
    // The check above can fail: stopped early, the conditions do not hold.
    let (x, y) = moons(200);
    let mut smo = Smo::new(x, y, 1.0, Kernel::Rbf { gamma: 1.0 });
    smo.solve(1e-3, 5);
    let caught = std::panic::catch_unwind(|| assert_kkt(&smo, 1e-3));
    assert!(caught.is_err(), "five pairs do not train 200 points");
}

#[test]
fn breast_cancer_on_a_short_setting() {
    let e = experiment::find("svm-breast-cancer").expect("registered");
    let mut s = e.default_settings();
    s.set("repeats", "1").unwrap();
    s.set("tol", "0.01").unwrap();
    let out = (e.run)(&s, 1, &mut |_: &Progress| Flow::Go).unwrap();
    let metric = |name: &str| {
        out.metrics
            .iter()
            .find(|(n, _)| *n == name)
            .map(|m| m.1)
            .unwrap()
    };
    assert!(metric("test_accuracy") >= 0.94, "{:?}", out.metrics);
    assert!(metric("support_vectors") > 10.0 && metric("support_vectors") < 427.0);
    assert!(metric("train_seconds") > 0.0);
}
