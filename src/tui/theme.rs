//! Colours and styles, in one place.
//!
//! Only the 16 ANSI colours and the 256-colour palette are used, never
//! truecolour, so the program looks the same on every terminal. With
//! `NO_COLOR` set (<https://no-color.org>) every style is plain, and
//! everything must still read: values carry signs and numbers, cell kinds
//! carry shapes.

use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::Marker;

/// The styles the UI draws with.
#[derive(Debug, Clone, PartialEq)]
pub struct Theme {
    /// Whether colours are used at all.
    pub colour: bool,
    pub text: Style,
    pub dim: Style,
    pub title: Style,
    pub border: Style,
    pub border_focused: Style,
    pub selected: Style,
    pub highlight: Style,
    pub heading: Style,
    pub key: Style,
    pub warning: Style,
    pub error: Style,
    /// How curves and lines are drawn in dots finer than a cell: braille
    /// (2x4 dots, in most fonts) unless `NNZOO_DOTS` asks for ratatui's
    /// `octant`, `sextant` or `quadrant` blocks, or `halfblock` (▀▄█, in
    /// every font) where braille shows as boxes.
    pub dots: Marker,
}

impl Theme {
    /// The theme for this environment: plain when `NO_COLOR` is set and not empty.
    pub fn from_env() -> Theme {
        let no_colour = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let theme = if no_colour {
            Theme::plain()
        } else {
            Theme::coloured()
        };
        let dots = std::env::var("NNZOO_DOTS").unwrap_or_default();
        Theme {
            dots: dots_marker(&dots),
            ..theme
        }
    }

    pub fn coloured() -> Theme {
        Theme {
            colour: true,
            text: Style::new(),
            dim: Style::new().fg(Color::DarkGray),
            title: Style::new().fg(Color::Cyan).add_modifier(Modifier::BOLD),
            border: Style::new().fg(Color::DarkGray),
            border_focused: Style::new().fg(Color::Cyan),
            selected: Style::new()
                .bg(Color::Indexed(237))
                .add_modifier(Modifier::BOLD),
            highlight: Style::new()
                .fg(Color::Yellow)
                .add_modifier(Modifier::BOLD | Modifier::UNDERLINED),
            heading: Style::new().fg(Color::Magenta).add_modifier(Modifier::BOLD),
            key: Style::new().fg(Color::Green).add_modifier(Modifier::BOLD),
            warning: Style::new().fg(Color::Yellow).add_modifier(Modifier::BOLD),
            error: Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
            dots: Marker::Braille,
        }
    }

    /// No colour at all: emphasis by bold, reverse and underline only.
    pub fn plain() -> Theme {
        let bold = Style::new().add_modifier(Modifier::BOLD);
        Theme {
            colour: false,
            text: Style::new(),
            dim: Style::new(),
            title: bold,
            border: Style::new(),
            border_focused: bold,
            selected: Style::new().add_modifier(Modifier::REVERSED),
            highlight: Style::new().add_modifier(Modifier::UNDERLINED | Modifier::BOLD),
            heading: bold,
            key: bold,
            warning: bold,
            error: bold,
            dots: Marker::Braille,
        }
    }

    /// The colour of `v` on the scale of `range`: a range from zero (or
    /// above) up, such as a sigmoid gate's 0..1, on the sequential map from
    /// its low end to its high end; any other range on the diverging map
    /// around zero or its middle. `None` without colour.
    pub fn scaled(&self, v: f32, range: (f32, f32)) -> Option<Color> {
        if range.0 >= 0.0 && range.0 < range.1 {
            self.sequential(v, range)
        } else {
            self.diverging(v, range)
        }
    }

    /// The colour of `v` scaled to `range` on a sequential map: grey at the
    /// low end, then ever brighter teal up to the high end (256-colour
    /// palette), so 0.5 of a 0..1 gate reads as half open, not as zero.
    /// `None` without colour; NaN and infinities get magenta.
    pub fn sequential(&self, v: f32, range: (f32, f32)) -> Option<Color> {
        if !self.colour {
            return None;
        }
        if !v.is_finite() {
            return Some(Color::Magenta);
        }
        let (lo, hi) = range;
        let t = if hi > lo { (v - lo) / (hi - lo) } else { 0.0 };
        const TEALS: [u8; 6] = [240, 23, 30, 37, 44, 51];
        let level = ((t.clamp(0.0, 1.0) * 5.0).ceil() as usize).min(5);
        Some(Color::Indexed(TEALS[level]))
    }

