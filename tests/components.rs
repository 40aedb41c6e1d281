//! Component tests in headless Chromium (`wasm-bindgen-test`), run by `cargo xtask test`.
#![cfg(target_arch = "wasm32")]

use leptos::mount::mount_to;
use leptos::prelude::*;
use rewind_console::App;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn mount_app() -> web_sys::HtmlElement {
    let document = document();
    let wrapper = document.create_element("section").unwrap();
    document.body().unwrap().append_child(&wrapper).unwrap();
    let wrapper: web_sys::HtmlElement = wrapper.unchecked_into();
    mount_to(wrapper.clone(), App).forget();
    wrapper
}

/// Polls until `cond` holds, yielding to the reactive system between checks.
async fn wait_for(what: &str, mut cond: impl FnMut() -> bool) {
    for _ in 0..200 {
        if cond() {
            return;
        }
        leptos::task::tick().await;
    }
    panic!("timed out waiting for {what}");
}

#[wasm_bindgen_test]
async fn shell_names_the_three_clouds_and_switches_language() {
    // Start from a known language regardless of earlier runs in this browser profile.
    let storage = window().local_storage().unwrap().unwrap();
    storage.set_item("rewind.lang", "en").unwrap();
    let root = mount_app();
    let nav = root
        .query_selector("nav.clouds")
        .unwrap()
        .expect("cloud navigation");
    let text = nav.text_content().unwrap_or_default();
    for cloud in ["Tencent Lighthouse", "Alibaba ECS", "Huawei Workspace"] {
        assert!(text.contains(cloud), "nav lacks {cloud}: {text}");
    }
    let zh: web_sys::HtmlElement = root
        .query_selector(".lang-switch button[lang='zh-CN']")
        .unwrap()
        .expect("中文 button")
        .unchecked_into();
    zh.click();
    wait_for("Chinese navigation", || {
        nav.text_content()
            .unwrap_or_default()
            .contains("阿里云 ECS")
    })
    .await;
    assert_eq!(zh.get_attribute("aria-pressed").as_deref(), Some("true"));
    assert_eq!(
        storage.get_item("rewind.lang").unwrap().as_deref(),
        Some("zh")
    );
    assert_eq!(
        document()
            .document_element()
            .unwrap()
            .get_attribute("lang")
            .as_deref(),
        Some("zh-CN")
    );
    storage.set_item("rewind.lang", "en").unwrap();
}

#[wasm_bindgen_test]
async fn provider_errors_show_code_remedy_and_request_id_in_the_current_language() {
    use rewind_cloud::Text;
    use rewind_console::api::{ApiError, Failure, FailureText};
    use rewind_console::i18n::{I18n, Lang};
    use rewind_console::views::inventory::ErrorPanel;

    let failure = Failure {
        code: "Cloud".into(),
        provider_code: Some("IncorrectInstanceStatus".into()),
        http_status: Some(403),
        message: "The current status of the resource does not support this operation.".into(),
        explanation: Some("The instance is not Stopped.".into()),
        remedy: Some("Stop the instance, then retry.".into()),
        retryable: false,
        request_id: Some("F3CD6886-D8D0-4FEE-B93E-1B732396TEST".into()),
        i18n: Some(FailureText {
            explanation: Text::new("The instance is not Stopped.", "实例未处于已停止状态。"),
            remedy: Text::new("Stop the instance, then retry.", "请先停止实例再重试。"),
        }),
    };
    let document = document();
    let wrapper = document.create_element("section").unwrap();
    document.body().unwrap().append_child(&wrapper).unwrap();
    let wrapper: web_sys::HtmlElement = wrapper.unchecked_into();
    let lang = RwSignal::new(Lang::En);
    mount_to(wrapper.clone(), move || {
        provide_context(I18n { lang });
        view! { <ErrorPanel error=ApiError::Refused(Box::new(failure.clone())) /> }
    })
    .forget();
    let text = || wrapper.text_content().unwrap_or_default();
    wait_for("the error panel", || {
        text().contains("IncorrectInstanceStatus")
    })
    .await;
    assert!(
        text().contains("Stop the instance, then retry."),
        "{}",
        text()
    );
    assert!(
        text().contains("F3CD6886-D8D0-4FEE-B93E-1B732396TEST"),
        "{}",
        text()
    );
    lang.set(Lang::Zh);
    wait_for("the Chinese remedy", || {
        text().contains("请先停止实例再重试。")
    })
    .await;
    assert!(
        text().contains("IncorrectInstanceStatus"),
        "the code stays as the cloud sent it"
    );
}
