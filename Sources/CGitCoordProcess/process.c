#define _GNU_SOURCE
#include "CGitCoordProcess.h"
#include <signal.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <dirent.h>
#include <errno.h>
#include <spawn.h>
#include <stdlib.h>
#include <unistd.h>

int git_coord_pidfd_open(int pid) {
#ifdef SYS_pidfd_open
    return (int)syscall(SYS_pidfd_open, (pid_t)pid, 0u);
#else
    errno = ENOSYS;
    return -1;
#endif
}

int git_coord_set_parent_death_signal(int signal) {
    return prctl(PR_SET_PDEATHSIG, (unsigned long)signal, 0ul, 0ul, 0ul);
}

int git_coord_signal_descriptor(const int *signals, int count) {
    sigset_t set;
    sigemptyset(&set);
    for (int i = 0; i < count; i++) sigaddset(&set, signals[i]);
    if (sigprocmask(SIG_BLOCK, &set, NULL) != 0) return -1;
    return signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
}

int git_coord_read_signal(int descriptor) {
    struct signalfd_siginfo info;
    ssize_t count = read(descriptor, &info, sizeof info);
    return count == (ssize_t)sizeof info ? (int)info.ssi_signo : 0;
}

int git_coord_spawn_close_from(posix_spawn_file_actions_t *actions, int lowest) {
#if __GLIBC_PREREQ(2, 34)
    return posix_spawn_file_actions_addclosefrom_np(actions, lowest);
#else
    // Older glibc: close what is open now. A descriptor another thread opens meanwhile may slip through.
    DIR *folder = opendir("/proc/self/fd");
    if (folder == NULL) return errno;
    int own = dirfd(folder);
    for (struct dirent *entry; (entry = readdir(folder)) != NULL;) {
        char *end;
        long descriptor = strtol(entry->d_name, &end, 10);
        if (*end != '\0' || end == entry->d_name || descriptor < lowest || descriptor == own) continue;
        int result = posix_spawn_file_actions_addclose(actions, (int)descriptor);
        if (result != 0) {
            closedir(folder);
            return result;
        }
    }
    closedir(folder);
    return 0;
#endif
}
