//! The route table, in one place.

use leptos::prelude::*;
use leptos_router::components::{Route, Router, Routes};
use leptos_router::{path, Lazy, LazyRoute, SsrMode};

use crate::components::layout::{Layout, MarkHydrated};
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

/// The screens are loaded lazily, one area at a time. Built with `cargo leptos build --split` (as
/// `make build` does), each area's code is its own set of wasm modules: the first load carries the
/// shell and the area of the screen it opens (the server preloads those modules beside the main
/// one), and the other areas arrive when one of their screens is first opened. Areas follow the
/// work: a care manager lands on the caseload and opens charts, a psychiatrist reviews, a clinic
/// lead reads reports, an administrator administers. A split point per screen instead gave
/// hundreds of small modules for each screen. Without `--split` it is all one bundle.
///
/// Each screen names its area in the page (`data-area`), so that the browser loads the area's
/// code before it hydrates the page ([`preload_area`]): hydration then never waits for code, which
/// the view layer relies on (vendor/README.md).
macro_rules! lazy_areas {
    ($($area:ident, $preload:ident, $which:ident { $($screen:ident => $page:ident),* $(,)? });* $(;)?) => {
        $(lazy_area!($area, $preload, $which { $($screen => $page),* });)*

        /// Loads the code of the area named `area` (a screen's `data-area`), if it is one.
        #[cfg(feature = "hydrate")]
        pub(crate) async fn preload_area(area: &str) {
            match area {
                $(stringify!($area) => {
                    #[cfg(target_arch = "wasm32")]
                    $preload().await;
                })*
                _ => {}
            }
        }
    };
}

macro_rules! lazy_area {
    ($area:ident, $preload:ident, $which:ident { $($screen:ident => $page:ident),* $(,)? }) => {
        // The variants are named after the screens' routes, which all end in "Screen".
        #[allow(clippy::enum_variant_names)]
        #[derive(Clone, Copy)]
        enum $which {
            $($screen),*
        }

        #[lazy]
        fn $area(screen: $which) -> AnyView {
            match screen {
                $($which::$screen => $page().into_any()),*
            }
        }

        $(
            struct $screen;

            impl LazyRoute for $screen {
                fn data() -> Self {
                    $screen
                }

                async fn view(_this: Self) -> AnyView {
                    let screen = $area($which::$screen).await;
                    view! { <span hidden data-area=stringify!($area)></span> {screen} <MarkHydrated /> }.into_any()
                }

                async fn preload() {
                    #[cfg(target_arch = "wasm32")]
                    $preload().await;
                }
            }
        )*
    };
}

lazy_areas! {
    caseload_area, __preload_caseload_area, CaseloadScreens {
        CaseloadScreen => CaseloadPage,
        PatientsScreen => PatientsPage,
        TasksScreen => TasksPage,
    };
    chart_area, __preload_chart_area, ChartScreens {
        ChartScreen => ChartPage,
        EnrollScreen => EnrollPage,
        MeasureScreen => MeasurePage,
        EditMeasurementScreen => EditMeasurementPage,
        SelfReportScreen => SelfReportPage,
        SummaryScreen => SummaryPage,
    };
    import_area, __preload_import_area, ImportScreens {
        ImportScreen => ImportPage,
    };
    review_area, __preload_review_area, ReviewScreens {
        ConsultantHomeScreen => ConsultantHome,
        ReviewScreen => ReviewPage,
        AgendaScreen => AgendaPage,
        MeetingsScreen => MeetingsPage,
        MeetingScreen => MeetingPage,
        MeetingRecordScreen => MeetingRecordPage,
    };
    reports_area, __preload_reports_area, ReportScreens {
        LeadHomeScreen => LeadHomePage,
        OutcomesScreen => OutcomesPage,
        QualityScreen => QualityPage,
        MeasureListScreen => MeasureListPage,
        BillingScreen => BillingPage,
    };
    admin_area, __preload_admin_area, AdminScreens {
        AdminUsersScreen => AdminUsersPage,
        AdminClinicsScreen => AdminClinicsPage,
        ClinicSettingsScreen => ClinicSettingsPage,
        AuditScreen => AuditPage,
    };
    sign_in_area, __preload_sign_in_area, SignInScreens {
        LoginScreen => LoginPage,
    };
}

/// Every page is rendered on the server with its data (`SsrMode::Async`): the HTML is complete
/// without JavaScript and prints as shown, and the data pages answer in milliseconds, so there is
/// nothing to gain from streaming fallbacks first.
#[component]
pub fn App() -> impl IntoView {
    view! {
        <Router>
            <Layout>
                <Routes fallback=NotFound>
                    <Route path=path!("/") view={Lazy::<CaseloadScreen>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/caseload") view={Lazy::<CaseloadScreen>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/patients") view={Lazy::<PatientsScreen>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/patients/new") view={Lazy::<EnrollScreen>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/patients/import") view={Lazy::<ImportScreen>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/patients/:id") view={Lazy::<ChartScreen>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/patients/:id/measure") view={Lazy::<MeasureScreen>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/patients/:id/self-report") view={Lazy::<SelfReportScreen>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/patients/:id/summary") view={Lazy::<SummaryScreen>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/measurements/:id") view={Lazy::<EditMeasurementScreen>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/upcoming") view={Lazy::<ConsultantHomeScreen>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/review") view={Lazy::<ReviewScreen>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/review/agenda") view={Lazy::<AgendaScreen>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/meetings") view={Lazy::<MeetingsScreen>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/meetings/:id") view={Lazy::<MeetingScreen>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/meetings/:id/record") view={Lazy::<MeetingRecordScreen>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/tasks") view={Lazy::<TasksScreen>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/reports") view={Lazy::<LeadHomeScreen>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/reports/outcomes") view={Lazy::<OutcomesScreen>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/reports/quality") view={Lazy::<QualityScreen>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/reports/quality/:measure/:list") view={Lazy::<MeasureListScreen>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/reports/billing") view={Lazy::<BillingScreen>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/login") view={Lazy::<LoginScreen>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin") view={Lazy::<AdminUsersScreen>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/users") view={Lazy::<AdminUsersScreen>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/clinics") view={Lazy::<AdminClinicsScreen>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/clinics/:id") view={Lazy::<ClinicSettingsScreen>::new()} ssr=SsrMode::Async />
                    <Route path=path!("/admin/audit") view={Lazy::<AuditScreen>::new()} ssr=SsrMode::Async />
                </Routes>
            </Layout>
        </Router>
    }
}
