//! The GAN's drawn data set and its plane at 80x24, and the DCIGN's
//! experiment on a short setting.
//!
//! A click on a plane reaches the model in the plane's own coordinates:
//! the tests find the plot on the rendered screen, click known cells and
//! read back, from the GAN's status line, the point the model received,
//! against where the cell lies on the axes. Dragging adds a point per cell,
//! `b` takes them back one by one and `c` clears them; the generator then
//! learns to put its samples on the drawn points.

#[path = "support/lab_screen.rs"]
mod lab_screen;

use lab_screen::{SEED, lab_with, open, press, screen, snapshots};
use nnzoo::experiment;
use nnzoo::model::{self, Model, ViewContent};
use nnzoo::text::Lang;
use nnzoo::tui::lab::{Lab, LabOutcome};
use nnzoo::tui::theme::Theme;
use nnzoo::view::{self, DrawContext, Plane, PlanePoint, View};
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{KeyModifiers, MouseButton, MouseEvent, MouseEventKind};
use ratatui::layout::Rect;

fn mouse(lab: &mut Lab, kind: MouseEventKind, column: u16, row: u16) -> LabOutcome {
    lab.handle_mouse(MouseEvent {
        kind,
        column,
        row,
        modifiers: KeyModifiers::NONE,
    })
}

fn click(lab: &mut Lab, column: u16, row: u16) -> LabOutcome {
    let down = mouse(lab, MouseEventKind::Down(MouseButton::Left), column, row);
    mouse(lab, MouseEventKind::Up(MouseButton::Left), column, row);
    down
}

fn render(lab: &mut Lab, width: u16, height: u16, lang: Lang) -> Buffer {
    let mut buf = Buffer::empty(Rect::new(0, 0, width, height));
    lab.render(buf.area, &mut buf, lang, &Theme::plain());
    buf
}

fn row_text(buf: &Buffer, y: u16) -> String {
    (0..buf.area.width)
        .map(|x| buf[(x, y)].symbol().to_string())
        .collect()
}

/// Where `needle` starts on screen, in cells.
fn find(buf: &Buffer, needle: &str) -> Option<(u16, u16)> {
    (0..buf.area.height).find_map(|y| {
        let row = row_text(buf, y);
        row.find(needle)
            .map(|i| (row[..i].chars().count() as u16, y))
    })
}

/// The cells the drawn GAN's plot covers: (left, top, right, bottom),
/// found from its title, its y axis and its x axis on the screen.
fn plot_cells(buf: &Buffer) -> (u16, u16, u16, u16) {
    let (x0, y0) = find(buf, "click or drag here").expect("the plane's title on screen");
    // Title, legend, then the plot's first row with the y axis's `┤`.
    let top = y0 + 2;
    let axis = (x0..buf.area.width)
        .find(|&x| matches!(buf[(x, top)].symbol(), "┤" | "│"))
        .expect("the y axis");
    let corner = (top..buf.area.height)
        .find(|&y| buf[(axis, y)].symbol() == "└")
        .expect("the axes' corner");
    let right = (axis + 1..buf.area.width)
        .take_while(|&x| matches!(buf[(x, corner)].symbol(), "─" | "┬"))
        .last()
        .expect("the x axis");
    (axis + 1, top, right, corner - 1)
}

/// The point at cell (`col`, `row`) of the drawn GAN's plot, both axes
/// running from −2 to 2.
fn expected_point(cells: (u16, u16, u16, u16), col: u16, row: u16) -> (f64, f64) {
    let (left, top, right, bottom) = cells;
    let tx = f64::from(col - left) / f64::from(right - left);
    let ty = f64::from(row - top) / f64::from(bottom - top);
    (-2.0 + 4.0 * tx, 2.0 - 4.0 * ty)
}

/// The status line (the row above the footer).
fn status(lab: &mut Lab, width: u16, height: u16) -> String {
    let buf = render(lab, width, height, Lang::En);
    row_text(&buf, height - 2)
}

