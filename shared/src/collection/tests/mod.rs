//! Tests of the collection loop.
