//! One inventory table: loads pages through the proxy, filters by text and state, sorts
//! by any column, and shows provider errors with their code, remedy and RequestId.

use crate::api::RequestError;
use crate::i18n::{Msg, use_i18n};
use crate::inventory::{self, Cursor, ListSpec};
use crate::router::use_router;
use crate::transport::{Transport, use_transport};
use crate::views::copy::CopyButton;
use crate::views::error::ErrorPanel;
use crate::views::row_actions::{PowerAsk, PowerPanel, RowActions};
use crate::views::time::When;
use inventory::state_label;
use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::Value;
use std::collections::HashMap;

/// The index of `spec`'s join: its other list read page by page, at most
/// [`inventory::JOIN_MAX_PAGES`]. A page that cannot be read ends the read with what
/// came before it (nothing, when the first fails): the list still shows, unjoined.
async fn load_join(
    transport: Transport,
    spec: &'static ListSpec,
    profile: &str,
    region: &str,
    owner: Option<&Owner>,
) -> Option<HashMap<String, Value>> {
    let join = spec.join?;
    let other = spec.join_spec()?;
    let (rows, _failed) = transport
        .read_list(
            other,
            profile,
            region,
            Some(inventory::JOIN_MAX_PAGES),
            owner,
        )
        .await;
    Some(inventory::join_index(&join, &rows))
}

/// Row height of the inventory tables (CSS pins `tbody tr` to it).
const ROW_PX: f64 = 36.0;
/// The table's viewport before it is measured (CSS: `max-height: 70vh`).
const VIEWPORT_PX: f64 = 640.0;
/// The CSS height of `rows` rows, in whole pixels.
fn px(rows: usize) -> String {
    format!("{}px", rows * ROW_PX as usize)
}
/// Rows rendered above and below the viewport.
const OVERSCAN: usize = 6;

