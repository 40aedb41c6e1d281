use super::*;
use rewind_cloud::operation::power::StopMode;
use rewind_cloud::operation::{Operation, Power};
use serde_json::json;

fn spec(p: Provider, key: &str) -> &'static ListSpec {
    find(p, Some(key)).unwrap()
}

#[test]
fn every_view_names_a_real_read_action_of_its_cloud() {
    for v in VIEWS {
        let action = rewind_cloud::Action::lookup(v.provider, v.action)
            .unwrap_or_else(|| panic!("{} is not an action of {}", v.action, v.provider));
        assert!(!action.mutates(), "{} must be a read", v.action);
        assert!(v.columns.iter().any(|c| c.field == v.id_field));
    }
    assert_eq!(
        find(Provider::Alibaba, Some("nope")).unwrap().key,
        "instances"
    );
}

#[test]
fn tencent_pages_by_offset_until_the_total() {
    let s = spec(Provider::Tencent, "snapshots");
    assert_eq!(
        s.page_params(&Cursor::Start),
        json!({"Offset": 0, "Limit": 100})
    );
    let data = json!({"TotalCount": 3, "SnapshotSet": [{"SnapshotId": "lhsnap-1"}, {"SnapshotId": "lhsnap-2"}]});
    let (rows, next) = s.read_page(&data, 0);
    assert_eq!(rows.len(), 2);
    assert_eq!(next, Cursor::Offset(2));
    assert_eq!(s.page_params(&next), json!({"Offset": 2, "Limit": 100}));
    let (_, next) = s.read_page(&json!({"TotalCount": 3, "SnapshotSet": [{}]}), 2);
    assert_eq!(next, Cursor::Done);
    // A provider that reports more than it returns must not loop forever.
    let (_, next) = s.read_page(&json!({"TotalCount": 9, "SnapshotSet": []}), 2);
    assert_eq!(next, Cursor::Done);
}

#[test]
fn ecs_pages_by_next_token_and_reads_nested_rows() {
    let s = spec(Provider::Alibaba, "disks");
    let data = json!({"NextToken": "t2", "Disks": {"Disk": [{"DiskId": "d-1"}]}});
    let (rows, next) = s.read_page(&data, 0);
    assert_eq!(rows[0]["DiskId"], "d-1");
    assert_eq!(next, Cursor::Token("t2".into()));
    assert_eq!(
        s.page_params(&next),
        json!({"MaxResults": 100, "NextToken": "t2"})
    );
    let (_, next) = s.read_page(&json!({"NextToken": "", "Disks": {"Disk": [{}]}}), 1);
    assert_eq!(next, Cursor::Done);
}

#[test]
fn filters_match_the_disk_and_instance_ids_a_row_shows() {
    // ECS snapshots: `d-…` finds the snapshots of that disk.
    let s = spec(Provider::Alibaba, "snapshots");
    let rows = vec![
        json!({"SnapshotId": "s-1", "SnapshotName": "a", "SourceDiskId": "d-fwcklzt5", "Status": "accomplished"}),
        json!({"SnapshotId": "s-2", "SnapshotName": "b", "SourceDiskId": "d-other", "Status": "accomplished"}),
    ];
    assert_eq!(filter_indices(s, &rows, &[0, 1], "d-fwcklzt5", ""), vec![0]);
    // Lighthouse instances show their system disk, read inside the row, and match it.
    let s = spec(Provider::Tencent, "instances");
    let rows = vec![
        json!({"InstanceId": "lhins-1", "InstanceName": "web", "InstanceState": "RUNNING", "SystemDisk": {"DiskId": "lhdisk-aaa"}}),
        json!({"InstanceId": "lhins-2", "InstanceName": "db", "InstanceState": "RUNNING", "SystemDisk": {"DiskId": "lhdisk-bbb"}}),
    ];
    assert_eq!(cell(&rows[1], "SystemDisk.DiskId"), "lhdisk-bbb");
    assert_eq!(cell(&rows[1], "SystemDisk.Missing"), "—");
    assert_eq!(filter_indices(s, &rows, &[0, 1], "LHDISK-BBB", ""), vec![1]);
    assert_eq!(order(&rows, "SystemDisk.DiskId", false), vec![1, 0]);
}

