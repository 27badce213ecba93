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
//! 5. [`MatchKind::Fuzzy`]: its characters appear in order in a key
//!    (nucleo-matcher's fuzzy subsequence score);
//! 6. [`MatchKind::Typo`]: a word of a name or alias, or the start of a key,
//!    is within a few edits of the query (optimal string alignment distance
//!    from strsim: one edit from 4 characters, two from 7, three from 10),
//!    so `hopfied` finds the Hopfield network.
//!
//! Within a tier, a key the query covers more of ranks higher, then the
//! field (id and abbreviation, then names, aliases, pinyin, initials), then
//! catalogue order. The keys are normalised once per catalogue in a
//! [`SearchIndex`]; a query scans one buffer of all keys for substrings and
//! runs the fuzzy and typo matchers only on keys whose letters can match.

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
        }
    }

    fn weight(self) -> u32 {
        match self {
            Field::Id | Field::Abbreviation => 9,
            Field::NameEn | Field::NameZh => 8,
            Field::Alias(_) => 6,
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
    /// The query's characters appear in order in a key.
    Fuzzy,
    /// A word or the start of a key is a few edits away from the query.
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

/// How many edits a query of `len` chars may hold and still match.
fn typo_limit(len: usize) -> usize {
    match len {
        0..=3 => 0,
        4..=6 => 1,
        7..=9 => 2,
        _ => 3,
    }
}

/// A bit per ASCII letter and digit, and one for everything else: a key can
/// only contain a query's characters if it has all of the query's bits.
fn char_mask(text: &str) -> u64 {
    text.chars().fold(0, |mask, c| mask | char_bit(c))
}

fn char_bit(c: char) -> u64 {
    match c {
        'a'..='z' => 1 << (c as u32 - 'a' as u32),
        '0'..='9' => 1 << (26 + c as u32 - '0' as u32),
        _ => 1 << 63,
    }
}

struct Key {
    field: Field,
    /// Compact form (see [`compact`]).
    text: String,
    chars: Utf32String,
    char_len: usize,
    mask: u64,
    /// Byte offset of `text` in [`SearchIndex::buffer`].
    offset: usize,
}

struct Word {
    field: Field,
    text: String,
    len: usize,
    mask: u64,
}

struct EntryKeys {
    keys: Vec<Key>,
    /// Lowercase ASCII words of four letters or more from the names,
    /// aliases and id, for typo matching.
    words: Vec<Word>,
    /// Union of the keys' masks.
    mask: u64,
}

/// The normalised search keys of a catalogue's entries, built once.
#[derive(Clone)]
pub struct SearchIndex {
    entries: std::sync::Arc<Vec<EntryKeys>>,
    /// Every key of every entry, each followed by a `\n`.
    buffer: std::sync::Arc<str>,
    /// `starts[i]`: byte offset in `buffer` of entry `i`'s first key.
    starts: std::sync::Arc<Vec<usize>>,
}

impl fmt::Debug for SearchIndex {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SearchIndex")
            .field("entries", &self.entries.len())
            .field("buffer_bytes", &self.buffer.len())
            .finish()
    }
}

impl SearchIndex {
    /// Normalises the keys of `entries` (in catalogue order).
    pub fn new(entries: &[Entry]) -> SearchIndex {
        let mut buffer = String::new();
        let mut starts = Vec::with_capacity(entries.len() + 1);
        let mut all = Vec::with_capacity(entries.len());
        for entry in entries {
            starts.push(buffer.len());
            let mut fields: Vec<(Field, String)> = vec![(Field::Id, entry.id.clone())];
            for part in entry.abbreviation.split(['/', ',']) {
                fields.push((Field::Abbreviation, part.to_owned()));
            }
            fields.push((Field::NameEn, entry.name.en.to_string()));
            fields.push((Field::NameZh, entry.name.zh.to_string()));
            fields.push((Field::Pinyin, entry.pinyin.clone()));
            fields.push((Field::PinyinInitials, initials(&entry.pinyin)));
            for (index, alias) in entry.aliases.iter().enumerate() {
                fields.push((Field::Alias(index), alias.clone()));
            }
            let mut keys = Vec::new();
            let mut mask = 0;
            for (field, text) in &fields {
                let text = compact(text);
                if text.is_empty() {
                    continue;
                }
                let key_mask = char_mask(&text);
                mask |= key_mask;
                keys.push(Key {
                    field: *field,
                    chars: Utf32String::from(text.as_str()),
                    char_len: text.chars().count(),
                    mask: key_mask,
                    offset: buffer.len(),
                    text: text.clone(),
                });
                buffer.push_str(&text);
                buffer.push('\n');
            }
            let mut words: Vec<Word> = Vec::new();
            for (field, text) in &fields {
                if matches!(field, Field::Pinyin | Field::PinyinInitials | Field::NameZh) {
                    continue;
                }
                for word in text.split(|c: char| !c.is_ascii_alphanumeric()) {
                    if word.len() < 4 {
                        continue;
                    }
                    let word = word.to_ascii_lowercase();
                    if words.iter().any(|known| known.text == word) {
                        continue;
                    }
                    words.push(Word {
                        field: *field,
                        len: word.len(),
                        mask: char_mask(&word),
                        text: word,
                    });
                }
            }
            all.push(EntryKeys { keys, words, mask });
        }
        starts.push(buffer.len());
        SearchIndex {
            entries: std::sync::Arc::new(all),
            buffer: buffer.into(),
            starts: std::sync::Arc::new(starts),
        }
    }

    /// See [`search`].
    pub fn search(&self, query: &str) -> Vec<Hit> {
        let query = compact(query);
        if query.is_empty() {
            return (0..self.entries.len())
                .map(|index| Hit {
                    index,
                    score: 0,
                    field: Field::Id,
                    kind: MatchKind::All,
                })
                .collect();
        }
        let mut best: Vec<Option<Hit>> = vec![None; self.entries.len()];
        let query_len = query.chars().count();

        // Exact, prefix and substring matches: one scan of all keys.
        for at in memchr::memmem::find_iter(self.buffer.as_bytes(), query.as_bytes()) {
            let index = self.starts.partition_point(|&start| start <= at) - 1;
            let keys = &self.entries[index].keys;
            let key = &keys[keys.partition_point(|key| key.offset <= at) - 1];
            let kind = if at == key.offset && key.text.len() == query.len() {
                if matches!(key.field, Field::Id | Field::Abbreviation) {
                    MatchKind::Outright
                } else {
                    MatchKind::Exact
                }
            } else if at == key.offset {
                MatchKind::Prefix
            } else {
                MatchKind::Substring
            };
            let quality = match kind {
                MatchKind::Prefix | MatchKind::Substring => {
                    (9999 * query_len / key.char_len.max(1)) as u32
                }
                _ => 0,
            };
            offer(&mut best[index], index, kind, quality, key.field);
        }

        let query_mask = char_mask(&query);
        let needle = Utf32String::from(query.as_str());
        let limit = if query.is_ascii() {
            typo_limit(query_len)
        } else {
            0
        };
        MATCHER.with_borrow_mut(|matcher| {
            for (index, entry) in self.entries.iter().enumerate() {
                if best[index].is_some() {
                    continue;
                }
                // Fuzzy: every query character must be somewhere in the key.
                if query_len > 1 && query_mask & !entry.mask == 0 {
                    for key in &entry.keys {
                        if query_mask & !key.mask != 0 || key.char_len < query_len {
                            continue;
                        }
                        if let Some(score) =
                            matcher.fuzzy_match(key.chars.slice(..), needle.slice(..))
                        {
                            offer(
                                &mut best[index],
                                index,
                                MatchKind::Fuzzy,
                                u32::from(score).min(9999),
                                key.field,
                            );
                        }
                    }
                }
                if best[index].is_some() || limit == 0 {
                    continue;
                }
                // Typos: whole words, and the start of keys (multi-word queries).
                for word in &entry.words {
                    if word.len.abs_diff(query_len) > limit
                        || missing(query_mask, word.mask) > limit
                    {
                        continue;
                    }
                    let distance = strsim::osa_distance(&word.text, &query);
                    if distance <= limit {
                        let quality = (9999 - 3000 * distance) as u32;
                        offer(
                            &mut best[index],
                            index,
                            MatchKind::Typo,
                            quality,
                            word.field,
                        );
                    }
                }
                if query_len < 7 {
                    continue;
                }
                for key in &entry.keys {
                    if !key.text.is_ascii()
                        || key.char_len + limit < query_len
                        || missing(query_mask, key.mask) > limit
                    {
                        continue;
                    }
                    let distance = (query_len.saturating_sub(1)..=query_len + 1)
                        .filter(|&len| len <= key.text.len())
                        .map(|len| strsim::osa_distance(&key.text[..len], &query))
                        .min()
                        .unwrap_or(usize::MAX);
                    if distance <= limit {
                        let quality = (9999 - 3000 * distance) as u32;
                        offer(&mut best[index], index, MatchKind::Typo, quality, key.field);
                    }
                }
            }
        });

        let mut hits: Vec<Hit> = best.into_iter().flatten().collect();
        hits.sort_by(|a, b| b.score.cmp(&a.score).then(a.index.cmp(&b.index)));
        hits
    }
}

/// How many distinct characters of the query (by mask bit) `mask` lacks: a
/// lower bound of the edit distance.
fn missing(query_mask: u64, mask: u64) -> usize {
    (query_mask & !mask).count_ones() as usize
}

fn offer(best: &mut Option<Hit>, index: usize, kind: MatchKind, quality: u32, field: Field) {
    let score = kind.base() + quality.min(9999) * 10 + field.weight();
    if best.is_none_or(|hit| hit.score < score) {
        *best = Some(Hit {
            index,
            score,
            field,
            kind,
        });
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

/// How many candidates an ambiguous query lists at most.
pub const MAX_CANDIDATES: usize = 12;

/// Resolves `query` to one entry. The best hit is taken when it matched in
/// a better way ([`MatchKind`]) than every other hit: an id or
/// abbreviation beats a whole name, which beats a prefix, and so on. When
/// the two best hits matched in the same way (`recurrent` starts both the
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
        [first, ..] => Resolution::Ambiguous(
            hits.iter()
                .take_while(|hit| hit.kind == first.kind)
                .take(MAX_CANDIDATES)
                .copied()
                .collect(),
        ),
    }
}