/// The table of `spec` for one profile and region; remounted when either changes.
#[component]
pub fn InventoryTable(
    spec: &'static ListSpec,
    profile: String,
    region: String,
    /// The actions this user may call on the profile (row actions outside it are disabled).
    #[prop(optional)]
    allowed: Vec<String>,
) -> impl IntoView {
    let i = use_i18n();
    let transport = use_transport();
    let router = use_router();
    let row_ctx = StoredValue::new((profile.clone(), region.clone(), allowed));
    // Loads belong to the table: cleaning it up aborts them (not a re-running effect).
    let table_owner = Owner::current();
    let join_owner = table_owner.clone();
    let rows = RwSignal::new(Vec::<Value>::new());
    let total = RwSignal::new(None::<u64>);
    let cursor = RwSignal::new(Cursor::Start);
    let loading = RwSignal::new(false);
    let error = RwSignal::new(None::<RequestError>);
    // `?q=` pre-fills the filter (an ECS instance's "Roll back a disk" opens its disks).
    let text = RwSignal::new(router.query_untracked("q").unwrap_or_default());
    let state = RwSignal::new(String::new());
    let sort = RwSignal::new(spec.default_sort());
    // The generation guards against a late page from before a refresh being appended.
    let generation = StoredValue::new(0u64);
    // "Load all": keep paging until the provider says there is no more.
    let load_everything = RwSignal::new(false);
    // The joined list of this load (the Lighthouse instances of the snapshots), by key.
    let join_index = StoredValue::new(None::<HashMap<String, Value>>);

    let load_page = {
        let (profile, region) = (profile.clone(), region.clone());
        move || {
            if loading.get_untracked() || cursor.get_untracked() == Cursor::Done {
                return;
            }
            loading.set(true);
            error.set(None);
            let at = cursor.get_untracked();
            let gen_at_start = generation.get_value();
            let (profile, region) = (profile.clone(), region.clone());
            let owner = table_owner.clone();
            spawn_local(async move {
                // Aborted when the table goes away (navigation, another profile/region).
                let result = transport
                    .read(
                        &profile,
                        &region,
                        spec.action,
                        spec.page_params(&at),
                        owner.as_ref(),
                    )
                    .await;
                // Left the page meanwhile (values disposed), or refreshed: drop this page.
                if generation.try_get_value() != Some(gen_at_start) {
                    return;
                }
                match result {
                    Ok(answer) => {
                        let before = rows.with_untracked(|r| r.len() as u64);
                        let (mut page, next) = spec.read_page(&answer.data, before);
                        if let Some(join) = spec.join {
                            join_index.with_value(|ix| {
                                if let Some(ix) = ix {
                                    inventory::apply_join(&join, &mut page, ix);
                                }
                            });
                        }
                        total.set(spec.total(&answer.data));
                        rows.update(|r| r.extend(page));
                        cursor.set(next);
                    }
                    Err(e) => {
                        load_everything.set(false);
                        error.set(Some(e));
                    }
                }
                loading.set(false);
            });
        }
    };
    {
        let load_page = load_page.clone();
        Effect::new(move |_| {
            let more = cursor.get() != Cursor::Done;
            if load_everything.get() && !loading.get() && error.with(Option::is_none) {
                if more {
                    load_page();
                } else {
                    load_everything.set(false);
                }
            }
        });
    }
    // The join is read once per load, beside the list's own pages; the rows already in
    // get its fields when it arrives, later pages as they arrive.
    let load_joined = {
        let (profile, region) = (profile.clone(), region.clone());
        move || {
            let Some(join) = spec.join else { return };
            join_index.set_value(None);
            let gen_at_start = generation.get_value();
            let (profile, region) = (profile.clone(), region.clone());
            let owner = join_owner.clone();
            spawn_local(async move {
                let index = load_join(transport, spec, &profile, &region, owner.as_ref()).await;
                if generation.try_get_value() != Some(gen_at_start) {
                    return;
                }
                if let Some(index) = index {
                    rows.update(|r| inventory::apply_join(&join, r, &index));
                    join_index.set_value(Some(index));
                }
            });
        }
    };
    let refresh = {
        let load_page = load_page.clone();
        move || {
            generation.update_value(|g| *g += 1);
            rows.set(Vec::new());
            total.set(None);
            cursor.set(Cursor::Start);
            loading.set(false);
            load_joined();
            load_page();
        }
    };
    refresh();

    // Stop and start from a row: asked here, confirmed and run by the PowerPanel.
    let power_ask = RwSignal::new(None::<PowerAsk>);
    let on_power_ended = Callback::new({
        let refresh = refresh.clone();
        move |_| refresh()
    });

    // Sorting only when the rows or the sort change; a filter keystroke only filters the
    // sorted indices, and only the rows in view are rendered (10,000 rows stay smooth).
    let sorted = Memo::new(move |_| {
        let (field, asc) = sort.get();
        rows.with(|all| inventory::order(all, field, asc))
    });
    // What the filter reads, extracted once per load rather than per keystroke.
    let keys = Memo::new(move |_| rows.with(|all| inventory::search_keys(spec, all)));
    let visible = Memo::new(move |_| {
        let (t, st) = (text.get(), state.get());
        keys.with(|k| sorted.with(|o| inventory::filter_keys(k, o, &t, &st)))
    });
    let scroll_top = RwSignal::new(0.0f64);
    let viewport = RwSignal::new(VIEWPORT_PX);
    let span = Memo::new(move |_| {
        inventory::window(
            visible.with(Vec::len),
            scroll_top.get(),
            viewport.get(),
            ROW_PX,
            OVERSCAN,
        )
    });
    let slice = Memo::new(move |_| {
        let (a, b) = span.get();
        rows.with(|all| {
            visible.with(|v| {
                v[a..b]
                    .iter()
                    .map(|&i| (i, all[i].clone()))
                    .collect::<Vec<_>>()
            })
        })
    });
    let slots = Memo::new(move |_| {
        let (a, b) = span.get();
        b - a
    });
    let wrap = NodeRef::<leptos::html::Div>::new();
    // Rows picked for one action together (Workspace: up to 100 snapshots), by ID, so a
    // pick survives filtering and scrolling.
    let picked = RwSignal::new(Vec::<String>::new());
    let picking = spec.pick.is_some();
    let ncols =
        spec.columns.len() + usize::from(!spec.row_actions.is_empty()) + usize::from(picking);
    let on_scroll = move |_| {
        if let Some(el) = wrap.get_untracked() {
            scroll_top.set(el.scroll_top() as f64);
            let h = el.client_height() as f64;
            if h > 0.0 {
                viewport.set(h);
            }
        }
    };
    // Navigation → first painted table, for the console bench.
    Effect::new(move |marked: Option<bool>| {
        if marked == Some(true) || rows.with(Vec::is_empty) {
            return marked.unwrap_or(false);
        }
        request_animation_frame(|| {
            if let Some(p) = window().performance() {
                let _ = p.mark("rewind:first-table-paint");
            }
        });
        true
    });
    let load_more = load_page.clone();
    let load_all_pages = {
        let load_page = load_page.clone();
        move || {
            load_everything.set(true);
            load_page();
        }
    };

    view! {
        <div class="inventory" data-view=spec.key>
            <div class="filters">
                <label>
                    {i.t(Msg::FilterLabel)}
                    <input
                        type="search"
                        data-testid="filter"
                        placeholder=i.t(Msg::FilterPlaceholder)
                        prop:value=move || text.get()
                        on:input=move |ev| text.set(event_target_value(&ev))
                    />
                </label>
                <label>
                    {i.t(Msg::StateLabel)}
                    <select data-testid="state-filter" on:change=move |ev| state.set(event_target_value(&ev))>
                        <option value="">{i.t(Msg::AllStates)}</option>
                        {move || {
                            rows.with(|r| inventory::states(spec, r))
                                .into_iter()
                                .map(|s| {
                                    let label = state_label(spec, &s, i.lang.get());
                                    view! { <option value=s.clone()>{label}</option> }
                                })
                                .collect_view()
                        }}
                    </select>
                </label>
                <button type="button" data-testid="refresh" on:click=move |_| refresh() disabled=move || loading.get()>
                    {i.t(Msg::Refresh)}
                </button>
                <span class="count muted" role="status" data-testid="count">
                    {move || {
                        let shown = visible.with(Vec::len);
                        let loaded = rows.with(Vec::len);
                        inventory::count_text(i.lang.get(), shown, loaded, total.get())
                    }}
                </span>
            </div>
            {picking.then(|| view! { <PickBar spec=spec picked=picked ctx=row_ctx /> })}
            {move || error.get().map(|e| view! { <ErrorPanel error=e /> })}
            <PowerPanel spec=spec ask=power_ask ctx=row_ctx on_ended=on_power_ended />
            <div class="table-wrap virtual" node_ref=wrap on:scroll=on_scroll>
                <table aria-rowcount=move || visible.with(Vec::len) + 1>
                    <thead>
                        <tr>
                            {picking.then(|| view! { <th scope="col" class="pick"><span class="sr-only">{i.t(Msg::PickRow)}</span></th> })}
                            {spec
                                .columns
                                .iter()
                                .map(|c| {
                                    let field = c.field;
                                    let aria = move || match sort.get() {
                                        (f, true) if f == field => "ascending",
                                        (f, false) if f == field => "descending",
                                        _ => "none",
                                    };
                                    view! {
                                        <th scope="col" aria-sort=aria class:col-tags=c.tags>
                                            <button
                                                type="button"
                                                class="sort"
                                                on:click=move |_| {
                                                    sort.update(|(f, asc)| {
                                                        if *f == field {
                                                            *asc = !*asc;
                                                        } else {
                                                            *f = field;
                                                            *asc = true;
                                                        }
                                                    })
                                                }
                                            >
                                                {i.t(c.title)}
                                            </button>
                                        </th>
                                    }
                                })
                                .collect_view()}
                            {(!spec.row_actions.is_empty()).then(|| view! { <th scope="col" class="actions-cell">{i.t(Msg::Actions)}</th> })}
                        </tr>
                    </thead>
                    <tbody>
                        <tr class="spacer" aria-hidden="true">
                            <td colspan=ncols style:height=move || px(span.get().0)></td>
                        </tr>
                        // Rows are recycled by slot (slot k shows the k-th row in view): a
                        // keystroke or a scroll rewrites the text of rows already in the DOM
                        // instead of building new ones.
                        <For
                            each=move || 0..slots.get()
                            key=|slot| *slot
                            children=move |slot| {
                                let cell = move |field: &'static str| {
                                    move || slice.with(|s| s.get(slot).map(|(_, row)| inventory::cell(row, field)).unwrap_or_default())
                                };
                                view! {
                                    <tr data-id=cell(spec.id_field)>
                                        {picking.then(|| view! { <PickCell spec=spec slice=slice at=slot picked=picked ctx=row_ctx /> })}
                                        {spec
                                            .columns
                                            .iter()
                                            .map(|c| {
                                                if c.field == spec.id_field {
                                                    view! { <td class="id"><code>{cell(c.field)}</code> <CopyButton text=Signal::derive(cell(c.field)) /></td> }.into_any()
                                                } else if c.field == spec.state_field {
                                                    // Chinese names the state as the provider's console does; the
                                                    // provider's spelling stays on hover.
                                                    let raw = cell(c.field);
                                                    let label = move || state_label(spec, &raw(), i.lang.get());
                                                    view! { <td><span class="state" title=cell(c.field)>{label}</span></td> }.into_any()
                                                } else if c.time {
                                                    view! { <td class="time"><When text=Signal::derive(cell(c.field)) /></td> }.into_any()
                                                } else if c.tags {
                                                    let field = c.field;
                                                    let chips = Memo::new(move |_| {
                                                        slice.with(|s| {
                                                            s.get(slot)
                                                                .map(|(_, row)| {
                                                                    inventory::tags(row, field)
                                                                        .iter()
                                                                        .map(|(k, v)| inventory::tag_text(k, v))
                                                                        .collect::<Vec<_>>()
                                                                })
                                                                .unwrap_or_default()
                                                        })
                                                    });
                                                    // One line (rows have a fixed height): what does not fit is
                                                    // cut, every tag on hover.
                                                    view! {
                                                        <td class="tags-cell col-tags" data-field=field title=move || chips.with(|c| c.join(", "))>
                                                            {move || chips.get().into_iter().map(|t| view! { <span class="tag">{t}</span> }).collect_view()}
                                                        </td>
                                                    }
                                                        .into_any()
                                                } else if let Some(sub) = c.sub {
                                                    // A name, then the ID it stands for (empty when there is none).
                                                    let sub_text = move || {
                                                        slice.with(|s| {
                                                            s.get(slot)
                                                                .map(|(_, row)| inventory::value_at(row, sub).as_str().unwrap_or("").to_string())
                                                                .unwrap_or_default()
                                                        })
                                                    };
                                                    view! { <td data-field=c.field><span class="main">{cell(c.field)}</span> " " <span class="sub">{sub_text}</span></td> }.into_any()
                                                } else {
                                                    view! { <td data-field=c.field>{cell(c.field)}</td> }.into_any()
                                                }
                                            })
                                            .collect_view()}
                                        {(!spec.row_actions.is_empty()).then(|| view! { <RowActions spec=spec slice=slice at=slot ctx=row_ctx ask=power_ask /> })}
                                    </tr>
                                }
                            }
                        />
                        <tr class="spacer" aria-hidden="true">
                            <td colspan=ncols style:height=move || {
                                let (_, b) = span.get();
                                px(visible.with(Vec::len).saturating_sub(b))
                            }></td>
                        </tr>
                    </tbody>
                </table>
            </div>
            {move || {
                (loading.get()).then(|| view! { <p class="muted" role="status">{i.t(Msg::Loading)}</p> })
            }}
            {move || {
                (!loading.get() && error.get().is_none() && rows.with(Vec::is_empty))
                    .then(|| view! { <p class="muted">{i.t(Msg::NoRows)}</p> })
            }}
            {move || {
                let more = load_more.clone();
                let all = load_all_pages.clone();
                (!loading.get() && cursor.get() != Cursor::Done && error.get().is_none())
                    .then(|| {
                        view! {
                            <div class="actions">
                                <button type="button" class="load-more" data-testid="load-more" on:click=move |_| more()>
                                    {i.t(Msg::LoadMore)}
                                </button>
                                <button type="button" class="load-more" data-testid="load-all" on:click=move |_| all()>
                                    {i.t(Msg::LoadAll)}
                                </button>
                            </div>
                        }
                    })
            }}
        </div>
    }
}

