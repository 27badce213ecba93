use super::paint::format_value;
use super::*;
use crate::text::Bilingual;
use crate::tui::theme::Theme;
use ratatui::buffer::Cell;
use ratatui::style::Color;
use unicode_width::UnicodeWidthStr;

fn plain() -> Theme {
    Theme::plain()
}

fn row(buf: &Buffer, y: u16) -> String {
    (buf.area.x..buf.area.right())
        .map(|x| buf[(x, y)].symbol().to_string())
        .collect()
}

fn render(view: &View, width: u16, height: u16, theme: &Theme) -> Buffer {
    let mut buf = Buffer::empty(Rect::new(0, 0, width, height));
    let ctx = DrawContext {
        lang: Lang::En,
        theme,
        cursor: None,
    };
    draw(view, buf.area, &mut buf, &ctx);
    buf
}

fn vector(values: Vec<f32>, range: (f32, f32)) -> View {
    View::new(
        "v",
        Bilingual::new("v", "v"),
        ViewContent::vector(values, range),
    )
}

#[test]
fn values_carry_their_sign_and_fit_six_columns() {
    assert_eq!(format_value(0.5), "+0.500");
    assert_eq!(format_value(-0.5), "-0.500");
    assert_eq!(format_value(-12.345), "-12.35");
    assert_eq!(format_value(123.46), "+123.5");
    assert_eq!(format_value(1e30), "+1e30");
    assert_eq!(format_value(f32::NAN), "NaN");
    assert_eq!(format_value(f32::INFINITY), "+inf");
    assert_eq!(format_value(f32::NEG_INFINITY), "-inf");
    for v in [
        0.0, 9.9996, 99.996, 999.96, 99_999.6, -1e-20, 3.4e38, -3.4e38,
    ] {
        assert!(format_value(v).width() <= 6, "{v} -> {}", format_value(v));
    }
}

#[test]
fn bars_grow_from_zero_by_half_cells() {
    let theme = plain();
    let ctx = DrawContext {
        lang: Lang::En,
        theme: &theme,
        cursor: None,
    };
    let bar = |v: f32, range: (f32, f32)| {
        let mut buf = Buffer::empty(Rect::new(0, 0, 10, 1));
        vector::draw_bar(v, range, buf.area, &mut buf, &ctx);
        row(&buf, 0)
    };
    assert_eq!(bar(0.0, (-1.0, 1.0)), "     │    ");
    assert_eq!(bar(1.0, (-1.0, 1.0)), "     █████");
    assert_eq!(bar(-1.0, (-1.0, 1.0)), "█████│    ");
    assert_eq!(bar(0.5, (-1.0, 1.0)), "     ██▌  ");
    assert_eq!(bar(-0.5, (-1.0, 1.0)), "  ▐██│    ");
    // Past the range: the bar is full and its end marked, never a silent clip.
    assert_eq!(bar(7.0, (-1.0, 1.0)), "     ████▶");
    assert_eq!(bar(-3.0, (-1.0, 1.0)), "◀████│    ");
    assert_eq!(bar(1.5, (0.0, 1.0)), "█████████▶");
    // A gate in (0, 1) grows from the left edge.
    assert_eq!(bar(0.5, (0.0, 1.0)), "█████     ");
    assert_eq!(bar(f32::NAN, (0.0, 1.0)), "??????????");
}

#[test]
fn a_vector_shows_bars_and_signed_values_in_rows() {
    let view = vector(vec![0.5, -1.0, 0.0], (-1.0, 1.0));
    let buf = render(&view, 24, 4, &plain());
    assert_eq!(row(&buf, 0), "v [3]                   ");
    assert_eq!(row(&buf, 1), "0        ███▌     +0.500");
    assert_eq!(row(&buf, 2), "1 ███████│        -1.000");
    assert_eq!(row(&buf, 3), "2        │        +0.000");
}

#[test]
fn a_long_vector_falls_back_to_numbers_then_bands() {
    let values: Vec<f32> = (0..40).map(|i| (i as f32 / 10.0).sin()).collect();
    let view = vector(values, (-1.0, 1.0));
    let hs = heights(&view, 30, false);
    assert!(hs.windows(2).all(|w| w[0] > w[1]), "{hs:?}");
    assert_eq!(hs[0], 41, "one row per value first");
    // Numbers: 4 to a row of 30 columns.
    let numbers = render(&view, 30, 11, &plain());
    assert_eq!(&row(&numbers, 1)[..27], "+0.000 +0.100 +0.199 +0.296");
    // Bands: positive up in the first row, negative down in the second.
    let bands = render(&view, 40, 4, &plain());
    let up = row(&bands, 1);
    let down = row(&bands, 2);
    assert!(up.starts_with(" ▁▂▂▃▄▅▅▆▆"), "{up}");
    assert!(down.trim_start().starts_with('▔'), "{down}");
    assert!(
        row(&bands, 3).starts_with("min -0.688 max +1.000"),
        "{}",
        row(&bands, 3)
    );
}

