// Why this file exists: git-coord computes git blob ids of small texts on its hot paths: the ref name of every
// claim it looks up (a commit of a hundred files hashes each path and its folders) and the checksum of its head
// caches. libgit2's git_odb_hash uses SHA-1 with collision detection (sha1dc), about 9,000 instructions for a
// path of a few dozen bytes; OpenSSL's SHA-1, already linked for libssh2, does it in a fraction of that. The id
// is the same: SHA-1 of "blob <size>\0" followed by the bytes, as `git hash-object` computes it. Collision
// detection guards objects that enter a repository; these ids only name refs and check git-coord's own files.
#define OPENSSL_SUPPRESS_DEPRECATED
#include "CGitCoordStartup.h"

#include <openssl/sha.h>
#include <stdio.h>

void git_coord_blob_id(const void *bytes, size_t count, unsigned char id[20]) {
    char header[32];
    int length = snprintf(header, sizeof header, "blob %zu", count);
    SHA_CTX context;
    SHA1_Init(&context);
    SHA1_Update(&context, header, (size_t)length + 1);  // with its terminating NUL, as git writes it
    if (count > 0) SHA1_Update(&context, bytes, count);
    SHA1_Final(id, &context);
}
