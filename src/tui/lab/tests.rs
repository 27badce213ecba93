use super::layout::layout;
use super::*;
use crate::view::{History, Plane, Plot, Table};

fn views(n_vectors: usize, len: usize) -> Vec<View> {
    let mut views = vec![View::new(
        "eq",
        Bilingual::new("Equations", "公式"),
        ViewContent::equations(vec!["a = b".into(); 6], Some(2)),
    )];
    for i in 0..n_vectors {
        views.push(View::new(
            format!("v{i}"),
            Bilingual::same(format!("v{i}")),
            ViewContent::vector(vec![0.5; len], (-1.0, 1.0)),
        ));
    }
    views.push(View::new(
        "hist",
        Bilingual::new("history", "历史"),
        ViewContent::History(History {
            rows: 10,
            cols: len,
            values: vec![0.1; 10 * len],
            range: (-1.0, 1.0),
            first: 1,
        }),
    ));
    views
}

fn overlaps(a: &Placement, b: &Placement) -> bool {
    a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height
}

#[test]
fn placements_stay_inside_the_width_and_never_overlap() {
    for width in [1u16, 10, 26, 53, 80, 120, 200] {
        for height in [1u16, 10, 22, 38, 58] {
            for (n, len) in [(1, 3), (7, 8), (7, 128), (3, 512)] {
                let vs = views(n, len);
                let (placements, total) = layout(&vs, width, height, true);
                assert_eq!(placements.len(), vs.len());
                for (i, a) in placements.iter().enumerate() {
                    assert!(a.x + a.width <= width, "{width}x{height}: {a:?}");
                    assert!(a.y + a.height <= total);
                    for b in &placements[i + 1..] {
                        assert!(!overlaps(a, b), "{width}x{height} {n}x{len}: {a:?} {b:?}");
                    }
                }
            }
        }
    }
}

#[test]
fn with_room_every_view_is_drawn_richest_and_short_of_room_it_shrinks() {
    let vs = views(7, 8);
    let (_, roomy) = layout(&vs, 120, 200, true);
    // Equations (7) + vectors one row each (9 rows) and the history (1 + 4
    // + its time axis) packed in 4 columns, 2 deep.
    assert_eq!(roomy, 7 + 18);
    let (placements, tight) = layout(&vs, 80, 21, true);
    assert!(tight <= 21, "{tight}");
    // The equations keep all their lines.
    assert_eq!(placements[0].height, 7);
}

#[test]
fn plots_and_planes_are_packed_in_columns_with_room_for_axes_wide_tables_take_the_full_width() {
    use crate::model::{Curve, PlanePoint};
    let table = |columns: usize| {
        View::new(
            format!("t{columns}"),
            Bilingual::same("t"),
            ViewContent::Table(Table::same(
                vec!["column".into(); columns],
                vec![vec!["0.5".into(); columns]; 3],
                None,
            )),
        )
    };
    let plane = |name: &str| {
        View::new(
            name,
            Bilingual::same(name),
            ViewContent::Plane(Plane {
                points: vec![PlanePoint {
                    x: 0.0,
                    y: 0.0,
                    class: 0,
                    highlight: true,
                    ring: false,
                }],
                classes: vec![Bilingual::same("a")],
                field: None,
                lines: vec![],
                x_range: (-1.0, 1.0),
                y_range: (-1.0, 1.0),
            }),
        )
    };
    let vs = vec![
        View::new(
            "plot",
            Bilingual::same("plot"),
            ViewContent::Plot(Plot {
                curves: vec![Curve {
                    label: Bilingual::same("loss"),
                    points: vec![(0.0, 1.0), (1.0, 0.5)],
                }],
                x_label: Bilingual::same("epoch"),
                y_label: Bilingual::same("loss"),
                x_range: None,
                y_range: None,
                marks: vec![],
                now: None,
            }),
        ),
        plane("p1"),
        table(2),
        plane("p2"),
        table(6),
    ];
    let (placements, _) = layout(&vs, 120, 200, true);
    let at = |i: usize| placements.iter().find(|p| p.view == i).unwrap();
    // Three columns of 39: as many as leave a plot or a plane 36 columns.
    for i in 0..3 {
        assert_eq!(at(i).width, 39, "packed: {:?}", at(i));
        assert_eq!(at(i).y, 0, "side by side: {:?}", at(i));
    }
    assert_eq!((at(0).x, at(1).x, at(2).x), (0, 40, 80));
    // At 80 columns only two fit.
    let (narrow, _) = layout(&vs, 80, 200, true);
    let at80 = |i: usize| narrow.iter().find(|p| p.view == i).unwrap();
    assert_eq!((at80(0).width, at80(1).width), (39, 39));
    assert_eq!(at80(1).y, at80(0).y, "the plane beside the plot");
    assert_eq!(at(4).width, 120, "a wide table is wide");
    // Richest first: the plot with its full chart.
    assert_eq!(at(0).height, 18);
}

#[test]
fn a_plane_squeezed_flat_stands_on_the_left_at_its_own_shape() {
    use crate::model::PlanePoint;
    let plane = View::new(
        "plane",
        Bilingual::same("plane"),
        ViewContent::Plane(Plane {
            points: vec![PlanePoint {
                x: 0.0,
                y: 0.0,
                class: 0,
                highlight: false,
                ring: false,
            }],
            classes: vec![Bilingual::same("a")],
            field: None,
            lines: vec![],
            x_range: (-1.0, 1.0),
            y_range: (-1.0, 1.0),
        }),
    );
    let mut vs = vec![plane];
    vs.extend(views(7, 128));
    // With room the plane keeps its place at the top, full width.
    let (roomy, _) = layout(&vs, 80, 200, true);
    assert_eq!((roomy[0].x, roomy[0].width), (0, 80), "{:?}", roomy[0]);
    // At 80x22 stacked it would get a few rows: it goes to the left, as
    // tall as it is wide (two columns a row), the rest beside it.
    let (tight, _) = layout(&vs, 80, 22, true);
    let at = |i: usize| tight.iter().find(|p| p.view == i).unwrap();
    assert_eq!((at(0).x, at(0).y, at(0).width), (0, 0, 32), "{:?}", at(0));
    assert!(at(0).height >= 14, "{:?}", at(0));
    for i in 1..vs.len() {
        assert!(at(i).x >= 33, "beside the plane: {:?}", at(i));
    }
}
