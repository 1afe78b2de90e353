//! The clinic lead's outcomes dashboard as charts: one SVG per entry of [`CHART_IDS`], drawn from
//! the same [`Dashboard`] numbers as the chart's table, so the picture and the table agree.
//!
//! Every chart is 760 × 360 on white: the title, a legend row, labelled axes and the data, in
//! Okabe–Ito colours and sans-serif text. Counts below [`SMALL_COUNT`] are marked † and drawn
//! lighter (hatched bars, hollow markers). A selection without data still draws its axes, with
//! "No data for this selection" in the middle.

use std::iter::once;
use std::ops::Range;

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{
    accessible, fail, ChartError, NEUTRAL_GREY, OKABE_BLUE, OKABE_GREEN, OKABE_ORANGE,
    OKABE_SKY_BLUE, OKABE_VERMILLION,
};
use crate::domain::outcomes::{ChangeBin, WeekStats};
use crate::domain::programme::{is_small, SMALL_COUNT};
use crate::reports::{
    count_mark, pct, CaseloadBar, ChartData, Dashboard, QuarterOutcome, CHART_IDS, DASHBOARD_WEEKS,
    RESPONSE_CURVE_WEEKS,
};

const WIDTH: u32 = 760;
const HEIGHT: u32 = 360;

const FONT: &str = "sans-serif";
/// Text sizes as plotters takes them (it writes `font-size` as size / 1.24).
const TITLE_SIZE: f64 = 18.0;
const LABEL_SIZE: f64 = 12.0;
const DESC_SIZE: f64 = 13.0;
const KEY_SIZE: f64 = 13.0;
const NOTE_SIZE: f64 = 11.0;

/// Annotations: softer than the black axes, still well above 4.5:1 contrast on white.
const INK: RGBColor = RGBColor(64, 64, 64);
/// Grid lines behind the data.
const GRID: RGBColor = RGBColor(228, 228, 228);
/// Reference lines (severity thresholds) and the small-numbers key.
const REFERENCE: RGBColor = RGBColor(110, 110, 110);
/// "Too recent to count": lighter than every colour it sits beside.
const PALE_GREY: RGBColor = RGBColor(215, 215, 215);
/// Opacity of a bar that rests on a small count, under its hatching.
const LIGHT: f64 = 0.3;
/// Opacity of a confidence band.
const BAND: f64 = 0.2;
/// Pixels between the hatching lines of a small-count bar.
const HATCH: i32 = 5;
const DAGGER: &str = "\u{2020}";
const NO_DATA: &str = "No data for this selection";
/// The contact-rate guidance: about two contacts a month in active treatment.
const GUIDANCE: f64 = 2.0;

type Area<'a> = DrawingArea<SVGBackend<'a>, Shift>;
type Chart<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<Axis, Axis>>;
type Draw = fn(&Dashboard, &str) -> Result<String, ChartError>;

/// Each dashboard chart by its id.
const CHARTS: [(&str, Draw); 7] = [
    (CHART_IDS[0], mean_by_week),
    (CHART_IDS[1], response_by_quarter),
    (CHART_IDS[2], change_distribution),
    (CHART_IDS[3], caseload),
    (CHART_IDS[4], contact_rate),
    (CHART_IDS[5], review_within_8_weeks),
    (CHART_IDS[6], time_to_response),
];

/// The SVG of one dashboard chart, by its id in [`CHART_IDS`]; `None` for an unknown id.
/// `chart.title` is the visible caption and the SVG's `<title>`, `chart.summary` its `<desc>`;
/// both are named by ids `chart-{id}-title` and `chart-{id}-desc`, unique on the dashboard page.
pub fn dashboard_svg(d: &Dashboard, chart: &ChartData) -> Option<Result<String, ChartError>> {
    let (_, draw) = CHARTS.iter().find(|(id, _)| *id == chart.id)?;
    Some(draw(d, &chart.title).map(|svg| {
        accessible(
            &svg,
            &format!("chart-{}", chart.id),
            &chart.title,
            &chart.summary,
        )
    }))
}

/// A linear axis whose ticks are given: round values, or the centres of categories.
#[derive(Debug, Clone)]
struct Axis {
    lo: f64,
    hi: f64,
    ticks: Vec<f64>,
}

impl Axis {
    fn new(range: Range<f64>, ticks: Vec<f64>) -> Self {
        Axis {
            lo: range.start,
            hi: range.end,
            ticks,
        }
    }

    /// `n` categories, the i-th spanning `i..i + 1` with its tick at `i + 0.5`.
    fn categories(n: usize) -> Self {
        Axis::new(
            0.0..n.max(1) as f64,
            (0..n).map(|i| i as f64 + 0.5).collect(),
        )
    }

    /// From 0 to at least `max` in about five round steps (1, 2 or 5 × 10ⁿ; whole numbers
    /// when `whole`), with room above the top tick for the labels on bars. Returns the step too.
    fn values(max: f64, whole: bool, headroom: f64) -> (Self, f64) {
        let max = if max.is_finite() && max > 0.0 {
            max
        } else {
            1.0
        };
        let raw = max / 5.0;
        let magnitude = 10f64.powf(raw.log10().floor());
        let mut step = [1.0, 2.0, 5.0, 10.0]
            .into_iter()
            .map(|m| m * magnitude)
            .find(|s| *s >= raw * (1.0 - 1e-9))
            .unwrap_or(10.0 * magnitude);
        if whole {
            step = step.max(1.0).round();
        }
        let steps = (max / step - 1e-9).ceil().max(1.0);
        let top = steps * step;
        let ticks = (0..=steps as usize).map(|i| i as f64 * step).collect();
        (Axis::new(0.0..top * headroom, ticks), step)
    }

    /// 0% to 100%, with room above for labels.
    fn percent(ticks: &[f64]) -> Self {
        Axis::new(0.0..112.0, ticks.to_vec())
    }
}

impl Ranged for Axis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let span = self.hi - self.lo;
        if span <= 0.0 || span.is_nan() {
            return (limit.0 + limit.1) / 2;
        }
        let share = (value - self.lo) / span;
        limit.0 + (f64::from(limit.1 - limit.0) * share).round() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        // The given ticks only: no lighter lines between them.
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.lo..self.hi
    }
}

/// The label of the category at `position`.
fn category(labels: &[String], position: f64) -> String {
    labels
        .get(position.floor().max(0.0) as usize)
        .cloned()
        .unwrap_or_default()
}

/// A tick value with as many decimals as the step needs.
fn tick(value: f64, step: f64) -> String {
    let decimals = (-step.log10().floor()).max(0.0) as usize;
    format!("{value:.decimals$}")
}

