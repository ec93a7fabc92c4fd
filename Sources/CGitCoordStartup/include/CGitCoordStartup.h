#ifndef CGITCOORDSTARTUP_H
#define CGITCOORDSTARTUP_H

/// git_libgit2_init(), minus the ~4 ms of parsing every CA certificate on the system (see startup.c).
int git_coord_libgit2_init(void);

#endif
