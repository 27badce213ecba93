//! Every kind of view held to the same rules: snapshots at 80x24 and
//! 120x40, in English and Chinese, with and without colour; and a property
//! test that, at any size down to 1x1 and with any values (NaN and
//! infinities included), drawing never panics, never writes outside its
//! area, and uses no colour under NO_COLOR, and that heights and the JSON
//! trace are well formed.

use super::*;
use proptest::prelude::*;
use ratatui::buffer::Cell;
use ratatui::style::Color;
use std::collections::BTreeMap;
use unicode_width::UnicodeWidthStr;

fn ring(n: usize, size: usize) -> Vec<f32> {
    (0..n)
        .map(|i| {
            let (x, y) = ((i % size) as f32 - 3.5, (i / size) as f32 - 3.5);
            let r = (x * x + y * y).sqrt();
            if (2.0..3.6).contains(&r) {
                1.0 - (i / size) as f32 / 10.0
            } else {
                0.0
            }
        })
        .collect()
}

fn view(name: &str, en: &str, zh: &str, content: ViewContent) -> View {
    View::new(
        name,
        Bilingual::owned(en.to_string(), zh.to_string()),
        content,
    )
}

/// One view of each kind, as a model describes it, by a name for its snapshots.
fn examples() -> Vec<(&'static str, View)> {
    let sine = |n: usize, scale: f32| -> Vec<f32> {
        (0..n).map(|i| scale * (i as f32 * 0.7).sin()).collect()
    };
    let vocabulary: Vec<String> = "abcdefghijklmnopqrstuvwxyz␣.,?"
        .chars()
        .map(String::from)
        .collect();
    vec![
        (
            "vector",
            view(
                "h",
                "hidden state h",
                "隐藏状态 h",
                ViewContent::vector(sine(8, 0.9), (-1.0, 1.0)),
            )
            .editable(),
        ),
        (
            "vector_labelled",
            view(
                "next",
                "next character",
                "下一个字符",
                ViewContent::Vector(Vector {
                    values: sine(30, 0.5).iter().map(|v| v * v * 2.0).collect(),
                    range: (0.0, 1.0),
                    labels: vocabulary.into_iter().map(Bilingual::same).collect(),
                }),
            ),
        ),
        (
            "matrix",
            view(
                "w",
                "weights W",
                "权重 W",
                ViewContent::Matrix(Matrix {
                    rows: 6,
                    cols: 10,
                    values: sine(60, 0.8),
                }),
            ),
        ),
        (
            "pixels",
            view(
                "x",
                "input",
                "输入",
                ViewContent::Pixels(Pixels {
                    width: 8,
                    height: 8,
                    values: ring(64, 8),
                    range: (0.0, 1.0),
                    marks: Vec::new(),
                }),
            ),
        ),
        (
            "gallery",
            view(
                "patterns",
                "stored patterns",
                "存储的模式",
                ViewContent::Gallery(Gallery {
                    width: 8,
                    height: 8,
                    items: (0..5)
                        .map(|k| {
                            ring(64, 8)
                                .iter()
                                .map(|v| v * 2.0 - 1.0 + k as f32 * 0.1)
                                .collect()
                        })
                        .collect(),
                    marked: Some(1),
                    captions: vec![
                        "zero".into(),
                        "one".into(),
                        "两".into(),
                        "three".into(),
                        "a long caption".into(),
                    ],
                    range: (-1.0, 1.0),
                }),
            ),
        ),
        (
            "series",
            view(
                "energy",
                "energy per sweep",
                "每轮的能量",
                ViewContent::series(
                    (0..40)
                        .map(|t| -10.0 + 8.0 * (-(t as f64) / 8.0).exp())
                        .collect(),
                ),
            ),
        ),
        (
            "history",
            view(
                "h_history",
                "h over time",
                "h 随时间",
                ViewContent::History(History {
                    rows: 30,
                    cols: 6,
                    values: sine(180, 1.0),
                    range: (-1.0, 1.0),
                    first: 1,
                }),
            ),
        ),
        (
            "scalar",
            view("loss", "loss", "损失", ViewContent::scalar(0.3125)),
        ),
        (
            "text",
            view(
                "status",
                "note",
                "说明",
                ViewContent::text(Bilingual::new(
                    "The network settles into the stored pattern nearest to the probe; with too many patterns it settles into a mixture instead.",
                    "网络会落入与探针最接近的存储模式；存储的模式太多时，它会落入几个模式的混合。",
                )),
            ),
        ),
        (
            "equations",
            view(
                "equations",
                "equations",
                "公式",
                ViewContent::equations(
                    vec![
                        "a = W x + U h + b = [+0.120 -0.400 +0.310]".into(),
                        "h' = tanh(a) = [+0.119 -0.380 +0.300]".into(),
                        "y = softmax(V h' + c)".into(),
                    ],
                    Some(1),
                ),
            ),
        ),
        (
            "plot",
            view(
                "curves",
                "learning curves",
                "学习曲线",
                ViewContent::Plot(Plot {
                    curves: vec![
                        Curve {
                            label: Bilingual::new("loss", "损失"),
                            points: (0..20)
                                .map(|e| (e as f64, 2.0 * (-(e as f64) / 5.0).exp() + 0.1))
                                .collect(),
                        },
                        Curve {
                            label: Bilingual::new("accuracy", "准确率"),
                            points: (0..20)
                                .map(|e| (e as f64, 1.0 - 0.8 * (-(e as f64) / 4.0).exp()))
                                .collect(),
                        },
                    ],
                    x_label: Bilingual::new("epoch", "轮次"),
                    y_label: Bilingual::new("value", "数值"),
                    x_range: Some((0.0, 20.0)),
                    y_range: None,
                    marks: vec![Mark {
                        axis: Axis::Y,
                        value: 0.5,
                        label: Bilingual::same("chance"),
                    }],
                    now: Some(19.0),
                }),
            ),
        ),
        (
            "plane",
            view(
                "data",
                "data and decision regions",
                "数据与决策区域",
                ViewContent::Plane(Plane {
                    points: (0..24)
                        .map(|i| {
                            let t = i as f64 * 0.5;
                            PlanePoint {
                                x: t.cos() * (1.0 + (i % 2) as f64),
                                y: t.sin() * (1.0 + (i % 2) as f64),
                                class: i % 2,
                                highlight: i == 5,
                                ring: false,
                            }
                        })
                        .collect(),
                    classes: vec![Bilingual::same("inner"), Bilingual::same("outer")],
                    field: Some(Field {
                        cols: 12,
                        rows: 12,
                        values: (0..144)
                            .map(|k| {
                                let (x, y) = ((k % 12) as f32 - 5.5, (k / 12) as f32 - 5.5);
                                ((x * x + y * y).sqrt() / 4.0 - 1.0).tanh()
                            })
                            .collect(),
                        range: (-1.0, 1.0),
                    }),
                    lines: vec![Segment {
                        from: (0.0, 0.0),
                        to: (1.5, 1.0),
                        arrow: true,
                    }],
                    x_range: (-2.5, 2.5),
                    y_range: (-2.5, 2.5),
                }),
            ),
        ),
        (
            "histogram",
            view(
                "weights",
                "weights of layer 1",
                "第 1 层的权重",
                ViewContent::Histogram(Histogram {
                    values: (0..300)
                        .map(|i| {
                            let u = (i as f32 + 0.5) / 300.0;
                            0.2 * (u / (1.0 - u)).ln()
                        })
                        .collect(),
                    range: None,
                }),
            ),
        ),
        (
            "raster",
            view(
                "spikes",
                "spikes",
                "脉冲",
                ViewContent::Raster(Raster {
                    units: 24,
                    spikes: (0..120usize)
                        .map(|t| (0..24).filter(|u| (t + 5 * u) % 17 < 2).collect())
                        .collect(),
                }),
            ),
        ),
        (
            "graph",
            view(
                "net",
                "network",
                "网络",
                ViewContent::Graph(Graph {
                    labels: (0..6).map(|i| Bilingual::same(format!("u{i}"))).collect(),
                    values: vec![1.0, -1.0, 1.0, 1.0, -1.0, -1.0],
                    range: (-1.0, 1.0),
                    edges: (0..6)
                        .flat_map(|i| [(i, (i + 1) % 6, 0.8), (i, (i + 3) % 6, -0.3)])
                        .collect(),
                    directed: false,
                }),
            ),
        ),
        (
            "table",
            view(
                "confusion",
                "scores per class",
                "各类得分",
                ViewContent::Table(Table::same(
                    vec![
                        "class".into(),
                        "precision".into(),
                        "recall".into(),
                        "n".into(),
                    ],
                    ["setosa", "versicolor", "virginica", "山鸢尾"]
                        .iter()
                        .enumerate()
                        .map(|(i, name)| {
                            vec![
                                name.to_string(),
                                format!("{:.2}", 0.9 - 0.05 * i as f64),
                                format!("{:.2}", 0.8 + 0.04 * i as f64),
                                format!("{}", 10 + i),
                            ]
                        })
                        .collect(),
                    Some(2),
                )),
            ),
        ),
        (
            "flow",
            view(
                "flow",
                "the step, as the data flows",
                "一步的计算,按数据流向",
                ViewContent::Flow(example_flow(&sine)),
            ),
        ),
        (
            "sketch",
            view(
                "diagram",
                "the cell",
                "细胞结构",
                ViewContent::Sketch(Sketch {
                    lines: vec![
                        "c ─(×f)─(+)─┬───────▶ c'".into(),
                        "         ▲  tanh".into(),
                        "    (i×g)┘  └▶(×o)──▶ h'".into(),
                    ],
                    marked: vec!["f".into()],
                }),
            ),
        ),
    ]
}

