//! Built-in input sequences for the models that read one vector per step:
//! a sine wave, a step, noise, and the one-hot characters of a typed word.
//!
//! Every sequence is a pure function of the seed, the time step and the
//! component, so a reset replays it exactly and filling the next input never
//! allocates. The sine wave is tabulated once, since it repeats.

use crate::model::params::{ParamKind, ParamRole, ParamSpec, ParamValue};
use crate::text::Bilingual;

/// The names of the sequences, as `--set sequence=...` takes them.
pub const SEQUENCES: &[&str] = &["sine", "step", "noise", "word"];

/// Steps in one period of the sine wave.
pub const SINE_PERIOD: usize = 16;

/// The step input switches from 0 to 1 at this time step.
pub const STEP_AT: u64 = 4;

/// The `sequence` parameter.
pub fn sequence_spec() -> ParamSpec {
    ParamSpec {
        name: "sequence",
        label: Bilingual::new("input sequence", "输入序列"),
        help: Bilingual::new(
            "What is fed in: a sine wave (one phase per component, period 16 steps), a step \
             (0 until step 4, then 1), uniform noise in [-1, 1] from the seed, or the one-hot \
             characters of `word`, one per step",
            "输入什么:正弦波(每个分量一个相位,周期 16 步)、阶跃(第 4 步前为 0,之后为 1)、\
             由种子生成的 [-1, 1] 均匀噪声,或 `word` 中字符的独热编码(每步一个)",
        ),
        kind: ParamKind::Choice(SEQUENCES),
        default: ParamValue::Choice("sine"),
        role: ParamRole::InputSource,
    }
}

/// The `word` parameter: the text fed as one-hot characters.
pub fn word_spec() -> ParamSpec {
    ParamSpec {
        name: "word",
        label: Bilingual::new("word", "单词"),
        help: Bilingual::new(
            "The word fed one character per step when sequence=word; letter a is component 0, \
             b is 1, ...; other characters by their code; all modulo the input size",
            "sequence=word 时每步输入一个字符;字母 a 为第 0 个分量,b 为第 1 个……;\
             其他字符按其编码;均对输入维度取模",
        ),
        kind: ParamKind::Text {
            max_len: 64,
            offered: &[],
        },
        default: ParamValue::Text("hello".into()),
        role: ParamRole::InputSource,
    }
}

/// One of the built-in sequences, ready to fill input vectors of one size.
#[derive(Debug, Clone, PartialEq)]
pub enum Feed {
    /// `SINE_PERIOD` rows of the input size: row `t % period`.
    Sine(Vec<f32>),
    Step,
    Noise,
    /// The component each character lights, in order.
    Word(Vec<usize>),
}

impl Feed {
    /// The sequence `name` (one of [`SEQUENCES`]) for inputs of `size`
    /// components; `word` is used by the word sequence.
    pub fn new(name: &str, word: &str, size: usize) -> Feed {
        match name {
            "step" => Feed::Step,
            "noise" => Feed::Noise,
            "word" => Feed::Word(word.chars().map(|ch| char_index(ch, size)).collect()),
            _ => {
                let mut table = Vec::with_capacity(SINE_PERIOD * size);
                for t in 0..SINE_PERIOD {
                    for j in 0..size {
                        let phase = t as f64 / SINE_PERIOD as f64 + j as f64 / size as f64;
                        table.push((std::f64::consts::TAU * phase).sin() as f32);
                    }
                }
                Feed::Sine(table)
            }
        }
    }

    /// The input at time step `t` into `x`.
    pub fn fill(&self, seed: u64, t: u64, x: &mut [f32]) {
        let size = x.len();
        match self {
            Feed::Sine(table) => {
                let row = (t % SINE_PERIOD as u64) as usize;
                x.copy_from_slice(&table[row * size..(row + 1) * size]);
            }
            Feed::Step => x.fill(if t >= STEP_AT { 1.0 } else { 0.0 }),
            Feed::Noise => {
                let base = splitmix(seed ^ 0x6e6f_6973_6521_0000 ^ t.wrapping_mul(0x9e37_79b9));
                for (j, v) in x.iter_mut().enumerate() {
                    let bits = splitmix(base.wrapping_add(j as u64));
                    // 24 random bits to a float in [-1, 1).
                    *v = (bits >> 40) as f32 / (1u64 << 23) as f32 - 1.0;
                }
            }
            Feed::Word(indices) => {
                x.fill(0.0);
                if !indices.is_empty() {
                    let index = indices[(t % indices.len() as u64) as usize];
                    if let Some(v) = x.get_mut(index) {
                        *v = 1.0;
                    }
                }
            }
        }
    }
}

