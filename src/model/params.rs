//! A model's parameters: typed, documented, with defaults and bounds.
//!
//! A [`Params`] value is always valid: every value was checked against its
//! [`ParamSpec`] when it was set, so a model's own code reads it without
//! checking again.

use crate::text::Bilingual;
use std::fmt;

/// The type and bounds of one parameter.
#[derive(Debug, Clone, PartialEq)]
pub enum ParamKind {
    /// An integer in `min..=max`.
    Int { min: i64, max: i64 },
    /// A real number in `min..=max`.
    Float { min: f64, max: f64 },
    /// One of a fixed set of words.
    Choice(&'static [&'static str]),
    /// Free text of at most `max_len` characters (a word to feed, a file
    /// path); `offered` are values a front end offers to pick from (a
    /// model's built-in sets), besides whatever is typed.
    Text {
        max_len: usize,
        offered: &'static [&'static str],
    },
}

/// A parameter's value.
#[derive(Debug, Clone, PartialEq)]
pub enum ParamValue {
    Int(i64),
    Float(f64),
    /// One of the spec's choices.
    Choice(&'static str),
    Text(String),
}

impl fmt::Display for ParamValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamValue::Int(v) => write!(f, "{v}"),
            ParamValue::Float(v) => write!(f, "{v}"),
            ParamValue::Choice(v) => f.write_str(v),
            ParamValue::Text(v) => f.write_str(v),
        }
    }
}

/// What a parameter is for, so a front end can offer the right control.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ParamRole {
    /// Changing it rebuilds the model (sizes, rules).
    #[default]
    Structure,
    /// It picks what is fed to the model (an input sequence, a target
    /// pattern): the lab's `[` and `]` cycle through it.
    InputSource,
    /// It changes the running model without rebuilding it, so nothing learnt
    /// is lost (a learning rate): see [`super::Model::retune`].
    Live,
}

/// One parameter a person can set.
#[derive(Debug, Clone, PartialEq)]
pub struct ParamSpec {
    /// The name used by `--set name=value` and in JSON.
    pub name: &'static str,
    pub label: Bilingual,
    pub help: Bilingual,
    pub kind: ParamKind,
    pub default: ParamValue,
    pub role: ParamRole,
}

impl ParamSpec {
    /// A parameter whose label is its name, with what it does in both
    /// languages, its bounds and default; it rebuilds the model when
    /// changed ([`ParamSpec::with_role`] says otherwise).
    pub fn new(
        name: &'static str,
        help_en: &'static str,
        help_zh: &'static str,
        kind: ParamKind,
        default: ParamValue,
    ) -> ParamSpec {
        ParamSpec {
            name,
            label: Bilingual::new(name, name),
            help: Bilingual::new(help_en, help_zh),
            kind,
            default,
            role: ParamRole::Structure,
        }
    }

    /// The same parameter with another role.
    pub fn with_role(mut self, role: ParamRole) -> ParamSpec {
        self.role = role;
        self
    }

    /// Checks `raw` against this spec, giving the value or an error that says
    /// what is allowed.
    pub fn parse(&self, raw: &str) -> Result<ParamValue, ParamError> {
        let bad = |allowed: Bilingual| ParamError::BadValue {
            name: self.name.to_string(),
            value: raw.to_string(),
            allowed,
        };
        match &self.kind {
            ParamKind::Int { min, max } => {
                let allowed = Bilingual::owned(
                    format!("an integer from {min} to {max}"),
                    format!("{min} 到 {max} 之间的整数"),
                );
                let v: i64 = raw.trim().parse().map_err(|_| bad(allowed.clone()))?;
                if v < *min || v > *max {
                    return Err(bad(allowed));
                }
                Ok(ParamValue::Int(v))
            }
            ParamKind::Float { min, max } => {
                let allowed = Bilingual::owned(
                    format!("a number from {min} to {max}"),
                    format!("{min} 到 {max} 之间的数"),
                );
                let v: f64 = raw.trim().parse().map_err(|_| bad(allowed.clone()))?;
                if !v.is_finite() || v < *min || v > *max {
                    return Err(bad(allowed));
                }
                Ok(ParamValue::Float(v))
            }
            ParamKind::Choice(choices) => choices
                .iter()
                .find(|c| c.eq_ignore_ascii_case(raw.trim()))
                .map(|c| ParamValue::Choice(c))
                .ok_or_else(|| {
                    let choices = choices.join(", ");
                    bad(Bilingual::owned(
                        format!("one of {choices}"),
                        format!("以下之一：{choices}"),
                    ))
                }),
            ParamKind::Text { max_len, .. } => {
                if raw.chars().count() > *max_len {
                    return Err(bad(Bilingual::owned(
                        format!("text of at most {max_len} characters"),
                        format!("不超过 {max_len} 个字符的文字"),
                    )));
                }
                Ok(ParamValue::Text(raw.to_string()))
            }
        }
    }

