//! Seed worlds, deterministic from a seed. The `demo` world holds, for every rule, a
//! named resource that passes it and one that fails it (the names are in [`names`]);
//! the `scale` world is the demo world plus bulk resources (10,000+ snapshots) and, in
//! every region, a fleet of [`FLEET`] Lighthouse and ECS instances with one usable
//! snapshot each (the operations bench: 1,000 operations at once, a 100-instance batch).

use crate::World;
use crate::clock::utc_ms;
use crate::prng::{LOWER_ALNUM, SplitMix64};
use crate::{ecs, lighthouse as lh, workspace as ws};
use rewind_cloud::limits::{ECS_SNAPSHOTS_PER_DISK, LIGHTHOUSE_SNAPSHOTS_PER_INSTANCE};
use std::collections::BTreeMap;

const HOUR: u64 = 3_600_000;
const DAY: u64 = 24 * HOUR;
/// Seeded operations that must stay under way for a demo session (a "live" failure example).
const LONG: u64 = 24 * HOUR;
/// Fleet instances per region and provider in the scale world.
pub const FLEET: usize = 200;
/// The fleets draw from their own random stream (this, the seed and the region), so
/// the rest of the scale world is the same with or without them.
const FLEET_STREAM: u64 = 0xF1EE_7000;

/// Names of the scenario resources, so tests and the README can find them.
pub mod names {
    pub const LH_REGION: &str = "ap-guangzhou";
    pub const LH_REGIONS: [&str; 3] = ["ap-guangzhou", "ap-shanghai", "ap-singapore"];
    /// RUNNING; snapshots `blog-daily` (NORMAL, fits) → apply force-stops it.
    pub const LH_RUNNING: &str = "blog-prod";
    /// STOPPED; `wiki-good` fits, `wiki-before-resize` is DiskSizeNotMatch, `wiki-nightly` is CREATING.
    pub const LH_STOPPED: &str = "wiki";
    pub const LH_CREATING_INSTANCE: &str = "shop-new";
    pub const LH_BUSY_INSTANCE: &str = "api-gateway";
    pub const LH_SHUTDOWN_INSTANCE: &str = "old-crm";
    /// At its snapshot quota.
    pub const LH_FULL_INSTANCE: &str = "game-server";

    pub const ECS_REGION: &str = "cn-hangzhou";
    pub const ECS_REGIONS: [&str; 3] = ["cn-hangzhou", "cn-shanghai", "cn-beijing"];
    /// Stopped, system disk In_use with accomplished snapshots; a data disk that is Attaching.
    pub const ECS_STOPPED: &str = "web-1";
    pub const ECS_RUNNING: &str = "web-2";
    pub const ECS_LOCKED: &str = "legacy-locked";
    /// System disk at the 64-snapshot quota, one of them from 2012 (too old).
    pub const ECS_FULL: &str = "archive";
    /// Stopped; its disk has a snapshot still being created and a failed one.
    pub const ECS_BUSY: &str = "batch-worker";
    pub const ECS_EXPIRED: &str = "expired-box";
    pub const ECS_PENDING: &str = "new-node";
    /// An unattached (Available) disk with a snapshot.
    pub const ECS_SPARE_DISK: &str = "spare-data";

    /// Scale world: `fleet-000`… in every Lighthouse and ECS region, each RUNNING or
    /// STOPPED with one snapshot `fleet-NNN-base` that fits its system disk.
    pub const FLEET_PREFIX: &str = "fleet-";

    pub const WS_OK_DESKTOP: &str = "desk-alice";
    pub const WS_OK_DESKTOP_2: &str = "desk-bob";
    /// Restores of this desktop fail.
    pub const WS_FAILING_DESKTOP: &str = "desk-carol";
    /// Its latest snapshot is still being created.
    pub const WS_CREATING_DESKTOP: &str = "desk-dave";
    /// A restore of it is already running (conflict).
    pub const WS_RESTORING_DESKTOP: &str = "desk-erin";
    pub const WS_FAIL_CODE: &str = "WKS.00110043";
    pub const WS_FAIL_REASON: &str =
        "The desktop agent did not respond while the disk was being restored.";
}

