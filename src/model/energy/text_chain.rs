//! A character-level Markov chain of order k, learnt from a text: the next
//! character depends only on the k characters before it.
//!
//! C. E. Shannon, "A Mathematical Theory of Communication", Bell System
//! Technical Journal 27:379–423, 1948, section 3 ("The series of
//! approximations to English"), which generated text this way.
//!
//! With n(w) the number of times the k characters w occur in the text and
//! n(w c) the number of times c follows them:
//!
//! ```text
//! P(c | w) = n(w c) / n(w)
//! H(w)     = −Σ_c P(c | w) log₂ P(c | w)        bits for the next character after w
//! H_k      = Σ_w (n(w) / N) H(w)                the chain's bits per character over the text
//! ```
//!
//! One step has three stages: read the context w (the last k characters
//! written), look up P(· | w), draw the next character from it. H_k is
//! shown for every order from 0 to 3, so that a person sees the
//! uncertainty fall as the chain remembers more. The text is read as a
//! ring (its end followed by its start), so every context seen has a next
//! character.
//!
//! The texts are public domain: Shakespeare's plays (the "tiny Shakespeare"
//! selection) and the Analects of Confucius (论语); see `assets/text`.

use crate::model::view::{Table, Vector};
use crate::model::{Model, Params, Status, StatusLevel, View, ViewContent};
use crate::text::Bilingual;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

/// The highest order offered.
pub const MAX_ORDER: usize = 3;
/// Characters of generated text kept (the view shows the latest).
const KEPT: usize = 4000;
/// Candidates drawn as bars; the rest are summed into one.
const SHOWN: usize = 10;

/// A bundled text: its name in the `text` parameter, its title, its characters.
pub struct Corpus {
    pub name: &'static str,
    pub title: Bilingual,
    pub text: &'static str,
}

/// The texts built in.
pub const CORPORA: &[Corpus] = &[
    Corpus {
        name: "en",
        title: Bilingual::new("Shakespeare", "莎士比亚"),
        text: include_str!("../../../assets/text/shakespeare.txt"),
    },
    Corpus {
        name: "zh",
        title: Bilingual::new("the Analects (论语)", "《论语》"),
        text: include_str!("../../../assets/text/lunyu.txt"),
    },
];

/// The names the `text` parameter takes.
pub const CORPUS_NAMES: &[&str] = &["en", "zh"];

/// A context of up to [`MAX_ORDER`] characters packed into one key (21
/// bits a character).
type Context = u64;

fn push(context: Context, c: char, order: usize) -> Context {
    if order == 0 {
        return 0;
    }
    let mask = (1u64 << (21 * order)) - 1;
    ((context << 21) | u64::from(c)) & mask
}

/// What a text says of one order: for each context, its successors by
/// count (most frequent first) and their total.
pub struct Counts {
    pub order: usize,
    next: HashMap<Context, (u32, Vec<(char, u32)>)>,
    /// H_k in bits per character.
    pub entropy_rate: f64,
    pub contexts: usize,
}

impl Counts {
    /// Counts the text read as a ring.
    pub fn learn(text: &[char], order: usize) -> Counts {
        let mut tallies: HashMap<Context, HashMap<char, u32>> = HashMap::new();
        let n = text.len();
        let mut context = 0;
        // Prime the context with the last `order` characters (the ring).
        for &c in &text[n.saturating_sub(order)..] {
            context = push(context, c, order);
        }
        for &c in text {
            *tallies.entry(context).or_default().entry(c).or_default() += 1;
            context = push(context, c, order);
        }
        let mut next = HashMap::with_capacity(tallies.len());
        let mut entropy_rate = 0.0;
        for (context, followers) in tallies {
            let mut followers: Vec<(char, u32)> = followers.into_iter().collect();
            followers.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
            let total: u32 = followers.iter().map(|f| f.1).sum();
            entropy_rate += f64::from(total) / n as f64 * entropy(&followers, total);
            next.insert(context, (total, followers));
        }
        Counts {
            order,
            contexts: next.len(),
            next,
            entropy_rate,
        }
    }

