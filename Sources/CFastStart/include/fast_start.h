#ifndef GIT_COORD_FAST_START_H
#define GIT_COORD_FAST_START_H
/* See fast_start.c. Nothing to call: linking this target is what takes effect. */
int git_coord_fast_start_linked(void);
#endif
