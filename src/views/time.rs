//! A cloud's timestamp as people read it: in the browser's time zone with the zone
//! named (`2026-12-03 14:05 UTC+08:00`), how long ago (`3 hours ago` / `3 小时前`), and
//! the exact UTC moment on hover (`title`) and for machines (`datetime`). A timestamp
//! the console cannot read is shown as the cloud wrote it.

use crate::clock;
use crate::i18n::use_i18n;
use leptos::prelude::*;

#[component]
pub fn When(#[prop(into)] text: Signal<String>) -> impl IntoView {
    let i = use_i18n();
    let at = Memo::new(move |_| text.with(|t| clock::parse_cloud_time(t)));
    // Ages are as of when the row was drawn (a list is refreshed, not ticking).
    let now = clock::now_ms();
    move || match at.get() {
        Some(ms) => {
            let iso = clock::iso_utc(ms);
            let local = clock::local_time(ms, clock::utc_offset_min(ms));
            view! {
                <time datetime=iso.clone() title=format!("{iso} (UTC)")>
                    <span class="local">{local}</span>
                    " "
                    <span class="age">{move || clock::age(now, ms, i.lang.get())}</span>
                </time>
            }
            .into_any()
        }
        None => text.get().into_any(),
    }
}
