//! kplace-optimizer (filled by the optimizer issue).