/// Two panels of stages: gates on 0..1 (one past its end), a signed state,
/// a state with NaN, a stage still to run.
fn example_flow(sine: &dyn Fn(usize, f32) -> Vec<f32>) -> Flow {
    let stage =
        |symbol: &str, values: Vec<f32>, range: (f32, f32), current: bool, pending: bool| {
            FlowStage {
                name: Some(format!("v_{symbol}")),
                symbol: symbol.to_string(),
                label: Bilingual::owned(format!("stage {symbol}"), format!("阶段 {symbol}")),
                values,
                range,
                note: Bilingual::owned(
                    format!("what {symbol} does, said in a sentence"),
                    format!("{symbol} 的作用,用一句话说"),
                ),
                current,
                pending,
            }
        };
    let gate: Vec<f32> = sine(8, 0.5).iter().map(|v| v + 0.5).collect();
    let mut past = gate.clone();
    past[3] = 1.25;
    let mut bad = sine(8, 1.0);
    bad[5] = f32::NAN;
    Flow {
        panels: vec![
            FlowPanel {
                title: Bilingual::same("LSTM"),
                stages: vec![
                    stage("h", sine(8, 0.8), (-1.0, 1.0), false, false),
                    stage("f", gate.clone(), (0.0, 1.0), false, false),
                    stage("i", past, (0.0, 1.0), true, false),
                    stage("c'", bad, (-2.0, 2.0), false, true),
                ],
            },
            FlowPanel {
                title: Bilingual::same("GRU"),
                stages: vec![
                    stage("z", gate, (0.0, 1.0), true, false),
                    stage("h'", sine(20, 0.9), (-1.0, 1.0), false, true),
                ],
            },
        ],
    }
}

