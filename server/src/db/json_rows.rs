//! Many rows as ONE statement parameter: a JSON array of arrays, expanded into a derived table
//! inside the database (`json_each` on SQLite, `jsonb_array_elements` on PostgreSQL). Loads use
//! it so a chunk of a thousand rows costs a few statements instead of thousands, and a few
//! parameters instead of tens of thousands (each costs about 1.5 µs through sqlx's SQLite
//! worker; see `push/bulk.rs`, which does the same for events with per-backend SQL).
//!
//! Values travel as JSON numbers and strings; `Ty` casts them back. A JSON `null` is SQL
//! `NULL`. Column `n` is the element's index, for statements whose row order matters.

use serde::Serialize;

/// The SQL type of a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    /// `text`.
    Text,
    /// `bigint` / `integer`.
    Int,
    /// `double precision` / `real`.
    Real,
}

/// `(select n, <cols> from <expansion of $param>) as alias`, for `from`/`join`/`in` clauses.
pub fn table(pg: bool, param: u32, cols: &[(&str, Ty)], alias: &str) -> String {
    let mut out = String::from("(select ");
    if pg {
        out.push_str("j.n - 1 as n");
    } else {
        out.push_str("cast(j.key as integer) as n");
    }
    for (i, (name, ty)) in cols.iter().enumerate() {
        let expr = match (pg, ty) {
            (true, Ty::Text) => format!("(j.value ->> {i})"),
            (true, Ty::Int) => format!("(j.value ->> {i})::bigint"),
            (true, Ty::Real) => format!("(j.value ->> {i})::float8"),
            (false, Ty::Text) => format!("(j.value ->> {i})"),
            (false, Ty::Int) => format!("cast(j.value ->> {i} as integer)"),
            (false, Ty::Real) => format!("cast(j.value ->> {i} as real)"),
        };
        out.push_str(&format!(", {expr} as {name}"));
    }
    if pg {
        out.push_str(&format!(
            " from jsonb_array_elements(${param}::jsonb) with ordinality as j(value, n)) as {alias}"
        ));
    } else {
        out.push_str(&format!(" from json_each(${param}) as j) as {alias}"));
    }
    out
}

/// The parameter: rows (tuples, which serialize as arrays) as a JSON array of arrays, in
/// column order, written straight to text without an intermediate `Value` tree.
pub fn param<T: Serialize>(rows: &[T]) -> String {
    serde_json::to_string(rows).expect("rows of plain values serialize")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_sqlite_expansion_names_every_column_with_its_cast() {
        let sql = table(false, 2, &[("a", Ty::Text), ("b", Ty::Int)], "r");
        assert_eq!(
            sql,
            "(select cast(j.key as integer) as n, (j.value ->> 0) as a, \
             cast(j.value ->> 1 as integer) as b from json_each($2) as j) as r"
        );
    }

    #[test]
    fn the_postgres_expansion_keeps_the_array_order_in_n() {
        let sql = table(true, 1, &[("x", Ty::Real)], "r");
        assert!(sql.contains("(j.value ->> 0)::float8 as x"), "{sql}");
        assert!(
            sql.contains("with ordinality as j(value, n)) as r"),
            "{sql}"
        );
    }
}