fn font<'a>(size: f64, color: &'a RGBColor) -> TextStyle<'a> {
    let style: TextStyle<'a> = TextStyle::from((FONT, size));
    style.color(color)
}

fn anchored(size: f64, color: &RGBColor, h: HPos, v: VPos) -> TextStyle<'_> {
    font(size, color).pos(Pos::new(h, v))
}

/// A rough width of `text` in pixels: plotters writes no font metrics into the SVG, and a
/// sans-serif character averages about 0.55 em.
fn text_width(text: &str, size: f64) -> i32 {
    (text.chars().count() as f64 * size / 1.24 * 0.55).round() as i32
}

/// How a legend entry is drawn.
#[derive(Debug, Clone, Copy)]
enum Mark {
    Bar(RGBColor),
    /// A bar resting on a small count: light and hatched.
    Small(RGBColor),
    Band(RGBColor),
    Line(RGBColor),
    Dashed(RGBColor),
    /// A line with a filled circle.
    Marker(RGBColor),
    /// A hollow circle: a point resting on a small count.
    Hollow(RGBColor),
    /// A character that the chart prints beside its data, such as "n".
    Glyph(&'static str),
}

#[derive(Debug, Clone)]
struct Key {
    mark: Mark,
    label: String,
}

fn key(mark: Mark, label: impl Into<String>) -> Key {
    Key {
        mark,
        label: label.into(),
    }
}

/// The legend entry that explains the † mark.
fn small_key(mark: Mark, of: &str) -> Key {
    key(mark, format!("Fewer than {SMALL_COUNT} {of} ({DAGGER})"))
}

const KEY_SWATCH: i32 = 22;
const KEY_GAP: i32 = 6;
const KEY_SPACING: i32 = 22;
const KEY_ROW: i32 = 18;

/// The legend entries in centred rows that fit the chart's width.
fn key_rows(keys: &[Key]) -> Vec<Vec<(&Key, i32)>> {
    let room = WIDTH as i32 - 40;
    let mut rows: Vec<Vec<(&Key, i32)>> = Vec::new();
    let mut used = 0;
    for k in keys {
        let width = KEY_SWATCH + KEY_GAP + text_width(&k.label, KEY_SIZE);
        match rows.last_mut() {
            Some(row) if used + KEY_SPACING + width <= room => {
                row.push((k, width));
                used += KEY_SPACING + width;
            }
            _ => {
                rows.push(vec![(k, width)]);
                used = width;
            }
        }
    }
    rows
}

fn draw_legend(area: &Area<'_>, rows: &[Vec<(&Key, i32)>]) -> Result<(), ChartError> {
    let style = anchored(KEY_SIZE, &BLACK, HPos::Left, VPos::Center);
    for (r, row) in rows.iter().enumerate() {
        let widths: i32 = row.iter().map(|(_, w)| w).sum();
        let total = widths + KEY_SPACING * (row.len() as i32 - 1);
        let mut x = (WIDTH as i32 - total) / 2;
        let y = 4 + KEY_ROW * r as i32 + KEY_ROW / 2;
        for (k, width) in row {
            draw_mark(area, k.mark, x, y)?;
            area.draw_text(&k.label, &style, (x + KEY_SWATCH + KEY_GAP, y))
                .map_err(fail)?;
            x += width + KEY_SPACING;
        }
    }
    Ok(())
}

fn draw_mark(area: &Area<'_>, mark: Mark, x: i32, y: i32) -> Result<(), ChartError> {
    let right = x + KEY_SWATCH;
    let middle = (x + KEY_SWATCH / 2, y);
    let swatch = [(x, y - 6), (right, y + 6)];
    let drawn = match mark {
        Mark::Bar(c) => area.draw(&Rectangle::new(swatch, c.filled())),
        Mark::Small(c) => return small_bar(area, swatch[0], swatch[1], c),
        Mark::Band(c) => area.draw(&Rectangle::new(swatch, c.mix(BAND).filled())),
        Mark::Line(c) => area.draw(&PathElement::new(
            vec![(x, y), (right, y)],
            c.stroke_width(2),
        )),
        Mark::Dashed(c) => area
            .draw(&PathElement::new(
                vec![(x, y), (x + 8, y)],
                c.stroke_width(2),
            ))
            .and_then(|()| {
                area.draw(&PathElement::new(
                    vec![(x + 14, y), (right, y)],
                    c.stroke_width(2),
                ))
            }),
        Mark::Marker(c) => area
            .draw(&PathElement::new(
                vec![(x, y), (right, y)],
                c.stroke_width(2),
            ))
            .and_then(|()| area.draw(&Circle::new(middle, 4, c.filled()))),
        Mark::Hollow(c) => area
            .draw(&Circle::new(middle, 4, WHITE.filled()))
            .and_then(|()| area.draw(&Circle::new(middle, 4, c.stroke_width(2)))),
        Mark::Glyph(g) => area.draw_text(
            g,
            &anchored(KEY_SIZE, &INK, HPos::Center, VPos::Center),
            middle,
        ),
    };
    drawn.map_err(fail)
}

/// A bar resting on a small count, in pixels: a light fill, diagonal hatching and an outline.
fn small_bar(
    area: &Area<'_>,
    (left, top): (i32, i32),
    (right, bottom): (i32, i32),
    color: RGBColor,
) -> Result<(), ChartError> {
    area.draw(&Rectangle::new(
        [(left, top), (right, bottom)],
        color.mix(LIGHT).filled(),
    ))
    .map_err(fail)?;
    let (width, height) = (right - left, bottom - top);
    if width > 0 && height > 0 {
        // Lines rising to the right, each `HATCH` pixels from the next, cut to the bar.
        let mut shift = HATCH / 2 - height;
        while shift < width {
            let start = (left + shift.max(0), bottom + shift.min(0));
            let end_x = (left + shift + height).min(right);
            let end = (end_x, bottom - (end_x - left - shift));
            area.draw(&PathElement::new(vec![start, end], color.stroke_width(1)))
                .map_err(fail)?;
            shift += HATCH;
        }
    }
    area.draw(&Rectangle::new(
        [(left, top), (right, bottom)],
        color.stroke_width(1),
    ))
    .map_err(fail)
}

/// Draws a chart: white background, the title, the legend, then `body` with the area left for
/// the plot and the whole picture (for drawing in pixels).
fn render(
    title: &str,
    keys: &[Key],
    body: impl FnOnce(&Area<'_>, &Area<'_>) -> Result<(), ChartError>,
) -> Result<String, ChartError> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(fail)?;
        let below_title = root.titled(title, (FONT, TITLE_SIZE)).map_err(fail)?;
        let rows = key_rows(keys);
        let (legend, plot) = below_title.split_vertically(KEY_ROW * rows.len() as i32 + 8);
        draw_legend(&legend, &rows)?;
        body(&plot, &root)?;
        root.present().map_err(fail)?;
    }
    Ok(svg)
}