fn id(rng: &mut SplitMix64, prefix: &str, len: usize) -> String {
    format!("{prefix}{}", rng.chars(LOWER_ALNUM, len))
}

// ---------------------------------------------------------------- Lighthouse

struct LhBuilder<'a> {
    rng: &'a mut SplitMix64,
    origin: u64,
    region: lh::Region,
    zone: String,
}

impl LhBuilder<'_> {
    fn instance(&mut self, name: &str, state: lh::InstanceState, disk_size: u32) -> usize {
        let n = self.region.instances.len() as u64;
        let inst = lh::Instance {
            id: id(self.rng, "lhins-", 8),
            name: name.to_string(),
            zone: self.zone.clone(),
            bundle_id: self
                .rng
                .pick(&["bundle_gen_03", "bundle_gen_05", "bundle_ent_01"])
                .to_string(),
            blueprint_id: "lhbp-ubuntu2204".to_string(),
            state,
            private_ip: format!("10.0.{}.{}", n / 200, 10 + n % 200),
            public_ip: format!("203.0.113.{}", 10 + n % 200),
            tags: vec![(
                "env".into(),
                if name.contains("prod") {
                    "prod".into()
                } else {
                    "dev".into()
                },
            )],
            disk_id: id(self.rng, "lhdisk-", 8),
            disk_size,
            created_ms: self.origin - 90 * DAY - n * HOUR,
            expired_ms: self.origin + 275 * DAY,
            latest: None,
            transition: None,
        };
        self.region.instances.push(inst);
        self.region.instances.len() - 1
    }

    fn snapshot(
        &mut self,
        inst: usize,
        name: &str,
        state: lh::SnapshotState,
        disk_size: u32,
        age_ms: u64,
    ) -> String {
        let i = &self.region.instances[inst];
        let created = self.origin - age_ms;
        let snap = lh::Snapshot {
            id: id(self.rng, "lhsnap-", 8),
            name: name.to_string(),
            instance_id: i.id.clone(),
            disk_id: i.disk_id.clone(),
            disk_size,
            state: state.clone(),
            created_ms: created,
            create_done_ms: if state == lh::SnapshotState::Creating {
                self.origin + LONG
            } else {
                created + 10 * 60_000
            },
            latest: Some(lh::Operation {
                name: "CreateInstanceSnapshot",
                state: if state == lh::SnapshotState::Creating {
                    lh::OperationState::Operating
                } else {
                    lh::OperationState::Success
                },
                request_id: self.rng.uuid(),
                started_ms: created,
            }),
            tags: Vec::new(),
        };
        let sid = snap.id.clone();
        self.region.snapshots.push(snap);
        sid
    }

    fn filler(&mut self, count: usize, snaps_per: usize) {
        use lh::InstanceState::*;
        for k in 0..count {
            let state = self.rng.pick(&[Running, Running, Running, Stopped]).clone();
            let size = *self.rng.pick(&[40, 50, 60, 80]);
            let i = self.instance(&format!("node-{k:03}"), state, size);
            let n = self.rng.below(snaps_per as u64 + 1) as usize;
            for s in 0..n.min(snaps_per) {
                self.snapshot(
                    i,
                    &format!("node-{k:03}-snap-{s}"),
                    lh::SnapshotState::Normal,
                    size,
                    (s as u64 + 1) * DAY,
                );
            }
        }
    }

    /// `count` instances, RUNNING or STOPPED, each with one NORMAL snapshot that fits.
    fn fleet(&mut self, count: usize) {
        use lh::InstanceState::*;
        for k in 0..count {
            let state = self.rng.pick(&[Running, Running, Running, Stopped]).clone();
            let size = *self.rng.pick(&[40, 50, 60, 80]);
            let name = format!("{}{k:03}", names::FLEET_PREFIX);
            let i = self.instance(&name, state, size);
            self.snapshot(
                i,
                &format!("{name}-base"),
                lh::SnapshotState::Normal,
                size,
                DAY,
            );
        }
    }
}

