#define _GNU_SOURCE
#include "timbre_udp.h"
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#define TIMBRE_MAX_BATCH 64
#define TIMBRE_RECEIVE_CHUNK 4

/* Room for one SCM_TIMESTAMPNS message per datagram. */
#define TIMBRE_CONTROL_SPACE CMSG_SPACE(sizeof(struct timespec))
/* A receive timestamp further than this from now is not trusted (the wall clock was stepped
   between the kernel's stamp and our reading of it). */
#define TIMBRE_TIMESTAMP_WINDOW_NS (5ull * 1000000000ull)

static uint64_t timespec_ns(const struct timespec *t) {
    return (uint64_t)t->tv_sec * 1000000000ull + (uint64_t)t->tv_nsec;
}

int timbre_udp_enable_receive_timestamps(int fd) {
    int on = 1;
    return setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
}

int timbre_udp_receive_batch_timestamped(int fd, uint8_t *buffers, size_t slot_size, unsigned count,
                                         struct sockaddr_in *sources, int32_t *lengths, uint8_t *truncated,
                                         uint64_t *arrivals) {
    /* Headers are set up TIMBRE_RECEIVE_CHUNK at a time: a media socket mostly holds one or two
       datagrams per tick, and preparing the whole batch for every call cost more than the call.
       A full chunk means more may wait: the next chunk is tried. */
    struct mmsghdr msgs[TIMBRE_RECEIVE_CHUNK];
    struct iovec iovs[TIMBRE_RECEIVE_CHUNK];
    /* uint64_t elements keep every control buffer aligned for struct cmsghdr. */
    uint64_t control[TIMBRE_RECEIVE_CHUNK][(TIMBRE_CONTROL_SPACE + 7) / 8];
    if (count > TIMBRE_MAX_BATCH) count = TIMBRE_MAX_BATCH;
    /* The kernel stamps datagrams on the wall clock; the media clock is monotonic. One reading of
       both clocks per call converts every stamp. */
    uint64_t mono_now = 0, offset = 0;
    int clocks_read = 0, have_offset = 0;
    unsigned done = 0;
    while (done < count) {
        unsigned chunk = count - done < TIMBRE_RECEIVE_CHUNK ? count - done : TIMBRE_RECEIVE_CHUNK;
        memset(msgs, 0, sizeof(struct mmsghdr) * chunk);
        for (unsigned i = 0; i < chunk; i++) {
            iovs[i].iov_base = buffers + (size_t)(done + i) * slot_size;
            iovs[i].iov_len = slot_size;
            msgs[i].msg_hdr.msg_iov = &iovs[i];
            msgs[i].msg_hdr.msg_iovlen = 1;
            msgs[i].msg_hdr.msg_name = &sources[done + i];
            msgs[i].msg_hdr.msg_namelen = sizeof(struct sockaddr_in);
            if (arrivals) {
                msgs[i].msg_hdr.msg_control = control[i];
                msgs[i].msg_hdr.msg_controllen = sizeof control[i];
            }
        }
        int n = recvmmsg(fd, msgs, chunk, MSG_DONTWAIT | MSG_TRUNC, NULL);
        if (n < 0) {
            if (done > 0 || errno == EAGAIN || errno == EWOULDBLOCK) break;
            return -1;
        }
        if (arrivals && n > 0 && !clocks_read) {
            clocks_read = 1;
            struct timespec real, mono;
            if (clock_gettime(CLOCK_REALTIME, &real) == 0 && clock_gettime(CLOCK_MONOTONIC, &mono) == 0) {
                mono_now = timespec_ns(&mono);
                uint64_t real_now = timespec_ns(&real);
                if (real_now >= mono_now) {
                    offset = real_now - mono_now;
                    have_offset = 1;
                }
            }
        }
        for (int i = 0; i < n; i++) {
            unsigned k = done + (unsigned)i;
            size_t len = msgs[i].msg_len;
            truncated[k] = (len > slot_size || (msgs[i].msg_hdr.msg_flags & MSG_TRUNC)) ? 1 : 0;
            lengths[k] = (int32_t)(len > slot_size ? slot_size : len);
            if (!arrivals) continue;
            arrivals[k] = 0;
            if (!have_offset || (msgs[i].msg_hdr.msg_flags & MSG_CTRUNC)) continue;
            for (struct cmsghdr *c = CMSG_FIRSTHDR(&msgs[i].msg_hdr); c; c = CMSG_NXTHDR(&msgs[i].msg_hdr, c)) {
                if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_TIMESTAMPNS) continue;
                struct timespec t;
                memcpy(&t, CMSG_DATA(c), sizeof t);
                uint64_t real = timespec_ns(&t);
                if (real < offset) break;
                uint64_t mono = real - offset;
                if (mono > mono_now) mono = mono_now; /* stamped after we read the clocks: clock noise */
                if (mono_now - mono <= TIMBRE_TIMESTAMP_WINDOW_NS) arrivals[k] = mono;
                break;
            }
        }
        done += (unsigned)n;
        if ((unsigned)n < chunk) break;
    }
    return (int)done;
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
