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
    use rewind_console::api::{Failure, FailureText, RequestError};
    use rewind_console::i18n::{I18n, Lang};
    use rewind_console::views::error::ErrorPanel;

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
        provider: None,
        detail: None,
        reason: None,
        fields: Vec::new(),
    };
    let document = document();
    let wrapper = document.create_element("section").unwrap();
    document.body().unwrap().append_child(&wrapper).unwrap();
    let wrapper: web_sys::HtmlElement = wrapper.unchecked_into();
    let lang = RwSignal::new(Lang::En);
    mount_to(wrapper.clone(), move || {
        provide_context(I18n { lang });
        view! { <ErrorPanel error=RequestError::Refused(Box::new(failure.clone())) /> }
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

fn mount_in_section(f: impl FnOnce() -> AnyView + 'static) -> web_sys::HtmlElement {
    let document = document();
    let wrapper = document.create_element("section").unwrap();
    document.body().unwrap().append_child(&wrapper).unwrap();
    let wrapper: web_sys::HtmlElement = wrapper.unchecked_into();
    mount_to(wrapper.clone(), f).forget();
    wrapper
}

/// Types `text` into an input or textarea as a user would (value + `input` event).
fn type_text(el: &web_sys::Element, text: &str) {
    if let Some(input) = el.dyn_ref::<web_sys::HtmlInputElement>() {
        input.set_value(text);
    } else if let Some(area) = el.dyn_ref::<web_sys::HtmlTextAreaElement>() {
        area.set_value(text);
    }
    let ev = web_sys::Event::new_with_event_init_dict("input", &{
        let init = web_sys::EventInit::new();
        init.set_bubbles(true);
        init
    })
    .unwrap();
    el.dispatch_event(&ev).unwrap();
}

fn find(root: &web_sys::HtmlElement, css: &str) -> web_sys::Element {
    root.query_selector(css)
        .unwrap()
        .unwrap_or_else(|| panic!("no {css}"))
}

fn form_page(
    spec: &'static rewind_console::restore::FormSpec,
    lang: RwSignal<rewind_console::i18n::Lang>,
) -> web_sys::HtmlElement {
    use rewind_console::i18n::I18n;
    use rewind_console::views::restore::RestorePage;
    mount_in_section(move || {
        provide_context(I18n { lang });
        rewind_console::router::provide_router();
        view! {
            <RestorePage spec=spec profile="demo-lighthouse".to_string() region="ap-guangzhou".to_string() />
        }
        .into_any()
    })
}

#[wasm_bindgen_test]
async fn rollback_form_validates_as_the_user_types_and_enables_submit_only_when_valid() {
    use rewind_console::i18n::Lang;
    use rewind_console::restore::{Kind, form};
    let lang = RwSignal::new(Lang::En);
    let root = form_page(form(Kind::LhRollback), lang);
    let submit = find(&root, "[data-testid=check]");
    wait_for("the form", || submit.has_attribute("disabled")).await;
    let instance = find(&root, "[data-testid=InstanceId]");
    let snapshot = find(&root, "[data-testid=SnapshotId]");
    // Labels are visible and tied to their inputs.
    let label = find(&root, "label[for='f-rollback-InstanceId']");
    assert!(label.text_content().unwrap().contains("Instance ID"));

    type_text(&instance, "lhsnap-k31c771o");
    wait_for("the inline error", || {
        root.query_selector("[data-testid=field-error]")
            .unwrap()
            .is_some()
    })
    .await;
    assert_eq!(
        instance.get_attribute("aria-invalid").as_deref(),
        Some("true")
    );
    assert!(submit.has_attribute("disabled"));

    type_text(&instance, "lhins-k31c771o");
    type_text(&snapshot, "lhsnap-nv6aqcv6");
    wait_for("the submit button to enable", || {
        !submit.has_attribute("disabled")
    })
    .await;
    assert!(
        root.query_selector("[data-testid=field-error]")
            .unwrap()
            .is_none()
    );

    // Every label and error follows the language.
    type_text(&snapshot, "lhsnap-");
    lang.set(Lang::Zh);
    wait_for("Chinese labels", || {
        label.text_content().unwrap_or_default().contains("实例 ID")
    })
    .await;
    let error = find(&root, "[data-testid=field-error]")
        .text_content()
        .unwrap();
    assert!(
        error
            .chars()
            .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "{error}"
    );
    assert!(submit.has_attribute("disabled"));
}

#[wasm_bindgen_test]
async fn workspace_form_reports_each_bad_line_and_counts_ids() {
    use rewind_console::i18n::Lang;
    use rewind_console::restore::{Kind, form};
    let root = form_page(form(Kind::WsRestore), RwSignal::new(Lang::En));
    let ids = find(&root, "[data-testid=snapshot_ids]");
    let good = "6c1f0a52-3c1e-4a4e-9c55-0b1d2e3f4a5b";
    type_text(&ids, &format!("{good}\n\n{good}\nnot-an-id!"));
    wait_for("two line errors", || {
        root.query_selector_all("[data-testid=field-error]")
            .unwrap()
            .length()
            == 2
    })
    .await;
    let fields: Vec<String> = (0..2)
        .map(|n| {
            root.query_selector_all("[data-testid=field-error]")
                .unwrap()
                .get(n)
                .unwrap()
                .unchecked_into::<web_sys::Element>()
                .get_attribute("data-field")
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(fields, ["line 3", "line 4"]);
    assert!(find(&root, "[data-testid=check]").has_attribute("disabled"));
    type_text(&ids, good);
    wait_for("a valid list", || {
        !find(&root, "[data-testid=check]").has_attribute("disabled")
    })
    .await;
    assert!(
        find(&root, "[data-testid=id-count]")
            .text_content()
            .unwrap()
            .contains("1 / 100")
    );
}

#[wasm_bindgen_test]
async fn checklist_shows_each_rule_with_its_fix_and_runs_the_fix_action() {
    use rewind_cloud::preflight::{self, FixAction};
    use rewind_console::i18n::{I18n, Lang};
    use rewind_console::views::confirm::Checklist;
    use serde_json::json;

    let disk = json!({"DiskId": "d-bp1disk0000000000", "Status": "In_use", "InstanceId": "i-bp1inst000000000000",
        "Type": "system", "OperationLocks": {"OperationLock": []}});
    let inst = json!({"InstanceId": "i-bp1inst000000000000", "Status": "Running",
        "OperationLocks": {"LockReason": []}, "ExpiredTime": "2099-12-31T15:59Z"});
    let snap = json!({"SnapshotId": "s-bp1snap000000000000", "SourceDiskId": "d-bp1disk0000000000",
        "Status": "accomplished", "CreationTime": "2024-05-01T10:00:00Z"});
    let checks = preflight::ecs_reset_disk(Some(&disk), Some(&snap), Some(&inst));
    assert!(preflight::blocked(&checks));
    let lang = RwSignal::new(Lang::En);
    let fixed = RwSignal::new(None::<FixAction>);
    let root = mount_in_section(move || {
        provide_context(I18n { lang });
        let on_fix = Callback::new(move |f| fixed.set(Some(f)));
        view! { <Checklist checks=checks.clone() on_fix=on_fix /> }.into_any()
    });
    wait_for("the checklist", || {
        root.query_selector("li[data-rule='instance.state']")
            .unwrap()
            .is_some()
    })
    .await;
    let line = find(&root, "li[data-rule='instance.state']");
    assert_eq!(line.get_attribute("data-status").as_deref(), Some("fail"));
    assert!(
        line.text_content()
            .unwrap()
            .contains("i-bp1inst000000000000")
    );
    let passes = root
        .query_selector_all("li[data-status=pass]")
        .unwrap()
        .length();
    assert!(passes >= 3, "the snapshot and disk rules pass: {passes}");
    assert!(
        find(&root, "[data-testid=preflight-summary]")
            .get_attribute("class")
            .unwrap()
            .contains("fail")
    );
    let fix: web_sys::HtmlElement = find(&root, "[data-testid=fix]").unchecked_into();
    fix.click();
    wait_for("the fix action", || fixed.get_untracked().is_some()).await;
    assert_eq!(
        fixed.get_untracked(),
        Some(FixAction::StopInstance {
            instance_id: "i-bp1inst000000000000".into()
        })
    );
    let before = line.text_content().unwrap();
    lang.set(Lang::Zh);
    wait_for("the Chinese checklist", || {
        line.text_content().unwrap() != before
    })
    .await;
    assert!(fix.text_content().unwrap().contains("停止实例"));
}

/// A Lighthouse cloud in one function: the answers a rollback with a safety snapshot
/// meets, with the instance's latest operation changing once the rollback is applied.
fn lighthouse_answer(
    call: &rewind_cloud::operation::Call,
    applied: &mut bool,
) -> serde_json::Value {
    use rewind_cloud::Action;
    use serde_json::json;
    let snapshot = |id: &str| {
        json!({"SnapshotId": id, "SnapshotName": "x", "SnapshotState": "NORMAL",
            "LatestOperation": "CreateInstanceSnapshot", "LatestOperationState": "SUCCESS"})
    };
    match call.action {
        Action::LhDescribeSnapshots => match call.params["SnapshotIds"].as_array() {
            Some(ids) => {
                let set: Vec<_> = ids.iter().map(|i| snapshot(i.as_str().unwrap())).collect();
                json!({"TotalCount": set.len(), "SnapshotSet": set, "RequestId": "r-read"})
            }
            None => json!({"TotalCount": 0, "SnapshotSet": [], "RequestId": "r-read"}),
        },
        Action::LhCreateInstanceSnapshot => {
            json!({"SnapshotId": "lhsnap-safety01", "RequestId": "r-create"})
        }
        Action::LhApplyInstanceSnapshot => {
            *applied = true;
            json!({"RequestId": "r-apply"})
        }
        Action::LhDescribeInstances => {
            let (op, rid) = if *applied {
                ("ApplyInstanceSnapshot", "r-apply")
            } else {
                ("StopInstances", "r-stop")
            };
            json!({"TotalCount": 1, "RequestId": "r-read", "InstanceSet": [{
                "InstanceId": "lhins-k31c771o", "InstanceName": "blog", "InstanceState": "STOPPED",
                "LatestOperation": op, "LatestOperationState": "SUCCESS",
                "LatestOperationRequestId": rid}]})
        }
        other => panic!("unexpected {other:?}"),
    }
}

#[wasm_bindgen_test]
async fn a_finished_rollback_shows_its_steps_and_offers_undo_to_its_safety_snapshot() {
    use rewind_cloud::operation::{Answer, Operation, SafetySnapshot, TaskNext, TaskPlan, tencent};
    use rewind_console::i18n::{I18n, Lang};
    use rewind_console::ops::Ops;
    use rewind_console::tab::saved::TabTask;
    use rewind_console::transport::Transport;
    use rewind_console::views::operations::OpView;

    let plan = TaskPlan::One(Operation::LhRollback(tencent::RollbackPlan {
        instance_id: "lhins-k31c771o".into(),
        snapshot_id: "lhsnap-nv6aqcv6".into(),
        safety_snapshot: Some(SafetySnapshot::default()),
        start_afterwards: false,
    }));
    let mut t = TabTask::new(
        "tab-test1".into(),
        "alice".into(),
        "demo-lighthouse".into(),
        "ap-guangzhou".into(),
        rewind_cloud::Provider::Tencent,
        plan,
        Default::default(),
        1_000,
    )
    .unwrap();
    let (mut now, mut applied) = (1_000, false);
    loop {
        match t.task.poll(now) {
            TaskNext::Send { item, call } => {
                let data = lighthouse_answer(&call, &mut applied);
                t.task.on_answer(item, Answer::ok(data), now);
            }
            TaskNext::Wait { until_ms } => now = until_ms,
            TaskNext::Done(_) => break,
            other => panic!("{other:?}"),
        }
    }
    t.touch(now);
    let view = t.view();
    let root = mount_in_section(move || {
        provide_context(I18n {
            lang: RwSignal::new(Lang::En),
        });
        rewind_console::router::provide_router();
        let ops = Ops::detached(Transport::portal());
        ops.upsert(view.clone());
        provide_context(ops);
        view! { <OpView id="tab-test1".to_string() /> }.into_any()
    });
    wait_for("the finished operation", || {
        root.query_selector("[data-testid=op][data-status=succeeded]")
            .unwrap()
            .is_some()
    })
    .await;
    let steps = root.query_selector_all("[data-testid=step]").unwrap();
    assert_eq!(steps.length(), 2, "safety snapshot, then the rollback");
    for n in 0..steps.length() {
        let step: web_sys::Element = steps.get(n).unwrap().unchecked_into();
        assert_eq!(step.get_attribute("data-state").as_deref(), Some("done"));
    }
    let text = root.text_content().unwrap_or_default();
    assert!(
        text.contains("r-create") && text.contains("r-apply"),
        "{text}"
    );
    assert!(text.contains("alice"), "who started it: {text}");
    assert_eq!(
        find(&root, "[data-testid=safety-snapshot-id]")
            .text_content()
            .as_deref(),
        Some("lhsnap-safety01")
    );
    // Named (after the operation, as the plan gave no name) and timed by the create's
    // answer, in the browser's zone.
    assert_eq!(
        find(&root, "[data-testid=safety-snapshot-name]")
            .text_content()
            .as_deref(),
        Some("rewind-before-rollback-tab-test1")
    );
    let time = find(&root, "[data-testid=safety-snapshot-time]");
    assert_eq!(
        time.get_attribute("datetime").as_deref(),
        Some("1970-01-01T00:00:01Z")
    );
    assert!(
        time.text_content().unwrap_or_default().contains(" UTC"),
        "{:?}",
        time.text_content()
    );
    let undo = find(&root, "[data-testid=undo]");
    assert_eq!(
        undo.get_attribute("href").as_deref(),
        Some(
            "/tencent/rollback?instance=lhins-k31c771o&snapshot=lhsnap-safety01&profile=demo-lighthouse&region=ap-guangzhou"
        )
    );
    // Finished: nothing to cancel.
    assert!(
        root.query_selector("[data-testid=op-cancel]")
            .unwrap()
            .is_none()
    );
}
