//! Loading the catalogue: the built-in entries, `--zoo` folders, and every
//! kind of broken file reported with its path and place.

use nnzoo::catalogue::{Catalogue, Category, Problem};
use serde_json::{Value, json};
use std::fs;
use std::path::Path;

/// A valid entry with this id, independent of the built-in data.
fn entry_json(id: &str) -> Value {
    json!({
        "id": id,
        "abbreviation": "",
        "category": "network",
        "name": { "en": format!("Test {id}"), "zh": "测试网络" },
        "pinyin": "ce shi wang luo",
        "aliases": [],
        "glyph": "hidden",
        "summary": { "en": "A test entry.", "zh": "测试条目。" },
        "description": { "en": "Only for tests.", "zh": "仅用于测试。" },
        "equations": [],
        "diagram": [[{ "kind": "input", "count": 2 }], [{ "kind": "output", "count": 1 }]],
        "references": [{ "authors": "A. Author", "title": "A title", "year": 2000, "venue": "A venue" }],
        "related": [],
        "model": ""
    })
}

fn write(dir: &Path, name: &str, contents: impl AsRef<[u8]>) {
    fs::write(dir.join(name), contents).unwrap();
}

fn write_entry(dir: &Path, id: &str, edit: impl FnOnce(&mut Value)) {
    let mut value = entry_json(id);
    edit(&mut value);
    write(
        dir,
        &format!("{id}.json"),
        serde_json::to_string_pretty(&value).unwrap(),
    );
}

/// The catalogue of `dir` and its problems that come from files in `dir`.
fn load(dir: &Path) -> (Catalogue, Vec<Problem>) {
    let catalogue = Catalogue::builtin().with_dir(dir);
    let prefix = dir.display().to_string();
    let problems = catalogue
        .problems()
        .iter()
        .filter(|p| p.source.starts_with(&prefix))
        .cloned()
        .collect();
    (catalogue, problems)
}

/// The one problem reported for `file`.
fn only_problem(problems: &[Problem], file: &str) -> Problem {
    let found: Vec<&Problem> = problems
        .iter()
        .filter(|p| p.source.ends_with(file))
        .collect();
    assert_eq!(
        found.len(),
        1,
        "expected one problem for {file}: {found:#?}"
    );
    found[0].clone()
}

#[test]
fn builtin_catalogue_has_no_problems() {
    let catalogue = Catalogue::builtin();
    let problems: Vec<String> = catalogue.problems().iter().map(|p| p.to_string()).collect();
    assert!(problems.is_empty(), "problems:\n{}", problems.join("\n"));
}

