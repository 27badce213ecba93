//! What the Hopfield lab shows: the stored patterns, the state as a picture,
//! the energy and its history, the overlaps, the equations with their
//! current values, and the capacity curve once measured.
//!
//! J. J. Hopfield, "Neural networks and physical systems with emergent
//! collective computational abilities", PNAS 79 (8): 2554–2558, 1982;
//! W = Ξ (ΞᵀΞ)⁻¹ Ξᵀ: Personnaz, Guyon and Dreyfus 1985.

use super::{Hopfield, Probe, Rule};
use crate::model::energy::capacity;
use crate::model::{View, ViewContent};
use crate::text::Bilingual;
use crate::view::{Axis, Curve, Gallery, Mark, MarkTone, PixelMarks, Pixels, Plot};
use ndarray::ArrayView1;

/// Thumbnails the gallery view returns at most, and their total pixels.
pub(super) const GALLERY_ITEMS: usize = 24;
const GALLERY_PIXELS: usize = 1 << 19;

impl Hopfield {
    /// The thumbnails shown: at most [`GALLERY_ITEMS`] and [`GALLERY_PIXELS`]
    /// pixels in all, a window around the target.
    pub(super) fn refresh_gallery(&mut self) {
        let shown = GALLERY_ITEMS
            .min((GALLERY_PIXELS / (self.width * self.height)).max(1))
            .min(self.p());
        let start = self.target.saturating_sub(shown / 2).min(self.p() - shown);
        self.gallery_start = start;
        self.gallery = (start..start + shown)
            .map(|mu| self.pixels(self.net.memory.pattern(mu)))
            .collect();
    }

    /// A state as the picture's pixels, padding (for random patterns on a
    /// grid that is not full) at 0.
    pub(super) fn pixels(&self, state: ArrayView1<'_, i8>) -> Vec<f32> {
        let mut values: Vec<f32> = state.iter().map(|&v| f32::from(v)).collect();
        values.resize(self.width * self.height, 0.0);
        values
    }

    /// The marks on the state's picture: the pixels that differ from the
    /// target, and the neuron the last stage updated.
    fn state_marks(&self) -> Vec<PixelMarks> {
        // On a picture being drawn, what differs from the target is the
        // drawing itself: nothing is marked.
        if matches!(self.probe, Probe::Drawn | Probe::Cleared) {
            let none = |tone| PixelMarks {
                label: Bilingual::new("", ""),
                tone,
                pixels: Vec::new(),
            };
            return vec![none(MarkTone::Alert), none(MarkTone::Focus)];
        }
        let wrong: Vec<usize> = self
            .net
            .state()
            .iter()
            .zip(&self.target_pattern)
            .enumerate()
            .filter(|(_, (a, b))| a != b)
            .map(|(i, _)| i)
            .collect();
        let (target, target_zh) = self.called(self.target);
        let d = wrong.len();
        let differ = PixelMarks {
            label: Bilingual::owned(
                format!(
                    "{} from {target}",
                    crate::text::count(d as u64, "pixel differs", "pixels differ")
                ),
                format!("{d} 个像素与 {target_zh} 不同"),
            ),
            tone: MarkTone::Alert,
            pixels: wrong,
        };
        let updated = match (self.last_staged, self.last_field) {
            (Some(i), Some((j, h))) if i == j => {
                let s = if self.net.state()[i] > 0 { "+1" } else { "-1" };
                PixelMarks {
                    label: Bilingual::owned(
                        format!("neuron {i}: h = {h:+.2} → {s}"),
                        format!("神经元 {i}：h = {h:+.2} → {s}"),
                    ),
                    tone: MarkTone::Focus,
                    pixels: vec![i],
                }
            }
            _ => PixelMarks {
                label: Bilingual::new("", ""),
                tone: MarkTone::Focus,
                pixels: Vec::new(),
            },
        };
        vec![differ, updated]
    }

    fn equations(&self) -> Vec<String> {
        let (n, p) = (self.n(), self.p());
        let mut lines = Vec::new();
        lines.push(match self.rule {
            Rule::Hebbian => format!("W = (1/N) Σ_μ ξ^μ ξ^μᵀ, W_ii = 0        N = {n}, P = {p}"),
            Rule::Projection => {
                format!("W = Ξ (ΞᵀΞ)⁻¹ Ξᵀ, W_ii = 0             N = {n}, P = {p}")
            }
        });
        lines.push(format!(
            "m_μ = (1/N) Σ_i ξ_i^μ s_i                 α = P/N = {:.3}",
            p as f64 / n as f64
        ));
        let field = match self.last_field {
            Some((i, h)) => format!("neuron {i}: h = {h:.3}"),
            None => String::new(),
        };
        lines.push(match self.rule {
            Rule::Hebbian => format!("h_i = Σ_μ ξ_i^μ m_μ − (P/N) s_i           {field}"),
            Rule::Projection => format!("h_i = Σ_j W_ij s_j − W_ii s_i             {field}"),
        });
        lines.push(if self.temperature > 0.0 {
            format!(
                "P(s_i = +1) = 1 / (1 + exp(−2 h_i / T))   T = {}",
                self.temperature
            )
        } else {
            "s_i ← sign(h_i)   (kept when h_i = 0)".to_string()
        });
        lines.push(format!(
            "E = −½ Σ_ij W_ij s_i s_j                  E = {:.4}",
            self.net.energy()
        ));
        lines
    }

