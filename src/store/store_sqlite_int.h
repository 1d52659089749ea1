/*
 * store_sqlite_int.h: what the SQLite backend shows its own tests and
 * benchmarks, and nothing else (SQLite's btreeInt.h habit).  Production
 * code uses store.h only.
 */
#ifndef ENTENTE_STORE_STORE_SQLITE_INT_H
#define ENTENTE_STORE_STORE_SQLITE_INT_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "store/store.h"

/* The schema version this binary creates and migrates to. */
int store_sqlite_schema_latest(void);

/*
 * The SQL text of cached statement i, or NULL when i is past the last one.
 * Lets a test run EXPLAIN QUERY PLAN over every statement.  Can't fail.
 */
const char *store_sqlite_stmt_sql(size_t i);

/*
 * The SQL of migration step i (taking user_version i to i + 1), or NULL
 * past the last one.  Lets a test build a database as an older entente
 * left it.  Can't fail.
 */
const char *store_sqlite_migration_sql(size_t i);

/* The connection behind st (borrowed; do not close it).  Can't fail. */
sqlite3 *store_sqlite_db(struct store *st);

/*
 * Replace the clock that dates added are taken from (NULL: ts_now_us), so a
 * test can freeze it or turn it back.  Can't fail.
 */
void store_sqlite_clock(struct store *st, int64_t (*now)(void));

/*
 * Fault injection: make the database step n steps from now (n = 0: the
 * next one) fail once with SQLITE_IOERR, as if the disk had failed.  A
 * negative n turns injection off.  ROLLBACK is never failed.  Can't fail.
 */
void store_sqlite_fault(struct store *st, long n);

#endif