/// The plot of a chart, with room for the axis labels.
fn plot<'a, 'b>(
    area: &'a Area<'b>,
    x: Axis,
    y: Axis,
    (x_labels, y_labels): (u32, u32),
) -> Result<Chart<'a, 'b>, ChartError> {
    ChartBuilder::on(area)
        .margin_left(10)
        .margin_right(24)
        .margin_top(4)
        .margin_bottom(6)
        .x_label_area_size(x_labels)
        .y_label_area_size(y_labels)
        .build_cartesian_2d(x, y)
        .map_err(fail)
}

/// What the axes say.
struct Axes<'f> {
    x_desc: &'f str,
    y_desc: &'f str,
    x_label: &'f dyn Fn(&f64) -> String,
    y_label: &'f dyn Fn(&f64) -> String,
    /// Grid lines across the plot at the x ticks (vertical) and the y ticks (horizontal).
    x_grid: bool,
    y_grid: bool,
}

fn draw_axes(chart: &mut Chart<'_, '_>, axes: &Axes<'_>) -> Result<(), ChartError> {
    let mut mesh = chart.configure_mesh();
    mesh.x_label_formatter(axes.x_label)
        .y_label_formatter(axes.y_label)
        .bold_line_style(GRID.stroke_width(1))
        .axis_style(BLACK.mix(0.6).stroke_width(1))
        .label_style((FONT, LABEL_SIZE))
        .axis_desc_style((FONT, DESC_SIZE));
    if !axes.x_desc.is_empty() {
        mesh.x_desc(axes.x_desc);
    }
    if !axes.y_desc.is_empty() {
        mesh.y_desc(axes.y_desc);
    }
    if !axes.x_grid {
        mesh.disable_x_mesh();
    }
    if !axes.y_grid {
        mesh.disable_y_mesh();
    }
    mesh.draw().map_err(fail)
}

/// "No data for this selection" in the middle of the plot, on white over any reference line.
fn no_data(chart: &Chart<'_, '_>) -> Result<(), ChartError> {
    let area = chart.plotting_area().strip_coord_spec();
    let (width, height) = area.dim_in_pixel();
    let middle = (width as i32 / 2, height as i32 / 2);
    let half = text_width(NO_DATA, DESC_SIZE) / 2 + 8;
    area.draw(&Rectangle::new(
        [
            (middle.0 - half, middle.1 - 11),
            (middle.0 + half, middle.1 + 11),
        ],
        WHITE.filled(),
    ))
    .map_err(fail)?;
    area.draw_text(
        NO_DATA,
        &anchored(DESC_SIZE, &INK, HPos::Center, VPos::Center),
        middle,
    )
    .map_err(fail)
}

/// Text at a data point, moved by `offset` pixels.
fn label(
    chart: &mut Chart<'_, '_>,
    at: (f64, f64),
    offset: (i32, i32),
    text: &str,
    style: TextStyle<'_>,
) -> Result<(), ChartError> {
    chart
        .draw_series(once(
            EmptyElement::at(at) + Text::new(text.to_owned(), offset, style),
        ))
        .map_err(fail)?;
    Ok(())
}

/// A bar between two corners in data coordinates; light and hatched when it rests on a small
/// count.
fn bar(
    chart: &mut Chart<'_, '_>,
    root: &Area<'_>,
    corners: [(f64, f64); 2],
    color: RGBColor,
    small: bool,
) -> Result<(), ChartError> {
    if small {
        let (a, b) = (
            chart.backend_coord(&corners[0]),
            chart.backend_coord(&corners[1]),
        );
        small_bar(
            root,
            (a.0.min(b.0), a.1.min(b.1)),
            (a.0.max(b.0), a.1.max(b.1)),
            color,
        )
    } else {
        chart
            .draw_series(once(Rectangle::new(corners, color.filled())))
            .map_err(fail)?;
        Ok(())
    }
}

fn dashed(
    chart: &mut Chart<'_, '_>,
    from: (f64, f64),
    to: (f64, f64),
    color: RGBColor,
) -> Result<(), ChartError> {
    chart
        .draw_series(DashedLineSeries::new(
            vec![from, to],
            8,
            5,
            color.stroke_width(2),
        ))
        .map_err(fail)?;
    Ok(())
}

/// The width in pixels of the data span `from..to` on the x axis.
fn pixel_width(chart: &Chart<'_, '_>, from: f64, to: f64) -> i32 {
    (chart.backend_coord(&(to, 0.0)).0 - chart.backend_coord(&(from, 0.0)).0).abs()
}

/// Every `step`-th week up to `last`, with a step of 4 weeks or a multiple of it, so that
/// about six ticks show.
fn week_ticks(last: i64) -> Vec<f64> {
    let step = (last.saturating_add(23) / 24).saturating_mul(4).max(4);
    (0..=last.max(0))
        .step_by(usize::try_from(step).unwrap_or(4))
        .map(|w| w as f64)
        .collect()
}