pub fn lighthouse(world: World, seed: u64, origin: u64) -> lh::Account {
    use lh::InstanceState::*;
    use lh::SnapshotState::*;
    let mut rng = SplitMix64::new(seed ^ 0x1167_0001);
    let mut acct = lh::Account::default();
    for (ri, region) in names::LH_REGIONS.iter().enumerate() {
        let mut b = LhBuilder {
            rng: &mut rng,
            origin,
            region: lh::Region::default(),
            zone: format!("{region}-3"),
        };
        if ri == 0 {
            let blog = b.instance(names::LH_RUNNING, Running, 50);
            b.snapshot(blog, "blog-daily", Normal, 50, DAY);
            b.snapshot(blog, "blog-weekly", Normal, 50, 7 * DAY);
            let wiki = b.instance(names::LH_STOPPED, Stopped, 60);
            b.snapshot(wiki, "wiki-good", Normal, 60, 2 * DAY);
            b.snapshot(wiki, "wiki-before-resize", Normal, 40, 30 * DAY);
            b.snapshot(wiki, "wiki-nightly", Creating, 60, HOUR / 2);
            b.instance(names::LH_CREATING_INSTANCE, Pending, 40);
            let busy = b.instance(names::LH_BUSY_INSTANCE, Stopping, 40);
            b.snapshot(busy, "api-gateway-snap", Normal, 40, 3 * DAY);
            let req = b.rng.uuid();
            let inst = &mut b.region.instances[busy];
            inst.transition = Some(lh::Transition::Stopping {
                done_ms: origin + LONG,
            });
            inst.latest = Some(lh::Operation::started(
                "StopInstances",
                &req,
                origin - 60_000,
            ));
            let old = b.instance(names::LH_SHUTDOWN_INSTANCE, Shutdown, 40);
            b.snapshot(old, "old-crm-final", Normal, 40, 40 * DAY);
            let full = b.instance(names::LH_FULL_INSTANCE, Running, 80);
            for s in 0..LIGHTHOUSE_SNAPSHOTS_PER_INSTANCE as u64 {
                b.snapshot(full, &format!("game-server-{s}"), Normal, 80, (s + 1) * DAY);
            }
        }
        b.filler(if ri == 0 { 4 } else { 6 }, 3);
        if world == World::Scale {
            b.filler(100, 4);
            let mut fleet_rng = SplitMix64::new(seed ^ FLEET_STREAM ^ ri as u64);
            let mut f = LhBuilder {
                rng: &mut fleet_rng,
                origin,
                region: std::mem::take(&mut b.region),
                zone: b.zone.clone(),
            };
            f.fleet(FLEET);
            b.region = f.region;
        }
        let r = b.region;
        acct.regions.insert(region.to_string(), r);
    }
    acct
}

// ---------------------------------------------------------------- ECS

struct EcsBuilder<'a> {
    rng: &'a mut SplitMix64,
    origin: u64,
    region: ecs::Region,
    zone: String,
}

