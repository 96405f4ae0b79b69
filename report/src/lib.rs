//! Self-contained HTML preview of a kplace plan (filled by the report issue).
