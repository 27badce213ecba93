//! The cell models as the lab and the headless runner use them: registry,
//! determinism, stage-by-stage stepping, editing the input, overflow and
//! weight loading errors.

use nnzoo::model::{self, Model, StatusLevel, ViewContent, view::trace_line};
use nnzoo::view::Equations;
use std::path::PathBuf;

const KEYS: &[&str] = &[
    "basic_cell",
    "rnn_cell",
    "lstm_cell",
    "gru_cell",
    "birnn",
    "bilstm",
    "bigru",
];

fn build(key: &str, sets: &[&str], seed: u64) -> Box<dyn Model> {
    let spec = model::find(key).unwrap_or_else(|| panic!("no model `{key}`"));
    let mut params = spec.default_params();
    for s in sets {
        params.assign(s).unwrap();
    }
    (spec.build)(&params, seed).unwrap()
}

fn trace(m: &mut dyn Model, steps: usize) -> Vec<String> {
    (0..steps)
        .map(|_| {
            m.step();
            let label = m.stage_label(m.stage_count() - 1).en.to_string();
            trace_line(m.steps_done(), &label, &m.views()).to_string()
        })
        .collect()
}

fn vector(m: &dyn Model, name: &str) -> Vec<f32> {
    let views = m.views();
    // A cell's gates and states are stages of its flow.
    let staged = views.iter().find_map(|v| match &v.content {
        ViewContent::Flow(flow) => flow
            .panels
            .iter()
            .flat_map(|p| &p.stages)
            .find(|s| s.name.as_deref() == Some(name))
            .map(|s| s.values.clone()),
        _ => None,
    });
    if let Some(values) = staged {
        return values;
    }
    let view = views
        .iter()
        .find(|v| v.name == name)
        .unwrap_or_else(|| panic!("no view `{name}`"));
    match &view.content {
        ViewContent::Vector(vector) => vector.values.clone(),
        ViewContent::Matrix(matrix) => matrix.values.clone(),
        ViewContent::History(history) => history.values.clone(),
        other => panic!("`{name}` is {other:?}"),
    }
}

#[test]
fn every_key_is_registered_and_builds_with_its_defaults() {
    for key in KEYS {
        let mut m = build(key, &[], 3);
        assert!(m.stage_count() >= 1);
        assert_eq!(m.steps_done(), 0);
        m.step();
        assert_eq!(m.steps_done(), 1);
        assert!(
            m.views().iter().any(|v| v.name == "x" && v.editable),
            "{key}"
        );
        assert!(m.status().is_none(), "{key}: {:?}", m.status());
    }
}

#[test]
fn the_lstm_and_gru_show_their_named_states_and_gates() {
    // The gates and states are traced by name, whether they are drawn as
    // views of their own or as stages of the cell's flow.
    let mut lstm = build("lstm_cell", &[], 1);
    lstm.step();
    let names: Vec<String> = lstm.views().into_iter().map(|v| v.name).collect();
    let line = trace_line(1, "", &lstm.views());
    for name in ["x", "h", "c", "gate_i", "gate_f", "gate_g", "gate_o"] {
        assert!(line.get(name).is_some(), "LSTM trace lacks {name}: {line}");
    }
    for name in [
        "x",
        "flow",
        "diagram",
        "h_history",
        "c_history",
        "equations",
    ] {
        assert!(
            names.iter().any(|n| n == name),
            "LSTM lacks {name}: {names:?}"
        );
    }
    let mut gru = build("gru_cell", &[], 1);
    gru.step();
    let names: Vec<String> = gru.views().into_iter().map(|v| v.name).collect();
    let line = trace_line(1, "", &gru.views());
    for name in ["x", "h", "gate_r", "gate_z", "gate_n"] {
        assert!(line.get(name).is_some(), "GRU trace lacks {name}: {line}");
    }
    for name in ["x", "flow", "diagram", "h_history", "equations"] {
        assert!(
            names.iter().any(|n| n == name),
            "GRU lacks {name}: {names:?}"
        );
    }
    let stages: Vec<String> = (0..lstm.stage_count())
        .map(|k| lstm.stage_label(k).en.to_string())
        .collect();
    assert_eq!(
        stages,
        [
            "forget gate",
            "input gate",
            "candidate",
            "cell state",
            "output gate",
            "hidden state"
        ]
    );
    let stages: Vec<String> = (0..gru.stage_count())
        .map(|k| gru.stage_label(k).en.to_string())
        .collect();
    assert_eq!(
        stages,
        ["reset gate", "update gate", "candidate", "hidden state"]
    );
}

