//! The sign-in page. On a registry with no accounts it explains how to create the first
//! administrator; Tandem never creates one by itself.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::auth::{has_users, SignIn};
use crate::api::form::{FormAction, PostForm};

#[component]
pub fn LoginPage() -> impl IntoView {
    let sign_in = FormAction::<SignIn>::new();
    let has_users = crate::api::load(|| (), |_| has_users());
    let error = move || sign_in.error().map(|e| e.to_string());
    view! {
        <Title text="Sign in" />
        <div class="narrow">
            <h1>"Sign in"</h1>
            <Suspense fallback=|| ()>
                {move || Suspend::new(async move {
                    (has_users.await == Ok(false)).then(|| view! { <FirstRun /> })
                })}
            </Suspense>
            {move || error().map(|message| view! {
                <div class="error-summary" role="alert" tabindex="-1">
                    <h2>"There is a problem"</h2>
                    <p>{message}</p>
                </div>
            })}
            <PostForm action=sign_in attr:class="form">
                <div class="field">
                    <label for="email">"Email address"</label>
                    <input id="email" name="email" type="email" autocomplete="username" required spellcheck="false" />
                </div>
                <div class="field">
                    <label for="password">"Password"</label>
                    <input id="password" name="password" type="password" autocomplete="current-password" required />
                </div>
                <button type="submit" class="button" disabled=move || sign_in.pending()>
                    "Sign in"
                </button>
            </PostForm>
            <p class="muted">
                "Sessions end after 15 minutes without activity. Ask your Tandem administrator if you cannot sign in."
            </p>
        </div>
    }
}

/// How to create the first administrator, shown while the registry has no accounts.
#[component]
pub fn FirstRun() -> impl IntoView {
    view! {
        <section class="notice" aria-labelledby="first-run">
            <h2 id="first-run">"No accounts yet"</h2>
            <p>"Create the first administrator on the server, then sign in here:"</p>
            <pre><code>"tandem user create --email you@example.org --name \"Your Name\" --role admin"</code></pre>
            <p>"The command asks for a password (at least 12 characters); it never takes one on the command line."</p>
        </section>
    }
}
