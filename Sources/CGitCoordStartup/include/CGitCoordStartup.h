#ifndef CGITCOORDSTARTUP_H
#define CGITCOORDSTARTUP_H

#include <stddef.h>
#include <stdint.h>

/// git_libgit2_init(), minus the ~4 ms of parsing every CA certificate on the system (see startup.c).
int git_coord_libgit2_init(void);

/// The git blob id of `count` bytes (SHA-1 of "blob <count>\0" and the bytes), without collision detection: for
/// claim ref names and head-cache checksums (see blobid.c).
void git_coord_blob_id(const void *bytes, size_t count, unsigned char id[20]);

/// Two of the GSSAPI functions gssapi.c defines for libgit2, which load the real library on first use; declared
/// here (with MIT krb5's signatures, pointers left opaque) so that a test can call them.
uint32_t gss_indicate_mechs(uint32_t *minor, void **mechanisms);
uint32_t gss_release_oid_set(uint32_t *minor, void **set);

#endif