#[test]
fn nan_and_infinity_are_shown_as_such() {
    let view = vector(vec![f32::NAN, f32::INFINITY], (-1.0, 1.0));
    let buf = render(&view, 24, 3, &Theme::coloured());
    assert!(row(&buf, 1).ends_with("   NaN"));
    assert!(row(&buf, 2).ends_with("  +inf"));
    assert_eq!(buf[(23, 1)].fg, Color::Magenta);
    assert_eq!(buf[(23, 2)].fg, Color::Magenta);
    // Without colour they still stand out.
    let buf = render(&view, 24, 3, &plain());
    assert!(buf[(23, 1)].modifier.contains(Modifier::REVERSED));

    let series = View::new(
        "e",
        Bilingual::new("energy", "能量"),
        ViewContent::series(vec![1.0, 2.0, f64::NAN, 3.0]),
    );
    let buf = render(&series, 60, 3, &plain());
    assert!(row(&buf, 0).contains("NaN at 2"), "{}", row(&buf, 0));
    assert_eq!(buf[(2, 2)].symbol(), "!");

    let scalar = View::new(
        "s",
        Bilingual::new("energy", "能量"),
        ViewContent::scalar(f64::NEG_INFINITY),
    );
    assert_eq!(row(&render(&scalar, 14, 1, &plain()), 0), "energy  -inf  ");
}

#[test]
fn pixels_are_half_blocks_with_and_without_colour() {
    // 2 x 2: on off / off on.
    let view = View::new(
        "p",
        Bilingual::new("p", "p"),
        ViewContent::Pixels(Pixels {
            width: 2,
            height: 2,
            values: vec![1.0, -1.0, -1.0, 1.0],
            range: (-1.0, 1.0),
            marks: Vec::new(),
        }),
    );
    // Two columns and one row: one pixel per half-cell.
    let buf = render(&view, 2, 2, &plain());
    assert_eq!(row(&buf, 1), "▀▄");
    let buf = render(&view, 2, 2, &Theme::coloured());
    assert_eq!(row(&buf, 1), "▀▀");
    assert_eq!(buf[(0, 1)].fg, Color::Indexed(255));
    assert_eq!(buf[(0, 1)].bg, Color::Indexed(237));
    assert_eq!(buf[(1, 1)].fg, Color::Indexed(237));
    assert_eq!(buf[(1, 1)].bg, Color::Indexed(255));
    // With room, pixels are scaled up and stay square (2 columns x 1 row at scale 2).
    let buf = render(&view, 4, 3, &plain());
    assert_eq!(row(&buf, 1), "██  ");
    assert_eq!(row(&buf, 2), "  ██");
}

#[test]
fn large_pictures_shrink_and_clicks_find_their_pixel() {
    let g = pixel_geometry(128, 128, 40, 20);
    assert!(g.shrink > 1);
    let (w, h) = g.size(128, 128);
    assert!(w <= 40 && h <= 20, "{w}x{h}");
    // At scale 2 a cell is exactly one pixel.
    let body = Rect::new(10, 5, 4, 2);
    assert_eq!(pixel_geometry(2, 2, 4, 2).scale, 2);
    let mut picture = Pixels {
        width: 2,
        height: 2,
        values: vec![1.0, -1.0, -1.0, 1.0],
        range: (-1.0, 1.0),
        marks: Vec::new(),
    };
    assert_eq!(picture.pixel_at(body, 10, 5), Some(0));
    assert_eq!(picture.pixel_at(body, 13, 5), Some(1));
    assert_eq!(picture.pixel_at(body, 12, 6), Some(3));
    assert_eq!(picture.pixel_at(body, 14, 6), None);
    assert_eq!(picture.pixel_at(body, 9, 5), None);
    // With marks, a row is kept for their legend: the picture is drawn in
    // the rows above it, and clicks find pixels the same way.
    picture.marks.push(PixelMarks {
        label: Bilingual::new("odd", "奇"),
        tone: MarkTone::Alert,
        pixels: vec![1],
    });
    let body = Rect::new(10, 5, 4, 3);
    assert_eq!(picture.pixel_at(body, 13, 5), Some(1));
    assert_eq!(picture.pixel_at(body, 12, 6), Some(3));
}

