//! The energy labs beyond their snapshots: the Markov chain's graph shows
//! which way each transition goes, with its probability on its own side,
//! at the sizes a person uses; and the Boltzmann machine's 4-2-4 encoder
//! is judged the way Ackley, Hinton and Sejnowski judged it.

use nnzoo::catalogue::Catalogue;
use nnzoo::model::{self, Model, View, ViewContent};
use nnzoo::text::{Bilingual, Lang};
use nnzoo::tui::lab::Lab;
use nnzoo::tui::theme::Theme;
use nnzoo::view::{DrawContext, Graph};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::Rect;

const HEADS: [char; 8] = ['→', '↗', '↑', '↖', '←', '↙', '↓', '↘'];

/// The view drawn alone, `width` x `height`, without colour: one string per row.
fn draw(view: &View, width: u16, height: u16) -> Vec<String> {
    let mut buf = Buffer::empty(Rect::new(0, 0, width, height));
    let theme = Theme::plain();
    let ctx = DrawContext {
        lang: Lang::En,
        theme: &theme,
        cursor: None,
    };
    nnzoo::view::draw(view, buf.area, &mut buf, &ctx);
    (0..height)
        .map(|y| {
            let mut row = String::new();
            let mut skip = 0;
            for x in 0..width {
                if skip > 0 {
                    skip -= 1;
                    continue;
                }
                let symbol = buf[(x, y)].symbol();
                skip = unicode_width::UnicodeWidthStr::width(symbol).saturating_sub(1);
                row.push_str(symbol);
            }
            row
        })
        .collect()
}

fn model_of(key: &str, assignments: &[&str]) -> Box<dyn Model> {
    let spec = model::find(key).expect("registered");
    let mut params = spec.default_params();
    for a in assignments {
        params.assign(a).expect("the model takes the parameter");
    }
    (spec.build)(&params, 42).expect("builds")
}

fn view_named(model: &dyn Model, name: &str) -> View {
    model
        .views()
        .into_iter()
        .find(|v| v.name == name)
        .unwrap_or_else(|| panic!("no view {name}"))
}

fn count(rows: &[String], needle: &str) -> usize {
    rows.iter().map(|r| r.matches(needle).count()).sum()
}

/// Where `needle` first appears: (column in characters, row).
fn find(rows: &[String], needle: char) -> Option<(usize, usize)> {
    rows.iter()
        .enumerate()
        .find_map(|(y, r)| r.chars().position(|c| c == needle).map(|x| (x, y)))
}

/// The weather chain (P = [.7 .2 .1; .3 .4 .3; .2 .3 .5]): every one of its
/// six transitions between states is drawn with an arrowhead and its
/// probability, and each state's chance of staying put beside it, so the
/// chain can be read from the graph alone.
#[test]
fn the_weather_chain_can_be_read_from_its_graph() {
    let chain = model_of("markov_chain", &[]);
    let graph = view_named(chain.as_ref(), "graph");
    let ViewContent::Graph(g) = &graph.content else {
        panic!("the chain's graph is a graph")
    };
    assert!(g.directed);
    let rows = draw(&graph, 60, 24);
    let text = rows.join("\n");
    // Sunny at the top, cloudy below right, rainy below left: the pairs of
    // lanes run ↘/↖, ←/→ and ↗/↙.
    for head in HEADS.iter().filter(|h| !matches!(h, '↑' | '↓')) {
        assert!(text.contains(*head), "no {head}:\n{text}");
    }
    assert_eq!(count(&rows, "↻.70"), 1, "{text}");
    assert_eq!(count(&rows, "↻.40"), 1, "{text}");
    assert_eq!(count(&rows, "↻.50"), 1, "{text}");
    assert_eq!(count(&rows, ".10"), 1, "{text}");
    assert_eq!(count(&rows, ".20"), 2, "{text}");
    assert_eq!(count(&rows, ".30"), 3, "{text}");
}

