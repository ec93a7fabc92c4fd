// Why this file exists: libgit2 1.5.1 (Debian, mbedTLS backend) parses every certificate in
// /etc/ssl/certs/ca-certificates.crt inside git_libgit2_init(): about 4 ms, more than a whole
// `git for-each-ref`. git-coord never speaks HTTPS through libgit2 (its network transport is the user's
// own git CLI), and hooks start git-coord on every commit and every agent edit. So, during init only,
// the certificate file is reported absent; libgit2 then loads none, as it does on a system without them.
//
// The mechanism is symbol interposition: libgit2 calls stat@GLIBC_2.33 and a definition in the executable
// takes precedence. Outside init, and for every other path, it is exactly fstatat(AT_FDCWD, path, buf, 0),
// which is what glibc's own stat() is.
#include "CGitCoordStartup.h"

#include <errno.h>
#include <fcntl.h>
#include <git2.h>
#include <openssl/crypto.h>
#include <string.h>
#include <sys/stat.h>

static volatile int hiding_certificates = 0;

int stat(const char *restrict path, struct stat *restrict buffer) {
    if (hiding_certificates && path != NULL && strncmp(path, "/etc/ssl/", 9) == 0) {
        errno = ENOENT;
        return -1;
    }
    return fstatat(AT_FDCWD, path, buffer, 0);
}

int git_coord_libgit2_init(void) {
    // libgit2's init also starts libssh2, whose OpenSSL backend loads every OpenSSL error string into hash
    // tables and frees them all again at exit: 0.3 ms of every process, for an SSH transport git-coord never
    // uses (its network is the user's git). Asked first, OpenSSL skips both; its errors would still carry codes.
    OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CRYPTO_STRINGS | OPENSSL_INIT_NO_ATEXIT, NULL);
    hiding_certificates = 1;
    int result = git_libgit2_init();
    hiding_certificates = 0;
    return result;
}
