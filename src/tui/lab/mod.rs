//! The lab: where a model runs, drawn from [`Model::views`] alone.
//!
//! Nothing here knows one model from another. The lab steps the model (by
//! steps or stages, paused or running at a chosen speed, and pausing by
//! itself where the model says it has come to rest), lets a person edit
//! the first editable view (a vector's values, a picture's pixels), cycle
//! the input source, rebuild the model with new parameters, and run the
//! model's own actions; it lays the views out to fit the area and draws
//! each with the drawer for its kind (see [`crate::tui::widgets`]).

mod keys;
mod layout;
mod popup;
mod work;

use crate::catalogue::Entry;
use crate::experiment;
use crate::model::timeline::{Change, Timeline};
use crate::model::{
    Model, ModelError, ModelSpec, ParamKind, ParamRole, ParamValue, Params, StatusLevel, View,
    ViewContent,
};
use crate::text::{Bilingual, Lang};
use crate::tui::keys::KeyHelp;
use crate::tui::theme::Theme;
use crate::view::{self as widgets, DrawContext};
use keys::{Binding, Command};
use layout::Placement;
use popup::ParamsPopup;
use ratatui::buffer::Buffer;
use ratatui::crossterm::event::{
    KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::{Position, Rect};
use ratatui::widgets::{
    Clear, Scrollbar, ScrollbarOrientation, ScrollbarState, StatefulWidget, Widget,
};
use std::borrow::Cow;
use std::time::{Duration, Instant};
use unicode_width::UnicodeWidthStr;
use work::{Busy, Finished};

/// Speeds offered by `+` and `-`, in steps (or stages) per second.
const SPEEDS: [u32; 11] = [1, 2, 5, 10, 20, 30, 60, 100, 200, 500, 1000];
/// The speed a lab opens at (an index into [`SPEEDS`]).
const DEFAULT_SPEED: usize = 3;
/// No more frames than this while running.
const FRAME: Duration = Duration::from_micros(16_667);
/// Most time one tick spends computing, so a slow model never freezes the UI.
const TICK_BUDGET: Duration = Duration::from_millis(12);
/// Rows the mouse wheel scrolls.
const WHEEL_ROWS: u16 = 3;
/// How often the progress of long work is redrawn.
const PROGRESS_FRAME: Duration = Duration::from_millis(100);

/// What became of an event the lab was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabOutcome {
    /// The lab used it.
    Consumed,
    /// The person wants to leave the lab.
    Close,
    /// Not for the lab (the app's own keys: q, ?, L, Ctrl-C, ...).
    Ignored,
}

/// A running model and how it is shown.
pub struct Lab {
    title: Bilingual,
    spec: &'static ModelSpec,
    model: Box<dyn Model>,
    /// The model's views as of its last change.
    views: Vec<View>,
    running: bool,
    /// Whether running advances stage by stage instead of step by step.
    by_stage: bool,
    speed: usize,
    /// When running: the instant up to which advances have been counted,
    /// and the fraction of an advance owed since.
    clock: Option<Instant>,
    owed: f64,
    last_frame: Option<Instant>,
    mode: Mode,
    /// A note from the lab itself (an error, a rebuilt model).
    message: Option<(StatusLevel, Bilingual)>,
    /// The first step at which a view held NaN or an infinity, and which view.
    overflow: Option<(u64, String)>,
    scroll: u16,
    areas: Areas,
    /// The model's recent past, for stepping back.
    timeline: Timeline,
    /// Long work under way on a worker; `model` is then a copy to draw.
    busy: Option<Busy>,
    last_progress_frame: Option<Instant>,
    /// While the left button is held on a picture: the picture and the
    /// value the press gave its pixel, which dragging paints.
    painting: Option<(String, f32)>,
    /// While the left button is held on a plane that takes points: the
    /// plane, which dragging adds points to.
    pointing: Option<String>,
}

enum Mode {
    Normal,
    Edit(EditState),
    Params(ParamsPopup),
    /// An experiment's report, scrolled by rows.
    Report(Report),
}

/// A finished experiment's report, shown over the lab.
struct Report {
    title: Bilingual,
    verdict: &'static str,
    /// The report in each language, control characters made visible.
    text: Bilingual,
    scroll: usize,
}

/// Editing one view: which, where, and the number being typed.
struct EditState {
    view: String,
    index: usize,
    typed: String,
}

/// Where things were drawn last, for the mouse.
#[derive(Default)]
struct Areas {
    canvas: Rect,
    scroll: u16,
    placements: Vec<Placement>,
    canvas_height: u16,
}

impl Lab {
    /// Opens the lab of `entry`, building its model at its default
    /// parameters with `seed`.
    pub fn open(entry: &Entry, spec: &'static ModelSpec, seed: u64) -> Result<Lab, ModelError> {
        Lab::with_params(entry, spec, &spec.default_params(), seed)
    }

    /// Opens the lab with the model built from `params` (e.g. a size given
    /// on the command line) instead of the defaults.
    pub fn with_params(
        entry: &Entry,
        spec: &'static ModelSpec,
        params: &Params,
        seed: u64,
    ) -> Result<Lab, ModelError> {
        let model = (spec.build)(params, seed)?;
        let title = if entry.abbreviation.is_empty() {
            entry.name.clone()
        } else {
            Bilingual::owned(
                format!("{} ({})", entry.name.en, entry.abbreviation),
                format!("{} ({})", entry.name.zh, entry.abbreviation),
            )
        };
        let mut lab = Lab {
            title,
            spec,
            views: Vec::new(),
            timeline: Timeline::new(model.as_ref()),
            busy: None,
            last_progress_frame: None,
            painting: None,
            pointing: None,
            model,
            running: false,
            by_stage: false,
            speed: DEFAULT_SPEED,
            clock: None,
            owed: 0.0,
            last_frame: None,
            mode: Mode::Normal,
            message: None,
            overflow: None,
            scroll: 0,
            areas: Areas::default(),
        };
        lab.refresh();
        Ok(lab)
    }

    /// Handles a key press.
    pub fn handle_key(&mut self, key: KeyEvent) -> LabOutcome {
        if key.kind == KeyEventKind::Release {
            return LabOutcome::Ignored;
        }
        if key
            .modifiers
            .intersects(KeyModifiers::CONTROL | KeyModifiers::ALT | KeyModifiers::SUPER)
        {
            return LabOutcome::Ignored;
        }
        if self.busy.is_some() {
            return self.busy_key(key.code);
        }
        match std::mem::replace(&mut self.mode, Mode::Normal) {
            Mode::Normal => self.normal_key(key.code),
            Mode::Edit(edit) => self.edit_key(edit, key.code),
            Mode::Params(popup) => self.params_key(popup, key.code),
            Mode::Report(report) => self.report_key(report, key.code),
        }
    }

