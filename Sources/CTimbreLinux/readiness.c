#include "timbre_readiness.h"
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
