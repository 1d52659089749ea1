/*
 * crypto_int.h: what the files of the crypto module share and nothing else
 * may include (SQLite btreeInt.h style).  Public interface: crypto.h.
 */
#ifndef ENTENTE_CRYPTO_CRYPTO_INT_H
#define ENTENTE_CRYPTO_CRYPTO_INT_H

#include <sys/types.h>

#include "crypto/crypto.h"

/*
 * Create path with O_EXCL|O_NOFOLLOW, give it exactly mode (whatever the
 * umask), write p[0..len), fsync it and its directory.  ERR_EXISTS when
 * path exists (nothing touched), ERR_IO otherwise, in which case the file
 * we created is removed.
 */
enum err crypto_file_create(const char *path, const void *p, size_t len,
    mode_t mode) WUR;

#endif
