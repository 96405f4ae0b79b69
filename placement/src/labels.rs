//! Broker labels (failure-domain dimensions) interned to dense indices.
//!
//! A broker's labels are its explicit `labels`, plus the named groups of the policy's
//! `rack_pattern` matched against its rack, plus `rack` itself (the raw rack string), so that
//! `spread: {rack: even}` is plain Kafka rack awareness.

use rustc_hash::FxHashMap;

/// Dense index of a label name (zone, cluster, rack, ...).
pub type LabelIdx = u32;
/// Dense index of one value of one label (az1, az2, ...), per label.
pub type ValueIdx = u32;

/// The label name that always carries a broker's raw `broker.rack`.
pub const RACK_LABEL: &str = "rack";

/// Every label name and every value seen, interned.
#[derive(Debug, Clone, Default)]
pub struct LabelTable {
    names: Vec<String>,
    name_index: FxHashMap<String, LabelIdx>,
    values: Vec<Vec<String>>,
    value_index: Vec<FxHashMap<String, ValueIdx>>,
}

impl LabelTable {
    /// The index of `name`, adding it when new.
    pub fn intern_label(&mut self, name: &str) -> LabelIdx {
        if let Some(&index) = self.name_index.get(name) {
            return index;
        }
        let index = self.names.len() as LabelIdx;
        self.names.push(name.to_string());
        self.name_index.insert(name.to_string(), index);
        self.values.push(Vec::new());
        self.value_index.push(FxHashMap::default());
        index
    }

    /// The index of `value` of `label`, adding it when new.
    pub fn intern_value(&mut self, label: LabelIdx, value: &str) -> ValueIdx {
        let map = &mut self.value_index[label as usize];
        if let Some(&index) = map.get(value) {
            return index;
        }
        let values = &mut self.values[label as usize];
        let index = values.len() as ValueIdx;
        values.push(value.to_string());
        map.insert(value.to_string(), index);
        index
    }

    /// The index of a label name, if any broker or rule uses it.
    pub fn label(&self, name: &str) -> Option<LabelIdx> {
        self.name_index.get(name).copied()
    }

    /// The index of a value of a label, if known.
    pub fn value(&self, label: LabelIdx, value: &str) -> Option<ValueIdx> {
        self.value_index[label as usize].get(value).copied()
    }

    /// Number of labels.
    pub fn label_count(&self) -> usize {
        self.names.len()
    }

    /// Name of a label.
    pub fn label_name(&self, label: LabelIdx) -> &str {
        &self.names[label as usize]
    }

    /// Number of values of a label.
    pub fn value_count(&self, label: LabelIdx) -> usize {
        self.values[label as usize].len()
    }

    /// Name of a value of a label.
    pub fn value_name(&self, label: LabelIdx, value: ValueIdx) -> &str {
        &self.values[label as usize][value as usize]
    }

    /// `label=value`, the way violations and explanations name a failure domain.
    pub fn domain_name(&self, label: LabelIdx, value: ValueIdx) -> String {
        format!(
            "{}={}",
            self.label_name(label),
            self.value_name(label, value)
        )
    }
}
