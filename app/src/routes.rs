//! The route table, in one place.

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, SsrMode};

use crate::components::layout::Layout;
use crate::pages::admin::{AdminClinicsPage, AdminUsersPage, AuditPage, ClinicSettingsPage};
use crate::pages::caseload::CaseloadPage;
use crate::pages::chart::ChartPage;
use crate::pages::enroll::EnrollPage;
use crate::pages::import::ImportPage;
use crate::pages::measure::{EditMeasurementPage, MeasurePage};
use crate::pages::meeting::{ConsultantHome, MeetingPage, MeetingRecordPage, MeetingsPage};
use crate::pages::reports::{
    BillingPage, LeadHomePage, MeasureListPage, OutcomesPage, QualityPage,
};
use crate::pages::review::{AgendaPage, ReviewPage};
use crate::pages::self_report::SelfReportPage;
use crate::pages::summary::SummaryPage;
use crate::pages::tasks::TasksPage;
use crate::pages::{login::LoginPage, not_found::NotFound, patients::PatientsPage};

/// Every page is rendered on the server with its data (`SsrMode::Async`): the HTML is complete
/// without JavaScript and prints as shown, and the data pages answer in milliseconds, so there is
/// nothing to gain from streaming fallbacks first.
#[component]
pub fn App() -> impl IntoView {
    view! {
        <Router>
            <Layout>
                <Routes fallback=NotFound>
                    <Route path=path!("/") view=CaseloadPage ssr=SsrMode::Async />
                    <Route path=path!("/caseload") view=CaseloadPage ssr=SsrMode::Async />
                    <Route path=path!("/patients") view=PatientsPage ssr=SsrMode::Async />
                    <Route path=path!("/patients/new") view=EnrollPage ssr=SsrMode::Async />
                    <Route path=path!("/patients/import") view=ImportPage ssr=SsrMode::Async />
                    <Route path=path!("/patients/:id") view=ChartPage ssr=SsrMode::Async />
                    <Route path=path!("/patients/:id/measure") view=MeasurePage ssr=SsrMode::Async />
                    <Route path=path!("/patients/:id/self-report") view=SelfReportPage ssr=SsrMode::Async />
                    <Route path=path!("/patients/:id/summary") view=SummaryPage ssr=SsrMode::Async />
                    <Route path=path!("/measurements/:id") view=EditMeasurementPage ssr=SsrMode::Async />
                    <Route path=path!("/upcoming") view=ConsultantHome ssr=SsrMode::Async />
                    <Route path=path!("/review") view=ReviewPage ssr=SsrMode::Async />
                    <Route path=path!("/review/agenda") view=AgendaPage ssr=SsrMode::Async />
                    <Route path=path!("/meetings") view=MeetingsPage ssr=SsrMode::Async />
                    <Route path=path!("/meetings/:id") view=MeetingPage ssr=SsrMode::Async />
                    <Route path=path!("/meetings/:id/record") view=MeetingRecordPage ssr=SsrMode::Async />
                    <Route path=path!("/tasks") view=TasksPage ssr=SsrMode::Async />
                    <Route path=path!("/reports") view=LeadHomePage ssr=SsrMode::Async />
                    <Route path=path!("/reports/outcomes") view=OutcomesPage ssr=SsrMode::Async />
                    <Route path=path!("/reports/quality") view=QualityPage ssr=SsrMode::Async />
                    <Route path=path!("/reports/quality/:measure/:list") view=MeasureListPage ssr=SsrMode::Async />
                    <Route path=path!("/reports/billing") view=BillingPage ssr=SsrMode::Async />
                    <Route path=path!("/login") view=LoginPage ssr=SsrMode::Async />
                    <Route path=path!("/admin") view=AdminUsersPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/users") view=AdminUsersPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/clinics") view=AdminClinicsPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/clinics/:id") view=ClinicSettingsPage ssr=SsrMode::Async />
                    <Route path=path!("/admin/audit") view=AuditPage ssr=SsrMode::Async />
                </Routes>
            </Layout>
        </Router>
    }
}
