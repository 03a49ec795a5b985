#include "timbre_readiness.h"
#include <errno.h>
#include <sys/epoll.h>

#define TIMBRE_READINESS_BATCH 512

int timbre_readiness_create(void) { return epoll_create1(EPOLL_CLOEXEC); }

int timbre_readiness_watch(int epfd, int fd) {
    struct epoll_event ev = {0};
    ev.events = EPOLLIN | EPOLLET;
    ev.data.fd = fd;
    return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}

int timbre_readiness_unwatch(int epfd, int fd) {
    struct epoll_event ev = {0};
    return epoll_ctl(epfd, EPOLL_CTL_DEL, fd, &ev);
}

int timbre_readiness_collect(int epfd, uint8_t *ready, size_t capacity) {
    struct epoll_event events[TIMBRE_READINESS_BATCH];
    int total = 0;
    for (;;) {
        int n = epoll_wait(epfd, events, TIMBRE_READINESS_BATCH, 0);
        if (n < 0) return total > 0 ? total : -1;
        for (int i = 0; i < n; i++) {
            int fd = events[i].data.fd;
            if (fd >= 0 && (size_t)fd < capacity) ready[fd] = 1;
        }
        total += n;
        if (n < TIMBRE_READINESS_BATCH) return total;
    }
}

int timbre_readiness_watch_token(int epfd, int fd, uint64_t token) {
    struct epoll_event ev = {0};
    ev.events = EPOLLIN;
    ev.data.u64 = token;
    return epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}

int timbre_readiness_wait(int epfd, uint64_t *tokens, int capacity, int timeout_ms) {
    struct epoll_event events[TIMBRE_READINESS_BATCH];
    if (capacity > TIMBRE_READINESS_BATCH) capacity = TIMBRE_READINESS_BATCH;
    if (capacity < 1) return 0;
    int n = epoll_wait(epfd, events, capacity, timeout_ms);
    if (n < 0) return errno == EINTR ? 0 : -1;
    for (int i = 0; i < n; i++) tokens[i] = events[i].data.u64;
    return n;
}