#[test]
fn states_and_counts_read_naturally_in_chinese() {
    use rewind_cloud::Lang;
    let lh = spec(Provider::Tencent, "instances");
    assert_eq!(state_label(lh, "RUNNING", Lang::Zh), "运行中");
    assert_eq!(state_label(lh, "RUNNING", Lang::En), "RUNNING");
    // A state the model does not know stays as the cloud wrote it.
    assert_eq!(state_label(lh, "HIBERNATING", Lang::Zh), "HIBERNATING");
    let disks = spec(Provider::Alibaba, "disks");
    assert_eq!(state_label(disks, "In_use", Lang::Zh), "使用中");
    let ecs = spec(Provider::Alibaba, "snapshots");
    assert!(state_zh(ecs, "accomplished").is_some());
    let ws = spec(Provider::Huawei, "snapshots");
    assert!(state_zh(ws, "create_success").is_some());
    assert_eq!(
        count_text(Lang::Zh, 10, 10, Some(10)),
        "显示 10 条，共 10 条"
    );
    assert_eq!(count_text(Lang::En, 3, 100, None), "3 shown of 100 loaded");
}

#[test]
fn lists_open_newest_first_when_they_have_a_creation_time() {
    for v in VIEWS {
        let (field, ascending) = v.default_sort();
        match v.columns.iter().find(|c| c.time) {
            Some(c) => assert_eq!((field, ascending), (c.field, false), "{}", v.key),
            None => assert_eq!((field, ascending), (v.id_field, true), "{}", v.key),
        }
    }
    let snaps = spec(Provider::Tencent, "snapshots");
    assert_eq!(snaps.default_sort(), ("CreatedTime", false));
}

#[test]
fn filters_by_text_and_state_and_sorts_numbers_numerically() {
    let s = spec(Provider::Alibaba, "disks");
    let rows = vec![
        json!({"DiskId": "d-aaa", "DiskName": "web-system", "Status": "In_use", "Size": 100}),
        json!({"DiskId": "d-bbb", "DiskName": "db-data", "Status": "Available", "Size": 20}),
        json!({"DiskId": "d-ccc", "DiskName": "Web-logs", "Status": "In_use", "Size": 9}),
    ];
    let natural: Vec<usize> = (0..rows.len()).collect();
    assert_eq!(filter_indices(s, &rows, &natural, " WEB ", ""), vec![0, 2]);
    assert_eq!(filter_indices(s, &rows, &natural, "", "Available"), vec![1]);
    assert_eq!(
        filter_indices(s, &rows, &natural, "web", "In_use"),
        vec![0, 2]
    );
    let by_size = order(&rows, "Size", true);
    let sizes: Vec<_> = by_size
        .iter()
        .map(|&i| rows[i]["Size"].as_u64().unwrap())
        .collect();
    assert_eq!(sizes, vec![9, 20, 100]);
    // Filtering keeps the sort order.
    assert_eq!(filter_indices(s, &rows, &by_size, "web", ""), vec![2, 0]);
    let by_name = order(&rows, "DiskName", false);
    assert_eq!(rows[by_name[0]]["DiskName"], "web-system");
    // ID and name are matched separately, never across their boundary.
    assert_eq!(filter_indices(s, &rows, &natural, "d-b", ""), vec![1]);
    assert!(filter_indices(s, &rows, &natural, "bbbdb", "").is_empty());
    // Non-ASCII names still match case-insensitively.
    let zh = vec![json!({"DiskId": "d-zzz", "DiskName": "Ünïcode-数据盘", "Status": "In_use"})];
    assert_eq!(filter_indices(s, &zh, &[0], "ünï", ""), vec![0]);
    assert_eq!(filter_keys(&search_keys(s, &zh), &[0], "ÜNÏ", ""), vec![0]);
    assert_eq!(states(s, &rows), vec!["Available", "In_use"]);
    assert_eq!(cell(&rows[0], "Missing"), "—");
    assert_eq!(cell(&rows[0], "Size"), "100");
}