    /// n(w) and the successors of `context`, most frequent first.
    pub fn after(&self, context: Context) -> Option<(u32, &[(char, u32)])> {
        self.next.get(&context).map(|(n, f)| (*n, f.as_slice()))
    }

    /// Mean −log₂ P(c | w) over another text (held out from the one
    /// counted), from its `order`-th character on. Counts are smoothed by
    /// adding `alpha` for each of `alphabet` characters,
    /// P(c | w) = (n(w c) + α) / (n(w) + α |A|), so that a pair never
    /// counted still has a probability.
    pub fn held_out_bits(&self, text: &[char], alphabet: usize, alpha: f64) -> f64 {
        let order = self.order;
        let mut context = 0;
        for &c in text.iter().take(order) {
            context = push(context, c, order);
        }
        let mut total = 0.0;
        let mut scored = 0usize;
        for &c in text.iter().skip(order) {
            let (n_w, n_wc) = match self.after(context) {
                Some((n, followers)) => (
                    f64::from(n),
                    followers
                        .iter()
                        .find(|f| f.0 == c)
                        .map_or(0.0, |f| f64::from(f.1)),
                ),
                None => (0.0, 0.0),
            };
            total -= ((n_wc + alpha) / (n_w + alpha * alphabet as f64)).log2();
            scored += 1;
            context = push(context, c, order);
        }
        total / scored.max(1) as f64
    }
}

/// H = −Σ p log₂ p of counts summing to `total`.
fn entropy(followers: &[(char, u32)], total: u32) -> f64 {
    followers
        .iter()
        .map(|&(_, k)| {
            let p = f64::from(k) / f64::from(total);
            -p * p.log2()
        })
        .sum()
}

/// A corpus learnt at every order 0..=3, computed once per run and shared
/// by every chain built on it.
pub struct Learnt {
    pub corpus: &'static Corpus,
    pub chars: Vec<char>,
    pub orders: Vec<Counts>,
}

/// The corpus named `name`, learnt (the work is done once per corpus).
pub fn learnt(name: &str) -> Arc<Learnt> {
    static CACHE: OnceLock<Mutex<HashMap<&'static str, Arc<Learnt>>>> = OnceLock::new();
    let corpus = CORPORA
        .iter()
        .find(|c| c.name == name)
        .unwrap_or(&CORPORA[0]);
    let cache = CACHE.get_or_init(Default::default);
    if let Some(found) = cache.lock().ok().and_then(|c| c.get(corpus.name).cloned()) {
        return found;
    }
    let chars: Vec<char> = corpus.text.chars().collect();
    let orders = (0..=MAX_ORDER).map(|k| Counts::learn(&chars, k)).collect();
    let learnt = Arc::new(Learnt {
        corpus,
        chars,
        orders,
    });
    if let Ok(mut cache) = cache.lock() {
        cache.insert(corpus.name, learnt.clone());
    }
    learnt
}

/// The stages of one step.
const STAGES: [Bilingual; 3] = [
    Bilingual::new("read the context w", "读取上下文 w"),
    Bilingual::new("look up P(next | w)", "查 P(下一个 | w)"),
    Bilingual::new("draw the next character", "抽取下一个字符"),
];

/// A chain of one order generating text from its corpus.
#[derive(Clone)]
pub struct TextChain {
    params: Params,
    seed: u64,
    learnt: Arc<Learnt>,
    order: usize,
    rng: StdRng,
    /// The text written so far (the first k characters are the corpus's,
    /// to start from), at most [`KEPT`].
    written: Vec<char>,
    context: Context,
    next_stage: usize,
    steps: u64,
    /// Σ −log₂ P of the characters drawn, and how many.
    surprisal: f64,
    drawn: u64,
    /// The last character drawn and its probability.
    last: Option<(char, f64)>,
}