/// Every row of the source table, the poster's extra entries and the
/// concepts, by the ids all helpers use, with the Chinese name exactly as the
/// source gives it.
#[test]
fn every_source_row_is_an_entry_with_its_exact_chinese_name() {
    let expected = [
        ("basic-cell", "基本神经网络元"),
        ("convolutional-cell", "卷积神经元"),
        ("deconvolutional-cell", "解卷积神经元"),
        ("pooling-cell", "池化神经元/插值神经元"),
        ("mean-std-cell", "均值神经元/标准方差神经元"),
        ("recurrent-cell", "循环神经元"),
        ("lstm-cell", "长短期记忆神经元"),
        ("gru-cell", "门控循环神经元"),
        ("layer", "神经细胞层"),
        ("convolutional-layer", "卷积连接层"),
        ("time-delay", "时间滞后连接"),
        ("perceptron", "感知机"),
        ("feed-forward", "前馈神经网络"),
        ("rbf", "径向基神经网络"),
        ("deep-feed-forward", "深度前馈神经网络"),
        ("hopfield", "霍普菲尔网络"),
        ("markov-chain", "马尔可夫链"),
        ("boltzmann-machine", "玻尔兹曼机"),
        ("rbm", "受限玻尔兹曼机"),
        ("autoencoder", "自编码机"),
        ("sparse-autoencoder", "稀疏自编码机"),
        ("vae", "变分自编码机"),
        ("denoising-autoencoder", "去噪自编码机"),
        ("dbn", "深度信念网络"),
        ("cnn", "卷积神经网络"),
        ("deconvolutional-network", "解卷积网络"),
        ("dcign", "深度卷积逆向图网络"),
        ("gan", "生成式对抗网络"),
        ("rnn", "循环神经网络"),
        ("ntm", "神经图灵机"),
        ("birnn", "双向循环神经网络"),
        ("bilstm", "双向长短期记忆网络"),
        ("bigru", "双向门控循环网络"),
        ("drn", "深度残差网络"),
        ("esn", "回声状态网络"),
        ("kohonen", "Kohonen 网络"),
        ("svm", "支持向量机"),
        ("lsm", "液态机"),
        ("elm", "极限学习机"),
        ("dnc", "可微神经计算机"),
        ("capsule-network", "胶囊网络"),
        ("attention-network", "注意力网络"),
        ("relu", "修正函数"),
    ];
    let catalogue = Catalogue::builtin();
    let mut wrong = Vec::new();
    for (id, zh) in expected {
        match catalogue.get(id) {
            None => wrong.push(format!("{id}: missing")),
            Some(entry) if entry.name.zh != zh => wrong.push(format!(
                "{id}: Chinese name {:?}, expected {zh:?}",
                entry.name.zh
            )),
            Some(_) => {}
        }
    }
    for id in [
        "tensor-sharing",
        "argmax",
        "conv-weight-shape",
        "cnn-shape-table",
        "training-process",
        "entropy",
        "relu",
    ] {
        match catalogue.get(id) {
            Some(entry) if entry.category == Category::Concept => {}
            Some(_) => wrong.push(format!("{id}: not in the concept category")),
            None => wrong.push(format!("{id}: missing")),
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn only_lstm_and_gru_cells_have_those_abbreviations() {
    let catalogue = Catalogue::builtin();
    for (abbreviation, id) in [("LSTM", "lstm-cell"), ("GRU", "gru-cell")] {
        let owners: Vec<&str> = catalogue
            .entries()
            .iter()
            .filter(|e| e.abbreviation.eq_ignore_ascii_case(abbreviation))
            .map(|e| e.id.as_str())
            .collect();
        assert_eq!(owners, [id]);
    }
}

#[test]
fn entries_are_sorted_by_category_then_english_name() {
    let catalogue = Catalogue::builtin();
    let keys: Vec<(Category, String)> = catalogue
        .entries()
        .iter()
        .map(|e| (e.category, e.name.en.to_lowercase()))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted);
}

#[test]
fn entry_files_in_a_folder_add_and_override_by_id() {
    let dir = tempfile::tempdir().unwrap();
    write_entry(dir.path(), "test-net", |_| {});
    write_entry(dir.path(), "lstm-cell", |v| {
        v["name"]["en"] = json!("Overridden LSTM")
    });
    write(dir.path(), "README.md", "not an entry");
    write(dir.path(), "schema.json", "{\"not\": \"an entry\"}");
    let before = Catalogue::builtin().entries().len();
    let (catalogue, problems) = load(dir.path());
    assert!(problems.is_empty(), "{problems:#?}");
    assert_eq!(catalogue.entries().len(), before + 1);
    assert_eq!(catalogue.get("test-net").unwrap().name.en, "Test test-net");
    let index = catalogue
        .entries()
        .iter()
        .position(|e| e.id == "lstm-cell")
        .unwrap();
    assert_eq!(catalogue.entries()[index].name.en, "Overridden LSTM");
    assert!(catalogue.source(index).unwrap().ends_with("lstm-cell.json"));
}

#[test]
fn invalid_json_is_reported_with_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "broken.json",
        "{\n  \"id\": \"broken\",\n  \"name\": ,\n}",
    );
    let (_, problems) = load(dir.path());
    let problem = only_problem(&problems, "broken.json");
    assert_eq!(problem.location.as_deref(), Some("line 3, column 11"));
    assert!(problem.message.starts_with("invalid JSON"), "{problem}");
    assert_eq!(
        problem.source,
        dir.path().join("broken.json").display().to_string()
    );
}

