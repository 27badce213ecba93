//! One search over every name an entry answers to, used by the command line
//! and the TUI alike.
//!
//! A query is compared, case-insensitively and with spaces, hyphens and
//! other punctuation left out on both sides, with each entry's keys: id,
//! abbreviation, English name, Chinese name, pinyin in full, pinyin initials
//! and aliases. Each entry is ranked by its best key, in tiers:
//!
//! 1. [`MatchKind::Outright`]: the query is the id or the abbreviation
//!    (`LSTM` is the LSTM cell, never BiLSTM);
//! 2. [`MatchKind::Exact`]: the query is a whole name, alias, pinyin or
//!    pinyin initials;
//! 3. [`MatchKind::Prefix`]: a key starts with the query (`长短期`,
//!    `changduanqi`, `cdqj` all start the LSTM cell's keys);
//! 4. [`MatchKind::Substring`]: a key contains it;
//! 5. [`MatchKind::Fuzzy`]: its characters appear in order in the id,
//!    abbreviation, a name or an alias (scored by nucleo-matcher's greedy
//!    fuzzy matcher); only for queries of at least [`MIN_FUZZY_ASCII`] Latin
//!    letters or two Chinese characters;
//! 6. [`MatchKind::Typo`]: every word of the query is a word of the
//!    entry's id, abbreviation, English name or aliases, in any order, or
//!    starts one, or is within a few edits of one (optimal string alignment
//!    distance from strsim: one edit from 4 letters, two from 7, three from
//!    10), so `Long Shart Term Memory` and `generayive` still land right.
//!
//! Within a tier, a key the query covers more of ranks higher (for typo
//! matches: fewer edits, then fewer words of the name left unmatched), then
//! the field (id and abbreviation, then names, aliases, pinyin, initials), then
//! catalogue order. An entry is only looked at by a later tier when no
//! earlier one matched it.
//!
//! The keys are normalised once per catalogue in a [`SearchIndex`]: a query
//! scans one buffer of all keys for substrings (memchr's memmem), tests keys
//! for a byte subsequence before nucleo scores them, and compares query
//! words for typos with the catalogue's distinct words rather than with
//! every entry.

use crate::catalogue::{Catalogue, Entry};
use nucleo_matcher::{Config, Matcher, Utf32Str, Utf32String};
use std::cell::RefCell;
use std::fmt;

/// Which of an entry's names a query matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    Id,
    Abbreviation,
    NameEn,
    NameZh,
    Pinyin,
    PinyinInitials,
    /// `aliases[i]`.
    Alias(usize),
    /// `source_spellings[i]`: the source's misspelling of the name.
    SourceSpelling(usize),
}

impl Field {
    /// The text of this field in `entry` (the pinyin initials are derived
    /// from the pinyin).
    pub fn text(self, entry: &Entry) -> String {
        match self {
            Field::Id => entry.id.clone(),
            Field::Abbreviation => entry.abbreviation.clone(),
            Field::NameEn => entry.name.en.to_string(),
            Field::NameZh => entry.name.zh.to_string(),
            Field::Pinyin => entry.pinyin.clone(),
            Field::PinyinInitials => initials(&entry.pinyin),
            Field::Alias(index) => entry.aliases.get(index).cloned().unwrap_or_default(),
            Field::SourceSpelling(index) => entry
                .source_spellings
                .get(index)
                .cloned()
                .unwrap_or_default(),
        }
    }

    fn weight(self) -> u32 {
        match self {
            Field::Id | Field::Abbreviation => 9,
            Field::NameEn | Field::NameZh => 8,
            Field::Alias(_) | Field::SourceSpelling(_) => 6,
            Field::Pinyin => 5,
            Field::PinyinInitials => 4,
        }
    }
}

/// How a query matched, best first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MatchKind {
    /// The query is the entry's id or abbreviation.
    Outright,
    /// The query is a whole name, alias, pinyin or pinyin initials.
    Exact,
    /// A key starts with the query.
    Prefix,
    /// A key contains the query.
    Substring,
    /// The query is an id or abbreviation with two neighbouring letters
    /// swapped (`lsmt`, `GUR`): the commonest slip in typing one.
    Transposed,
    /// The query's characters appear in order in a key.
    Fuzzy,
    /// Each word of the query is a word of the entry, starts one, or is a
    /// few edits away from one.
    Typo,
    /// The query was empty: every entry, in catalogue order.
    All,
}

