//! The browser's state and everything that changes it.
//!
//! [`App::handle`] takes one terminal event and says whether the screen must
//! be redrawn; drawing ([`super::view`]) only reads the state. The areas the
//! mouse hits are computed by the same [`App::areas`] that drawing uses, from
//! the last size the terminal reported.

use super::keymap::{self, Action};
use super::keys::{self, Binding, KeyHelp};
use super::lab::{Lab, LabOutcome};
use super::strings as s;
use super::theme::Theme;
use super::view::{self, Areas};
use crate::catalogue::{Catalogue, Category, Entry};
use crate::search::{self, Field, Hit};
use crate::text::{Bilingual, Lang};
use ratatui::crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::{Position, Rect};
use std::collections::HashMap;
use std::time::Instant;

/// Below this many columns or rows the browser says the window is too small.
pub const MIN_WIDTH: u16 = 40;
pub const MIN_HEIGHT: u16 = 10;

/// The seed a lab opens with (R in the lab draws a new one); `nnzoo run`
/// uses it too, so a trace and the lab show the same numbers.
pub const LAB_SEED: u64 = 1;

/// Lines the mouse wheel scrolls the card by.
const WHEEL_LINES: u16 = 3;

/// What keys are doing: browsing, or typing a search query.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Browse,
    Search,
}

/// The pane that has the focus.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    List,
    Card,
    Related,
}

/// A window drawn over everything else.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Popup {
    Help { scroll: u16 },
    Legend { scroll: u16 },
}

/// One row of the catalogue list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Row {
    /// A category's heading (only when not searching).
    Heading(Category),
    /// Entry `index` of the catalogue; when searching, the name that matched.
    Entry { index: usize, field: Option<Field> },
}

/// The whole state of the browser.
pub struct App {
    pub(crate) catalogue: Catalogue,
    /// Entry index by id, for related entries.
    ids: HashMap<String, usize>,
    pub(crate) lang: Lang,
    pub(crate) theme: Theme,
    /// The terminal's size as last reported.
    pub(crate) size: Rect,
    pub(crate) mode: Mode,
    pub(crate) focus: Focus,
    pub(crate) popup: Option<Popup>,
    /// The search query; the list shows its hits while it is not empty.
    pub(crate) query: String,
    pub(crate) rows: Vec<Row>,
    /// Whether the list shows only the entries with a model to run.
    pub(crate) runnable_only: bool,
    /// Index into `rows` of the selected row (always an entry row when any).
    pub(crate) cursor: usize,
    /// First row shown.
    pub(crate) list_offset: usize,
    pub(crate) card_scroll: u16,
    /// Selected related entry, an index into the card's related list.
    pub(crate) related_cursor: usize,
    /// Entries to go back to with Esc after following related links.
    history: Vec<usize>,
    /// A message in the footer until the next key.
    pub(crate) message: Option<Bilingual>,
    /// The lab of the selected entry, while open: it then has the screen.
    pub(crate) lab: Option<Box<Lab>>,
    /// The selected entry's card as last wrapped: a memo, not state (it is
    /// keyed by everything the card depends on, so drawing stays a function
    /// of the state).
    pub(crate) card_cache: view::CardCache,
    /// Where `S` saves the screen: the current folder unless set.
    export_dir: Option<std::path::PathBuf>,
    quit: bool,
}

impl App {
    /// A browser over `catalogue` in a terminal of `size`.
    pub fn new(catalogue: Catalogue, lang: Lang, theme: Theme, size: Rect) -> App {
        // Entry files are a person's: what they say is drawn with its
        // control characters visible (ratatui would drop them silently).
        let catalogue = catalogue.with_controls_visible();
        let ids = catalogue
            .entries()
            .iter()
            .enumerate()
            .map(|(index, entry)| (entry.id.clone(), index))
            .collect();
        let mut app = App {
            catalogue,
            ids,
            lang,
            theme,
            size,
            mode: Mode::Browse,
            focus: Focus::List,
            popup: None,
            query: String::new(),
            rows: Vec::new(),
            runnable_only: false,
            cursor: 0,
            list_offset: 0,
            card_scroll: 0,
            related_cursor: 0,
            history: Vec::new(),
            message: None,
            lab: None,
            card_cache: Default::default(),
            export_dir: None,
            quit: false,
        };
        app.rebuild_rows();
        app
    }

    /// Saves screens (`S`) in `dir` instead of the current folder.
    pub fn with_export_dir(mut self, dir: impl Into<std::path::PathBuf>) -> App {
        self.export_dir = Some(dir.into());
        self
    }

    /// Whether the person asked to quit.
    pub fn should_quit(&self) -> bool {
        self.quit
    }

    /// The terminal's size as last reported: (columns, rows).
    pub fn size(&self) -> (u16, u16) {
        (self.size.width, self.size.height)
    }

    pub fn lang(&self) -> Lang {
        self.lang
    }

    pub fn catalogue(&self) -> &Catalogue {
        &self.catalogue
    }

    /// The selected entry's index in the catalogue, if any row is selected.
    pub fn selected(&self) -> Option<usize> {
        match self.rows.get(self.cursor) {
            Some(Row::Entry { index, .. }) => Some(*index),
            _ => None,
        }
    }

    pub fn selected_entry(&self) -> Option<&Entry> {
        self.selected()
            .map(|index| &self.catalogue.entries()[index])
    }

    /// The related entries of `entry` that exist, as catalogue indices.
    pub fn related(&self, entry: &Entry) -> Vec<usize> {
        entry
            .related
            .iter()
            .filter_map(|id| self.ids.get(id).copied())
            .collect()
    }

