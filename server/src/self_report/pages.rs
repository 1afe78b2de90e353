//! The patient pages' HTML: Leptos views rendered to a string on the server and never hydrated.
//! Plain words, one question per screen, large answers to tap, and the clinic's crisis resources
//! as soon as PHQ-9 item 9 is answered above 0.

use app::domain::instrument::ANSWERS;
use app::domain::self_report::{steps, SelfReportSettings, Step, Unusable};
use app::domain::{Difficulty, Instrument};
use app::self_report::LinkVisit;
use leptos::prelude::*;

pub const NOT_CONFIRMED: &str = "We could not open your questionnaire with these details. Check \
    your date of birth and try again. If this keeps happening, contact your care team and ask for \
    a new link.";
pub const TOO_MANY: &str = "There have been too many attempts. Wait 15 minutes and try again, or \
    contact your care team.";
pub const CRISIS_HEADING: &str = "If you need help now";

/// A patient page, to be sent with [`Document::html`].
pub struct Document {
    title: String,
    body: String,
}

impl Document {
    /// The whole HTML document, linking the site's stylesheet at `stylesheet`.
    pub fn html(&self, stylesheet: &str) -> String {
        let Self { title, body } = self;
        let stylesheet = view! { <link rel="stylesheet" href=stylesheet.to_owned() /> }.to_html();
        format!(
            "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
             <meta name=\"robots\" content=\"noindex, nofollow\">{title}\
             {stylesheet}</head>\
             <body class=\"patient-body\">{body}</body></html>"
        )
    }
}

/// The document around a page's main content.
fn document(title: &str, main: impl IntoView) -> Document {
    let body = view! {
        <a class="skip-link" href="#main">"Skip to the questions"</a>
        <header class="patient-header">
            <span class="patient-header__name">"Tandem"</span>
            <span class="patient-header__what">" · your care team's questionnaire"</span>
        </header>
        <main id="main" class="patient">{main}</main>
    }
    .to_html();
    let title = view! { <title>{format!("{title} · Tandem")}</title> }.to_html();
    Document { title, body }
}

fn error_summary(message: Option<&str>, field_id: &'static str) -> impl IntoView {
    message.map(|m| {
        let m = m.to_owned();
        view! {
            <div class="error-summary" role="alert" aria-labelledby="error-summary-title" tabindex="-1">
                <h2 id="error-summary-title">"There is a problem"</h2>
                <ul><li><a href=format!("#{field_id}")>{m}</a></li></ul>
            </div>
        }
    })
}

/// The clinic's crisis resources, shown when item 9 is answered above 0.
fn crisis(settings: &SelfReportSettings) -> impl IntoView {
    let phone = settings.crisis_phone.trim().to_owned();
    view! {
        <section class="crisis" role="alert" aria-labelledby="crisis-title" data-testid="crisis">
            <h2 id="crisis-title">{CRISIS_HEADING}</h2>
            <p>{settings.crisis_text.trim().to_owned()}</p>
            <p><a class="button crisis__call" href=settings.tel_href()>{format!("Call {phone}")}</a></p>
            <p>"Your care team will also see your answer and contact you."</p>
        </section>
    }
}

/// The birth-date gate. It names nothing: not the clinic, not the patient.
pub fn gate(token: &str, error: Option<&str>) -> Document {
    let input = |id: &'static str, label: &'static str, auto: &'static str, size: &'static str| {
        view! {
            <div class="date-input__item">
                <label for=id>{label}</label>
                <input
                    id=id
                    name=id
                    class=format!("date-input__{size}")
                    type="text"
                    inputmode="numeric"
                    autocomplete=auto
                    aria-invalid=error.is_some().then_some("true")
                    aria-describedby="dob-hint"
                    required
                />
            </div>
        }
    };
    document(
        "Your questionnaire",
        view! {
            {error_summary(error, "day")}
            <h1>"Answer your questionnaire"</h1>
            <p>"Your care team asked you to answer a few questions about how you have been feeling. It takes about 5 minutes."</p>
            <form method="post" action=format!("/r/{token}") novalidate>
                <fieldset class="field" role="group" aria-describedby="dob-hint">
                    <legend class="patient-question">"What is your date of birth?"</legend>
                    <p class="hint" id="dob-hint">"We ask so that only you can open your questions. For example, 27 3 1980."</p>
                    {error.map(|m| view! { <p class="field-error" id="dob-error">{m.to_owned()}</p> })}
                    <div class="date-input">
                        {input("day", "Day", "bday-day", "2")}
                        {input("month", "Month", "bday-month", "2")}
                        {input("year", "Year", "bday-year", "4")}
                    </div>
                </fieldset>
                <button type="submit" class="button button--large">"Continue"</button>
            </form>
        },
    )
}

