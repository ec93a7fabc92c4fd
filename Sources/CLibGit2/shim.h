// Hide libgit2's deprecated names so the Swift wrapper stays on the current API.
#define GIT_DEPRECATE_HARD 1
#include <git2.h>

// git_libgit2_opts is variadic, which Swift cannot call: one typed wrapper per option we use.
static inline int git_coord_opts_set_extensions(const char **names, size_t count) {
    return git_libgit2_opts(GIT_OPT_SET_EXTENSIONS, names, count);
}

static inline int git_coord_opts_enable_fsync_gitdir(int enabled) {
    return git_libgit2_opts(GIT_OPT_ENABLE_FSYNC_GITDIR, enabled);
}

static inline int git_coord_opts_strict_hash_verification(int enabled) {
    return git_libgit2_opts(GIT_OPT_ENABLE_STRICT_HASH_VERIFICATION, enabled);
}

// git_repository_set_index: opening a repository from GIT_DIR, GIT_WORK_TREE and GIT_INDEX_FILE by hand.
#include <git2/sys/repository.h>
