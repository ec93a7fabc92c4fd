// Why this file exists: Debian's libgit2 is built with GSSAPI, for Negotiate (Kerberos) authentication over
// HTTP. Linking libgssapi_krb5.so.2 makes the dynamic loader map it and its six dependencies (krb5, k5crypto,
// com_err, krb5support, keyutils, resolv) at every start: 0.7 ms measured, and git-coord starts on every commit
// and every agent edit, while it never speaks HTTP through libgit2 (its network is the user's own git CLI).
//
// So the nine GSSAPI functions libgit2 calls are defined here and load the real library on first use, with
// dlopen, and forward to it: nothing changes for a caller, the cost moves to the one process that needs it.
// Without the library on the system, each call fails as GSSAPI fails (GSS_S_FAILURE), and libgit2 falls back
// to other authentication as it would with a failing Kerberos.
//
// The signatures are MIT krb5's <gssapi/gssapi.h> (a header not installed here): OM_uint32 is 32 bits, every
// other parameter a pointer or an int. The definitions are hidden, so the dlopen'ed library can never bind its
// own internal calls to them.
#include <dlfcn.h>
#include <stddef.h>
#include <stdint.h>

typedef uint32_t OM_uint32;
typedef struct {
    OM_uint32 length;
    void *elements;
} gss_OID_desc;

#define HIDDEN __attribute__((visibility("hidden")))
#define GSS_S_FAILURE (((OM_uint32)13) << 16)

// 1.2.840.113554.1.2.1.4, GSS_C_NT_HOSTBASED_SERVICE (RFC 2744): libgit2 reads the variable, not a function.
static gss_OID_desc hostbased_service = {10, (void *)"\x2a\x86\x48\x86\xf7\x12\x01\x02\x01\x04"};
HIDDEN gss_OID_desc *GSS_C_NT_HOSTBASED_SERVICE = &hostbased_service;

static void *gssapi_function(const char *name) {
    static void *library;
    if (library == NULL) library = dlopen("libgssapi_krb5.so.2", RTLD_NOW | RTLD_LOCAL);
    return library == NULL ? NULL : dlsym(library, name);
}

// Each stub resolves its function once, then forwards; without the library it fails with GSS_S_FAILURE.
#define FORWARD(name, parameters, arguments)                                            \
    HIDDEN OM_uint32 name parameters {                                                \
        static OM_uint32(*real) parameters;                                            \
        if (real == NULL) real = (OM_uint32(*) parameters)gssapi_function(#name);     \
        if (real == NULL) {                                                            \
            if (minor != NULL) *minor = 0;                                             \
            return GSS_S_FAILURE;                                                      \
        }                                                                              \
        return real arguments;                                                         \
    }

FORWARD(gss_init_sec_context,
        (OM_uint32 * minor, void *credential, void **context, void *target, gss_OID_desc *mechanism,
         OM_uint32 flags, OM_uint32 time, void *bindings, void *input, gss_OID_desc **actual_mechanism,
         void *output, OM_uint32 *returned_flags, OM_uint32 *returned_time),
        (minor, credential, context, target, mechanism, flags, time, bindings, input, actual_mechanism, output,
         returned_flags, returned_time))
FORWARD(gss_delete_sec_context, (OM_uint32 * minor, void **context, void *output), (minor, context, output))
FORWARD(gss_display_status,
        (OM_uint32 * minor, OM_uint32 status, int type, gss_OID_desc *mechanism, OM_uint32 *message_context,
         void *text),
        (minor, status, type, mechanism, message_context, text))
FORWARD(gss_import_name, (OM_uint32 * minor, void *input, gss_OID_desc *type, void **output),
        (minor, input, type, output))
FORWARD(gss_indicate_mechs, (OM_uint32 * minor, void **mechanisms), (minor, mechanisms))
FORWARD(gss_release_buffer, (OM_uint32 * minor, void *buffer), (minor, buffer))
FORWARD(gss_release_name, (OM_uint32 * minor, void **name), (minor, name))
FORWARD(gss_release_oid_set, (OM_uint32 * minor, void **set), (minor, set))
