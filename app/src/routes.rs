//! The route table, in one place.

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::path;

use crate::components::layout::Layout;
use crate::pages::admin::{AdminClinicsPage, AdminUsersPage, AuditPage, ClinicSettingsPage};
use crate::pages::caseload::CaseloadPage;
use crate::pages::chart::ChartPage;
use crate::pages::enroll::EnrollPage;
use crate::pages::measure::{EditMeasurementPage, MeasurePage};
use crate::pages::{login::LoginPage, not_found::NotFound, patients::PatientsPage};

#[component]
pub fn App() -> impl IntoView {
    view! {
        <Router>
            <Layout>
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=CaseloadPage />
                    <Route path=path!("/caseload") view=CaseloadPage />
                    <Route path=path!("/patients") view=PatientsPage />
                    <Route path=path!("/patients/new") view=EnrollPage />
                    <Route path=path!("/patients/:id") view=ChartPage />
                    <Route path=path!("/patients/:id/measure") view=MeasurePage />
                    <Route path=path!("/measurements/:id") view=EditMeasurementPage />
                    <Route path=path!("/login") view=LoginPage />
                    <Route path=path!("/admin") view=AdminUsersPage />
                    <Route path=path!("/admin/users") view=AdminUsersPage />
                    <Route path=path!("/admin/clinics") view=AdminClinicsPage />
                    <Route path=path!("/admin/clinics/:id") view=ClinicSettingsPage />
                    <Route path=path!("/admin/audit") view=AuditPage />
                </Routes>
            </Layout>
        </Router>
    }
}