/// What the input of time step `t` (from 0) of sequence `name` is, in
/// words: `sine wave, phase 5/16`, `word "hello": 'l' (3/5)`.
pub fn describe(name: &str, word: &str, t: u64) -> Bilingual {
    match name {
        "step" => {
            let (en, zh) = if t >= STEP_AT {
                ("on", "已开")
            } else {
                ("off", "未开")
            };
            Bilingual::owned(
                format!("step, {en} (1 from step {})", STEP_AT + 1),
                format!("阶跃,{zh}(第 {} 步起为 1)", STEP_AT + 1),
            )
        }
        "noise" => Bilingual::new("uniform noise in [-1, 1]", "[-1, 1] 均匀噪声"),
        "word" => {
            let chars: Vec<char> = word.chars().collect();
            if chars.is_empty() {
                return Bilingual::new("empty word: zeros", "空单词:全零");
            }
            let k = (t % chars.len() as u64) as usize;
            let ch = crate::text::escape_controls(&chars[k].to_string()).into_owned();
            let word = crate::text::escape_controls(word).into_owned();
            Bilingual::owned(
                format!("word \"{word}\": '{ch}' ({}/{})", k + 1, chars.len()),
                format!("单词 \"{word}\":'{ch}'(第 {}/{} 个)", k + 1, chars.len()),
            )
        }
        _ => {
            let phase = t % SINE_PERIOD as u64;
            Bilingual::owned(
                format!("sine wave, phase {phase}/{SINE_PERIOD}"),
                format!("正弦波,相位 {phase}/{SINE_PERIOD}"),
            )
        }
    }
}

/// The component a character lights in a one-hot input of `size` components.
pub fn char_index(ch: char, size: usize) -> usize {
    let code = match ch.to_ascii_lowercase() {
        c @ 'a'..='z' => c as usize - 'a' as usize,
        c => c as usize,
    };
    code % size.max(1)
}

/// SplitMix64: a fast, well-mixed hash of a 64-bit counter.
fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_word_lights_one_component_per_character() {
        let feed = Feed::new("word", "Abc", 4);
        let mut x = [9.0; 4];
        feed.fill(0, 0, &mut x);
        assert_eq!(x, [1.0, 0.0, 0.0, 0.0]);
        feed.fill(0, 2, &mut x);
        assert_eq!(x, [0.0, 0.0, 1.0, 0.0]);
        feed.fill(0, 4, &mut x);
        assert_eq!(x, [0.0, 1.0, 0.0, 0.0], "the word repeats");
        let empty = Feed::new("word", "", 4);
        empty.fill(0, 3, &mut x);
        assert_eq!(x, [0.0; 4]);
    }

    #[test]
    fn noise_is_a_function_of_seed_and_time() {
        let feed = Feed::new("noise", "", 8);
        let (mut a, mut b, mut c) = ([0.0; 8], [0.0; 8], [0.0; 8]);
        feed.fill(7, 3, &mut a);
        feed.fill(7, 3, &mut b);
        feed.fill(8, 3, &mut c);
        assert_eq!(a, b);
        assert_ne!(a, c);
        assert!(a.iter().all(|v| (-1.0..1.0).contains(v)));
    }

    #[test]
    fn sine_repeats_and_step_switches_on() {
        let feed = Feed::new("sine", "", 3);
        let (mut a, mut b) = ([0.0; 3], [0.0; 3]);
        feed.fill(0, 1, &mut a);
        feed.fill(0, 1 + SINE_PERIOD as u64, &mut b);
        assert_eq!(a, b);
        assert!((a[0] - (std::f32::consts::TAU / 16.0).sin()).abs() < 1e-6);
        let step = Feed::new("step", "", 2);
        step.fill(0, STEP_AT - 1, &mut a[..2]);
        assert_eq!(a[..2], [0.0, 0.0]);
        step.fill(0, STEP_AT, &mut a[..2]);
        assert_eq!(a[..2], [1.0, 1.0]);
    }
}
