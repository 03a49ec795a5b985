#ifndef TIMBRE_READINESS_H
#define TIMBRE_READINESS_H
/* Which of a media thread's sockets have datagrams waiting, from one epoll instance, so that a
   tick reads only those instead of trying every socket (an RTCP socket is empty 249 ticks in 250).
   <sys/epoll.h> is not part of Swift's Glibc module, hence these wrappers. */
#include <stdint.h>
#include <stddef.h>

/* A new epoll instance (close-on-exec); its fd or -1 with errno set. */
int timbre_readiness_create(void);
/* Watches fd for input, edge-triggered: it is reported once each time datagrams arrive.
   0 or -1 with errno set. */
int timbre_readiness_watch(int epfd, int fd);
/* Stops watching fd; 0 or -1 with errno set. */
int timbre_readiness_unwatch(int epfd, int fd);
/* Without blocking, sets ready[fd] = 1 for every watched fd reported since the last call
   (fds >= capacity are skipped: the caller treats those as always ready). Returns how many
   were reported, or -1 with errno set. */
int timbre_readiness_collect(int epfd, uint8_t *ready, size_t capacity);

/* Watches fd for input, level-triggered (reported by every wait while data is waiting), with
   `token` returned for it by timbre_readiness_wait. 0 or -1 with errno set. */
int timbre_readiness_watch_token(int epfd, int fd, uint64_t token);
/* Waits up to timeout_ms for watched fds with input and writes up to `capacity` of their tokens.
   Returns how many, 0 on timeout or an interrupted wait, -1 with errno set on error. */
int timbre_readiness_wait(int epfd, uint64_t *tokens, int capacity, int timeout_ms);

#endif
