//! A small learning model for testing the lab's views of learning: a
//! logistic classifier fitted to two classes of 2-D points by stochastic
//! gradient descent, one sample per step. It shows a plot (loss and
//! accuracy), a plane (the data, the decision regions, the weight vector),
//! a table (scores per class), a histogram of the margins, a raster of the
//! samples visited, the classifier as a graph, a grey picture and a
//! captioned gallery, so the lab draws every new kind of view. Test scaffolding only.

#![allow(dead_code)]

use nnzoo::model::{
    Axis, Curve, Field, Mark, Model, ModelError, ModelSpec, ParamKind, ParamRole, ParamSpec,
    ParamValue, Params, PlanePoint, Segment, View, ViewContent,
};
use nnzoo::text::Bilingual;
use nnzoo::view::{Gallery, Graph, Histogram, Pixels, Plane, Plot, Raster, Table};

pub static LEARNING_DEMO: ModelSpec = ModelSpec {
    key: "learning-demo",
    name: Bilingual::new("Learning demo", "学习演示"),
    params: learning_params,
    build: build_learning,
    params_from_weights: None,
};

/// Points in the data set.
const SAMPLES: usize = 24;
/// The field is sampled on this grid.
const FIELD_COLS: usize = 24;
const FIELD_ROWS: usize = 12;

fn learning_params() -> Vec<ParamSpec> {
    vec![ParamSpec {
        name: "rate",
        label: Bilingual::new("learning rate", "学习率"),
        help: Bilingual::new("the step of gradient descent", "梯度下降的步长"),
        kind: ParamKind::Float {
            min: 0.0,
            max: 10.0,
        },
        default: ParamValue::Float(0.5),
        role: ParamRole::Structure,
    }]
}

fn build_learning(params: &Params, seed: u64) -> Result<Box<dyn Model>, ModelError> {
    let mut model = Learning {
        params: params.clone(),
        rate: params.float("rate"),
        seed,
        data: Vec::new(),
        w: [0.0; 3],
        losses: Vec::new(),
        accuracies: Vec::new(),
        steps: 0,
    };
    model.reset(seed);
    Ok(Box::new(model))
}

#[derive(Clone)]
pub struct Learning {
    params: Params,
    rate: f64,
    seed: u64,
    /// (x, y, class)
    data: Vec<(f64, f64, usize)>,
    /// Weights for x and y, and the bias.
    w: [f64; 3],
    losses: Vec<(f64, f64)>,
    accuracies: Vec<(f64, f64)>,
    steps: u64,
}

impl Learning {
    fn probability(&self, x: f64, y: f64) -> f64 {
        1.0 / (1.0 + (-(self.w[0] * x + self.w[1] * y + self.w[2])).exp())
    }

    fn current(&self) -> usize {
        self.steps as usize % SAMPLES
    }

    fn accuracy(&self, class: Option<usize>) -> f64 {
        let chosen: Vec<_> = self
            .data
            .iter()
            .filter(|d| class.is_none_or(|c| d.2 == c))
            .collect();
        let right = chosen
            .iter()
            .filter(|d| usize::from(self.probability(d.0, d.1) > 0.5) == d.2)
            .count();
        right as f64 / chosen.len().max(1) as f64
    }
}

impl Model for Learning {
    fn snapshot(&self) -> Box<dyn Model> {
        Box::new(self.clone())
    }

    fn params(&self) -> &Params {
        &self.params
    }

    fn seed(&self) -> u64 {
        self.seed
    }

    fn reset(&mut self, seed: u64) {
        self.seed = seed;
        let mut rng = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let mut next = move || {
            rng ^= rng << 13;
            rng ^= rng >> 7;
            rng ^= rng << 17;
            (rng >> 11) as f64 / (1u64 << 53) as f64 * 2.0 - 1.0
        };
        self.data = (0..SAMPLES)
            .map(|i| {
                let class = i % 2;
                let centre = if class == 1 { 0.8 } else { -0.8 };
                (centre + next(), centre + next(), class)
            })
            .collect();
        self.w = [next(), next(), 0.0];
        self.losses.clear();
        self.accuracies.clear();
        self.steps = 0;
    }

    fn stage_count(&self) -> usize {
        1
    }

    fn stage_label(&self, _index: usize) -> Bilingual {
        Bilingual::new("gradient step", "梯度步")
    }

    fn next_stage(&self) -> usize {
        0
    }

    fn steps_done(&self) -> u64 {
        self.steps
    }

    fn stage(&mut self) {
        let (x, y, class) = self.data[self.current()];
        let p = self.probability(x, y);
        let error = p - class as f64;
        self.w[0] -= self.rate * error * x;
        self.w[1] -= self.rate * error * y;
        self.w[2] -= self.rate * error;
        let loss = self
            .data
            .iter()
            .map(|d| {
                let p = self.probability(d.0, d.1).clamp(1e-9, 1.0 - 1e-9);
                if d.2 == 1 { -p.ln() } else { -(1.0 - p).ln() }
            })
            .sum::<f64>()
            / SAMPLES as f64;
        self.steps += 1;
        self.losses.push((self.steps as f64, loss));
        self.accuracies
            .push((self.steps as f64, self.accuracy(None)));
    }