    /// The colour of a signed value `v` scaled to `range` on a diverging map:
    /// blue for the low end, near-neutral grey in the middle, red for the high
    /// end (256-colour palette). `None` without colour; NaN and infinities get
    /// magenta so an overflow stands out.
    pub fn diverging(&self, v: f32, range: (f32, f32)) -> Option<Color> {
        if !self.colour {
            return None;
        }
        if !v.is_finite() {
            return Some(Color::Magenta);
        }
        let (lo, hi) = range;
        let mid = if lo < 0.0 && hi > 0.0 {
            0.0
        } else {
            (lo + hi) / 2.0
        };
        // Position in -1..=1 around the midpoint.
        let t = if v >= mid {
            if hi > mid {
                (v - mid) / (hi - mid)
            } else {
                0.0
            }
        } else if mid > lo {
            -(mid - v) / (mid - lo)
        } else {
            0.0
        }
        .clamp(-1.0, 1.0);
        // Blues and reds of the xterm 256-colour cube, grey 240 at zero.
        const BLUES: [u8; 5] = [24, 25, 26, 27, 33];
        const REDS: [u8; 5] = [95, 131, 167, 203, 196];
        let level = ((t.abs() * 5.0).ceil() as usize).min(5);
        Some(match level {
            0 => Color::Indexed(240),
            n if t < 0.0 => Color::Indexed(BLUES[n - 1]),
            n => Color::Indexed(REDS[n - 1]),
        })
    }
}

/// The marker `NNZOO_DOTS` names; braille for anything else.
fn dots_marker(name: &str) -> Marker {
    match name.trim().to_ascii_lowercase().as_str() {
        "octant" => Marker::Octant,
        "sextant" => Marker::Sextant,
        "quadrant" => Marker::Quadrant,
        "halfblock" | "half-block" | "block" => Marker::HalfBlock,
        _ => Marker::Braille,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_gate_is_coloured_from_closed_to_open() {
        let theme = Theme::coloured();
        let gate = (0.0, 1.0);
        // 0 is the low end (grey), not blue as if below a zero at 0.5.
        assert_eq!(theme.scaled(0.0, gate), Some(Color::Indexed(240)));
        assert_eq!(theme.scaled(1.0, gate), Some(Color::Indexed(51)));
        let half = theme.scaled(0.5, gate);
        assert_ne!(half, theme.scaled(0.0, gate));
        assert_ne!(half, theme.scaled(1.0, gate));
        // Ever brighter as the gate opens.
        let levels: Vec<_> = [0.1, 0.3, 0.5, 0.7, 0.9]
            .iter()
            .map(|&v| theme.scaled(v, gate))
            .collect();
        assert!(levels.windows(2).all(|w| w[0] != w[1]), "{levels:?}");
        // A signed range keeps the diverging map around zero.
        assert_eq!(
            theme.scaled(-0.5, (-1.0, 1.0)),
            theme.diverging(-0.5, (-1.0, 1.0))
        );
        assert_eq!(Theme::plain().scaled(0.5, gate), None);
    }

    #[test]
    fn dots_are_braille_unless_a_known_marker_is_named() {
        assert_eq!(dots_marker(""), Marker::Braille);
        assert_eq!(dots_marker("Octant"), Marker::Octant);
        assert_eq!(dots_marker(" halfblock "), Marker::HalfBlock);
        assert_eq!(dots_marker("sparkles"), Marker::Braille);
    }

    #[test]
    fn diverging_map_runs_from_blue_through_grey_to_red() {
        let theme = Theme::coloured();
        assert_eq!(theme.diverging(0.0, (-1.0, 1.0)), Some(Color::Indexed(240)));
        assert_eq!(theme.diverging(-1.0, (-1.0, 1.0)), Some(Color::Indexed(33)));
        assert_eq!(theme.diverging(1.0, (-1.0, 1.0)), Some(Color::Indexed(196)));
        assert_eq!(theme.diverging(5.0, (-1.0, 1.0)), Some(Color::Indexed(196)));
        assert_eq!(theme.diverging(f32::NAN, (-1.0, 1.0)), Some(Color::Magenta));
        // A (0, 1) gate's midpoint is 0.5.
        assert_eq!(theme.diverging(0.5, (0.0, 1.0)), Some(Color::Indexed(240)));
        assert_eq!(Theme::plain().diverging(1.0, (-1.0, 1.0)), None);
    }
}
