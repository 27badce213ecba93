//! `zoo/schema.json` is the schema generated from the Rust types.

use std::path::Path;

#[test]
fn committed_schema_is_up_to_date() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("zoo/schema.json");
    let generated = nnzoo::catalogue::json_schema();
    if std::env::var_os("UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &generated).unwrap();
        return;
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "zoo/schema.json is stale: the entry types changed. Regenerate it with\n    \
         UPDATE_SCHEMA=1 cargo test --test schema\nand commit it."
    );
}

/// Every built-in entry is valid against the schema's required fields and
/// the schema names every field an entry has.
#[test]
fn schema_describes_the_entry_fields() {
    let schema: serde_json::Value = serde_json::from_str(&nnzoo::catalogue::json_schema()).unwrap();
    let properties = schema["properties"].as_object().unwrap();
    let entry = nnzoo::catalogue::Catalogue::builtin()
        .get("lstm-cell")
        .cloned()
        .unwrap();
    let value = serde_json::to_value(entry).unwrap();
    for field in value.as_object().unwrap().keys() {
        assert!(
            properties.contains_key(field),
            "{field} missing from the schema"
        );
    }
    assert_eq!(schema["additionalProperties"], false);
    let required: Vec<&str> = schema["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for field in [
        "id",
        "category",
        "name",
        "pinyin",
        "glyph",
        "summary",
        "description",
    ] {
        assert!(required.contains(&field), "{field} should be required");
    }
}