/// What is picked, and the action for all of it.
#[component]
fn PickBar(
    spec: &'static ListSpec,
    picked: RwSignal<Vec<String>>,
    ctx: StoredValue<(String, String, Vec<String>)>,
) -> impl IntoView {
    let i = use_i18n();
    let router = crate::router::use_router();
    let count = move || picked.with(Vec::len);
    let max = spec.pick.map_or(0, |p| p.max);
    let go = move |_| {
        let href = picked.with_untracked(|ids| {
            ctx.with_value(|(profile, region, _)| spec.pick_href(ids, profile, region))
        });
        if let Some(href) = href {
            router.navigate(&href);
        }
    };
    view! {
        <div class="pick-bar" data-testid="pick-bar">
            <span role="status" data-testid="picked-count">
                {i.t(Msg::Picked)} {i.t(Msg::Colon)} {count} " / " {max}
            </span>
            <button type="button" data-testid="pick-clear" disabled=move || count() == 0 on:click=move |_| picked.set(Vec::new())>
                {i.t(Msg::ClearPicked)}
            </button>
            <button type="button" class="primary" data-testid="pick-go" disabled=move || count() == 0 on:click=go>
                {spec.pick_action().map(|a| i.t(a.label))} " (" {count} ")"
            </button>
            <Show when=move || { count() >= max }>
                <span class="muted" data-testid="pick-limit">{i.t(Msg::PickLimit)}</span>
            </Show>
        </div>
    }
}

