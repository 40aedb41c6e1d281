//! Every string the console shows, in English and Chinese, and the language choice
//! (a context signal, remembered per browser in localStorage).

use leptos::prelude::*;
pub use rewind_cloud::Lang;

const STORAGE_KEY: &str = "rewind.lang";

macro_rules! messages {
    ($( $key:ident => $en:literal, $zh:literal; )*) => {
        /// A console message key.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Msg { $( $key, )* }

        impl Msg {
            pub const ALL: &'static [Msg] = &[ $( Msg::$key, )* ];

            /// The message in `lang`.
            pub fn text(self, lang: Lang) -> &'static str {
                match (self, lang) {
                    $( (Msg::$key, Lang::En) => $en, (Msg::$key, Lang::Zh) => $zh, )*
                }
            }
        }
    };
}

messages! {
    Tagline => "Roll disks back to snapshots, safely.", "安全地将磁盘回滚到快照。";
    MainNav => "Clouds", "云平台";
    Home => "Overview", "概览";
    Tencent => "Tencent Lighthouse", "腾讯云轻量应用服务器";
    Alibaba => "Alibaba ECS", "阿里云 ECS";
    Huawei => "Huawei Workspace", "华为云桌面";
    Language => "Language", "语言";
    Loading => "Loading…", "加载中…";
    DemoMode => "Demo mode: a local emulator stands in for the clouds.", "演示模式：由本地模拟器代替云平台。";
    SignedInAs => "Signed in as", "当前用户";
    ServerUnavailable => "The Rewind server cannot be reached", "无法连接 Rewind 服务器";
    HomeIntro => "Choose a cloud to see its instances, disks and snapshots.", "选择云平台以查看实例、磁盘和快照。";
    TencentBlurb => "Roll back an instance's system disk (ApplyInstanceSnapshot) or take a snapshot first.", "回滚实例系统盘（ApplyInstanceSnapshot），或先创建快照。";
    AlibabaBlurb => "Reset a disk to one of its own snapshots (ResetDisk), with a dry run first.", "将磁盘重置为其自身的快照（ResetDisk），可先试运行。";
    HuaweiBlurb => "Restore up to 100 desktop snapshots in one batch and follow the job.", "一次批量恢复最多 100 个桌面快照并跟踪任务。";
    NotFound => "There is no page at this address.", "此地址没有页面。";
    SkipToContent => "Skip to content", "跳到主要内容";
    Instances => "Instances", "实例";
    Snapshots => "Snapshots", "快照";
    Disks => "Disks", "磁盘";
    DesktopSnapshots => "Desktop snapshots", "桌面快照";
    Views => "Views", "视图";
    Profile => "Profile", "配置";
    Region => "Region", "地域";
    NoProfile => "No profile for this cloud is configured for you.", "没有为您配置此云平台的账号。";
    FilterLabel => "Filter", "筛选";
    FilterPlaceholder => "ID or name", "ID 或名称";
    StateLabel => "State", "状态";
    AllStates => "All states", "全部状态";
    LoadMore => "Load more", "加载更多";
    Refresh => "Refresh", "刷新";
    NoRows => "Nothing here.", "暂无数据。";
    ShowingOf => "shown of", "条，共";
    Loaded => "loaded", "已加载";
    ColId => "ID", "ID";
    ColName => "Name", "名称";
    ColState => "State", "状态";
    ColZone => "Zone", "可用区";
    ColDisk => "Disk", "磁盘";
    ColInstance => "Instance", "实例";
    ColDesktop => "Desktop", "桌面";
    ColCreated => "Created", "创建时间";
    ColProgress => "Progress", "进度";
    ColSize => "Size (GiB)", "容量 (GiB)";
    ColType => "Type", "类型";
    RequestId => "RequestId", "RequestId";
    ErrorCode => "Error code", "错误码";
    Remedy => "What to do", "处理建议";
    Copy => "Copy", "复制";
    SortBy => "Sort by", "排序：";
}

/// The language context: read it with `use_i18n()`, switch with `set`.
#[derive(Debug, Clone, Copy)]
pub struct I18n {
    pub lang: RwSignal<Lang>,
}

impl I18n {
    /// A reactive getter for one message, for use in views.
    pub fn t(self, msg: Msg) -> impl Fn() -> &'static str + Copy + Send + Sync + 'static {
        move || msg.text(self.lang.get())
    }
}

/// The language context provided by `App`.
pub fn use_i18n() -> I18n {
    use_context::<I18n>().unwrap_or(I18n {
        lang: RwSignal::new(Lang::En),
    })
}

/// The language saved in this browser, else the browser's preference, else English.
pub fn initial_lang() -> Lang {
    let window = web_sys::window();
    let stored = window
        .as_ref()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|s| s.get_item(STORAGE_KEY).ok().flatten());
    let preferred = window.and_then(|w| w.navigator().language());
    choose_lang(stored.as_deref(), preferred.as_deref())
}

/// Remembers the choice for this browser.
pub fn store_lang(lang: Lang) {
    if let Some(storage) = web_sys::window().and_then(|w| w.local_storage().ok().flatten()) {
        let _ = storage.set_item(STORAGE_KEY, lang.code());
    }
}

/// Pure part of `initial_lang`: a stored choice wins, then a `zh*` browser language.
pub fn choose_lang(stored: Option<&str>, browser: Option<&str>) -> Lang {
    if let Some(lang) = stored.and_then(Lang::from_code) {
        return lang;
    }
    match browser {
        Some(b) if b.to_ascii_lowercase().starts_with("zh") => Lang::Zh,
        _ => Lang::En,
    }
}

/// The value for `<html lang>`.
pub fn html_lang(lang: Lang) -> &'static str {
    match lang {
        Lang::En => "en",
        Lang::Zh => "zh-CN",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_message_has_distinct_non_empty_text_in_both_languages() {
        // Technical names that both languages write the same way.
        let same = [Msg::ColId, Msg::RequestId];
        for &m in Msg::ALL {
            let (en, zh) = (m.text(Lang::En), m.text(Lang::Zh));
            assert!(!en.trim().is_empty() && !zh.trim().is_empty(), "{m:?}");
            if !same.contains(&m) {
                assert_ne!(en, zh, "{m:?} is not translated");
            }
        }
    }

    #[test]
    fn stored_choice_beats_browser_language() {
        assert_eq!(choose_lang(Some("en"), Some("zh-CN")), Lang::En);
        assert_eq!(choose_lang(Some("zh"), Some("en-US")), Lang::Zh);
        assert_eq!(choose_lang(None, Some("zh-TW")), Lang::Zh);
        assert_eq!(choose_lang(Some("garbage"), Some("fr")), Lang::En);
        assert_eq!(choose_lang(None, None), Lang::En);
    }
}