    /// Whether a model backs `entry`.
    pub fn runnable(entry: &Entry) -> bool {
        !entry.model.is_empty() && crate::model::find(&entry.model).is_some()
    }

    /// Whether the window is too small to draw the browser.
    pub fn too_small(area: Rect) -> bool {
        area.width < MIN_WIDTH || area.height < MIN_HEIGHT
    }

    /// Whether a lab is open.
    pub fn lab_open(&self) -> bool {
        self.lab.is_some()
    }

    /// When the program must wake up without input: a running lab's next
    /// frame. `None` when nothing runs: then only input wakes it.
    pub fn next_wake(&self) -> Option<Instant> {
        self.lab.as_ref().and_then(|lab| lab.next_wake())
    }

    /// Advances whatever runs by itself; true when the screen changed.
    pub fn tick(&mut self, now: Instant) -> bool {
        self.lab.as_mut().is_some_and(|lab| lab.tick(now))
    }

    /// Where the terminal's cursor belongs (the end of the search query, so
    /// an input method's candidate window opens there), if anywhere.
    pub fn cursor_position(&self) -> Option<Position> {
        if self.mode != Mode::Search
            || self.popup.is_some()
            || self.lab.is_some()
            || App::too_small(self.size)
        {
            return None;
        }
        let areas = self.areas(self.size);
        let bar = areas.search;
        if bar.width == 0 {
            return None;
        }
        let prefix = 2; // "/ "
        let used = unicode_width::UnicodeWidthStr::width(self.query.as_str()) as u16 + prefix;
        Some(Position::new(
            bar.x + used.min(bar.width.saturating_sub(1)),
            bar.y,
        ))
    }

    /// The areas of the screen for a terminal of `area`.
    pub fn areas(&self, area: Rect) -> Areas {
        view::areas(self, area)
    }

    // ---- Events --------------------------------------------------------

    /// Takes one terminal event; true when the screen must be redrawn.
    pub fn handle(&mut self, event: &Event) -> bool {
        match event {
            Event::Key(key) if key.kind != KeyEventKind::Release => {
                let had_message = self.message.take().is_some();
                // Esc followed quickly by a key reaches us as Alt+key (the
                // terminal sends the same bytes). nnzoo binds no Alt keys,
                // so it is read as what the person typed: Esc, then the key.
                if let KeyCode::Char(_) = key.code
                    && key.modifiers.contains(KeyModifiers::ALT)
                    && !key.modifiers.contains(KeyModifiers::CONTROL)
                {
                    let esc = KeyEvent::new(KeyCode::Esc, KeyModifiers::NONE);
                    let plain = KeyEvent {
                        modifiers: key.modifiers - KeyModifiers::ALT,
                        ..*key
                    };
                    let first = self.key(&esc);
                    return self.key(&plain) || first || had_message;
                }
                self.key(key) || had_message
            }
            Event::Mouse(mouse) => self.mouse(mouse),
            Event::Paste(text) => self.paste(text),
            Event::Resize(width, height) => {
                self.size = Rect::new(0, 0, *width, *height);
                self.settle();
                true
            }
            _ => false,
        }
    }

    fn key(&mut self, key: &KeyEvent) -> bool {
        // A window too small to show anything takes no keys but quitting:
        // nothing typed blind changes what the person will see.
        if App::too_small(self.size) {
            if keys::dispatch(keymap::GLOBAL, key) == Some(Action::Quit) {
                self.quit = true;
            }
            return false;
        }
        if let Some(popup) = self.popup {
            return match keys::dispatch(keymap::POPUP, key)
                .or_else(|| keys::dispatch(keymap::GLOBAL, key))
            {
                Some(action) => self.popup_action(popup, action),
                None => false,
            };
        }
        if let Some(lab) = self.lab.as_mut() {
            // Ctrl-C quits from anywhere; every other key is the lab's first.
            let outcome = if key.modifiers.contains(KeyModifiers::CONTROL)
                && key.code == KeyCode::Char('c')
            {
                LabOutcome::Ignored
            } else {
                lab.handle_key(*key)
            };
            return match outcome {
                LabOutcome::Consumed => true,
                LabOutcome::Close => {
                    self.lab = None;
                    self.settle();
                    true
                }
                // q in a lab goes back to the catalogue (a second q quits);
                // Ctrl-C quits from anywhere.
                LabOutcome::Ignored => match keys::dispatch(keymap::GLOBAL, key) {
                    Some(Action::Quit) if key.code == KeyCode::Char('q') => {
                        self.lab = None;
                        self.settle();
                        true
                    }
                    Some(action) => self.browse_action(action),
                    None => false,
                },
            };
        }
        if self.mode == Mode::Search {
            return match keys::dispatch(keymap::SEARCH, key) {
                Some(action) => self.search_action(action),
                None => self.type_char(key),
            };
        }
        let table = self.focus_table();
        match keys::dispatch(table, key).or_else(|| keys::dispatch(keymap::GLOBAL, key)) {
            Some(action) => self.browse_action(action),
            // A Chinese character typed through an input method starts a search.
            None => match key.code {
                KeyCode::Char(c) if !c.is_ascii() && plain(key) => {
                    self.start_search();
                    self.type_char(key)
                }
                _ => false,
            },
        }
    }

