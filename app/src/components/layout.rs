//! The application shell: skip link, header with the product name and navigation, the account
//! area, and the main content region.

use leptos::prelude::*;
use leptos_router::hooks::use_location;

use crate::accounts::UserSummary;
use crate::api::auth::{who_am_i, SignOut};
use crate::api::form::{FormAction, PostForm};
use crate::policy::Role;
use crate::PRODUCT;

/// Marks the page as hydrated (`data-hydrated` on the shell): given by the layout, set by the
/// routed screen.
#[derive(Clone, Copy)]
struct HydratedMark(WriteSignal<bool>);

/// Placed in every routed screen, after its content. Effects run only in the browser, and this
/// one only once the screen around it has hydrated: a screen's code may arrive after the shell's
/// (it is loaded by area), so the shell alone cannot tell that the page's forms and buttons work.
#[component]
pub fn MarkHydrated() -> impl IntoView {
    if let Some(HydratedMark(set)) = use_context() {
        Effect::new(move |_| {
            set.set(true);
            #[cfg(feature = "hydrate")]
            crate::recovery::screen_works();
        });
    }
}

/// The signed-in user of the page, shared by the header parts.
type Me = crate::api::Loaded<Option<UserSummary>>;

#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let (menu_open, set_menu_open) = signal(false);
    let (hydrated, set_hydrated) = signal(false);
    // Set by the routed screen once it has hydrated (`MarkHydrated`). CSS collapses the
    // navigation behind the menu button on phones only once the button can work.
    provide_context(HydratedMark(set_hydrated));

    let location = use_location();
    // Who is signed in, asked again after every navigation so signing in or out shows at once.
    let me: Me = crate::api::load(move || location.pathname.get(), |_| who_am_i());
    provide_context(me);
    // Close the menu after navigating.
    Effect::new(move |_| {
        location.pathname.track();
        set_menu_open.set(false);
    });

    view! {
        <div class="app" data-hydrated=move || hydrated.get().then_some("true")>
            <a class="skip-link" href="#main">"Skip to main content"</a>
            <header class="site-header">
                <div class="site-header__inner">
                    <a class="brand" href="/">
                        <span class="brand__mark" aria-hidden="true">"◐"</span>
                        <span class="brand__name">{PRODUCT}</span>
                        <span class="brand__tag">"collaborative-care registry"</span>
                    </a>
                    <button
                        type="button"
                        class="menu-button"
                        aria-controls="primary-nav"
                        aria-expanded=move || menu_open.get().to_string()
                        on:click=move |_| set_menu_open.update(|open| *open = !*open)
                    >
                        <span aria-hidden="true">"☰ "</span>
                        "Menu"
                    </button>
                    <nav
                        id="primary-nav"
                        class="primary-nav"
                        class:open=move || menu_open.get()
                        aria-label="Primary"
                    >
                        <ul>
                            <Suspense fallback=|| view! { <NavLink href="/caseload" label="Caseload" /> }>
                                {move || Suspend::new(async move {
                                    let role = match me.await {
                                        Ok(Some(u)) => Some(u.role),
                                        _ => None,
                                    };
                                    let admin = role == Some(Role::Admin);
                                    let reviews = matches!(role, Some(Role::CareManager | Role::PsychiatricConsultant));
                                    if role == Some(Role::ClinicLead) {
                                        view! {
                                            <NavLink href="/reports" label="Overview" />
                                            <NavLink href="/reports/outcomes" label="Outcomes" />
                                            <NavLink href="/reports/quality" label="Quality" />
                                            <NavLink href="/reports/billing" label="Billing" />
                                        }
                                        .into_any()
                                    } else if admin {
                                        view! {
                                            <NavLink href="/admin/users" label="Users" />
                                            <NavLink href="/admin/clinics" label="Clinics" />
                                            <NavLink href="/admin/audit" label="Audit log" />
                                        }
                                        .into_any()
                                    } else {
                                        view! {
                                            {(role == Some(Role::PsychiatricConsultant)).then(|| view! { <NavLink href="/upcoming" label="Upcoming reviews" /> })}
                                            <NavLink href="/caseload" label="Caseload" />
                                            <NavLink href="/patients" label="All patients" />
                                            {reviews.then(|| view! {
                                                <NavLink href="/review" label="Case review" />
                                                <NavLink href="/tasks" label="Tasks" />
                                            })}
                                        }
                                        .into_any()
                                    }
                                })}
                            </Suspense>
                        </ul>
                    </nav>
                    <div class="account" aria-label="Account">
                        <Account />
                    </div>
                </div>
            </header>
            <main id="main" class="main" tabindex="-1">
                {children()}
            </main>
            <footer class="site-footer">
                <p>
                    {PRODUCT} " " {env!("CARGO_PKG_VERSION")}
                    " · Measurement-based collaborative care for primary care"
                </p>
            </footer>
        </div>
    }
}

/// Who is signed in, with a sign-out button; or a sign-in link.
#[component]
fn Account() -> impl IntoView {
    let sign_out = FormAction::<SignOut>::new();
    let me = expect_context::<Me>();
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                match me.await {
                    Ok(Some(user)) => view! {
                        <span class="account__status">
                            <span class="account__name">{user.display_name}</span>
                            " · "
                            {user.role.label()}
                        </span>
                        <PostForm action=sign_out attr:class="account__signout">
                            <button type="submit" class="link-button">"Sign out"</button>
                        </PostForm>
                    }
                    .into_any(),
                    _ => view! { <a class="account__signin" href="/login">"Sign in"</a> }.into_any(),
                }
            })}
        </Suspense>
    }
}

/// A navigation link that marks itself as the current page.
#[component]
fn NavLink(href: &'static str, label: &'static str) -> impl IntoView {
    let location = use_location();
    let current = move || {
        let path = location.pathname.get();
        let here = path == href
            || (href == "/caseload" && path == "/")
            || (href == "/review"
                && (path.starts_with("/review") || path.starts_with("/meetings")))
            || (href == "/admin/users" && path == "/admin")
            || (href == "/admin/clinics" && path.starts_with("/admin/clinics/"));
        here.then_some("page")
    };
    view! {
        <li>
            <a href=href aria-current=current>
                {label}
            </a>
        </li>
    }
}
