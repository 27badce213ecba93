//! What state a Hopfield network is in, in words: a probe not yet run, still
//! moving, recalled (the target or another pattern), the reversed pattern,
//! near a pattern, a spurious mixture and of which patterns, or a two-cycle.
//!
//! J. J. Hopfield, "Neural networks and physical systems with emergent
//! collective computational abilities", PNAS 79 (8): 2554–2558, 1982: −ξ is
//! as stable as ξ, and mixtures of stored patterns are spurious stable
//! states; synchronous updates may two-cycle.

use super::{Hopfield, Probe};
use crate::model::{Status, StatusLevel};
use crate::text::Bilingual;

impl Hopfield {
    /// Pixels where the state differs from the target.
    pub(super) fn hamming(&self) -> usize {
        self.net
            .state
            .iter()
            .zip(&self.target_pattern)
            .filter(|(a, b)| a != b)
            .count()
    }

    /// Pattern μ's name: its index, and a set's picture name too.
    pub(super) fn name(&self, mu: usize) -> String {
        match self.names.get(mu) {
            Some(name) if *name != mu.to_string() => format!("{name} ({mu})"),
            _ => mu.to_string(),
        }
    }

    /// Pattern μ as a sentence calls it, in English and Chinese: a named
    /// picture by its name (`A`), a numbered one as `pattern 3`.
    pub(super) fn called(&self, mu: usize) -> (String, String) {
        match self.names.get(mu) {
            Some(name) if *name != mu.to_string() => (name.clone(), name.clone()),
            _ => (format!("pattern {mu}"), format!("模式 {mu}")),
        }
    }

    /// Whether the state is at rest: at T = 0, a whole sweep flipped no
    /// neuron (a fixed point: each neuron already has the sign of its
    /// field), or synchronous updates flip back and forth for good.
    pub(super) fn resting(&self) -> bool {
        if self.temperature > 0.0 || (self.steps == 0 && self.next == 0) {
            return false;
        }
        let fixed = self.last_flips == Some(0) && self.flips_in_sweep == 0;
        fixed || self.two_cycle_since.is_some()
    }

