//! A small model for testing the lab: it shows one view of every kind, so
//! the lab and its drawers are exercised before (and besides) the real
//! models. Test scaffolding only; it computes a real, if tiny, recurrence:
//! h' = tanh(gain · (W x + U h)), with W and U drawn from the seed.

#![allow(dead_code)]

use nnzoo::model::{
    Action, Flow, Model, ModelError, ModelSpec, ParamKind, ParamRole, ParamSpec, ParamValue,
    Params, Progress, Report, Status, StatusLevel, View, ViewContent,
};
use nnzoo::text::Bilingual;
use nnzoo::view::{Gallery, History, Matrix, Pixels};

pub static DEMO: ModelSpec = ModelSpec {
    key: "demo",
    name: Bilingual::new("Demo recurrence", "演示递推"),
    params: demo_params,
    build: build_demo,
    params_from_weights: None,
};

const SOURCES: &[&str] = &["sine", "step", "noise"];
const PICTURE_W: usize = 8;
const PICTURE_H: usize = 6;

fn demo_params() -> Vec<ParamSpec> {
    vec![
        ParamSpec {
            name: "size",
            label: Bilingual::new("size", "大小"),
            help: Bilingual::new("how many units the state has", "状态的单元数"),
            kind: ParamKind::Int { min: 1, max: 256 },
            default: ParamValue::Int(6),
            role: ParamRole::Structure,
        },
        ParamSpec {
            name: "input",
            label: Bilingual::new("input sequence", "输入序列"),
            help: Bilingual::new("what is fed each step", "每一步输入什么"),
            kind: ParamKind::Choice(SOURCES),
            default: ParamValue::Choice("sine"),
            role: ParamRole::InputSource,
        },
        ParamSpec {
            name: "gain",
            label: Bilingual::new("gain", "增益"),
            help: Bilingual::new("scales the pre-activation", "缩放激活前的值"),
            kind: ParamKind::Float {
                min: 0.0,
                max: 10.0,
            },
            default: ParamValue::Float(1.0),
            role: ParamRole::Structure,
        },
        ParamSpec {
            name: "word",
            label: Bilingual::new("word", "单词"),
            help: Bilingual::new(
                "a word shown in the notes; `fail` makes building fail",
                "显示在说明里的词；“fail”令构建失败",
            ),
            kind: ParamKind::Text {
                max_len: 16,
                offered: &[],
            },
            default: ParamValue::Text("hi".into()),
            role: ParamRole::Structure,
        },
    ]
}

fn build_demo(params: &Params, seed: u64) -> Result<Box<dyn Model>, ModelError> {
    if params.text("word") == "fail" {
        return Err(ModelError::Invalid(Bilingual::new(
            "the word `fail` cannot be built (test)",
            "词 `fail` 建不成模型（测试）",
        )));
    }
    let mut model = Demo {
        params: params.clone(),
        size: params.int("size") as usize,
        gain: params.float("gain") as f32,
        source: params.choice("input"),
        seed,
        w: Vec::new(),
        u: Vec::new(),
        x: Vec::new(),
        a: Vec::new(),
        h: Vec::new(),
        history: Vec::new(),
        energy: Vec::new(),
        picture: Vec::new(),
        patterns: Vec::new(),
        stage: 0,
        steps: 0,
        rng: 0,
    };
    model.reset(seed);
    Ok(Box::new(model))
}

#[derive(Clone)]
pub struct Demo {
    params: Params,
    size: usize,
    gain: f32,
    source: &'static str,
    seed: u64,
    w: Vec<f32>,
    u: Vec<f32>,
    x: Vec<f32>,
    a: Vec<f32>,
    h: Vec<f32>,
    history: Vec<f32>,
    energy: Vec<f64>,
    picture: Vec<f32>,
    patterns: Vec<Vec<f32>>,
    stage: usize,
    steps: u64,
    rng: u64,
}

impl Demo {
    fn next_random(&mut self) -> f32 {
        // xorshift64*: a fixed, portable sequence for a seed.
        self.rng ^= self.rng >> 12;
        self.rng ^= self.rng << 25;
        self.rng ^= self.rng >> 27;
        let r = self.rng.wrapping_mul(0x2545_F491_4F6C_DD1D);
        (r >> 40) as f32 / (1u64 << 24) as f32 * 2.0 - 1.0
    }