#[test]
fn the_same_seed_gives_the_same_trace() {
    for key in KEYS {
        for sequence in ["sine", "step", "noise", "word"] {
            let set = format!("sequence={sequence}");
            let a = trace(build(key, &[&set], 42).as_mut(), 12);
            let b = trace(build(key, &[&set], 42).as_mut(), 12);
            assert_eq!(a, b, "{key} {sequence}");
            let c = trace(build(key, &[&set], 43).as_mut(), 12);
            assert_ne!(a, c, "{key} {sequence}: another seed, other weights");
        }
        // A reset replays the trace exactly.
        let mut m = build(key, &[], 7);
        let first = trace(m.as_mut(), 5);
        m.reset(7);
        assert_eq!(first, trace(m.as_mut(), 5), "{key} after reset");
    }
}

#[test]
fn stepping_stage_by_stage_gives_the_same_bits_as_whole_steps() {
    for key in KEYS {
        let mut whole = build(key, &["sequence=noise"], 5);
        let mut staged = build(key, &["sequence=noise"], 5);
        for _ in 0..6 {
            whole.step();
            for k in 0..staged.stage_count() {
                assert_eq!(staged.next_stage(), k);
                staged.stage();
            }
            assert_eq!(staged.steps_done(), whole.steps_done());
            let a = trace_line(whole.steps_done(), "", &whole.views());
            let b = trace_line(staged.steps_done(), "", &staged.views());
            assert_eq!(a, b, "{key}");
        }
    }
}

#[test]
fn stages_fill_in_the_equations_one_line_at_a_time() {
    let mut m = build("lstm_cell", &[], 9);
    let before = vector(m.as_ref(), "gate_f");
    m.stage();
    let after_forget = vector(m.as_ref(), "gate_f");
    assert_ne!(before, after_forget, "the forget gate stage sets f");
    assert!(after_forget.iter().all(|v| (0.0..=1.0).contains(v)));
    assert_eq!(
        vector(m.as_ref(), "gate_o"),
        before.iter().map(|_| 0.0).collect::<Vec<_>>()
    );
    let views = m.views();
    let ViewContent::Equations(Equations { lines, current }) = &views.last().unwrap().content
    else {
        panic!("equations last");
    };
    assert_eq!(*current, Some(0));
    assert!(
        lines[0].en.starts_with("f = σ(") && lines[0].en.contains(" = ["),
        "{}",
        lines[0].en
    );
    assert!(!lines[1].en.contains(" = ["), "{}", lines[1].en);
}

#[test]
fn an_edited_input_is_fed_at_the_next_step_even_mid_step() {
    // Editing before the step and editing after its first stages give the
    // same result: the stages already run are redone.
    let mut before = build("lstm_cell", &["sequence=noise"], 11);
    let mut during = build("lstm_cell", &["sequence=noise"], 11);
    before.step();
    during.step();
    for _ in 0..4 {
        during.stage();
    }
    // Mid-step, the input is the sequence's for this step; editing one
    // component keeps the others.
    let mut fed = vector(during.as_ref(), "x");
    fed[2] = 0.75;
    during.edit("x", 2, 0.75).unwrap();
    assert_eq!(vector(during.as_ref(), "x"), fed);
    during.step();
    // Between steps, the input on screen is the last step's; editing one
    // component leaves the others where they were, and the step after is
    // fed what is on screen.
    let shown = vector(before.as_ref(), "x");
    before.edit("x", 0, fed[0]).unwrap();
    assert_eq!(vector(before.as_ref(), "x")[1..], shown[1..]);
    for (k, &v) in fed.iter().enumerate() {
        before.edit("x", k, v).unwrap();
    }
    let label = before.views()[0].label.en.to_string();
    assert!(label.contains("edited 0 1 2 3"), "{label}");
    before.step();
    assert_eq!(vector(before.as_ref(), "h"), vector(during.as_ref(), "h"));
    assert_eq!(vector(before.as_ref(), "c"), vector(during.as_ref(), "c"));
    assert_eq!(vector(before.as_ref(), "x")[2], 0.75);
    // Out of range and non-editable views are errors, not panics.
    assert!(before.edit("x", 99, 1.0).is_err());
    assert!(before.edit("h", 0, 1.0).is_err());
}