    /// Handles a mouse event, against the areas of the last render.
    pub fn handle_mouse(&mut self, mouse: MouseEvent) -> LabOutcome {
        if let Mode::Params(popup) = &mut self.mode {
            return match mouse.kind {
                MouseEventKind::ScrollUp => {
                    popup.move_selection(-1);
                    LabOutcome::Consumed
                }
                MouseEventKind::ScrollDown => {
                    popup.move_selection(1);
                    LabOutcome::Consumed
                }
                _ => LabOutcome::Consumed,
            };
        }
        let at = Position::new(mouse.column, mouse.row);
        match mouse.kind {
            MouseEventKind::ScrollUp => {
                self.scroll_by(-i32::from(WHEEL_ROWS));
                LabOutcome::Consumed
            }
            MouseEventKind::ScrollDown => {
                self.scroll_by(i32::from(WHEEL_ROWS));
                LabOutcome::Consumed
            }
            MouseEventKind::Down(MouseButton::Left)
                if self.areas.canvas.contains(at) && self.busy.is_none() =>
            {
                self.painting = None;
                self.pointing = None;
                if let Some((view, x, y)) = self.plane_point_under(at) {
                    self.point(&view, x, y);
                    self.pointing = Some(view);
                    return LabOutcome::Consumed;
                }
                match self.pixel_under(at) {
                    Some((view, index)) => {
                        self.running = false;
                        self.toggle_pixel(&view, index);
                        let value = self.value_at(&view, index).map(|(v, _)| v);
                        if let Mode::Edit(edit) = &mut self.mode
                            && edit.view == view
                        {
                            edit.index = index;
                        }
                        self.painting = value.map(|v| (view, v));
                        LabOutcome::Consumed
                    }
                    None => LabOutcome::Ignored,
                }
            }
            // Dragging paints the value the press gave, one pixel at a
            // time, each an edit that can be stepped back.
            MouseEventKind::Drag(MouseButton::Left) if self.busy.is_none() => {
                if let Some(view) = self.pointing.clone() {
                    // Each cell the mouse is dragged over gives a point.
                    if let Some((under, x, y)) = self.plane_point_under(at)
                        && under == view
                    {
                        self.point(&view, x, y);
                    }
                    return LabOutcome::Consumed;
                }
                let Some((view, value)) = self.painting.clone() else {
                    return LabOutcome::Ignored;
                };
                if let Some((under, index)) = self.pixel_under(at)
                    && under == view
                {
                    let now = self.value_at(&view, index).map(|(v, _)| v);
                    if now.is_some_and(|now| (now > 0.0) != (value > 0.0)) {
                        self.set_values(&view, index, &[value]);
                    }
                    if let Mode::Edit(edit) = &mut self.mode
                        && edit.view == view
                    {
                        edit.index = index;
                    }
                }
                LabOutcome::Consumed
            }
            MouseEventKind::Up(MouseButton::Left) => {
                let was = self
                    .painting
                    .take()
                    .map(|_| ())
                    .or(self.pointing.take().map(|_| ()));
                if was.is_some() {
                    LabOutcome::Consumed
                } else {
                    LabOutcome::Ignored
                }
            }
            _ => LabOutcome::Ignored,
        }
    }

    /// Handles pasted text: numbers for the value being edited (or, when not
    /// editing, for the first editable vector from its first component), or
    /// a value for the parameter being edited.
    pub fn handle_paste(&mut self, text: &str) -> LabOutcome {
        if self.busy.is_some() {
            return LabOutcome::Ignored;
        }
        match &mut self.mode {
            Mode::Params(popup) => {
                popup.paste(text);
                LabOutcome::Consumed
            }
            Mode::Edit(edit) => {
                let numbers = parse_numbers(text);
                let (view, start) = (edit.view.clone(), edit.index);
                match numbers {
                    Some(values) if values.len() > 1 => {
                        self.set_values(&view, start, &values);
                    }
                    _ => edit
                        .typed
                        .extend(text.chars().filter(|c| is_number_char(*c))),
                }
                LabOutcome::Consumed
            }
            Mode::Report(_) => LabOutcome::Ignored,
            Mode::Normal => {
                let target = self
                    .views
                    .iter()
                    .find(|v| v.editable && matches!(v.content, ViewContent::Vector { .. }))
                    .map(|v| v.name.clone());
                match (target, parse_numbers(text)) {
                    (Some(view), Some(values)) => {
                        self.set_values(&view, 0, &values);
                        LabOutcome::Consumed
                    }
                    _ => LabOutcome::Ignored,
                }
            }
        }
    }

    /// Advances a running model by what is due at `now`; true when the
    /// screen should be redrawn.
    pub fn tick(&mut self, now: Instant) -> bool {
        if self.busy.is_some() {
            return self.tick_busy(now);
        }
        if !self.running {
            return false;
        }
        let Some(clock) = self.clock else {
            self.clock = Some(now);
            return false;
        };
        if self
            .last_frame
            .is_some_and(|last| now.saturating_duration_since(last) < FRAME)
        {
            return false;
        }
        let elapsed = now.saturating_duration_since(clock).as_secs_f64();
        self.clock = Some(now.max(clock));
        self.owed += elapsed * f64::from(SPEEDS[self.speed]);
        let due = self.owed.floor();
        if due < 1.0 {
            return false;
        }
        // Never more than a second's worth, so a stall does not turn into a burst.
        let due = due.min(f64::from(SPEEDS[self.speed])) as u64;
        self.owed = (self.owed - due as f64).clamp(0.0, 1.0);
        let started = Instant::now();
        for done in 0..due {
            self.advance();
            if self.model.at_rest() {
                // Nothing more would happen: stop where the model came to
                // rest, and let its status say what happened.
                self.running = false;
                self.clock = None;
                self.owed = 0.0;
                break;
            }
            if done % 4 == 3 && started.elapsed() > TICK_BUDGET {
                // The model cannot keep up: show what there is and drop the rest.
                self.owed = 0.0;
                break;
            }
        }
        self.last_frame = Some(now);
        self.refresh();
        true
    }

