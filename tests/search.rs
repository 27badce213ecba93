//! Finding an entry by any of its names.

use nnzoo::catalogue::{Catalogue, Entry};
use nnzoo::search::{Field, MatchKind, Resolution, match_indices, resolve, search};
use proptest::prelude::*;

fn top(catalogue: &Catalogue, query: &str) -> String {
    let hits = search(catalogue, query);
    let hit = hits
        .first()
        .unwrap_or_else(|| panic!("`{query}` finds nothing"));
    catalogue.entries()[hit.index].id.clone()
}

fn found(catalogue: &Catalogue, query: &str) -> String {
    match resolve(catalogue, query) {
        Resolution::Found(hit) => catalogue.entries()[hit.index].id.clone(),
        other => panic!("`{query}` does not resolve to one entry: {other:?}"),
    }
}

#[test]
fn chinese_substring_pinyin_and_initials_find_the_lstm_cell() {
    let catalogue = Catalogue::builtin();
    for query in [
        "长短期",
        "长短期记忆神经元",
        "changduanqi",
        "chang duan qi",
        "ChangDuanQi",
        "cdqj",
        "CDQJ",
    ] {
        assert_eq!(found(&catalogue, query), "lstm-cell", "{query}");
    }
    // Any substring of a Chinese name matches.
    let hits = search(&catalogue, "记忆神经");
    assert_eq!(catalogue.entries()[hits[0].index].id, "lstm-cell");
    assert_eq!(hits[0].field, Field::NameZh);
    assert_eq!(hits[0].kind, MatchKind::Substring);
    // 长短期 is also inside BiLSTM's name: found, but ranked below.
    let ids: Vec<&str> = search(&catalogue, "长短期")
        .iter()
        .map(|h| catalogue.entries()[h.index].id.as_str())
        .collect();
    assert_eq!(ids[0], "lstm-cell");
    assert!(ids.contains(&"bilstm"), "{ids:?}");
}

#[test]
fn an_exact_id_or_abbreviation_wins_outright() {
    let catalogue = Catalogue::builtin();
    for (query, id) in [
        ("LSTM", "lstm-cell"),
        ("lstm", "lstm-cell"),
        ("GRU", "gru-cell"),
        ("RNN", "rnn"),
        ("rbm", "rbm"),
        ("lstm-cell", "lstm-cell"),
        ("LSTM Cell", "lstm-cell"),
        ("hopfield", "hopfield"),
        ("HN", "hopfield"),
    ] {
        let hits = search(&catalogue, query);
        assert_eq!(catalogue.entries()[hits[0].index].id, id, "{query}");
        assert_eq!(hits[0].kind, MatchKind::Outright, "{query}");
        assert_eq!(found(&catalogue, query), id, "{query}");
    }
}

#[test]
fn typos_are_forgiven() {
    let catalogue = Catalogue::builtin();
    for (query, id) in [
        ("hopfied", "hopfield"),
        ("Hopfeild network", "hopfield"),
        ("boltzman machine", "boltzmann-machine"),
        ("perceptorn", "perceptron"),
        ("Long Shart Term Memory", "lstm-cell"),
        ("Generayive", "gan"),
        ("Generayive Adversarial Network", "gan"),
        ("Radial Basic Function", "rbf"),
        ("Connexted", "convolutional-layer"),
    ] {
        assert_eq!(top(&catalogue, query), id, "{query}");
    }
}

/// Typo matching on its own, without the catalogue's aliases that spell
/// the source's misspellings.
#[test]
fn typos_are_forgiven_without_aliases() {
    let entries: Vec<Entry> = Catalogue::builtin()
        .entries()
        .iter()
        .cloned()
        .map(|mut entry| {
            entry.aliases.clear();
            entry.source_spellings.clear();
            entry
        })
        .collect();
    let catalogue = Catalogue::from_entries(entries);
    for (query, id, kind) in [
        ("hopfied", "hopfield", MatchKind::Fuzzy),
        ("hopfeild", "hopfield", MatchKind::Transposed),
        ("Long Shart Term Memory", "lstm-cell", MatchKind::Typo),
        ("Generayive", "gan", MatchKind::Typo),
        ("boltzman", "boltzmann-machine", MatchKind::Prefix),
        ("boltzmn machin", "boltzmann-machine", MatchKind::Fuzzy),
    ] {
        let hits = search(&catalogue, query);
        assert!(!hits.is_empty(), "{query}");
        assert_eq!(catalogue.entries()[hits[0].index].id, id, "{query}");
        assert_eq!(hits[0].kind, kind, "{query}");
    }
}

#[test]
fn aliases_match() {
    let catalogue = Catalogue::builtin();
    let hits = search(&catalogue, "nn.LSTMCell");
    let hit = hits[0];
    assert_eq!(catalogue.entries()[hit.index].id, "lstm-cell");
    assert!(matches!(hit.field, Field::Alias(_)), "{hit:?}");
    assert_eq!(hit.kind, MatchKind::Exact);
}

#[test]
fn the_sources_misspellings_match_and_are_told_apart_from_names() {
    let catalogue = Catalogue::builtin();
    for (query, id) in [
        ("Long Shart Term Memory", "lstm-cell"),
        ("Hopfied Network", "hopfield"),
        ("Radial Basic Function", "rbf"),
    ] {
        let hit = search(&catalogue, query)[0];
        let entry = &catalogue.entries()[hit.index];
        assert_eq!(entry.id, id, "{query}");
        assert!(
            matches!(hit.field, Field::SourceSpelling(_)),
            "{query}: {hit:?}"
        );
        assert_eq!(hit.kind, MatchKind::Exact, "{query}");
        assert!(
            !entry.aliases.iter().any(|a| a == query),
            "{query} is the source's misspelling, not a name"
        );
    }
}

