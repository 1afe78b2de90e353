//! The route table, in one place.

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::components::layout::Layout;
use crate::pages::{login::LoginPage, not_found::NotFound, patients::PatientsPage};

#[component]
pub fn App() -> impl IntoView {
    view! {
        <Router>
            <Layout>
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=PatientsPage />
                    <Route path=path!("/patients") view=PatientsPage />
                    <Route path=path!("/login") view=LoginPage />
                </Routes>
            </Layout>
        </Router>
    }
}