    /// When [`Lab::tick`] next has something to do; `None` while paused.
    pub fn next_wake(&self) -> Option<Instant> {
        if self.busy.is_some() {
            let last = self.last_progress_frame.unwrap_or_else(Instant::now);
            return Some(last + PROGRESS_FRAME);
        }
        if !self.running {
            return None;
        }
        let clock = self.clock?;
        let speed = f64::from(SPEEDS[self.speed]);
        let until_due = ((1.0 - self.owed).max(0.0) / speed).min(1.0);
        let due = clock + Duration::from_secs_f64(until_due);
        Some(match self.last_frame {
            Some(last) => due.max(last + FRAME),
            None => due,
        })
    }

    /// The key bindings of the lab's current mode, with the model's actions.
    pub fn key_help(&self) -> Vec<KeyHelp> {
        let mut help = keys::help(self.table());
        if matches!(self.mode, Mode::Normal) && self.busy.is_none() {
            if self
                .views
                .iter()
                .any(|v| v.editable && matches!(v.content, ViewContent::Plane(_)))
            {
                help.push(KeyHelp {
                    // The mouse has no key: the line says it all.
                    keys: Cow::Borrowed(""),
                    label: Bilingual::new(
                        "click or drag the mouse on a plane marked * to add points to it",
                        "在标有 * 的平面上点击或拖动鼠标，即可向其添加点",
                    ),
                    in_footer: false,
                });
            }
            for action in self.model.actions() {
                if !keys::is_reserved(action.key) {
                    help.push(KeyHelp {
                        keys: Cow::Owned(action.key.to_string()),
                        label: action.label,
                        in_footer: true,
                    });
                }
            }
        }
        help
    }