#[test]
fn row_actions_link_prefilled_forms_and_say_why_they_are_disabled() {
    let snaps = spec(Provider::Alibaba, "snapshots");
    let reset = &snaps.row_actions[0];
    let row = json!({"SnapshotId": "s-1", "SourceDiskId": "d-9", "Status": "accomplished"});
    assert_eq!(
        reset.href(Provider::Alibaba, &row, "prod", "cn-hangzhou"),
        "/alibaba/reset-disk?profile=prod&region=cn-hangzhou&disk=d-9&snapshot=s-1"
    );
    let allowed = vec!["ResetDisk".to_string()];
    assert_eq!(reset.unavailable(snaps, &row, &allowed, "prod"), None);
    // Not granted: the policy reason names the action and the profile.
    let why = reset.unavailable(snaps, &row, &[], "prod").unwrap();
    assert!(why.reason().en.contains("ResetDisk") && why.reason().en.contains("prod"));
    assert!(why.reason().zh.contains("ResetDisk"));
    // Granted but the snapshot is still being made: the state reason.
    let busy = json!({"SnapshotId": "s-2", "SourceDiskId": "d-9", "Status": "progressing"});
    let why = reset.unavailable(snaps, &busy, &allowed, "prod").unwrap();
    assert_eq!(
        why,
        Unavailable::State {
            state: "progressing".into()
        }
    );
    assert!(why.reason().en.contains("progressing"));
    // Every link opens a form or a list that exists; every action is the cloud's.
    for v in VIEWS {
        for a in v.row_actions {
            assert!(
                matches!(a.kind, ActionKind::Power(_))
                    || crate::restore::find(v.provider, a.form).is_some()
                    || views_of(v.provider).any(|l| l.key == a.form),
                "{}",
                a.form
            );
            assert!(
                rewind_cloud::Action::lookup(v.provider, a.action).is_some(),
                "{}",
                a.action
            );
        }
    }
}

#[test]
fn the_window_covers_the_viewport_plus_overscan() {
    // 10,000 rows of 33 px, a 660 px viewport: 20 rows shown, 10 above and below.
    assert_eq!(window(10_000, 0.0, 660.0, 33.0, 10), (0, 30));
    assert_eq!(window(10_000, 33.0 * 5000.0, 660.0, 33.0, 10), (4990, 5030));
    assert_eq!(window(10_000, 1e9, 660.0, 33.0, 10), (9989, 10_000));
    assert_eq!(window(3, 0.0, 660.0, 33.0, 10), (0, 3));
    assert_eq!(window(0, 0.0, 660.0, 33.0, 10), (0, 0));
}

#[test]
fn picking_toggles_and_stops_at_the_limit() {
    let mut picked = Vec::new();
    assert!(toggle_pick(&mut picked, "a", 2));
    assert!(toggle_pick(&mut picked, "b", 2));
    assert!(
        !toggle_pick(&mut picked, "c", 2),
        "a third pick past the limit"
    );
    assert_eq!(picked, ["a", "b"]);
    assert!(!toggle_pick(&mut picked, "a", 2), "a second click un-picks");
    assert_eq!(picked, ["b"]);
    assert!(toggle_pick(&mut picked, "c", 2));
    assert_eq!(picked, ["b", "c"]);
}

