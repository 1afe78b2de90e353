//! Charts as pure functions from data to SVG, drawn on the server with plotters, so they show
//! without wasm and print cleanly. Each chart carries `role="img"`, a title and a text summary;
//! the page that shows it also offers the numbers as a table.
//!
//! This module holds a patient's trajectory chart and what every chart shares; the clinic lead's
//! outcomes dashboard is in [`outcomes`].

use chrono::{Duration, NaiveDate};
use plotters::prelude::*;

use crate::domain::{Instrument, Severity};

mod outcomes;

pub use outcomes::dashboard_svg;

/// One score on the chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Point {
    pub taken_on: NaiveDate,
    pub total: u8,
}

/// What the trajectory chart shows: an episode's PHQ-9 (and GAD-7) since enrollment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trajectory {
    pub enrolled_on: NaiveDate,
    /// The PHQ-9 baseline, which sets the 50% target line.
    pub baseline: Option<u8>,
    /// PHQ-9 scores in date order.
    pub phq9: Vec<Point>,
    /// GAD-7 scores in date order.
    pub gad7: Vec<Point>,
}

#[derive(Debug, thiserror::Error)]
#[error("the chart could not be drawn: {0}")]
pub struct ChartError(String);

/// A drawing failure as a [`ChartError`].
fn fail(e: impl std::fmt::Display) -> ChartError {
    ChartError(e.to_string())
}

const WIDTH: u32 = 760;
const HEIGHT: u32 = 380;

/// The Okabe–Ito palette: its colours stay distinguishable with the common colour-vision
/// deficiencies. Charts still tell series apart by shape, line style or position as well.
const OKABE_BLUE: RGBColor = RGBColor(0, 114, 178);
const OKABE_VERMILLION: RGBColor = RGBColor(213, 94, 0);
const OKABE_GREEN: RGBColor = RGBColor(0, 158, 115);
const OKABE_ORANGE: RGBColor = RGBColor(230, 159, 0);
const OKABE_SKY_BLUE: RGBColor = RGBColor(86, 180, 233);
/// A neutral grey for "everything else" beside the palette's colours.
const NEUTRAL_GREY: RGBColor = RGBColor(170, 170, 170);

/// Blue and vermillion tell PHQ-9 from GAD-7; the two series also differ by marker shape (circle,
/// triangle).
const PHQ9_COLOR: RGBColor = OKABE_BLUE;
const GAD7_COLOR: RGBColor = OKABE_VERMILLION;
const TARGET_COLOR: RGBColor = OKABE_GREEN;

/// PHQ-9 severity bands (DOMAIN.md §1) as light backgrounds, mildest first.
const BANDS: [(f64, f64, RGBColor); 5] = [
    (0.0, 5.0, RGBColor(240, 247, 242)),
    (5.0, 10.0, RGBColor(250, 250, 235)),
    (10.0, 15.0, RGBColor(253, 243, 226)),
    (15.0, 20.0, RGBColor(252, 234, 222)),
    (20.0, 27.0, RGBColor(248, 224, 224)),
];

fn weeks(enrolled_on: NaiveDate, day: NaiveDate) -> f64 {
    (day - enrolled_on).num_days() as f64 / 7.0
}

/// The sentence a screen reader hears instead of the picture.
pub fn trajectory_summary(t: &Trajectory) -> String {
    let Some(first) = t.phq9.first() else {
        return "No PHQ-9 scores recorded in this episode yet.".to_owned();
    };
    let mut s = format!(
        "PHQ-9 baseline {} ({}) on {}",
        first.total,
        Severity::of(Instrument::Phq9, first.total).label(),
        first.taken_on
    );
    if let Some(last) = t.phq9.last().filter(|_| t.phq9.len() > 1) {
        s.push_str(&format!(
            "; latest {} ({}) on {}, week {}",
            last.total,
            Severity::of(Instrument::Phq9, last.total).label(),
            last.taken_on,
            (last.taken_on - t.enrolled_on).num_days() / 7
        ));
    }
    if let Some(b) = t.baseline.filter(|b| *b > 0) {
        s.push_str(&format!("; 50% target {}", f64::from(b) / 2.0));
    }
    s.push_str(&format!(
        "; {} PHQ-9 and {} GAD-7 scores.",
        t.phq9.len(),
        t.gad7.len()
    ));
    s
}