    fn table(&self) -> &'static [Binding] {
        if self.busy.is_some() {
            return keys::BUSY;
        }
        match &self.mode {
            Mode::Normal => keys::NORMAL,
            Mode::Edit(edit) if self.is_pixels(&edit.view) => keys::EDIT_PIXELS,
            Mode::Edit(_) => keys::EDIT_VALUES,
            Mode::Params(_) => keys::PARAMS,
            Mode::Report(_) => keys::REPORT,
        }
    }

    // ---- Keys by mode -------------------------------------------------

    fn normal_key(&mut self, code: KeyCode) -> LabOutcome {
        let Some(command) = keys::lookup(keys::NORMAL, code) else {
            return self.action_key(code);
        };
        self.message = None;
        match command {
            Command::RunPause => {
                if !self.running && self.model.at_rest() {
                    self.message = Some((
                        StatusLevel::Info,
                        Bilingual::new(
                            "at rest: running on would change nothing (r resets, b steps back)",
                            "已静止：继续运行不会有变化（r 重置，b 后退）",
                        ),
                    ));
                    return LabOutcome::Consumed;
                }
                self.running = !self.running;
                self.clock = self.running.then(Instant::now);
                self.owed = 0.0;
                self.last_frame = None;
            }
            Command::Step => {
                self.running = false;
                let _ = self.change(Change::Step);
                self.refresh();
            }
            Command::Stage => {
                self.running = false;
                let _ = self.change(Change::Stage);
                self.refresh();
            }
            Command::StepBack => {
                self.running = false;
                self.step_back();
            }
            Command::Experiment => self.start_experiment(),
            Command::Reset => {
                let seed = self.model.seed();
                self.reset(seed);
            }
            Command::NewSeed => {
                let seed = next_seed(self.model.seed());
                self.reset(seed);
            }
            Command::Faster => self.speed = (self.speed + 1).min(SPEEDS.len() - 1),
            Command::Slower => self.speed = self.speed.saturating_sub(1),
            Command::RunUnit => self.by_stage = !self.by_stage,
            Command::Edit => self.start_editing(None),
            Command::PreviousSource => self.cycle_source(-1),
            Command::NextSource => self.cycle_source(1),
            Command::Params => {
                self.running = false;
                self.mode = Mode::Params(ParamsPopup::new(self.model.params().clone()));
            }
            Command::ScrollUp => self.scroll_by(-1),
            Command::ScrollDown => self.scroll_by(1),
            Command::PageUp => self.scroll_by(-i32::from(self.areas.canvas.height.max(1))),
            Command::PageDown => self.scroll_by(i32::from(self.areas.canvas.height.max(1))),
            Command::Back => return LabOutcome::Close,
            _ => {}
        }
        LabOutcome::Consumed
    }

    /// A key not bound by the lab: one of the model's actions, or not ours.
    fn action_key(&mut self, code: KeyCode) -> LabOutcome {
        let KeyCode::Char(c) = code else {
            return LabOutcome::Ignored;
        };
        if keys::is_reserved(c) {
            return LabOutcome::Ignored;
        }
        let Some(action) = self.model.actions().into_iter().find(|a| a.key == c) else {
            return LabOutcome::Ignored;
        };
        self.message = None;
        if action.long {
            self.running = false;
            let copy = self.model.snapshot();
            let model = std::mem::replace(&mut self.model, copy);
            self.busy = Some(Busy::model_work(model, action.name, action.label));
            self.last_progress_frame = None;
        } else if let Err(e) = self.change(Change::Act(action.name)) {
            self.error(e);
        }
        self.refresh();
        LabOutcome::Consumed
    }

    /// Keys while long work runs: Esc stops it, scrolling goes on; the
    /// rest say why they wait.
    fn busy_key(&mut self, code: KeyCode) -> LabOutcome {
        match keys::lookup(keys::BUSY, code) {
            Some(Command::StopWork) => {
                if let Some(busy) = &self.busy {
                    busy.stop();
                }
            }
            Some(Command::ScrollUp) => self.scroll_by(-1),
            Some(Command::ScrollDown) => self.scroll_by(1),
            _ => {
                if let KeyCode::Char(c) = code
                    && !keys::is_reserved(c)
                    && !self.model.actions().iter().any(|a| a.key == c)
                {
                    return LabOutcome::Ignored;
                }
                if matches!(code, KeyCode::Char('q' | '?' | 'L')) {
                    return LabOutcome::Ignored;
                }
                self.message = Some((
                    StatusLevel::Info,
                    Bilingual::new(
                        "busy: wait, or Esc stops the work",
                        "正在工作：请稍候，或按 Esc 停止",
                    ),
                ));
            }
        }
        LabOutcome::Consumed
    }

    /// Keys while an experiment's report is shown.
    fn report_key(&mut self, mut report: Report, code: KeyCode) -> LabOutcome {
        match keys::lookup(keys::REPORT, code) {
            Some(Command::Close) => return LabOutcome::Consumed,
            Some(Command::ScrollUp) => report.scroll = report.scroll.saturating_sub(1),
            Some(Command::ScrollDown) => {
                report.scroll = (report.scroll + 1).min(report.rows().saturating_sub(1));
            }
            _ => {
                self.mode = Mode::Report(report);
                return LabOutcome::Ignored;
            }
        }
        self.mode = Mode::Report(report);
        LabOutcome::Consumed
    }

    /// Runs the first experiment of this model's entry on a worker, at its
    /// default settings and the model's seed.
    fn start_experiment(&mut self) {
        let Some(experiment) = experiment::for_model(self.spec.key).next() else {
            self.message = Some((
                StatusLevel::Info,
                Bilingual::new("this entry has no experiment yet", "此条目还没有实验"),
            ));
            return;
        };
        self.running = false;
        let busy = Busy::experiment(experiment, experiment.default_settings(), self.model.seed());
        self.busy = Some(busy);
        self.last_progress_frame = None;
    }

    /// While long work runs: takes its result when it ends, else redraws
    /// the progress every [`PROGRESS_FRAME`].
    fn tick_busy(&mut self, now: Instant) -> bool {
        let Some(busy) = &self.busy else {
            return false;
        };
        let Some(finished) = busy.poll() else {
            let due = self
                .last_progress_frame
                .is_none_or(|last| now.saturating_duration_since(last) >= PROGRESS_FRAME);
            if due {
                self.last_progress_frame = Some(now);
            }
            return due;
        };
        let stopped = busy.stopping();
        let what = busy.what.clone();
        self.busy = None;
        self.last_progress_frame = None;
        match finished {
            Finished::Model { model, result } => {
                self.model = model;
                self.replaced();
                match result {
                    Err(e) => self.error(e),
                    Ok(()) if stopped => {
                        self.message = Some((
                            StatusLevel::Info,
                            Bilingual::owned(
                                format!("stopped: {}; what was done is kept", what.en),
                                format!("已停止：{}；已完成的部分保留", what.zh),
                            ),
                        ));
                    }
                    Ok(()) => {}
                }
            }
            Finished::Experiment {
                title,
                result,
                verdict,
            } => match result {
                Ok(text) => {
                    // Each line's control characters made visible, the
                    // line breaks kept.
                    let visible = |t: &str| {
                        t.lines()
                            .map(crate::text::escape_controls)
                            .collect::<Vec<_>>()
                            .join("\n")
                    };
                    self.mode = Mode::Report(Report {
                        title,
                        verdict,
                        text: Bilingual::owned(visible(&text.en), visible(&text.zh)),
                        scroll: 0,
                    });
                }
                Err(e) => self.error(e),
            },
            Finished::Lost => {
                self.message = Some((
                    StatusLevel::Warning,
                    Bilingual::new(
                        "the work failed and its model was lost; the copy shown stays",
                        "工作失败，模型丢失；保留所显示的副本",
                    ),
                ));
            }
        }
        self.refresh();
        true
    }

    fn edit_key(&mut self, mut edit: EditState, code: KeyCode) -> LabOutcome {
        let pixels = self.is_pixels(&edit.view);
        let table = if pixels {
            keys::EDIT_PIXELS
        } else {
            keys::EDIT_VALUES
        };
        let command = keys::lookup(table, code);
        let count = self.value_count(&edit.view);
        match command {
            Some(Command::Leave) => {
                self.message = None;
                return LabOutcome::Consumed;
            }
            Some(Command::NextEditable) => {
                self.start_editing(Some(&edit.view));
                return LabOutcome::Consumed;
            }
            Some(Command::Left | Command::Right | Command::Up | Command::Down) if pixels => {
                let width = self.pixel_width(&edit.view).max(1);
                let (x, y) = (edit.index % width, edit.index / width);
                let height = count.div_ceil(width).max(1);
                let (x, y) = match command {
                    Some(Command::Left) => ((x + width - 1) % width, y),
                    Some(Command::Right) => ((x + 1) % width, y),
                    Some(Command::Up) => (x, (y + height - 1) % height),
                    _ => (x, (y + 1) % height),
                };
                edit.index = (y * width + x).min(count.saturating_sub(1));
            }
            Some(Command::Toggle) => {
                let (view, index) = (edit.view.clone(), edit.index);
                self.toggle_pixel(&view, index);
            }
            Some(Command::Left) => {
                edit.index = (edit.index + count.max(1) - 1) % count.max(1);
                edit.typed.clear();
            }
            Some(Command::Right) => {
                edit.index = (edit.index + 1) % count.max(1);
                edit.typed.clear();
            }
            Some(Command::Up | Command::Down) => {
                let sign = if command == Some(Command::Up) {
                    1.0
                } else {
                    -1.0
                };
                if let Some((value, range)) = self.value_at(&edit.view, edit.index) {
                    let step = if range.1 > range.0 && (range.1 - range.0).is_finite() {
                        (range.1 - range.0) / 20.0
                    } else {
                        0.1
                    };
                    let base = if value.is_finite() { value } else { 0.0 };
                    let nudged = ((base + sign * step) * 1000.0).round() / 1000.0;
                    let view = edit.view.clone();
                    self.set_values(&view, edit.index, &[nudged]);
                }
            }
            Some(Command::Set) => {
                if !edit.typed.is_empty() {
                    match edit.typed.parse::<f32>() {
                        Ok(value) => {
                            let view = edit.view.clone();
                            if self.set_values(&view, edit.index, &[value]) {
                                edit.typed.clear();
                            }
                        }
                        Err(_) => {
                            self.message = Some((
                                StatusLevel::Warning,
                                Bilingual::owned(
                                    format!("`{}` is not a number", edit.typed),
                                    format!("“{}”不是数字", edit.typed),
                                ),
                            ));
                        }
                    }
                }
            }
            Some(Command::Erase) => {
                edit.typed.pop();
            }
            _ => match code {
                KeyCode::Char(c) if !pixels && is_number_char(c) => {
                    if edit.typed.chars().count() < 24 {
                        edit.typed.push(c);
                    }
                }
                _ => {
                    self.mode = Mode::Edit(edit);
                    return LabOutcome::Ignored;
                }
            },
        }
        // The edit may have ended if its view is gone.
        if self.views.iter().any(|v| v.name == edit.view) {
            self.mode = Mode::Edit(edit);
        }
        LabOutcome::Consumed
    }

    fn params_key(&mut self, mut popup: ParamsPopup, code: KeyCode) -> LabOutcome {
        match keys::lookup(keys::PARAMS, code) {
            Some(Command::Cancel) => {
                if !popup.cancel_typing() {
                    return LabOutcome::Consumed;
                }
            }
            Some(Command::Up) => popup.move_selection(-1),
            Some(Command::Down) => popup.move_selection(1),
            Some(Command::Left) => popup.adjust(-1),
            Some(Command::Right) => popup.adjust(1),
            Some(Command::Erase) => popup.erase(),
            Some(Command::Apply) => {
                if popup.commit_typing() {
                    match self.rebuild(popup.params.clone()) {
                        Ok(()) => {
                            self.message = Some((
                                StatusLevel::Info,
                                Bilingual::new(
                                    "model rebuilt with the new parameters",
                                    "已按新参数重建模型",
                                ),
                            ));
                            return LabOutcome::Consumed;
                        }
                        Err(e) => popup.error = Some(e.message()),
                    }
                }
            }
            _ => match code {
                KeyCode::Char(c) => popup.type_char(c),
                _ => {
                    self.mode = Mode::Params(popup);
                    return LabOutcome::Ignored;
                }
            },
        }
        self.mode = Mode::Params(popup);
        LabOutcome::Consumed
    }

    /// Scrolls the views by `rows` (up when negative), within what the last
    /// render had to show.
    fn scroll_by(&mut self, rows: i32) {
        let max = self
            .areas
            .canvas_height
            .saturating_sub(self.areas.canvas.height);
        let now = i32::from(self.scroll.min(max));
        self.scroll = (now + rows).clamp(0, i32::from(max)) as u16;
    }

    // ---- Changing the model --------------------------------------------

    /// Runs one step or one stage, as running is set to.
    fn advance(&mut self) {
        let change = if self.by_stage {
            Change::Stage
        } else {
            Change::Step
        };
        // Steps and stages never fail.
        let _ = self.change(change);
    }

    /// Makes `change` to the model and records it for stepping back.
    fn change(&mut self, change: Change) -> Result<(), ModelError> {
        let started = Instant::now();
        change.apply(self.model.as_mut())?;
        self.timeline
            .record(change, self.model.as_ref(), started.elapsed());
        Ok(())
    }

    /// Records that the model was replaced (rebuilt, or changed by long
    /// work), so stepping back returns to the model before.
    fn replaced(&mut self) {
        self.timeline
            .record(Change::Replaced, self.model.as_ref(), Duration::ZERO);
    }

    /// Back to the state before the last change.
    fn step_back(&mut self) {
        match self.timeline.back() {
            Some(Ok(model)) => {
                self.model = model;
                // The overflow may not have happened yet.
                self.overflow = None;
                self.refresh();
            }
            Some(Err(e)) => self.error(e),
            None => {
                self.message = Some((
                    StatusLevel::Info,
                    Bilingual::owned(
                        format!(
                            "nothing earlier to go back to (the last {} changes are kept)",
                            crate::model::timeline::HISTORY
                        ),
                        format!(
                            "没有更早的状态可退回（只保留最近 {} 次改变）",
                            crate::model::timeline::HISTORY
                        ),
                    ),
                ));
            }
        }
    }

    fn reset(&mut self, seed: u64) {
        let _ = self.change(Change::Reset(seed));
        self.overflow = None;
        self.owed = 0.0;
        if self.running {
            self.clock = Some(Instant::now());
        }
        self.refresh();
    }

    /// Builds a new model from `params` with the current seed; on failure
    /// the old model stays. When only live parameters changed (a learning
    /// rate), the running model takes them instead, keeping what it learnt.
    fn rebuild(&mut self, params: Params) -> Result<(), ModelError> {
        let only_live = params
            .iter()
            .zip(self.model.params().iter())
            .all(|((spec, new), (_, old))| new == old || spec.role == ParamRole::Live);
        if only_live {
            self.change(Change::Retune(params))?;
            self.refresh();
            return Ok(());
        }
        let model = (self.spec.build)(&params, self.model.seed())?;
        self.model = model;
        self.replaced();
        self.overflow = None;
        self.refresh();
        Ok(())
    }

    /// Moves the first input-source parameter one choice (or one) along.
    fn cycle_source(&mut self, direction: i64) {
        let mut params = self.model.params().clone();
        let Some(spec) = params
            .specs()
            .iter()
            .find(|s| s.role == ParamRole::InputSource)
            .cloned()
        else {
            self.message = Some((
                StatusLevel::Info,
                Bilingual::new("this model has no input to choose", "此模型没有可选的输入"),
            ));
            return;
        };
        let current = params.get(spec.name).cloned();
        let next = match (&spec.kind, current) {
            (ParamKind::Choice(choices), Some(ParamValue::Choice(now))) if !choices.is_empty() => {
                let i = choices.iter().position(|c| *c == now).unwrap_or(0) as i64;
                let n = choices.len() as i64;
                choices[(i + direction).rem_euclid(n) as usize].to_string()
            }
            (ParamKind::Int { min, max }, Some(ParamValue::Int(now))) => {
                (now + direction).clamp(*min, *max).to_string()
            }
            (ParamKind::Float { min, max }, Some(ParamValue::Float(now))) => (now
                + direction as f64 * popup::float_step(*min, *max))
            .clamp(*min, *max)
            .to_string(),
            _ => return,
        };
        if let Err(e) = params.set(spec.name, &next) {
            self.error(e.into());
            return;
        }
        if let Err(e) = self.rebuild(params) {
            self.error(e);
        }
    }

    fn error(&mut self, e: ModelError) {
        self.message = Some((StatusLevel::Warning, e.message()));
    }

    /// Sets consecutive values of `view` from `start`; false (with the
    /// model's reason shown) if the model refused.
    fn set_values(&mut self, view: &str, start: usize, values: &[f32]) -> bool {
        let mut ok = true;
        for (i, &value) in values.iter().enumerate() {
            let edit = Change::Edit {
                view: view.to_string(),
                index: start + i,
                value,
            };
            if let Err(e) = self.change(edit) {
                self.error(e);
                ok = false;
                break;
            }
        }
        if ok {
            self.message = None;
        }
        self.refresh();
        ok
    }

    /// Gives the model the point (`x`, `y`) on the plane `view`; its
    /// reason is shown if it refuses.
    fn point(&mut self, view: &str, x: f64, y: f64) {
        let change = Change::Point {
            view: view.to_string(),
            x,
            y,
        };
        match self.change(change) {
            Ok(()) => self.message = None,
            Err(e) => self.error(e),
        }
        self.refresh();
    }

    fn toggle_pixel(&mut self, view: &str, index: usize) {
        let current = self.value_at(view, index).map_or(-1.0, |(v, _)| v);
        let flipped = if current > 0.0 { -1.0 } else { 1.0 };
        self.set_values(view, index, &[flipped]);
    }

    /// Enters editing on the first editable view after `after` (or the first of all).
    fn start_editing(&mut self, after: Option<&str>) {
        let editable: Vec<&View> = self
            .views
            .iter()
            .filter(|v| v.editable && editable_kind(v))
            .collect();
        let next = match after {
            Some(name) => {
                let i = editable.iter().position(|v| v.name == name);
                i.map_or(editable.first(), |i| editable.get((i + 1) % editable.len()))
            }
            None => editable.first(),
        };
        match next {
            Some(view) => {
                self.running = false;
                self.mode = Mode::Edit(EditState {
                    view: view.name.clone(),
                    index: 0,
                    typed: String::new(),
                });
            }
            None => {
                self.message = Some((
                    StatusLevel::Info,
                    Bilingual::new("nothing here can be edited", "这里没有可编辑的内容"),
                ));
            }
        }
    }

    /// Reads the model's views again and notes the first overflow.
    fn refresh(&mut self) {
        self.views = self.model.views();
        if self.overflow.is_none()
            && let Some(view) = self.views.iter().find(|v| has_non_finite(v))
        {
            self.overflow = Some((self.model.steps_done(), view.name.clone()));
            // Running on would only spread it.
            self.running = false;
        }
    }

    // ---- Reading the views ----------------------------------------------

    fn view(&self, name: &str) -> Option<&View> {
        self.views.iter().find(|v| v.name == name)
    }

    fn is_pixels(&self, name: &str) -> bool {
        self.view(name)
            .is_some_and(|v| matches!(v.content, ViewContent::Pixels { .. }))
    }

    fn pixel_width(&self, name: &str) -> usize {
        match self.view(name).map(|v| &v.content) {
            Some(ViewContent::Pixels(pixels)) => pixels.width,
            _ => 1,
        }
    }

    fn value_count(&self, name: &str) -> usize {
        match self.view(name).map(|v| &v.content) {
            Some(ViewContent::Vector(vector)) => vector.values.len(),
            Some(ViewContent::Pixels(pixels)) => pixels.values.len(),
            Some(ViewContent::Matrix(matrix)) => matrix.values.len(),
            Some(ViewContent::Scalar(_)) => 1,
            _ => 0,
        }
    }

    /// The value at `index` of an editable view, with the range it lives in.
    fn value_at(&self, name: &str, index: usize) -> Option<(f32, (f32, f32))> {
        match &self.view(name)?.content {
            ViewContent::Vector(vector) => vector.values.get(index).map(|v| (*v, vector.range)),
            ViewContent::Pixels(pixels) => pixels.values.get(index).map(|v| (*v, pixels.range)),
            ViewContent::Matrix(matrix) => matrix.values.get(index).map(|v| (*v, (-1.0, 1.0))),
            ViewContent::Scalar(scalar) => {
                (index == 0).then_some((scalar.value as f32, (-1.0, 1.0)))
            }
            _ => None,
        }
    }

    /// The editable picture and pixel under a screen position.
    fn pixel_under(&self, at: Position) -> Option<(String, usize)> {
        let canvas = self.areas.canvas;
        if !canvas.contains(at) {
            return None;
        }
        let virtual_y = (at.y - canvas.y).checked_add(self.areas.scroll)?;
        let virtual_x = at.x - canvas.x;
        for p in &self.areas.placements {
            let view = self.views.get(p.view)?;
            let ViewContent::Pixels(pixels) = &view.content else {
                continue;
            };
            if !view.editable || p.height < 2 {
                continue;
            }
            let body = Rect::new(p.x, p.y + 1, p.width, p.height - 1);
            if let Some(index) = pixels.pixel_at(body, virtual_x, virtual_y) {
                return Some((view.name.clone(), index));
            }
        }
        None
    }

    /// The plane that takes points under a screen position (one the model
    /// marks editable), and the point of its coordinates there.
    fn plane_point_under(&self, at: Position) -> Option<(String, f64, f64)> {
        let canvas = self.areas.canvas;
        if !canvas.contains(at) {
            return None;
        }
        let virtual_y = (at.y - canvas.y).checked_add(self.areas.scroll)?;
        let virtual_x = at.x - canvas.x;
        self.areas.placements.iter().find_map(|p| {
            let view = self.views.get(p.view)?;
            let ViewContent::Plane(plane) = &view.content else {
                return None;
            };
            if !view.editable || p.height < 2 {
                return None;
            }
            let body = Rect::new(p.x, p.y + 1, p.width, p.height - 1);
            let (x, y) = plane.point_at(body, virtual_x, virtual_y)?;
            Some((view.name.clone(), x, y))
        })
    }

    // ---- Drawing ----------------------------------------------------------

    /// Draws the lab into `area`; remembers where things went for the mouse.
    pub fn render(&mut self, area: Rect, buf: &mut Buffer, lang: Lang, theme: &Theme) {
        let area = area.intersection(buf.area);
        Clear.render(area, buf);
        if area.is_empty() {
            self.areas = Areas::default();
            return;
        }
        let footer_h = u16::from(area.height >= 3);
        let status_h = u16::from(area.height >= 4);
        let canvas = Rect {
            y: area.y + 1,
            height: area.height - 1 - footer_h - status_h,
            ..area
        };
        self.draw_header(Rect { height: 1, ..area }, buf, lang, theme);
        self.draw_canvas(canvas, buf, lang, theme);
        if status_h == 1 {
            let y = canvas.bottom();
            self.draw_status(Rect::new(area.x, y, area.width, 1), buf, lang, theme);
        }
        if footer_h == 1 {
            let y = area.bottom() - 1;
            self.draw_footer(Rect::new(area.x, y, area.width, 1), buf, lang, theme);
        }
        match &self.mode {
            Mode::Params(popup) => popup.render(area, buf, lang, theme),
            Mode::Report(report) => report.render(area, buf, lang, theme),
            _ => {}
        }
    }

    fn draw_header(&self, area: Rect, buf: &mut Buffer, lang: Lang, theme: &Theme) {
        let title = self.title.get(lang);
        let mut x = widgets::put(buf, area, area.x, area.y, &title, theme.title);
        let stage = self.model.next_stage();
        let stages = self.model.stage_count();
        let state = if self.running {
            Bilingual::new("running", "运行中")
        } else {
            Bilingual::new("paused", "已暂停")
        };
        let unit = if self.by_stage {
            Bilingual::new("stages/s", "阶段/秒")
        } else {
            Bilingual::new("steps/s", "步/秒")
        };
        let step_word = Bilingual::new("step", "步");
        let next_word = Bilingual::new("next", "下一阶段");
        let seed_word = Bilingual::new("seed", "种子");
        let parts = [
            (
                format!("{} {}", step_word.get(lang), self.model.steps_done()),
                theme.text,
            ),
            (
                format!(
                    "{} {}/{} {}",
                    next_word.get(lang),
                    stage + 1,
                    stages,
                    self.model.stage_label(stage).get(lang)
                ),
                theme.highlight,
            ),
            (
                format!(
                    "{} {} {}",
                    state.get(lang),
                    SPEEDS[self.speed],
                    unit.get(lang)
                ),
                if self.running { theme.key } else { theme.dim },
            ),
            (
                format!("{} {}", seed_word.get(lang), self.model.seed()),
                theme.dim,
            ),
        ];
        for (text, style) in parts {
            x = widgets::put(buf, area, x, area.y, "  ", theme.text);
            x = widgets::put(buf, area, x, area.y, &text, style);
        }
    }

    fn draw_status(&self, area: Rect, buf: &mut Buffer, lang: Lang, theme: &Theme) {
        let mut x = match &self.busy {
            Some(busy) => draw_progress(busy, area, buf, lang, theme),
            None => area.x,
        };
        // What does not fit is cut after a whole word.
        let mut say = |buf: &mut Buffer, text: &str, style| {
            if x > area.x {
                x = widgets::put(buf, area, x, area.y, "  ", theme.text);
            }
            let room = usize::from(area.right().saturating_sub(x));
            let text = crate::view::truncate_words(text, room);
            x = widgets::put(buf, area, x, area.y, &text, style);
        };
        if let Mode::Edit(edit) = &self.mode {
            let prompt = Bilingual::new("editing", "编辑");
            let typed = if edit.typed.is_empty() {
                String::new()
            } else {
                format!(": {}_", edit.typed)
            };
            let text = if self.is_pixels(&edit.view) {
                let w = self.pixel_width(&edit.view).max(1);
                format!(
                    "{} {} ({}, {})",
                    prompt.get(lang),
                    edit.view,
                    edit.index % w,
                    edit.index / w
                )
            } else {
                format!("{} {}[{}]{typed}", prompt.get(lang), edit.view, edit.index)
            };
            say(buf, &text, theme.highlight);
        }
        if let Some((level, text)) = &self.message {
            let style = if *level == StatusLevel::Warning {
                theme.error
            } else {
                theme.text
            };
            say(buf, &text.get(lang), style);
        }
        let status = self.model.status();
        let model_warns = status
            .as_ref()
            .is_some_and(|s| s.level == StatusLevel::Warning);
        if let Some(status) = status {
            let style = if status.level == StatusLevel::Warning {
                theme.warning
            } else {
                theme.text
            };
            say(buf, &status.text.get(lang), style);
        }
        // The lab's own note, unless the model already warns in its words.
        if let Some((step, view)) = self.overflow.as_ref().filter(|_| !model_warns) {
            let text = Bilingual::owned(
                format!("overflow: `{view}` holds NaN or inf since step {step}"),
                format!("溢出：{view} 自第 {step} 步起含 NaN 或无穷大"),
            );
            say(buf, &text.get(lang), theme.warning);
        }
    }

    /// The keys of the lab's current mode (a model's actions included), as
    /// many whole ones as fit; when some do not, it ends with "… ? more".
    fn draw_footer(&self, area: Rect, buf: &mut Buffer, lang: Lang, theme: &Theme) {
        let hints: Vec<KeyHelp> = self
            .key_help()
            .into_iter()
            .filter(|h| h.in_footer)
            .collect();
        let width = |h: &KeyHelp| {
            let gap = 2;
            gap + h.keys.width() + 1 + h.label.get(lang).width()
        };
        let total: usize = hints.iter().map(width).sum::<usize>().saturating_sub(2);
        let more = Bilingual::new("more", "更多");
        let more_width = 2 + 1 + 2 + more.get(lang).width();
        let room = usize::from(area.width);
        let budget = if total <= room {
            room
        } else {
            room.saturating_sub(more_width)
        };
        let mut x = area.x;
        let mut used = 0;
        for help in &hints {
            let cost = if used == 0 {
                width(help) - 2
            } else {
                width(help)
            };
            if used + cost > budget {
                break;
            }
            if used > 0 {
                x = widgets::put(buf, area, x, area.y, "  ", theme.dim);
            }
            x = widgets::put(buf, area, x, area.y, &help.keys, theme.key);
            x = widgets::put(buf, area, x, area.y, " ", theme.dim);
            x = widgets::put(buf, area, x, area.y, &help.label.get(lang), theme.dim);
            used += cost;
        }
        if total > room {
            x = widgets::put(buf, area, x, area.y, "  …", theme.dim);
            x = widgets::put(buf, area, x, area.y, " ? ", theme.key);
            widgets::put(buf, area, x, area.y, &more.get(lang), theme.dim);
        }
    }

    fn draw_canvas(&mut self, canvas: Rect, buf: &mut Buffer, lang: Lang, theme: &Theme) {
        self.areas = Areas {
            canvas,
            ..Areas::default()
        };
        if canvas.is_empty() {
            return;
        }
        let (mut placements, mut total) =
            layout::layout(&self.views, canvas.width, canvas.height, theme.colour);
        let mut width = canvas.width;
        if total > canvas.height && canvas.width > 2 {
            // Keep the last column for a scroll bar.
            width -= 1;
            (placements, total) = layout::layout(&self.views, width, canvas.height, theme.colour);
        }
        let editing = match &self.mode {
            Mode::Edit(edit) => Some((edit.view.as_str(), edit.index)),
            _ => None,
        };
        // Keep the view being edited in sight.
        if let Some((name, _)) = editing
            && let Some(p) = placements.iter().find(|p| self.views[p.view].name == name)
        {
            if p.y < self.scroll {
                self.scroll = p.y;
            } else if p.y.saturating_add(p.height) > self.scroll.saturating_add(canvas.height) {
                self.scroll =
                    p.y.saturating_add(p.height.min(canvas.height))
                        .saturating_sub(canvas.height);
            }
        }
        let max_scroll = total.saturating_sub(canvas.height);
        self.scroll = self.scroll.min(max_scroll);
        let scroll = self.scroll;
        for p in &placements {
            let view = &self.views[p.view];
            let cursor = editing.and_then(|(name, index)| (name == view.name).then_some(index));
            let ctx = DrawContext {
                lang,
                theme,
                cursor,
            };
            draw_placed(view, p, canvas, scroll, buf, &ctx);
        }
        if total > canvas.height && canvas.width > 2 {
            let mut state =
                ScrollbarState::new(usize::from(max_scroll) + 1).position(usize::from(scroll));
            Scrollbar::new(ScrollbarOrientation::VerticalRight)
                .begin_symbol(None)
                .end_symbol(None)
                .track_symbol(Some("│"))
                .thumb_symbol("█")
                .style(theme.dim)
                .render(canvas, buf, &mut state);
        }
        self.areas = Areas {
            canvas,
            scroll,
            placements,
            canvas_height: total,
        };
    }
}

