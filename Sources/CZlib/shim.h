#ifndef TANDEM_CZLIB_SHIM_H
#define TANDEM_CZLIB_SHIM_H

// The system zlib (Debian's zlib1g), for gzip and deflate request and response bodies.
// `inflateInit2` and `deflateInit2` are macros that pass zlib's version and the size of `z_stream`, which
// Swift cannot import; these wrappers call them (https://zlib.net/manual.html#Advanced).
#include <zlib.h>

/// Starts inflating. `windowBits` 15 + 16 reads gzip, 15 + 32 gzip or zlib (detected), -15 raw deflate.
static inline int czlib_inflate_init(z_stream *stream, int windowBits) {
    return inflateInit2(stream, windowBits);
}

/// Starts deflating; `windowBits` 15 + 16 writes gzip.
static inline int czlib_deflate_init(z_stream *stream, int level, int windowBits) {
    return deflateInit2(stream, level, Z_DEFLATED, windowBits, 8, Z_DEFAULT_STRATEGY);
}

#endif