#[test]
fn an_overflow_is_reported_with_its_step_and_never_panics() {
    for key in KEYS {
        let sets: &[&str] = if key.contains("rnn") {
            &["nonlinearity=relu"]
        } else {
            &[]
        };
        let mut m = build(key, sets, 2);
        m.step();
        m.step();
        for i in 0..4 {
            m.edit("x", i, f32::MAX).unwrap();
        }
        m.edit("x", 0, f32::INFINITY).unwrap();
        m.step();
        let status = m
            .status()
            .unwrap_or_else(|| panic!("{key}: no overflow status"));
        assert_eq!(status.level, StatusLevel::Warning);
        assert!(
            status.text.en.contains("step 3"),
            "{key}: {}",
            status.text.en
        );
        let line = trace_line(m.steps_done(), "", &m.views()).to_string();
        assert!(
            line.contains("NaN") || line.contains("inf"),
            "{key}: {line}"
        );
        for _ in 0..3 {
            m.step();
        }
        let later = m.status().unwrap().text.en.to_string();
        assert!(
            later.contains("step 3"),
            "{key}: the first overflow is kept: {later}"
        );
        m.reset(2);
        assert!(m.status().is_none(), "{key}: a reset clears the overflow");
    }
}

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/torch")
        .join(name)
}

#[test]
fn loading_weights_checks_every_tensor() {
    let weights = model::weights::read(&fixture("lstm_cell_small.safetensors")).unwrap();
    // The right sizes load, and a reset keeps the loaded weights.
    let mut m = build("lstm_cell", &["input=3", "hidden=4"], 1);
    m.load_weights(&weights).unwrap();
    let a = trace(m.as_mut(), 3);
    m.reset(99);
    let b = trace(m.as_mut(), 3);
    assert_eq!(a[0].contains("gate_f"), b[0].contains("gate_f"));
    let mut other_seed = build("lstm_cell", &["input=3", "hidden=4"], 99);
    other_seed.load_weights(&weights).unwrap();
    assert_eq!(b, trace(other_seed.as_mut(), 3));
    // The wrong sizes name the tensor and both shapes.
    let mut m = build("lstm_cell", &["input=5", "hidden=4"], 1);
    let err = m.load_weights(&weights).unwrap_err().to_string();
    assert!(
        err.contains("`weight_ih`") && err.contains("[16, 3]") && err.contains("[16, 5]"),
        "{err}"
    );
    // A GRU file is not an LSTM.
    let gru = model::weights::read(&fixture("gru_cell_small.safetensors")).unwrap();
    let err = m.load_weights(&gru).unwrap_err().to_string();
    assert!(
        err.contains("weight_ih") && err.contains("[12, 3]"),
        "{err}"
    );
    // A missing tensor is named.
    let mut partial = weights.clone();
    partial.remove("bias_hh");
    let mut m = build("lstm_cell", &["input=3", "hidden=4"], 1);
    let err = m.load_weights(&partial).unwrap_err().to_string();
    assert!(
        err.contains("missing tensor `bias_hh`") && err.contains("[16]"),
        "{err}"
    );
    // The bidirectional layers take the *_l0 and *_l0_reverse names.
    let bi = model::weights::read(&fixture("bilstm.safetensors")).unwrap();
    let mut m = build("bilstm", &["input=4", "hidden=6"], 1);
    m.load_weights(&bi).unwrap();
    let mut m = build("bigru", &["input=4", "hidden=6"], 1);
    assert!(m.load_weights(&bi).is_err());
}

#[test]
fn parameters_are_checked_against_their_bounds() {
    let spec = model::find("lstm_cell").unwrap();
    let mut params = spec.default_params();
    let err = params.assign("hidden=0").unwrap_err().to_string();
    assert!(err.contains("hidden") && err.contains("1 to 1024"), "{err}");
    let err = params.assign("nonlinearity=relu").unwrap_err().to_string();
    assert!(
        err.contains("input") && err.contains("hidden") && err.contains("sequence"),
        "{err}"
    );
    let mut rnn = model::find("rnn_cell").unwrap().default_params();
    let err = rnn.assign("nonlinearity=sigmoid").unwrap_err().to_string();
    assert!(err.contains("tanh, relu"), "{err}");
}

