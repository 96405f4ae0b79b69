//! Maps that refuse a key given twice.
//!
//! serde's derived structs already refuse a field given twice (`duplicate field`), but a
//! `BTreeMap` keeps the last of two equal keys, in YAML as in JSON: `spread: {zone: even, zone:
//! {max_per_value: 1}}` would silently mean the second. Fields use
//! `#[serde(deserialize_with = "unique_keys::deserialize")]`; a map inside a hand-written visitor
//! uses [`UniqueKeys`].
//!
//! Hand-written (a map visitor of a few lines) rather than taken from `serde_with`, whose
//! `maps_duplicate_key_is_error` does the same but brings a crate and its proc-macro tree for it,
//! and whose message does not name the key.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{Deserialize, Deserializer, Error, MapAccess, Visitor};

/// Deserializes a map, refusing a key that appears twice (`duplicate key `zone``).
pub fn deserialize<'de, D, K, V>(deserializer: D) -> Result<BTreeMap<K, V>, D::Error>
where
    D: Deserializer<'de>,
    K: Deserialize<'de> + Ord + fmt::Display,
    V: Deserialize<'de>,
{
    deserializer.deserialize_map(UniqueVisitor(PhantomData))
}

/// A `BTreeMap` read with [`deserialize`]: for maps read inside another visitor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UniqueKeys<K, V>(pub BTreeMap<K, V>);

impl<'de, K, V> Deserialize<'de> for UniqueKeys<K, V>
where
    K: Deserialize<'de> + Ord + fmt::Display,
    V: Deserialize<'de>,
{
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserialize(deserializer).map(UniqueKeys)
    }
}

struct UniqueVisitor<K, V>(PhantomData<(K, V)>);

impl<'de, K, V> Visitor<'de> for UniqueVisitor<K, V>
where
    K: Deserialize<'de> + Ord + fmt::Display,
    V: Deserialize<'de>,
{
    type Value = BTreeMap<K, V>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a map")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = BTreeMap::new();
        while let Some(key) = map.next_key::<K>()? {
            if out.contains_key(&key) {
                return Err(A::Error::custom(format_args!(
                    "duplicate key `{key}`: each key may appear once"
                )));
            }
            let value = map.next_value()?;
            out.insert(key, value);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, serde::Deserialize)]
    struct Holder {
        #[serde(deserialize_with = "deserialize")]
        map: BTreeMap<String, u32>,
    }

    #[test]
    fn json_duplicate_is_refused() {
        let error = serde_json::from_str::<Holder>(r#"{"map": {"a": 1, "a": 2}}"#).unwrap_err();
        assert!(error.to_string().contains("duplicate key `a`"), "{error}");
    }

    #[test]
    fn yaml_duplicate_is_refused() {
        let error = serde_yaml_ng::from_str::<Holder>("map: {a: 1, a: 2}").unwrap_err();
        assert!(error.to_string().contains("duplicate key"), "{error}");
    }

    #[test]
    fn distinct_keys_are_kept() {
        let holder: Holder = serde_json::from_str(r#"{"map": {"a": 1, "b": 2}}"#).unwrap();
        assert_eq!(holder.map.len(), 2);
    }
}
