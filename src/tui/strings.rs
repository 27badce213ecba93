//! Every word the program itself says, in English and Chinese side by side.
//!
//! Entries bring their own text; this module holds the UI's: titles,
//! headings, messages and the labels of the key bindings.

use crate::text::Bilingual;

const fn t(en: &'static str, zh: &'static str) -> Bilingual {
    Bilingual::new(en, zh)
}

// Titles and headings.
pub const APP_NAME: Bilingual = t("Neural Network Zoo", "神经网络动物园");
pub const CATALOGUE: Bilingual = t("Catalogue", "目录");
pub const RELATED: Bilingual = t("Related", "相关条目");
pub const SEARCH: Bilingual = t("Search", "搜索");
pub const EQUATIONS: Bilingual = t("Equations", "公式");
pub const DIAGRAM: Bilingual = t("Layers", "结构图");
pub const REFERENCES: Bilingual = t("References", "参考文献");
pub const HELP_TITLE: Bilingual = t("Keys", "按键");
pub const LEGEND_TITLE: Bilingual = t("Cell kinds", "神经元类型图例");
pub const HELP_GLOBAL: Bilingual = t("Everywhere", "全局");
pub const HELP_LIST: Bilingual = t("Catalogue list", "目录列表");
pub const HELP_CARD: Bilingual = t("Entry card", "条目卡片");
pub const HELP_RELATED: Bilingual = t("Related entries", "相关条目");
pub const HELP_SEARCH: Bilingual = t("While searching", "搜索时");
pub const HELP_POPUP: Bilingual = t("In this window", "在此窗口中");
pub const HELP_LAB: Bilingual = t("Lab", "实验室");

// Card.
pub const RUNNABLE: Bilingual = t(
    "Runnable: Enter opens its lab",
    "可运行：按 Enter 打开实验室",
);
pub const NOT_RUNNABLE: Bilingual = t(
    "Not runnable yet: no model backs this entry",
    "暂不可运行：尚无模型支持此条目",
);
pub const LEGEND_HINT: Bilingual = t("d: legend", "d：图例");
pub const NO_DIAGRAM: Bilingual = t("(no diagram)", "（无结构图）");
pub const NO_RELATED: Bilingual = t("(none)", "（无）");

// List and search.
pub const NO_MATCH: Bilingual = t("No entry matches", "没有匹配的条目");
pub const SEARCH_PROMPT: Bilingual = t(
    "Chinese, pinyin, English or abbreviation",
    "中文、拼音、英文或缩写",
);
pub const TYPE_TO_SEARCH: Bilingual = t(
    "type or paste to search (typos forgiven)",
    "输入或粘贴以搜索（容许拼写错误）",
);
pub const FIELD_PINYIN: Bilingual = t("pinyin", "拼音");
pub const FIELD_ALIAS: Bilingual = t("also", "又名");
/// A list row names a misspelling the search matched as the source's, not
/// as a name (`nnzoo show` says "also written as (in the source)").
pub const FIELD_SOURCE_SPELLING: Bilingual = t("in the source", "原表写作");
pub const FIELD_ID: Bilingual = t("id", "标识");

// Whole-screen messages.
pub const TOO_SMALL: Bilingual = t("Window too small", "窗口太小");
pub const TOO_SMALL_SHORT: Bilingual = t("too small", "太小");
pub const LAB_FAILED: Bilingual = t("The lab could not open", "实验室无法打开");

// Language indicator in the header.
pub const LANG_EN: &str = "EN";
pub const LANG_ZH: &str = "中文";
pub const LANG_BOTH: &str = "EN+中文";

// Key binding labels.
pub const KEY_QUIT: Bilingual = t("quit", "退出");
pub const KEY_EXPORT: Bilingual = t("save the screen as SVG and text", "把屏幕存为 SVG 和文本");
pub const KEY_HELP: Bilingual = t("help", "帮助");
pub const KEY_LANG: Bilingual = t("language", "语言");
pub const KEY_DOWN: Bilingual = t("down", "下移");
pub const KEY_UP: Bilingual = t("up", "上移");
pub const KEY_NEXT: Bilingual = t("next", "下一个");
pub const KEY_PREVIOUS: Bilingual = t("previous", "上一个");
pub const KEY_SCROLL_DOWN: Bilingual = t("scroll down", "向下滚动");
pub const KEY_SCROLL_UP: Bilingual = t("scroll up", "向上滚动");
pub const KEY_TOP: Bilingual = t("first", "第一项");
pub const KEY_BOTTOM: Bilingual = t("last", "最后一项");
pub const KEY_PAGE_DOWN: Bilingual = t("page down", "下一页");
pub const KEY_PAGE_UP: Bilingual = t("page up", "上一页");
pub const KEY_PANE: Bilingual = t("next pane", "下一栏");
pub const KEY_PANE_BACK: Bilingual = t("previous pane", "上一栏");
pub const KEY_OPEN: Bilingual = t("open", "打开");
pub const KEY_OPEN_LAB: Bilingual = t("open the lab", "打开实验室");
pub const KEY_JUMP: Bilingual = t("go to entry", "跳转");
pub const KEY_SEARCH: Bilingual = t("search", "搜索");
pub const KEY_LEGEND: Bilingual = t("legend", "图例");
pub const KEY_RUNNABLE_ONLY: Bilingual = t("runnable only", "只看可运行的");
pub const RUNNABLE_WORD: Bilingual = t("runnable", "可运行");
pub const KEY_CLEAR: Bilingual = t("clear search", "清除搜索");
pub const KEY_BACK: Bilingual = t("back", "返回");
pub const KEY_ACCEPT: Bilingual = t("keep results", "保留结果");
pub const KEY_DELETE: Bilingual = t("delete a character", "删除一个字符");
pub const KEY_DELETE_ALL: Bilingual = t("delete the query", "删除整个查询");
pub const KEY_CLOSE: Bilingual = t("close", "关闭");