impl TextChain {
    pub fn new(params: &Params, seed: u64) -> TextChain {
        let learnt = learnt(params.choice("text"));
        let order = (params.int("order").max(0) as usize).min(MAX_ORDER);
        let mut rng = StdRng::seed_from_u64(seed);
        // Start at the beginning of a random line, primed with its first k
        // characters.
        let chars = &learnt.chars;
        let from = rng.random_range(0..chars.len());
        let start = chars[from..]
            .iter()
            .position(|&c| c == '\n')
            .map_or(0, |i| (from + i + 1) % chars.len());
        let mut written = Vec::new();
        let mut context = 0;
        for i in 0..order {
            let c = chars[(start + i) % chars.len()];
            written.push(c);
            context = push(context, c, order);
        }
        TextChain {
            params: params.clone(),
            seed,
            learnt,
            order,
            rng,
            written,
            context,
            next_stage: 0,
            steps: 0,
            surprisal: 0.0,
            drawn: 0,
            last: None,
        }
    }

    fn counts(&self) -> &Counts {
        &self.learnt.orders[self.order]
    }

    /// n(w) and the successors of the current context.
    fn successors(&self) -> (u32, &[(char, u32)]) {
        // Every context the chain can reach was seen (the text is a ring).
        self.counts().after(self.context).unwrap_or((0, &[]))
    }

    /// The current context as text.
    fn context_text(&self) -> String {
        let k = self.order;
        self.written[self.written.len().saturating_sub(k)..]
            .iter()
            .collect()
    }

    /// The text written so far.
    pub fn written(&self) -> String {
        self.written.iter().collect()
    }

    /// Mean −log₂ P of the characters drawn so far, in bits.
    pub fn bits_per_char(&self) -> Option<f64> {
        (self.drawn > 0).then(|| self.surprisal / self.drawn as f64)
    }

    /// H_k of this chain over its text, in bits per character.
    pub fn entropy_rate(&self) -> f64 {
        self.counts().entropy_rate
    }

    fn draw(&mut self) {
        let learnt = self.learnt.clone();
        let Some((total, followers)) = learnt.orders[self.order].after(self.context) else {
            return;
        };
        let u = self.rng.random_range(0..total);
        let mut acc = 0;
        let mut pick = followers[0];
        for &f in followers {
            acc += f.1;
            if u < acc {
                pick = f;
                break;
            }
        }
        let p = f64::from(pick.1) / f64::from(total);
        self.surprisal -= p.log2();
        self.drawn += 1;
        self.last = Some((pick.0, p));
        if self.written.len() == KEPT {
            self.written.drain(..KEPT / 4);
        }
        self.written.push(pick.0);
        self.context = push(self.context, pick.0, self.order);
    }

    fn distribution_view(&self) -> View {
        let (total, followers) = self.successors();
        let mut labels: Vec<String> = Vec::new();
        let mut values: Vec<f32> = Vec::new();
        for &(c, k) in followers.iter().take(SHOWN) {
            labels.push(shown_char(c));
            values.push(k as f32 / total.max(1) as f32);
        }
        let rest: u32 = followers.iter().skip(SHOWN).map(|f| f.1).sum();
        if rest > 0 {
            let others = followers.len() - SHOWN;
            labels.push(format!("+{others}"));
            values.push(rest as f32 / total as f32);
        }
        let w = shown_text(&self.context_text());
        View::new(
            "next",
            Bilingual::owned(
                format!("P(next | “{w}”), from {total} times in the text"),
                format!("P(下一个 | “{w}”)，来自文中出现的 {total} 次"),
            ),
            ViewContent::Vector(Vector {
                values,
                range: (0.0, 1.0),
                labels: labels.into_iter().map(Bilingual::same).collect(),
            }),
        )
    }