    /// The binding table of the focused pane.
    pub(crate) fn focus_table(&self) -> &'static [Binding<Action>] {
        match self.focus {
            Focus::List => keymap::LIST,
            Focus::Card => keymap::CARD,
            Focus::Related => keymap::RELATED,
        }
    }

    /// Saves the screen as drawn now, as SVG and as text, in the current
    /// folder, and says where (or why not) in the footer.
    fn export_screen(&mut self) {
        let mut buf = ratatui::buffer::Buffer::empty(self.size);
        self.render(self.size, &mut buf);
        let dir = match &self.export_dir {
            Some(dir) => dir.clone(),
            None => std::env::current_dir().unwrap_or_else(|_| ".".into()),
        };
        self.message = Some(
            match super::export::save(&buf, &dir, &super::export::stamp()) {
                Ok((svg, txt)) => {
                    let name = |p: &std::path::Path| {
                        crate::text::escape_controls(&p.display().to_string()).into_owned()
                    };
                    Bilingual::owned(
                        format!("saved the screen: {} and {}", name(&svg), name(&txt)),
                        format!("屏幕已保存：{} 和 {}", name(&svg), name(&txt)),
                    )
                }
                Err(e) => Bilingual::owned(
                    format!("could not save the screen: {e}"),
                    format!("无法保存屏幕：{e}"),
                ),
            },
        );
    }

    fn browse_action(&mut self, action: Action) -> bool {
        match action {
            Action::Quit => self.quit = true,
            Action::RunnableOnly => {
                self.runnable_only = !self.runnable_only;
                self.rebuild_rows();
                self.follow_cursor();
            }
            Action::Export => self.export_screen(),
            Action::Help => self.popup = Some(Popup::Help { scroll: 0 }),
            Action::Legend => self.popup = Some(Popup::Legend { scroll: 0 }),
            Action::Language => {
                self.lang = self.lang.next();
                // The list is sorted by the language's names.
                self.rebuild_rows();
                self.settle();
            }
            // A new search, as in less and vim: the old query goes.
            Action::Search => {
                if !self.query.is_empty() {
                    self.query.clear();
                    self.run_search();
                }
                self.start_search();
            }
            Action::NextPane => self.cycle_focus(true),
            Action::PrevPane => self.cycle_focus(false),
            Action::Up
            | Action::Down
            | Action::Top
            | Action::Bottom
            | Action::PageUp
            | Action::PageDown => self.movement(action),
            Action::Open => self.open(),
            Action::Back => return self.back(),
            Action::Accept | Action::DeleteChar | Action::DeleteQuery => return false,
        }
        true
    }

    fn movement(&mut self, action: Action) {
        match self.focus {
            Focus::List => self.move_cursor(action),
            Focus::Card => {
                let page = self.areas(self.size).card_text.height.max(1);
                self.card_scroll = match action {
                    Action::Up => self.card_scroll.saturating_sub(1),
                    Action::Down => self.card_scroll.saturating_add(1),
                    Action::Top => 0,
                    Action::Bottom => u16::MAX,
                    Action::PageUp => self.card_scroll.saturating_sub(page),
                    _ => self.card_scroll.saturating_add(page),
                };
                self.clamp_card_scroll();
            }
            Focus::Related => {
                let count = self
                    .selected_entry()
                    .map(|e| self.related(e).len())
                    .unwrap_or(0);
                if count == 0 {
                    return;
                }
                self.related_cursor = match action {
                    Action::Up => self.related_cursor.saturating_sub(1),
                    Action::Down => (self.related_cursor + 1).min(count - 1),
                    Action::Top | Action::PageUp => 0,
                    _ => count - 1,
                };
            }
        }
    }

    /// Moves the list's selection, skipping category headings.
    fn move_cursor(&mut self, action: Action) {
        let entries: Vec<usize> = (0..self.rows.len())
            .filter(|&row| matches!(self.rows[row], Row::Entry { .. }))
            .collect();
        if entries.is_empty() {
            return;
        }
        let at = entries
            .iter()
            .position(|&row| row == self.cursor)
            .unwrap_or(0);
        let page = self.areas(self.size).rows.height.max(1) as usize;
        let target = match action {
            Action::Up => at.saturating_sub(1),
            Action::Down => at + 1,
            Action::Top => 0,
            Action::Bottom => entries.len() - 1,
            Action::PageUp => at.saturating_sub(page),
            _ => at + page,
        }
        .min(entries.len() - 1);
        self.select_row(entries[target]);
    }

    fn select_row(&mut self, row: usize) {
        if row != self.cursor {
            self.cursor = row;
            self.card_scroll = 0;
            self.related_cursor = 0;
        }
        self.follow_cursor();
    }

    fn cycle_focus(&mut self, forward: bool) {
        let has_entry = self.selected().is_some();
        let has_related = self
            .selected_entry()
            .is_some_and(|e| !self.related(e).is_empty());
        let order: Vec<Focus> = [
            Some(Focus::List),
            has_entry.then_some(Focus::Card),
            (has_entry && has_related).then_some(Focus::Related),
        ]
        .into_iter()
        .flatten()
        .collect();
        let at = order.iter().position(|&f| f == self.focus).unwrap_or(0);
        let next = if forward {
            (at + 1) % order.len()
        } else {
            (at + order.len() - 1) % order.len()
        };
        self.focus = order[next];
        self.settle();
    }

    /// Enter: in the list, show the card (or the lab of a runnable entry);
    /// on the card, open the lab; on a related entry, go there.
    fn open(&mut self) {
        let Some(entry) = self.selected_entry() else {
            return;
        };
        match self.focus {
            Focus::List if App::runnable(entry) => self.open_lab(),
            Focus::List => {
                self.focus = Focus::Card;
                self.settle();
            }
            Focus::Card => self.open_lab(),
            Focus::Related => {
                let related = self.related(entry);
                if let Some(&target) = related.get(self.related_cursor) {
                    if let Some(current) = self.selected() {
                        self.history.push(current);
                    }
                    self.show_entry(target);
                    self.focus = Focus::Card;
                    self.settle();
                }
            }
        }
    }

    /// Opens the selected entry's lab, or says why it cannot.
    fn open_lab(&mut self) {
        let Some(entry) = self.selected_entry() else {
            return;
        };
        let Some(spec) = crate::model::find(&entry.model).filter(|_| !entry.model.is_empty())
        else {
            self.message = Some(s::NOT_RUNNABLE);
            return;
        };
        match Lab::open(entry, spec, LAB_SEED) {
            Ok(lab) => {
                self.lab = Some(Box::new(lab));
                self.popup = None;
            }
            Err(error) => {
                let error = error.message();
                self.message = Some(Bilingual::owned(
                    format!("{}: {}", s::LAB_FAILED.en, error.en),
                    format!("{}：{}", s::LAB_FAILED.zh, error.zh),
                ));
            }
        }
    }

    /// Esc: clear a search, go back along followed links, or back to the list.
    fn back(&mut self) -> bool {
        match self.focus {
            Focus::List => {
                if self.query.is_empty() {
                    return false;
                }
                self.clear_search();
            }
            Focus::Card | Focus::Related => {
                if let Some(previous) = self.history.pop() {
                    self.show_entry(previous);
                    self.focus = Focus::Card;
                } else {
                    self.focus = Focus::List;
                }
                self.settle();
            }
        }
        true
    }

    /// Selects entry `index`, dropping the search if the entry is not among its hits.
    fn show_entry(&mut self, index: usize) {
        let row = |rows: &[Row]| {
            rows.iter()
                .position(|r| matches!(r, Row::Entry { index: i, .. } if *i == index))
        };
        if row(&self.rows).is_none() {
            self.query.clear();
            self.mode = Mode::Browse;
            self.rebuild_rows();
        }
        if let Some(row) = row(&self.rows) {
            self.cursor = row;
            self.card_scroll = 0;
            self.related_cursor = 0;
        }
        self.follow_cursor();
    }

    fn popup_action(&mut self, popup: Popup, action: Action) -> bool {
        let (Popup::Help { scroll } | Popup::Legend { scroll }) = popup;
        let page = self.areas(self.size).body.height.saturating_sub(4).max(1);
        let scroll = match action {
            Action::Quit => {
                self.quit = true;
                return true;
            }
            Action::Language => {
                self.lang = self.lang.next();
                // The list is sorted by the language's names.
                self.rebuild_rows();
                self.settle();
                scroll
            }
            Action::Export => {
                self.export_screen();
                return true;
            }
            Action::Back => {
                self.popup = None;
                return true;
            }
            Action::Help => {
                self.popup = match popup {
                    Popup::Help { .. } => None,
                    Popup::Legend { .. } => Some(Popup::Help { scroll: 0 }),
                };
                return true;
            }
            Action::Up => scroll.saturating_sub(1),
            Action::Down => scroll.saturating_add(1),
            Action::Top => 0,
            Action::Bottom => u16::MAX,
            Action::PageUp => scroll.saturating_sub(page),
            Action::PageDown => scroll.saturating_add(page),
            _ => return false,
        };
        let max = view::popup_max_scroll(self, popup, self.size);
        let scroll = scroll.min(max);
        self.popup = Some(match popup {
            Popup::Help { .. } => Popup::Help { scroll },
            Popup::Legend { .. } => Popup::Legend { scroll },
        });
        true
    }

    // ---- Search --------------------------------------------------------

    fn start_search(&mut self) {
        self.mode = Mode::Search;
        self.focus = Focus::List;
        self.settle();
    }

    fn clear_search(&mut self) {
        let selected = self.selected();
        self.query.clear();
        self.mode = Mode::Browse;
        self.rebuild_rows();
        // Keep the entry the search led to selected in the full list.
        if let Some(index) = selected {
            self.show_entry(index);
        }
        self.settle();
    }

    fn search_action(&mut self, action: Action) -> bool {
        match action {
            Action::Quit => self.quit = true,
            Action::Back => self.clear_search(),
            Action::Accept => {
                self.mode = Mode::Browse;
                if self.query.is_empty() {
                    self.rebuild_rows();
                }
                self.settle();
            }
            Action::DeleteChar => {
                if self.query.pop().is_none() {
                    return false;
                }
                self.run_search();
            }
            Action::DeleteQuery => {
                self.query.clear();
                self.run_search();
            }
            Action::Up
            | Action::Down
            | Action::PageUp
            | Action::PageDown
            | Action::Top
            | Action::Bottom => self.move_cursor(action),
            _ => return false,
        }
        true
    }

    fn type_char(&mut self, key: &KeyEvent) -> bool {
        match key.code {
            KeyCode::Char(c) if plain(key) && !c.is_control() => {
                self.query.push(c);
                self.run_search();
                true
            }
            _ => false,
        }
    }

    fn paste(&mut self, text: &str) -> bool {
        if self.popup.is_none()
            && let Some(lab) = self.lab.as_mut()
        {
            return lab.handle_paste(text) != LabOutcome::Ignored;
        }
        // Pasted text searches; line breaks and tabs become spaces.
        let text: String = text
            .chars()
            .map(|c| if c.is_whitespace() { ' ' } else { c })
            .filter(|c| !c.is_control())
            .collect();
        if text.trim().is_empty() || self.popup.is_some() {
            return false;
        }
        if self.mode != Mode::Search {
            self.query.clear();
            self.start_search();
        }
        self.query.push_str(&text);
        self.run_search();
        true
    }

    fn run_search(&mut self) {
        self.rebuild_rows();
        // The best hit is selected after every change of the query.
        self.cursor = self
            .rows
            .iter()
            .position(|row| matches!(row, Row::Entry { .. }))
            .unwrap_or(0);
        self.list_offset = 0;
        self.card_scroll = 0;
        self.related_cursor = 0;
        self.settle();
    }

    /// The rows for the current query: every entry under its category's
    /// heading, or the hits best first.
    fn rebuild_rows(&mut self) {
        let selected = self.selected();
        self.rows.clear();
        let entries = self.catalogue.entries();
        let shown = |index: usize| !self.runnable_only || App::runnable(&entries[index]);
        if self.query.trim().is_empty() {
            // By category as the catalogue orders them, then by name: the
            // English name in English, the pinyin in Chinese.
            let mut order: Vec<usize> = (0..entries.len()).filter(|&i| shown(i)).collect();
            let first_of = |category| entries.iter().position(|e| e.category == category);
            let lang = self.lang;
            order.sort_by_cached_key(|&i| {
                let entry = &entries[i];
                let name = match lang {
                    Lang::En => entry.name.en.to_lowercase(),
                    Lang::Zh | Lang::Both => entry.pinyin.to_lowercase(),
                };
                (first_of(entry.category), name, i)
            });
            let mut category = None;
            for index in order {
                let entry = &entries[index];
                if category != Some(entry.category) {
                    category = Some(entry.category);
                    self.rows.push(Row::Heading(entry.category));
                }
                self.rows.push(Row::Entry { index, field: None });
            }
        } else {
            let hits: Vec<Hit> = search::search(&self.catalogue, &self.query);
            self.rows.extend(
                hits.iter()
                    .filter(|hit| shown(hit.index))
                    .map(|hit| Row::Entry {
                        index: hit.index,
                        field: Some(hit.field),
                    }),
            );
        }
        self.cursor = selected
            .and_then(|index| {
                self.rows
                    .iter()
                    .position(|r| matches!(r, Row::Entry { index: i, .. } if *i == index))
            })
            .or_else(|| {
                self.rows
                    .iter()
                    .position(|r| matches!(r, Row::Entry { .. }))
            })
            .unwrap_or(0);
    }

    // ---- Mouse ---------------------------------------------------------

    fn mouse(&mut self, mouse: &MouseEvent) -> bool {
        if App::too_small(self.size) {
            return false;
        }
        let at = Position::new(mouse.column, mouse.row);
        let areas = self.areas(self.size);
        if self.popup.is_none()
            && let Some(lab) = self.lab.as_mut()
        {
            return match lab.handle_mouse(*mouse) {
                LabOutcome::Consumed => true,
                LabOutcome::Close => {
                    self.lab = None;
                    self.settle();
                    true
                }
                LabOutcome::Ignored => false,
            };
        }
        if let Some(popup) = self.popup {
            return match mouse.kind {
                MouseEventKind::ScrollDown => self.popup_action(popup, Action::Down),
                MouseEventKind::ScrollUp => self.popup_action(popup, Action::Up),
                MouseEventKind::Down(MouseButton::Left)
                    if !view::popup_area(self, popup, self.size).contains(at) =>
                {
                    self.popup = None;
                    true
                }
                _ => false,
            };
        }
        match mouse.kind {
            MouseEventKind::Down(MouseButton::Left) => {
                if areas.rows.contains(at) {
                    let row = self.list_offset + (at.y - areas.rows.y) as usize;
                    if matches!(self.rows.get(row), Some(Row::Entry { .. })) {
                        self.focus = Focus::List;
                        self.select_row(row);
                        return true;
                    }
                    false
                } else if areas.related.contains(at) {
                    let chips = view::related_chips(self, areas.related_text);
                    if let Some(chip) = chips.iter().find(|chip| chip.area.contains(at)) {
                        self.focus = Focus::Related;
                        self.related_cursor = chip.position;
                        self.open();
                    } else {
                        self.focus = Focus::Related;
                    }
                    true
                } else if areas.card.contains(at) {
                    self.focus = Focus::Card;
                    true
                } else if areas.list.contains(at) {
                    self.focus = Focus::List;
                    true
                } else {
                    false
                }
            }
            MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
                let down = mouse.kind == MouseEventKind::ScrollDown;
                if areas.list.contains(at) {
                    self.move_cursor(if down { Action::Down } else { Action::Up });
                    true
                } else if areas.card.contains(at) {
                    self.card_scroll = if down {
                        self.card_scroll.saturating_add(WHEEL_LINES)
                    } else {
                        self.card_scroll.saturating_sub(WHEEL_LINES)
                    };
                    self.clamp_card_scroll();
                    true
                } else {
                    false
                }
            }
            _ => false,
        }
    }

    // ---- Keeping the view consistent -------------------------------------

    /// After anything that changes sizes: keep the selection visible, the
    /// scroll positions in range and the focus on a pane that is there.
    fn settle(&mut self) {
        if self.selected().is_none() {
            self.focus = Focus::List;
        } else if self.focus == Focus::Related
            && self
                .selected_entry()
                .is_some_and(|e| self.related(e).is_empty())
        {
            self.focus = Focus::Card;
        }
        self.follow_cursor();
        self.clamp_card_scroll();
        if let Some(popup) = self.popup {
            let max = view::popup_max_scroll(self, popup, self.size);
            self.popup = Some(match popup {
                Popup::Help { scroll } => Popup::Help {
                    scroll: scroll.min(max),
                },
                Popup::Legend { scroll } => Popup::Legend {
                    scroll: scroll.min(max),
                },
            });
        }
    }

    /// Scrolls the list so the selected row is visible (with its heading
    /// when it is the first of its category).
    fn follow_cursor(&mut self) {
        let height = self.areas(self.size).rows.height as usize;
        if height == 0 {
            return;
        }
        let mut top = self.cursor;
        if top > 0 && matches!(self.rows.get(top - 1), Some(Row::Heading(_))) {
            top -= 1;
        }
        if top < self.list_offset {
            self.list_offset = top;
        } else if self.cursor >= self.list_offset + height {
            self.list_offset = self.cursor + 1 - height;
        }
        self.list_offset = self.list_offset.min(self.rows.len().saturating_sub(height));
    }

    fn clamp_card_scroll(&mut self) {
        let areas = self.areas(self.size);
        let lines = view::card_line_count(self, areas.card_text.width) as u16;
        let max = lines.saturating_sub(areas.card_text.height);
        self.card_scroll = self.card_scroll.min(max);
    }

    /// The footer's hints for what is on screen now: the place's own, and
    /// the keys that work everywhere (minus any the place binds itself).
    pub(crate) fn footer_hints(&self) -> (Vec<KeyHelp>, Vec<KeyHelp>) {
        if self.lab.is_some() && self.popup.is_none() {
            // The lab shows its own keys in its own footer; q takes one
            // back to the catalogue from there.
            let mut global = keys::footer(keymap::GLOBAL);
            for hint in &mut global {
                if hint.keys == "q" {
                    hint.label = Bilingual::new("catalogue", "目录");
                }
            }
            return (Vec::new(), global);
        }
        let own = if self.popup.is_some() {
            keymap::POPUP
        } else if self.mode == Mode::Search {
            keymap::SEARCH
        } else {
            self.focus_table()
        };
        let mut global = Vec::new();
        if self.mode != Mode::Search || self.popup.is_some() {
            // A global key the place binds itself does the place's thing.
            let unshadowed = keymap::GLOBAL.iter().filter(|binding| {
                !binding
                    .keys
                    .iter()
                    .any(|key| own.iter().any(|b| b.keys.contains(key)))
            });
            global.extend(unshadowed.filter(|b| b.in_footer).filter_map(|b| {
                b.keys.first().map(|key| KeyHelp {
                    keys: key.name().into(),
                    label: b.label.clone(),
                    in_footer: true,
                })
            }));
        }
        (keys::footer(own), global)
    }
}