impl MatchKind {
    fn base(self) -> u32 {
        match self {
            MatchKind::Outright => 6_000_000,
            MatchKind::Exact => 5_000_000,
            MatchKind::Prefix => 4_000_000,
            MatchKind::Substring => 3_000_000,
            MatchKind::Transposed => 2_500_000,
            MatchKind::Fuzzy => 2_000_000,
            MatchKind::Typo => 1_000_000,
            MatchKind::All => 0,
        }
    }
}

/// One entry found by [`search`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    /// Index into [`Catalogue::entries`].
    pub index: usize,
    /// Higher is better; comparable between hits of one search only.
    pub score: u32,
    /// The name that matched best.
    pub field: Field,
    pub kind: MatchKind,
}

/// The entries matching `query`, best first. An empty query (or one of
/// punctuation only) gives every entry in catalogue order.
pub fn search(catalogue: &Catalogue, query: &str) -> Vec<Hit> {
    catalogue.search_index().search(query)
}

/// The char indices of `text` that `query` matches, for highlighting: the
/// first place `text` contains the query (ignoring case and punctuation),
/// else the characters of a fuzzy subsequence match, else the word of `text`
/// a typo of the query stands for. Empty when nothing matches.
pub fn match_indices(text: &str, query: &str) -> Vec<usize> {
    let query = compact(query);
    if query.is_empty() {
        return Vec::new();
    }
    // The compact form of `text` and, for each of its chars, the char index in `text`.
    let mut haystack = String::new();
    let mut origin = Vec::new();
    for (index, c) in text.chars().enumerate() {
        for lower in c.to_lowercase().filter(|c| c.is_alphanumeric()) {
            haystack.push(lower);
            origin.push(index);
        }
    }
    if let Some(byte) = haystack.find(&query) {
        let start = haystack[..byte].chars().count();
        let len = query.chars().count();
        return dedup(origin[start..start + len].to_vec());
    }
    let found = MATCHER.with_borrow_mut(|matcher| {
        let mut buffer = Vec::new();
        let mut indices = Vec::new();
        let needle = Utf32String::from(query.as_str());
        matcher
            .fuzzy_indices(
                Utf32Str::new(&haystack, &mut buffer),
                needle.slice(..),
                &mut indices,
            )
            .map(|_| indices)
    });
    if let Some(indices) = found {
        return dedup(indices.iter().map(|&i| origin[i as usize]).collect());
    }
    // A typo: highlight the closest word within the allowed distance.
    let limit = typo_limit(query.chars().count());
    if limit == 0 {
        return Vec::new();
    }
    let mut best: Option<(usize, Vec<usize>)> = None;
    let mut word = String::new();
    let mut positions = Vec::new();
    let chars: Vec<char> = text.chars().collect();
    for (index, &c) in chars.iter().chain(std::iter::once(&' ')).enumerate() {
        if c.is_alphanumeric() {
            word.extend(c.to_lowercase());
            positions.push(index);
            continue;
        }
        if !word.is_empty() {
            let distance = strsim::osa_distance(&word, &query);
            if distance <= limit && best.as_ref().is_none_or(|(d, _)| distance < *d) {
                best = Some((distance, positions.clone()));
            }
        }
        word.clear();
        positions.clear();
    }
    best.map(|(_, positions)| positions).unwrap_or_default()
}

fn dedup(mut indices: Vec<usize>) -> Vec<usize> {
    indices.sort_unstable();
    indices.dedup();
    indices
}

thread_local! {
    static MATCHER: RefCell<Matcher> = RefCell::new(Matcher::new(Config::DEFAULT));
}

/// Lowercase, with every character that is not a letter or digit left out:
/// `Long Short-Term Memory` -> `longshorttermmemory`, `长短期` unchanged.
pub fn compact(text: &str) -> String {
    text.chars()
        .flat_map(char::to_lowercase)
        .filter(|c| c.is_alphanumeric())
        .collect()
}