#[test]
fn only_workspace_snapshots_are_picked_and_they_open_the_restore_form() {
    let picking: Vec<_> = VIEWS.iter().filter(|v| v.pick.is_some()).collect();
    assert_eq!(picking.len(), 1);
    let ws = picking[0];
    assert_eq!((ws.provider, ws.key), (Provider::Huawei, "snapshots"));
    assert_eq!(
        ws.pick.map(|p| p.max),
        Some(rewind_cloud::validate::LIST_MAX)
    );
    let ids = [
        "9a2b0f3e-0000-4000-8000-000000000001",
        "9a2b0f3e-0000-4000-8000-000000000002",
    ]
    .map(String::from);
    let href = ws.pick_href(&ids, "demo", "cn-north-4").unwrap();
    assert_eq!(
        href,
        format!(
            "/huawei/restore?profile=demo&region=cn-north-4&snapshots={},{}",
            ids[0], ids[1]
        )
    );
    // The form reads that key and accepts the list.
    let form = crate::restore::find(Provider::Huawei, "restore").unwrap();
    let loc = crate::router::Location::parse(&href);
    let text = loc.query(form.fields[0].query).unwrap();
    let check = crate::restore::check_field(
        form,
        &form.fields[0],
        &text,
        &rewind_cloud::validate::ValidateOptions::default(),
    );
    assert!(check.is_ok(), "{check:?}");
    assert!(
        VIEWS
            .iter()
            .filter(|v| v.pick.is_none())
            .all(|v| v.pick_href(&ids, "p", "r").is_none())
    );
}

/// The rows of a list after its join, as the view does it.
fn joined(spec: &ListSpec, mut rows: Vec<Value>, other: &[Value]) -> Vec<Value> {
    let join = spec.join.unwrap();
    apply_join(&join, &mut rows, &join_index(&join, other));
    rows
}

#[test]
fn lighthouse_snapshots_name_their_instance_and_roll_back_to_it() {
    let snaps = spec(Provider::Tencent, "snapshots");
    let instances = [
        json!({"InstanceId": "lhins-1", "InstanceName": "blog", "SystemDisk": {"DiskId": "lhdisk-1"}}),
        json!({"InstanceId": "lhins-2", "InstanceName": "wiki", "SystemDisk": {"DiskId": "lhdisk-2"}}),
    ];
    let rows = joined(
        snaps,
        vec![
            json!({"SnapshotId": "lhsnap-a", "DiskId": "lhdisk-2", "SnapshotState": "NORMAL"}),
            json!({"SnapshotId": "lhsnap-b", "DiskId": "lhdisk-9", "SnapshotState": "NORMAL"}),
            json!({"SnapshotId": "lhsnap-c", "DiskId": "lhdisk-1", "SnapshotState": "CREATING"}),
        ],
        &instances,
    );
    assert_eq!(cell(&rows[0], "joined.InstanceName"), "wiki");
    assert_eq!(cell(&rows[0], "joined.InstanceId"), "lhins-2");
    // A disk no instance uses: no instance shown, and nothing to roll back.
    assert_eq!(cell(&rows[1], "joined.InstanceName"), "—");
    let back = &snaps.row_actions[0];
    let allowed = vec!["ApplyInstanceSnapshot".to_string()];
    assert_eq!(
        back.href(Provider::Tencent, &rows[0], "p", "ap-guangzhou"),
        "/tencent/rollback?profile=p&region=ap-guangzhou&instance=lhins-2&snapshot=lhsnap-a"
    );
    assert_eq!(back.unavailable(snaps, &rows[0], &allowed, "p"), None);
    let missing = back.unavailable(snaps, &rows[1], &allowed, "p").unwrap();
    assert_eq!(missing, Unavailable::Missing { key: "instance" });
    assert!(missing.reason().en.contains("No instance"));
    // Being created: the state reason, as the cloud would refuse it.
    assert_eq!(
        back.unavailable(snaps, &rows[2], &allowed, "p"),
        Some(Unavailable::State {
            state: "CREATING".into()
        })
    );
    // The action's states are the ones the typed model allows a rollback from.
    use rewind_cloud::tencent::SnapshotState;
    for state in ["NORMAL", "CREATING", "ROLLBACKING"] {
        assert_eq!(
            back.states.contains(&state),
            SnapshotState::parse(state).allows_rollback(),
            "{state}"
        );
    }
    // The instance's name and ID find its snapshots.
    let keys = search_keys(snaps, &rows);
    let all: Vec<usize> = (0..rows.len()).collect();
    assert_eq!(filter_keys(&keys, &all, "WIKI", ""), vec![0]);
    assert_eq!(filter_keys(&keys, &all, "lhins-1", ""), vec![2]);
    // The instance list could not be read: every instance reads `—`, the rows stay.
    let alone = joined(snaps, rows.clone(), &[]);
    assert_eq!(alone.len(), 3);
    assert!(alone.iter().all(|r| cell(r, "joined.InstanceName") == "—"));
}

