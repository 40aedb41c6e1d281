//! Client-side routing: the URL is one signal. Same-origin link clicks and history moves
//! (back, forward) update it; views read the path segments and query keys they need.
//!
//! The console's routes are few and flat (README "Console routes"), so this small module
//! replaces `leptos_router`, which cost about 110 KB of wasm (a third of a minimal Leptos
//! app), for the same behaviour: plain `<a href>` links navigate without reloading,
//! modified clicks (new tab, download) and `#fragment` links stay with the browser,
//! `aria-current="page"` marks the links of the current page. A link marked
//! `rel="external"` is left to the browser: it leaves the console (`/auth/login`).

use leptos::ev;
use leptos::prelude::*;
use rewind_cloud::encoding::{decode_path, parse_query, rfc3986};
use wasm_bindgen::JsCast;

/// A URL's path and query (`search` without the leading `?`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Location {
    pub path: String,
    pub search: String,
}

impl Location {
    /// `/a/b?x=1#top` → path `/a/b`, search `x=1`. A missing path is `/`.
    pub fn parse(href: &str) -> Location {
        let href = href.split('#').next().unwrap_or("");
        let (path, search) = href.split_once('?').unwrap_or((href, ""));
        Location {
            path: if path.is_empty() {
                "/".into()
            } else {
                path.into()
            },
            search: search.into(),
        }
    }

    /// The non-empty path segments, percent-decoded.
    pub fn segments(&self) -> Vec<String> {
        self.path
            .split('/')
            .filter(|s| !s.is_empty())
            .map(decode_path)
            .collect()
    }

    /// The first value of a query key, percent-decoded (`+` is a space).
    pub fn query(&self, key: &str) -> Option<String> {
        parse_query(&self.search)
            .into_iter()
            .find_map(|(k, v)| (k == key).then_some(v))
    }
}

/// Whether a link to `target` (a path) belongs to the page at `current`: the same path
/// or a page under it; `/` only for itself.
pub fn is_active(current: &str, target: &str) -> bool {
    let target = target.trim_end_matches('/');
    if target.is_empty() {
        return current == "/";
    }
    current == target
        || current
            .strip_prefix(target)
            .is_some_and(|rest| rest.starts_with('/'))
}

/// Whether a link's `href` is one this router follows: an absolute path on this origin
/// (`/x`), not a fragment, another origin or a protocol-relative `//host`.
pub fn is_internal(href: &str) -> bool {
    href.starts_with('/') && !href.starts_with("//")
}

/// The current URL, shared through context.
#[derive(Clone, Copy)]
pub struct Router(RwSignal<Location>);

impl Router {
    /// Path segment `i` (0 is the first), tracked.
    pub fn segment(&self, i: usize) -> Option<String> {
        self.0.with(|l| l.segments().into_iter().nth(i))
    }

    /// A query value, tracked.
    pub fn query(&self, key: &str) -> Option<String> {
        self.0.with(|l| l.query(key))
    }

    /// A query value, not tracked (initial values of form fields).
    pub fn query_untracked(&self, key: &str) -> Option<String> {
        self.0.with_untracked(|l| l.query(key))
    }

    /// All path segments, tracked.
    pub fn segments(&self) -> Vec<String> {
        self.0.with(Location::segments)
    }

    /// Goes to `href` (an absolute path with an optional query): a new history entry,
    /// unless it is the current URL, and the top of the page.
    pub fn navigate(&self, href: &str) {
        let next = Location::parse(href);
        let same = self.0.with_untracked(|l| *l == next);
        if let Ok(history) = window().history() {
            let _ = if same {
                history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(href))
            } else {
                history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(href))
            };
        }
        if !same {
            self.0.set(next);
            window().scroll_to_with_x_and_y(0.0, 0.0);
        }
    }
}

/// The console's sign-in page.
pub const SIGN_IN_PATH: &str = "/signin";

/// The sign-in page's address that comes back to `here` (a path and query) afterwards.
pub fn sign_in_href(here: &str) -> String {
    format!("{SIGN_IN_PATH}?return={}", rfc3986(here))
}

/// Shows the sign-in page, to come back to the page in view afterwards: the server
/// answered 401 (nobody signed in, or the session expired). The failed page's history
/// entry is replaced (going back to it would only fail again); the router follows
/// through `popstate`. Nothing happens on the sign-in page itself, so the many reads
/// a page makes at once lead there once.
pub fn to_sign_in() {
    let Some(w) = web_sys::window() else {
        return;
    };
    if window_location().path == SIGN_IN_PATH {
        return;
    }
    if let Ok(history) = w.history() {
        let _ = history.replace_state_with_url(
            &wasm_bindgen::JsValue::NULL,
            "",
            Some(&sign_in_href(&here())),
        );
    }
    if let Ok(ev) = web_sys::Event::new("popstate") {
        let _ = w.dispatch_event(&ev);
    }
}

