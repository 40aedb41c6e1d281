//! Fault injection: latency, error responses and dropped connections for the next N
//! requests or a fraction of them, per provider and action. Off unless enabled; the
//! admin endpoint that edits the rules answers loopback callers only.

use crate::prng::SplitMix64;
use rewind_cloud::Provider;
use serde::{Deserialize, Serialize};

/// Longest injectable latency: enough to trip any client timeout, short of hanging.
pub const MAX_LATENCY_MS: u64 = 600_000;

/// What a fault does to a matching request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Effect {
    /// Delay the response (the request is still served).
    Latency { ms: u64 },
    /// Answer with this error in the provider's shape. `status` defaults per provider
    /// (Tencent 200, others 500; throttling codes 400 on ECS and 429 on Workspace).
    Error {
        code: String,
        #[serde(default)]
        message: Option<String>,
        #[serde(default)]
        status: Option<u16>,
    },
    /// The provider's throttling error (`RequestLimitExceeded`, `Throttling.User`, `APIGW.0308`).
    Throttle,
    /// The provider's internal error (`InternalError`, `InternalError`, HTTP 500).
    Internal,
    /// Close the connection without answering.
    Drop,
}

/// One rule: which requests, how many, and what happens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fault {
    /// `tencent`, `alibaba`, `huawei`; all when absent.
    #[serde(default)]
    pub provider: Option<Provider>,
    /// The provider's action name (`ResetDisk`, `ListDesktopSnapshot`); all when absent.
    #[serde(default)]
    pub action: Option<String>,
    /// Apply to the next `count` matching requests, then retire.
    #[serde(default)]
    pub count: Option<u32>,
    /// Apply to this fraction (0–1) of matching requests, drawn from the seeded PRNG.
    #[serde(default)]
    pub fraction: Option<f64>,
    #[serde(flatten)]
    pub effect: Effect,
}

#[derive(Debug, Clone, Serialize)]
pub struct Rule {
    pub id: u64,
    #[serde(flatten)]
    pub fault: Fault,
}

/// What to do to one request.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Decision {
    pub latency_ms: u64,
    /// An error or drop, the first that fired.
    pub effect: Option<Effect>,
}

#[derive(Debug)]
pub struct Faults {
    rules: Vec<Rule>,
    next_id: u64,
    rng: SplitMix64,
}

impl Faults {
    pub fn new(seed: u64) -> Faults {
        Faults {
            rules: Vec::new(),
            next_id: 1,
            rng: SplitMix64::new(seed ^ 0xFA17),
        }
    }

    pub fn add(&mut self, fault: Fault) -> Result<u64, String> {
        if let Some(f) = fault.fraction
            && !(0.0..=1.0).contains(&f)
        {
            return Err(format!("fraction must be between 0 and 1, not {f}"));
        }
        if let Effect::Latency { ms } = fault.effect
            && ms > MAX_LATENCY_MS
        {
            return Err(format!(
                "latency must be at most {MAX_LATENCY_MS} ms, not {ms}"
            ));
        }
        if fault.count == Some(0) {
            return Err("count must be at least 1".into());
        }
        let id = self.next_id;
        self.next_id += 1;
        self.rules.push(Rule { id, fault });
        Ok(id)
    }

    pub fn clear(&mut self) {
        self.rules.clear();
    }

    pub fn list(&self) -> Vec<Rule> {
        self.rules.clone()
    }

    /// Applies the rules to one request, using up counts.
    pub fn decide(&mut self, provider: Provider, action: &str) -> Decision {
        let mut d = Decision::default();
        for rule in &mut self.rules {
            let f = &mut rule.fault;
            if f.provider.is_some_and(|p| p != provider)
                || f.action.as_ref().is_some_and(|a| a != action)
            {
                continue;
            }
            let is_effect = !matches!(f.effect, Effect::Latency { .. });
            if is_effect && d.effect.is_some() {
                continue;
            }
            if let Some(fr) = f.fraction
                && self.rng.unit() >= fr
            {
                continue;
            }
            if let Some(c) = &mut f.count {
                *c -= 1;
            }
            match &f.effect {
                Effect::Latency { ms } => d.latency_ms += ms,
                other => d.effect = Some(other.clone()),
            }
        }
        self.rules.retain(|r| r.fault.count != Some(0));
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fault(json: &str) -> Fault {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn counted_faults_retire_and_match_provider_and_action() {
        let mut f = Faults::new(1);
        f.add(fault(
            r#"{"provider":"alibaba","action":"ResetDisk","count":2,"kind":"internal"}"#,
        ))
        .unwrap();
        assert_eq!(f.decide(Provider::Tencent, "ResetDisk").effect, None);
        assert_eq!(f.decide(Provider::Alibaba, "DescribeDisks").effect, None);
        assert_eq!(
            f.decide(Provider::Alibaba, "ResetDisk").effect,
            Some(Effect::Internal)
        );
        assert_eq!(
            f.decide(Provider::Alibaba, "ResetDisk").effect,
            Some(Effect::Internal)
        );
        assert_eq!(f.decide(Provider::Alibaba, "ResetDisk").effect, None);
        assert!(f.list().is_empty());
    }

    #[test]
    fn fractions_are_roughly_honoured_and_latency_adds_up() {
        let mut f = Faults::new(1);
        f.add(fault(r#"{"fraction":0.25,"kind":"drop"}"#)).unwrap();
        f.add(fault(r#"{"kind":"latency","ms":5}"#)).unwrap();
        f.add(fault(r#"{"kind":"latency","ms":7}"#)).unwrap();
        let mut drops = 0;
        for _ in 0..1000 {
            let d = f.decide(Provider::Huawei, "ShowJob");
            assert_eq!(d.latency_ms, 12);
            drops += usize::from(d.effect == Some(Effect::Drop));
        }
        assert!((180..320).contains(&drops), "{drops}");
        assert!(f.add(fault(r#"{"fraction":1.5,"kind":"drop"}"#)).is_err());
        assert!(f.add(fault(r#"{"kind":"latency","ms":600001}"#)).is_err());
        assert!(f.add(fault(r#"{"count":0,"kind":"drop"}"#)).is_err());
    }
}
