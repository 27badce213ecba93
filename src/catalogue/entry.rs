//! One entry of the catalogue, exactly as its JSON file spells it.

use crate::text::{Bilingual, escape_controls};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// What kind of animal an entry is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    Cell,
    Layer,
    Network,
    Concept,
}

impl Category {
    pub const ALL: [Category; 4] = [
        Category::Cell,
        Category::Layer,
        Category::Network,
        Category::Concept,
    ];

    /// The category's name as it appears in JSON and on the command line.
    pub fn key(self) -> &'static str {
        match self {
            Category::Cell => "cell",
            Category::Layer => "layer",
            Category::Network => "network",
            Category::Concept => "concept",
        }
    }

    pub fn label(self) -> Bilingual {
        match self {
            Category::Cell => Bilingual::new("Cells", "神经元"),
            Category::Layer => Bilingual::new("Layers", "层"),
            Category::Network => Bilingual::new("Networks", "网络"),
            Category::Concept => Bilingual::new("Concepts", "概念"),
        }
    }
}

/// The poster's legend of cell kinds, used to draw an entry's layers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum CellKind {
    Input,
    BackfedInput,
    NoisyInput,
    Hidden,
    ProbabilisticHidden,
    SpikingHidden,
    Capsule,
    Output,
    MatchInputOutput,
    Recurrent,
    Memory,
    GatedMemory,
    Kernel,
    ConvolutionOrPool,
}

impl CellKind {
    pub const ALL: [CellKind; 14] = [
        CellKind::Input,
        CellKind::BackfedInput,
        CellKind::NoisyInput,
        CellKind::Hidden,
        CellKind::ProbabilisticHidden,
        CellKind::SpikingHidden,
        CellKind::Capsule,
        CellKind::Output,
        CellKind::MatchInputOutput,
        CellKind::Recurrent,
        CellKind::Memory,
        CellKind::GatedMemory,
        CellKind::Kernel,
        CellKind::ConvolutionOrPool,
    ];

    /// The kind's name in the legend.
    pub fn label(self) -> Bilingual {
        match self {
            CellKind::Input => Bilingual::new("Input cell", "输入神经元"),
            CellKind::BackfedInput => Bilingual::new("Backfed input cell", "反馈输入神经元"),
            CellKind::NoisyInput => Bilingual::new("Noisy input cell", "噪声输入神经元"),
            CellKind::Hidden => Bilingual::new("Hidden cell", "隐藏神经元"),
            CellKind::ProbabilisticHidden => {
                Bilingual::new("Probabilistic hidden cell", "概率隐藏神经元")
            }
            CellKind::SpikingHidden => Bilingual::new("Spiking hidden cell", "脉冲隐藏神经元"),
            CellKind::Capsule => Bilingual::new("Capsule cell", "胶囊神经元"),
            CellKind::Output => Bilingual::new("Output cell", "输出神经元"),
            CellKind::MatchInputOutput => {
                Bilingual::new("Match input output cell", "匹配输入输出神经元")
            }
            CellKind::Recurrent => Bilingual::new("Recurrent cell", "循环神经元"),
            CellKind::Memory => Bilingual::new("Memory cell", "记忆神经元"),
            CellKind::GatedMemory => Bilingual::new("Gated memory cell", "门控记忆神经元"),
            CellKind::Kernel => Bilingual::new("Kernel", "核"),
            CellKind::ConvolutionOrPool => Bilingual::new("Convolution or pool", "卷积或池化"),
        }
    }
}

/// A run of `count` cells of one kind within a layer of the diagram.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CellGroup {
    pub kind: CellKind,
    /// How many cells (at least 1).
    pub count: u32,
}

/// A paper an entry comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Reference {
    /// "Hochreiter, S. and Schmidhuber, J."
    pub authors: String,
    pub title: String,
    /// Year of publication.
    pub year: u16,
    /// Journal, conference or publisher, with volume and pages where known.
    pub venue: String,
}

/// One animal of the zoo.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// Stable identifier, lowercase letters and digits in words joined by
    /// `-` ("lstm-cell"); the entry's file is `zoo/<id>.json`.
    pub id: String,
    /// The usual abbreviation ("LSTM"); empty where there is none.
    #[serde(default)]
    pub abbreviation: String,
    pub category: Category,
    /// English and Chinese names, the Chinese exactly as the source table gives it.
    pub name: Bilingual,
    /// Pinyin of the Chinese name without tone marks, syllables separated by
    /// spaces ("chang duan qi ji yi shen jing yuan"); Latin words of the name
    /// stay as they are ("Kohonen wang luo"). Checked by hand: a library's
    /// first reading is wrong for words like 长短期 (chang, not zhang).
    pub pinyin: String,
    /// Other names a person may type: plurals, other spellings, the PyTorch
    /// class.
    #[serde(default)]
    pub aliases: Vec<String>,
    /// The source's own misspellings of the name ("Long Shart Term
    /// Memory"): found by search, so that a copied name still lands on the
    /// entry, and shown as how the source writes it, never as a name.
    #[serde(default)]
    pub source_spellings: Vec<String>,
    /// The poster's glyph for the entry in a list row.
    pub glyph: CellKind,
    /// One line in each language.
    pub summary: Bilingual,
    /// A few sentences in each language, in the project's own words.
    pub description: Bilingual,
    /// The key equations, one per line, in plain Unicode.
    #[serde(default)]
    pub equations: Vec<String>,
    /// The layers from input to output, each a list of cell groups.
    #[serde(default)]
    pub diagram: Vec<Vec<CellGroup>>,
    /// The original papers.
    #[serde(default)]
    pub references: Vec<Reference>,
    /// Ids of related entries (each must name an entry).
    #[serde(default)]
    pub related: Vec<String>,
    /// Key of the model that runs this entry (a key of `model::REGISTRY`,
    /// such as "lstm_cell"); empty while none does.
    #[serde(default)]
    pub model: String,
}

impl Entry {
    /// The entry with every control character in its text (ESC, BEL, CR,
    /// C1 controls, ...) written out visibly, for showing on a terminal: an
    /// entry file must not be able to send the terminal commands. JSON
    /// output uses the entry as read, which JSON escaping keeps safe.
    pub fn with_controls_visible(&self) -> Entry {
        fn text(s: &str) -> String {
            escape_controls(s).into_owned()
        }
        fn both(b: &Bilingual) -> Bilingual {
            Bilingual::owned(text(&b.en), text(&b.zh))
        }
        fn all(items: &[String]) -> Vec<String> {
            items.iter().map(|s| text(s)).collect()
        }
        // Destructured so that a new field cannot be forgotten here.
        let Entry {
            id,
            abbreviation,
            category,
            name,
            pinyin,
            aliases,
            source_spellings,
            glyph,
            summary,
            description,
            equations,
            diagram,
            references,
            related,
            model,
        } = self;
        Entry {
            id: text(id),
            abbreviation: text(abbreviation),
            category: *category,
            name: both(name),
            pinyin: text(pinyin),
            aliases: all(aliases),
            source_spellings: all(source_spellings),
            glyph: *glyph,
            summary: both(summary),
            description: both(description),
            equations: all(equations),
            diagram: diagram.clone(),
            references: references
                .iter()
                .map(|r| Reference {
                    authors: text(&r.authors),
                    title: text(&r.title),
                    year: r.year,
                    venue: text(&r.venue),
                })
                .collect(),
            related: all(related),
            model: text(model),
        }
    }
}