    fn feed(&mut self) {
        let t = self.steps as f32;
        for i in 0..self.size {
            self.x[i] = match self.source {
                "sine" => (0.5 * t + i as f32).sin(),
                "step" => {
                    if self.steps >= 3 {
                        1.0
                    } else {
                        0.0
                    }
                }
                _ => self.next_random(),
            };
        }
    }
}

impl Model for Demo {
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
        self.rng = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        let n = self.size;
        self.w = (0..n * n).map(|_| 0.0).collect();
        for i in 0..n * n {
            self.w[i] = self.next_random();
        }
        self.u = vec![0.0; n * n];
        for i in 0..n * n {
            self.u[i] = self.next_random() * 0.5;
        }
        self.x = vec![0.0; n];
        self.a = vec![0.0; n];
        self.h = vec![0.0; n];
        self.history.clear();
        self.energy.clear();
        self.patterns = (0..3)
            .map(|p| {
                (0..PICTURE_W * PICTURE_H)
                    .map(|i| if (i + p) % (p + 2) == 0 { 1.0 } else { -1.0 })
                    .collect()
            })
            .collect();
        self.picture = self.patterns[1].clone();
        self.stage = 0;
        self.steps = 0;
        self.feed();
    }

    fn stage_count(&self) -> usize {
        3
    }

    fn stage_label(&self, index: usize) -> Bilingual {
        match index {
            0 => Bilingual::new("pre-activation", "激活前"),
            1 => Bilingual::new("activation", "激活"),
            _ => Bilingual::new("record", "记录"),
        }
    }

    fn next_stage(&self) -> usize {
        self.stage
    }

    fn steps_done(&self) -> u64 {
        self.steps
    }

    fn stage(&mut self) {
        let n = self.size;
        match self.stage {
            0 => {
                for i in 0..n {
                    let mut s = 0.0;
                    for j in 0..n {
                        s += self.w[i * n + j] * self.x[j] + self.u[i * n + j] * self.h[j];
                    }
                    self.a[i] = self.gain * s;
                }
            }
            1 => {
                for i in 0..n {
                    self.h[i] = self.a[i].tanh();
                }
            }
            _ => {
                self.history.extend_from_slice(&self.h);
                let energy: f32 = -self.h.iter().map(|v| v * v).sum::<f32>();
                self.energy.push(f64::from(energy));
                self.steps += 1;
                self.feed();
            }
        }
        self.stage = (self.stage + 1) % 3;
    }

    fn views(&self) -> Vec<View> {
        let n = self.size;
        let fmt = |v: &[f32]| {
            v.iter()
                .take(4)
                .map(|x| format!("{x:+.2}"))
                .collect::<Vec<_>>()
                .join(" ")
        };
        vec![
            View::new(
                "equations",
                Bilingual::new("Equations", "公式"),
                ViewContent::equations(
                    vec![
                        format!("a = gain·(W x + U h) = [{}]", fmt(&self.a)),
                        format!("h = tanh(a) = [{}]", fmt(&self.h)),
                        "record h and the energy −|h|²".to_string(),
                    ],
                    Some(self.stage),
                ),
            ),
            View::new(
                "x",
                Bilingual::new("input x", "输入 x"),
                ViewContent::vector(self.x.clone(), (-1.0, 1.0)),
            )
            .editable(),
            View::new(
                "a",
                Bilingual::new("pre-activation a", "激活前 a"),
                ViewContent::vector(self.a.clone(), (-3.0, 3.0)),
            ),
            View::new(
                "h",
                Bilingual::new("state h", "状态 h"),
                ViewContent::vector(self.h.clone(), (-1.0, 1.0)),
            ),
            View::new(
                "norm",
                Bilingual::new("|h|²", "|h|²"),
                ViewContent::scalar(self.h.iter().map(|v| f64::from(v * v)).sum()),
            ),
            View::new(
                "w",
                Bilingual::new("weights W", "权重 W"),
                ViewContent::Matrix(Matrix {
                    rows: n,
                    cols: n,
                    values: self.w.clone(),
                }),
            ),
            View::new(
                "probe",
                Bilingual::new("probe", "探针"),
                ViewContent::Pixels(Pixels {
                    width: PICTURE_W,
                    height: PICTURE_H,
                    values: self.picture.clone(),
                    range: (-1.0, 1.0),
                    marks: Vec::new(),
                }),
            )
            .editable(),
            View::new(
                "h_history",
                Bilingual::new("h over time", "h 随时间"),
                ViewContent::History(History {
                    rows: self.history.len() / n.max(1),
                    cols: n,
                    values: self.history.clone(),
                    range: (-1.0, 1.0),
                    first: 1,
                }),
            ),
            View::new(
                "energy",
                Bilingual::new("energy", "能量"),
                ViewContent::series(self.energy.clone()),
            ),
            View::new(
                "patterns",
                Bilingual::new("stored patterns", "存储的模式"),
                ViewContent::Gallery(Gallery {
                    width: PICTURE_W,
                    height: PICTURE_H,
                    items: self.patterns.clone(),
                    marked: Some(1),
                    captions: Vec::new(),
                    range: (-1.0, 1.0),
                }),
            ),
            View::new(
                "notes",
                Bilingual::new("notes", "说明"),
                ViewContent::text(Bilingual::owned(
                    format!(
                        "A tiny recurrence fed the {} sequence; word: {}.",
                        self.source,
                        self.params.text("word")
                    ),
                    format!(
                        "一个小小的递推，输入{}序列；单词：{}。",
                        self.source,
                        self.params.text("word")
                    ),
                )),
            ),
        ]
    }

    fn edit(&mut self, view: &str, index: usize, value: f32) -> Result<(), ModelError> {
        match view {
            "x" if index < self.x.len() => {
                self.x[index] = value;
                Ok(())
            }
            "probe" if index < self.picture.len() => {
                self.picture[index] = if value > 0.0 { 1.0 } else { -1.0 };
                Ok(())
            }
            _ => Err(ModelError::Invalid(Bilingual::owned(
                format!("no value {index} in `{view}`"),
                format!("`{view}` 里没有第 {index} 个值"),
            ))),
        }
    }

    fn actions(&self) -> Vec<Action> {
        vec![
            Action {
                name: "invert",
                key: 'i',
                label: Bilingual::new("invert the probe", "反转探针"),
                long: false,
            },
            Action {
                name: "slow",
                key: 'w',
                label: Bilingual::new("fifty slow steps", "五十个慢步"),
                long: true,
            },
        ]
    }

    /// Long work for the tests: fifty steps, 20 ms apart, stopping when told.
    fn work(&mut self, action: &str, progress: Report<'_>) -> Result<(), ModelError> {
        if action != "slow" {
            return self.act(action);
        }
        for done in 1..=50 {
            std::thread::sleep(std::time::Duration::from_millis(20));
            self.step();
            let note = format!("slow step {done}");
            if progress(&Progress::new(done, 50, note)) == Flow::Stop {
                break;
            }
        }
        Ok(())
    }

    fn act(&mut self, action: &str) -> Result<(), ModelError> {
        match action {
            "invert" => {
                for v in &mut self.picture {
                    *v = -*v;
                }
                Ok(())
            }
            _ => Err(ModelError::no_action(action)),
        }
    }

    fn status(&self) -> Option<Status> {
        let bad = self.h.iter().chain(&self.a).any(|v| !v.is_finite());
        bad.then(|| Status {
            level: StatusLevel::Warning,
            text: Bilingual::owned(
                format!("overflow at step {}", self.steps),
                format!("第 {} 步溢出", self.steps),
            ),
        })
    }
}

/// A catalogue entry for the demo model.
pub fn demo_entry() -> nnzoo::catalogue::Entry {
    serde_json::from_str(
        r#"{
            "id": "demo",
            "abbreviation": "DEMO",
            "category": "cell",
            "name": {"en": "Demo cell", "zh": "演示神经元"},
            "pinyin": "yan shi shen jing yuan",
            "glyph": "recurrent",
            "summary": {"en": "A test model.", "zh": "测试模型。"},
            "description": {"en": "A test model.", "zh": "测试模型。"},
            "model": "demo"
        }"#,
    )
    .expect("demo entry")
}