/// The first letter of each pinyin syllable (syllables are separated by
/// spaces or punctuation): `chang duan qi ji yi` -> `cdqjy`.
pub fn initials(pinyin: &str) -> String {
    pinyin
        .split(|c: char| !c.is_alphanumeric())
        .filter_map(|syllable| syllable.chars().next())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Queries in Latin letters shorter than this are not matched as
/// subsequences: three letters in order are found in nearly any long name.
pub const MIN_FUZZY_ASCII: usize = 4;

/// How many edits a query of `len` chars may hold and still match.
fn typo_limit(len: usize) -> usize {
    match len {
        0..=3 => 0,
        4..=6 => 1,
        7..=9 => 2,
        _ => 3,
    }
}

/// A bit per ASCII letter and digit, and 28 bits shared by all other
/// characters (by code point): a key can only contain a query's characters
/// if it has all of the query's bits.
fn char_mask(text: &str) -> u64 {
    text.chars().fold(0, |mask, c| mask | char_bit(c))
}

fn char_bit(c: char) -> u64 {
    match c {
        'a'..='z' => 1 << (c as u32 - 'a' as u32),
        '0'..='9' => 1 << (26 + c as u32 - '0' as u32),
        _ => 1 << (36 + c as u32 % 28),
    }
}

/// One normalised key of one entry, stored in [`SearchIndex::buffer`].
struct Key {
    field: Field,
    entry: u32,
    /// Byte range of the key's compact text in the buffer.
    start: u32,
    end: u32,
    char_len: u32,
}

impl Key {
    /// Whether fuzzy subsequence matching applies: pinyin and its initials
    /// are matched by prefix and substring only (as subsequences they match
    /// nearly any short query).
    fn fuzzy(&self) -> bool {
        !matches!(self.field, Field::Pinyin | Field::PinyinInitials)
    }
}

/// A word of some entry's id, abbreviation, English name or aliases, for
/// matching query words with typos.
struct Word {
    text: Box<str>,
    mask: u64,
    /// The entries it is a word of, each with the field of fewest words it
    /// was found in and that field's number of words.
    postings: Vec<(u32, Field, u8)>,
}

/// The normalised search keys of a catalogue's entries, built once.
#[derive(Clone)]
pub struct SearchIndex {
    inner: std::sync::Arc<Inner>,
}

struct Inner {
    /// Every key of every entry, each followed by a `\n`.
    buffer: String,
    /// In buffer order.
    keys: Vec<Key>,
    /// Entry `i`'s keys are `keys[entry_keys[i]..entry_keys[i + 1]]`.
    entry_keys: Vec<u32>,
    /// Entry `i`'s keys matched as subsequences are
    /// `keys[entry_keys[i]..fuzzy_end[i]]`.
    fuzzy_end: Vec<u32>,
    /// [`char_mask`] of each key, and its byte range in `buffer`, parallel
    /// to `keys` (kept apart so that rejecting a key reads 8 bytes).
    key_masks: Vec<u64>,
    spans: Vec<(u32, u32)>,
    /// Union of the masks of each entry's keys matched as subsequences.
    fuzzy_masks: Vec<u64>,
    /// Distinct lowercase ASCII words of all entries.
    words: Vec<Word>,
}

impl fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SearchIndex")
            .field("entries", &self.inner.fuzzy_masks.len())
            .field("keys", &self.inner.keys.len())
            .field("words", &self.inner.words.len())
            .finish()
    }
}