    /// A one-line description of the allowed values, for help and errors.
    pub fn allowed(&self) -> String {
        match &self.kind {
            ParamKind::Int { min, max } => format!("integer {min}..={max}"),
            ParamKind::Float { min, max } => format!("number {min}..={max}"),
            ParamKind::Choice(c) => c.join("|"),
            ParamKind::Text { max_len, offered } if !offered.is_empty() => {
                format!("{}|text", offered.join("|"))
            }
            ParamKind::Text { max_len, .. } => format!("text (≤{max_len} chars)"),
        }
    }
}

/// A parameter that could not be set.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ParamError {
    #[error("unknown parameter `{name}`; this model takes: {allowed}")]
    Unknown { name: String, allowed: String },
    #[error("parameter `{name}` cannot be `{value}`: it must be {}", .allowed.en)]
    BadValue {
        name: String,
        value: String,
        allowed: Bilingual,
    },
    #[error("`{0}` is not of the form name=value")]
    NotAssignment(String),
}

impl ParamError {
    /// The message in both languages, with the text a person typed shown
    /// with its control characters escaped.
    pub fn message(&self) -> Bilingual {
        use crate::text::escape_controls as shown;
        match self {
            ParamError::Unknown { name, allowed } => {
                let name = shown(name);
                Bilingual::owned(
                    format!("unknown parameter `{name}`; this model takes: {allowed}"),
                    format!("没有参数 `{name}`；此模型的参数：{allowed}"),
                )
            }
            ParamError::BadValue {
                name,
                value,
                allowed,
            } => {
                let value = shown(value);
                Bilingual::owned(
                    format!(
                        "parameter `{name}` cannot be `{value}`: it must be {}",
                        allowed.en
                    ),
                    format!("参数 `{name}` 不能取 `{value}`：须为{}", allowed.zh),
                )
            }
            ParamError::NotAssignment(text) => {
                let text = shown(text);
                Bilingual::owned(
                    format!("`{text}` is not of the form name=value"),
                    format!("`{text}` 不是 name=value 的形式"),
                )
            }
        }
    }
}

/// A full, valid set of parameter values for one model.
#[derive(Debug, Clone, PartialEq)]
pub struct Params {
    specs: Vec<ParamSpec>,
    values: Vec<ParamValue>,
}

impl Params {
    /// Every parameter at its default.
    pub fn defaults(specs: Vec<ParamSpec>) -> Params {
        let values = specs.iter().map(|s| s.default.clone()).collect();
        Params { specs, values }
    }

    pub fn specs(&self) -> &[ParamSpec] {
        &self.specs
    }

    /// The specs with their current values, in declaration order.
    pub fn iter(&self) -> impl Iterator<Item = (&ParamSpec, &ParamValue)> {
        self.specs.iter().zip(&self.values)
    }

    /// Sets `name` from its textual form, checking it against its bounds.
    pub fn set(&mut self, name: &str, raw: &str) -> Result<(), ParamError> {
        let index = self.index(name)?;
        self.values[index] = self.specs[index].parse(raw)?;
        Ok(())
    }

    /// Sets from a `name=value` assignment, as `--set` takes it.
    pub fn assign(&mut self, assignment: &str) -> Result<(), ParamError> {
        let (name, raw) = assignment
            .split_once('=')
            .ok_or_else(|| ParamError::NotAssignment(assignment.to_string()))?;
        self.set(name.trim(), raw)
    }

    pub fn get(&self, name: &str) -> Option<&ParamValue> {
        self.specs
            .iter()
            .position(|s| s.name == name)
            .map(|i| &self.values[i])
    }

    /// The value of an `Int` parameter. Panics if the model asks for a
    /// parameter it did not declare: that is a bug in the model, not input.
    pub fn int(&self, name: &str) -> i64 {
        match self.get(name) {
            Some(ParamValue::Int(v)) => *v,
            other => panic!("model bug: `{name}` is not an Int parameter ({other:?})"),
        }
    }

    /// The value of a `Float` parameter (see [`Params::int`]).
    pub fn float(&self, name: &str) -> f64 {
        match self.get(name) {
            Some(ParamValue::Float(v)) => *v,
            other => panic!("model bug: `{name}` is not a Float parameter ({other:?})"),
        }
    }

    /// The value of a `Choice` parameter (see [`Params::int`]).
    pub fn choice(&self, name: &str) -> &'static str {
        match self.get(name) {
            Some(ParamValue::Choice(v)) => v,
            other => panic!("model bug: `{name}` is not a Choice parameter ({other:?})"),
        }
    }

    /// The value of a `Text` parameter (see [`Params::int`]).
    pub fn text(&self, name: &str) -> &str {
        match self.get(name) {
            Some(ParamValue::Text(v)) => v,
            other => panic!("model bug: `{name}` is not a Text parameter ({other:?})"),
        }
    }

    fn index(&self, name: &str) -> Result<usize, ParamError> {
        self.specs
            .iter()
            .position(|s| s.name == name)
            .ok_or_else(|| ParamError::Unknown {
                name: name.to_string(),
                allowed: self
                    .specs
                    .iter()
                    .map(|s| format!("{} ({})", s.name, s.allowed()))
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }
}