/// The trajectory chart: PHQ-9 over weeks in treatment on the severity bands, the dashed target
/// at 50% of baseline, the remission line at 5, and GAD-7 as a second series.
pub fn trajectory_svg(t: &Trajectory) -> Result<String, ChartError> {
    let err = |e: &dyn std::fmt::Display| ChartError(e.to_string());
    let last_day = t
        .phq9
        .iter()
        .chain(&t.gad7)
        .map(|p| p.taken_on)
        .max()
        .unwrap_or(t.enrolled_on);
    // At least 12 weeks, so the week-12 mark is always on the chart.
    let max_week = (weeks(t.enrolled_on, last_day) + 2.0).max(12.0).ceil();
    let enrolled = t.enrolled_on;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| err(&e))?;
        let mut chart = ChartBuilder::on(&root)
            .caption("PHQ-9 and GAD-7 since enrollment", ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(52)
            .y_label_area_size(48)
            .build_cartesian_2d(0f64..max_week, 0f64..27f64)
            .map_err(|e| err(&e))?;
        for (lo, hi, color) in BANDS {
            chart
                .draw_series(std::iter::once(Rectangle::new(
                    [(0.0, lo), (max_week, hi)],
                    color.filled(),
                )))
                .map_err(|e| err(&e))?;
        }
        let label_week = move |w: &f64| {
            let date = enrolled + Duration::days((*w * 7.0).round() as i64);
            format!("wk {w:.0} · {}", date.format("%-d %b"))
        };
        chart
            .configure_mesh()
            .x_desc("Weeks in treatment (date)")
            .y_desc("Score")
            .x_labels(7)
            .y_labels(10)
            .x_label_formatter(&label_week)
            .y_label_formatter(&|v| format!("{v:.0}"))
            .light_line_style(WHITE.mix(0.0))
            .bold_line_style(BLACK.mix(0.12))
            .label_style(("sans-serif", 12))
            .draw()
            .map_err(|e| err(&e))?;
        chart
            .draw_series(LineSeries::new(
                vec![(0.0, 5.0), (max_week, 5.0)],
                BLACK.stroke_width(1),
            ))
            .map_err(|e| err(&e))?
            .label("Remission (below 5)")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLACK.stroke_width(1)));
        if let Some(b) = t.baseline.filter(|b| *b > 0) {
            let target = f64::from(b) / 2.0;
            chart
                .draw_series(DashedLineSeries::new(
                    vec![(0.0, target), (max_week, target)],
                    8,
                    5,
                    TARGET_COLOR.stroke_width(2),
                ))
                .map_err(|e| err(&e))?
                .label(format!("50% of baseline ({target})"))
                .legend(|(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], TARGET_COLOR.stroke_width(2))
                });
        }
        for (points, color, name, triangle) in [
            (&t.phq9, PHQ9_COLOR, "PHQ-9", false),
            (&t.gad7, GAD7_COLOR, "GAD-7", true),
        ] {
            if points.is_empty() {
                continue;
            }
            let xy: Vec<(f64, f64)> = points
                .iter()
                .map(|p| (weeks(enrolled, p.taken_on), f64::from(p.total)))
                .collect();
            chart
                .draw_series(LineSeries::new(xy.clone(), color.stroke_width(2)))
                .map_err(|e| err(&e))?
                .label(name)
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(2))
                });
            if triangle {
                chart
                    .draw_series(
                        xy.iter()
                            .map(|p| TriangleMarker::new(*p, 5, color.filled())),
                    )
                    .map_err(|e| err(&e))?;
            } else {
                chart
                    .draw_series(xy.iter().map(|p| Circle::new(*p, 4, color.filled())))
                    .map_err(|e| err(&e))?;
            }
        }
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.9))
            .border_style(BLACK.mix(0.4))
            .label_font(("sans-serif", 12))
            .draw()
            .map_err(|e| err(&e))?;
        root.present().map_err(|e| err(&e))?;
    }
    Ok(accessible(
        &svg,
        "trajectory",
        "PHQ-9 and GAD-7 trajectory",
        &trajectory_summary(t),
    ))
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Gives the plotters SVG an image role, a title and a description. `id` names the title and
/// description elements (`{id}-title`, `{id}-desc`), so it must be unique on the page that shows
/// the chart.
fn accessible(svg: &str, id: &str, title: &str, summary: &str) -> String {
    let Some(start) = svg.find("<svg") else {
        return svg.to_owned();
    };
    let Some(end) = svg[start..].find('>').map(|i| start + i) else {
        return svg.to_owned();
    };
    let id = escape(id);
    format!(
        "{}<svg role=\"img\" aria-labelledby=\"{id}-title {id}-desc\"{}><title id=\"{id}-title\">{}</title><desc id=\"{id}-desc\">{}</desc>{}",
        &svg[..start],
        &svg[start + 4..end],
        escape(title),
        escape(summary),
        &svg[end + 1..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").expect("date")
    }

    /// A fixed synthetic patient: baseline 18, scores at weeks 4, 8 and 11 staying above 9.
    fn not_improving() -> Trajectory {
        Trajectory {
            enrolled_on: day("2026-01-05"),
            baseline: Some(18),
            phq9: vec![
                Point {
                    taken_on: day("2026-01-05"),
                    total: 18,
                },
                Point {
                    taken_on: day("2026-02-02"),
                    total: 16,
                },
                Point {
                    taken_on: day("2026-03-02"),
                    total: 15,
                },
                Point {
                    taken_on: day("2026-03-23"),
                    total: 14,
                },
            ],
            gad7: vec![
                Point {
                    taken_on: day("2026-01-05"),
                    total: 12,
                },
                Point {
                    taken_on: day("2026-03-02"),
                    total: 10,
                },
            ],
        }
    }

    #[test]
    fn the_trajectory_chart_is_an_accessible_svg_with_a_target_line() {
        let svg = trajectory_svg(&not_improving()).expect("svg");
        assert!(svg.contains("<svg role=\"img\""), "{svg}");
        assert!(svg.contains("<title id=\"trajectory-title\">PHQ-9 and GAD-7 trajectory</title>"));
        assert!(svg.contains("aria-labelledby=\"trajectory-title trajectory-desc\""));
        assert!(svg.contains("<desc id=\"trajectory-desc\">PHQ-9 baseline 18"));
        assert!(
            svg.contains("50% of baseline (9)"),
            "the target line is labelled"
        );
        assert!(svg.contains("Remission (below 5)"));
        assert!(svg.contains("Weeks in treatment (date)"));
        assert!(
            svg.contains("wk 0 · 5 Jan"),
            "axis labels carry weeks and dates"
        );
    }

    #[test]
    fn the_trajectory_summary_reads_the_numbers() {
        assert_eq!(
            trajectory_summary(&not_improving()),
            "PHQ-9 baseline 18 (moderately severe) on 2026-01-05; latest 14 (moderate) on \
             2026-03-23, week 11; 50% target 9; 4 PHQ-9 and 2 GAD-7 scores."
        );
    }

    #[test]
    fn an_episode_without_scores_still_draws_an_empty_chart() {
        let t = Trajectory {
            enrolled_on: day("2026-01-05"),
            baseline: None,
            phq9: vec![],
            gad7: vec![],
        };
        let svg = trajectory_svg(&t).expect("svg");
        assert!(svg.contains("No PHQ-9 scores recorded in this episode yet."));
        assert!(!svg.contains("50% of baseline"));
    }

    #[test]
    fn the_trajectory_chart_for_a_fixed_patient_is_stable() {
        insta::assert_snapshot!(trajectory_svg(&not_improving()).expect("svg"));
    }
}
