//! Reading request parameters out of JSON (Tencent bodies, Huawei bodies) or flat
//! query pairs (ECS RPC, Tencent GET), with errors that name the parameter at fault.

use crate::error::{ApiResult, Refusal};
use rewind_cloud::validate::{IdKind, ValidateOptions, validate_id};
use serde_json::{Map, Value};

/// True when `id` has the strict shape of `kind`, as `rewind_cloud::validate` defines it
/// for the console. A server trims nothing and accepts no legacy shapes.
pub fn well_formed(kind: IdKind, id: &str) -> bool {
    matches!(validate_id(kind, id, &ValidateOptions::default()), Ok((ok, warnings)) if warnings.is_empty() && ok == id)
}

/// Turns Tencent's flattened GET pairs (`Filters.0.Name`, `InstanceIds.1`) back into the
/// JSON body the POST form would have carried. Leaves are strings.
pub fn unflatten(pairs: &[(String, String)]) -> Value {
    let mut root = Value::Object(Map::new());
    for (k, v) in pairs {
        let mut node = &mut root;
        let segs: Vec<&str> = k.split('.').collect();
        for (i, seg) in segs.iter().enumerate() {
            let last = i + 1 == segs.len();
            let next_is_index = segs.get(i + 1).is_some_and(|s| s.parse::<usize>().is_ok());
            let fresh = || {
                if next_is_index {
                    Value::Array(Vec::new())
                } else {
                    Value::Object(Map::new())
                }
            };
            node = match node {
                Value::Object(m) => {
                    if last {
                        m.insert(seg.to_string(), Value::String(v.clone()));
                        break;
                    }
                    m.entry(seg.to_string()).or_insert_with(fresh)
                }
                Value::Array(a) => {
                    let Ok(idx) = seg.parse::<usize>() else { break };
                    if idx > 1000 {
                        break;
                    }
                    while a.len() <= idx {
                        a.push(Value::Null);
                    }
                    if last {
                        a[idx] = Value::String(v.clone());
                        break;
                    }
                    if a[idx].is_null() {
                        a[idx] = fresh();
                    }
                    &mut a[idx]
                }
                _ => break,
            };
        }
    }
    root
}

/// How one provider names its parameter errors.
#[derive(Debug, Clone, Copy)]
pub struct Codes {
    pub missing: &'static str,
    pub invalid: &'static str,
    pub status: u16,
}

pub const TENCENT: Codes = Codes {
    missing: "MissingParameter",
    invalid: "InvalidParameter",
    status: 200,
};
pub const ECS: Codes = Codes {
    missing: "MissingParameter",
    invalid: "InvalidParameter",
    status: 400,
};

/// A view of a request's parameters as a JSON object.
pub struct Params<'a> {
    pub v: &'a Value,
    pub codes: Codes,
}

impl<'a> Params<'a> {
    pub fn new(v: &'a Value, codes: Codes) -> Params<'a> {
        Params { v, codes }
    }

    fn get(&self, name: &str) -> Option<&'a Value> {
        self.v.get(name).filter(|v| !v.is_null())
    }

    pub fn missing(&self, name: &str) -> Refusal {
        Refusal::new(
            self.codes.status,
            self.codes.missing,
            format!(
                "The input parameter \"{name}\" that is mandatory for processing this request is not supplied."
            ),
        )
    }

    pub fn invalid(&self, name: &str, why: &str) -> Refusal {
        Refusal::new(
            self.codes.status,
            self.codes.invalid,
            format!("The parameter \"{name}\" is invalid: {why}."),
        )
    }

