/*
 * Start-up of every git-coord process: skip loading the CA bundle in git_libgit2_init().
 *
 * Debian's libgit2 1.5.1 is built with mbedTLS, whose global init parses the system CA bundle
 * (/etc/ssl/certs/ca-certificates.crt, ~140 certificates) in every process: about 4 ms, more than all the
 * work an agent's PreToolUse hook does. git-coord never uses libgit2's network transports (fetch and push go
 * through the user's own git, see docs/design.md), so it needs no CA certificates at all.
 *
 * This definition interposes the one libmbedx509 function that loads them: the executable exports its symbols
 * dynamically, so libgit2's call binds here first. It loads nothing and reports success, leaving libgit2 with
 * an empty CA chain. Were libgit2 ever asked for HTTPS, certificate verification would fail (closed), never
 * pass unchecked.
 */
#include "fast_start.h"

struct mbedtls_x509_crt;

int mbedtls_x509_crt_parse_file(struct mbedtls_x509_crt *chain, const char *path) {
    (void)chain;
    (void)path;
    return 0;
}

int mbedtls_x509_crt_parse_path(struct mbedtls_x509_crt *chain, const char *path) {
    (void)chain;
    (void)path;
    return 0;
}

int git_coord_fast_start_linked(void) { return 1; }