/// Mean PHQ-9 by week in treatment, with its 95% confidence band and the count of each week.
fn mean_by_week(d: &Dashboard, title: &str) -> Result<String, ChartError> {
    let weeks = &d.by_week;
    let last = weeks
        .iter()
        .map(|w| w.week)
        .max()
        .unwrap_or(0)
        .max(i64::from(DASHBOARD_WEEKS));
    let mut keys = vec![
        key(Mark::Marker(OKABE_BLUE), "Mean PHQ-9"),
        key(Mark::Band(OKABE_BLUE), "95% confidence band"),
        key(Mark::Glyph("n"), "Patients scored that week"),
    ];
    if weeks.iter().any(|w| is_small(w.n)) {
        keys.push(small_key(Mark::Hollow(OKABE_BLUE), "patients"));
    }
    render(title, &keys, |area, _| {
        let end = last as f64 + 0.5;
        let x = Axis::new(-0.5..end, week_ticks(last));
        let y = Axis::new(0.0..27.0, vec![0.0, 5.0, 10.0, 15.0, 20.0, 25.0]);
        let mut chart = plot(area, x, y, (46, 52))?;
        draw_axes(
            &mut chart,
            &Axes {
                x_desc: "Weeks in treatment",
                y_desc: "Mean PHQ-9",
                x_label: &|v| format!("{v:.0}"),
                y_label: &|v| format!("{v:.0}"),
                x_grid: false,
                y_grid: true,
            },
        )?;
        for (level, text) in [(10.0, "10: moderate"), (5.0, "Below 5: remission")] {
            chart
                .draw_series(LineSeries::new(
                    vec![(-0.5, level), (end, level)],
                    REFERENCE.mix(0.6).stroke_width(1),
                ))
                .map_err(fail)?;
            label(
                &mut chart,
                (-0.5, level),
                (4, -2),
                text,
                anchored(NOTE_SIZE, &REFERENCE, HPos::Left, VPos::Bottom),
            )?;
        }
        if weeks.is_empty() {
            return no_data(&chart);
        }
        let at = |w: &WeekStats| (w.week as f64, w.mean);
        let band = |w: &WeekStats| {
            let (lo, hi) = w.ci95.unwrap_or((w.mean, w.mean));
            (lo.clamp(0.0, 27.0), hi.clamp(0.0, 27.0))
        };
        let fill = OKABE_BLUE.mix(BAND).filled();
        if weeks.len() > 1 {
            let outline: Vec<(f64, f64)> = weeks
                .iter()
                .map(|w| (w.week as f64, band(w).1))
                .chain(weeks.iter().rev().map(|w| (w.week as f64, band(w).0)))
                .collect();
            chart
                .draw_series(once(Polygon::new(outline, fill)))
                .map_err(fail)?;
        } else {
            chart
                .draw_series(weeks.iter().map(|w| {
                    let (lo, hi) = band(w);
                    let x = w.week as f64;
                    Rectangle::new([(x - 0.3, lo), (x + 0.3, hi)], fill)
                }))
                .map_err(fail)?;
        }
        chart
            .draw_series(LineSeries::new(
                weeks.iter().map(at),
                OKABE_BLUE.stroke_width(2),
            ))
            .map_err(fail)?;
        for w in weeks {
            if is_small(w.n) {
                chart
                    .draw_series([
                        Circle::new(at(w), 4, WHITE.filled()),
                        Circle::new(at(w), 4, OKABE_BLUE.stroke_width(2)),
                    ])
                    .map_err(fail)?;
            } else {
                chart
                    .draw_series(once(Circle::new(at(w), 4, OKABE_BLUE.filled())))
                    .map_err(fail)?;
            }
            label(
                &mut chart,
                at(w),
                (0, -7),
                &count_mark(w.n),
                anchored(NOTE_SIZE, &INK, HPos::Center, VPos::Bottom),
            )?;
        }
        Ok(())
    })
}

/// Response or remission of one window of a quarter, with the patients measured in it.
type QuarterRate = fn(&QuarterOutcome) -> (Option<f64>, usize);

/// Response and remission at weeks 12 and 24, four bars per enrollment quarter.
fn response_by_quarter(d: &Dashboard, title: &str) -> Result<String, ChartError> {
    let series: [(&str, RGBColor, QuarterRate); 4] = [
        ("Response, week 12", OKABE_SKY_BLUE, |q| {
            (q.week12.response_rate, q.week12.measured)
        }),
        ("Remission, week 12", OKABE_ORANGE, |q| {
            (q.week12.remission_rate, q.week12.measured)
        }),
        ("Response, week 24", OKABE_BLUE, |q| {
            (q.week24.response_rate, q.week24.measured)
        }),
        ("Remission, week 24", OKABE_VERMILLION, |q| {
            (q.week24.remission_rate, q.week24.measured)
        }),
    ];
    let quarters = &d.quarters;
    let any_small = quarters.iter().any(|q| {
        series.iter().any(|(_, _, rate)| {
            let (r, measured) = rate(q);
            r.is_some() && is_small(measured)
        })
    });
    let mut keys: Vec<Key> = series
        .iter()
        .map(|(name, color, _)| key(Mark::Bar(*color), *name))
        .collect();
    if any_small {
        keys.push(small_key(Mark::Small(REFERENCE), "measured"));
    }
    let labels: Vec<String> = quarters.iter().map(|q| q.quarter.label()).collect();
    render(title, &keys, |area, root| {
        let ticks = [0.0, 20.0, 40.0, 60.0, 80.0, 100.0];
        let mut chart = plot(
            area,
            Axis::categories(quarters.len()),
            Axis::percent(&ticks),
            (46, 52),
        )?;
        draw_axes(
            &mut chart,
            &Axes {
                x_desc: "Enrollment quarter",
                y_desc: "Share of patients measured",
                x_label: &|v| category(&labels, *v),
                y_label: &|v| format!("{v:.0}%"),
                x_grid: false,
                y_grid: true,
            },
        )?;
        if quarters.is_empty() {
            return no_data(&chart);
        }
        for (i, q) in quarters.iter().enumerate() {
            for (k, (_, color, rate)) in series.iter().enumerate() {
                let (Some(r), measured) = rate(q) else {
                    continue;
                };
                let x0 = i as f64 + 0.11 + k as f64 * 0.2;
                let x1 = x0 + 0.18;
                let top = (r * 100.0).clamp(0.0, 100.0);
                let small = is_small(measured);
                bar(&mut chart, root, [(x0, 0.0), (x1, top)], *color, small)?;
                let mark = if small { DAGGER } else { "" };
                let text = if pixel_width(&chart, x0, x1) >= 30 {
                    format!("{top:.0}%{mark}")
                } else {
                    mark.to_owned()
                };
                if !text.is_empty() {
                    label(
                        &mut chart,
                        ((x0 + x1) / 2.0, top),
                        (0, -3),
                        &text,
                        anchored(NOTE_SIZE, &INK, HPos::Center, VPos::Bottom),
                    )?;
                }
            }
        }
        Ok(())
    })
}

/// The distribution of % change from baseline, the bins of a 50% improvement highlighted.
fn change_distribution(d: &Dashboard, title: &str) -> Result<String, ChartError> {
    let bins = &d.change.bins;
    let improved = |b: &ChangeBin| b.up_to.is_some_and(|u| u <= -50.0);
    let keys = [
        key(Mark::Bar(OKABE_GREEN), "Improved 50% or more"),
        key(Mark::Bar(NEUTRAL_GREY), "Improved less, or worse"),
    ];
    let labels: Vec<String> = bins.iter().map(|b| b.label.clone()).collect();
    let most = bins.iter().map(|b| b.count).max().unwrap_or(0);
    render(title, &keys, |area, root| {
        let (y, step) = Axis::values(most as f64, true, 1.12);
        let mut chart = plot(area, Axis::categories(bins.len()), y, (46, 52))?;
        draw_axes(
            &mut chart,
            &Axes {
                x_desc: "% change in PHQ-9 from baseline (lower is better)",
                y_desc: "Patients",
                x_label: &|v| category(&labels, *v),
                y_label: &|v| tick(*v, step),
                x_grid: false,
                y_grid: true,
            },
        )?;
        if most == 0 {
            return no_data(&chart);
        }
        for (i, b) in bins.iter().enumerate() {
            let color = if improved(b) {
                OKABE_GREEN
            } else {
                NEUTRAL_GREY
            };
            let (x0, x1) = (i as f64 + 0.12, i as f64 + 0.88);
            let count = b.count as f64;
            bar(&mut chart, root, [(x0, 0.0), (x1, count)], color, false)?;
            label(
                &mut chart,
                (i as f64 + 0.5, count),
                (0, -3),
                &b.count.to_string(),
                anchored(NOTE_SIZE, &INK, HPos::Center, VPos::Bottom),
            )?;
        }
        Ok(())
    })
}

