//! A PHQ-9 or GAD-7 questionnaire as radio groups with the official wording. It works as a plain
//! form; once hydrated it shows the total and severity band live, a safety prompt as soon as PHQ-9
//! item 9 is above 0, and answers with the keyboard: a digit 0–3 answers the focused item and moves
//! to the next.

use leptos::prelude::*;

use crate::domain::instrument::{ANSWERS, ITEM9_ALERT_FROM};
use crate::domain::{Difficulty, Instrument, Severity};
use crate::forms::item_key;

/// The radio id of an item's answer, unique per questionnaire on the page.
fn radio_id(prefix: &str, item: usize, answer: usize) -> String {
    format!("{prefix}-{}-{answer}", item_key(item))
}

/// Moves focus to the next item's chosen answer (or its first one).
fn focus_item(prefix: &str, item: usize, answer: Option<u8>) {
    use leptos::wasm_bindgen::JsCast;
    let id = radio_id(prefix, item, usize::from(answer.unwrap_or(0)));
    if let Some(el) = document()
        .get_element_by_id(&id)
        .and_then(|e| e.dyn_into::<leptos::web_sys::HtmlElement>().ok())
    {
        let _ = el.focus();
    }
}

#[component]
pub fn Questionnaire(
    instrument: Instrument,
    /// The form field prefix: answers post as `prefix[i1]` … and `prefix[difficulty]`.
    prefix: &'static str,
    /// Answers to start from (editing a score).
    #[prop(default = None)]
    initial: Option<Vec<u8>>,
    #[prop(default = None)] initial_difficulty: Option<Difficulty>,
    /// Whether the heading says the questionnaire may be left empty.
    #[prop(optional)]
    optional: bool,
) -> impl IntoView {
    let count = instrument.item_count();
    let answers: Vec<RwSignal<Option<u8>>> = (0..count)
        .map(|i| RwSignal::new(initial.as_ref().and_then(|v| v.get(i).copied())))
        .collect();
    let all = answers.clone();
    let total = move || {
        let values: Vec<Option<u8>> = all.iter().map(|a| a.get()).collect();
        let answered = values.iter().flatten().count();
        let sum: u8 = values.iter().flatten().sum();
        (answered, sum)
    };
    let summary = {
        let total = total.clone();
        move || {
            let (answered, sum) = total();
            if answered == 0 {
                "No items answered yet".to_owned()
            } else if answered < count {
                format!("{answered} of {count} items answered · running total {sum}")
            } else {
                let band = Severity::of(instrument, sum).label();
                format!("Total {sum} of {} · {band}", instrument.max_total())
            }
        }
    };
    let item9 = answers.get(8).copied();
    let safety = move || {
        instrument == Instrument::Phq9
            && item9
                .and_then(|a| a.get())
                .is_some_and(|v| v >= ITEM9_ALERT_FROM)
    };
    let title = format!(
        "{instrument}{}",
        if optional {
            " (optional at enrollment)"
        } else {
            ""
        }
    );
    let items = instrument
        .items()
        .iter()
        .enumerate()
        .map(|(index, wording)| {
            let item = index + 1;
            let answer = answers[index];
            let next = answers.get(index + 1).copied();
            let legend_id = format!("{prefix}-{}-legend", item_key(item));
            let labelled_by = legend_id.clone();
            let on_key = move |ev: leptos::ev::KeyboardEvent| {
                let key = ev.key();
                if let Ok(value @ 0..=3) = key.parse::<u8>() {
                    ev.prevent_default();
                    answer.set(Some(value));
                    if item < count {
                        focus_item(prefix, item + 1, next.and_then(|n| n.get_untracked()));
                    } else {
                        focus_item(prefix, item, Some(value));
                    }
                }
            };
            view! {
                <fieldset class="q-item" on:keydown=on_key aria-labelledby=labelled_by>
                    <legend id=legend_id>
                        <span class="q-item__number">{format!("{item}.")}</span>
                        " "
                        {*wording}
                    </legend>
                    <div class="q-item__answers">
                        {ANSWERS
                            .iter()
                            .enumerate()
                            .map(|(value, label)| {
                                let id = radio_id(prefix, item, value);
                                let for_id = id.clone();
                                let v = u8::try_from(value).unwrap_or(0);
                                // The attribute serves the page before hydration (and without
                                // JavaScript); the property keeps it in step afterwards.
                                let initially = answer.get_untracked() == Some(v);
                                view! {
                                    <label class="q-answer" for=for_id>
                                        <input
                                            type="radio"
                                            id=id
                                            name=format!("{prefix}[{}]", item_key(item))
                                            value=value.to_string()
                                            checked=initially
                                            prop:checked=move || answer.get() == Some(v)
                                            on:change=move |_| answer.set(Some(v))
                                        />
                                        <span class="q-answer__value">{value}</span>
                                        <span class="q-answer__label">{*label}</span>
                                    </label>
                                }
                            })
                            .collect_view()}
                    </div>
                </fieldset>
            }
        })
        .collect_view();
    let difficulty = (instrument == Instrument::Phq9).then(|| {
        let name = format!("{prefix}[difficulty]");
        view! {
            <fieldset class="q-item q-item--difficulty">
                <legend>{Difficulty::QUESTION}" (not scored)"</legend>
                <div class="q-item__answers">
                    {Difficulty::ALL
                        .into_iter()
                        .map(|d| {
                            let id = format!("{prefix}-difficulty-{}", d.code());
                            let for_id = id.clone();
                            view! {
                                <label class="q-answer" for=for_id>
                                    <input
                                        type="radio"
                                        id=id
                                        name=name.clone()
                                        value=d.code()
                                        checked=initial_difficulty == Some(d)
                                    />
                                    <span class="q-answer__label">{d.label()}</span>
                                </label>
                            }
                        })
                        .collect_view()}
                </div>
            </fieldset>
        }
    });
    view! {
        <section class="questionnaire" aria-labelledby=format!("{prefix}-title")>
            <h2 id=format!("{prefix}-title")>{title}</h2>
            <p class="questionnaire__stem">
                "Over the last 2 weeks, how often have you been bothered by any of the following problems?"
            </p>
            <p class="hint">"Keyboard: type 0–3 to answer the focused question and move to the next."</p>
            {items}
            {difficulty}
            <p class="questionnaire__total" aria-live="polite" data-testid=format!("{prefix}-total")>
                {summary}
            </p>
            <Show when=safety>
                <div class="safety-prompt" role="alert">
                    <h3>"Safety: item 9 is positive"</h3>
                    <p>
                        "The patient reports thoughts that they would be better off dead or of hurting "
                        "themselves. Assess suicide risk now and follow the clinic's safety protocol. "
                        "Saving this score raises the safety flag on the caseload."
                    </p>
                </div>
            </Show>
        </section>
    }
}
