#ifndef CGITCOORDPROCESS_H
#define CGITCOORDPROCESS_H

#include <spawn.h>

/// A descriptor that becomes readable when process `pid` exits (Linux 5.3, pidfd_open(2)); -1 with errno set when
/// the process is gone already (ESRCH) or the kernel has no pidfds (ENOSYS). glibc 2.36 declares pidfd_open, but
/// Swift cannot import variadic syscall(2), so the call is made here.
int git_coord_pidfd_open(int pid);

/// Asks the kernel to send `signal` to this process when the thread that started it exits (PR_SET_PDEATHSIG);
/// prctl(2) is variadic, which Swift cannot call. Returns 0, or -1 with errno set.
int git_coord_set_parent_death_signal(int signal);

/// Blocks `signals` (`count` of them) in the calling thread and returns a descriptor from which they are read instead
/// (signalfd(2), non-blocking), so that a `poll` loop sees them beside its other descriptors. -1 with errno set.
/// Swift does not see glibc's signalfd.
int git_coord_signal_descriptor(const int *signals, int count);

/// The next signal waiting on a descriptor from `git_coord_signal_descriptor`, or 0 when none is.
int git_coord_read_signal(int descriptor);

/// Adds to `actions` the closing of every descriptor from `lowest` up, so that a started process holds nothing of
/// ours it was not given (posix_spawn_file_actions_addclosefrom_np, glibc 2.34, which Swift does not see: it is
/// declared only under _GNU_SOURCE). Returns 0, or an error number.
int git_coord_spawn_close_from(posix_spawn_file_actions_t *actions, int lowest);

#endif