    pub fn opt_str(&self, name: &str) -> ApiResult<Option<String>> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(_) => Err(self.invalid(name, "expected a string")),
        }
    }

    pub fn req_str(&self, name: &str) -> ApiResult<String> {
        match self.opt_str(name)? {
            Some(s) if !s.is_empty() => Ok(s),
            _ => Err(self.missing(name)),
        }
    }

    pub fn opt_u64(&self, name: &str) -> ApiResult<Option<u64>> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Number(n)) => n
                .as_u64()
                .map(Some)
                .ok_or_else(|| self.invalid(name, "expected a non-negative integer")),
            Some(Value::String(s)) => s
                .trim()
                .parse::<u64>()
                .map(Some)
                .map_err(|_| self.invalid(name, "expected a non-negative integer")),
            Some(_) => Err(self.invalid(name, "expected an integer")),
        }
    }

    pub fn opt_bool(&self, name: &str) -> ApiResult<Option<bool>> {
        match self.get(name) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(Value::String(s)) if s.eq_ignore_ascii_case("true") => Ok(Some(true)),
            Some(Value::String(s)) if s.eq_ignore_ascii_case("false") => Ok(Some(false)),
            Some(_) => Err(self.invalid(name, "expected true or false")),
        }
    }

    /// A JSON array of strings (Tencent) — or, for ECS, a string holding a JSON array.
    pub fn opt_str_list(&self, name: &str) -> ApiResult<Option<Vec<String>>> {
        let v = match self.get(name) {
            None => return Ok(None),
            Some(Value::String(s)) => {
                let parsed: Value = serde_json::from_str(s)
                    .map_err(|_| self.invalid(name, "expected a JSON array of strings"))?;
                return self.strings_of(name, &parsed).map(Some);
            }
            Some(v) => v,
        };
        self.strings_of(name, v).map(Some)
    }

    fn strings_of(&self, name: &str, v: &Value) -> ApiResult<Vec<String>> {
        let arr = v
            .as_array()
            .ok_or_else(|| self.invalid(name, "expected an array of strings"))?;
        arr.iter()
            .map(|x| {
                x.as_str()
                    .map(str::to_string)
                    .ok_or_else(|| self.invalid(name, "expected an array of strings"))
            })
            .collect()
    }

    /// Tencent `Filters: [{Name, Values: [...]}]`.
    pub fn filters(&self) -> ApiResult<Vec<(String, Vec<String>)>> {
        let Some(v) = self.get("Filters") else {
            return Ok(Vec::new());
        };
        let arr = v
            .as_array()
            .ok_or_else(|| self.invalid("Filters", "expected an array"))?;
        let mut out = Vec::new();
        for f in arr {
            let name = f
                .get("Name")
                .and_then(Value::as_str)
                .ok_or_else(|| self.invalid("Filters.Name", "expected a string"))?;
            let values = match f.get("Values") {
                Some(Value::Array(vs)) => vs
                    .iter()
                    .map(|x| {
                        x.as_str()
                            .map(str::to_string)
                            .ok_or_else(|| self.invalid("Filters.Values", "expected strings"))
                    })
                    .collect::<ApiResult<Vec<_>>>()?,
                _ => return Err(self.invalid("Filters.Values", "expected an array of strings")),
            };
            out.push((name.to_string(), values));
        }
        Ok(out)
    }

    /// ECS `Tag.N.Key` / `Tag.N.Value` pairs, N in 1..=max.
    pub fn ecs_tags(&self, max: usize) -> ApiResult<Vec<(String, String)>> {
        let mut out: Vec<(usize, String, String)> = Vec::new();
        let Some(obj) = self.v.as_object() else {
            return Ok(Vec::new());
        };
        for (k, _) in obj {
            if let Some(rest) = k.strip_prefix("Tag.")
                && let Some(n) = rest.strip_suffix(".Key")
            {
                let n: usize = n
                    .parse()
                    .map_err(|_| self.invalid(k, "expected Tag.N.Key with a number N"))?;
                if n == 0 || n > max {
                    return Err(self.invalid(k, &format!("N must be between 1 and {max}")));
                }
                let key = self.req_str(k)?;
                let value = self.opt_str(&format!("Tag.{n}.Value"))?.unwrap_or_default();
                out.push((n, key, value));
            }
        }
        out.sort();
        Ok(out.into_iter().map(|(_, k, v)| (k, v)).collect())
    }
}

/// Flat query pairs as a JSON object of strings (first value wins).
pub fn pairs_to_object(pairs: &[(String, String)]) -> Value {
    let mut m = Map::new();
    for (k, v) in pairs {
        m.entry(k.clone())
            .or_insert_with(|| Value::String(v.clone()));
    }
    Value::Object(m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn unflatten_rebuilds_arrays_and_objects() {
        let pairs: Vec<(String, String)> = [
            ("InstanceIds.0", "lhins-a"),
            ("InstanceIds.1", "lhins-b"),
            ("Filters.0.Name", "zone"),
            ("Filters.0.Values.0", "ap-guangzhou-3"),
            ("Limit", "5"),
        ]
        .iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect();
        assert_eq!(
            unflatten(&pairs),
            json!({"InstanceIds": ["lhins-a", "lhins-b"], "Filters": [{"Name": "zone", "Values": ["ap-guangzhou-3"]}], "Limit": "5"})
        );
    }

    #[test]
    fn ids_are_checked_with_the_console_shapes_without_trimming() {
        assert!(well_formed(IdKind::LhInstance, "lhins-k31c771o"));
        assert!(!well_formed(IdKind::LhInstance, " lhins-k31c771o"));
        assert!(!well_formed(IdKind::LhInstance, "lhins-K31C771O"));
        assert!(well_formed(IdKind::EcsDisk, "d-bp199lyny9b3xxxx"));
        assert!(!well_formed(IdKind::EcsDisk, "1033-60053321"));
        assert!(well_formed(
            IdKind::WsSnapshot,
            "1792d3eb-35c6-4e99-8381-abfc8e02126b"
        ));
        assert!(!well_formed(IdKind::WsSnapshot, &"a".repeat(37)));
    }

    #[test]
    fn params_read_strings_numbers_and_lists() {
        let v = json!({"A": "x", "N": "7", "L": "[\"d-1\",\"d-2\"]", "B": "true", "Tag.2.Key": "k2", "Tag.1.Key": "k1", "Tag.1.Value": "v1"});
        let p = Params::new(&v, ECS);
        assert_eq!(p.req_str("A").unwrap(), "x");
        assert_eq!(p.opt_u64("N").unwrap(), Some(7));
        assert_eq!(p.opt_str_list("L").unwrap().unwrap(), vec!["d-1", "d-2"]);
        assert_eq!(p.opt_bool("B").unwrap(), Some(true));
        assert_eq!(p.req_str("Z").unwrap_err().code, "MissingParameter");
        assert_eq!(
            p.ecs_tags(20).unwrap(),
            vec![("k1".into(), "v1".into()), ("k2".into(), String::new())]
        );
        assert_eq!(p.ecs_tags(1).unwrap_err().code, "InvalidParameter");
    }
}
