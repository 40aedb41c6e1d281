//! The audit log of mutating calls (`GET /api/v1/audit`): filters by user, profile,
//! action, outcome and day, newest first, and older pages on demand.

use crate::api::{self, RequestError};
use crate::clock;
use crate::i18n::{Msg, use_i18n};
use crate::views::error::ErrorPanel;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::Value;

/// One row of `GET /api/v1/audit`, and a page of them (the server's own types).
pub use rewind_cloud::wire::{AuditEntry, AuditPage};

/// Rows per page.
const PAGE: u32 = 50;

/// What the log is filtered by (empty: any).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filters {
    pub user: String,
    pub profile: String,
    pub action: String,
    pub outcome: String,
    /// From this moment on (Unix ms): the start of the day picked, in the user's zone.
    pub since_ms: Option<i64>,
}

/// `GET /api/v1/audit` for `filters`, below `before` (an entry id) when paging on.
pub fn audit_query(f: &Filters, before: Option<i64>, limit: u32) -> String {
    let mut q = format!("/api/v1/audit?limit={limit}");
    for (key, value) in [
        ("user", &f.user),
        ("profile", &f.profile),
        ("action", &f.action),
        ("outcome", &f.outcome),
    ] {
        let v = value.trim();
        if !v.is_empty() {
            q.push_str(&format!("&{key}={}", api::path_segment(v)));
        }
    }
    if let Some(t) = f.since_ms {
        q.push_str(&format!("&since={t}"));
    }
    if let Some(b) = before {
        q.push_str(&format!("&before={b}"));
    }
    q
}

/// `2026-12-03` (an `<input type=date>` value) → the start of that day in the browser's
/// zone, Unix ms.
fn day_start_ms(date: &str) -> Option<i64> {
    let mut p = date.split('-').map(|x| x.parse::<i32>().ok());
    let (y, m, d) = (p.next()??, p.next()??, p.next()??);
    let t = js_sys::Date::new_with_year_month_day(y as u32, m - 1, d).get_time();
    t.is_finite().then_some(t as i64)
}

#[component]
pub fn AuditLog() -> impl IntoView {
    let i = use_i18n();
    let filters = RwSignal::new(Filters::default());
    let entries = RwSignal::new(Vec::<AuditEntry>::new());
    let next_before = RwSignal::new(None::<i64>);
    let loading = RwSignal::new(false);
    let error = RwSignal::new(None::<RequestError>);
    // Which load is current: a page from before a new filter is dropped.
    let generation = StoredValue::new(0u64);
    let load = move |before: Option<i64>| {
        let f = filters.get_untracked();
        if before.is_none() {
            generation.update_value(|g| *g += 1);
        }
        let mine = generation.get_value();
        loading.set(true);
        spawn_local(async move {
            let page = api::get_json::<AuditPage>(&audit_query(&f, before, PAGE)).await;
            if generation.try_get_value() != Some(mine) {
                return;
            }
            loading.try_set(false);
            match page {
                Ok(p) => {
                    error.try_set(None);
                    next_before.try_set(p.next_before);
                    if before.is_some() {
                        entries.try_update(|e| e.extend(p.entries));
                    } else {
                        entries.try_set(p.entries);
                    }
                }
                Err(e) => {
                    error.try_set(Some(e));
                }
            }
        });
    };
    load(None);
    let field = move |label: Msg, testid: &'static str, set: fn(&mut Filters, String)| {
        view! {
            <label>
                {i.t(label)}
                <input type="search" data-testid=testid autocomplete="off"
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        filters.update(|f| set(f, v));
                        load(None);
                    } />
            </label>
        }
    };
    let outcome = move |value: &'static str, label: Msg| {
        view! { <option value=value>{i.t(label)}</option> }
    };
    view! {
        // Not a landmark of its own: the table inside is the named region.
        <section class="audit-log">
            <h2 id="audit-title">{i.t(Msg::AuditLog)}</h2>
            <form class="filters" data-testid="audit-filters" on:submit=move |ev| {
                ev.prevent_default();
                load(None);
            }>
                {field(Msg::ColUser, "audit-user", |f, v| f.user = v)}
                {field(Msg::Profile, "audit-profile", |f, v| f.profile = v)}
                {field(Msg::ColAction, "audit-action", |f, v| f.action = v)}
                <label>
                    {i.t(Msg::ColOutcome)}
                    <select data-testid="audit-outcome" on:change=move |ev| {
                        let v = event_target_value(&ev);
                        filters.update(|f| f.outcome = v);
                        load(None);
                    }>
                        {outcome("", Msg::AuditAnyOutcome)}
                        {outcome("ok", Msg::OpSucceeded)}
                        {outcome("error", Msg::OpFailed)}
                        {outcome("unknown", Msg::OutcomeUnknown)}
                        {outcome("not_sent", Msg::OutcomeNotSent)}
                        {outcome("pending", Msg::OpRunning)}
                    </select>
                </label>
                <label>
                    {i.t(Msg::AuditSince)}
                    <input type="date" data-testid="audit-since" on:change=move |ev| {
                        let v = event_target_value(&ev);
                        filters.update(|f| f.since_ms = day_start_ms(&v));
                        load(None);
                    } />
                </label>
                <button type="submit" disabled=move || loading.get()>{i.t(Msg::Refresh)}</button>
            </form>
            {move || error.get().map(|e| view! { <ErrorPanel error=e /> })}
            {move || view! { <AuditTable entries=entries.get() /> }}
            <Show when=move || entries.with(Vec::is_empty) && !loading.get() && error.with(Option::is_none)>
                <p class="muted" data-testid="audit-empty">{i.t(Msg::NoRows)}</p>
            </Show>
            <Show when=move || next_before.with(Option::is_some)>
                <button type="button" data-testid="audit-older" disabled=move || loading.get()
                    on:click=move |_| load(next_before.get_untracked())>
                    {i.t(Msg::LoadOlder)}
                </button>
            </Show>
        </section>
    }
}