#[test]
fn trailing_text_after_the_object_is_invalid_json() {
    let dir = tempfile::tempdir().unwrap();
    let text = serde_json::to_string(&entry_json("trailing")).unwrap() + "\n{}";
    write(dir.path(), "trailing.json", text);
    let (catalogue, problems) = load(dir.path());
    let problem = only_problem(&problems, "trailing.json");
    assert!(problem.message.contains("invalid JSON"), "{problem}");
    assert_eq!(problem.location.as_deref(), Some("line 2, column 1"));
    assert!(catalogue.get("trailing").is_none());
}

#[test]
fn a_file_that_is_not_an_object_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "array.json", "[1, 2, 3]");
    let (_, problems) = load(dir.path());
    let problem = only_problem(&problems, "array.json");
    assert!(
        problem
            .message
            .contains("expected a JSON object (an entry), found an array"),
        "{problem}"
    );
}

#[test]
fn empty_files_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "empty.json", "");
    write(dir.path(), "blank.json", "  \n\t\n");
    let (_, problems) = load(dir.path());
    for file in ["empty.json", "blank.json"] {
        let problem = only_problem(&problems, file);
        assert!(problem.message.starts_with("empty file"), "{problem}");
    }
}

#[test]
fn non_utf8_files_are_reported_where_the_bad_byte_is() {
    let dir = tempfile::tempdir().unwrap();
    let mut bytes = b"{\n  \"id\": \"caf".to_vec();
    bytes.push(0xe9); // Latin-1 é
    bytes.extend_from_slice(b"\"\n}");
    write(dir.path(), "latin1.json", bytes);
    let (_, problems) = load(dir.path());
    let problem = only_problem(&problems, "latin1.json");
    assert!(problem.message.starts_with("not UTF-8"), "{problem}");
    assert!(problem.message.contains("0xe9"), "{problem}");
    assert_eq!(problem.location.as_deref(), Some("line 2, column 13"));
}

#[test]
fn unknown_fields_are_reported_with_their_json_path() {
    let dir = tempfile::tempdir().unwrap();
    write_entry(dir.path(), "top-level", |v| v["colour"] = json!("red"));
    write_entry(dir.path(), "nested", |v| {
        v["references"][0]["pages"] = json!("1-2")
    });
    let (catalogue, problems) = load(dir.path());
    let problem = only_problem(&problems, "top-level.json");
    assert!(
        problem.message.contains("unknown field `colour`"),
        "{problem}"
    );
    assert!(
        problem.location.as_deref().unwrap().contains("line "),
        "{problem}"
    );
    let problem = only_problem(&problems, "nested.json");
    assert!(
        problem.message.contains("unknown field `pages`"),
        "{problem}"
    );
    let location = problem.location.unwrap();
    assert!(location.starts_with("references[0]"), "{location}");
    assert!(catalogue.get("nested").is_none());
}

#[test]
fn wrong_types_are_reported_with_their_json_path() {
    let dir = tempfile::tempdir().unwrap();
    write_entry(dir.path(), "bad-year", |v| {
        v["references"][0]["year"] = json!("1997")
    });
    let (_, problems) = load(dir.path());
    let problem = only_problem(&problems, "bad-year.json");
    let location = problem.location.unwrap();
    assert!(
        location.starts_with("references[0].year, line "),
        "{location}"
    );
    assert!(
        problem.message.contains("invalid type"),
        "{}",
        problem.message
    );
}

#[test]
fn missing_names_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    write_entry(dir.path(), "no-zh", |v| {
        v["name"].as_object_mut().unwrap().remove("zh");
    });
    write_entry(dir.path(), "no-name", |v| {
        v.as_object_mut().unwrap().remove("name");
    });
    let (_, problems) = load(dir.path());
    let problem = only_problem(&problems, "no-zh.json");
    assert!(problem.message.contains("missing field `zh`"), "{problem}");
    assert!(problem.location.unwrap().starts_with("name, line "));
    let problem = only_problem(&problems, "no-name.json");
    assert!(
        problem.message.contains("missing field `name`"),
        "{problem}"
    );
}