    /// The pattern with the largest |overlap|, and that overlap.
    fn closest(&self) -> (usize, f32) {
        let mut best = (0, 0f32);
        for (mu, &m) in self.net.overlaps().iter().enumerate() {
            if m.abs() > best.1.abs() {
                best = (mu, m);
            }
        }
        best
    }
    /// The status line: what the state is now.
    pub(super) fn recall_status(&self) -> Option<Status> {
        let info = |en: String, zh: String| Status {
            level: StatusLevel::Info,
            text: Bilingual::owned(en, zh),
        };
        let warn = |en: String, zh: String| Status {
            level: StatusLevel::Warning,
            text: Bilingual::owned(en, zh),
        };
        if let Some(note) = &self.note {
            return Some(warn(note.clone(), note.clone()));
        }
        let (target, target_zh) = self.called(self.target);
        if self.steps == 0 && self.next == 0 {
            let how = match &self.probe {
                Probe::Noise { flipped } => (
                    format!(
                        "probe: {target} with {} flipped",
                        crate::text::count(*flipped as u64, "pixel", "pixels")
                    ),
                    format!("探针：{target_zh}，翻转了 {flipped} 个像素"),
                ),
                Probe::Blanked => (
                    format!("probe: {target} with its lower half blanked"),
                    format!("探针：{target_zh}，下半部分清空"),
                ),
                Probe::Mixture(mix) => {
                    let names = mix.map(|mu| self.name(mu)).join(", ");
                    (
                        format!("probe: the mixture sign(ξ + ξ' + ξ'') of patterns {names}"),
                        format!("探针：模式 {names} 的混合 sign(ξ + ξ' + ξ'')"),
                    )
                }
                Probe::Drawn => ("probe: drawn by hand".to_string(), "探针：手绘".to_string()),
                Probe::Cleared => {
                    return Some(info(
                        "a clean picture: drag the mouse (or e) to draw, s stores the drawing, space runs it".to_string(),
                        "空白图片：拖动鼠标（或按 e）绘制，s 存储所画图片，空格键运行".to_string(),
                    ));
                }
                Probe::Kept => (
                    format!(
                        "{} stored now; the state is kept",
                        crate::text::count(self.p() as u64, "pattern", "patterns")
                    ),
                    format!("现在存储了 {} 个模式；状态保留", self.p()),
                ),
            };
            let d = self.hamming();
            // A noisy probe's distance is its flips, said already.
            let (far, far_zh) = if matches!(self.probe, Probe::Noise { .. }) {
                (String::new(), String::new())
            } else {
                (
                    format!(
                        "; {} from the target {target}",
                        crate::text::count(d as u64, "pixel", "pixels")
                    ),
                    format!("；与目标 {target_zh} 相差 {d} 个像素"),
                )
            };
            return Some(info(
                format!("{}{far}; space runs until it settles", how.0),
                format!("{}{far_zh}；空格键运行直到稳定", how.1),
            ));
        }
        if let Some(since) = self.two_cycle_since {
            return Some(warn(
                format!(
                    "caught in a two-cycle since step {since}: synchronous updates flip back and forth between two states"
                ),
                format!("自第 {since} 步起陷入二周期：同步更新在两个状态之间来回翻转"),
            ));
        }
        let (best, m) = self.closest();
        let (best_name, best_zh) = self.called(best);
        let settled = self.last_flips == Some(0) && self.flips_in_sweep == 0;
        if !settled || self.temperature > 0.0 {
            let flips = self.last_flips.unwrap_or(self.flips_in_sweep);
            let t = if self.temperature > 0.0 {
                format!(" at T = {}", self.temperature)
            } else {
                String::new()
            };
            // Before the first sweep ends, the flips are this sweep's so far.
            let (when, when_zh) = if self.last_flips.is_some() {
                ("in the last sweep", "上一轮")
            } else {
                ("so far in this sweep", "本轮至此")
            };
            return Some(info(
                format!(
                    "still moving{t}: {} {when}; closest to {best_name} (m = {m:+.3})",
                    crate::text::count(flips as u64, "flip", "flips")
                ),
                format!("仍在变化{t}：{when_zh}翻转 {flips} 个；最接近 {best_zh}（m = {m:+.3}）"),
            ));
        }
        let sweeps_zh = self.last_change;
        let sweeps = crate::text::count(self.last_change, "sweep", "sweeps");
        let d_best = ((1.0 - m.abs()) * self.n() as f32 / 2.0).round() as usize;
        if m == 1.0 {
            if best == self.target {
                Some(info(
                    format!("recalled {best_name} after {sweeps}"),
                    format!("经过 {sweeps_zh} 轮回忆出 {best_zh}"),
                ))
            } else {
                Some(warn(
                    format!("recalled {best_name} after {sweeps}, not the target {target}"),
                    format!("经过 {sweeps_zh} 轮回忆出 {best_zh}，不是目标 {target_zh}"),
                ))
            }
        } else if m == -1.0 {
            Some(warn(
                format!(
                    "settled after {sweeps} in the reversed {best_name}: every pixel inverted (−ξ is stored too)"
                ),
                format!("经过 {sweeps_zh} 轮停在反转的{best_zh}：每个像素都相反（−ξ 也是稳定态）"),
            ))
        } else if m.abs() >= 0.9 {
            let rev = if m < 0.0 { "the reversed " } else { "" };
            let rev_zh = if m < 0.0 { "反转的" } else { "" };
            let level = if best == self.target && m > 0.0 {
                info
            } else {
                warn
            };
            Some(level(
                format!(
                    "settled after {sweeps} near {rev}{best_name}, {} off (m = {m:+.3})",
                    crate::text::count(d_best as u64, "pixel", "pixels")
                ),
                format!(
                    "经过 {sweeps_zh} 轮停在{rev_zh}{best_zh}附近，差 {d_best} 个像素（m = {m:+.3}）"
                ),
            ))
        } else {
            let overlaps = self.net.overlaps();
            let mut ranked: Vec<usize> = (0..overlaps.len()).collect();
            ranked.sort_by(|&a, &b| overlaps[b].abs().total_cmp(&overlaps[a].abs()));
            let mixed: Vec<String> = ranked
                .iter()
                .take(3)
                .filter(|&&mu| overlaps[mu].abs() >= 0.1)
                .map(|&mu| format!("{} ({:+.2})", self.name(mu), overlaps[mu]))
                .collect();
            let (mixed, mixed_zh) = if mixed.is_empty() {
                (
                    "no pattern (all overlaps below 0.1)".to_string(),
                    "无（所有重叠都低于 0.1）".to_string(),
                )
            } else {
                (mixed.join(", "), mixed.join("、"))
            };
            Some(warn(
                format!("stuck in a spurious state after {sweeps}, mixing patterns {mixed}"),
                format!("经过 {sweeps_zh} 轮陷入伪稳态，混合了模式 {mixed_zh}"),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::model::energy::hopfield::tests::model;
    use crate::model::{Model, StatusLevel};

    #[test]
    fn recall_reports_the_target() {
        let mut m = model(&["n=400", "patterns=10", "noise=0.1"]);
        assert!(
            m.status()
                .unwrap()
                .text
                .en
                .starts_with("probe: pattern 0 with 40 pixels")
        );
        for _ in 0..10 {
            m.step();
        }
        let status = m.status().unwrap();
        assert_eq!(status.level, StatusLevel::Info);
        assert!(
            status.text.en.starts_with("recalled pattern 0 after"),
            "{}",
            status.text.en
        );
        assert_eq!(m.hamming(), 0);
    }

    #[test]
    fn reversed_probe_settles_in_the_reversed_pattern() {
        let mut m = model(&["n=400", "patterns=5", "noise=0.95"]);
        for _ in 0..10 {
            m.step();
        }
        let text = m.status().unwrap().text.en;
        assert!(text.contains("reversed pattern 0"), "{text}");
    }

    #[test]
    fn mixture_of_three_is_a_spurious_state() {
        let mut m = model(&["n=1000", "patterns=3", "noise=0"]);
        m.act("mixture").unwrap();
        for _ in 0..10 {
            m.step();
        }
        let status = m.status().unwrap();
        assert_eq!(status.level, StatusLevel::Warning);
        assert!(
            status.text.en.starts_with("stuck in a spurious state"),
            "{}",
            status.text.en
        );
        for mu in ["0 (+0.", "1 (+0.", "2 (+0."] {
            assert!(status.text.en.contains(mu), "{}", status.text.en);
        }
    }
}