/// A key without Ctrl or Alt (Shift is part of the character).
fn plain(key: &KeyEvent) -> bool {
    !key.modifiers
        .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ratatui::crossterm::event::KeyEventState;

    fn app() -> App {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/zoo");
        let catalogue = Catalogue::default().with_dir(&dir);
        App::new(
            catalogue,
            Lang::En,
            Theme::plain(),
            Rect::new(0, 0, 120, 40),
        )
    }

    fn press(app: &mut App, code: KeyCode) -> bool {
        app.handle(&Event::Key(KeyEvent {
            code,
            modifiers: KeyModifiers::NONE,
            kind: KeyEventKind::Press,
            state: KeyEventState::NONE,
        }))
    }

    fn typed(app: &mut App, text: &str) {
        for c in text.chars() {
            press(app, KeyCode::Char(c));
        }
    }

    fn mouse(app: &mut App, kind: MouseEventKind, column: u16, row: u16) -> bool {
        app.handle(&Event::Mouse(MouseEvent {
            kind,
            column,
            row,
            modifiers: KeyModifiers::NONE,
        }))
    }

    fn selected_id(app: &App) -> &str {
        &app.selected_entry().expect("an entry is selected").id
    }

    #[test]
    fn the_list_groups_entries_under_category_headings_and_skips_them() {
        let mut app = app();
        assert_eq!(app.rows[0], Row::Heading(Category::Cell));
        assert_eq!(app.cursor, 1);
        press(&mut app, KeyCode::Char('G'));
        assert_eq!(selected_id(&app), "relu");
        press(&mut app, KeyCode::Char('k'));
        // Up from the concepts' first entry skips their heading.
        assert!(matches!(app.rows[app.cursor], Row::Entry { .. }));
        press(&mut app, KeyCode::Char('g'));
        assert_eq!(app.cursor, 1);
    }

    #[test]
    fn searching_selects_the_best_hit_and_esc_keeps_it_selected_in_the_full_list() {
        let mut app = app();
        typed(&mut app, "/长短期");
        assert_eq!(app.mode, Mode::Search);
        assert_eq!(selected_id(&app), "lstm-cell");
        assert!(app.rows.len() >= 2 && app.rows.iter().all(|r| matches!(r, Row::Entry { .. })));
        press(&mut app, KeyCode::Backspace);
        assert_eq!(app.query, "长短");
        press(&mut app, KeyCode::Esc);
        assert_eq!(app.mode, Mode::Browse);
        assert!(app.query.is_empty());
        assert_eq!(selected_id(&app), "lstm-cell");
        assert!(app.rows.contains(&Row::Heading(Category::Network)));
        // Letters typed while searching are text, not commands.
        typed(&mut app, "/qLj");
        assert_eq!(app.query, "qLj");
        assert!(!app.should_quit());
        assert_eq!(app.lang(), Lang::En);
    }

    #[test]
    fn a_paste_searches_and_a_chinese_character_starts_a_search() {
        let mut app = app();
        app.handle(&Event::Paste("霍普菲尔\n".into()));
        assert_eq!(app.query, "霍普菲尔 ");
        assert_eq!(selected_id(&app), "hopfield");
        press(&mut app, KeyCode::Esc);
        typed(&mut app, "循环");
        assert_eq!(app.mode, Mode::Search);
        assert_eq!(app.query, "循环");
    }

    #[test]
    fn related_entries_jump_and_esc_comes_back() {
        let mut app = app();
        typed(&mut app, "/gru");
        press(&mut app, KeyCode::Enter);
        assert_eq!(selected_id(&app), "gru-cell");
        press(&mut app, KeyCode::Tab);
        assert_eq!(app.focus, Focus::Card);
        press(&mut app, KeyCode::Tab);
        assert_eq!(app.focus, Focus::Related);
        let related = app.related(app.selected_entry().unwrap());
        press(&mut app, KeyCode::Right);
        press(&mut app, KeyCode::Enter);
        let target = &app.catalogue.entries()[related[1]].id.clone();
        assert_eq!(selected_id(&app), target);
        // The jump left the search (the target was not among its hits) or kept it.
        press(&mut app, KeyCode::Esc);
        assert_eq!(selected_id(&app), "gru-cell");
        press(&mut app, KeyCode::Esc);
        assert_eq!(app.focus, Focus::List);
    }

    #[test]
    fn the_language_cycles_and_help_and_legend_open_and_close() {
        let mut app = app();
        press(&mut app, KeyCode::Char('L'));
        assert_eq!(app.lang(), Lang::Zh);
        press(&mut app, KeyCode::Char('L'));
        assert_eq!(app.lang(), Lang::Both);
        press(&mut app, KeyCode::Char('L'));
        assert_eq!(app.lang(), Lang::En);
        press(&mut app, KeyCode::Char('?'));
        assert_eq!(app.popup, Some(Popup::Help { scroll: 0 }));
        press(&mut app, KeyCode::Char('G'));
        let Some(Popup::Help { scroll }) = app.popup else {
            panic!("help stays open")
        };
        assert!(
            scroll > 0 && scroll < 200,
            "scrolled to the end, not past it: {scroll}"
        );
        press(&mut app, KeyCode::Esc);
        assert_eq!(app.popup, None);
        press(&mut app, KeyCode::Char('d'));
        assert_eq!(app.popup, Some(Popup::Legend { scroll: 0 }));
        press(&mut app, KeyCode::Char('d'));
        assert_eq!(app.popup, None);
        press(&mut app, KeyCode::Char('q'));
        assert!(app.should_quit());
    }

    #[test]
    fn the_mouse_selects_rows_scrolls_the_card_and_follows_related_links() {
        let mut app = app();
        let areas = app.areas(app.size);
        // The third row of the list (under the Cells heading).
        let row = areas.rows.y + 3;
        assert!(mouse(
            &mut app,
            MouseEventKind::Down(MouseButton::Left),
            areas.rows.x + 2,
            row
        ));
        assert_eq!(app.cursor, 3);
        let before = app.card_scroll;
        mouse(
            &mut app,
            MouseEventKind::ScrollDown,
            areas.card.x + 5,
            areas.card.y + 5,
        );
        assert_eq!(app.card_scroll, before + WHEEL_LINES);
        mouse(
            &mut app,
            MouseEventKind::ScrollUp,
            areas.card.x + 5,
            areas.card.y + 5,
        );
        assert_eq!(app.card_scroll, before);
        // A click on the first related entry goes there.
        let areas = app.areas(app.size);
        let chips = view::related_chips(&app, areas.related_text);
        let first = chips
            .first()
            .expect("the entry has related entries")
            .clone();
        mouse(
            &mut app,
            MouseEventKind::Down(MouseButton::Left),
            first.area.x + 1,
            first.area.y,
        );
        assert_eq!(app.selected(), Some(first.index));
        // Nothing happens to clicks outside everything, or in a tiny window.
        assert!(!mouse(
            &mut app,
            MouseEventKind::Down(MouseButton::Right),
            0,
            0
        ));
        app.handle(&Event::Resize(10, 5));
        assert!(!mouse(
            &mut app,
            MouseEventKind::Down(MouseButton::Left),
            2,
            2
        ));
    }

    #[test]
    fn the_card_scrolls_within_its_text_and_resizing_keeps_it_there() {
        let mut app = app();
        typed(&mut app, "/lstm");
        press(&mut app, KeyCode::Esc);
        press(&mut app, KeyCode::Tab);
        press(&mut app, KeyCode::Char('G'));
        let areas = app.areas(app.size);
        let lines = view::card_line_count(&app, areas.card_text.width) as u16;
        assert_eq!(app.card_scroll, lines - areas.card_text.height);
        app.handle(&Event::Resize(200, 60));
        let areas = app.areas(app.size);
        let lines = view::card_line_count(&app, areas.card_text.width) as u16;
        assert_eq!(
            app.card_scroll,
            lines.saturating_sub(areas.card_text.height)
        );
    }

    #[test]
    fn enter_on_an_entry_no_model_backs_says_so() {
        let mut app = app();
        // The fixtures' entries name no model.
        press(&mut app, KeyCode::Enter);
        assert_eq!(app.focus, Focus::Card);
        press(&mut app, KeyCode::Enter);
        assert!(app.lab.is_none());
        assert_eq!(app.message, Some(s::NOT_RUNNABLE));
        // The message goes with the next key.
        press(&mut app, KeyCode::Char('j'));
        assert_eq!(app.message, None);
    }

    fn lstm_lab() -> App {
        let mut app = App::new(
            Catalogue::builtin(),
            Lang::En,
            Theme::plain(),
            Rect::new(0, 0, 120, 40),
        );
        typed(&mut app, "/LSTM");
        press(&mut app, KeyCode::Enter);
        press(&mut app, KeyCode::Enter);
        assert!(app.lab_open());
        app
    }

    fn entry_rows(app: &App) -> Vec<&Entry> {
        app.rows
            .iter()
            .filter_map(|r| match r {
                Row::Entry { index, .. } => Some(&app.catalogue.entries()[*index]),
                Row::Heading(_) => None,
            })
            .collect()
    }

    #[test]
    fn r_lists_only_the_runnable_entries_and_again_all() {
        // Every built-in entry runs a model; a folder's entry may not.
        let builtin = Catalogue::builtin();
        assert!(builtin.entries().iter().all(App::runnable));
        let entries = builtin.entries().iter().cloned().map(|mut entry| {
            if entry.id == "dnc" || entry.id == "rbm" {
                entry.model = String::new();
            }
            entry
        });
        let mut app = App::new(
            Catalogue::from_entries(entries),
            Lang::En,
            Theme::plain(),
            Rect::new(0, 0, 120, 40),
        );
        let all = entry_rows(&app).len();
        press(&mut app, KeyCode::Char('r'));
        let runnable = entry_rows(&app);
        assert!(!runnable.is_empty() && runnable.len() < all);
        assert!(runnable.iter().all(|e| App::runnable(e)));
        assert_eq!(
            runnable.len(),
            app.catalogue
                .entries()
                .iter()
                .filter(|e| App::runnable(e))
                .count()
        );
        press(&mut app, KeyCode::Char('r'));
        assert_eq!(entry_rows(&app).len(), all);
    }

    #[test]
    fn the_list_is_sorted_by_name_in_english_and_by_pinyin_in_chinese() {
        let mut app = App::new(
            Catalogue::builtin(),
            Lang::En,
            Theme::plain(),
            Rect::new(0, 0, 120, 40),
        );
        let sorted_within_categories = |app: &App, key: &dyn Fn(&Entry) -> String| {
            let entries = entry_rows(app);
            entries
                .windows(2)
                .all(|pair| pair[0].category != pair[1].category || key(pair[0]) <= key(pair[1]))
        };
        assert!(sorted_within_categories(&app, &|e| e
            .name
            .en
            .to_lowercase()));
        press(&mut app, KeyCode::Char('L'));
        assert_eq!(app.lang(), Lang::Zh);
        assert!(sorted_within_categories(&app, &|e| e.pinyin.to_lowercase()));
        assert!(!sorted_within_categories(&app, &|e| e
            .name
            .en
            .to_lowercase()));
    }

    #[test]
    fn q_in_a_lab_goes_back_to_the_catalogue_and_a_second_q_quits() {
        let mut app = lstm_lab();
        press(&mut app, KeyCode::Char('q'));
        assert!(!app.lab_open());
        assert!(!app.should_quit());
        press(&mut app, KeyCode::Char('q'));
        assert!(app.should_quit());
        // Ctrl-C quits from a lab at once.
        let mut app = lstm_lab();
        app.handle(&Event::Key(KeyEvent::new(
            KeyCode::Char('c'),
            KeyModifiers::CONTROL,
        )));
        assert!(app.should_quit());
    }

    #[test]
    fn esc_followed_quickly_by_a_key_is_not_read_as_alt() {
        // The terminal sends Esc then `/` as the bytes of Alt+/.
        let mut app = lstm_lab();
        app.handle(&Event::Key(KeyEvent::new(
            KeyCode::Char('/'),
            KeyModifiers::ALT,
        )));
        assert!(!app.lab_open(), "Esc left the lab");
        assert_eq!(app.mode, Mode::Search, "and / started a search");
    }

    #[test]
    fn keys_typed_into_a_window_too_small_are_ignored_but_q_quits() {
        let mut app = lstm_lab();
        app.handle(&Event::Resize(20, 5));
        press(&mut app, KeyCode::Esc);
        press(&mut app, KeyCode::Char('n'));
        assert!(app.lab_open(), "Esc typed blind did not close the lab");
        app.handle(&Event::Resize(120, 40));
        assert!(app.lab_open());
        app.handle(&Event::Resize(20, 5));
        press(&mut app, KeyCode::Char('q'));
        assert!(app.should_quit());
    }

    #[test]
    fn enter_on_a_runnable_entry_opens_its_lab_and_esc_closes_it() {
        let catalogue = Catalogue::builtin();
        let mut app = App::new(
            catalogue,
            Lang::En,
            Theme::plain(),
            Rect::new(0, 0, 120, 40),
        );
        typed(&mut app, "/LSTM");
        press(&mut app, KeyCode::Enter);
        assert_eq!(selected_id(&app), "lstm-cell");
        assert!(App::runnable(app.selected_entry().unwrap()));
        press(&mut app, KeyCode::Enter);
        assert!(app.lab_open());
        // Paused: nothing to wake up for.
        assert_eq!(app.next_wake(), None);
        press(&mut app, KeyCode::Char(' '));
        app.tick(Instant::now());
        assert!(app.next_wake().is_some(), "a running lab asks to be woken");
        // The app's own keys still work in the lab.
        press(&mut app, KeyCode::Char('L'));
        assert_eq!(app.lang(), Lang::Zh);
        press(&mut app, KeyCode::Esc);
        assert!(!app.lab_open());
        assert_eq!(app.next_wake(), None);
    }
}