#[test]
fn marked_pixels_stand_out_and_their_legend_says_what_they_are() {
    let view = View::new(
        "p",
        Bilingual::new("p", "p"),
        ViewContent::Pixels(Pixels {
            width: 2,
            height: 2,
            values: vec![1.0, -1.0, -1.0, 1.0],
            range: (-1.0, 1.0),
            marks: vec![
                PixelMarks {
                    label: Bilingual::new("2 differ", "2 个不同"),
                    tone: MarkTone::Alert,
                    pixels: vec![0, 2],
                },
                PixelMarks {
                    label: Bilingual::new("now", "当前"),
                    tone: MarkTone::Focus,
                    pixels: vec![3],
                },
                PixelMarks {
                    label: Bilingual::new("", ""),
                    tone: MarkTone::Focus,
                    pixels: vec![],
                },
            ],
        }),
    );
    // Without colour: ▓ a marked pixel that is on, ░ one that is off, ●
    // the focus; the legend under the picture.
    let buf = render(&view, 20, 6, &plain());
    assert_eq!(row(&buf, 1), "▓▓                  ");
    assert_eq!(row(&buf, 2), "░░●●                ");
    assert_eq!(row(&buf, 3), "▓ 2 differ          ");
    assert_eq!(row(&buf, 4), "● now               ");
    assert_eq!(row(&buf, 5), " ".repeat(20));
    // In colour: red for the marked, cyan for the focus.
    let buf = render(&view, 20, 6, &Theme::coloured());
    assert_eq!(buf[(0, 1)].fg, Color::Indexed(210));
    assert_eq!(buf[(2, 1)].fg, Color::Indexed(237));
    assert_eq!(buf[(0, 2)].fg, Color::Indexed(88));
    assert_eq!(buf[(2, 2)].fg, Color::Indexed(51));
    assert_eq!(row(&buf, 3), "■ 2 differ          ");
    assert_eq!(buf[(0, 3)].fg, Color::Indexed(210));
    assert_eq!(buf[(0, 4)].fg, Color::Indexed(51));
    // Its size does not change with the marks: a row per layer's legend.
    let ViewContent::Pixels(p) = &view.content else {
        unreachable!()
    };
    let mut bare = p.clone();
    bare.marks.clear();
    let with = crate::view::heights(&view, 20, true);
    let without = crate::view::heights(&View::new("p", view.label.clone(), bare.into()), 20, true);
    assert_eq!(with[0], without[0] + 3);
    stays_inside(&view);
}

#[test]
fn titles_are_never_cut_mid_word() {
    let view = View::new(
        "p",
        Bilingual::new("state s (the probe as it settles)", "状态 s（探针的演化）"),
        ViewContent::Pixels(Pixels {
            width: 2,
            height: 2,
            values: vec![1.0; 4],
            range: (-1.0, 1.0),
            marks: Vec::new(),
        }),
    )
    .editable();
    // The note (2×2) does not fit whole: left out.
    let buf = render(&view, 36, 3, &plain());
    assert_eq!(
        row(&buf, 0).trim_end(),
        "state s (the probe as it settles) *"
    );
    let buf = render(&view, 40, 3, &plain());
    assert_eq!(
        row(&buf, 0).trim_end(),
        "state s (the probe as it settles) * 2×2"
    );
    // Too narrow for the label: it ends after a whole word.
    let buf = render(&view, 20, 3, &plain());
    assert_eq!(row(&buf, 0).trim_end(), "state s (the… *");
}

#[test]
fn no_colour_means_no_colour_anywhere() {
    let views = [
        vector(vec![0.3, -0.7, f32::NAN], (-1.0, 1.0)),
        View::new(
            "m",
            Bilingual::new("m", "m"),
            ViewContent::Matrix(Matrix {
                rows: 3,
                cols: 3,
                values: vec![-1.0, -0.5, 0.0, 0.25, 0.5, 1.0, 0.1, -0.1, f32::NAN],
            }),
        ),
        View::new(
            "h",
            Bilingual::new("h", "h"),
            ViewContent::History(History {
                rows: 4,
                cols: 2,
                values: vec![0.1, -0.2, 0.3, -0.4, 0.5, -0.6, 0.7, -0.8],
                range: (-1.0, 1.0),
                first: 1,
            }),
        ),
        View::new(
            "g",
            Bilingual::new("g", "g"),
            ViewContent::Gallery(Gallery {
                width: 2,
                height: 2,
                items: vec![vec![1.0, -1.0, 1.0, -1.0]; 3],
                marked: Some(1),
                captions: Vec::new(),
                range: (-1.0, 1.0),
            }),
        ),
    ];
    for view in &views {
        let buf = render(view, 30, 8, &plain());
        for cell in buf.content() {
            assert_eq!(
                (cell.fg, cell.bg),
                (Color::Reset, Color::Reset),
                "{}",
                view.name
            );
        }
    }
}