    fn entropy_table(&self) -> View {
        let rows = self
            .learnt
            .orders
            .iter()
            .map(|counts| {
                vec![
                    counts.order.to_string(),
                    format!("{:.3}", counts.entropy_rate),
                    counts.contexts.to_string(),
                ]
            })
            .collect();
        View::new(
            "entropy",
            Bilingual::new(
                "bits per character H_k by order k, and how many contexts w",
                "各阶 k 的每字符比特数 H_k，及上下文 w 的个数",
            ),
            ViewContent::Table(Table::same(
                vec!["k".into(), "H_k".into(), "|{w}|".into()],
                rows,
                Some(self.order),
            )),
        )
    }
}

/// A character as a bar label: spaces and line ends made visible.
pub fn shown_char(c: char) -> String {
    match c {
        ' ' => "␣".into(),
        '\n' => "↵".into(),
        c if c.is_control() => crate::text::escape_controls(&c.to_string()).into_owned(),
        c => c.to_string(),
    }
}

/// Text on one line: line ends as ↵.
fn shown_text(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            ' ' => " ".into(),
            c => shown_char(c),
        })
        .collect()
}

impl Model for TextChain {
    fn snapshot(&self) -> Box<dyn Model> {
        Box::new(self.clone())
    }

    fn params(&self) -> &Params {
        &self.params
    }

    fn seed(&self) -> u64 {
        self.seed
    }

    fn reset(&mut self, seed: u64) {
        *self = TextChain::new(&self.params, seed);
    }

    fn stage_count(&self) -> usize {
        STAGES.len()
    }

    fn stage_label(&self, index: usize) -> Bilingual {
        STAGES[index.min(STAGES.len() - 1)].clone()
    }

    fn next_stage(&self) -> usize {
        self.next_stage
    }

    fn steps_done(&self) -> u64 {
        self.steps
    }

    fn stage(&mut self) {
        // Reading the context and looking up its row change nothing but
        // what is shown; the draw writes the character.
        if self.next_stage == 2 {
            self.draw();
            self.steps += 1;
        }
        self.next_stage = (self.next_stage + 1) % STAGES.len();
    }

    fn step(&mut self) {
        self.draw();
        self.steps += 1;
        self.next_stage = 0;
    }

    fn views(&self) -> Vec<View> {
        let corpus = &self.learnt.corpus.title;
        let k = self.order;
        let (total, followers) = self.successors();
        let h = entropy(followers, total.max(1));
        let w = shown_text(&self.context_text());
        let stage = self.next_stage;
        let mut lines = vec![
            Bilingual::owned(
                format!("w = the last {k} characters: “{w}”"),
                format!("w = 最后 {k} 个字符：“{w}”"),
            ),
            Bilingual::owned(
                format!(
                    "P(c | w) = n(w c) / n(w), n(w) = {total}; {} characters can follow",
                    followers.len()
                ),
                format!(
                    "P(c | w) = n(w c) / n(w)，n(w) = {total}；可接 {} 种字符",
                    followers.len()
                ),
            ),
            Bilingual::new(
                "draw c from P(· | w) and write it",
                "从 P(· | w) 抽取 c 并写下",
            ),
            Bilingual::owned(
                format!("H(w) = −Σ P log₂ P = {h:.3} bits for this character"),
                format!("H(w) = −Σ P log₂ P = {h:.3} 比特（这个字符）"),
            ),
        ];
        if let Some(bits) = self.bits_per_char() {
            lines.push(Bilingual::owned(
                format!(
                    "the text written: {bits:.3} bits per character (H_{k} = {:.3})",
                    self.entropy_rate()
                ),
                format!(
                    "已写的文字：每字符 {bits:.3} 比特（H_{k} = {:.3}）",
                    self.entropy_rate()
                ),
            ));
        }
        // Line ends are kept; any other control character is made visible.
        let written: String = self
            .written
            .iter()
            .map(|&c| match c {
                '\n' => "\n".to_string(),
                c if c.is_control() => shown_char(c),
                c => c.to_string(),
            })
            .collect();
        vec![
            View::new(
                "written",
                Bilingual::owned(
                    format!("text written by the order-{k} chain of {}", corpus.en),
                    format!("{}的 {k} 阶链写出的文字", corpus.zh),
                ),
                ViewContent::stream(Bilingual::same(written)),
            ),
            View::new(
                "step",
                Bilingual::new("one step", "一步"),
                ViewContent::steps(lines, Some(stage)),
            ),
            self.distribution_view(),
            self.entropy_table(),
        ]
    }

