//! `lsm-templates`: the liquid state machine classifying jittered spike
//! trains, the kind of task W. Maass, T. Natschläger and H. Markram set in
//! "Real-time computing without stable states", Neural Computation 14
//! (2002).
//!
//! Two templates, each a few Poisson spike trains of 20 Hz; every sample is
//! one of them with every spike moved by Gaussian jitter. The liquid (the
//! paper's 135-neuron column) runs each sample from its own random
//! membrane potentials; a linear readout of its filtered spikes at the end
//! of the sample, fitted by ridge regression on the training samples,
//! names the template of new ones. Beside it, the same readout of the input
//! spike trains themselves, filtered the same way: what a readout can do
//! without the liquid's fading memory of earlier spikes.

use super::{Claim, Experiment, Outcome, Reference, Report};
use crate::model::random::liquid_state_machine::{
    Column, Task, decide, filtered, fit_readout, read_out, simulate, task_params,
};
use crate::model::{ModelError, ParamKind, ParamSpec, ParamValue, Params};
use crate::text::Bilingual;
use crate::work::{Flow, Progress};
use ndarray::Array1;
use rand::SeedableRng;
use rand::rngs::StdRng;
use std::time::Instant;

pub static EXPERIMENT: Experiment = Experiment {
    name: "lsm-templates",
    title: Bilingual::new(
        "Liquid state machine classifying jittered spike-train templates",
        "液态机分类带抖动的脉冲序列模板",
    ),
    source: "Maass, Natschläger and Markram 2002: a linear readout of a random spiking column separates jittered spike trains",
    settings,
    run,
    models: &["lsm"],
};

fn settings() -> Vec<ParamSpec> {
    let mut specs = vec![
        ParamSpec::new(
            "train",
            "training samples",
            "训练样本数",
            ParamKind::Int {
                min: 2,
                max: 10_000,
            },
            ParamValue::Int(400),
        ),
        ParamSpec::new(
            "test",
            "test samples",
            "测试样本数",
            ParamKind::Int {
                min: 1,
                max: 10_000,
            },
            ParamValue::Int(200),
        ),
    ];
    specs.extend(task_params());
    specs
}

fn accuracy(w: &Array1<f64>, states: &[Array1<f64>], classes: &[usize]) -> f64 {
    let right = states
        .iter()
        .zip(classes)
        .filter(|(s, c)| decide(read_out(w, s)) == **c)
        .count();
    right as f64 / states.len().max(1) as f64
}

fn run(settings: &Params, seed: u64, progress: Report<'_>) -> Result<Outcome, ModelError> {
    let (train, test) = (
        settings.int("train") as usize,
        settings.int("test") as usize,
    );
    let channels = settings.int("channels") as usize;
    let duration = settings.float("duration");
    let mut rng = StdRng::seed_from_u64(seed);
    let column = Column::draw(settings.float("lambda"), channels, &mut rng);
    let task = Task::new(
        channels,
        settings.float("jitter"),
        duration,
        settings.float("tail"),
        &mut rng,
    )?;
    let total = train + test;
    let (mut liquid, mut inputs, mut classes) = (Vec::new(), Vec::new(), Vec::new());
    let (mut spikes, mut stopped) = (0usize, false);
    let started = Instant::now();
    let mut train_seconds = 0.0;
    for k in 0..total {
        let sample_seed = seed ^ (0x4c53_4d00 + k as u64);
        let (class, input) = task.sample(sample_seed);
        let mut membranes = StdRng::seed_from_u64(sample_seed.rotate_left(17));
        let response = simulate(&column, &input, duration, &mut membranes);
        spikes += response.spikes.iter().map(Vec::len).sum::<usize>();
        liquid.push(response.state(duration));
        inputs.push(filtered(&input, duration));
        classes.push(class);
        if k + 1 == train {
            train_seconds = started.elapsed().as_secs_f64();
        }
        let note = format!("sample {} of {total}", k + 1);
        if progress(&Progress::new(k + 1, total, note)) == Flow::Stop {
            stopped = true;
            break;
        }
    }
    let ran = classes.len();
    let rate_hz = spikes as f64 / column.neurons() as f64 / (ran as f64 * duration / 1000.0);
    let fit_from = Instant::now();
    let split = train.min(ran);
    let w = fit_readout(&liquid[..split], &classes[..split])?;
    let w_input = fit_readout(&inputs[..split], &classes[..split])?;
    train_seconds += fit_from.elapsed().as_secs_f64();
    let test_accuracy = accuracy(&w, &liquid[split..], &classes[split..]);
    let train_accuracy = accuracy(&w, &liquid[..split], &classes[..split]);
    let input_accuracy = accuracy(&w_input, &inputs[split..], &classes[split..]);
    let details = Bilingual::owned(
        format!(
            "{} neurons, {} synapses; {split} training and {} test samples of {duration} ms; the readout is right on {:.1}% of its training samples\n",
            column.neurons(),
            column.synapse_count(),
            ran - split,
            train_accuracy * 100.0
        ),
        format!(
            "{} 个神经元，{} 个突触；{split} 个训练样本和 {} 个测试样本，每个 {duration} 毫秒；读出层在训练样本上分对 {:.1}%\n",
            column.neurons(),
            column.synapse_count(),
            ran - split,
            train_accuracy * 100.0
        ),
    );
    Ok(Outcome {
        metrics: vec![
            ("test_accuracy", test_accuracy),
            ("input_only_accuracy", input_accuracy),
            ("rate_hz", rate_hz),
            ("train_seconds", train_seconds),
        ],
        series: Vec::new(),
        references: vec![
            Reference {
                metric: "test_accuracy",
                claim: Claim::AtLeast(0.9),
                source: Bilingual::new(
                    "a linear readout of the liquid tells the templates apart (Maass et al. 2002)",
                    "液体的线性读出层能分辨模板（Maass 等 2002）",
                ),
            },
            Reference {
                metric: "rate_hz",
                claim: Claim::Between(1.0, 50.0),
                source: Bilingual::new("a cortical column's firing rates", "皮层柱的放电率"),
            },
        ],
        details,
        stopped,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn short(tail: &str) -> Outcome {
        let mut s = EXPERIMENT.default_settings();
        for (k, v) in [("train", "30"), ("test", "20"), ("tail", tail)] {
            s.set(k, v).unwrap();
        }
        run(&s, 1, &mut |_: &Progress| Flow::Go).unwrap()
    }

    #[test]
    fn the_liquid_remembers_the_template_through_a_random_tail() {
        let out = short("50");
        let get = |k| out.metric(k).unwrap();
        assert!(get("test_accuracy") >= 0.9, "{:?}", out.metrics);
        assert!((1.0..=50.0).contains(&get("rate_hz")), "{:?}", out.metrics);
        // The same readout of the input's own filtered spikes sees mostly
        // the random tail.
        assert!(get("input_only_accuracy") < 0.8, "{:?}", out.metrics);
        assert!(get("train_seconds") > 0.0);
    }

    #[test]
    fn past_its_fading_memory_the_liquid_guesses() {
        let mut s = EXPERIMENT.default_settings();
        for (k, v) in [
            ("train", "30"),
            ("test", "20"),
            ("tail", "300"),
            ("duration", "330"),
        ] {
            s.set(k, v).unwrap();
        }
        let out = run(&s, 1, &mut |_: &Progress| Flow::Go).unwrap();
        assert!(
            out.metric("test_accuracy").unwrap() < 0.8,
            "{:?}",
            out.metrics
        );
    }
}