/// The greeting above every screen after the gate.
fn greeting(visit: &LinkVisit) -> impl IntoView {
    view! {
        <p class="patient-greeting">
            {format!("Hello {}. ", visit.given_name)}
            <span>{format!("{} asked you to answer these questions.", visit.clinic_name)}</span>
        </p>
    }
}

/// A screen's question and the hint under it.
fn question_text(step: Step) -> (&'static str, &'static str) {
    match step {
        Step::Item(instrument, item) => (
            instrument.items()[item - 1],
            "Over the last 2 weeks, how often have you been bothered by this?",
        ),
        Step::Difficulty => (Difficulty::QUESTION, "You can skip this question."),
    }
}

/// One question with its answers as large radio buttons.
pub fn question(
    token: &str,
    visit: &LinkVisit,
    step: usize,
    settings: SelfReportSettings,
    error: Option<&str>,
) -> Document {
    let all = steps(&visit.link.instruments);
    let screen = all[step - 1];
    let (wording, hint) = question_text(screen);
    let answers: Vec<(String, String)> = match screen {
        Step::Item(..) => ANSWERS
            .iter()
            .enumerate()
            .map(|(v, label)| (v.to_string(), (*label).to_owned()))
            .collect(),
        Step::Difficulty => Difficulty::ALL
            .iter()
            .map(|d| (d.code().to_owned(), d.label().to_owned()))
            .collect(),
    };
    let chosen: Option<String> = match screen {
        Step::Item(instrument, item) => visit.draft.item(instrument, item).map(|v| v.to_string()),
        Step::Difficulty => visit.draft.difficulty.map(|d| d.code().to_owned()),
    };
    let part = match screen {
        Step::Item(instrument, _) => instrument,
        Step::Difficulty => Instrument::Phq9,
    };
    let back = (step > 1).then(|| {
        let href = format!("/r/{token}/q/{}", step - 1);
        view! { <a class="back-link" href=href>"Back"</a> }
    });
    let show_crisis = visit.draft.item9_positive();
    let title = format!("Question {step} of {}", all.len());
    let radios = answers
        .into_iter()
        .enumerate()
        .map(|(i, (value, label))| {
            let id = format!("answer-{i}");
            let checked = chosen.as_deref() == Some(value.as_str());
            view! {
                <div class="patient-answer">
                    <input id=id.clone() type="radio" name="answer" value=value checked=checked />
                    <label for=id>{label}</label>
                </div>
            }
        })
        .collect_view();
    document(
        &title,
        view! {
            {show_crisis.then(|| crisis(&settings))}
            {error_summary(error, "answer-0")}
            {greeting(visit)}
            <p class="patient-progress">
                {back}
                {format!("{title} · {}", part.code())}
            </p>
            <form method="post" action=format!("/r/{token}/q/{step}") novalidate>
                <fieldset class="field" aria-describedby="question-hint">
                    <legend class="patient-question"><h1>{wording}</h1></legend>
                    <p class="hint" id="question-hint">{hint}</p>
                    {error.map(|m| view! { <p class="field-error">{m.to_owned()}</p> })}
                    <div class="patient-answers">{radios}</div>
                </fieldset>
                <button type="submit" class="button button--large">"Continue"</button>
            </form>
        },
    )
}

/// The answer a patient gave to one screen, as words.
fn answer_label(visit: &LinkVisit, step: Step) -> String {
    match step {
        Step::Item(instrument, item) => visit
            .draft
            .item(instrument, item)
            .and_then(|v| ANSWERS.get(usize::from(v)))
            .map_or_else(|| "Not answered".to_owned(), |s| (*s).to_owned()),
        Step::Difficulty => visit
            .draft
            .difficulty
            .map_or_else(|| "Skipped".to_owned(), |d| d.label().to_owned()),
    }
}