    fn status(&self) -> Option<Status> {
        let (c, p) = self.last?;
        let c = shown_char(c);
        Some(Status {
            level: StatusLevel::Info,
            text: Bilingual::owned(
                format!("drew “{c}” (P = {p:.3}, {:.2} bits)", -p.log2()),
                format!("抽到 “{c}”（P = {p:.3}，{:.2} 比特）", -p.log2()),
            ),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_the_text_read_as_a_ring() {
        let text: Vec<char> = "abab".chars().collect();
        let order1 = Counts::learn(&text, 1);
        // a is always followed by b, b by a (the last b by the first a).
        let (n, next) = order1.after(push(0, 'a', 1)).unwrap();
        assert_eq!((n, next), (2, &[('b', 2)][..]));
        assert_eq!(order1.entropy_rate, 0.0);
        // Order 0: a and b equally often: one bit.
        let order0 = Counts::learn(&text, 0);
        assert!((order0.entropy_rate - 1.0).abs() < 1e-12);
    }

    #[test]
    fn every_character_drawn_follows_its_context_somewhere_in_the_text() {
        let specs = crate::model::energy::markov_chain::params();
        let mut params = Params::defaults(specs);
        params.set("chain", "text").unwrap();
        params.set("text", "zh").unwrap();
        params.set("order", "2").unwrap();
        let mut chain = TextChain::new(&params, 7);
        let ring: String = chain
            .learnt
            .chars
            .iter()
            .chain(&chain.learnt.chars[..2])
            .collect();
        for _ in 0..3 * 200 {
            chain.stage();
        }
        assert_eq!(chain.steps_done(), 200);
        let written: Vec<char> = chain.written.clone();
        assert_eq!(written.len(), 2 + 200);
        for window in written.windows(3) {
            let piece: String = window.iter().collect();
            assert!(ring.contains(&piece), "“{piece}” is not in the text");
        }
        // The same seed writes the same text; another seed another.
        let mut again = TextChain::new(&params, 7);
        let mut other = TextChain::new(&params, 8);
        for _ in 0..200 {
            again.step();
            other.step();
        }
        assert_eq!(again.written, written);
        assert_ne!(other.written, written);
        let bits = again.bits_per_char().unwrap();
        assert!(bits > 0.0 && bits < 8.0, "{bits}");
    }

    #[test]
    fn held_out_bits_are_the_smoothed_counts() {
        // After a: b twice, c never. With α = 1 over 3 characters,
        // P(b | a) = 3/5, P(c | a) = 1/5.
        let counts = Counts::learn(&['a', 'b', 'a', 'b'], 1);
        let bits = counts.held_out_bits(&['a', 'b', 'a', 'c'], 3, 1.0);
        // Scored: b after a, a after b (n(b a) = 2 of 2), c after a.
        let want = -((3.0f64 / 5.0).log2() + (3.0f64 / 5.0).log2() + (1.0f64 / 5.0).log2()) / 3.0;
        assert!((bits - want).abs() < 1e-12, "{bits} {want}");
    }

    #[test]
    fn entropy_falls_with_order_on_both_texts() {
        for name in ["zh", "en"] {
            let learnt = learnt(name);
            let rates: Vec<f64> = learnt.orders.iter().map(|c| c.entropy_rate).collect();
            assert!(rates.windows(2).all(|w| w[1] < w[0]), "{name}: {rates:?}");
            // Every order counts every character once.
            for counts in &learnt.orders {
                let total: u64 = counts.next.values().map(|(n, _)| u64::from(*n)).sum();
                assert_eq!(
                    total,
                    learnt.chars.len() as u64,
                    "{name} order {}",
                    counts.order
                );
            }
        }
    }
}
