//! The care manager's follow-through: recommendations from the case review stay here until they
//! are communicated to the PCP or done; overdue ones come first and say so.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::form::{FormAction, PostForm};
use crate::api::review::{get_tasks, TasksView, UpdateTask};
use crate::case_review::Task;
use crate::components::forms::{last_error, ErrorSummary};
use crate::domain::TaskStatus;
use crate::pages::page_error;

#[component]
pub fn TasksPage() -> impl IntoView {
    let query = use_query_map();
    let params = Memo::new(move |_| {
        let q = query.read();
        (
            q.get("clinic").and_then(|v| v.parse::<i64>().ok()),
            q.get("scope").filter(|s| !s.is_empty()),
        )
    });
    let update = FormAction::<UpdateTask>::new();
    let data = crate::api::load(
        move || (params.get(), update.version().get()),
        |((clinic, scope), _)| get_tasks(clinic, scope),
    );
    view! {
        <Title text="Tasks" />
        <Suspense fallback=|| view! { <p class="loading">"Loading tasks…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(view) => view! { <Tasks view update /> }.into_any(),
                    Err(err) => page_error("Tasks", err),
                }
            })}
        </Suspense>
    }
}

#[component]
fn Tasks(view: TasksView, update: FormAction<UpdateTask>) -> impl IntoView {
    let err = last_error(update);
    let clinic = view.clinic.id.0;
    let overdue = view
        .tasks
        .iter()
        .filter(|t| t.recommendation.is_overdue(view.today))
        .count();
    let today = view.today;
    let can_update = view.can_update;
    let empty = view.tasks.is_empty();
    let items = view
        .tasks
        .into_iter()
        .map(|t| view! { <TaskItem t today can_update update /> })
        .collect_view();
    let other = if view.mine {
        ("clinic", "Whole clinic")
    } else {
        ("mine", "My patients")
    };
    view! {
        <div class="page-heading">
            <div>
                <h1>{format!("Tasks from case review · {}", view.clinic.name)}</h1>
                <p class="muted">{format!("{} · {overdue} overdue", if view.mine { "My patients" } else { "Whole clinic" })}</p>
            </div>
            <div class="actions">
                <a href=format!("/tasks?clinic={clinic}&scope={}", other.0)>{other.1}</a>
            </div>
        </div>
        <ErrorSummary error=err />
        {empty.then(|| view! { <p class="empty-state">"No open tasks. Recommendations from the case review appear here."</p> })}
        <ul class="tasks">{items}</ul>
    }
}

#[component]
fn TaskItem(
    t: Task,
    today: chrono::NaiveDate,
    can_update: bool,
    update: FormAction<UpdateTask>,
) -> impl IntoView {
    let r = t.recommendation.clone();
    let overdue = r.is_overdue(today);
    let class = if overdue {
        "task task--overdue"
    } else {
        "task"
    };
    let change_id = format!("change-{}", r.id.0);
    let default_change = if r.kind.changes_plan() {
        r.summary()
    } else {
        String::new()
    };
    view! {
        <li class=class>
            <p>
                {overdue.then(|| view! { <strong class="badge badge--urgent">"Overdue"</strong> " " })}
                <a href=format!("/patients/{}", t.patient_id.0)>{t.patient_name.clone()}</a>
                <span class="muted">{format!(" · MRN {}", t.mrn)}</span>
                {t.care_manager_name.clone().map(|n| view! { <span class="muted">{format!(" · {n}")}</span> })}
            </p>
            <p><strong>{r.summary()}</strong></p>
            <p class="muted">{format!("Recommended at the meeting of {}{} · due {}", t.meets_on,
                r.recorded_by_name.as_ref().map(|n| format!(" by {n}")).unwrap_or_default(), r.due_on)}</p>
            {can_update.then(|| view! {
                <PostForm action=update attr:class="inline-form task__form">
                    <input type="hidden" name="id" value=r.id.0.to_string() />
                    <input type="hidden" name="version" value=r.version.to_string() />
                    <label for=change_id.clone()>"Treatment change to record (leave empty if none)"</label>
                    <input id=change_id name="change" maxlength="500" value=default_change />
                    <button type="submit" name="status" value=TaskStatus::Communicated.code() class="button button--secondary">"Communicated to PCP"</button>
                    <button type="submit" name="status" value=TaskStatus::Done.code() class="button">"Done"</button>
                </PostForm>
            })}
        </li>
    }
}