impl EcsBuilder<'_> {
    fn ecs_id(&mut self, prefix: &str) -> String {
        id(self.rng, prefix, 20)
    }

    /// An instance with a system disk; returns (instance index, system disk id).
    fn instance(&mut self, name: &str, status: ecs::InstanceStatus, size: u32) -> (usize, String) {
        let n = self.region.instances.len() as u64;
        let iid = self.ecs_id("i-");
        self.region.instances.push(ecs::Instance {
            id: iid.clone(),
            name: name.to_string(),
            zone: self.zone.clone(),
            instance_type: self
                .rng
                .pick(&["ecs.g7.large", "ecs.c7.xlarge", "ecs.t6-c1m2.large"])
                .to_string(),
            status,
            locks: Vec::new(),
            pending: None,
            expired: false,
            created_ms: self.origin - 120 * DAY - n * HOUR,
            tags: vec![(
                "team".into(),
                if name.starts_with("app-") {
                    "platform".into()
                } else {
                    "web".into()
                },
            )],
        });
        let did = self.disk(name, Some(iid), "system", ecs::DiskStatus::InUse, size);
        (self.region.instances.len() - 1, did)
    }

    fn disk(
        &mut self,
        name: &str,
        instance: Option<String>,
        disk_type: &'static str,
        status: ecs::DiskStatus,
        size: u32,
    ) -> String {
        let did = self.ecs_id("d-");
        let dev = if disk_type == "system" {
            "/dev/xvda"
        } else {
            "/dev/xvdb"
        };
        self.region.disks.push(ecs::Disk {
            id: did.clone(),
            name: format!("{name}-{disk_type}"),
            zone: self.zone.clone(),
            device: if instance.is_some() {
                dev.to_string()
            } else {
                String::new()
            },
            instance_id: instance,
            disk_type,
            category: "cloud_essd",
            status,
            size,
            source_snapshot_id: String::new(),
            reinit: None,
            created_ms: self.origin - 120 * DAY,
        });
        did
    }

    fn snapshot(
        &mut self,
        disk_id: &str,
        name: &str,
        status: ecs::SnapshotStatus,
        created_ms: u64,
    ) -> String {
        let (size, dtype) = self
            .region
            .disks
            .iter()
            .find(|d| d.id == disk_id)
            .map(|d| (d.size, d.disk_type))
            .unwrap_or((40, "system"));
        let sid = self.ecs_id("s-");
        self.region.snapshots.push(ecs::Snapshot {
            id: sid.clone(),
            name: name.to_string(),
            description: String::new(),
            source_disk_id: disk_id.to_string(),
            source_disk_type: dtype,
            source_disk_size: size,
            status: status.clone(),
            created_ms,
            done_ms: if status == ecs::SnapshotStatus::Progressing {
                self.origin + LONG
            } else {
                created_ms + 15 * 60_000
            },
            retention_days: None,
            snapshot_type: if name.starts_with("auto") {
                "auto"
            } else {
                "user"
            },
            client_token: None,
            tags: Vec::new(),
        });
        sid
    }

    fn filler(&mut self, count: usize, snaps_per: usize, exact: bool) {
        use ecs::InstanceStatus::*;
        for k in 0..count {
            let status = self.rng.pick(&[Running, Running, Stopped]).clone();
            let (_, disk) = self.instance(&format!("app-{k:03}"), status, 40);
            let n = if exact {
                snaps_per
            } else {
                self.rng.below(snaps_per as u64 + 1) as usize
            };
            for s in 0..n {
                let name = if s % 3 == 0 {
                    format!("auto_{k:03}_{s}")
                } else {
                    format!("app-{k:03}-{s}")
                };
                self.snapshot(
                    &disk,
                    &name,
                    ecs::SnapshotStatus::Accomplished,
                    self.origin - (s as u64 + 1) * DAY,
                );
            }
        }
    }

    /// `count` instances, Running or Stopped, each with a system disk and one
    /// accomplished snapshot of it.
    fn fleet(&mut self, count: usize) {
        use ecs::InstanceStatus::*;
        for k in 0..count {
            let status = self.rng.pick(&[Running, Running, Stopped]).clone();
            let name = format!("{}{k:03}", names::FLEET_PREFIX);
            let (_, disk) = self.instance(&name, status, 40);
            let at = self.origin - DAY;
            self.snapshot(
                &disk,
                &format!("{name}-base"),
                ecs::SnapshotStatus::Accomplished,
                at,
            );
        }
    }
}