impl SearchIndex {
    /// Normalises the keys of `entries` (in catalogue order).
    pub fn new(entries: &[Entry]) -> SearchIndex {
        let mut buffer = String::new();
        let mut keys = Vec::new();
        let mut entry_keys = Vec::with_capacity(entries.len() + 1);
        let mut key_masks = Vec::new();
        let mut spans = Vec::new();
        let mut fuzzy_masks = Vec::with_capacity(entries.len());
        let mut fuzzy_end = Vec::with_capacity(entries.len());
        let mut words: Vec<Word> = Vec::new();
        let mut word_ids: std::collections::HashMap<String, usize> =
            std::collections::HashMap::new();
        for (index, entry) in entries.iter().enumerate() {
            let index = index as u32;
            entry_keys.push(keys.len() as u32);
            let mut fields: Vec<(Field, &str)> = vec![(Field::Id, &entry.id)];
            for part in entry.abbreviation.split(['/', ',']) {
                fields.push((Field::Abbreviation, part));
            }
            fields.push((Field::NameEn, &entry.name.en));
            fields.push((Field::NameZh, &entry.name.zh));
            for (alias, text) in entry.aliases.iter().enumerate() {
                fields.push((Field::Alias(alias), text));
            }
            for (spelling, text) in entry.source_spellings.iter().enumerate() {
                fields.push((Field::SourceSpelling(spelling), text));
            }
            // Not matched as subsequences: they come last (see `fuzzy_end`).
            fields.push((Field::Pinyin, &entry.pinyin));
            let initials = initials(&entry.pinyin);
            fields.push((Field::PinyinInitials, &initials));
            let mut fuzzy_mask = 0;
            for &(field, text) in &fields {
                let text = compact(text);
                if text.is_empty() {
                    continue;
                }
                let mask = char_mask(&text);
                if !matches!(field, Field::Pinyin | Field::PinyinInitials) {
                    fuzzy_mask |= mask;
                }
                let start = buffer.len() as u32;
                buffer.push_str(&text);
                key_masks.push(mask);
                spans.push((start, buffer.len() as u32));
                keys.push(Key {
                    field,
                    entry: index,
                    start,
                    end: buffer.len() as u32,
                    char_len: text.chars().count() as u32,
                });
                buffer.push('\n');
            }
            fuzzy_masks.push(fuzzy_mask);
            let first = *entry_keys.last().expect("pushed above") as usize;
            let fuzzy = keys[first..].iter().take_while(|key| key.fuzzy()).count();
            fuzzy_end.push((first + fuzzy) as u32);
            for &(field, text) in &fields {
                if matches!(field, Field::Pinyin | Field::PinyinInitials | Field::NameZh) {
                    continue;
                }
                // Numbers are left out: nobody mistypes them into a name.
                let field_words: Vec<&str> = text
                    .split(|c: char| !c.is_ascii_alphanumeric())
                    .filter(|word| !word.is_empty() && !word.bytes().any(|b| b.is_ascii_digit()))
                    .collect();
                let count = field_words.len().min(u8::MAX as usize) as u8;
                for word in field_words {
                    let word = word.to_ascii_lowercase();
                    let id = *word_ids.entry(word.clone()).or_insert_with(|| {
                        words.push(Word {
                            mask: char_mask(&word),
                            text: word.into(),
                            postings: Vec::new(),
                        });
                        words.len() - 1
                    });
                    let postings = &mut words[id].postings;
                    match postings.last_mut() {
                        Some(last) if last.0 == index => {
                            if count < last.2 {
                                *last = (index, field, count);
                            }
                        }
                        _ => postings.push((index, field, count)),
                    }
                }
            }
        }
        entry_keys.push(keys.len() as u32);
        SearchIndex {
            inner: std::sync::Arc::new(Inner {
                buffer,
                keys,
                entry_keys,
                fuzzy_end,
                key_masks,
                spans,
                fuzzy_masks,
                words,
            }),
        }
    }

    /// See [`search`].
    pub fn search(&self, query: &str) -> Vec<Hit> {
        let inner = &*self.inner;
        let entry_count = inner.fuzzy_masks.len();
        let needle = compact(query);
        if needle.is_empty() {
            return (0..entry_count)
                .map(|index| Hit {
                    index,
                    score: 0,
                    field: Field::Id,
                    kind: MatchKind::All,
                })
                .collect();
        }
        let mut best = Best::new(entry_count);
        let needle_len = needle.chars().count();

        // Exact, prefix and substring matches: one scan of all keys.
        for at in memchr::memmem::find_iter(inner.buffer.as_bytes(), needle.as_bytes()) {
            let key = &inner.keys[inner.keys.partition_point(|key| key.start as usize <= at) - 1];
            let at = at as u32;
            let kind = if at == key.start && key.end - key.start == needle.len() as u32 {
                if matches!(key.field, Field::Id | Field::Abbreviation) {
                    MatchKind::Outright
                } else {
                    MatchKind::Exact
                }
            } else if at == key.start {
                MatchKind::Prefix
            } else {
                MatchKind::Substring
            };
            let quality = match kind {
                MatchKind::Prefix | MatchKind::Substring => {
                    (9999 * needle_len / key.char_len.max(1) as usize) as u32
                }
                _ => 0,
            };
            let index = key.entry as usize;
            best.offer(index, kind, quality, key.field);
        }

        // Ids and abbreviations of three letters or more with two
        // neighbouring letters swapped.
        if needle_len >= 3 && needle.is_ascii() {
            for key in &inner.keys {
                if !matches!(key.field, Field::Id | Field::Abbreviation)
                    || key.char_len as usize != needle_len
                    || best.has(key.entry as usize)
                {
                    continue;
                }
                let text = &inner.buffer[key.start as usize..key.end as usize];
                if is_transposition(text.as_bytes(), needle.as_bytes()) {
                    best.offer(key.entry as usize, MatchKind::Transposed, 0, key.field);
                }
            }
        }

        // Fuzzy subsequence matches, for entries without a better one. A
        // byte subsequence test (implied by a char subsequence) rules out
        // most keys before nucleo scores the rest.
        let needle_mask = char_mask(&needle);
        let fuzzy = if needle.is_ascii() {
            needle_len >= MIN_FUZZY_ASCII
        } else {
            needle_len >= 2
        };
        if fuzzy {
            MATCHER.with_borrow_mut(|matcher| {
                let pattern = Utf32String::from(needle.as_str());
                let mut chars = Vec::new();
                for index in 0..entry_count {
                    if best.has(index) || needle_mask & !inner.fuzzy_masks[index] != 0 {
                        continue;
                    }
                    let range = inner.entry_keys[index] as usize..inner.fuzzy_end[index] as usize;
                    for (number, &mask) in inner.key_masks[range.clone()].iter().enumerate() {
                        if needle_mask & !mask != 0 {
                            continue;
                        }
                        let (start, end) = inner.spans[range.start + number];
                        // Bytes are at least as many as chars: a cheap length test.
                        if ((end - start) as usize) < needle_len {
                            continue;
                        }
                        let bytes = &inner.buffer.as_bytes()[start as usize..end as usize];
                        if !is_subsequence(needle.as_bytes(), bytes) {
                            continue;
                        }
                        let key = &inner.keys[range.start + number];
                        let text = &inner.buffer[start as usize..end as usize];
                        let haystack = Utf32Str::new(text, &mut chars);
                        if let Some(score) = matcher.fuzzy_match_greedy(haystack, pattern.slice(..))
                        {
                            let quality = u32::from(score).min(9999);
                            best.offer(index, MatchKind::Fuzzy, quality, key.field);
                        }
                    }
                }
            });
        }

        self.typos(query, &mut best);

        best.hits()
    }