/// Draws the progress of long work at the start of `area`: a bar, the count,
/// the time left and the work's own note; returns the column after it.
fn draw_progress(busy: &Busy, area: Rect, buf: &mut Buffer, lang: Lang, theme: &Theme) -> u16 {
    let progress = busy.progress();
    let fraction = progress.as_ref().map_or(0.0, |p| p.fraction());
    const BAR: usize = 12;
    let filled = ((fraction * BAR as f64).round() as usize).min(BAR);
    let bar = format!("[{}{}]", "#".repeat(filled), "-".repeat(BAR - filled));
    let mut x = widgets::put(buf, area, area.x, area.y, &bar, theme.key);
    let count = progress
        .as_ref()
        .map_or(String::new(), |p| format!(" {}/{}", p.done, p.total));
    let left = busy.time_left().map_or(String::new(), |t| {
        let secs = t.as_secs();
        let when = if secs >= 60 {
            format!("{}:{:02}", secs / 60, secs % 60)
        } else {
            format!("{secs} s")
        };
        Bilingual::owned(format!(", {when} left"), format!("，剩 {when}"))
            .get(lang)
            .into_owned()
    });
    let state = if busy.stopping() {
        Bilingual::new("stopping", "正在停止")
    } else {
        Bilingual::new("Esc stops", "Esc 停止")
    };
    let head = format!("{count}{left}  {}: ", state.get(lang));
    x = widgets::put(buf, area, x, area.y, &head, theme.text);
    let note = progress.map_or_else(|| busy.what.get(lang).into_owned(), |p| p.note);
    widgets::put(
        buf,
        area,
        x,
        area.y,
        &crate::text::escape_controls(&note),
        theme.dim,
    )
}

