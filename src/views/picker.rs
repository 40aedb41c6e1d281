//! The snapshot picker of the rollback and reset forms: once the target's ID is valid,
//! its snapshots (newest first) with name, time, state, size and whether Rewind took
//! them; those the cloud would refuse are disabled with the reason written beside them
//! (and tied to the choice for screen readers). Picking fills the Snapshot ID field;
//! typing an ID still works and selects the matching row.

use crate::api::RequestError;
use crate::i18n::{Msg, use_i18n};
use crate::restore::Kind;
use crate::restore::picker::{self, Offer};
use crate::transport::use_transport;
use crate::views::preflight::rows;
use crate::views::time::When;
use leptos::prelude::*;

#[component]
pub fn SnapshotPicker(
    kind: Kind,
    profile: String,
    region: String,
    /// The target's ID once it is valid.
    target: Memo<Option<String>>,
    /// The Snapshot ID field.
    chosen: RwSignal<String>,
) -> impl IntoView {
    let i = use_i18n();
    let transport = use_transport();
    let offers = LocalResource::new(move || {
        let (profile, region) = (profile.clone(), region.clone());
        let target = target.get();
        async move {
            let Some(target) = target else {
                return Ok(None);
            };
            let Some([(ta, tp), (sa, sp)]) = picker::reads(kind, &target) else {
                return Ok(None);
            };
            let t = transport.call(&profile, &region, ta.name(), tp).await?;
            let s = transport.call(&profile, &region, sa.name(), sp).await?;
            let (t_at, s_at): (&[&str], &[&str]) = match kind {
                Kind::EcsResetDisk => (&["Disks", "Disk"], &["Snapshots", "Snapshot"]),
                _ => (&["InstanceSet"], &["SnapshotSet"]),
            };
            let found = picker::candidate(kind, &rows(&t.data, t_at), &rows(&s.data, s_at));
            Ok::<_, RequestError>(found.map(|c| picker::offers(kind, &c)))
        }
    });
    let body = move || {
        target.get()?;
        Some(match offers.get() {
            None => view! { <p class="muted">{i.t(Msg::Loading)}</p> }.into_any(),
            Some(Err(e)) => view! { <p class="error">{e.to_string()}</p> }.into_any(),
            Some(Ok(None)) => view! { <p class="muted">{i.t(Msg::PickerNoTarget)}</p> }.into_any(),
            Some(Ok(Some(list))) if list.is_empty() => {
                view! { <p class="muted" data-testid="picker-empty">{i.t(Msg::PickerNone)}</p> }
                    .into_any()
            }
            Some(Ok(Some(list))) => {
                view! { <OfferTable kind=kind offers=list chosen=chosen /> }.into_any()
            }
        })
    };
    view! {
        <fieldset class="picker" data-testid="snapshot-picker">
            <legend>{i.t(Msg::PickerTitle)}</legend>
            {body}
        </fieldset>
    }
}

#[component]
fn OfferTable(kind: Kind, offers: Vec<Offer>, chosen: RwSignal<String>) -> impl IntoView {
    let i = use_i18n();
    // The snapshot list of the same cloud names the states (in Chinese too).
    let provider = crate::restore::form(kind).provider;
    let list_spec = crate::inventory::find(provider, Some("snapshots"));
    let rows = offers
        .into_iter()
        .map(|o| {
            let id = o.choice.id.clone();
            let input_id = format!("pick-{id}");
            let reason_id = format!("pick-{id}-why");
            let refused = o.refused.clone();
            let disabled = refused.is_some();
            let checked = {
                let id = id.clone();
                move || chosen.with(|c| c.trim() == id)
            };
            let pick = {
                let id = id.clone();
                move |_| chosen.set(id.clone())
            };
            let name = if o.choice.name.is_empty() { "—".to_string() } else { o.choice.name.clone() };
            view! {
                <tr data-id=id.clone() class:refused=disabled>
                    <td>
                        <input
                            type="radio"
                            name="snapshot-pick"
                            id=input_id.clone()
                            data-testid="pick-snapshot"
                            value=id.clone()
                            disabled=disabled
                            aria-describedby=disabled.then(|| reason_id.clone())
                            prop:checked=checked
                            on:change=pick
                        />
                    </td>
                    <td>
                        <label for=input_id>
                            <strong>{name}</strong>
                            " "
                            <code>{id.clone()}</code>
                            {o.by_rewind.then(|| view! { " " <span class="badge" data-testid="by-rewind">{i.t(Msg::PickerByRewind)}</span> })}
                        </label>
                        {refused.map(|why| view! {
                            <p class="reason" id=reason_id data-testid="pick-refused">{i.text(why)}</p>
                        })}
                    </td>
                    <td class="time"><When text=Signal::derive({ let t = o.choice.created.clone(); move || t.clone() }) /></td>
                    <td><span class="state" title=o.choice.state.clone()>{
                        let raw = o.choice.state.clone();
                        move || list_spec.map_or_else(|| raw.clone(), |l| crate::inventory::state_label(l, &raw, i.lang.get()))
                    }</span></td>
                    <td>{o.size_gib.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap" tabindex="0" role="region" aria-label=i.t(Msg::PickerTitle)>
            <table class="picker-table">
                <thead>
                    <tr>
                        <th scope="col"><span class="sr-only">{i.t(Msg::PickerChoose)}</span></th>
                        <th scope="col">{i.t(Msg::ColName)}</th>
                        <th scope="col">{i.t(Msg::ColCreated)}</th>
                        <th scope="col">{i.t(Msg::ColState)}</th>
                        <th scope="col">{i.t(Msg::ColSize)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}
