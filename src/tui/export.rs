//! The screen as a picture and as text, for slides and documents: `S`
//! anywhere writes the screen as drawn to an SVG file (its colours, bold and
//! underline kept, Chinese characters two cells wide) and to a plain text
//! file beside it.
//!
//! The SVG is a grid of cells: a rectangle for every background colour and a
//! `<text>` for every run of characters of one style, each run placed at its
//! cell, so the picture keeps the terminal's columns whatever the font's
//! widths. Colours are the xterm palette's (the theme uses only the 16 ANSI
//! colours and the 256-colour palette).

use ratatui::buffer::Buffer;
use ratatui::style::{Color, Modifier};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use unicode_width::UnicodeWidthStr;

/// Width and height of one cell in the SVG, in pixels.
const CELL_W: f64 = 8.4;
const CELL_H: f64 = 17.0;
/// The page's own colours: what "no colour" shows as.
const BACKGROUND: &str = "#1c1c1c";
const FOREGROUND: &str = "#d0d0d0";

/// The buffer as plain text: one line per row, trailing spaces dropped.
pub fn to_text(buf: &Buffer) -> String {
    let area = buf.area;
    let mut out = String::new();
    for y in area.top()..area.bottom() {
        let mut line = String::new();
        let mut skip = 0;
        for x in area.left()..area.right() {
            if skip > 0 {
                skip -= 1;
                continue;
            }
            let symbol = buf.cell((x, y)).map_or(" ", |c| c.symbol());
            let symbol = if symbol.is_empty() { " " } else { symbol };
            skip = symbol.width().saturating_sub(1);
            line.push_str(symbol);
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// The buffer as an SVG picture.
pub fn to_svg(buf: &Buffer) -> String {
    let area = buf.area;
    let (w, h) = (
        f64::from(area.width) * CELL_W,
        f64::from(area.height) * CELL_H,
    );
    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w:.0}" height="{h:.0}" viewBox="0 0 {w:.1} {h:.1}">"#
    );
    let _ = writeln!(
        svg,
        r#"<style>text {{ font-family: "DejaVu Sans Mono", "Noto Sans Mono CJK SC", monospace; font-size: 14px; white-space: pre; }}</style>"#
    );
    let _ = writeln!(
        svg,
        r#"<rect width="100%" height="100%" fill="{BACKGROUND}"/>"#
    );
    for y in area.top()..area.bottom() {
        let row = f64::from(y - area.top());
        // Backgrounds, in runs of one colour; a wide character's colour
        // covers both its cells, as on a terminal.
        let mut fills: Vec<Option<String>> = Vec::with_capacity(usize::from(area.width));
        let mut x = area.left();
        while x < area.right() {
            let (fill, width) = buf
                .cell((x, y))
                .map_or((None, 1), |c| (background(c), c.symbol().width().max(1)));
            for _ in 0..width.min(usize::from(area.right() - x)) {
                fills.push(fill.clone());
            }
            x += width as u16;
        }
        let mut start = 0;
        while start < fills.len() {
            let end = (start..fills.len())
                .find(|&i| fills[i] != fills[start])
                .unwrap_or(fills.len());
            if let Some(fill) = &fills[start] {
                let _ = writeln!(
                    svg,
                    r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{CELL_H:.1}" fill="{fill}"/>"#,
                    start as f64 * CELL_W,
                    row * CELL_H,
                    (end - start) as f64 * CELL_W,
                );
            }
            start = end;
        }
        // Characters, one element per cell that shows one, so every glyph
        // sits at its column.
        let baseline = row * CELL_H + CELL_H * 0.78;
        let mut x = area.left();
        while x < area.right() {
            let Some(cell) = buf.cell((x, y)) else {
                break;
            };
            let symbol = cell.symbol();
            let width = symbol.width().max(1) as u16;
            if !symbol.trim().is_empty() {
                let fill = if reversed(cell.modifier) {
                    colour(cell.bg).unwrap_or_else(|| BACKGROUND.into())
                } else {
                    colour(cell.fg).unwrap_or_else(|| FOREGROUND.into())
                };
                let mut style = String::new();
                if cell.modifier.contains(Modifier::BOLD) {
                    style.push_str(r#" font-weight="bold""#);
                }
                if cell.modifier.contains(Modifier::UNDERLINED) {
                    style.push_str(r#" text-decoration="underline""#);
                }
                if cell.modifier.contains(Modifier::ITALIC) {
                    style.push_str(r#" font-style="italic""#);
                }
                let _ = writeln!(
                    svg,
                    r#"<text x="{:.1}" y="{baseline:.1}" fill="{fill}"{style} textLength="{:.1}" lengthAdjust="spacingAndGlyphs">{}</text>"#,
                    f64::from(x - area.left()) * CELL_W,
                    f64::from(width) * CELL_W,
                    escape_xml(symbol),
                );
            }
            x += width;
        }
    }
    svg.push_str("</svg>\n");
    svg
}

/// The colour behind a cell: its background, or its foreground when reversed.
fn background(cell: &ratatui::buffer::Cell) -> Option<String> {
    if reversed(cell.modifier) {
        colour(cell.fg).or(Some(FOREGROUND.into()))
    } else {
        colour(cell.bg)
    }
}

fn reversed(modifier: Modifier) -> bool {
    modifier.contains(Modifier::REVERSED)
}

/// A terminal colour as `#rrggbb` (xterm's palette), or `None` for the
/// terminal's own colour.
fn colour(c: Color) -> Option<String> {
    const ANSI: [(u8, u8, u8); 16] = [
        (0, 0, 0),
        (205, 0, 0),
        (0, 205, 0),
        (205, 205, 0),
        (0, 0, 238),
        (205, 0, 205),
        (0, 205, 205),
        (229, 229, 229),
        (127, 127, 127),
        (255, 0, 0),
        (0, 255, 0),
        (255, 255, 0),
        (92, 92, 255),
        (255, 0, 255),
        (0, 255, 255),
        (255, 255, 255),
    ];
    let (r, g, b) = match c {
        Color::Reset => return None,
        Color::Black => ANSI[0],
        Color::Red => ANSI[1],
        Color::Green => ANSI[2],
        Color::Yellow => ANSI[3],
        Color::Blue => ANSI[4],
        Color::Magenta => ANSI[5],
        Color::Cyan => ANSI[6],
        Color::Gray => ANSI[7],
        Color::DarkGray => ANSI[8],
        Color::LightRed => ANSI[9],
        Color::LightGreen => ANSI[10],
        Color::LightYellow => ANSI[11],
        Color::LightBlue => ANSI[12],
        Color::LightMagenta => ANSI[13],
        Color::LightCyan => ANSI[14],
        Color::White => ANSI[15],
        Color::Rgb(r, g, b) => (r, g, b),
        Color::Indexed(i) => indexed(i, &ANSI),
    };
    Some(format!("#{r:02x}{g:02x}{b:02x}"))
}

/// xterm's 256-colour palette: the 16 ANSI colours, a 6x6x6 cube, 24 greys.
fn indexed(i: u8, ansi: &[(u8, u8, u8); 16]) -> (u8, u8, u8) {
    match i {
        0..=15 => ansi[usize::from(i)],
        16..=231 => {
            let k = i - 16;
            let level = |v: u8| if v == 0 { 0 } else { 55 + 40 * v };
            (level(k / 36), level((k / 6) % 6), level(k % 6))
        }
        _ => {
            let grey = 8 + 10 * (i - 232);
            (grey, grey, grey)
        }
    }
}

fn escape_xml(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            // Control characters have no place in XML 1.0.
            c if c.is_control() => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// Writes the buffer as `STEM.svg` and `STEM.txt` in `dir`, `STEM` being
/// `nnzoo-` and the time; says which paths it wrote. An existing file is
/// never overwritten: a number is added instead.
pub fn save(buf: &Buffer, dir: &Path, stamp: &str) -> std::io::Result<(PathBuf, PathBuf)> {
    let mut n = 0;
    let (svg, txt) = loop {
        let stem = if n == 0 {
            format!("nnzoo-{stamp}")
        } else {
            format!("nnzoo-{stamp}-{n}")
        };
        let (svg, txt) = (
            dir.join(format!("{stem}.svg")),
            dir.join(format!("{stem}.txt")),
        );
        if !svg.exists() && !txt.exists() {
            break (svg, txt);
        }
        n += 1;
        if n > 1000 {
            return Err(std::io::Error::other("too many screens saved this second"));
        }
    };
    write_new(&svg, to_svg(buf).as_bytes())?;
    write_new(&txt, to_text(buf).as_bytes())?;
    Ok((svg, txt))
}

/// Creates `path` (never replacing a file) and writes `bytes` to it.
fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)?;
    file.write_all(bytes)
}

/// The time now as `YYYYMMDD-HHMMSS` (UTC), for file names.
pub fn stamp() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    let (days, rest) = (secs / 86_400, secs % 86_400);
    let (y, m, d) = civil_from_days(days as i64);
    format!(
        "{y:04}{m:02}{d:02}-{:02}{:02}{:02}",
        rest / 3600,
        rest / 60 % 60,
        rest % 60
    )
}

/// The date of a day counted from 1970-01-01 (Howard Hinnant's algorithm).
fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::layout::Rect;
    use ratatui::style::Style;

    fn sample() -> Buffer {
        let mut buf = Buffer::empty(Rect::new(0, 0, 12, 2));
        buf.set_string(0, 0, "a<b>&", Style::new().fg(Color::Green));
        buf.set_string(6, 0, "中文", Style::new().bg(Color::Indexed(237)));
        buf.set_string(
            0,
            1,
            "bold",
            Style::new().add_modifier(Modifier::BOLD | Modifier::REVERSED),
        );
        buf
    }

    #[test]
    fn text_keeps_the_columns_and_drops_trailing_spaces() {
        assert_eq!(to_text(&sample()), "a<b>& 中文\nbold\n");
    }

    #[test]
    fn svg_places_every_glyph_at_its_cell_with_its_colours() {
        let svg = to_svg(&sample());
        assert!(svg.starts_with("<svg"));
        assert!(svg.trim_end().ends_with("</svg>"));
        // Escaped, green, one element per cell.
        assert!(svg.contains(
            r##"fill="#00cd00" textLength="8.4" lengthAdjust="spacingAndGlyphs">&lt;</text>"##
        ));
        // A Chinese character is two cells wide, the next one two cells on.
        assert!(svg.contains(r##"<text x="50.4" y="13.3" fill="#d0d0d0" textLength="16.8""##));
        assert!(svg.contains(r#"<text x="67.2""#));
        // The background of 237 under both characters, as one rectangle.
        assert!(
            svg.contains(r##"<rect x="50.4" y="0.0" width="33.6" height="17.0" fill="#3a3a3a"/>"##)
        );
        // Reversed bold: the page's foreground behind, its background in front.
        assert!(svg.contains(r#"font-weight="bold""#));
        assert!(svg.contains(r##"fill="#1c1c1c" font-weight="bold""##));
        assert!(!svg.contains('\u{1b}'));
    }

    #[test]
    fn saving_never_overwrites() {
        let dir = std::env::temp_dir().join(format!("nnzoo-export-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let first = save(&sample(), &dir, "stamp").unwrap();
        let second = save(&sample(), &dir, "stamp").unwrap();
        assert_ne!(first, second);
        assert!(second.0.ends_with("nnzoo-stamp-1.svg"));
        assert_eq!(
            std::fs::read_to_string(&first.1).unwrap(),
            to_text(&sample())
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn the_stamp_is_a_date_and_a_time() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(20_788), (2026, 12, 1));
        assert_eq!(stamp().len(), 15);
    }
}
