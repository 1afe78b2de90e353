//! A patient's self-report links: make a link (shown once, with its QR code, to send through the
//! clinic's own messaging), and every link's status: sent, opened, completed, expired, revoked or
//! locked.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::api::form::{FormAction, PostForm};
use crate::api::self_report::{
    get_self_report, CreateSelfReportLink, LinkRow, NewLink, RevokeSelfReportLink, SelfReportView,
};
use crate::components::forms::{field_error, last_error, ErrorSummary, FieldMessage};
use crate::domain::self_report::{LinkStatus, SELF_REPORT_INSTRUMENTS};
use crate::error::AppError;

#[component]
pub fn SelfReportPage() -> impl IntoView {
    let params = use_params_map();
    let patient = move || params.read().get("id").and_then(|v| v.parse::<i64>().ok());
    let create = FormAction::<CreateSelfReportLink>::new();
    let revoke = FormAction::<RevokeSelfReportLink>::new();
    let loaded = crate::api::load(
        move || (patient(), create.version().get(), revoke.version().get()),
        |(patient, _, _)| async move {
            match patient {
                Some(p) => get_self_report(p).await,
                None => Err(AppError::NotFound("the patient".to_owned())),
            }
        },
    );
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match loaded.await {
                    Ok(view) => view! { <SelfReport view create revoke /> }.into_any(),
                    Err(err) => view! {
                        <Title text="Self-report" />
                        <h1>"Self-report"</h1>
                        <div class="error-summary" role="alert">
                            <h2>"The page could not be loaded"</h2>
                            <p>{err.to_string()}</p>
                        </div>
                    }.into_any(),
                }
            })}
        </Suspense>
    }
}

fn when(at: Option<chrono::DateTime<chrono::Utc>>) -> String {
    at.map_or_else(
        || "—".to_owned(),
        |t| format!("{} UTC", crate::dates::date_time(t.naive_utc())),
    )
}

#[component]
fn SelfReport(
    view: SelfReportView,
    create: FormAction<CreateSelfReportLink>,
    revoke: FormAction<RevokeSelfReportLink>,
) -> impl IntoView {
    let title = format!("{} · self-report", view.patient_name);
    let patient_id = view.patient_id;
    let error = last_error(create);
    let revoke_error = last_error(revoke);
    let can_create = view.can_edit && view.open_episode.is_some();
    let days = view.link_days;
    let form = can_create.then(|| {
        let boxes = SELF_REPORT_INSTRUMENTS
            .into_iter()
            .map(|i| {
                let id = format!("instrument-{}", i.code().to_lowercase());
                view! {
                    <div class="checkbox">
                        <input type="checkbox" id=id.clone() name="instruments[]" value=i.code() checked=true aria-describedby="instruments-error" />
                        <label for=id>{i.code()}</label>
                    </div>
                }
            })
            .collect_view();
        view! {
            <PostForm action=create attr:class="form narrow">
                <input type="hidden" name="patient" value=patient_id.to_string() />
                <fieldset class="field">
                    <legend>"Questionnaires to send"</legend>
                    <span class="hint">{format!("The link works once and expires after {days} days (a clinic setting). Tandem sends no email or text message: copy the link or show the QR code.")}</span>
                    <FieldMessage id="instruments" message=field_error(error, "instruments") />
                    {boxes}
                </fieldset>
                <button type="submit" class="button">"Create link"</button>
            </PostForm>
        }
    });
    let closed = (!can_create && view.can_edit).then(|| {
        view! { <p class="muted">"Links are made for patients in treatment; this patient has no open episode."</p> }
    });
    let rows = view.links.clone();
    let any_links = !rows.is_empty();
    let can_edit = view.can_edit;
    view! {
        <Title text=title />
        <p><a href=format!("/patients/{patient_id}")>"← Back to the chart"</a></p>
        <h1>{format!("Self-report · {}", view.patient_name)}</h1>
        <ErrorSummary error=move || error().filter(|e| !matches!(e, AppError::Invalid { field: Some(_), .. })) />
        <ErrorSummary error=revoke_error />
        {move || create.value().and_then(Result::ok).map(|link| view! { <LinkReady link /> })}
        {form}
        {closed}
        <section class="panel" aria-labelledby="links-h">
            <h2 id="links-h">"Links"</h2>
            {if any_links {
                view! {
                    <div class="table-wrap">
                        <table class="table" data-testid="self-report-links">
                            <thead>
                                <tr>
                                    <th scope="col">"Created"</th>
                                    <th scope="col">"Questionnaires"</th>
                                    <th scope="col">"Status"</th>
                                    <th scope="col">"Opened"</th>
                                    <th scope="col">"Completed"</th>
                                    <th scope="col">"Expires"</th>
                                    <th scope="col">"By"</th>
                                    <th scope="col"><span class="visually-hidden">"Actions"</span></th>
                                </tr>
                            </thead>
                            <tbody>
                                {rows.into_iter().map(|row| view! { <LinkTableRow row revoke can_edit /> }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            } else {
                view! { <p class="muted">"No links yet."</p> }.into_any()
            }}
        </section>
    }
}

#[component]
fn LinkReady(link: NewLink) -> impl IntoView {
    view! {
        <section class="panel link-ready" aria-labelledby="link-ready-h" role="status">
            <h2 id="link-ready-h">"Link ready"</h2>
            <p>
                {format!("{} · works once · expires {}. ", link.instruments, when(Some(link.expires_at)))}
                <strong>"This is the only time the link is shown."</strong>
                " Send it through the clinic's own messaging, or let the patient scan the code."
            </p>
            <div class="field">
                <label for="self-report-url">"Link for the patient"</label>
                <input id="self-report-url" type="text" readonly value=link.url data-testid="self-report-url" />
            </div>
            <figure class="qr" aria-label="QR code of the link" inner_html=link.qr_svg></figure>
        </section>
    }
}

#[component]
fn LinkTableRow(
    row: LinkRow,
    revoke: FormAction<RevokeSelfReportLink>,
    can_edit: bool,
) -> impl IntoView {
    let status_class = format!(
        "link-status link-status--{}",
        match row.status {
            LinkStatus::Completed => "done",
            LinkStatus::Sent | LinkStatus::Opened => "open",
            _ => "closed",
        }
    );
    let attempts = (row.failed_attempts > 0 && row.status != LinkStatus::Completed)
        .then(|| format!(" · {} wrong birth date(s)", row.failed_attempts));
    let revocable = can_edit && row.status.is_outstanding();
    let id = row.id;
    view! {
        <tr>
            <td>{when(Some(row.created_at))}</td>
            <td>{row.instruments}</td>
            <td><span class=status_class>{row.status.label()}</span>{attempts}</td>
            <td>{when(row.opened_at)}</td>
            <td>{when(row.completed_at)}</td>
            <td>{when(Some(row.expires_at))}</td>
            <td>{row.created_by}</td>
            <td>
                {revocable.then(|| view! {
                    <PostForm action=revoke>
                        <input type="hidden" name="id" value=id.to_string() />
                        <button type="submit" class="button button--secondary button--small">"Revoke"</button>
                    </PostForm>
                })}
            </td>
        </tr>
    }
}
