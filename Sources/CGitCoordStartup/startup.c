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
    hiding_certificates = 1;
    int result = git_libgit2_init();
    hiding_certificates = 0;
    return result;
}