/// A care manager's name short enough for the axis.
fn short_name(name: &str) -> String {
    const LONGEST: usize = 22;
    if name.chars().count() > LONGEST {
        let mut s: String = name.chars().take(LONGEST - 1).collect();
        s.push('\u{2026}');
        s
    } else {
        name.to_owned()
    }
}

/// Open patients per care manager, active and relapse prevention stacked, against the
/// target caseload.
fn caseload(d: &Dashboard, title: &str) -> Result<String, ChartError> {
    let bars = &d.caseload;
    let n = bars.len();
    let target = f64::from(d.target_caseload);
    let mut keys = vec![
        key(Mark::Bar(OKABE_BLUE), "Active"),
        key(Mark::Bar(OKABE_ORANGE), "Relapse prevention"),
    ];
    if d.target_caseload > 0 {
        keys.push(key(
            Mark::Dashed(INK),
            format!("Target {}", d.target_caseload),
        ));
    }
    // The first care manager on top.
    let names: Vec<String> = bars.iter().rev().map(|b| short_name(&b.name)).collect();
    let name_width = names
        .iter()
        .map(|s| text_width(s, LABEL_SIZE))
        .max()
        .unwrap_or(0);
    let most = bars.iter().map(CaseloadBar::total).max().unwrap_or(0) as f64;
    render(title, &keys, |area, _| {
        let (x, step) = Axis::values(most.max(target), true, 1.28);
        let rows = n.max(1) as f64;
        let y = Axis::new(0.0..rows + 0.4, (0..n).map(|i| i as f64 + 0.5).collect());
        let y_labels = u32::try_from(name_width + 40).unwrap_or(60).clamp(60, 180);
        let mut chart = plot(area, x, y, (46, y_labels))?;
        draw_axes(
            &mut chart,
            &Axes {
                x_desc: "Open patients",
                y_desc: "Care manager",
                x_label: &|v| tick(*v, step),
                y_label: &|v| category(&names, *v),
                x_grid: true,
                y_grid: false,
            },
        )?;
        for (i, b) in bars.iter().enumerate() {
            let row = (n - 1 - i) as f64;
            let (lo, hi) = (row + 0.2, row + 0.8);
            let active = b.active as f64;
            let total = b.total() as f64;
            chart
                .draw_series([
                    Rectangle::new([(0.0, lo), (active, hi)], OKABE_BLUE.filled()),
                    Rectangle::new([(active, lo), (total, hi)], OKABE_ORANGE.filled()),
                ])
                .map_err(fail)?;
            let above = d.target_caseload > 0 && b.total() > u64::from(d.target_caseload);
            let text = if above {
                format!("{} \u{b7} above target", b.total())
            } else {
                b.total().to_string()
            };
            label(
                &mut chart,
                (total, row + 0.5),
                (5, 0),
                &text,
                anchored(NOTE_SIZE, &INK, HPos::Left, VPos::Center),
            )?;
        }
        if d.target_caseload > 0 {
            dashed(&mut chart, (target, 0.0), (target, rows + 0.4), INK)?;
            label(
                &mut chart,
                (target, rows + 0.2),
                (5, 0),
                &format!("Target {}", d.target_caseload),
                anchored(NOTE_SIZE, &INK, HPos::Left, VPos::Center),
            )?;
        }
        if bars.is_empty() {
            return no_data(&chart);
        }
        Ok(())
    })
}

/// Completed contacts per active patient by calendar month, against the guidance of 2.
fn contact_rate(d: &Dashboard, title: &str) -> Result<String, ChartError> {
    let months = &d.contacts;
    let guidance = "Guidance: 2 a month";
    let mut keys = vec![
        key(Mark::Bar(OKABE_BLUE), "Contacts per active patient"),
        key(Mark::Dashed(OKABE_VERMILLION), guidance),
    ];
    if months
        .iter()
        .any(|m| m.per_patient.is_some() && is_small(m.active))
    {
        keys.push(small_key(Mark::Small(REFERENCE), "active patients"));
    }
    let labels: Vec<String> = months.iter().map(|m| m.month.to_string()).collect();
    let most = months
        .iter()
        .filter_map(|m| m.per_patient)
        .fold(GUIDANCE, f64::max);
    render(title, &keys, |area, root| {
        let (y, step) = Axis::values(most, false, 1.12);
        let n = months.len();
        let mut chart = plot(area, Axis::categories(n), y, (46, 52))?;
        draw_axes(
            &mut chart,
            &Axes {
                x_desc: "Month",
                y_desc: "Contacts per active patient",
                x_label: &|v| category(&labels, *v),
                y_label: &|v| tick(*v, step),
                x_grid: false,
                y_grid: true,
            },
        )?;
        let mut drawn = false;
        for (i, m) in months.iter().enumerate() {
            let Some(rate) = m.per_patient else {
                continue;
            };
            drawn = true;
            let small = is_small(m.active);
            let (x0, x1) = (i as f64 + 0.18, i as f64 + 0.82);
            bar(&mut chart, root, [(x0, 0.0), (x1, rate)], OKABE_BLUE, small)?;
            let mark = if small { DAGGER } else { "" };
            label(
                &mut chart,
                (i as f64 + 0.5, rate),
                (0, -3),
                &format!("{rate:.1}{mark}"),
                anchored(NOTE_SIZE, &INK, HPos::Center, VPos::Bottom),
            )?;
        }
        let end = n.max(1) as f64;
        dashed(
            &mut chart,
            (0.0, GUIDANCE),
            (end, GUIDANCE),
            OKABE_VERMILLION,
        )?;
        label(
            &mut chart,
            (end, GUIDANCE),
            (-4, -4),
            guidance,
            anchored(NOTE_SIZE, &OKABE_VERMILLION, HPos::Right, VPos::Bottom),
        )?;
        if !drawn {
            return no_data(&chart);
        }
        Ok(())
    })
}

