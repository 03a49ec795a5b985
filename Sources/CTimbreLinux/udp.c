#define _GNU_SOURCE
#include "timbre_udp.h"
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#define TIMBRE_MAX_BATCH 64

int timbre_udp_receive_batch(int fd, uint8_t *buffers, size_t slot_size, unsigned count,
                             struct sockaddr_in *sources, int32_t *lengths, uint8_t *truncated) {
    struct mmsghdr msgs[TIMBRE_MAX_BATCH];
    struct iovec iovs[TIMBRE_MAX_BATCH];
    if (count > TIMBRE_MAX_BATCH) count = TIMBRE_MAX_BATCH;
    memset(msgs, 0, sizeof(struct mmsghdr) * count);
    for (unsigned i = 0; i < count; i++) {
        iovs[i].iov_base = buffers + (size_t)i * slot_size;
        iovs[i].iov_len = slot_size;
        msgs[i].msg_hdr.msg_iov = &iovs[i];
        msgs[i].msg_hdr.msg_iovlen = 1;
        msgs[i].msg_hdr.msg_name = &sources[i];
        msgs[i].msg_hdr.msg_namelen = sizeof(struct sockaddr_in);
    }
    int n = recvmmsg(fd, msgs, count, MSG_DONTWAIT | MSG_TRUNC, NULL);
    if (n < 0) return (errno == EAGAIN || errno == EWOULDBLOCK) ? 0 : -1;
    for (int i = 0; i < n; i++) {
        size_t len = msgs[i].msg_len;
        truncated[i] = (len > slot_size || (msgs[i].msg_hdr.msg_flags & MSG_TRUNC)) ? 1 : 0;
        lengths[i] = (int32_t)(len > slot_size ? slot_size : len);
    }
    return n;
}

int timbre_udp_send_batch(int fd, const uint8_t *buffers, size_t slot_size, unsigned count,
                          const struct sockaddr_in *destinations, const int32_t *lengths) {
    struct mmsghdr msgs[TIMBRE_MAX_BATCH];
    struct iovec iovs[TIMBRE_MAX_BATCH];
    unsigned sent = 0;
    while (sent < count) {
        unsigned chunk = count - sent > TIMBRE_MAX_BATCH ? TIMBRE_MAX_BATCH : count - sent;
        memset(msgs, 0, sizeof(struct mmsghdr) * chunk);
        for (unsigned i = 0; i < chunk; i++) {
            unsigned k = sent + i;
            iovs[i].iov_base = (void *)(buffers + (size_t)k * slot_size);
            iovs[i].iov_len = (size_t)lengths[k];
            msgs[i].msg_hdr.msg_iov = &iovs[i];
            msgs[i].msg_hdr.msg_iovlen = 1;
            msgs[i].msg_hdr.msg_name = (void *)&destinations[k];
            msgs[i].msg_hdr.msg_namelen = sizeof(struct sockaddr_in);
        }
        int n = sendmmsg(fd, msgs, chunk, MSG_DONTWAIT);
        if (n < 0) return sent > 0 ? (int)sent : -1;
        sent += (unsigned)n;
        if ((unsigned)n < chunk) break;
    }
    return (int)sent;
}