/// The last drawn point as the GAN's status line gives it.
fn last_point(status: &str) -> (f64, f64) {
    let start = status.find("the last at (").expect(status) + "the last at (".len();
    let end = start + status[start..].find(')').expect(status);
    let mut parts = status[start..end].split(", ");
    let x = parts.next().unwrap().parse().unwrap();
    let y = parts.next().unwrap().parse().unwrap();
    (x, y)
}

#[test]
fn a_click_lands_at_the_point_of_the_plane_under_it() {
    for (width, height) in [(80, 24), (120, 40)] {
        let mut lab = open("gan", &["data=drawn"], 1);
        let buf = render(&mut lab, width, height, Lang::En);
        let cells = plot_cells(&buf);
        let (left, top, right, bottom) = cells;
        assert!(
            right - left >= 20 && bottom - top >= 8,
            "{width}x{height}: the plot is {}x{} cells",
            right - left + 1,
            bottom - top + 1
        );
        // The corners are the ends of the axes.
        assert_eq!(click(&mut lab, left, top), LabOutcome::Consumed);
        let line = status(&mut lab, width, height);
        assert!(line.contains("1 point drawn"), "{line}");
        assert_eq!(last_point(&line), (-2.0, 2.0), "{line}");
        click(&mut lab, right, bottom);
        assert_eq!(last_point(&status(&mut lab, width, height)), (2.0, -2.0));
        // A cell inside: the point received is the one the cell shows,
        // and the point is drawn in that very cell.
        let (col, row) = (left + (right - left) / 3, top + (bottom - top) * 3 / 4);
        click(&mut lab, col, row);
        let line = status(&mut lab, width, height);
        assert!(line.contains("3 points drawn"), "{line}");
        let (x, y) = last_point(&line);
        let (ex, ey) = expected_point(cells, col, row);
        assert!(
            (x - ex).abs() <= 0.005 && (y - ey).abs() <= 0.005,
            "{width}x{height}: cell ({col}, {row}) gave ({x}, {y}), expected ({ex:.3}, {ey:.3})"
        );
        let buf = render(&mut lab, width, height, Lang::En);
        assert_eq!(
            buf[(col, row)].symbol(),
            "o",
            "the drawn point sits where it was clicked"
        );
        // Off the plot (on the y axis, on the legend) nothing is added.
        click(&mut lab, left - 1, row);
        click(&mut lab, left, top - 1);
        assert!(status(&mut lab, width, height).contains("3 points drawn"));
    }
}

#[test]
fn dragging_adds_a_point_per_cell_and_they_step_back_one_by_one() {
    let (width, height) = (80, 24);
    let mut lab = open("gan", &["data=drawn"], 1);
    let buf = render(&mut lab, width, height, Lang::En);
    let (left, top, _, _) = plot_cells(&buf);
    let (col, row) = (left + 4, top + 3);
    mouse(&mut lab, MouseEventKind::Down(MouseButton::Left), col, row);
    for k in 1..=4 {
        let outcome = mouse(
            &mut lab,
            MouseEventKind::Drag(MouseButton::Left),
            col + k,
            row + k / 2,
        );
        assert_eq!(outcome, LabOutcome::Consumed);
    }
    mouse(
        &mut lab,
        MouseEventKind::Up(MouseButton::Left),
        col + 4,
        row + 2,
    );
    assert!(status(&mut lab, width, height).contains("5 points drawn"));
    // Moving without the button adds nothing.
    mouse(
        &mut lab,
        MouseEventKind::Drag(MouseButton::Left),
        col + 6,
        row,
    );
    assert!(status(&mut lab, width, height).contains("5 points drawn"));
    press(&mut lab, "b");
    assert!(status(&mut lab, width, height).contains("4 points drawn"));
    press(&mut lab, "c");
    let line = status(&mut lab, width, height);
    assert!(line.contains("no real points yet"), "{line}");
    press(&mut lab, "b");
    assert!(status(&mut lab, width, height).contains("4 points drawn"));
    // The help says how.
    assert!(
        lab.key_help()
            .iter()
            .any(|h| h.label.en.contains("click or drag the mouse")
                && h.label.zh.contains("点击或拖动鼠标"))
    );
    assert!(
        lab.key_help()
            .iter()
            .any(|h| h.keys == "c" && h.label.en == "clear the drawn points")
    );
}

