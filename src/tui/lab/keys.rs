//! The lab's key tables: each mode dispatches its keys from its table and
//! builds its help from the same table.

use crate::text::Bilingual;
use crate::tui::keys::KeyHelp;
use ratatui::crossterm::event::KeyCode;
use std::borrow::Cow;

/// What a key asks the lab to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Command {
    // Running.
    RunPause,
    Step,
    Stage,
    Reset,
    NewSeed,
    Faster,
    Slower,
    RunUnit,
    StepBack,
    // Changing what runs.
    Edit,
    PreviousSource,
    NextSource,
    Params,
    Experiment,
    // Looking around.
    ScrollUp,
    ScrollDown,
    PageUp,
    PageDown,
    Back,
    // Editing a value or a picture.
    Left,
    Right,
    Up,
    Down,
    Toggle,
    Set,
    Erase,
    NextEditable,
    Leave,
    // The parameter popup.
    Apply,
    Cancel,
    // Long work under way.
    StopWork,
    // An experiment's report.
    Close,
}

/// One binding: the keys, how help shows them, what they do.
pub(super) struct Binding {
    pub codes: &'static [KeyCode],
    pub keys: &'static str,
    pub label: Bilingual,
    pub footer: bool,
    pub command: Command,
}

const fn bind(
    codes: &'static [KeyCode],
    keys: &'static str,
    en: &'static str,
    zh: &'static str,
    footer: bool,
    command: Command,
) -> Binding {
    Binding {
        codes,
        keys,
        label: Bilingual::new(en, zh),
        footer,
        command,
    }
}

use Command::*;
use KeyCode::{Backspace, Down, Enter, Esc, Left, PageDown, PageUp, Right, Tab, Up};

/// Keys while the model is shown.
pub(super) static NORMAL: &[Binding] = &[
    bind(
        &[KeyCode::Char(' ')],
        "space",
        "run/pause",
        "运行/暂停",
        true,
        RunPause,
    ),
    bind(
        &[KeyCode::Char('n'), Right],
        "n/→",
        "one step",
        "走一步",
        true,
        Step,
    ),
    bind(
        &[KeyCode::Char('b'), Left],
        "b/←",
        "step back",
        "后退一步",
        true,
        StepBack,
    ),
    bind(
        &[KeyCode::Char('m')],
        "m",
        "one stage",
        "走一阶段",
        true,
        Stage,
    ),
    bind(
        &[KeyCode::Char('r')],
        "r",
        "reset (same seed)",
        "重置（同一种子）",
        true,
        Reset,
    ),
    bind(
        &[KeyCode::Char('R')],
        "R",
        "reset with a new seed",
        "换新种子重置",
        false,
        NewSeed,
    ),
    bind(
        &[KeyCode::Char('+'), KeyCode::Char('=')],
        "+",
        "faster",
        "加速",
        false,
        Faster,
    ),
    bind(
        &[KeyCode::Char('-'), KeyCode::Char('_')],
        "-",
        "slower",
        "减速",
        false,
        Slower,
    ),
    bind(
        &[Tab],
        "Tab",
        "run by steps or by stages",
        "按步或按阶段运行",
        false,
        RunUnit,
    ),
    bind(
        &[KeyCode::Char('e')],
        "e",
        "edit the input",
        "编辑输入",
        true,
        Edit,
    ),
    bind(
        &[KeyCode::Char('[')],
        "[",
        "previous input",
        "上一个输入",
        false,
        PreviousSource,
    ),
    bind(
        &[KeyCode::Char(']')],
        "]",
        "next input",
        "下一个输入",
        true,
        NextSource,
    ),
    bind(
        &[KeyCode::Char('p')],
        "p",
        "parameters",
        "参数",
        true,
        Params,
    ),
    bind(
        &[KeyCode::Char('E')],
        "E",
        "run this entry's experiment",
        "运行本条目的实验",
        false,
        Experiment,
    ),
    bind(
        &[Up, KeyCode::Char('k')],
        "↑/k",
        "scroll up",
        "向上滚动",
        false,
        ScrollUp,
    ),
    bind(
        &[Down, KeyCode::Char('j')],
        "↓/j",
        "scroll down",
        "向下滚动",
        false,
        ScrollDown,
    ),
    bind(
        &[PageUp],
        "PgUp",
        "page up",
        "上一页",
        false,
        Command::PageUp,
    ),
    bind(
        &[PageDown],
        "PgDn",
        "page down",
        "下一页",
        false,
        Command::PageDown,
    ),
    bind(
        &[Esc],
        "Esc",
        "back to the catalogue",
        "返回目录",
        true,
        Back,
    ),
];

