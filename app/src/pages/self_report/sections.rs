//! The self-report screen's read-only parts, drawn on the server ([`Markup`]): the heading, and
//! every link with its status and a form to revoke it, which posts through the page's
//! [`LiveMarkup`](crate::components::markup::LiveMarkup).

use leptos::prelude::*;

use super::when;
use crate::api::form::{FormAction, PostForm};
use crate::api::self_report::{LinkRow, RevokeSelfReportLink, SelfReportScreen, SelfReportView};
use crate::components::forms::{last_error, ErrorSummary};
use crate::components::markup::Markup;
use crate::domain::self_report::LinkStatus;

/// The self-report screen from the patient's links.
pub fn screen(view: SelfReportView) -> SelfReportScreen {
    let patient_id = view.patient_id;
    let name = view.patient_name.clone();
    let can_create = view.can_edit && view.open_episode.is_some();
    SelfReportScreen {
        title: format!("{} · self-report", view.patient_name),
        heading: Markup::render(move || {
            view! {
                <p><a href=format!("/patients/{patient_id}")>"← Back to the chart"</a></p>
                <h1>{format!("Self-report · {name}")}</h1>
            }
        }),
        patient_id,
        can_create,
        closed: view.can_edit && !can_create,
        link_days: view.link_days,
        links: Markup::render(move || links(view.links, view.can_edit)),
    }
}

fn links(rows: Vec<LinkRow>, can_edit: bool) -> impl IntoView {
    let table = if rows.is_empty() {
        view! { <p class="muted">"No links yet."</p> }.into_any()
    } else {
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
                        {rows.into_iter().map(|row| link_row(row, can_edit)).collect_view()}
                    </tbody>
                </table>
            </div>
        }
        .into_any()
    };
    view! {
        <section class="panel" aria-labelledby="links-h">
            <h2 id="links-h">"Links"</h2>
            {table}
        </section>
    }
}

fn link_row(row: LinkRow, can_edit: bool) -> impl IntoView {
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
    let revoke = FormAction::<RevokeSelfReportLink>::new();
    let error = last_error(revoke);
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
                        <ErrorSummary error />
                        <input type="hidden" name="id" value=id.to_string() />
                        <button type="submit" class="button button--secondary button--small">"Revoke"</button>
                    </PostForm>
                })}
            </td>
        </tr>
    }
}