#[test]
fn on_the_ring_a_click_adds_nothing() {
    let (width, height) = (80, 24);
    let mut lab = open("gan", &[], 1);
    let before = render(&mut lab, width, height, Lang::En);
    let (x, y) = find(&before, "D(x) as the background").expect("the plane's title");
    assert_eq!(click(&mut lab, x + 10, y + 6), LabOutcome::Ignored);
    assert_eq!(render(&mut lab, width, height, Lang::En), before);
    assert!(
        !lab.key_help()
            .iter()
            .any(|h| h.label.en.contains("click or drag"))
    );
}

fn gan(data: &str) -> Box<dyn Model> {
    let spec = model::find("gan").unwrap();
    let mut params = spec.default_params();
    params.set("data", data).unwrap();
    (spec.build)(&params, 1).unwrap()
}

#[test]
fn with_nothing_drawn_the_gan_rests_and_says_how_to_draw() {
    let mut m = gan("drawn");
    assert!(m.at_rest());
    m.step();
    m.stage();
    assert_eq!(m.steps_done(), 0);
    let status = m.status().unwrap();
    assert!(
        status
            .text
            .en
            .contains("click or drag the mouse on the plane")
    );
    assert!(status.text.zh.contains("拖动鼠标"));
    assert!(m.act("clear").is_ok());
    // Off the plane, or another view: refused with what is wrong.
    let off = m.point("plane", 2.5, 0.0).unwrap_err().message();
    assert!(
        off.en.contains("off the plane") && off.en.contains("−2 to 2"),
        "{}",
        off.en
    );
    let other = m.point("losses", 0.0, 0.0).unwrap_err().message();
    assert!(
        other.en.contains("`losses` takes no points"),
        "{}",
        other.en
    );
    m.point("plane", 0.5, -0.5).unwrap();
    assert!(!m.at_rest());
    m.step();
    assert_eq!(m.steps_done(), 1);
    // The ring has its own points: clicks and clearing are refused.
    let mut ring = gan("ring");
    let refused = ring.point("plane", 0.0, 0.0).unwrap_err().message();
    assert!(refused.en.contains("data = drawn"), "{}", refused.en);
    assert!(refused.zh.contains("data = drawn"));
    assert!(ring.act("clear").is_err());
    assert!(!ring.actions().iter().any(|a| a.name == "clear"));
}

/// The generated points G(z) the plane shows.
fn generated(m: &dyn Model) -> Vec<(f64, f64)> {
    let views = m.views();
    let plane = views.iter().find(|v| v.name == "plane").unwrap();
    let ViewContent::Plane(plane) = &plane.content else {
        panic!("the plane is a plane");
    };
    plane
        .points
        .iter()
        .filter(|p| p.class == 1)
        .map(|p| (p.x, p.y))
        .collect()
}

#[test]
fn the_generator_learns_the_drawn_points() {
    let mut m = gan("drawn");
    // A short stroke around (1, −1), away from where G starts (near 0).
    for k in 0..12 {
        let t = k as f64 / 11.0;
        m.point("plane", 0.8 + 0.4 * t, -1.0 + 0.1 * (t - 0.5))
            .unwrap();
    }
    let near = |points: &[(f64, f64)]| {
        points
            .iter()
            .filter(|(x, y)| (x - 1.0).hypot(y + 1.0) < 0.4)
            .count() as f64
            / points.len() as f64
    };
    let before = near(&generated(m.as_ref()));
    for _ in 0..600 {
        m.step();
    }
    let after = near(&generated(m.as_ref()));
    assert!(before < 0.05, "untrained: {before}");
    assert!(after > 0.8, "after 600 iterations: {after}");
}