#[test]
fn heat_maps_read_without_colour() {
    assert_eq!(heatmap::shade(1.0, (-1.0, 1.0)), "█");
    assert_eq!(heatmap::shade(-1.0, (-1.0, 1.0)), "=");
    assert_eq!(heatmap::shade(0.0, (-1.0, 1.0)), " ");
    assert_eq!(heatmap::shade(0.3, (-1.0, 1.0)), "░");
    assert_eq!(heatmap::shade(f32::NAN, (-1.0, 1.0)), "!");
    // A history: time across, the latest steps that fit.
    let view = View::new(
        "h",
        Bilingual::new("h", "h"),
        ViewContent::History(History {
            rows: 5,
            cols: 1,
            values: vec![-1.0, -1.0, 1.0, 1.0, 0.0],
            range: (-1.0, 1.0),
            first: 1,
        }),
    );
    let buf = render(&view, 5, 2, &plain());
    assert_eq!(
        row(&buf, 1),
        "0 ██ ",
        "the unit's number, then the last steps"
    );
    // With room, every step is wider, and a time axis numbers the steps.
    let buf = render(&view, 17, 3, &plain());
    assert_eq!(row(&buf, 1), "0 ======██████   ");
    assert_eq!(row(&buf, 2), "t 1             5");
    // A gate's history on 0..1 reads from its low end: 0 is blank, not "-1".
    assert_eq!(heatmap::shade(0.0, (0.0, 1.0)), " ");
    assert_eq!(heatmap::shade(0.5, (0.0, 1.0)), "▒");
    assert_eq!(heatmap::shade(1.0, (0.0, 1.0)), "█");
}

#[test]
fn a_gallery_marks_its_target() {
    let view = View::new(
        "g",
        Bilingual::new("patterns", "模式"),
        ViewContent::Gallery(Gallery {
            width: 2,
            height: 2,
            items: vec![vec![1.0; 4], vec![-1.0; 4], vec![1.0; 4]],
            marked: Some(1),
            captions: Vec::new(),
            range: (-1.0, 1.0),
        }),
    );
    let buf = render(&view, 20, 3, &plain());
    assert_eq!(row(&buf, 1), "██      ██          ");
    assert_eq!(row(&buf, 2), " 0  [1]  2          ");
    assert!(buf[(4, 2)].modifier.contains(Modifier::REVERSED));
}

#[test]
fn a_gallery_too_long_for_its_room_keeps_the_target_in_sight() {
    let names: Vec<String> = ('A'..='L').map(String::from).collect();
    let view = |marked| {
        View::new(
            "g",
            Bilingual::new("patterns", "模式"),
            ViewContent::Gallery(Gallery {
                width: 2,
                height: 2,
                items: vec![vec![1.0; 4]; 12],
                marked: Some(marked),
                captions: names.clone(),
                range: (-1.0, 1.0),
            }),
        )
    };
    // Five thumbnails a row, one row: A to E while the target is among them.
    let buf = render(&view(2), 20, 3, &plain());
    assert_eq!(row(&buf, 2), "A   B   C   D   E +7");
    // The target L: the last five, L marked.
    let buf = render(&view(11), 20, 3, &plain());
    assert_eq!(row(&buf, 2), "H   I   J   K   L +7");
    assert!(buf[(16, 2)].modifier.contains(Modifier::REVERSED));
    // The target G: its row (F to J) shows.
    let buf = render(&view(6), 20, 3, &plain());
    assert_eq!(row(&buf, 2), "F   G   H   I   J +7");
}

#[test]
fn text_wraps_by_display_width_in_both_languages() {
    for line in wrap("一个小小的递推，输入 sine 序列；单词：hello world。", 9) {
        assert!(line.width() <= 9, "{line:?}");
    }
    let lines = wrap("the quick brown fox", 10);
    assert_eq!(lines, vec!["the quick", "brown fox"]);
    // A single wide character in one column cannot fit: it is cut, not overflowed.
    assert!(wrap("中", 1).iter().all(|l| l.width() <= 1));
}