    /// Word matches for entries without a better one: every word of the
    /// query is a word of the entry's id, abbreviation, English name or
    /// aliases, starts one (three letters or more), or is within a few
    /// edits of one ([`typo_limit`]; four letters or more), in any order.
    fn typos(&self, query: &str, best: &mut Best) {
        if !query.is_ascii() {
            return;
        }
        let query_words: Vec<String> = query
            .split(|c: char| !c.is_ascii_alphanumeric())
            .filter(|word| !word.is_empty())
            .map(str::to_ascii_lowercase)
            .collect();
        if query_words.is_empty() {
            return;
        }
        let inner = &*self.inner;
        // Per entry: how many query words matched so far, their total
        // distance, and the field of the first match.
        // Per entry: how many query words matched so far, their total edit
        // distance, and the field and its word count of the first one.
        let mut matched = vec![(0u32, 0u32, Field::Id, 0u8); best.scores.len()];
        for (number, query_word) in query_words.iter().enumerate() {
            let number = number as u32;
            let len = query_word.len();
            let limit = typo_limit(len);
            let mask = char_mask(query_word);
            let mut candidates: Vec<(u32, &Word)> = Vec::new();
            for word in &inner.words {
                let distance = if *word.text == **query_word
                    || (len >= 3 && word.text.starts_with(query_word.as_str()))
                {
                    0
                } else if limit == 0
                    || word.text.len().abs_diff(len) > limit
                    || missing(mask, word.mask) > limit
                    || missing(word.mask, mask) > limit
                {
                    continue;
                } else {
                    let distance = strsim::osa_distance(&word.text, query_word);
                    if distance > limit {
                        continue;
                    }
                    distance as u32
                };
                candidates.push((distance, word));
            }
            // Closest words first, so an entry counts its closest word.
            candidates.sort_by_key(|&(distance, _)| distance);
            for (distance, word) in candidates {
                for &(entry, field, count) in &word.postings {
                    let state = &mut matched[entry as usize];
                    if state.0 == number {
                        let (field, count) = if number == 0 {
                            (field, count)
                        } else {
                            (state.2, state.3)
                        };
                        *state = (number + 1, state.1 + distance, field, count);
                    }
                }
            }
        }
        let all = query_words.len() as u32;
        for (index, &(count, distance, field, words)) in matched.iter().enumerate() {
            if count == all && !best.has(index) {
                // Fewer edits first, then names with fewer words left over.
                let extra = u32::from(words).saturating_sub(all).min(9);
                let quality = 9999u32.saturating_sub(1000 * distance + 100 * extra);
                best.offer(index, MatchKind::Typo, quality, field);
            }
        }
    }
}