#[test]
fn a_planes_point_at_is_where_a_point_there_is_drawn() {
    let plane = |points: Vec<PlanePoint>| {
        View::new(
            "plane",
            nnzoo::text::Bilingual::new("p", "p"),
            ViewContent::Plane(Plane {
                points,
                classes: vec![nnzoo::text::Bilingual::new("a", "a")],
                field: None,
                lines: Vec::new(),
                x_range: (-3.0, 1.0),
                y_range: (0.5, 2.5),
            }),
        )
    };
    let empty = plane(Vec::new());
    let ViewContent::Plane(shape) = &empty.content else {
        unreachable!()
    };
    let area = Rect::new(3, 2, 40, 14);
    let body = Rect::new(3, 3, 40, 13);
    let theme = Theme::plain();
    let ctx = DrawContext {
        lang: Lang::En,
        theme: &theme,
        cursor: None,
    };
    let mut hits = 0;
    for row in 0..16 {
        for col in 0..44 {
            let Some((x, y)) = shape.point_at(body, col, row) else {
                continue;
            };
            hits += 1;
            assert!((-3.0..=1.0).contains(&x) && (0.5..=2.5).contains(&y));
            let one = plane(vec![PlanePoint {
                x,
                y,
                class: 0,
                highlight: false,
                ring: false,
            }]);
            let mut buf = Buffer::empty(Rect::new(0, 0, 50, 20));
            view::draw(&one, area, &mut buf, &ctx);
            assert_eq!(
                buf[(col, row)].symbol(),
                "o",
                "cell ({col}, {row}) → ({x}, {y})"
            );
        }
    }
    // The plot, not the legend or the axes: fewer cells than the area.
    assert!(hits > 300 && hits < 40 * 13, "{hits}");
    assert_eq!(shape.point_at(body, 3, 3), None, "the legend row");
}

#[test]
fn dcign_digits_on_two_short_epochs_measures_both_networks_alike() {
    let e = experiment::find("dcign-digits").unwrap();
    let mut settings = e.default_settings();
    for (k, v) in [
        ("epochs", "2"),
        ("maps", "2"),
        ("hidden", "32"),
        ("latent", "2"),
        ("batch", "32"),
        ("lr", "0.01"),
    ] {
        settings.set(k, v).unwrap();
    }
    let report = (e.run)(&settings, 2, &mut nnzoo::work::unwatched).unwrap();
    let series = |name: &str| {
        report
            .series
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, s)| s.clone())
            .unwrap()
    };
    let (dcign, vae) = (series("dcign_test_neg_elbo"), series("vae_test_neg_elbo"));
    assert_eq!((dcign.len(), vae.len()), (2, 2));
    // Both learn: below the untrained ln 2 a pixel, and the second epoch
    // below the first.
    for s in [&dcign, &vae] {
        assert!(s[0] < 0.8 * 784.0 * 2f64.ln(), "{s:?}");
        assert!(s[1] < s[0], "{s:?}");
    }
    let metric = |name| report.metric(name).unwrap();
    assert_eq!(metric("dcign_last_test_neg_elbo"), dcign[1]);
    assert_eq!(metric("vae_last_test_neg_elbo"), vae[1]);
    assert_eq!(metric("dcign_over_vae"), dcign[1] / vae[1]);
    assert_eq!(metric("dcign_last_over_first"), dcign[1] / dcign[0]);
    // The verdict follows the two claims.
    let holds = dcign[1] / dcign[0] <= 0.8 && dcign[1] / vae[1] <= 1.0;
    assert_eq!(report.verdict(), if holds { "pass" } else { "fail" });
}