#[test]
fn a_cell_steps_the_same_on_strided_views_as_on_contiguous_arrays() {
    use ndarray::{Array1, s};
    use nnzoo::model::cells::gru_cell::{self, GruScratch, GruWeights};
    use nnzoo::model::cells::lstm_cell::{self, LstmScratch, LstmWeights};
    use nnzoo::model::cells::rnn_cell::{self, Nonlinearity, RnnScratch, RnnWeights};
    use nnzoo::nn::vars::VarBuilder;
    let (input, hidden) = (5, 19);
    let x = Array1::from_shape_fn(input, |i| (i as f32 * 0.7).sin());
    // x read backwards twice, the states in every other value of a longer array.
    let x_reversed = x.slice(s![..;-1]).to_owned();
    let strided_x = x_reversed.slice(s![..;-1]);
    let (mut h, mut c) = (Array1::zeros(hidden), Array1::zeros(hidden));
    let (mut h2, mut c2) = (Array1::zeros(2 * hidden), Array1::zeros(2 * hidden));
    let lstm = LstmWeights::new(&VarBuilder::seeded(3), input, hidden, "").unwrap();
    let (mut a, mut b) = (
        LstmScratch::new(input, hidden),
        LstmScratch::new(input, hidden),
    );
    for _ in 0..3 {
        lstm_cell::step(&lstm, x.view(), h.view_mut(), c.view_mut(), &mut a);
        let (h2, c2) = (h2.slice_mut(s![..;2]), c2.slice_mut(s![..;2]));
        lstm_cell::step(&lstm, strided_x, h2, c2, &mut b);
    }
    assert_eq!(h, h2.slice(s![..;2]));
    assert_eq!(c, c2.slice(s![..;2]));
    assert_eq!(a.gates, b.gates);
    assert!(h.iter().any(|&v| v != 0.0));

    let gru = GruWeights::new(&VarBuilder::seeded(4), input, hidden, "").unwrap();
    let (mut h, mut h2) = (Array1::zeros(hidden), Array1::zeros(2 * hidden));
    let (mut a, mut b) = (
        GruScratch::new(input, hidden),
        GruScratch::new(input, hidden),
    );
    let rnn = RnnWeights::new(
        &VarBuilder::seeded(5),
        input,
        hidden,
        Nonlinearity::Relu,
        "",
    )
    .unwrap();
    let (mut r, mut r2) = (Array1::zeros(hidden), Array1::zeros(2 * hidden));
    let (mut ra, mut rb) = (
        RnnScratch::new(input, hidden),
        RnnScratch::new(input, hidden),
    );
    for _ in 0..3 {
        gru_cell::step(&gru, x.view(), h.view_mut(), &mut a);
        gru_cell::step(&gru, strided_x, h2.slice_mut(s![..;2]), &mut b);
        rnn_cell::step(&rnn, x.view(), r.view_mut(), &mut ra);
        rnn_cell::step(&rnn, strided_x, r2.slice_mut(s![..;2]), &mut rb);
    }
    assert_eq!(h, h2.slice(s![..;2]));
    assert_eq!(a.gates, b.gates);
    assert_eq!(r, r2.slice(s![..;2]));
    assert!(h.iter().any(|&v| v != 0.0) && r.iter().any(|&v| v != 0.0));
}

#[test]
fn the_basic_cell_by_default_answers_its_input() {
    // The default activation must not be one that outputs zero for every
    // step of the default input (a ReLU whose weighted sum stays negative).
    for seed in [1, 2, 3, 42] {
        let mut m = build("basic_cell", &[], seed);
        let mut outputs = Vec::new();
        for _ in 0..16 {
            m.step();
            outputs.push(vector(m.as_ref(), "y")[0]);
        }
        let nonzero = outputs.iter().filter(|v| v.abs() > 1e-3).count();
        assert!(nonzero >= 12, "seed {seed}: {outputs:?}");
        let distinct = outputs.windows(2).filter(|w| w[0] != w[1]).count();
        assert!(
            distinct >= 12,
            "seed {seed}: the output follows the input: {outputs:?}"
        );
    }
}