/// Whether `a` becomes `b` by swapping one pair of neighbouring bytes.
fn is_transposition(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    let Some(first) = a.iter().zip(b).position(|(x, y)| x != y) else {
        return false;
    };
    first + 1 < a.len()
        && a[first] == b[first + 1]
        && a[first + 1] == b[first]
        && a[first + 2..] == b[first + 2..]
}

/// Whether the bytes of `needle` appear in order in `haystack`.
fn is_subsequence(needle: &[u8], haystack: &[u8]) -> bool {
    let mut rest = haystack;
    for &byte in needle {
        match memchr::memchr(byte, rest) {
            Some(at) => rest = &rest[at + 1..],
            None => return false,
        }
    }
    true
}

/// How many distinct characters of the query (by mask bit) `mask` lacks: a
/// lower bound of the edit distance.
fn missing(query_mask: u64, mask: u64) -> usize {
    (query_mask & !mask).count_ones() as usize
}

/// The best match so far of every entry: the scores (what the scans test,
/// 4 bytes an entry, 0 for none) apart from how each matched.
struct Best {
    scores: Vec<u32>,
    how: Vec<(Field, MatchKind)>,
}

impl Best {
    fn new(entries: usize) -> Best {
        Best {
            scores: vec![0; entries],
            how: vec![(Field::Id, MatchKind::All); entries],
        }
    }

    fn has(&self, index: usize) -> bool {
        self.scores[index] != 0
    }

    /// Keeps this match if it is the entry's best.
    fn offer(&mut self, index: usize, kind: MatchKind, quality: u32, field: Field) {
        let score = kind.base() + quality.min(9999) * 10 + field.weight();
        if score > self.scores[index] {
            self.scores[index] = score;
            self.how[index] = (field, kind);
        }
    }

    /// The hits, best first, then in catalogue order.
    fn hits(self) -> Vec<Hit> {
        let mut hits: Vec<Hit> = self
            .scores
            .iter()
            .zip(&self.how)
            .enumerate()
            .filter(|(_, (score, _))| **score != 0)
            .map(|(index, (&score, &(field, kind)))| Hit {
                index,
                score,
                field,
                kind,
            })
            .collect();
        hits.sort_by(|a, b| b.score.cmp(&a.score).then(a.index.cmp(&b.index)));
        hits
    }
}

/// What a query names, for commands that need exactly one entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// The query names this entry.
    Found(Hit),
    /// Several entries match equally well: the candidates, best first (at
    /// most [`MAX_CANDIDATES`]).
    Ambiguous(Vec<Hit>),
    /// Nothing matches (or the query was empty).
    NotFound,
}

/// How much better (in [`Hit::score`]) the best typo match must be than the
/// next to be taken: one edit fewer, or one word fewer left over in the
/// name it matched.
const TYPO_MARGIN: u32 = 1000;

/// How many candidates an ambiguous query lists at most.
pub const MAX_CANDIDATES: usize = 12;

/// Resolves `query` to one entry. The best hit is taken when it matched in
/// a better way ([`MatchKind`]) than every other hit: an id or
/// abbreviation beats a whole name, which beats a prefix, and so on. Among
/// typo matches, one that needs fewer edits, or matched a name with fewer
/// words left over, is taken too. When the two best hits matched in the
/// same way otherwise (`recurrent` starts both the
/// recurrent cell's and the recurrent network's names), the query is
/// ambiguous and the hits that matched that way are the candidates. An
/// empty query names nothing.
pub fn resolve(catalogue: &Catalogue, query: &str) -> Resolution {
    if compact(query).is_empty() {
        return Resolution::NotFound;
    }
    let hits = search(catalogue, query);
    match hits.as_slice() {
        [] => Resolution::NotFound,
        [only] => Resolution::Found(*only),
        [first, second, ..] if first.kind < second.kind => Resolution::Found(*first),
        [first, second, ..]
            if first.kind == MatchKind::Typo && first.score >= second.score + TYPO_MARGIN =>
        {
            Resolution::Found(*first)
        }
        [first, ..] => Resolution::Ambiguous(
            hits.iter()
                .take_while(|hit| hit.kind == first.kind)
                .take(MAX_CANDIDATES)
                .copied()
                .collect(),
        ),
    }
}
