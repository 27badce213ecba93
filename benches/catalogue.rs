//! Speed of the catalogue: loading the embedded entries, and ranking 10,000
//! entries for one query.
//!
//! `cargo bench --bench catalogue -- --warm-up-time 1 --measurement-time 3`
//!
//! Targets: loading at most 5 ms, a search at most 1 ms (medians).

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use nnzoo::catalogue::{Catalogue, Category, CellKind, Entry};
use nnzoo::search::{SearchIndex, search};
use nnzoo::text::Bilingual;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use std::hint::black_box;

const WORDS: &[&str] = &[
    "Deep",
    "Convolutional",
    "Recurrent",
    "Gated",
    "Residual",
    "Sparse",
    "Variational",
    "Denoising",
    "Bidirectional",
    "Spiking",
    "Echo",
    "State",
    "Liquid",
    "Memory",
    "Attention",
    "Capsule",
    "Belief",
    "Boltzmann",
    "Kernel",
    "Radial",
    "Basis",
    "Function",
    "Inverse",
    "Graphics",
    "Adversarial",
    "Generative",
    "Neural",
    "Network",
    "Machine",
    "Cell",
    "Layer",
    "Transformer",
    "Graph",
    "Quantum",
    "Hierarchical",
    "Temporal",
    "Modular",
    "Stochastic",
];

/// Chinese characters with their pinyin.
const HANZI: &[(&str, &str)] = &[
    ("深", "shen"),
    ("度", "du"),
    ("卷", "juan"),
    ("积", "ji"),
    ("循", "xun"),
    ("环", "huan"),
    ("门", "men"),
    ("控", "kong"),
    ("残", "can"),
    ("差", "cha"),
    ("稀", "xi"),
    ("疏", "shu"),
    ("变", "bian"),
    ("分", "fen"),
    ("去", "qu"),
    ("噪", "zao"),
    ("双", "shuang"),
    ("向", "xiang"),
    ("脉", "mai"),
    ("冲", "chong"),
    ("回", "hui"),
    ("声", "sheng"),
    ("状", "zhuang"),
    ("态", "tai"),
    ("液", "ye"),
    ("记", "ji"),
    ("忆", "yi"),
    ("注", "zhu"),
    ("意", "yi"),
    ("力", "li"),
    ("胶", "jiao"),
    ("囊", "nang"),
    ("信", "xin"),
    ("念", "nian"),
    ("核", "he"),
    ("神", "shen"),
    ("经", "jing"),
    ("网", "wang"),
    ("络", "luo"),
    ("机", "ji"),
    ("元", "yuan"),
    ("层", "ceng"),
    ("图", "tu"),
    ("量", "liang"),
    ("子", "zi"),
    ("时", "shi"),
    ("间", "jian"),
];

/// `count` entries with names, pinyin and aliases like the real ones'.
fn synthetic(count: usize) -> Vec<Entry> {
    let mut rng = StdRng::seed_from_u64(7);
    (0..count)
        .map(|n| {
            let words: Vec<&str> = (0..rng.random_range(2..=5))
                .map(|_| *WORDS.choose(&mut rng).unwrap())
                .collect();
            let en = format!("{} {n}", words.join(" "));
            let hanzi: Vec<(&str, &str)> = (0..rng.random_range(3..=9))
                .map(|_| *HANZI.choose(&mut rng).unwrap())
                .collect();
            let zh: String = hanzi.iter().map(|(c, _)| *c).collect();
            let pinyin: Vec<&str> = hanzi.iter().map(|(_, p)| *p).collect();
            let abbreviation: String = words.iter().map(|w| &w[..1]).collect();
            let aliases = (0..rng.random_range(0..=3))
                .map(|a| {
                    format!(
                        "{} {} {a}",
                        words.last().unwrap(),
                        WORDS.choose(&mut rng).unwrap()
                    )
                })
                .collect();
            Entry {
                id: format!("synthetic-{n}"),
                abbreviation: format!("{abbreviation}{n}"),
                category: Category::Network,
                name: Bilingual::owned(en, zh.clone()),
                pinyin: pinyin.join(" "),
                aliases,
                source_spellings: Vec::new(),
                glyph: CellKind::Hidden,
                summary: Bilingual::owned("A synthetic entry.", "合成条目。"),
                description: Bilingual::owned("Only for benchmarks.", "仅用于基准测试。"),
                equations: Vec::new(),
                diagram: Vec::new(),
                references: Vec::new(),
                related: Vec::new(),
                model: String::new(),
            }
        })
        .collect()
}

/// The built-in entries plus synthetic ones, 10,000 in all.
fn ten_thousand() -> Catalogue {
    let mut entries = Catalogue::builtin().entries().to_vec();
    entries.extend(synthetic(10_000 - entries.len()));
    Catalogue::from_entries(entries)
}

fn loading(c: &mut Criterion) {
    c.bench_function("load embedded catalogue", |b| {
        b.iter(|| black_box(Catalogue::builtin()))
    });
}

fn searching(c: &mut Criterion) {
    let catalogue = ten_thousand();
    assert_eq!(catalogue.entries().len(), 10_000);
    assert!(
        catalogue.problems().is_empty(),
        "{:?}",
        catalogue.problems().first()
    );
    search(&catalogue, "warm up the index");
    let mut group = c.benchmark_group("search 10,000 entries");
    for query in [
        "LSTM",
        "长短期",
        "changduanqi",
        "cdqj",
        "hopfied",
        "Long Shart Term Memory",
        "generayive adversarial",
        "net",
        "zzzzqqqq",
    ] {
        group.bench_with_input(BenchmarkId::from_parameter(query), query, |b, query| {
            b.iter(|| black_box(search(&catalogue, query)))
        });
    }
    // A peer measured in the same run, to judge the machine's noise: the
    // simplest possible scan, a lowercase `contains` over every English name.
    let names: Vec<String> = catalogue
        .entries()
        .iter()
        .map(|entry| entry.name.en.to_lowercase())
        .collect();
    group.bench_function("peer: contains over English names", |b| {
        b.iter(|| {
            black_box(
                names
                    .iter()
                    .enumerate()
                    .filter(|(_, name)| name.contains(black_box("net")))
                    .map(|(index, _)| index)
                    .collect::<Vec<_>>(),
            )
        })
    });
    group.finish();
    c.bench_function("build search index of 10,000 entries", |b| {
        b.iter(|| black_box(SearchIndex::new(catalogue.entries())))
    });
}

criterion_group!(benches, loading, searching);
criterion_main!(benches);
