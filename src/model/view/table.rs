//! The JSON form of a [`super::ViewContent::Table`].

use serde_json::{Value, json};

/// `{"header": [...], "rows": [[...], ...]}`; which row is current is how
/// the table is looked at, not state, and is left out.
pub(super) fn to_json(header: &[String], rows: &[Vec<String>]) -> Value {
    json!({ "header": header, "rows": rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_is_traced_as_its_header_and_rows() {
        let rows = vec![vec!["0".to_string(), "0.93".to_string()]];
        assert_eq!(
            to_json(&["class".into(), "recall".into()], &rows),
            json!({"header": ["class", "recall"], "rows": [["0", "0.93"]]})
        );
    }
}