impl Report {
    /// Rows of the longer of its two languages, for scrolling.
    fn rows(&self) -> usize {
        self.text
            .en
            .lines()
            .count()
            .max(self.text.zh.lines().count())
    }

    /// Draws the report in a box over most of `area`.
    fn render(&self, area: Rect, buf: &mut Buffer, lang: Lang, theme: &Theme) {
        use ratatui::widgets::{Block, Borders};
        let width = area.width.saturating_sub(4).max(area.width.min(20));
        let height = area.height.saturating_sub(2).max(area.height.min(5));
        let outer = Rect::new(
            area.x + (area.width - width) / 2,
            area.y + (area.height - height) / 2,
            width,
            height,
        );
        Clear.render(outer, buf);
        let title = format!(
            " {}: {} ",
            self.title.get(lang),
            match self.verdict {
                "pass" => Bilingual::new("pass", "通过"),
                "stopped" => Bilingual::new("stopped", "已停止"),
                _ => Bilingual::new("fail", "未通过"),
            }
            .get(lang)
        );
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.dim)
            .title(title)
            .title_style(theme.title);
        let inner = block.inner(outer);
        block.render(outer, buf);
        let text = self.text.get(lang);
        for (row, line) in text
            .lines()
            .skip(self.scroll)
            .take(usize::from(inner.height))
            .enumerate()
        {
            widgets::put(buf, inner, inner.x, inner.y + row as u16, line, theme.text);
        }
    }
}

