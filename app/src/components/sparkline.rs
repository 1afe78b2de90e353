//! A PHQ-9 sparkline drawn on the server as inline SVG: the scale is fixed at 0–27 so that two
//! patients' lines compare at a glance, and a text alternative gives the numbers.

use leptos::prelude::*;

use crate::case_review::SparkPoint;
use crate::decimals::fixed;

/// Each score's position in a `width` × `height` box: x by position, y by score (27 at the top).
fn coordinates(points: &[SparkPoint], width: f64, height: f64) -> Vec<(f64, f64)> {
    let n = points.len();
    points
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let x = if n > 1 {
                2.0 + (width - 4.0) * i as f64 / (n - 1) as f64
            } else {
                width / 2.0
            };
            (x, 2.0 + (height - 4.0) * (1.0 - f64::from(p.total) / 27.0))
        })
        .collect()
}

/// The polyline's points attribute.
pub fn spark_points(points: &[SparkPoint], width: f64, height: f64) -> String {
    coordinates(points, width, height)
        .iter()
        .map(|&(x, y)| format!("{},{}", fixed(x, 1), fixed(y, 1)))
        .collect::<Vec<_>>()
        .join(" ")
}

#[component]
pub fn Sparkline(
    points: Vec<SparkPoint>,
    #[prop(default = 96.0)] width: f64,
    #[prop(default = 24.0)] height: f64,
) -> impl IntoView {
    if points.is_empty() {
        return ().into_any();
    }
    let label = {
        format!(
            "PHQ-9 scores: {}",
            points
                .iter()
                .map(|p| format!("{} on {}", p.total, p.on))
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let title = label.clone();
    let line = spark_points(&points, width, height);
    let last = coordinates(&points, width, height).last().map(|(x, y)| {
        view! { <circle cx=fixed(*x, 1) cy=fixed(*y, 1) r="2.5" class="spark__last" /> }
    });
    // The response line: half of the baseline.
    let half = points.first().map(|b| {
        let y = 2.0 + (height - 4.0) * (1.0 - f64::from(b.total) / 54.0);
        view! { <line x1="0" x2=fixed(width, 1) y1=fixed(y, 1) y2=fixed(y, 1) class="spark__target" /> }
    });
    view! {
        <svg class="spark" role="img" aria-label=label width=fixed(width, 1) height=fixed(height, 1)
            viewBox=format!("0 0 {} {}", fixed(width, 1), fixed(height, 1))>
            <title>{title}</title>
            {half}
            <polyline points=line fill="none" class="spark__line" />
            {last}
        </svg>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_highest_score_is_at_the_top_and_zero_at_the_bottom() {
        let on = chrono::NaiveDate::from_ymd_opt(2026, 1, 5).unwrap_or_default();
        let pts = [SparkPoint { on, total: 27 }, SparkPoint { on, total: 0 }];
        assert_eq!(spark_points(&pts, 100.0, 24.0), "2.0,2.0 98.0,22.0");
        assert_eq!(spark_points(&pts[..1], 100.0, 24.0), "50.0,2.0");
    }
}
