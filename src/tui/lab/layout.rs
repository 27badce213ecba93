//! Where each view goes: a layout that adapts to how many views there are,
//! what kinds they are and how much room there is.
//!
//! Wide views (equations, text, series, histories, galleries, tables
//! wider than a column: each kind says, see [`crate::view::Kind::wide`])
//! take the full width, one under the other; runs of narrow views
//! (vectors, scalars, pictures, matrices, planes, plots, narrow tables)
//! between them are packed into columns as wide as the widest of them asks
//! ([`crate::view::Kind::min_column`]), each view into the column that is
//! shortest so far. Every view starts at its richest
//! height; while the whole does not fit the height available, the tallest
//! view that can be drawn more compactly is. What still does not fit
//! scrolls.

use crate::model::View;
use crate::view;

/// Narrowest column worth packing narrow views into.
const MIN_COLUMN: u16 = 26;
/// Blank columns between packed columns.
const GUTTER: u16 = 1;
/// Narrowest canvas that gets a figure column (and still leaves room beside it).
const FIGURE_MIN_WIDTH: u16 = 60;

/// A view's place on the (possibly taller than the screen) canvas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Placement {
    /// Index into the views.
    pub view: usize,
    pub x: u16,
    pub y: u16,
    pub width: u16,
    pub height: u16,
}

fn is_wide(view: &View) -> bool {
    view.content.kind().wide(MIN_COLUMN)
}

/// How long a view keeps its richest form when room is short: higher
/// keeps it longer (the equations, the picture being recalled, a learning
/// model's curves and data say most).
fn keep_rank(view: &View) -> u8 {
    view.content.kind().keep_rank()
}

enum Group {
    Wide(usize),
    Columns(Vec<usize>),
}

/// Places `views` on a canvas `width` columns wide, aiming to fit in
/// `height` rows; returns the placements and the canvas height.
///
/// A picture (the state a Hopfield network settles in) is the figure the
/// rest is read against: when there is room, the first one stands in a
/// column of its own on the left, as large as fits, and the other views
/// flow beside it.
pub(super) fn layout(
    views: &[View],
    width: u16,
    height: u16,
    colour: bool,
) -> (Vec<Placement>, u16) {
    if width == 0 || views.is_empty() {
        return (Vec::new(), 0);
    }
    // The first view that can stand as the figure, as large as fits.
    let figure = views.iter().enumerate().find_map(|(i, v)| {
        let size = v
            .content
            .kind()
            .figure(width * 2 / 5, height.saturating_sub(1).max(1))?;
        Some((i, size))
    });
    if let Some((f, (cols, rows))) = figure
        && width >= FIGURE_MIN_WIDTH
        && views.len() > 1
    {
        return beside_figure(views, f, cols as u16, rows as u16, width, height, colour);
    }
    let all: Vec<usize> = (0..views.len()).collect();
    let (placements, total) = flow(views, &all, width, height, colour);
    let short = total > height;
    if !(short || views.iter().any(|v| v.figure)) || width < FIGURE_MIN_WIDTH || views.len() < 2 {
        return (placements, total);
    }
    // Short of room, a plane stands on the left at its own shape rather
    // than squeezed flat under the others; so does a view marked as its
    // lab's figure even when the stack fits, since fitting flattened it.
    let plane = views
        .iter()
        .enumerate()
        .filter(|(_, v)| short || v.figure)
        .find_map(|(i, v)| {
            let size = v
                .content
                .kind()
                .figure_when_short(width * 2 / 5, height.saturating_sub(1).max(1))?;
            Some((i, size))
        });
    let Some((f, (cols, rows))) = plane else {
        return (placements, total);
    };
    // Beside the others it may scroll more, but a plane of a few rows
    // shows no shape at all: it goes beside when stacked it would get less
    // than two thirds of its rows.
    let stacked_rows = placements
        .iter()
        .find(|p| p.view == f)
        .map_or(0, |p| p.height.saturating_sub(1));
    if stacked_rows * 3 < rows as u16 * 2 {
        beside_figure(views, f, cols as u16, rows as u16, width, height, colour)
    } else {
        (placements, total)
    }
}

/// The view `f` as the figure on the left, `cols` x `rows` (title
/// excluded), the other views flowing beside it.
fn beside_figure(
    views: &[View],
    f: usize,
    cols: u16,
    rows: u16,
    width: u16,
    height: u16,
    colour: bool,
) -> (Vec<Placement>, u16) {
    let figure_w = cols.max(MIN_COLUMN.min(width * 2 / 5));
    let figure_h = rows.saturating_add(1);
    let rest: Vec<usize> = (0..views.len()).filter(|&i| i != f).collect();
    let right = width - figure_w - GUTTER;
    let (mut placements, total) = flow(views, &rest, right, height, colour);
    for p in &mut placements {
        p.x += figure_w + GUTTER;
    }
    placements.push(Placement {
        view: f,
        x: 0,
        y: 0,
        width: figure_w,
        height: figure_h,
    });
    (placements, total.max(figure_h))
}

