#ifndef TANDEM_CSQLITE3_SHIM_H
#define TANDEM_CSQLITE3_SHIM_H

// The system SQLite (Debian's libsqlite3, 3.40 here). We link the system library rather than bundle an
// amalgamation: it is patched by the distribution and the embedded store needs nothing newer than 3.35
// (RETURNING, ON CONFLICT DO NOTHING without a target).
#include <stddef.h>
#include <sqlite3.h>

/// `SQLITE_TRANSIENT` is a macro casting -1 to a function pointer, which Swift cannot import. Binding
/// with it makes SQLite copy the bytes before the call returns, so Swift buffers need not outlive it.
static inline sqlite3_destructor_type csqlite_transient(void) { return SQLITE_TRANSIENT; }

/// Binds UTF-8 text that SQLite copies at once (see `csqlite_transient`).
static inline int csqlite_bind_text(sqlite3_stmt *statement, int index, const char *text, int length) {
    return sqlite3_bind_text(statement, index, text, length, SQLITE_TRANSIENT);
}

/// Binds a blob that SQLite copies at once. A NULL pointer with length 0 binds an empty blob, not NULL.
static inline int csqlite_bind_blob(sqlite3_stmt *statement, int index, const void *bytes, int length) {
    if (bytes == NULL) {
        return sqlite3_bind_zeroblob(statement, index, 0);
    }
    return sqlite3_bind_blob(statement, index, bytes, length, SQLITE_TRANSIENT);
}

#endif