#[test]
fn ecs_snapshots_show_their_disks_name_and_instance() {
    let snaps = spec(Provider::Alibaba, "snapshots");
    let disks = [
        json!({"DiskId": "d-1", "DiskName": "web-system", "InstanceId": "i-1"}),
        json!({"DiskId": "d-2", "DiskName": "spare", "InstanceId": ""}),
    ];
    let rows = joined(
        snaps,
        vec![
            json!({"SnapshotId": "s-1", "SourceDiskId": "d-1", "Status": "accomplished"}),
            json!({"SnapshotId": "s-2", "SourceDiskId": "d-2", "Status": "accomplished"}),
        ],
        &disks,
    );
    assert_eq!(cell(&rows[0], "joined.DiskName"), "web-system");
    assert_eq!(cell(&rows[0], "joined.InstanceId"), "i-1");
    // An unattached disk's empty InstanceId is no instance.
    assert_eq!(cell(&rows[1], "joined.DiskName"), "spare");
    assert_eq!(cell(&rows[1], "joined.InstanceId"), "—");
    let keys = search_keys(snaps, &rows);
    assert_eq!(filter_keys(&keys, &[0, 1], "spare", ""), vec![1]);
}

#[test]
fn every_join_reads_a_real_list_of_the_same_cloud() {
    for v in VIEWS.iter().filter(|v| v.join.is_some()) {
        let other = v
            .join_spec()
            .unwrap_or_else(|| panic!("{}/{}", v.provider, v.key));
        assert_eq!(other.provider, v.provider);
        assert_ne!(other.key, v.key);
        // What a column or an action reads under `joined.` is copied by the join.
        let join = v.join.unwrap();
        let reads = v
            .columns
            .iter()
            .flat_map(|c| [Some(c.field), c.sub])
            .flatten()
            .chain(
                v.row_actions
                    .iter()
                    .flat_map(|a| a.fill.iter().map(|f| f.1)),
            );
        for field in reads {
            if let Some(f) = field.strip_prefix("joined.") {
                assert!(join.copy.contains(&f), "{}/{}: {f}", v.provider, v.key);
            }
        }
    }
}

#[test]
fn tags_are_read_in_both_clouds_shapes_and_filter_the_rows() {
    let lh = json!({"Tags": [{"Key": "env", "Value": "prod"}, {"Key": "team", "Value": ""}]});
    let ecs = json!({"Tags": {"Tag": [{"TagKey": "env", "TagValue": "test"}]}});
    assert_eq!(
        tags(&lh, "Tags"),
        vec![
            ("env".into(), "prod".into()),
            ("team".into(), String::new())
        ]
    );
    assert_eq!(tags(&ecs, "Tags"), vec![("env".into(), "test".into())]);
    assert_eq!(tags(&json!({}), "Tags"), Vec::<(String, String)>::new());
    assert_eq!(tag_text("env", "prod"), "env=prod");
    assert_eq!(tag_text("team", ""), "team");
    // Typing `env=prod` or `prod` finds the tagged rows.
    let instances = spec(Provider::Alibaba, "instances");
    let rows = vec![
        json!({"InstanceId": "i-1", "Status": "Running",
               "Tags": {"Tag": [{"TagKey": "env", "TagValue": "prod"}]}}),
        json!({"InstanceId": "i-2", "Status": "Running",
               "Tags": {"Tag": [{"TagKey": "env", "TagValue": "test"}]}}),
    ];
    let keys = search_keys(instances, &rows);
    assert_eq!(filter_keys(&keys, &[0, 1], "env=prod", ""), vec![0]);
    assert_eq!(filter_keys(&keys, &[0, 1], "prod", ""), vec![0]);
    assert_eq!(filter_keys(&keys, &[0, 1], "env=", ""), vec![0, 1]);
    let lh_instances = spec(Provider::Tencent, "instances");
    let keys = search_keys(lh_instances, std::slice::from_ref(&lh));
    assert_eq!(filter_keys(&keys, &[0], "ENV=PROD", ""), vec![0]);
}