    fn views(&self) -> Vec<View> {
        let current = self.current();
        let field = (0..FIELD_ROWS)
            .flat_map(|r| {
                (0..FIELD_COLS).map(move |c| {
                    let x = -2.0 + 4.0 * (c as f64 + 0.5) / FIELD_COLS as f64;
                    let y = 2.0 - 4.0 * (r as f64 + 0.5) / FIELD_ROWS as f64;
                    (x, y)
                })
            })
            .map(|(x, y)| self.probability(x, y) as f32)
            .collect();
        let weights: Vec<f32> = self.w.iter().map(|&v| v as f32).collect();
        let scale = weights.iter().map(|v| v.abs()).fold(0.0f32, f32::max);
        vec![
            View::new(
                "curves",
                Bilingual::new("loss and accuracy", "损失与准确率"),
                ViewContent::Plot(Plot {
                    curves: vec![
                        Curve {
                            label: Bilingual::new("loss", "损失"),
                            points: self.losses.clone(),
                        },
                        Curve {
                            label: Bilingual::new("accuracy", "准确率"),
                            points: self.accuracies.clone(),
                        },
                    ],
                    x_label: Bilingual::new("step", "步"),
                    y_label: Bilingual::new("value", "值"),
                    x_range: None,
                    y_range: None,
                    marks: vec![Mark {
                        axis: Axis::Y,
                        value: 0.5,
                        label: Bilingual::same("chance"),
                    }],
                    now: Some(self.steps as f64),
                }),
            ),
            View::new(
                "plane",
                Bilingual::new("data and decision regions", "数据与决策区域"),
                ViewContent::Plane(Plane {
                    points: self
                        .data
                        .iter()
                        .enumerate()
                        .map(|(i, &(x, y, class))| PlanePoint {
                            x,
                            y,
                            class,
                            highlight: i == current,
                            ring: false,
                        })
                        .collect(),
                    classes: vec![
                        Bilingual::new("below", "下方"),
                        Bilingual::new("above", "上方"),
                    ],
                    field: Some(Field {
                        cols: FIELD_COLS,
                        rows: FIELD_ROWS,
                        values: field,
                        range: (0.0, 1.0),
                    }),
                    lines: vec![Segment {
                        from: (0.0, 0.0),
                        to: (self.w[0].clamp(-2.0, 2.0), self.w[1].clamp(-2.0, 2.0)),
                        arrow: true,
                    }],
                    x_range: (-2.0, 2.0),
                    y_range: (-2.0, 2.0),
                }),
            ),
            View::new(
                "scores",
                Bilingual::new("accuracy per class", "各类准确率"),
                ViewContent::Table(Table {
                    header: vec![
                        Bilingual::new("class", "类别"),
                        Bilingual::new("accuracy", "准确率"),
                    ],
                    rows: (0..2)
                        .map(|c| {
                            let accuracy = format!("{:.2}", self.accuracy(Some(c)));
                            vec![Bilingual::same(c.to_string()), Bilingual::same(accuracy)]
                        })
                        .collect(),
                    current: Some(self.data[current].2),
                }),
            ),
            View::new(
                "weights",
                Bilingual::new("weights as a filter", "权重作为滤波器"),
                ViewContent::Pixels(Pixels {
                    width: 3,
                    height: 1,
                    values: weights.clone(),
                    range: (-scale, scale),
                    marks: Vec::new(),
                }),
            ),
            View::new(
                "margins",
                Bilingual::new("margins w·x + b", "间隔 w·x + b"),
                ViewContent::Histogram(Histogram {
                    values: self
                        .data
                        .iter()
                        .map(|d| (self.w[0] * d.0 + self.w[1] * d.1 + self.w[2]) as f32)
                        .collect(),
                    range: None,
                }),
            ),
            View::new(
                "visits",
                Bilingual::new("samples visited", "访问过的样本"),
                ViewContent::Raster(Raster {
                    units: SAMPLES,
                    spikes: (0..self.steps as usize)
                        .map(|t| vec![t % SAMPLES])
                        .collect(),
                }),
            ),
            View::new(
                "network",
                Bilingual::new("the classifier as a network", "分类器的网络"),
                ViewContent::Graph(Graph {
                    labels: ["x", "y", "1", "p"].map(Bilingual::same).to_vec(),
                    values: {
                        let (x, y, _) = self.data[current];
                        vec![x as f32, y as f32, 1.0, self.probability(x, y) as f32]
                    },
                    range: (-1.0, 1.0),
                    edges: (0..3).map(|i| (i, 3, self.w[i] as f32)).collect(),
                    directed: false,
                }),
            ),
            View::new(
                "samples",
                Bilingual::new("samples", "样本"),
                ViewContent::Gallery(Gallery {
                    // Each sample as a strip: four pixels as grey as its x, four as its y.
                    width: 8,
                    height: 2,
                    items: self
                        .data
                        .iter()
                        .take(6)
                        .map(|d| {
                            let (x, y) = ((d.0 as f32 + 2.0) / 4.0, (d.1 as f32 + 2.0) / 4.0);
                            [[x; 4], [y; 4]].concat().repeat(2)
                        })
                        .collect(),
                    marked: (current < 6).then_some(current),
                    captions: self
                        .data
                        .iter()
                        .take(6)
                        .map(|d| format!("class {}", d.2))
                        .collect(),
                    range: (0.0, 1.0),
                }),
            )
            .untraced(),
        ]
    }
}

/// A catalogue entry for the learning demo.
pub fn learning_entry() -> nnzoo::catalogue::Entry {
    serde_json::from_str(
        r#"{
            "id": "learning-demo",
            "abbreviation": "LDEMO",
            "category": "network",
            "name": {"en": "Learning demo", "zh": "学习演示"},
            "pinyin": "xue xi yan shi",
            "glyph": "recurrent",
            "summary": {"en": "A test model.", "zh": "测试模型。"},
            "description": {"en": "A test model.", "zh": "测试模型。"},
            "model": "learning-demo"
        }"#,
    )
    .expect("learning demo entry")
}