pub fn ecs(world: World, seed: u64, origin: u64) -> ecs::Account {
    use ecs::InstanceStatus::*;
    use ecs::SnapshotStatus::*;
    let mut rng = SplitMix64::new(seed ^ 0xEC5_0002);
    let mut acct = ecs::Account::default();
    for (ri, region) in names::ECS_REGIONS.iter().enumerate() {
        let mut b = EcsBuilder {
            rng: &mut rng,
            origin,
            region: ecs::Region::default(),
            zone: format!("{region}-h"),
        };
        if ri == 0 {
            let (web1, d1) = b.instance(names::ECS_STOPPED, Stopped, 40);
            for s in 0..3 {
                b.snapshot(
                    &d1,
                    &format!("web-1-before-deploy-{s}"),
                    Accomplished,
                    origin - (s + 1) * DAY,
                );
            }
            let web1_id = b.region.instances[web1].id.clone();
            let data = b.disk(
                names::ECS_STOPPED,
                Some(web1_id),
                "data",
                ecs::DiskStatus::Attaching,
                100,
            );
            b.snapshot(&data, "web-1-data", Accomplished, origin - 2 * DAY);
            let (_, d2) = b.instance(names::ECS_RUNNING, Running, 40);
            b.snapshot(&d2, "web-2-daily", Accomplished, origin - DAY);
            let (locked, d3) = b.instance(names::ECS_LOCKED, Stopped, 40);
            b.region.instances[locked]
                .locks
                .push(ecs::LockReason::Security);
            b.snapshot(
                &d3,
                "legacy-before-incident",
                Accomplished,
                origin - 10 * DAY,
            );
            let (_, d4) = b.instance(names::ECS_FULL, Stopped, 40);
            b.snapshot(
                &d4,
                "archive-2012",
                Accomplished,
                utc_ms(2012, 11, 5, 3, 0, 0),
            );
            for s in 1..ECS_SNAPSHOTS_PER_DISK as u64 {
                b.snapshot(
                    &d4,
                    &format!("archive-{s:02}"),
                    Accomplished,
                    origin - (70 - s) * DAY,
                );
            }
            let (_, d5) = b.instance(names::ECS_BUSY, Stopped, 40);
            b.snapshot(&d5, "batch-good", Accomplished, origin - 3 * DAY);
            b.snapshot(&d5, "batch-broken", Failed, origin - 2 * DAY);
            b.snapshot(&d5, "batch-in-progress", Progressing, origin - 10 * 60_000);
            let (exp, d6) = b.instance(names::ECS_EXPIRED, Stopped, 40);
            b.region.instances[exp].expired = true;
            b.snapshot(&d6, "expired-box-last", Accomplished, origin - 30 * DAY);
            b.instance(names::ECS_PENDING, Pending, 40);
            let spare = b.disk(
                names::ECS_SPARE_DISK,
                None,
                "data",
                ecs::DiskStatus::Available,
                200,
            );
            b.snapshot(&spare, "spare-data-snap", Accomplished, origin - 5 * DAY);
        }
        b.filler(if ri == 0 { 4 } else { 6 }, 4, false);
        if world == World::Scale {
            // One table of 10,000+: 180 disks × 56 snapshots = 10,080 snapshots in the
            // first region; 112 in each other region, enough to page.
            b.filler(if ri == 0 { 180 } else { 2 }, 56, true);
            let mut fleet_rng = SplitMix64::new(seed ^ FLEET_STREAM ^ 0xEC5 ^ ri as u64);
            let mut f = EcsBuilder {
                rng: &mut fleet_rng,
                origin,
                region: std::mem::take(&mut b.region),
                zone: b.zone.clone(),
            };
            f.fleet(FLEET);
            b.region = f.region;
        }
        acct.regions.insert(region.to_string(), b.region);
    }
    acct
}

// ---------------------------------------------------------------- Workspace