#[test]
fn an_empty_query_gives_everything_in_catalogue_order() {
    let catalogue = Catalogue::builtin();
    for query in ["", "   ", "-"] {
        let hits = search(&catalogue, query);
        let indices: Vec<usize> = hits.iter().map(|h| h.index).collect();
        assert_eq!(indices, (0..catalogue.entries().len()).collect::<Vec<_>>());
        assert!(hits.iter().all(|h| h.kind == MatchKind::All));
    }
    assert_eq!(resolve(&catalogue, ""), Resolution::NotFound);
}

#[test]
fn hits_are_ranked_best_first() {
    let catalogue = Catalogue::builtin();
    for query in ["net", "memory", "recurrent", "自编码", "ae", "cell"] {
        let hits = search(&catalogue, query);
        assert!(hits.len() > 1, "{query}");
        for pair in hits.windows(2) {
            assert!(pair[0].score >= pair[1].score, "{query}: {pair:?}");
            assert!(pair[0].kind <= pair[1].kind, "{query}: {pair:?}");
        }
    }
}

#[test]
fn a_query_matching_several_entries_equally_is_ambiguous() {
    let catalogue = Catalogue::builtin();
    match resolve(&catalogue, "recurrent") {
        Resolution::Ambiguous(hits) => {
            let ids: Vec<&str> = hits
                .iter()
                .map(|h| catalogue.entries()[h.index].id.as_str())
                .collect();
            assert!(ids.contains(&"recurrent-cell"), "{ids:?}");
            assert!(ids.contains(&"rnn"), "{ids:?}");
            assert!(hits.iter().all(|h| h.kind == hits[0].kind));
        }
        other => panic!("`recurrent` should be ambiguous: {other:?}"),
    }
    assert_eq!(resolve(&catalogue, "zzzzqqqq"), Resolution::NotFound);
    // Typo matches: the name with fewer words left over is taken (the
    // Boltzmann machine is also a "stochastic Hopfield network").
    assert_eq!(found(&catalogue, "hopfeild net"), "hopfield");
}

#[test]
fn match_indices_mark_the_matched_chars() {
    assert_eq!(
        match_indices("Long Short-Term Memory Cell", "short term"),
        vec![5, 6, 7, 8, 9, 11, 12, 13, 14]
    );
    assert_eq!(match_indices("长短期记忆神经元", "短期"), vec![1, 2]);
    assert_eq!(match_indices("LSTM", "lstm"), vec![0, 1, 2, 3]);
    // Fuzzy: the characters in order.
    assert_eq!(match_indices("lstm-cell", "lstmcl"), vec![0, 1, 2, 3, 5, 7]);
    // A typo: the word it stands for.
    assert_eq!(
        match_indices("Generative Adversarial Network", "generayive"),
        (0..10).collect::<Vec<_>>()
    );
    assert!(match_indices("Hopfield Network", "").is_empty());
    assert!(match_indices("Hopfield Network", "xyz").is_empty());
}

proptest! {
    #[test]
    fn search_never_panics_and_hits_are_valid(query in "\\PC{0,24}") {
        let catalogue = Catalogue::builtin();
        let hits = search(&catalogue, &query);
        let mut seen = std::collections::HashSet::new();
        for hit in &hits {
            prop_assert!(hit.index < catalogue.entries().len());
            prop_assert!(seen.insert(hit.index), "entry listed twice");
        }
        let _ = resolve(&catalogue, &query);
    }

    #[test]
    fn match_indices_stay_inside_the_text(text in "\\PC{0,30}", query in "\\PC{0,10}") {
        let count = text.chars().count();
        let indices = match_indices(&text, &query);
        prop_assert!(indices.iter().all(|&i| i < count));
        prop_assert!(indices.windows(2).all(|w| w[0] < w[1]));
    }
}

#[test]
fn swapped_letters_in_an_abbreviation_find_it_first() {
    let catalogue = Catalogue::builtin();
    for (query, id) in [
        ("lsmt", "lstm-cell"),
        ("LTSM", "lstm-cell"),
        ("GUR", "gru-cell"),
        ("rgu", "gru-cell"),
        ("BRM", "rbm"),
    ] {
        let hits = search(&catalogue, query);
        assert_eq!(catalogue.entries()[hits[0].index].id, id, "{query}");
        assert_eq!(hits[0].kind, MatchKind::Transposed, "{query}");
        match resolve(&catalogue, query) {
            Resolution::Found(hit) => {
                assert_eq!(catalogue.entries()[hit.index].id, id, "{query}")
            }
            other => panic!("{query}: {other:?}"),
        }
    }
    // Two letters apart is not a swap.
    assert!(
        search(&catalogue, "msl")
            .iter()
            .all(|h| h.kind != MatchKind::Transposed)
    );
}

#[test]
fn the_usual_chinese_variants_find_their_entries() {
    let catalogue = Catalogue::builtin();
    for (query, id) in [
        ("自编码器", "autoencoder"),
        ("马尔科夫", "markov-chain"),
        ("霍普菲尔德", "hopfield"),
        ("受限玻尔兹曼机器", "rbm"),
        ("门控循环单元", "gru-cell"),
        ("感知器", "perceptron"),
        ("深度置信网络", "dbn"),
    ] {
        let hits = search(&catalogue, query);
        assert!(!hits.is_empty(), "{query}");
        assert_eq!(catalogue.entries()[hits[0].index].id, id, "{query}");
    }
}
