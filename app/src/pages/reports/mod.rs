//! The clinic lead's screens: the home with headline numbers (`/reports`), the outcomes dashboard
//! (`/reports/outcomes`), the quality measures and their patient lists (`/reports/quality`), and
//! the monthly CoCM billing report (`/reports/billing`). Filters are plain GET forms, so every
//! selection has its own address and works without wasm; charts are server-drawn SVG.
//!
//! The server draws each screen whole (`sections`); a page here loads it for the address.

#[cfg(feature = "ssr")]
pub mod sections;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::api::reports::{
    get_billing_page, get_lead_home, get_measure_list, get_outcomes, get_quality,
};
use crate::pages::markup_page;

fn query_param(key: &'static str) -> Memo<Option<String>> {
    let query = use_query_map();
    Memo::new(move |_| query.read().get(key).filter(|v| !v.trim().is_empty()))
}

fn clinic_param() -> Memo<Option<i64>> {
    let query = use_query_map();
    Memo::new(move |_| {
        query
            .read()
            .get("clinic")
            .and_then(|v| v.parse::<i64>().ok())
    })
}

#[component]
pub fn LeadHomePage() -> impl IntoView {
    let clinic = clinic_param();
    let data = crate::api::load(move || clinic.get(), get_lead_home);
    view! {
        <Title text="Programme overview" />
        {markup_page("Programme overview", "Loading the overview…", data)}
    }
}

#[component]
pub fn OutcomesPage() -> impl IntoView {
    let clinic = clinic_param();
    let cm = query_param("cm");
    let from = query_param("from");
    let to = query_param("to");
    let target = query_param("target");
    let data = crate::api::load(
        move || (clinic.get(), cm.get(), from.get(), to.get(), target.get()),
        |(clinic, cm, from, to, target)| get_outcomes(clinic, cm, from, to, target),
    );
    view! {
        <Title text="Outcomes" />
        {markup_page("Outcomes", "Loading the outcome charts…", data)}
    }
}

#[component]
pub fn QualityPage() -> impl IntoView {
    let clinic = clinic_param();
    let year = query_param("year");
    let data = crate::api::load(
        move || (clinic.get(), year.get()),
        |(clinic, year)| get_quality(clinic, year),
    );
    view! {
        <Title text="Quality measures" />
        {markup_page("Quality measures", "Loading the quality measures…", data)}
    }
}

#[component]
pub fn MeasureListPage() -> impl IntoView {
    let params = use_params_map();
    let clinic = clinic_param();
    let year = query_param("year");
    let data = crate::api::load(
        move || {
            let p = params.read();
            (
                clinic.get(),
                year.get(),
                p.get("measure").unwrap_or_default(),
                p.get("list").unwrap_or_default(),
            )
        },
        |(clinic, year, measure, list)| get_measure_list(clinic, year, measure, list),
    );
    view! {
        <Title text="Measure patients" />
        {markup_page("Measure patients", "Loading the patients…", data)}
    }
}

#[component]
pub fn BillingPage() -> impl IntoView {
    let clinic = clinic_param();
    let month = query_param("month");
    let data = crate::api::load(
        move || (clinic.get(), month.get()),
        |(clinic, month)| get_billing_page(clinic, month),
    );
    view! {
        <Title text="CoCM billing" />
        {markup_page("CoCM billing", "Loading the billing report…", data)}
    }
}
