//! Flags as chips: the label on the chip, the explanation one click (or Enter) away. The chip
//! text and an icon carry the meaning, not the colour alone.

use leptos::prelude::*;

use crate::domain::{Flag, FlagKind};

fn icon(kind: FlagKind) -> &'static str {
    match kind {
        FlagKind::Safety => "⚠",
        FlagKind::OverdueContact | FlagKind::PostDischargeFollowup => "◔",
        FlagKind::Worsening => "↑",
        _ => "●",
    }
}

/// One flag: a disclosure whose summary is the chip and whose body is the explanation.
#[component]
pub fn FlagChip(flag: Flag) -> impl IntoView {
    let class = format!("chip chip--{}", flag.kind.code());
    view! {
        <details class=class>
            <summary title=flag.explanation.clone()>
                <span aria-hidden="true">{icon(flag.kind)}" "</span>
                {flag.kind.label()}
            </summary>
            <p class="chip__why">{flag.explanation}</p>
        </details>
    }
}

#[component]
pub fn FlagChips(flags: Vec<Flag>) -> impl IntoView {
    if flags.is_empty() {
        return view! { <span class="muted">"None"</span> }.into_any();
    }
    view! {
        <div class="chips">
            {flags.into_iter().map(|flag| view! { <FlagChip flag /> }).collect_view()}
        </div>
    }
    .into_any()
}

/// The chart's flag list: each flag with its explanation in full.
#[component]
pub fn FlagList(flags: Vec<Flag>) -> impl IntoView {
    if flags.is_empty() {
        return view! { <p class="muted">"No flags raised today."</p> }.into_any();
    }
    view! {
        <ul class="flag-list">
            {flags
                .into_iter()
                .map(|f| {
                    let class = format!("flag-list__item chip--{}", f.kind.code());
                    view! {
                        <li class=class>
                            <strong>
                                <span aria-hidden="true">{icon(f.kind)}" "</span>
                                {f.kind.label()}
                            </strong>
                            ": "
                            {f.explanation}
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}