fn ws_snapshot(
    rng: &mut SplitMix64,
    desktop: &ws::Desktop,
    name: &str,
    system: bool,
    status: ws::SnapshotStatus,
    created_ms: u64,
    origin: u64,
) -> ws::Snapshot {
    ws::Snapshot {
        id: rng.uuid(),
        name: name.to_string(),
        desktop_id: desktop.id.clone(),
        is_system_disk: system,
        status: status.clone(),
        description: String::new(),
        created_ms,
        create_done_ms: if status == ws::SnapshotStatus::Creating {
            origin + LONG
        } else {
            created_ms + 5 * 60_000
        },
        create_type: if name.starts_with("auto") {
            "AUTO"
        } else {
            "MANUALLY"
        },
        last_restore_ms: None,
        restore_fail_reason: None,
    }
}

pub fn workspace(
    world: World,
    seed: u64,
    origin: u64,
    projects: &BTreeMap<String, String>,
) -> ws::Account {
    use ws::SnapshotStatus::*;
    let mut rng = SplitMix64::new(seed ^ 0x3b5_0003);
    let mut acct = ws::Account::default();
    for (pi, (project_id, region)) in projects.iter().enumerate() {
        let mut p = ws::Project {
            region: region.clone(),
            ..Default::default()
        };
        let desktop = |rng: &mut SplitMix64, p: &mut ws::Project, name: &str| -> ws::Desktop {
            let d = ws::Desktop {
                id: rng.uuid(),
                name: name.to_string(),
                restore_fails: None,
            };
            p.desktops.push(d.clone());
            d
        };
        if pi == 0 {
            for name in [names::WS_OK_DESKTOP, names::WS_OK_DESKTOP_2] {
                let d = desktop(&mut rng, &mut p, name);
                for (k, status) in [CreateSuccess, RestoreSuccess].into_iter().enumerate() {
                    let s = ws_snapshot(
                        &mut rng,
                        &d,
                        &format!("{name}-snap-{k}"),
                        true,
                        status,
                        origin - (k as u64 + 1) * DAY,
                        origin,
                    );
                    p.snapshots.push(s);
                }
                let s = ws_snapshot(
                    &mut rng,
                    &d,
                    &format!("{name}-data"),
                    false,
                    CreateSuccess,
                    origin - 3 * DAY,
                    origin,
                );
                p.snapshots.push(s);
            }
            let mut carol = desktop(&mut rng, &mut p, names::WS_FAILING_DESKTOP);
            carol.restore_fails = Some((names::WS_FAIL_CODE.into(), names::WS_FAIL_REASON.into()));
            if let Some(d) = p.desktops.iter_mut().find(|d| d.id == carol.id) {
                d.restore_fails = carol.restore_fails.clone();
            }
            let s = ws_snapshot(
                &mut rng,
                &carol,
                "desk-carol-snap-0",
                true,
                CreateSuccess,
                origin - DAY,
                origin,
            );
            p.snapshots.push(s);
            let dave = desktop(&mut rng, &mut p, names::WS_CREATING_DESKTOP);
            let s = ws_snapshot(
                &mut rng,
                &dave,
                "desk-dave-snap-old",
                true,
                CreateSuccess,
                origin - 4 * DAY,
                origin,
            );
            p.snapshots.push(s);
            let s = ws_snapshot(
                &mut rng,
                &dave,
                "desk-dave-snap-new",
                true,
                Creating,
                origin - 5 * 60_000,
                origin,
            );
            p.snapshots.push(s);
            let erin = desktop(&mut rng, &mut p, names::WS_RESTORING_DESKTOP);
            let s1 = ws_snapshot(
                &mut rng,
                &erin,
                "desk-erin-snap-0",
                true,
                Restoring,
                origin - 2 * DAY,
                origin,
            );
            let s2 = ws_snapshot(
                &mut rng,
                &erin,
                "desk-erin-snap-1",
                true,
                CreateSuccess,
                origin - DAY,
                origin,
            );
            p.jobs.push(ws::Job {
                id: rng.uuid(),
                created_ms: origin - 60_000,
                sub_jobs: vec![ws::DesktopRestore {
                    id: rng.uuid(),
                    snapshot_id: s1.id.clone(),
                    desktop_id: erin.id.clone(),
                    desktop_name: erin.name.clone(),
                    start_ms: origin - 50_000,
                    done_ms: origin + LONG,
                    fails: None,
                }],
                applied: false,
            });
            p.snapshots.push(s1);
            p.snapshots.push(s2);
        }
        let count = if world == World::Scale { 400 } else { 4 };
        for k in 0..count {
            let d = desktop(&mut rng, &mut p, &format!("pool-{k:03}"));
            for s in 0..3u64 {
                let name = if s == 0 {
                    format!("auto-pool-{k:03}")
                } else {
                    format!("pool-{k:03}-{s}")
                };
                let snap = ws_snapshot(
                    &mut rng,
                    &d,
                    &name,
                    s != 2,
                    CreateSuccess,
                    origin - (s + 1) * DAY,
                    origin,
                );
                p.snapshots.push(snap);
            }
        }
        acct.projects.insert(project_id.clone(), p);
    }
    acct
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn worlds_are_deterministic_and_scale_is_large() {
        let a = ecs(World::Demo, 7, 1_700_000_000_000);
        let b = ecs(World::Demo, 7, 1_700_000_000_000);
        let ids = |x: &ecs::Account| {
            x.regions
                .values()
                .flat_map(|r| r.snapshots.iter().map(|s| s.id.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(ids(&a), ids(&b));
        let c = ecs(World::Demo, 8, 1_700_000_000_000);
        assert_ne!(ids(&a), ids(&c));
        let scale = ecs(World::Scale, 7, 1_700_000_000_000);
        assert!(ids(&scale).len() >= 10_000, "{}", ids(&scale).len());
        let lh = lighthouse(World::Demo, 7, 1_700_000_000_000);
        let n: usize = lh.regions.values().map(|r| r.instances.len()).sum();
        assert!((20..=60).contains(&n), "{n}");
        assert!(
            lh.regions
                .values()
                .flat_map(|r| &r.instances)
                .all(|i| !i.name.starts_with(names::FLEET_PREFIX)),
            "the demo world has no fleet"
        );
    }

    #[test]
    fn the_scale_world_has_a_fleet_with_one_usable_snapshot_per_instance() {
        let lh = lighthouse(World::Scale, 7, 1_700_000_000_000);
        let mut ids = std::collections::BTreeSet::new();
        for (name, r) in &lh.regions {
            let fleet: Vec<_> = r
                .instances
                .iter()
                .filter(|i| i.name.starts_with(names::FLEET_PREFIX))
                .collect();
            assert_eq!(fleet.len(), FLEET, "{name}");
            for i in fleet {
                assert!(i.state.allows_rollback(), "{}", i.name);
                let snaps: Vec<_> = r
                    .snapshots
                    .iter()
                    .filter(|s| s.disk_id == i.disk_id)
                    .collect();
                assert_eq!(snaps.len(), 1, "{}", i.name);
                assert!(snaps[0].state.allows_rollback() && snaps[0].disk_size == i.disk_size);
            }
            for i in &r.instances {
                assert!(ids.insert(i.id.clone()), "{} twice", i.id);
            }
        }
        let ecs = ecs(World::Scale, 7, 1_700_000_000_000);
        for (name, r) in &ecs.regions {
            let fleet = r
                .instances
                .iter()
                .filter(|i| i.name.starts_with(names::FLEET_PREFIX))
                .count();
            assert_eq!(fleet, FLEET, "{name}");
            let mut disks = std::collections::BTreeSet::new();
            assert!(r.disks.iter().all(|d| disks.insert(d.id.clone())));
        }
    }
}