/// Two states, A on top and B below, with P(A→B) = .9 and P(B→A) = .1:
/// the two directions run apart, A→B on its right-hand side (the left of
/// the screen, going down) and B→A on the other, each probability beside
/// its own arrow.
#[test]
fn the_two_directions_run_apart_each_with_its_own_probability() {
    let view = View::new(
        "graph",
        nnzoo::text::Bilingual::new("two states", "两个状态"),
        ViewContent::Graph(Graph {
            labels: vec![Bilingual::same("A"), Bilingual::same("B")],
            values: vec![0.5, 0.5],
            range: (0.0, 1.0),
            edges: vec![(0, 0, 0.1), (0, 1, 0.9), (1, 0, 0.1), (1, 1, 0.9)],
            directed: true,
        }),
    );
    let rows = draw(&view, 30, 16);
    let text = rows.join("\n");
    let down = find(&rows, '↓').unwrap_or_else(|| panic!("no ↓:\n{text}"));
    let up = find(&rows, '↑').unwrap_or_else(|| panic!("no ↑:\n{text}"));
    assert!(down.0 < up.0, "A→B left of B→A:\n{text}");
    // Down is near B (below), up near A (above).
    assert!(down.1 > up.1, "each head near its target:\n{text}");
    let (nine_row, nine) = rows
        .iter()
        .enumerate()
        .find_map(|(y, r)| {
            r.find(".90")
                .filter(|_| !r.contains("↻.90"))
                .map(|x| (y, r[..x].chars().count()))
        })
        .unwrap_or_else(|| panic!("no .90 by its edge:\n{text}"));
    let (one_row, one) = rows
        .iter()
        .enumerate()
        .find_map(|(y, r)| {
            r.find(".10")
                .filter(|_| !r.contains("↻.10"))
                .map(|x| (y, r[..x].chars().count()))
        })
        .unwrap_or_else(|| panic!("no .10 by its edge:\n{text}"));
    assert!(nine < down.0 && one > up.0, "outside their lanes:\n{text}");
    assert!(nine_row > 0 && one_row > 0);
    assert_eq!(count(&rows, "↻.10"), 1, "A stays with .1:\n{text}");
    assert_eq!(count(&rows, "↻.90"), 1, "B stays with .9:\n{text}");
}

/// An undirected graph (the Boltzmann machine's symmetric weights) has no
/// arrowheads and no weights written on it.
#[test]
fn a_symmetric_network_has_no_arrowheads() {
    let bm = model_of("boltzmann_machine", &[]);
    let graph = view_named(bm.as_ref(), "units");
    let ViewContent::Graph(g) = &graph.content else {
        panic!("the units are a graph")
    };
    assert!(!g.directed);
    let text = draw(&graph, 60, 24).join("\n");
    assert!(!text.chars().any(|c| HEADS.contains(&c)), "{text}");
}

fn open(entry_id: &str) -> Lab {
    let catalogue = Catalogue::builtin();
    let entry = catalogue.get(entry_id).expect("entry in the catalogue");
    let spec = model::find(&entry.model).expect("a runnable entry has a model");
    Lab::open(entry, spec, 42).expect("the model builds at its defaults")
}

fn lab_screen(lab: &mut Lab, width: u16, height: u16, lang: Lang) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    terminal
        .draw(|frame| lab.render(frame.area(), frame.buffer_mut(), lang, &Theme::plain()))
        .expect("draw");
    terminal.backend().to_string()
}

/// In the lab, at 80x24 and at 120x40, in English and in Chinese, the
/// chain's graph is drawn as a graph (its states on different rows, its
/// arrowheads and its probabilities), not squeezed to a row of numbers.
#[test]
fn the_markov_lab_draws_its_graph_at_both_sizes_in_both_languages() {
    for (w, h) in [(80, 24), (120, 40)] {
        for lang in [Lang::En, Lang::Zh] {
            let mut lab = open("markov-chain");
            lab.handle_key(KeyEvent::new(KeyCode::Char('n'), KeyModifiers::NONE));
            let screen = lab_screen(&mut lab, w, h, lang);
            let row_of = |name: &str| screen.lines().position(|l| l.contains(name));
            let names = match lang {
                Lang::Zh => ("晴", "多云"),
                _ => ("sunny", "cloudy"),
            };
            let (sunny, cloudy) = (row_of(names.0), row_of(names.1));
            assert!(
                sunny.is_some() && cloudy.is_some() && sunny < cloudy,
                "{w}x{h} {lang:?}:\n{screen}"
            );
            for needle in ["↻.70", "←", "→"] {
                assert!(
                    screen.contains(needle),
                    "{needle} at {w}x{h} {lang:?}:\n{screen}"
                );
            }
        }
    }
}