/// The kind's name as [`ViewContent`] spells it.
fn kind_name(content: &ViewContent) -> String {
    format!("{content:?}")
        .split('(')
        .next()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn there_is_an_example_of_every_kind() {
    let kinds: std::collections::BTreeSet<String> = examples()
        .iter()
        .map(|(_, v)| kind_name(&v.content))
        .collect();
    assert_eq!(kinds.len(), 17, "{kinds:?}");
}

/// `view` drawn into a `width` x `height` area: the symbols, a line per
/// row, then in colour the colours used, most used first, so that a
/// snapshot also catches a change of colour.
fn screen(view: &View, width: u16, height: u16, lang: Lang, theme: &Theme) -> String {
    let mut buf = Buffer::empty(Rect::new(0, 0, width, height));
    let ctx = DrawContext {
        lang,
        theme,
        cursor: None,
    };
    draw(view, buf.area, &mut buf, &ctx);
    let mut text: Vec<String> = (0..height)
        .map(|y| {
            // A wide character covers the cell after it: skip that one, so
            // Chinese reads as it shows.
            let mut row = String::new();
            let mut x = 0;
            while x < width {
                let symbol = buf[(x, y)].symbol();
                row.push_str(symbol);
                x += symbol.width().max(1) as u16;
            }
            row.trim_end().to_string()
        })
        .collect();
    if theme.colour {
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        for cell in buf.content() {
            if cell.fg != Color::Reset {
                *counts.entry(format!("fg {:?}", cell.fg)).or_default() += 1;
            }
            if cell.bg != Color::Reset {
                *counts.entry(format!("bg {:?}", cell.bg)).or_default() += 1;
            }
        }
        let mut counts: Vec<(String, usize)> = counts.into_iter().collect();
        counts.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        text.push("-- colours --".into());
        text.extend(counts.iter().map(|(c, n)| format!("{c}: {n}")));
    }
    text.join("\n")
}

#[test]
fn snapshots_of_every_kind_at_two_sizes_in_both_languages_with_and_without_colour() {
    for (name, view) in examples() {
        for (width, height) in [(80, 24), (120, 40)] {
            for lang in [Lang::En, Lang::Zh] {
                for theme in [Theme::coloured(), Theme::plain()] {
                    let text = screen(&view, width, height, lang, &theme);
                    let lang = if lang == Lang::En { "en" } else { "zh" };
                    let colour = if theme.colour { "colour" } else { "no_colour" };
                    insta::assert_snapshot!(
                        format!("{name}_{width}x{height}_{lang}_{colour}"),
                        text
                    );
                }
            }
        }
    }
}

/// Labels picked from a list with wide characters and long names.
fn words(n: usize, seed: usize) -> Vec<String> {
    const WORDS: [&str; 8] = [
        "a",
        "zero",
        "类别",
        "a very long class name",
        "",
        "中文很长的名字",
        "x",
        "?",
    ];
    (0..n)
        .map(|i| WORDS[(i + seed) % WORDS.len()].to_string())
        .collect()
}

/// A view of kind `kind` (0..17) made of whatever it is given, sizes and
/// lengths that need not agree included.
fn any_content(kind: usize, v: &[f32], a: usize, b: usize, range: (f32, f32)) -> ViewContent {
    let get = |i: usize| v.get(i).copied().unwrap_or(f32::NAN);
    let wide = |x: f32| f64::from(x);
    match kind {
        0 => ViewContent::Vector(Vector {
            values: v.to_vec(),
            range,
            labels: if a.is_multiple_of(3) {
                Vec::new()
            } else {
                words(b, a).into_iter().map(Bilingual::same).collect()
            },
        }),
        1 => ViewContent::Matrix(Matrix {
            rows: a,
            cols: b,
            values: v.to_vec(),
        }),
        2 => ViewContent::Pixels(Pixels {
            width: a,
            height: b,
            values: v.to_vec(),
            range,
            // Marks anywhere, beyond the picture too, with labels of any length.
            marks: (0..a % 3)
                .map(|k| crate::view::PixelMarks {
                    label: Bilingual::owned(words(b % 4, k).join(" "), "标记".to_string()),
                    tone: if k % 2 == 0 {
                        crate::view::MarkTone::Alert
                    } else {
                        crate::view::MarkTone::Focus
                    },
                    pixels: (0..b).map(|i| i * (k + 1) + a).collect(),
                })
                .collect(),
        }),
        3 => ViewContent::Gallery(Gallery {
            width: a,
            height: b,
            items: v.chunks((a * b).max(1)).map(<[f32]>::to_vec).collect(),
            marked: (b.is_multiple_of(2)).then_some(a),
            captions: words(a % 5, b),
            range,
        }),
        4 => ViewContent::series(v.iter().map(|&x| wide(x)).collect()),
        5 => ViewContent::History(History {
            rows: a,
            cols: b,
            values: v.to_vec(),
            range,
            first: 1,
        }),
        6 => ViewContent::scalar(wide(get(0))),
        7 => ViewContent::text(Bilingual::owned(
            words(a, b).join(" "),
            words(b, a).concat(),
        )),
        8 => ViewContent::equations(words(a, b), Some(b)),
        9 => ViewContent::Plot(Plot {
            curves: v
                .chunks(2 * (a % 7 + 1))
                .enumerate()
                .map(|(i, c)| Curve {
                    label: Bilingual::owned(words(1, i).concat(), words(1, i + 2).concat()),
                    points: c
                        .chunks(2)
                        .map(|p| (wide(p[0]), wide(*p.get(1).unwrap_or(&0.0))))
                        .collect(),
                })
                .collect(),
            x_label: Bilingual::new("x", "横轴"),
            y_label: Bilingual::new("y", "纵轴"),
            x_range: (a.is_multiple_of(2)).then_some((wide(range.0), wide(range.1))),
            y_range: (b.is_multiple_of(2)).then_some((wide(range.1), wide(range.0))),
            marks: vec![
                Mark {
                    axis: Axis::X,
                    value: wide(get(0)),
                    label: Bilingual::same(words(1, a).concat()),
                },
                Mark {
                    axis: Axis::Y,
                    value: wide(get(1)),
                    label: Bilingual::same(words(1, b).concat()),
                },
            ],
            now: (a.is_multiple_of(3)).then_some(wide(get(2))),
        }),
        10 => ViewContent::Plane(Plane {
            points: v
                .chunks(2)
                .enumerate()
                .map(|(i, p)| PlanePoint {
                    x: wide(p[0]),
                    y: wide(*p.get(1).unwrap_or(&f32::NAN)),
                    class: i % (a + 1),
                    highlight: i == b,
                    ring: false,
                })
                .collect(),
            classes: words(b % 4, a).into_iter().map(Bilingual::same).collect(),
            field: (a.is_multiple_of(2)).then(|| Field {
                cols: a,
                rows: b,
                values: v.to_vec(),
                range,
            }),
            lines: v
                .chunks(4)
                .map(|s| Segment {
                    from: (wide(s[0]), wide(get(1))),
                    to: (wide(*s.last().unwrap_or(&0.0)), wide(get(3))),
                    arrow: s.len() % 2 == 0,
                })
                .collect(),
            x_range: (wide(range.0), wide(range.1)),
            y_range: (wide(get(0)), wide(get(1))),
        }),
        11 => ViewContent::Histogram(Histogram {
            values: v.to_vec(),
            range: (a.is_multiple_of(2)).then_some(range),
        }),
        12 => ViewContent::Raster(Raster {
            units: a,
            spikes: v
                .chunks(b.max(1))
                .map(|c| c.iter().map(|x| (x.abs() * 7.0) as usize).collect())
                .collect(),
        }),
        13 => ViewContent::Graph(Graph {
            labels: words(a, b).into_iter().map(Bilingual::same).collect(),
            values: v.iter().copied().take(b + a).collect(),
            range,
            edges: v
                .chunks(3)
                .map(|e| {
                    (
                        (e[0].abs() * 5.0) as usize,
                        a % 7,
                        *e.last().unwrap_or(&1.0),
                    )
                })
                .collect(),
            directed: a.is_multiple_of(2),
        }),
        15 => ViewContent::Flow(Flow {
            panels: (0..a % 3)
                .map(|p| FlowPanel {
                    title: Bilingual::owned(words(1, p + b).concat(), words(1, p).concat()),
                    stages: (0..b % 9)
                        .map(|k| FlowStage {
                            name: (k % 2 == 0).then(|| format!("s{k}")),
                            symbol: words(1, k + a).concat(),
                            label: Bilingual::owned(words(1, k).concat(), words(1, k + 5).concat()),
                            values: v.iter().skip(k).copied().take(a).collect(),
                            range,
                            note: Bilingual::owned(words(2, k + b).concat(), words(3, k).concat()),
                            current: k == a % 5,
                            pending: k > b % 4,
                        })
                        .collect(),
                })
                .collect(),
        }),
        16 => ViewContent::Sketch(Sketch {
            lines: words(b % 7, a),
            marked: words(a % 3, b),
        }),
        _ => ViewContent::Table(Table::same(
            words(a % 6, b),
            (0..b).map(|r| words((r * 3 + a) % 7, r)).collect(),
            (a.is_multiple_of(2)).then_some(a),
        )),
    }
}

fn value() -> impl Strategy<Value = f32> {
    prop_oneof![
        6 => -2.0f32..2.0,
        1 => Just(f32::NAN),
        1 => Just(f32::INFINITY),
        1 => Just(f32::NEG_INFINITY),
        1 => any::<f32>(),
        1 => Just(0.0f32),
    ]
}

/// Draws `view` at (`x`, `y`) in a `width` x `height` area of a larger
/// buffer and checks everything outside is untouched, and that without
/// colour no cell has a colour.
fn check_drawing(view: &View, area: Rect, ctx: &DrawContext) {
    let theme = ctx.theme;
    let mut buf = Buffer::empty(Rect::new(0, 0, area.right() + 2, area.bottom() + 2));
    draw(view, area, &mut buf, ctx);
    for by in 0..buf.area.height {
        for bx in 0..buf.area.width {
            let cell = &buf[(bx, by)];
            if !area.contains(ratatui::layout::Position { x: bx, y: by }) {
                assert_eq!(
                    cell,
                    &Cell::default(),
                    "{} drew at ({bx}, {by}) outside {area:?}",
                    kind_name(&view.content)
                );
            }
            if !theme.colour {
                assert_eq!(
                    (cell.fg, cell.bg),
                    (Color::Reset, Color::Reset),
                    "colour at ({bx}, {by}) without colour"
                );
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(600))]

    #[test]
    fn any_kind_at_any_size_stays_inside_and_never_panics(
        kind in 0usize..17,
        values in prop::collection::vec(value(), 0..90),
        a in 0usize..40,
        b in 0usize..40,
        range in (value(), value()),
        (width, height) in (1u16..130, 1u16..45),
        (x, y) in (0u16..3, 0u16..3),
        zh in any::<bool>(),
        colour in any::<bool>(),
        cursor in prop::option::of(0usize..100),
    ) {
        let view = View::new("v", Bilingual::new("view", "视图"), any_content(kind, &values, a, b, range));
        let theme = if colour { Theme::coloured() } else { Theme::plain() };
        let lang = if zh { Lang::Zh } else { Lang::En };
        let ctx = DrawContext { lang, theme: &theme, cursor };
        check_drawing(&view, Rect::new(x, y, width, height), &ctx);

        let hs = heights(&view, width, colour);
        prop_assert!(!hs.is_empty() && hs.iter().all(|&h| h >= 1), "{hs:?}");
        prop_assert!(hs.windows(2).all(|w| w[0] > w[1]), "{hs:?}");
        // Drawn at each height it offers, in its own width.
        for &h in hs.iter().filter(|&&h| h <= 60) {
            check_drawing(&view, Rect::new(1, 1, width, h), &ctx);
        }

        if let Some(json) = view.to_json() {
            prop_assert!(serde_json::to_string(&json).is_ok());
        }
        let _ = view.content.kind().has_non_finite();
        let _ = view.content.kind().figure(width, height);
    }
}

#[test]
fn every_example_stays_inside_at_every_small_size() {
    for (_, view) in examples() {
        for w in 1..16 {
            for h in 1..8 {
                for theme in [Theme::coloured(), Theme::plain()] {
                    let ctx = DrawContext {
                        lang: Lang::Zh,
                        theme: &theme,
                        cursor: Some(3),
                    };
                    check_drawing(&view, Rect::new(1, 1, w, h), &ctx);
                }
            }
        }
    }
}