/// The pick box of the row in view at slot `at`: disabled, with the reason, when the
/// action is not available for that row or the limit is reached.
#[component]
fn PickCell(
    spec: &'static ListSpec,
    slice: Memo<Vec<(usize, Value)>>,
    at: usize,
    picked: RwSignal<Vec<String>>,
    ctx: StoredValue<(String, String, Vec<String>)>,
) -> impl IntoView {
    let i = use_i18n();
    let max = spec.pick.map_or(0, |p| p.max);
    // (ID, why the action is unavailable) for the row in view.
    let row = Memo::new(move |_| {
        slice.with(|s| {
            s.get(at).map(|(_, row)| {
                let why = spec.pick_action().and_then(|a| {
                    ctx.with_value(|(profile, _, allowed)| {
                        a.unavailable(spec, row, allowed, profile)
                    })
                });
                (inventory::cell(row, spec.id_field), why)
            })
        })
    });
    let id = move || row.with(|r| r.as_ref().map(|(id, _)| id.clone()).unwrap_or_default());
    let checked = move || {
        let id = id();
        picked.with(|p| p.contains(&id))
    };
    let reason = move || {
        row.with(|r| {
            r.as_ref()
                .and_then(|(_, why)| why.as_ref().map(|w| i.text(w.reason())()))
        })
        .or_else(|| {
            (!checked() && picked.with(Vec::len) >= max).then(|| i.t(Msg::PickLimit)().to_string())
        })
    };
    view! {
        <td class="pick">
            <input
                type="checkbox"
                data-testid="pick"
                aria-label=move || format!("{} {}", i.t(Msg::PickRow)(), id())
                title=reason
                prop:checked=checked
                disabled=move || reason().is_some()
                on:change=move |_| {
                    let id = id();
                    picked.update(|p| {
                        inventory::toggle_pick(p, &id, max);
                    });
                }
            />
        </td>
    }
}