#[test]
fn side_by_side_the_lstm_and_gru_read_the_same_input_and_step_together() {
    for key in ["lstm_cell", "gru_cell"] {
        let mut pair = build(key, &["compare=on", "sequence=noise"], 5);
        let mut lstm = build("lstm_cell", &["sequence=noise"], 5);
        for step in 1..=6 {
            pair.step();
            lstm.step();
            assert_eq!(pair.steps_done(), step);
            let line = trace_line(step, "", &pair.views());
            let alone = trace_line(step, "", &lstm.views());
            assert_eq!(line["x"], alone["x"], "{key}: the same input");
            // The LSTM's weights are drawn first from the seed, as alone.
            for name in ["h", "c", "gate_f", "gate_i", "gate_g", "gate_o"] {
                assert_eq!(line[format!("lstm_{name}")], alone[name], "{key} {name}");
            }
            for name in ["gru_h", "gru_gate_r", "gru_gate_z", "gru_gate_n"] {
                assert!(line.get(name).is_some(), "{key}: {name} in {line}");
            }
        }
        // Stage by stage both move: the GRU's reset gate beside the forget gate.
        let mut staged = build(key, &["compare=on"], 2);
        assert_eq!(staged.stage_count(), 6);
        let r0 = vector(staged.as_ref(), "gru_gate_r");
        staged.stage();
        assert_ne!(vector(staged.as_ref(), "gru_gate_r"), r0, "r runs with f");
        assert_eq!(
            vector(staged.as_ref(), "gru_h"),
            vec![0.0; 8],
            "h' waits for the last stage"
        );
        for _ in 1..6 {
            staged.stage();
        }
        let mut whole = build(key, &["compare=on"], 2);
        whole.step();
        assert_eq!(
            trace_line(1, "", &staged.views()),
            trace_line(1, "", &whole.views()),
            "stages and a whole step give the same bits"
        );
    }
}

#[test]
fn each_gate_says_what_its_value_does() {
    let mut m = build("lstm_cell", &[], 1);
    let flow_notes = |m: &dyn Model| -> Vec<(String, String, String)> {
        m.views()
            .iter()
            .filter_map(|v| match &v.content {
                ViewContent::Flow(flow) => Some(flow.panels[0].stages.clone()),
                _ => None,
            })
            .flatten()
            .map(|s| (s.symbol, s.note.en.to_string(), s.note.zh.to_string()))
            .collect()
    };
    let notes = flow_notes(m.as_ref());
    assert!(
        notes
            .iter()
            .all(|(_, en, _)| en.starts_with("not computed yet")),
        "{notes:?}"
    );
    m.step();
    let f = vector(m.as_ref(), "gate_f");
    let mean = f.iter().sum::<f32>() / f.len() as f32;
    let percent = format!("{}%", (mean * 100.0).round() as i64);
    let notes = flow_notes(m.as_ref());
    let symbols: Vec<&str> = notes.iter().map(|(s, _, _)| s.as_str()).collect();
    assert_eq!(
        symbols,
        ["h", "c", "f", "i", "g", "c'", "o", "h'"],
        "data-flow order"
    );
    let (_, en, zh) = &notes[2];
    assert!(
        en.starts_with(&format!("keeps {percent} of the old cell state")),
        "{en}"
    );
    assert!(zh.contains(&percent) && zh.contains("旧细胞状态"), "{zh}");
    assert!(
        notes
            .iter()
            .all(|(_, en, zh)| !en.is_empty() && !zh.is_empty())
    );
}

#[test]
fn the_input_is_named_by_its_sequence_and_place_in_it() {
    let label = |m: &dyn Model| m.views()[0].label.clone();
    let mut m = build("lstm_cell", &["sequence=word", "word=hi!"], 1);
    m.step();
    m.step();
    let x = label(m.as_ref());
    assert_eq!(x.en, "input x: word \"hi!\": 'i' (2/3)");
    assert_eq!(x.zh, "输入 x:单词 \"hi!\":'i'(第 2/3 个)");
    m.stage();
    assert!(
        label(m.as_ref()).en.ends_with("'!' (3/3)"),
        "mid-step: the step's input"
    );
    let mut m = build("gru_cell", &["sequence=sine"], 1);
    for _ in 0..5 {
        m.step();
    }
    assert_eq!(label(m.as_ref()).en, "input x: sine wave, phase 4/16");
    m.edit("x", 1, 0.5).unwrap();
    assert_eq!(
        label(m.as_ref()).en,
        "input x: sine wave, phase 4/16, edited 1"
    );
    m.step();
    assert_eq!(
        label(m.as_ref()).en,
        "input x: sine wave, phase 4/16, edited 1"
    );
    m.step();
    assert_eq!(
        label(m.as_ref()).en,
        "input x: sine wave, phase 6/16",
        "the sequence resumes"
    );
    let m = build("rnn_cell", &["sequence=step"], 1);
    assert_eq!(label(m.as_ref()).en, "input x: step, off (1 from step 5)");
}