#[test]
fn equations_mark_the_current_line_and_keep_it_in_sight() {
    let view = View::new(
        "eq",
        Bilingual::new("Equations", "公式"),
        ViewContent::equations((0..6).map(|i| format!("line {i}")).collect(), Some(4)),
    );
    let buf = render(&view, 12, 7, &plain());
    assert_eq!(row(&buf, 5), "> line 4    ");
    assert_eq!(row(&buf, 1), "  line 0    ");
    // Three rows for six lines: scrolled so line 4 shows.
    let buf = render(&view, 12, 4, &plain());
    assert_eq!(row(&buf, 3), "> line 4    ");
}

#[test]
fn nothing_is_drawn_outside_the_area_at_any_size() {
    let picture = vec![1.0; 400];
    let views = [
        vector(vec![0.5; 50], (-1.0, 1.0)),
        vector(vec![-0.5, f32::NAN, 0.25], (0.0, 1.0)),
        View::new(
            "g",
            Bilingual::new("模式", "模式"),
            ViewContent::Gallery(Gallery {
                width: 20,
                height: 20,
                items: vec![picture.clone(); 5],
                marked: Some(2),
                captions: Vec::new(),
                range: (-1.0, 1.0),
            }),
        ),
        View::new(
            "p",
            Bilingual::new("p", "p"),
            ViewContent::Pixels(Pixels {
                width: 20,
                height: 20,
                values: picture,
                range: (-1.0, 1.0),
                marks: Vec::new(),
            }),
        ),
        View::new(
            "h",
            Bilingual::new("h", "h"),
            ViewContent::History(History {
                rows: 30,
                cols: 9,
                values: vec![0.3; 270],
                range: (-1.0, 1.0),
                first: 1,
            }),
        ),
        View::new(
            "m",
            Bilingual::new("m", "m"),
            ViewContent::Matrix(Matrix {
                rows: 9,
                cols: 30,
                values: vec![-0.3; 270],
            }),
        ),
        View::new(
            "t",
            Bilingual::new("t", "t"),
            ViewContent::text(Bilingual::new(
                "a long line of English text",
                "一段很长的中文说明文字",
            )),
        ),
        View::new(
            "e",
            Bilingual::new("e", "e"),
            ViewContent::equations(vec!["h = tanh(W x + b) = [0.1 0.2 0.3]".into(); 4], Some(3)),
        ),
        View::new(
            "s",
            Bilingual::new("s", "s"),
            ViewContent::series(vec![1.0, f64::INFINITY, -2.0]),
        ),
    ];
    for view in &views {
        assert_stays_inside(view);
    }
}

fn assert_stays_inside(view: &View) {
    for w in 0..12 {
        for h in 0..5 {
            let mut buf = Buffer::empty(Rect::new(0, 0, 14, 7));
            let ctx = DrawContext {
                lang: Lang::Zh,
                theme: &plain(),
                cursor: Some(3),
            };
            draw(view, Rect::new(1, 1, w, h), &mut buf, &ctx);
            for y in 0..7 {
                for x in 0..14 {
                    let inside = x >= 1 && x < 1 + w && y >= 1 && y < 1 + h;
                    if !inside {
                        assert_eq!(
                            buf[(x, y)].symbol(),
                            " ",
                            "{} ({x}, {y}) at {w}x{h}",
                            view.name
                        );
                    }
                }
            }
        }
    }
}

/// The symbols of `view` drawn in a `width` x `height` area, a line per
/// row, for snapshots.
pub(super) fn screen(view: &View, width: u16, height: u16, theme: &Theme) -> String {
    let buf = render(view, width, height, theme);
    (0..height)
        .map(|y| row(&buf, y).trim_end().to_string())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Asserts that `view` draws inside its area at every size up to 12 x 5,
/// in both themes.
pub(super) fn stays_inside(view: &View) {
    assert_stays_inside(view);
    for w in 0..12 {
        for h in 0..5 {
            let mut buf = Buffer::empty(Rect::new(0, 0, 14, 7));
            let ctx = DrawContext {
                lang: Lang::En,
                theme: &Theme::coloured(),
                cursor: None,
            };
            draw(view, Rect::new(1, 1, w, h), &mut buf, &ctx);
            for y in 0..7 {
                for x in 0..14 {
                    let inside = x >= 1 && x < 1 + w && y >= 1 && y < 1 + h;
                    if !inside {
                        assert_eq!(buf[(x, y)], Cell::default(), "({x}, {y}) at {w}x{h}");
                    }
                }
            }
        }
    }
}