#[test]
fn empty_names_are_reported_in_either_language() {
    let dir = tempfile::tempdir().unwrap();
    write_entry(dir.path(), "empty-en", |v| v["name"]["en"] = json!(" "));
    write_entry(dir.path(), "empty-zh", |v| v["name"]["zh"] = json!(""));
    let (catalogue, problems) = load(dir.path());
    let problem = only_problem(&problems, "empty-en.json");
    assert_eq!(problem.location.as_deref(), Some("name.en"));
    assert!(problem.message.contains("English name is empty"));
    let problem = only_problem(&problems, "empty-zh.json");
    assert_eq!(problem.location.as_deref(), Some("name.zh"));
    assert!(problem.message.contains("Chinese name is empty"));
    // Still shown: an empty name does not make the rest unreadable.
    assert!(catalogue.get("empty-zh").is_some());
}

#[test]
fn duplicate_ids_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    write_entry(dir.path(), "twin", |_| {});
    // Files load in name order: `twin.json` comes first and wins.
    write_entry(dir.path(), "zz-twin", |v| v["id"] = json!("twin"));
    let (catalogue, problems) = load(dir.path());
    let duplicate: Vec<&Problem> = problems
        .iter()
        .filter(|p| p.message.starts_with("duplicate id `twin`"))
        .collect();
    assert_eq!(duplicate.len(), 1, "{problems:#?}");
    assert!(duplicate[0].source.ends_with("zz-twin.json"));
    assert!(
        duplicate[0].message.contains("twin.json"),
        "{}",
        duplicate[0]
    );
    assert_eq!(duplicate[0].location.as_deref(), Some("id"));
    // The file name disagrees with the id too.
    assert!(
        problems.iter().any(|p| p.source.ends_with("zz-twin.json")
            && p.message.contains("differs from the file name"))
    );
    assert_eq!(catalogue.get("twin").unwrap().name.en, "Test twin");
}

#[test]
fn duplicate_ids_in_memory_are_reported() {
    let entry: nnzoo::catalogue::Entry = serde_json::from_value(entry_json("same")).unwrap();
    let catalogue = Catalogue::from_entries([entry.clone(), entry]);
    assert_eq!(catalogue.entries().len(), 1);
    assert!(
        catalogue.problems()[0]
            .message
            .starts_with("duplicate id `same`")
    );
}

#[test]
fn related_ids_that_name_nothing_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    write_entry(dir.path(), "lonely", |v| {
        v["related"] = json!(["lstm-cell", "no-such-entry", "lonely"])
    });
    let (_, problems) = load(dir.path());
    let found: Vec<&Problem> = problems
        .iter()
        .filter(|p| p.source.ends_with("lonely.json"))
        .collect();
    assert_eq!(found.len(), 2, "{found:#?}");
    assert_eq!(found[0].location.as_deref(), Some("related[1]"));
    assert!(found[0].message.contains("`no-such-entry` names no entry"));
    assert_eq!(found[1].location.as_deref(), Some("related[2]"));
    assert!(found[1].message.contains("this entry itself"));
}

#[test]
fn an_abbreviation_two_entries_share_is_reported() {
    let dir = tempfile::tempdir().unwrap();
    write_entry(dir.path(), "my-gru", |v| v["abbreviation"] = json!("gru"));
    let (_, problems) = load(dir.path());
    let problem = only_problem(&problems, "my-gru.json");
    assert_eq!(problem.location.as_deref(), Some("abbreviation"));
    assert!(
        problem
            .message
            .contains("also the abbreviation of `gru-cell`"),
        "{problem}"
    );
}

#[test]
fn model_keys_no_model_answers_to_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    write_entry(dir.path(), "dreaming", |v| {
        v["model"] = json!("no_such_model")
    });
    let (catalogue, problems) = load(dir.path());
    let problem = only_problem(&problems, "dreaming.json");
    assert_eq!(problem.location.as_deref(), Some("model"));
    assert!(
        problem
            .message
            .contains("no model answers to the key `no_such_model`")
    );
    assert!(catalogue.get("dreaming").is_some());
}

