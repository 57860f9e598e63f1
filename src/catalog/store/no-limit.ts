/**
 * "All rows" as a LIMIT both dialects accept: SQLite needs a LIMIT before OFFSET, PostgreSQL refuses
 * a negative one (SQLite's usual -1).
 */
export const NO_LIMIT = Number.MAX_SAFE_INTEGER;