/// Lays out the views `members` (indices into `views`) as described in the
/// module's header.
fn flow(
    views: &[View],
    members: &[usize],
    width: u16,
    height: u16,
    colour: bool,
) -> (Vec<Placement>, u16) {
    if width == 0 || members.is_empty() {
        return (Vec::new(), 0);
    }
    let mut groups: Vec<Group> = Vec::new();
    for &i in members {
        let view = &views[i];
        if is_wide(view) {
            groups.push(Group::Wide(i));
        } else if let Some(Group::Columns(run)) = groups.last_mut() {
            run.push(i);
        } else {
            groups.push(Group::Columns(vec![i]));
        }
    }
    // The width each view gets, and the heights it can take there.
    let mut view_width = vec![width; views.len()];
    let mut group_columns = Vec::with_capacity(groups.len());
    for group in &groups {
        let columns = match group {
            Group::Wide(_) => 1,
            Group::Columns(run) => {
                let least = run
                    .iter()
                    .map(|&i| views[i].content.kind().min_column())
                    .fold(MIN_COLUMN, u16::max);
                let fit = ((width + GUTTER) / (least + GUTTER)).max(1);
                let k = fit.min(run.len() as u16).max(1);
                let w = (width.saturating_sub((k - 1) * GUTTER) / k).max(1);
                for &i in run {
                    view_width[i] = w;
                }
                k
            }
        };
        group_columns.push(columns);
    }
    let candidates: Vec<Vec<u16>> = views
        .iter()
        .enumerate()
        .map(|(i, view)| {
            if members.contains(&i) {
                view::heights(view, view_width[i], colour)
            } else {
                vec![0]
            }
        })
        .collect();
    let mut level = vec![0usize; views.len()];
    let height_of = |level: &[usize]| {
        place(
            &groups,
            &group_columns,
            &view_width,
            &candidates,
            level,
            width,
        )
        .1
    };
    let alike = |i: usize, j: usize, level: &[usize]| {
        keep_rank(&views[j]) == keep_rank(&views[i])
            && level[j] == level[i]
            && candidates[j] == candidates[i]
    };
    while height_of(&level) > height {
        // Make a view more compact: the least telling kinds first, the
        // tallest of them first.
        let tallest = members
            .iter()
            .copied()
            .filter(|&i| {
                !views[i].whole
                    && level[i] + 1 < candidates[i].len()
                    && candidates[i][level[i] + 1] >= views[i].content.kind().readable_height()
            })
            .max_by_key(|&i| {
                (
                    std::cmp::Reverse(keep_rank(&views[i])),
                    candidates[i][level[i]],
                    i,
                )
            });
        let Some(i) = tallest else {
            break;
        };
        // Views of the same kind and shape change together, so that the
        // gates of a cell look alike.
        let group: Vec<usize> = members
            .iter()
            .copied()
            .filter(|&j| alike(i, j, &level))
            .collect();
        for j in group {
            level[j] += 1;
        }
    }
    // Compacting a group at a time can overshoot: give back what still
    // fits, the most telling views first, alike views together.
    let mut order: Vec<usize> = members.to_vec();
    order.sort_by_key(|&i| (std::cmp::Reverse(keep_rank(&views[i])), i));
    let mut changed = true;
    while changed {
        changed = false;
        for &i in &order {
            if level[i] == 0 {
                continue;
            }
            let mut trial = level.clone();
            for j in members.iter().copied().filter(|&j| alike(i, j, &level)) {
                trial[j] -= 1;
            }
            if height_of(&trial) <= height {
                level = trial;
                changed = true;
                continue;
            }
            // Some kinds (vectors) stay alike; others may grow alone.
            if views[i].content.kind().grows_alone() {
                let mut trial = level.clone();
                trial[i] -= 1;
                if height_of(&trial) <= height {
                    level = trial;
                    changed = true;
                }
            }
        }
    }
    place(
        &groups,
        &group_columns,
        &view_width,
        &candidates,
        &level,
        width,
    )
}

fn place(
    groups: &[Group],
    group_columns: &[u16],
    view_width: &[u16],
    candidates: &[Vec<u16>],
    level: &[usize],
    width: u16,
) -> (Vec<Placement>, u16) {
    let mut placements = Vec::new();
    let mut y: u16 = 0;
    let height_of = |i: usize| candidates[i][level[i]];
    for (group, &k) in groups.iter().zip(group_columns) {
        match group {
            Group::Wide(i) => {
                let h = height_of(*i);
                placements.push(Placement {
                    view: *i,
                    x: 0,
                    y,
                    width,
                    height: h,
                });
                y = y.saturating_add(h);
            }
            Group::Columns(run) => {
                let mut bottoms = vec![y; usize::from(k)];
                for &i in run {
                    let column = (0..bottoms.len())
                        .min_by_key(|&c| (bottoms[c], c))
                        .unwrap_or(0);
                    let h = height_of(i);
                    let w = view_width[i];
                    placements.push(Placement {
                        view: i,
                        x: column as u16 * (w + GUTTER),
                        y: bottoms[column],
                        width: w,
                        height: h,
                    });
                    bottoms[column] = bottoms[column].saturating_add(h);
                }
                y = bottoms.into_iter().max().unwrap_or(y);
            }
        }
    }
    (placements, y)
}