#[test]
fn files_over_one_mebibyte_are_refused_unread() {
    let dir = tempfile::tempdir().unwrap();
    let mut value = entry_json("huge");
    value["description"]["en"] = json!("x".repeat(1 << 20));
    write(
        dir.path(),
        "huge.json",
        serde_json::to_string(&value).unwrap(),
    );
    let (catalogue, problems) = load(dir.path());
    let problem = only_problem(&problems, "huge.json");
    assert!(problem.message.contains("over the limit"), "{problem}");
    assert!(catalogue.get("huge").is_none());
}

#[test]
fn bad_ids_and_pinyin_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    write_entry(dir.path(), "tones", |v| v["pinyin"] = json!("cè shì"));
    write(
        dir.path(),
        "Bad_Id.json",
        serde_json::to_string(&{
            let mut v = entry_json("x");
            v["id"] = json!("Bad_Id");
            v
        })
        .unwrap(),
    );
    let (_, problems) = load(dir.path());
    let problem = only_problem(&problems, "tones.json");
    assert_eq!(problem.location.as_deref(), Some("pinyin"));
    assert!(problem.message.contains("`è`"), "{problem}");
    let problem = only_problem(&problems, "Bad_Id.json");
    assert_eq!(problem.location.as_deref(), Some("id"));
}

#[test]
fn a_broken_file_does_not_take_the_others_down() {
    let dir = tempfile::tempdir().unwrap();
    write_entry(dir.path(), "alpha", |_| {});
    write(dir.path(), "beta.json", "{ this is not JSON");
    write_entry(dir.path(), "gamma", |_| {});
    write(dir.path(), "delta.json", "");
    let (catalogue, problems) = load(dir.path());
    assert!(catalogue.get("alpha").is_some());
    assert!(catalogue.get("gamma").is_some());
    assert!(catalogue.get("lstm-cell").is_some());
    assert_eq!(problems.len(), 2, "{problems:#?}");
}

#[test]
fn a_folder_that_cannot_be_read_is_a_problem() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("not-there");
    let catalogue = Catalogue::builtin().with_dir(&missing);
    let problem = catalogue
        .problems()
        .iter()
        .find(|p| p.source == missing.display().to_string())
        .expect("a problem for the folder");
    assert!(problem.message.starts_with("cannot read the folder"));
    assert_eq!(
        catalogue.entries().len(),
        Catalogue::builtin().entries().len()
    );
}

#[test]
fn problems_print_as_path_location_message() {
    let problem = Problem {
        source: "zoo/x.json".into(),
        location: Some("line 3, column 7".into()),
        message: "invalid JSON: expected value".into(),
    };
    assert_eq!(
        problem.to_string(),
        "zoo/x.json: line 3, column 7: invalid JSON: expected value"
    );
}

/// Which entries cannot be run yet (printed), and no entry names a model
/// that is not registered, nor is a registered model left without an entry.
#[test]
fn runnable_entries_name_registered_models() {
    let catalogue = Catalogue::builtin();
    let not_runnable: Vec<&str> = catalogue
        .entries()
        .iter()
        .filter(|e| e.model.is_empty())
        .map(|e| e.id.as_str())
        .collect();
    println!(
        "{} of {} entries are not runnable yet: {}",
        not_runnable.len(),
        catalogue.entries().len(),
        not_runnable.join(", ")
    );
    for entry in catalogue.entries() {
        if !entry.model.is_empty() {
            assert!(
                nnzoo::model::find(&entry.model).is_some(),
                "{} names model `{}`, which is not in model::REGISTRY",
                entry.id,
                entry.model
            );
        }
    }
    for spec in nnzoo::model::REGISTRY {
        assert!(
            catalogue.entries().iter().any(|e| e.model == spec.key),
            "model `{}` is registered but no entry names it in its `model` field",
            spec.key
        );
    }
}