#[component]
fn AuditTable(entries: Vec<AuditEntry>) -> impl IntoView {
    let i = use_i18n();
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label=i.t(Msg::AuditLog)>
            <table data-testid="audit">
                <thead>
                    <tr>
                        <th scope="col">{i.t(Msg::ColStarted)}</th>
                        <th scope="col">{i.t(Msg::ColUser)}</th>
                        <th scope="col">{i.t(Msg::Profile)}</th>
                        <th scope="col">{i.t(Msg::ColAction)}</th>
                        <th scope="col">{i.t(Msg::ColTarget)}</th>
                        <th scope="col">{i.t(Msg::ColOutcome)}</th>
                        <th scope="col">{i.t(Msg::RequestId)}</th>
                    </tr>
                </thead>
                <tbody>
                    {entries
                        .into_iter()
                        .map(|e| {
                            let at = e.started_at.max(0) as u64;
                            let iso = clock::iso_utc(at);
                            let local = clock::local_time(at, clock::utc_offset_min(at));
                            let outcome = e.outcome.clone();
                            let shown = audit_outcome(&e.outcome);
                            let raw = e.outcome.clone();
                            view! {
                                <tr data-testid="audit-row" data-outcome=outcome>
                                    <td><time datetime=iso.clone() title=format!("{iso} (UTC)")>{local}</time></td>
                                    <td>{e.user}</td>
                                    <td>{e.profile} " · " {e.region}</td>
                                    <td>{e.action}</td>
                                    <td><code>{audit_target(&e.params)}</code></td>
                                    <td>
                                        <span class="state" title=e.outcome.clone()>
                                            {move || shown.map(|m| m.text(i.lang.get()).to_string()).unwrap_or_else(|| raw.clone())}
                                        </span>
                                        {e.provider_code.map(|c| view! { " " <code>{c}</code> })}
                                        {e.duration_ms.map(|d| view! { " " <span class="muted">{d} " ms"</span> })}
                                    </td>
                                    <td>{e.request_id.map(|r| view! { <code>{r}</code> })}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// What a mutating call acted on, for the list: the IDs among its parameters.
pub fn audit_target(params: &Value) -> String {
    [
        "InstanceId",
        "DiskId",
        "InstanceIds",
        "SnapshotId",
        "snapshot_ids",
    ]
    .iter()
    .filter_map(|k| match &params[*k] {
        Value::String(s) => Some(s.clone()),
        Value::Array(a) if a.len() == 1 => a[0].as_str().map(str::to_string),
        Value::Array(a) if !a.is_empty() => Some(format!("{} IDs", a.len())),
        _ => None,
    })
    .collect::<Vec<_>>()
    .join(" → ")
}

/// An audit row's outcome in words (`ok` → Succeeded / 成功); `None` for a value this
/// version does not know, shown as recorded.
fn audit_outcome(outcome: &str) -> Option<Msg> {
    Some(match outcome {
        "ok" => Msg::OpSucceeded,
        "error" => Msg::OpFailed,
        "pending" => Msg::OpRunning,
        "unknown" => Msg::OutcomeUnknown,
        "not_sent" => Msg::OutcomeNotSent,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn audit_targets_name_the_ids_acted_on() {
        assert_eq!(
            audit_target(&json!({"InstanceId": "lhins-1", "SnapshotId": "lhsnap-2"})),
            "lhins-1 → lhsnap-2"
        );
        assert_eq!(audit_target(&json!({"InstanceIds": ["i-1"]})), "i-1");
        assert_eq!(
            audit_target(&json!({"snapshot_ids": ["a", "b", "c"]})),
            "3 IDs"
        );
        assert_eq!(audit_target(&json!({})), "");
    }

    #[test]
    fn filters_become_the_servers_query() {
        let f = Filters {
            user: " olivia ".into(),
            action: "ApplyInstanceSnapshot".into(),
            outcome: "error".into(),
            since_ms: Some(1_796_227_200_000),
            ..Default::default()
        };
        assert_eq!(
            audit_query(&f, Some(42), 50),
            "/api/v1/audit?limit=50&user=olivia&action=ApplyInstanceSnapshot&outcome=error&since=1796227200000&before=42"
        );
        assert_eq!(
            audit_query(&Filters::default(), None, 50),
            "/api/v1/audit?limit=50"
        );
        let odd = Filters {
            profile: "a&b=c".into(),
            ..Default::default()
        };
        assert_eq!(
            audit_query(&odd, None, 10),
            "/api/v1/audit?limit=10&profile=a%26b%3Dc"
        );
    }

    #[test]
    fn outcomes_read_in_words() {
        assert_eq!(audit_outcome("ok"), Some(Msg::OpSucceeded));
        assert_eq!(audit_outcome("not_sent"), Some(Msg::OutcomeNotSent));
        assert_eq!(audit_outcome("something-new"), None);
    }
}