    /// Every view of the lab, in the order they are laid out.
    pub(super) fn lab_views(&self) -> Vec<View> {
        let (n, p) = (self.n(), self.p());
        let shown = self.gallery.len();
        let end = self.gallery_start + shown;
        let target_marked = (self.gallery_start..end)
            .contains(&self.target)
            .then(|| self.target - self.gallery_start);
        let gallery_label = if shown == p {
            Bilingual::owned(
                format!("stored patterns ({p})"),
                format!("存储的模式（{p} 个）"),
            )
        } else {
            Bilingual::owned(
                format!("stored patterns {}–{} of {p}", self.gallery_start, end - 1),
                format!("存储的模式 {}–{}（共 {p} 个）", self.gallery_start, end - 1),
            )
        };
        let stored_text = if shown == p {
            Bilingual::owned(
                format!(
                    "{} of {n} neurons stored, α = P/N = {:.3}",
                    crate::text::count(p as u64, "pattern", "patterns"),
                    p as f64 / n as f64
                ),
                format!(
                    "存储了 {p} 个模式，{n} 个神经元，α = P/N = {:.3}",
                    p as f64 / n as f64
                ),
            )
        } else {
            Bilingual::owned(
                format!(
                    "{} of {n} neurons stored, α = P/N = {:.3}; {} not shown",
                    crate::text::count(p as u64, "pattern", "patterns"),
                    p as f64 / n as f64,
                    p - shown
                ),
                format!(
                    "存储了 {p} 个模式，{n} 个神经元，α = P/N = {:.3}；{} 个未显示",
                    p as f64 / n as f64,
                    p - shown
                ),
            )
        };
        let mut views = vec![
            View::new(
                "patterns",
                gallery_label,
                ViewContent::Gallery(Gallery {
                    width: self.width,
                    height: self.height,
                    items: self.gallery.clone(),
                    marked: target_marked,
                    captions: self.names[self.gallery_start..end].to_vec(),
                    range: (-1.0, 1.0),
                }),
            )
            .untraced(),
            View::new(
                "stored",
                Bilingual::new("memory", "记忆"),
                ViewContent::text(stored_text),
            )
            .untraced(),
            View::new(
                "state",
                Bilingual::new("state s (the probe as it settles)", "状态 s（探针的演化）"),
                ViewContent::Pixels(Pixels {
                    width: self.width,
                    height: self.height,
                    values: self.pixels(self.net.state()),
                    range: (-1.0, 1.0),
                    marks: self.state_marks(),
                }),
            )
            .editable(),
            View::new(
                "energy",
                Bilingual::new("energy E", "能量 E"),
                ViewContent::scalar(self.net.energy()),
            ),
            View::new(
                "energy_trace",
                Bilingual::new("energy per sweep", "每轮的能量"),
                ViewContent::series(self.energy_trace.clone()),
            )
            .untraced(),
            View::new(
                "overlap",
                Bilingual::new("overlap m_μ with each pattern", "与各模式的重叠 m_μ"),
                ViewContent::vector(self.net.overlaps().to_vec(), (-1.0, 1.0)),
            ),
            View::new(
                "hamming",
                Bilingual::new("distance to target", "与目标的距离"),
                ViewContent::scalar(self.hamming() as f64),
            ),
            View::new(
                "target",
                Bilingual::owned(
                    format!("target: {}", self.name(self.target)),
                    format!("目标：{}", self.name(self.target)),
                ),
                ViewContent::scalar(self.target as f64),
            ),
            View::new(
                "flips",
                Bilingual::new("flips last sweep", "上一轮翻转数"),
                ViewContent::scalar(self.last_flips.unwrap_or(self.flips_in_sweep) as f64),
            ),
            View::new(
                "equations",
                Bilingual::new("equations", "公式"),
                ViewContent::equations(
                    self.equations(),
                    if self.steps == 0 && self.next == 0 {
                        None
                    } else {
                        Some(3)
                    },
                ),
            ),
        ];
        if let Some((config, points)) = &self.capacity {
            views.push(View::new(
                "capacity",
                Bilingual::owned(
                    format!(
                        "capacity: mean final overlap vs α = {:.2}..{:.2} (N = {}, {} trials)",
                        config.alphas.first().copied().unwrap_or(0.0),
                        config.alphas.last().copied().unwrap_or(0.0),
                        config.neurons,
                        config.trials
                    ),
                    format!(
                        "容量：平均最终重叠 vs α = {:.2}..{:.2}（N = {}，{} 次试验）",
                        config.alphas.first().copied().unwrap_or(0.0),
                        config.alphas.last().copied().unwrap_or(0.0),
                        config.neurons,
                        config.trials
                    ),
                ),
                ViewContent::Plot(Plot {
                    curves: vec![
                        Curve {
                            label: Bilingual::new("mean final overlap m", "平均最终重叠 m"),
                            points: points
                                .iter()
                                .map(|pt| (pt.alpha, pt.mean_overlap))
                                .collect(),
                        },
                        Curve {
                            label: Bilingual::new("recalled (m ≥ 0.95)", "回忆成功（m ≥ 0.95）"),
                            points: points.iter().map(|pt| (pt.alpha, pt.recalled)).collect(),
                        },
                    ],
                    x_label: Bilingual::new("load α = P/N", "负载 α = P/N"),
                    y_label: Bilingual::new("overlap, fraction", "重叠、比例"),
                    x_range: Some((0.0, config.alphas.iter().copied().fold(0.0, f64::max))),
                    y_range: Some((0.0, 1.0)),
                    marks: vec![Mark {
                        axis: Axis::X,
                        value: 0.138,
                        label: Bilingual::same("α_c = 0.138"),
                    }],
                    // This network's own load, among them.
                    now: Some(self.p() as f64 / self.n().max(1) as f64),
                }),
            ));
            views.push(View::new(
                "capacity_result",
                Bilingual::new("capacity experiment", "容量实验"),
                ViewContent::text(Bilingual::owned(
                    capacity::verdict(points),
                    capacity::verdict_zh(points),
                )),
            ));
        }
        views
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Model;
    use crate::model::energy::hopfield::tests::model;

    #[test]
    fn random_grid_is_near_square_and_padding_cannot_be_edited() {
        let mut m = model(&["n=30"]);
        let views = m.views();
        let state = views.iter().find(|v| v.name == "state").unwrap();
        match &state.content {
            ViewContent::Pixels(Pixels {
                width,
                height,
                values,
                ..
            }) => {
                assert_eq!((*width, *height), (6, 5));
                assert_eq!(values.len(), 30);
            }
            other => panic!("{other:?}"),
        }
        let mut m2 = model(&["n=20"]);
        assert!(m2.edit("state", 20, 1.0).is_err());
        assert!(m2.edit("state", 19, 1.0).is_ok());
        assert!(m.edit("overlap", 0, 1.0).is_err());
        assert!(m.edit("state", 0, 0.0).is_err());
    }

    #[test]
    fn gallery_is_capped_and_shows_the_target() {
        let m = model(&["n=1024", "patterns=300", "target=250"]);
        let views = m.views();
        let gallery = views.iter().find(|v| v.name == "patterns").unwrap();
        match &gallery.content {
            ViewContent::Gallery(Gallery { items, marked, .. }) => {
                assert_eq!(items.len(), GALLERY_ITEMS);
                let k = marked.unwrap();
                let expect: Vec<f32> = m
                    .net
                    .memory
                    .pattern(250)
                    .iter()
                    .map(|&v| f32::from(v))
                    .collect();
                assert_eq!(items[k], expect);
            }
            other => panic!("{other:?}"),
        }
        let stored = views.iter().find(|v| v.name == "stored").unwrap();
        match &stored.content {
            ViewContent::Text(note) => {
                assert!(note.text.en.contains("276 not shown"), "{}", note.text.en)
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_capacity_action_adds_its_curve() {
        let mut m = model(&["n=100", "patterns=5"]);
        assert!(!m.views().iter().any(|v| v.name == "capacity"));
        m.act("capacity").unwrap();
        let views = m.views();
        let curve = views.iter().find(|v| v.name == "capacity").unwrap();
        match &curve.content {
            ViewContent::Plot(plot) => {
                let overlap: Vec<f64> = plot.curves[0].points.iter().map(|p| p.1).collect();
                assert_eq!(overlap.len(), 15);
                assert!(overlap[0] > 0.99 && overlap[14] < 0.6, "{overlap:?}");
                assert_eq!(plot.curves[0].points[0].0, 0.02, "against α");
                assert_eq!(plot.marks[0].value, 0.138);
                assert_eq!(plot.now, Some(0.05), "this network's load: 5/100");
            }
            other => panic!("{other:?}"),
        }
        assert!(views.iter().any(|v| v.name == "capacity_result"));
        m.step();
        assert!(
            m.views().iter().any(|v| v.name == "capacity"),
            "kept while stepping"
        );
    }
}