#[test]
fn ecs_instances_stop_start_and_open_their_disks_by_state_and_grant() {
    let list = spec(Provider::Alibaba, "instances");
    let action = |form: &str| list.row_actions.iter().find(|a| a.form == form).unwrap();
    let (stop, start, disks) = (action("stop"), action("start"), action("disks"));
    let running = json!({"InstanceId": "i-1", "InstanceName": "web-2", "Status": "Running"});
    let stopped = json!({"InstanceId": "i-1", "InstanceName": "web-2", "Status": "Stopped"});
    let all: Vec<String> = ["StopInstance", "StartInstance", "ResetDisk"]
        .map(String::from)
        .to_vec();
    assert_eq!(stop.unavailable(list, &running, &all, "p"), None);
    assert!(stop.unavailable(list, &stopped, &all, "p").is_some());
    assert_eq!(start.unavailable(list, &stopped, &all, "p"), None);
    assert!(start.unavailable(list, &running, &all, "p").is_some());
    // Not granted: the policy names the action.
    let only_reset = vec!["ResetDisk".to_string()];
    assert_eq!(
        stop.unavailable(list, &running, &only_reset, "p"),
        Some(Unavailable::Policy {
            action: "StopInstance",
            profile: "p".into()
        })
    );
    // The operations: the instance named, ECS's stop options kept for a stop only.
    let mode = StopMode {
        force: true,
        ..StopMode::default()
    };
    match stop.power_plan(list, &running, mode.clone()) {
        Some(Operation::EcsPower(p)) => {
            assert_eq!(p.instance_id, "i-1");
            assert_eq!(p.power, Power::Stop);
            assert_eq!(p.instance_name.as_deref(), Some("web-2"));
            assert!(p.stop.force);
        }
        other => panic!("{other:?}"),
    }
    match start.power_plan(list, &stopped, mode.clone()) {
        Some(Operation::EcsPower(p)) => {
            assert_eq!(p.power, Power::Start);
            assert_eq!(p.stop, StopMode::default());
        }
        other => panic!("{other:?}"),
    }
    // A link has no operation; "roll back a disk" opens the instance's disks.
    assert_eq!(disks.power_plan(list, &running, mode), None);
    assert_eq!(
        disks.href(Provider::Alibaba, &running, "p", "cn-hangzhou"),
        "/alibaba/disks?profile=p&region=cn-hangzhou&q=i-1"
    );
}

#[test]
fn ecs_instances_show_their_system_disk_not_a_data_disk() {
    let instances = spec(Provider::Alibaba, "instances");
    let disks = [
        json!({"DiskId": "d-data", "InstanceId": "i-1", "Type": "data"}),
        json!({"DiskId": "d-sys", "InstanceId": "i-1", "Type": "system"}),
        json!({"DiskId": "d-free", "InstanceId": "", "Type": "data"}),
    ];
    let rows = joined(
        instances,
        vec![
            json!({"InstanceId": "i-1", "Status": "Running"}),
            json!({"InstanceId": "i-2", "Status": "Running"}),
        ],
        &disks,
    );
    assert_eq!(cell(&rows[0], "joined.DiskId"), "d-sys");
    assert_eq!(cell(&rows[1], "joined.DiskId"), "—");
    // The system disk's ID finds its instance.
    let keys = search_keys(instances, &rows);
    assert_eq!(filter_keys(&keys, &[0, 1], "d-sys", ""), vec![0]);
}
