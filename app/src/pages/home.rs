//! The home page by role: the consultant's upcoming case reviews, everyone else's caseload.

use leptos::prelude::*;

use crate::components::layout::Me;
use crate::pages::caseload::CaseloadPage;
use crate::pages::meeting::ConsultantHome;
use crate::policy::Role;

#[component]
pub fn HomePage() -> impl IntoView {
    let me = expect_context::<Me>();
    view! {
        <Suspense fallback=|| view! { <p class="loading">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(Some(u)) if u.role == Role::PsychiatricConsultant => view! { <ConsultantHome /> }.into_any(),
                    _ => view! { <CaseloadPage /> }.into_any(),
                }
            })}
        </Suspense>
    }
}
