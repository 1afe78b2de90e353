//! A PHQ-9 sparkline drawn on the server as inline SVG: the scale is fixed at 0–27 so that two
//! patients' lines compare at a glance, and a text alternative gives the numbers.

use leptos::prelude::*;

use crate::case_review::SparkPoint;

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

/// A coordinate to one decimal place, "12.5". It is written from an integer number of tenths,
/// so the browser's code holds no float formatting for it.
fn tenths(v: f64) -> String {
    let t = (v * 10.0).round_ties_even() as i64;
    let sign = if t < 0 { "-" } else { "" };
    format!(
        "{sign}{}.{}",
        (t / 10).unsigned_abs(),
        (t % 10).unsigned_abs()
    )
}

/// The polyline's points attribute.
pub fn spark_points(points: &[SparkPoint], width: f64, height: f64) -> String {
    coordinates(points, width, height)
        .iter()
        .map(|&(x, y)| format!("{},{}", tenths(x), tenths(y)))
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
        view! { <circle cx=tenths(*x) cy=tenths(*y) r="2.5" class="spark__last" /> }
    });
    // The response line: half of the baseline.
    let half = points.first().map(|b| {
        let y = 2.0 + (height - 4.0) * (1.0 - f64::from(b.total) / 54.0);
        view! { <line x1="0" x2=tenths(width) y1=tenths(y) y2=tenths(y) class="spark__target" /> }
    });
    view! {
        <svg class="spark" role="img" aria-label=label width=tenths(width) height=tenths(height)
            viewBox=format!("0 0 {} {}", tenths(width), tenths(height))>
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

    #[test]
    fn a_coordinate_is_written_to_one_decimal_place() {
        assert_eq!(tenths(12.34), "12.3");
        assert_eq!(tenths(12.36), "12.4");
        assert_eq!(tenths(0.04), "0.0");
        assert_eq!(tenths(-1.25), "-1.2");
        assert_eq!(tenths(96.0), "96.0");
    }

    proptest::proptest! {
        // Away from exact halves of a tenth, where the two may round differently.
        #[test]
        fn a_coordinate_is_written_as_float_formatting_would(t in 0i64..10_000, rest in 0.05f64..0.45) {
            let v = (t as f64 + rest) / 10.0;
            proptest::prop_assert_eq!(tenths(v), format!("{v:.1}"));
        }
    }
}