/// The GAN's lab on drawn data with the seed 42: two strokes dragged
/// across its plane as drawn at `width` x `height`, then 60 iterations and
/// a discriminator step.
fn snapshot_lab(width: u16, height: u16) -> Lab {
    let mut lab = open("gan", &["data=drawn"], SEED);
    let buf = render(&mut lab, width, height, Lang::En);
    let (left, top, right, bottom) = plot_cells(&buf);
    // Two strokes: one along the top left, one down the right.
    let (w, h) = (right - left, bottom - top);
    let strokes = [
        ((left + w / 6, top + h / 4), (1u16, 0u16), w / 3),
        ((left + w * 3 / 4, top + h / 5), (0, 1), h * 3 / 5),
    ];
    for ((col, row), (dx, dy), length) in strokes {
        mouse(&mut lab, MouseEventKind::Down(MouseButton::Left), col, row);
        for k in 1..=length {
            mouse(
                &mut lab,
                MouseEventKind::Drag(MouseButton::Left),
                col + dx * k,
                row + dy * k,
            );
        }
        mouse(&mut lab, MouseEventKind::Up(MouseButton::Left), col, row);
    }
    press(&mut lab, &"n".repeat(60));
    press(&mut lab, "m");
    lab
}

snapshots! {
    gan_drawn_80x24_english: snapshot_lab(80, 24), 80 x 24, Lang::En;
    gan_drawn_80x24_chinese: snapshot_lab(80, 24), 80 x 24, Lang::Zh;
    gan_drawn_120x40_english: snapshot_lab(120, 40), 120 x 40, Lang::En;
    gan_drawn_120x40_chinese: snapshot_lab(120, 40), 120 x 40, Lang::Zh;
}

/// The pictures of the gallery `name`.
fn gallery(m: &dyn Model, name: &str) -> Vec<Vec<f32>> {
    let views = m.views();
    let view = views.iter().find(|v| v.name == name).unwrap();
    let ViewContent::Gallery(gallery) = &view.content else {
        panic!("{name} is a gallery");
    };
    assert_eq!((gallery.width, gallery.height), (8, 8));
    gallery.items.clone()
}

/// The mean over pictures of each picture's spread of grey levels.
fn contrast(pictures: &[Vec<f32>]) -> f64 {
    let spread = |p: &Vec<f32>| {
        let mean = p.iter().map(|&v| f64::from(v)).sum::<f64>() / p.len() as f64;
        (p.iter()
            .map(|&v| (f64::from(v) - mean).powi(2))
            .sum::<f64>()
            / p.len() as f64)
            .sqrt()
    };
    pictures.iter().map(spread).sum::<f64>() / pictures.len() as f64
}

#[test]
fn on_the_digits_the_generator_learns_pictures_with_strokes() {
    let spec = model::find("gan").unwrap();
    let mut params = spec.default_params();
    for a in ["data=digits", "hidden=32", "batch=32", "noise=4"] {
        params.assign(a).unwrap();
    }
    let mut m = (spec.build)(&params, 1).unwrap();
    assert!(m.views().iter().all(|v| v.name != "plane"));
    let real = gallery(m.as_ref(), "real");
    let before = gallery(m.as_ref(), "samples");
    assert_eq!((real.len(), before.len()), (16, 16));
    for _ in 0..400 {
        m.step();
    }
    let after = gallery(m.as_ref(), "samples");
    let (r, b, a) = (contrast(&real), contrast(&before), contrast(&after));
    eprintln!("contrast: real {r:.3}, untrained {b:.3}, after 400 iterations {a:.3}");
    // Untrained, G's pixels sit near σ(0) = ½, flat grey; the digits are
    // strokes on a dark ground, and G's samples come to look like them.
    assert!(b < 0.1 && r > 0.3, "{b} {r}");
    assert!(a > 0.6 * r, "{a} against the digits' {r}");
}

fn digits_lab() -> Lab {
    lab_with("gan", &["data=digits"], &("n".repeat(60) + "m"))
}

#[test]
fn gan_digits_80x24_english() {
    insta::assert_snapshot!(screen(&mut digits_lab(), 80, 24, Lang::En));
}

#[test]
fn gan_digits_120x40_chinese() {
    insta::assert_snapshot!(screen(&mut digits_lab(), 120, 40, Lang::Zh));
}