/// Every answer with a link to change it, and the button that sends them.
pub fn check(token: &str, visit: &LinkVisit, settings: &SelfReportSettings) -> Document {
    let rows = steps(&visit.link.instruments)
        .into_iter()
        .enumerate()
        .map(|(i, step)| {
            let (wording, _) = question_text(step);
            let answer = answer_label(visit, step);
            let href = format!("/r/{token}/q/{}", i + 1);
            view! {
                <div class="summary-list__row">
                    <dt>{format!("{}. {wording}", i + 1)}</dt>
                    <dd>{answer}</dd>
                    <dd><a href=href>"Change"<span class="visually-hidden">{format!(" answer {}", i + 1)}</span></a></dd>
                </div>
            }
        })
        .collect_view();
    document(
        "Check your answers",
        view! {
            {visit.draft.item9_positive().then(|| crisis(settings))}
            {greeting(visit)}
            <h1>"Check your answers"</h1>
            <dl class="summary-list">{rows}</dl>
            <h2>"Send your answers"</h2>
            <p>"Your answers go to your care team. You can only send them once."</p>
            <form method="post" action=format!("/r/{token}/send")>
                <button type="submit" class="button button--large">"Send my answers"</button>
            </form>
        },
    )
}

/// After sending.
pub fn thanks(visit: &LinkVisit, settings: &SelfReportSettings) -> Document {
    document(
        "Answers sent",
        view! {
            {visit.draft.item9_positive().then(|| crisis(settings))}
            <div class="panel-confirm" role="status">
                <h1>"Your answers have been sent"</h1>
                <p>{format!("Thank you, {}. {} will look at them before your next contact.", visit.given_name, visit.clinic_name)}</p>
            </div>
            <p>"This questionnaire is not watched all the time. If you feel worse or need to talk to someone, contact your care team."</p>
            <p>"You can close this page."</p>
        },
    )
}

/// A link that the right person opened but that cannot be answered any more.
pub fn closed(visit: &LinkVisit, why: Unusable) -> Document {
    let message = match why {
        Unusable::Used => "You have already sent your answers with this link. Thank you.",
        Unusable::Expired => "This link has expired. Contact your care team and ask for a new one.",
        Unusable::Revoked => {
            "This link is no longer in use. Contact your care team and ask for a new one."
        }
        Unusable::Locked => NOT_CONFIRMED,
    };
    document(
        "Questionnaire closed",
        view! {
            {greeting(visit)}
            <h1>"This questionnaire is closed"</h1>
            <p>{message}</p>
        },
    )
}

/// The answers are not complete (a question was skipped), or could not be recorded.
pub fn incomplete(token: &str, visit: &LinkVisit, message: &str) -> Document {
    let next = super::next_screen(token, visit);
    document(
        "Answers not sent",
        view! {
            <div class="error-summary" role="alert" tabindex="-1">
                <h2>"Your answers were not sent"</h2>
                <p>{message.to_owned()}</p>
            </div>
            <p><a class="button" href=next>"Go to the question"</a></p>
        },
    )
}

/// The device is no longer through the gate (or never was).
pub fn visit_ended(token: &str) -> Document {
    document(
        "Please start again",
        view! {
            <h1>"Please start again"</h1>
            <p>"For your privacy, you need to enter your date of birth again. Your answers so far are kept."</p>
            <p><a class="button" href=format!("/r/{token}")>"Start again"</a></p>
        },
    )
}

pub fn no_such_question(token: &str) -> Document {
    document(
        "Question not found",
        view! {
            <h1>"Question not found"</h1>
            <p><a href=format!("/r/{token}")>"Go to your questionnaire"</a></p>
        },
    )
}

pub fn problem() -> Document {
    document(
        "Sorry, there is a problem",
        view! {
            <h1>"Sorry, there is a problem with the service"</h1>
            <p>"Try again in a few minutes. Your answers so far are kept."</p>
        },
    )
}
