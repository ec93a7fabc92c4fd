// Why this file exists: libgit2's init seeds mbedTLS's random generator for HTTPS, and Debian's mbedTLS 2.28 is
// built with HAVEGE, whose init fills a 36 KiB pool by timing memory walks: about 1.1 million instructions and
// thousands of clock reads in every process, for TLS that git-coord never speaks through libgit2 (its network is
// the user's own git CLI). HAVEGE is a deprecated entropy source (removed in mbedTLS 3).
//
// So the three functions of mbedTLS's havege.c are defined here, and the linker never takes that file from
// libmbedcrypto.a: the source draws from the kernel's random generator (getrandom(2)) instead, which mbedTLS's
// entropy pool also reads as its platform source. Nothing is weaker; the cost moves to the one call that needs it.
#include <errno.h>
#include <stddef.h>
#include <sys/random.h>

#define HIDDEN __attribute__((visibility("hidden")))
#define MBEDTLS_ERR_ENTROPY_SOURCE_FAILED -0x003C

// mbedtls_havege_state, left as it is: nothing reads it but these functions.
struct mbedtls_havege_state;

HIDDEN void mbedtls_havege_init(struct mbedtls_havege_state *state) { (void)state; }

HIDDEN void mbedtls_havege_free(struct mbedtls_havege_state *state) { (void)state; }

HIDDEN int mbedtls_havege_random(void *state, unsigned char *buffer, size_t length) {
    (void)state;
    while (length > 0) {
        ssize_t got = getrandom(buffer, length, 0);
        if (got < 0) {
            if (errno == EINTR) continue;
            return MBEDTLS_ERR_ENTROPY_SOURCE_FAILED;
        }
        buffer += got;
        length -= (size_t)got;
    }
    return 0;
}