/// The page in view: its path and query (`/tencent?profile=x`).
pub fn here() -> String {
    let l = window_location();
    if l.search.is_empty() {
        l.path
    } else {
        format!("{}?{}", l.path, l.search)
    }
}

fn window_location() -> Location {
    let l = window().location();
    Location::parse(&format!(
        "{}{}",
        l.pathname().unwrap_or_default(),
        l.search().unwrap_or_default()
    ))
}

/// Starts routing for the app mounted under the current owner: reads the URL, follows
/// back/forward, and takes over same-origin link clicks.
pub fn provide_router() -> Router {
    let router = Router(RwSignal::new(window_location()));
    provide_context(router);
    let popstate = window_event_listener(ev::popstate, move |_| router.0.set(window_location()));
    let click = window_event_listener(ev::click, move |ev| {
        if ev.default_prevented()
            || ev.button() != 0
            || ev.meta_key()
            || ev.ctrl_key()
            || ev.shift_key()
            || ev.alt_key()
        {
            return;
        }
        let Some(link) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|e| e.closest("a[href]").ok().flatten())
        else {
            return;
        };
        let Some(href) = link.get_attribute("href") else {
            return;
        };
        let new_context = link
            .get_attribute("target")
            .is_some_and(|t| !t.is_empty() && t != "_self");
        let external = link
            .get_attribute("rel")
            .is_some_and(|r| r.split_whitespace().any(|r| r == "external"));
        if !is_internal(&href) || new_context || external || link.has_attribute("download") {
            return;
        }
        ev.prevent_default();
        router.navigate(&href);
    });
    on_cleanup(move || {
        popstate.remove();
        click.remove();
    });
    router
}

/// The router of the app (panics outside one: every page is mounted under `App`).
pub fn use_router() -> Router {
    expect_context::<Router>()
}

/// A link that carries `aria-current="page"` while its page is shown.
#[component]
pub fn Link(
    #[prop(into)] href: Signal<String>,
    #[prop(optional)] class: Option<&'static str>,
    #[prop(optional)] testid: Option<&'static str>,
    children: Children,
) -> impl IntoView {
    let router = use_router();
    let current = move || {
        let target = Location::parse(&href.get()).path;
        router
            .0
            .with(|l| is_active(&l.path, &target))
            .then_some("page")
    };
    view! {
        <a href=href class=class data-testid=testid aria-current=current>
            {children()}
        </a>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_path_query_and_fragment() {
        let l = Location::parse("/alibaba/reset-disk?profile=demo&region=cn%2Dhangzhou#top");
        assert_eq!(l.path, "/alibaba/reset-disk");
        assert_eq!(l.segments(), ["alibaba", "reset-disk"]);
        assert_eq!(l.query("profile").as_deref(), Some("demo"));
        assert_eq!(l.query("region").as_deref(), Some("cn-hangzhou"));
        assert_eq!(l.query("missing"), None);
        assert_eq!(Location::parse("").path, "/");
        assert!(Location::parse("/").segments().is_empty());
        assert_eq!(Location::parse("/x//y/").segments(), ["x", "y"]);
    }

    #[test]
    fn decodes_query_values() {
        let l = Location::parse("/?name=a+b%20c&tag=%E5%BF%AB%E7%85%A7&bad=%zz&empty&k=1&k=2");
        assert_eq!(l.query("name").as_deref(), Some("a b c"));
        assert_eq!(l.query("tag").as_deref(), Some("快照"));
        assert_eq!(l.query("bad").as_deref(), Some("%zz"));
        assert_eq!(l.query("empty").as_deref(), Some(""));
        assert_eq!(l.query("k").as_deref(), Some("1"));
    }

    #[test]
    fn active_links_match_their_page_and_pages_below_it() {
        assert!(is_active("/alibaba", "/alibaba"));
        assert!(is_active("/alibaba/disks", "/alibaba"));
        assert!(!is_active("/alibaba-x", "/alibaba"));
        assert!(!is_active("/tencent", "/alibaba"));
        assert!(is_active("/", "/"));
        assert!(!is_active("/alibaba", "/"));
        assert!(is_active("/operations", "/operations/"));
    }

    #[test]
    fn the_sign_in_page_comes_back_to_the_page_left() {
        let href = sign_in_href("/tencent/snapshots?profile=demo lh&region=ap-guangzhou");
        assert_eq!(
            href,
            "/signin?return=%2Ftencent%2Fsnapshots%3Fprofile%3Ddemo%20lh%26region%3Dap-guangzhou"
        );
        let back = Location::parse(&href).query("return");
        assert_eq!(
            back.as_deref(),
            Some("/tencent/snapshots?profile=demo lh&region=ap-guangzhou")
        );
    }

    #[test]
    fn only_same_origin_paths_are_followed() {
        assert!(is_internal("/alibaba/disks?profile=x"));
        assert!(!is_internal("#main"));
        assert!(!is_internal("//evil.example/x"));
        assert!(!is_internal("https://example.com/"));
        assert!(!is_internal("alibaba"));
    }
}