/// Keys while editing values (a vector's components, a scalar).
pub(super) static EDIT_VALUES: &[Binding] = &[
    bind(
        &[Left, KeyCode::Char('h')],
        "←/h",
        "previous value",
        "上一个值",
        true,
        Command::Left,
    ),
    bind(
        &[Right, KeyCode::Char('l')],
        "→/l",
        "next value",
        "下一个值",
        true,
        Command::Right,
    ),
    bind(
        &[Up, KeyCode::Char('k')],
        "↑/k",
        "nudge up",
        "调大",
        false,
        Command::Up,
    ),
    bind(
        &[Down, KeyCode::Char('j')],
        "↓/j",
        "nudge down",
        "调小",
        false,
        Command::Down,
    ),
    bind(&[], "0-9 . - e", "type a number", "输入数字", true, Erase),
    bind(&[Backspace], "Backspace", "erase", "删除", false, Erase),
    bind(&[Enter], "Enter", "set the value", "设定数值", true, Set),
    bind(
        &[Tab],
        "Tab",
        "next editable view",
        "下一个可编辑视图",
        false,
        NextEditable,
    ),
    bind(&[Esc], "Esc", "stop editing", "结束编辑", true, Leave),
];

/// Keys while drawing on a picture.
pub(super) static EDIT_PIXELS: &[Binding] = &[
    bind(
        &[Left, KeyCode::Char('h')],
        "←/h",
        "cursor left",
        "光标左移",
        true,
        Command::Left,
    ),
    bind(
        &[Right, KeyCode::Char('l')],
        "→/l",
        "cursor right",
        "光标右移",
        true,
        Command::Right,
    ),
    bind(
        &[Up, KeyCode::Char('k')],
        "↑/k",
        "cursor up",
        "光标上移",
        true,
        Command::Up,
    ),
    bind(
        &[Down, KeyCode::Char('j')],
        "↓/j",
        "cursor down",
        "光标下移",
        true,
        Command::Down,
    ),
    bind(
        &[KeyCode::Char(' '), Enter],
        "space/Enter",
        "flip the pixel",
        "翻转像素",
        true,
        Toggle,
    ),
    bind(
        &[Tab],
        "Tab",
        "next editable view",
        "下一个可编辑视图",
        false,
        NextEditable,
    ),
    bind(&[Esc], "Esc", "stop editing", "结束编辑", true, Leave),
];

/// Keys in the parameter popup.
pub(super) static PARAMS: &[Binding] = &[
    bind(
        &[Up],
        "↑",
        "previous parameter",
        "上一个参数",
        true,
        Command::Up,
    ),
    bind(
        &[Down],
        "↓",
        "next parameter",
        "下一个参数",
        true,
        Command::Down,
    ),
    bind(
        &[Left],
        "←",
        "smaller / previous choice",
        "减小/上一个选项",
        true,
        Command::Left,
    ),
    bind(
        &[Right],
        "→",
        "larger / next choice",
        "增大/下一个选项",
        true,
        Command::Right,
    ),
    bind(&[], "type", "type a value", "输入数值", false, Erase),
    bind(&[Backspace], "Backspace", "erase", "删除", false, Erase),
    bind(
        &[Enter],
        "Enter",
        "rebuild the model",
        "重建模型",
        true,
        Apply,
    ),
    bind(&[Esc], "Esc", "cancel", "取消", true, Cancel),
];

/// The command `code` is bound to in `table`.
pub(super) fn lookup(table: &[Binding], code: KeyCode) -> Option<Command> {
    table
        .iter()
        .find(|b| b.codes.contains(&code))
        .map(|b| b.command)
}

pub(super) fn help(table: &[Binding]) -> Vec<KeyHelp> {
    table
        .iter()
        .map(|b| KeyHelp {
            keys: Cow::Borrowed(b.keys),
            label: b.label.clone(),
            in_footer: b.footer,
        })
        .collect()
}

/// Characters the lab keeps for itself or leaves to the app (q quits,
/// ? help, L language): a model action on one of these is not reachable.
pub(super) fn is_reserved(c: char) -> bool {
    " nmbrR+=-_eE[]phjklqLS?".contains(c)
}

/// Keys while long work runs (the rest wait for it, or belong to the app).
pub(super) static BUSY: &[Binding] = &[
    bind(&[Esc], "Esc", "stop the work", "停止工作", true, StopWork),
    bind(
        &[Up, KeyCode::Char('k')],
        "↑/k",
        "scroll up",
        "向上滚动",
        false,
        ScrollUp,
    ),
    bind(
        &[Down, KeyCode::Char('j')],
        "↓/j",
        "scroll down",
        "向下滚动",
        false,
        ScrollDown,
    ),
];

/// Keys while an experiment's report is shown.
pub(super) static REPORT: &[Binding] = &[
    bind(
        &[Up, KeyCode::Char('k')],
        "↑/k",
        "scroll up",
        "向上滚动",
        true,
        ScrollUp,
    ),
    bind(
        &[Down, KeyCode::Char('j')],
        "↓/j",
        "scroll down",
        "向下滚动",
        true,
        ScrollDown,
    ),
    bind(&[Esc, Enter], "Esc", "close", "关闭", true, Close),
];