/// The patients of the selection by psychiatric review within 8 weeks: one 100% bar.
fn review_within_8_weeks(d: &Dashboard, title: &str) -> Result<String, ChartError> {
    let r = &d.review;
    let reviewed = r.reviewed.min(r.eligible);
    let parts = [
        ("Reviewed within 8 weeks", reviewed, OKABE_GREEN),
        (
            "Not reviewed within 8 weeks",
            r.eligible - reviewed,
            OKABE_VERMILLION,
        ),
        ("Too recent to count", r.pending, PALE_GREY),
    ];
    let keys: Vec<Key> = parts
        .iter()
        .map(|(name, count, color)| key(Mark::Bar(*color), format!("{name}: {count}")))
        .collect();
    let total = r.eligible + r.pending;
    render(title, &keys, |area, _| {
        let x = Axis::new(0.0..100.0, vec![0.0, 25.0, 50.0, 75.0, 100.0]);
        let y = Axis::new(0.0..1.0, vec![0.5]);
        let mut chart = plot(area, x, y, (46, 100))?;
        draw_axes(
            &mut chart,
            &Axes {
                x_desc: "Share of the patients enrolled in the selection",
                y_desc: "",
                x_label: &|v| format!("{v:.0}%"),
                y_label: &|_| "All enrolled".to_owned(),
                x_grid: true,
                y_grid: false,
            },
        )?;
        if total == 0 {
            return no_data(&chart);
        }
        let mut from = 0.0;
        for (_, count, color) in parts {
            if count == 0 {
                continue;
            }
            let to = from + count as f64 / total as f64 * 100.0;
            chart
                .draw_series(once(Rectangle::new(
                    [(from, 0.3), (to, 0.7)],
                    color.filled(),
                )))
                .map_err(fail)?;
            if pixel_width(&chart, from, to) >= 30 {
                label(
                    &mut chart,
                    ((from + to) / 2.0, 0.5),
                    (0, 0),
                    &count.to_string(),
                    anchored(DESC_SIZE, &BLACK, HPos::Center, VPos::Center),
                )?;
            }
            from = to;
        }
        label(
            &mut chart,
            (0.0, 0.7),
            (0, -6),
            &format!(
                "{} of {} patients enrolled 8 weeks or more ago reviewed in time ({})",
                reviewed,
                count_mark(r.eligible),
                pct(r.rate)
            ),
            anchored(LABEL_SIZE, &INK, HPos::Left, VPos::Bottom),
        )?;
        Ok(())
    })
}