/// Draws one placed view, clipped to the part of it the canvas shows.
fn draw_placed(
    view: &View,
    p: &Placement,
    canvas: Rect,
    scroll: u16,
    buf: &mut Buffer,
    ctx: &DrawContext,
) {
    let top = p.y;
    let bottom = p.y.saturating_add(p.height);
    let visible_top = top.max(scroll);
    let visible_bottom = bottom.min(scroll.saturating_add(canvas.height));
    if visible_top >= visible_bottom || p.x >= canvas.width {
        return;
    }
    let width = p.width.min(canvas.width - p.x);
    let screen_x = canvas.x + p.x;
    let screen_y = canvas.y + (visible_top - scroll);
    if visible_top == top && visible_bottom == bottom {
        widgets::draw(
            view,
            Rect::new(screen_x, screen_y, width, p.height),
            buf,
            ctx,
        );
        return;
    }
    // Partly in sight: draw whole off screen, copy the rows that show.
    let mut scratch = Buffer::empty(Rect::new(0, 0, width, p.height));
    widgets::draw(view, scratch.area, &mut scratch, ctx);
    for row in visible_top..visible_bottom {
        for col in 0..width {
            let from = (col, row - top);
            let to = (screen_x + col, screen_y + (row - visible_top));
            if let (Some(cell), Some(target)) = (scratch.cell(from), buf.cell_mut(to)) {
                *target = cell.clone();
            }
        }
    }
}

/// Whether the lab can edit a view of this kind.
fn editable_kind(view: &View) -> bool {
    matches!(
        view.content,
        ViewContent::Vector { .. }
            | ViewContent::Pixels { .. }
            | ViewContent::Matrix { .. }
            | ViewContent::Scalar { .. }
    )
}

fn has_non_finite(view: &View) -> bool {
    view.content.kind().has_non_finite()
}

fn is_number_char(c: char) -> bool {
    c.is_ascii_digit() || matches!(c, '.' | '-' | '+' | 'e' | 'E')
}

/// Numbers separated by commas, spaces or new lines; `None` if any is not one.
fn parse_numbers(text: &str) -> Option<Vec<f32>> {
    let values: Result<Vec<f32>, _> = text
        .split(|c: char| c == ',' || c == ';' || c.is_whitespace())
        .map(|s| s.trim_matches(|c| c == '[' || c == ']'))
        .filter(|s| !s.is_empty())
        .map(str::parse::<f32>)
        .collect();
    values.ok().filter(|v| !v.is_empty())
}

/// A new seed from the old one (SplitMix64), so `R` is reproducible too.
fn next_seed(seed: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests;