/// The Kaplan–Meier estimate of the share responded by week in treatment, with the number
/// still followed and not yet responded under the axis.
fn time_to_response(d: &Dashboard, title: &str) -> Result<String, ChartError> {
    let curve = &d.time_to_response;
    let last = curve
        .iter()
        .map(|p| p.week)
        .max()
        .unwrap_or(0)
        .max(i64::from(RESPONSE_CURVE_WEEKS));
    let keys = [
        key(
            Mark::Line(OKABE_BLUE),
            "Share responded (Kaplan\u{2013}Meier estimate)",
        ),
        key(Mark::Dashed(INK), "Half of patients"),
        key(Mark::Glyph("n"), "Followed, not yet responded"),
    ];
    render(title, &keys, |area, root| {
        let ticks = week_ticks(last);
        let x = Axis::new(0.0..last.max(1) as f64, ticks.clone());
        let y = Axis::new(0.0..105.0, vec![0.0, 25.0, 50.0, 75.0, 100.0]);
        let mut chart = plot(area, x, y, (60, 52))?;
        draw_axes(
            &mut chart,
            &Axes {
                x_desc: "Weeks in treatment",
                y_desc: "Share responded",
                x_label: &|v| format!("{v:.0}"),
                y_label: &|v| format!("{v:.0}%"),
                x_grid: false,
                y_grid: true,
            },
        )?;
        dashed(&mut chart, (0.0, 50.0), (last as f64, 50.0), INK)?;
        if curve.first().is_none_or(|p| p.at_risk == 0) {
            return no_data(&chart);
        }
        // A step at each week with a first response.
        let mut path = vec![(0.0, 0.0)];
        let mut share = 0.0;
        for p in curve {
            let week = p.week as f64;
            path.push((week, share));
            share = (p.share * 100.0).clamp(0.0, 100.0);
            path.push((week, share));
        }
        path.push((last as f64, share));
        chart
            .draw_series(LineSeries::new(path, OKABE_BLUE.stroke_width(2)))
            .map_err(fail)?;
        // The number at risk under the tick labels, with "n" at the start of the row.
        let style = anchored(NOTE_SIZE, &INK, HPos::Center, VPos::Top);
        let origin = chart.backend_coord(&(0.0, 0.0));
        root.draw_text(
            "n",
            &anchored(NOTE_SIZE, &INK, HPos::Right, VPos::Top),
            (origin.0 - 10, origin.1 + 22),
        )
        .map_err(fail)?;
        for p in curve.iter().filter(|p| ticks.contains(&(p.week as f64))) {
            let (x, y) = chart.backend_coord(&(p.week as f64, 0.0));
            root.draw_text(&count_mark(p.at_risk), &style, (x, y + 22))
                .map_err(fail)?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{Duration, NaiveDate};

    use crate::domain::episode::{Contact, ContactKind, Score};
    use crate::domain::{EpisodeData, Instrument};
    use crate::model::{
        CaseloadEpisode, ClinicId, EpisodeId, EpisodeStatus, MeasurementId, Patient, PatientId,
    };
    use crate::reports::{build_dashboard, dashboard_chart, CaseloadCount, OutcomeFilter};

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    const AS_OF: &str = "2026-02-02";
    const SCORE_WEEKS: [i64; 7] = [0, 2, 4, 8, 12, 16, 24];

    /// The share of the baseline left at each of `SCORE_WEEKS`, by course: a quick responder, a
    /// steady one, a late one, and one who does not improve.
    const COURSES: [[f64; 7]; 4] = [
        [1.0, 0.85, 0.45, 0.4, 0.25, 0.15, 0.1],
        [1.0, 0.95, 0.8, 0.45, 0.4, 0.35, 0.3],
        [1.0, 0.95, 0.9, 0.8, 0.7, 0.45, 0.45],
        [1.0, 1.05, 1.1, 1.05, 1.1, 1.15, 1.0],
    ];

    /// The i-th synthetic episode: 22 enrolled in 2025 Q3 every 4 days, 8 in Q4 every 11 days.
    fn synthetic_episode(i: i64) -> CaseloadEpisode {
        let as_of = day(AS_OF);
        let enrolled = if i < 22 {
            day("2025-07-07") + Duration::days(4 * i)
        } else {
            day("2025-10-06") + Duration::days(11 * (i - 22))
        };
        let mut e = EpisodeData::new(PatientId(i), EpisodeId(i), enrolled);
        let end = if i == 9 {
            let discharged = enrolled + Duration::days(98);
            e.status = EpisodeStatus::Discharged;
            e.discharged_on = Some(discharged);
            discharged
        } else {
            as_of
        };
        let baseline = 12 + (i * 7) % 13;
        let course = COURSES[usize::try_from(i % 4).expect("index")];
        for (k, (week, share)) in SCORE_WEEKS.iter().zip(course).enumerate() {
            let kept = match week {
                0 => true,
                2 => i % 5 == 0,
                _ => i % 7 != 6,
            };
            let taken_on = enrolled + Duration::days(7 * week + i % 3);
            if !kept || taken_on > end {
                continue;
            }
            let total = (baseline as f64 * share).round().clamp(0.0, 27.0) as u8;
            e.scores.push(Score {
                id: MeasurementId(i * 10 + k as i64),
                taken_on,
                instrument: Instrument::Phq9,
                total,
                item9: Some(0),
            });
        }
        let kinds = [
            ContactKind::Phone,
            ContactKind::InPerson,
            ContactKind::NoShow,
            ContactKind::Video,
            ContactKind::Phone,
        ];
        let every = if i % 3 == 0 { 7 } else { 14 };
        let mut on = enrolled + Duration::days(3);
        let mut k = 0;
        while on <= end {
            e.record_contact(Contact {
                on,
                kind: kinds[k % kinds.len()],
                minutes: 20,
                by_care_manager: true,
            });
            on += Duration::days(every);
            k += 1;
        }
        match i % 3 {
            0 => e.record_contact(Contact {
                on: enrolled + Duration::days(30),
                kind: ContactKind::PsychiatricConsultation,
                minutes: 30,
                by_care_manager: false,
            }),
            1 => e.psychiatric_reviews.push(enrolled + Duration::days(70)),
            _ => {}
        }
        CaseloadEpisode {
            patient: Patient {
                id: PatientId(i),
                clinic_id: ClinicId(1),
                mrn: format!("SYN{i:04}"),
                given_name: "Synthetic".to_owned(),
                family_name: format!("Patient {i}"),
                birth_date: day("1980-01-01"),
            },
            care_manager_id: Some(1 + i % 2),
            care_manager_name: None,
            data: e,
        }
    }

    fn filter() -> OutcomeFilter {
        OutcomeFilter {
            clinic: ClinicId(1),
            care_manager: None,
            enrolled_from: day("2025-07-01"),
            enrolled_to: day("2025-12-31"),
            target: None,
        }
    }

    fn count(id: i64, name: &str, status: EpisodeStatus, patients: u64) -> CaseloadCount {
        CaseloadCount {
            care_manager_id: Some(id),
            care_manager_name: Some(name.to_owned()),
            status,
            patients,
        }
    }

    /// A fixed synthetic clinic: 30 episodes over two quarters, two care managers (the first
    /// above the target of 50).
    fn fixture() -> Dashboard {
        let population: Vec<CaseloadEpisode> = (0..30).map(synthetic_episode).collect();
        let caseload = [
            count(1, "Care manager A", EpisodeStatus::Active, 52),
            count(1, "Care manager A", EpisodeStatus::RelapsePrevention, 9),
            count(2, "Care manager B", EpisodeStatus::Active, 31),
            count(2, "Care manager B", EpisodeStatus::RelapsePrevention, 6),
        ];
        build_dashboard(
            &filter(),
            &population
                .iter()
                .map(|c| c.data.clone())
                .collect::<Vec<_>>(),
            &caseload,
            50,
            day(AS_OF),
        )
    }

    fn empty() -> Dashboard {
        build_dashboard(&filter(), &[], &[], 50, day(AS_OF))
    }

    /// The accessible SVG of one chart, with the checks every chart passes.
    fn svg(d: &Dashboard, id: &str) -> String {
        let chart = dashboard_chart(d, id).expect("a dashboard chart");
        let svg = dashboard_svg(d, &chart).expect("a known id").expect("svg");
        assert!(svg.starts_with("<svg role=\"img\""), "{svg}");
        assert!(
            svg.contains(&format!(
                "aria-labelledby=\"chart-{id}-title chart-{id}-desc\""
            )),
            "{svg}"
        );
        let title = crate::charts::escape(&chart.title);
        assert!(
            svg.contains(&format!("<title id=\"chart-{id}-title\">{title}</title>")),
            "{svg}"
        );
        assert!(svg.contains(&format!(
            "<desc id=\"chart-{id}-desc\">{}</desc>",
            crate::charts::escape(&chart.summary)
        )));
        assert!(
            svg.contains(&format!("\n{title}\n</text>")),
            "the title is the visible caption"
        );
        assert!(svg.contains("width=\"760\" height=\"360\""));
        assert!(svg.contains("font-family=\"sans-serif\""));
        assert!(!svg.contains("NaN"), "{id}: {svg}");
        svg
    }

    /// The SVG shows each of `texts` as a text element of its own.
    fn assert_texts(svg: &str, texts: &[&str]) {
        for t in texts {
            let t = crate::charts::escape(t);
            assert!(svg.contains(&format!("\n{t}\n</text>")), "{t} in {svg}");
        }
    }

    #[test]
    fn the_fixture_has_small_counts_missing_rates_and_pending_reviews() {
        let d = fixture();
        assert_eq!(d.episodes, 30);
        assert!(d.by_week.iter().any(|w| is_small(w.n)));
        assert!(d.by_week.iter().any(|w| !is_small(w.n)));
        assert_eq!(d.quarters.len(), 2);
        let q4 = &d.quarters[1];
        assert!(q4.week12.response_rate.is_some() && is_small(q4.week12.measured));
        assert_eq!(q4.week24.response_rate, None, "no week-24 bars for Q4");
        assert!(d.quarters[0].week12.response_rate.is_some());
        assert!(d
            .change
            .bins
            .iter()
            .any(|b| b.count > 0 && b.up_to.is_some_and(|u| u <= -50.0)));
        assert!(d.change.without_follow_up > 0);
        assert!(d
            .contacts
            .iter()
            .any(|m| is_small(m.active) && m.active > 0));
        assert!(d.contacts.iter().any(|m| !is_small(m.active)));
        assert!(d.review.reviewed > 0 && d.review.reviewed < d.review.eligible);
        assert!(d.review.pending > 0);
        assert!(d.time_to_response.iter().any(|p| p.share > 0.5));
        assert_eq!(d.caseload.len(), 2);
    }

    #[test]
    fn the_mean_by_week_chart_shows_the_band_the_counts_and_small_weeks() {
        let svg = svg(&fixture(), "mean-by-week");
        assert_texts(
            &svg,
            &[
                "Weeks in treatment",
                "Mean PHQ-9",
                "95% confidence band",
                "Patients scored that week",
                "Fewer than 10 patients (\u{2020})",
                "30",
                "10: moderate",
                "Below 5: remission",
            ],
        );
        assert!(svg.contains("<polygon"), "the confidence band");
        assert!(svg.contains("\u{2020}\n</text>"), "a small count is marked");
        insta::assert_snapshot!("dashboard_mean_by_week", svg);
    }

    #[test]
    fn the_quarter_chart_groups_four_bars_and_marks_small_ones() {
        let svg = svg(&fixture(), "response-by-quarter");
        assert_texts(
            &svg,
            &[
                "Enrollment quarter",
                "Share of patients measured",
                "2025 Q3",
                "2025 Q4",
                "Response, week 12",
                "Remission, week 12",
                "Response, week 24",
                "Remission, week 24",
                "Fewer than 10 measured (\u{2020})",
            ],
        );
        insta::assert_snapshot!("dashboard_response_by_quarter", svg);
    }

    #[test]
    fn the_change_histogram_highlights_a_50_percent_improvement() {
        let d = fixture();
        let svg = svg(&d, "change-distribution");
        let labels: Vec<&str> = d.change.bins.iter().map(|b| b.label.as_str()).collect();
        assert_texts(&svg, &labels);
        assert_texts(
            &svg,
            &[
                "% change in PHQ-9 from baseline (lower is better)",
                "Patients",
                "Improved 50% or more",
                "Improved less, or worse",
            ],
        );
        assert!(svg.contains("fill=\"#009E73\""), "the improved bars");
        insta::assert_snapshot!("dashboard_change_distribution", svg);
    }

    #[test]
    fn the_caseload_chart_stacks_statuses_against_the_target() {
        let svg = svg(&fixture(), "caseload");
        assert_texts(
            &svg,
            &[
                "Open patients",
                "Care manager",
                "Care manager A",
                "Care manager B",
                "Active",
                "Relapse prevention",
                "Target 50",
                "61 \u{b7} above target",
                "37",
            ],
        );
        insta::assert_snapshot!("dashboard_caseload", svg);
    }

    #[test]
    fn the_contact_rate_chart_has_the_guidance_line_and_marks_small_months() {
        let d = fixture();
        let svg = svg(&d, "contact-rate");
        assert_texts(
            &svg,
            &[
                "Month",
                "Contacts per active patient",
                "Guidance: 2 a month",
                "Fewer than 10 active patients (\u{2020})",
                "2025-07",
                "2026-02",
            ],
        );
        let july = &d.contacts[0];
        assert!(is_small(july.active));
        assert_texts(
            &svg,
            &[format!("{:.1}\u{2020}", july.per_patient.expect("a rate")).as_str()],
        );
        insta::assert_snapshot!("dashboard_contact_rate", svg);
    }

    #[test]
    fn the_review_chart_splits_the_cohort_in_three() {
        let d = fixture();
        let r = &d.review;
        let svg = svg(&d, "review-within-8-weeks");
        assert_texts(
            &svg,
            &[
                format!("Reviewed within 8 weeks: {}", r.reviewed).as_str(),
                format!("Not reviewed within 8 weeks: {}", r.eligible - r.reviewed).as_str(),
                format!("Too recent to count: {}", r.pending).as_str(),
                "Share of the patients enrolled in the selection",
                "All enrolled",
            ],
        );
        insta::assert_snapshot!("dashboard_review_within_8_weeks", svg);
    }

    #[test]
    fn the_time_to_response_chart_is_a_step_curve_with_a_half_line() {
        let d = fixture();
        let svg = svg(&d, "time-to-response");
        assert_texts(
            &svg,
            &[
                "Weeks in treatment",
                "Share responded",
                "Share responded (Kaplan\u{2013}Meier estimate)",
                "Half of patients",
                "Followed, not yet responded",
                count_mark(d.time_to_response[0].at_risk).as_str(),
            ],
        );
        insta::assert_snapshot!("dashboard_time_to_response", svg);
    }

    #[test]
    fn an_empty_dashboard_draws_every_chart_with_its_axes_and_a_no_data_message() {
        let d = empty();
        for id in CHART_IDS {
            let svg = svg(&d, id);
            assert_texts(&svg, &[NO_DATA]);
            assert!(svg.contains("<line"), "{id} has its axes");
        }
    }

    #[test]
    fn a_dashboard_without_any_rows_still_draws() {
        // Hand-built, with nothing at all, not even the empty bins and months.
        let mut d = empty();
        d.change.bins.clear();
        d.contacts.clear();
        d.time_to_response.clear();
        d.target_caseload = 0;
        for id in CHART_IDS {
            assert_texts(&svg(&d, id), &[NO_DATA]);
        }
    }

    #[test]
    fn numbers_outside_their_usual_range_still_draw() {
        let mut d = fixture();
        d.by_week[0].mean = f64::NAN;
        d.by_week[1].ci95 = Some((-40.0, 90.0));
        d.by_week[2].week = 10_000;
        d.quarters[0].week12.response_rate = Some(1.5);
        d.contacts[1].per_patient = Some(f64::INFINITY);
        d.time_to_response[3].share = f64::NAN;
        d.time_to_response[4].week = i64::MAX;
        for chart in crate::reports::dashboard_charts(&d) {
            let drawn = dashboard_svg(&d, &chart).expect("a known id");
            assert!(drawn.is_ok(), "{}", chart.id);
        }
    }

    #[test]
    fn every_chart_of_the_page_has_its_own_title_and_description_ids() {
        let d = fixture();
        let svgs: Vec<String> = CHART_IDS.iter().map(|id| svg(&d, id)).collect();
        for (i, a) in svgs.iter().enumerate() {
            let id = CHART_IDS[i];
            for (j, b) in svgs.iter().enumerate() {
                if i != j {
                    assert!(!b.contains(&format!("id=\"chart-{id}-title\"")));
                }
            }
            assert!(a.contains(&format!("id=\"chart-{id}-desc\"")));
        }
    }

    #[test]
    fn an_unknown_chart_has_no_svg() {
        let d = fixture();
        let mut chart = dashboard_chart(&d, "caseload").expect("chart");
        chart.id = "no-such-chart".to_owned();
        assert!(dashboard_svg(&d, &chart).is_none());
    }

    #[test]
    fn value_axes_end_on_a_round_tick_above_the_largest_value() {
        let (axis, step) = Axis::values(37.0, true, 1.0);
        assert_eq!(step, 10.0);
        assert_eq!(axis.ticks, [0.0, 10.0, 20.0, 30.0, 40.0]);
        let (axis, step) = Axis::values(2.3, false, 1.0);
        assert_eq!(step, 0.5);
        assert_eq!(axis.ticks.last(), Some(&2.5));
        assert_eq!(tick(1.5, step), "1.5");
        let (axis, step) = Axis::values(0.0, true, 1.0);
        assert_eq!((step, axis.ticks.len()), (1.0, 2));
        assert_eq!(Axis::values(3.0, true, 1.0).1, 1.0);
    }
}
