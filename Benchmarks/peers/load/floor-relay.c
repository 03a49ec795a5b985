/*
 * floor-relay: the cheapest correct userspace RTP relay we could write, as a measuring instrument
 * for `Benchmarks/peers/load/run.sh` (FLOOR=1). It answers the question "how much CPU per call does
 * the kernel's socket path alone cost on this machine?": whatever a relay does beyond receiving a
 * datagram on one socket and sending it from another, this does not do, so its CPU per call is a
 * floor for timbred and rtpengine alike.
 *
 * It speaks just enough of rtpengine's NG protocol (UDP, `COOKIE SPACE BENCODED-DICT`) for
 * `timbre load --rtpengine HOST:PORT` to drive it unchanged: ping, offer, answer, delete. Per call
 * two legs, each one UDP socket on an even port of the interface address; the offer's SDP comes
 * back with c=/m= pointing at the leg that faces the answerer, the answer's SDP with the leg that
 * faces the offerer. Each leg starts sending to the address its endpoint's SDP gave, and latches
 * onto the source of the first datagram it receives (symmetric RTP); after latching, datagrams from
 * any other source are dropped (strict source). Every datagram received on one leg goes out
 * unchanged from the other leg's socket to that leg's remote: no RTP parsing, no jitter buffer, no
 * transcoding. So only PCMU to PCMU is accepted; an offer with any other format or a transcoding
 * request gets an NG error.
 *
 * Three loops, chosen with --mode (the CPU they cost differs, and which is cheaper is the point):
 *   tick  (default) every 20 ms, one recvmmsg per leg socket drains it (MSG_DONTWAIT); no socket
 *         is registered with epoll, so packet arrival costs no wake-up and no ready-list work.
 *         Between ticks the loop sleeps in ppoll on the NG socket alone, so control stays prompt.
 *   epoll every leg socket in one level-triggered epoll set; each readable socket is drained
 *         with recvmmsg when reported.
 *   uring the tick, with each leg's receive and each forwarded datagram's send an io_uring
 *         operation: a handful of io_uring_enter calls per tick instead of two system calls per
 *         datagram.
 * --connect connects a leg's socket to its remote once latched, and then sends with send()/sendmmsg
 * without an address: this measures whether a connected UDP socket (the kernel keeps the route
 * cached in the socket) is cheaper per datagram than sendto() on an unconnected one.
 *
 * Single-threaded, every buffer bounded, all input from the network validated before use.
 * Build: cc -O2 -o floor-relay floor-relay.c
 * Run:   floor-relay --listen-ng 127.0.0.1:22224 --interface 127.0.0.1 --port-min 50000 --port-max 59999
 * SIGTERM/SIGINT print the counters (datagrams forwarded and dropped, receives and sends) to stderr
 * and exit.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <linux/io_uring.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* Capacity: calls and legs live in fixed tables, so no request can make the relay allocate. */
#define MAX_CALLS 8192
#define MAX_LEGS (2 * MAX_CALLS)
#define MAX_CALL_ID 256
#define MAX_SDP 8192
#define MAX_NG_MESSAGE 65536
/* Datagrams per recvmmsg. A leg gets one packet per 20 ms, so more than a few only help after a stall. */
#define BATCH 8
/* Larger than any RTP packet on an Ethernet path; a longer datagram is truncated and dropped. */
#define DATAGRAM_BYTES 2048
#define TICK_NS 20000000LL
/* The epoll token of the NG socket; legs use their index. */
#define NG_TOKEN UINT32_MAX

/* ---------------------------------------------------------------------------------------------- */
/* Legs and calls                                                                                   */

/* One side of a call: the socket its endpoint sends to and receives from, and where it sends. */
struct leg {
    int fd;                    /* -1 when the slot is free */
    uint16_t port;
    int peer;                  /* the other leg of the call: datagrams received here go out from it */
    struct sockaddr_in remote; /* from the endpoint's SDP until latched, then the first source seen */
    int has_remote;
    int latched;
    int connected;             /* --connect: connect()ed to remote after latching */
    int active_slot;           /* index in active_legs, for removal in O(1) */
};

/* A call: its NG call-id and its two legs (0 faces the offerer, 1 the answerer). */
struct call {
    int used;
    size_t id_length;
    char id[MAX_CALL_ID];
    int legs[2];
};

static struct leg legs[MAX_LEGS];
static struct call calls[MAX_CALLS];
/* Indices of legs in use, packed, so the tick sweeps only live sockets. */
static int active_legs[MAX_LEGS];
static int active_count;

/* Configuration. */
static struct in_addr interface_address;
static char interface_text[INET_ADDRSTRLEN];
static int port_min = 50000, port_max = 59999, next_port;
static int use_epoll, use_uring;
static int connect_after_latch;
static int epoll_fd = -1;

/* Counters, printed at exit; the syscall counts show what each loop spends per datagram. */
static unsigned long long forwarded, dropped_no_remote, dropped_foreign, dropped_truncated, send_errors;
static unsigned long long receive_calls, empty_receives, send_calls, ring_enters;
static volatile sig_atomic_t stopping;

/* ---------------------------------------------------------------------------------------------- */
/* Forwarding                                                                                       */

static struct mmsghdr in_msgs[BATCH];
static struct iovec in_iov[BATCH];
static struct sockaddr_in in_names[BATCH];
static unsigned char in_buffers[BATCH][DATAGRAM_BYTES];
static struct mmsghdr out_msgs[BATCH];
static struct iovec out_iov[BATCH];

static void prepare_batches(void) {
    for (int i = 0; i < BATCH; i++) {
        in_iov[i].iov_base = in_buffers[i];
        in_iov[i].iov_len = DATAGRAM_BYTES;
        in_msgs[i].msg_hdr.msg_iov = &in_iov[i];
        in_msgs[i].msg_hdr.msg_iovlen = 1;
        out_msgs[i].msg_hdr.msg_iov = &out_iov[i];
        out_msgs[i].msg_hdr.msg_iovlen = 1;
    }
}

static int same_endpoint(const struct sockaddr_in *a, const struct sockaddr_in *b) {
    return a->sin_addr.s_addr == b->sin_addr.s_addr && a->sin_port == b->sin_port;
}

/* Latches `l` onto `source` and, with --connect, connects its socket there (the kernel then also
 * drops datagrams from other sources itself). */
static void latch(struct leg *l, const struct sockaddr_in *source) {
    l->remote = *source;
    l->has_remote = 1;
    l->latched = 1;
    if (connect_after_latch && connect(l->fd, (const struct sockaddr *)source, sizeof *source) == 0) l->connected = 1;
}

/* Whether a datagram received on `in` (from `source`, with recvmsg's `flags`) goes on: not
 * truncated, and from the latched source (the first source latches). A connected socket gets only
 * its remote's datagrams, so its source is not looked at. */
static int admit(struct leg *in, const struct sockaddr_in *source, socklen_t length, int flags) {
    if (flags & MSG_TRUNC) { dropped_truncated++; return 0; }
    if (in->connected) return 1;
    if (length != sizeof(struct sockaddr_in) || source->sin_family != AF_INET) { dropped_foreign++; return 0; }
    if (!in->latched) latch(in, source);
    else if (!same_endpoint(&in->remote, source)) { dropped_foreign++; return 0; }
    return 1;
}

/* Receives what waits on leg `index` (one recvmmsg, MSG_DONTWAIT) and sends it on from the peer
 * leg. Returns the number of datagrams received, so a caller can tell whether the batch was full. */
static int relay_once(int index) {
    struct leg *in = &legs[index];
    for (int i = 0; i < BATCH; i++) {
        in_msgs[i].msg_hdr.msg_name = in->connected ? NULL : &in_names[i];
        in_msgs[i].msg_hdr.msg_namelen = in->connected ? 0 : sizeof in_names[i];
        in_msgs[i].msg_hdr.msg_flags = 0;
    }
    int n = recvmmsg(in->fd, in_msgs, BATCH, MSG_DONTWAIT, NULL);
    receive_calls++;
    if (n <= 0) { empty_receives++; return 0; }
    struct leg *out = &legs[in->peer];
    int queued = 0;
    for (int i = 0; i < n; i++) {
        if (!admit(in, &in_names[i], in_msgs[i].msg_hdr.msg_namelen, in_msgs[i].msg_hdr.msg_flags)) continue;
        if (!out->has_remote) { dropped_no_remote++; continue; }
        out_iov[queued].iov_base = in_buffers[i];
        out_iov[queued].iov_len = in_msgs[i].msg_len;
        out_msgs[queued].msg_hdr.msg_name = out->connected ? NULL : &out->remote;
        out_msgs[queued].msg_hdr.msg_namelen = out->connected ? 0 : sizeof out->remote;
        queued++;
    }
    if (queued > 0) send_calls++;
    if (queued == 1) {
        ssize_t r = out->connected ? send(out->fd, out_iov[0].iov_base, out_iov[0].iov_len, MSG_DONTWAIT)
                                   : sendto(out->fd, out_iov[0].iov_base, out_iov[0].iov_len, MSG_DONTWAIT,
                                            (const struct sockaddr *)&out->remote, sizeof out->remote);
        if (r < 0) send_errors++; else forwarded++;
    } else if (queued > 1) {
        int sent = sendmmsg(out->fd, out_msgs, queued, MSG_DONTWAIT);
        if (sent < 0) sent = 0;
        forwarded += sent;
        send_errors += queued - sent;
    }
    return n;
}

/* Drains leg `index`, bounded so that a flooded socket cannot hold the loop. */
static void relay(int index) {
    for (int round = 0; round < 16 && relay_once(index) == BATCH; round++) {}
}

/* ---------------------------------------------------------------------------------------------- */
/* io_uring tick (--mode uring)                                                                     */
/*
 * The same 20 ms tick, but the receives of all legs go to the kernel in one io_uring_enter, and
 * the sends of what came in (with another receive on each leg that got something) in the next:
 * the per-datagram network-stack work stays, the system call per datagram goes. This tells
 * whether the floor is the system-call boundary or the socket path behind it. The ring is driven
 * with raw system calls (no liburing), every operation with MSG_DONTWAIT, so each completes during
 * the io_uring_enter that submits it (an empty socket completes with -EAGAIN).
 */

#define RING_ENTRIES 4096
#ifndef URING_ROUNDS
#define URING_ROUNDS 4
#endif

static struct {
    int fd;
    unsigned *sq_tail, *sq_mask, *sq_array, *cq_head, *cq_tail, *cq_mask;
    struct io_uring_sqe *sqes;
    struct io_uring_cqe *cqes;
    unsigned tail, pending;
} ring = {.fd = -1};

/* Per leg: its receive's message header, and two buffers (the round's receive fills one while
 * the previous round's datagram is sent from the other). */
struct uring_leg {
    struct msghdr receive_header, send_header;
    struct iovec receive_iov, send_iov;
    struct sockaddr_in source;
    int received; /* the last receive's length, 0 when nothing (or nothing to forward) came */
    int got;      /* the last receive found a datagram (forwarded or not), so there may be more */
    unsigned char buffers[2][DATAGRAM_BYTES];
};
static struct uring_leg *uring_legs;
static int uring_list[MAX_LEGS], uring_next[MAX_LEGS];

static int uring_setup(void) {
    struct io_uring_params p;
    memset(&p, 0, sizeof p);
    p.flags = IORING_SETUP_SUBMIT_ALL | IORING_SETUP_COOP_TASKRUN;
    ring.fd = (int)syscall(__NR_io_uring_setup, RING_ENTRIES, &p);
    if (ring.fd < 0) return -1;
    size_t sq_size = p.sq_off.array + p.sq_entries * sizeof(unsigned);
    size_t cq_size = p.cq_off.cqes + p.cq_entries * sizeof(struct io_uring_cqe);
    int single = (p.features & IORING_FEAT_SINGLE_MMAP) != 0;
    if (single && cq_size > sq_size) sq_size = cq_size;
    char *sq = mmap(NULL, sq_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring.fd, IORING_OFF_SQ_RING);
    char *cq = single ? sq : mmap(NULL, cq_size, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, ring.fd, IORING_OFF_CQ_RING);
    ring.sqes = mmap(NULL, p.sq_entries * sizeof(struct io_uring_sqe), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
                     ring.fd, IORING_OFF_SQES);
    if (sq == MAP_FAILED || cq == MAP_FAILED || ring.sqes == MAP_FAILED) return -1;
    ring.sq_tail = (unsigned *)(sq + p.sq_off.tail);
    ring.sq_mask = (unsigned *)(sq + p.sq_off.ring_mask);
    ring.sq_array = (unsigned *)(sq + p.sq_off.array);
    ring.cq_head = (unsigned *)(cq + p.cq_off.head);
    ring.cq_tail = (unsigned *)(cq + p.cq_off.tail);
    ring.cq_mask = (unsigned *)(cq + p.cq_off.ring_mask);
    ring.cqes = (struct io_uring_cqe *)(cq + p.cq_off.cqes);
    ring.tail = *ring.sq_tail;
    uring_legs = calloc(MAX_LEGS, sizeof *uring_legs);
    return uring_legs ? 0 : -1;
}

static void uring_complete(const struct io_uring_cqe *cqe);

/* Submits what is queued, waits until all of it has completed, and handles the completions. */
static void uring_flush(void) {
    unsigned outstanding = ring.pending;
    if (!outstanding) return;
    __atomic_store_n(ring.sq_tail, ring.tail, __ATOMIC_RELEASE);
    unsigned to_submit = ring.pending;
    ring.pending = 0;
    while (outstanding) {
        long r = syscall(__NR_io_uring_enter, ring.fd, to_submit, outstanding, IORING_ENTER_GETEVENTS, NULL, 0);
        ring_enters++;
        if (r < 0 && errno != EINTR) { perror("floor-relay: io_uring_enter"); exit(1); }
        if (r > 0) to_submit -= (unsigned)r > to_submit ? to_submit : (unsigned)r;
        unsigned head = *ring.cq_head, tail = __atomic_load_n(ring.cq_tail, __ATOMIC_ACQUIRE);
        for (; head != tail && outstanding; head++, outstanding--) uring_complete(&ring.cqes[head & *ring.cq_mask]);
        __atomic_store_n(ring.cq_head, head, __ATOMIC_RELEASE);
    }
}

static struct io_uring_sqe *uring_sqe(void) {
    if (ring.pending == RING_ENTRIES) uring_flush();
    struct io_uring_sqe *sqe = &ring.sqes[ring.tail & *ring.sq_mask];
    ring.sq_array[ring.tail & *ring.sq_mask] = ring.tail & *ring.sq_mask;
    ring.tail++;
    ring.pending++;
    memset(sqe, 0, sizeof *sqe);
    return sqe;
}

/* user_data: leg index << 1 | 1 for a send. */
static void uring_queue_receive(int index, int buffer) {
    struct uring_leg *u = &uring_legs[index];
    u->receive_iov = (struct iovec){.iov_base = u->buffers[buffer], .iov_len = DATAGRAM_BYTES};
    u->receive_header = (struct msghdr){.msg_name = &u->source, .msg_namelen = sizeof u->source,
                                        .msg_iov = &u->receive_iov, .msg_iovlen = 1};
    u->received = 0;
    u->got = 0;
    struct io_uring_sqe *sqe = uring_sqe();
    sqe->opcode = IORING_OP_RECVMSG;
    sqe->fd = legs[index].fd;
    sqe->addr = (uint64_t)(uintptr_t)&u->receive_header;
    sqe->len = 1;
    sqe->msg_flags = MSG_DONTWAIT;
    sqe->user_data = (uint64_t)index << 1;
    receive_calls++;
}

/* Sends leg `index`'s last datagram (in `buffer`) from its peer. */
static void uring_queue_send(int index, int buffer) {
    struct uring_leg *u = &uring_legs[index];
    struct leg *out = &legs[legs[index].peer];
    struct io_uring_sqe *sqe = uring_sqe();
    sqe->fd = out->fd;
    sqe->msg_flags = MSG_DONTWAIT;
    sqe->user_data = (uint64_t)index << 1 | 1;
    if (out->connected) {
        sqe->opcode = IORING_OP_SEND;
        sqe->addr = (uint64_t)(uintptr_t)u->buffers[buffer];
        sqe->len = (unsigned)u->received;
    } else {
        u->send_iov = (struct iovec){.iov_base = u->buffers[buffer], .iov_len = (size_t)u->received};
        u->send_header = (struct msghdr){.msg_name = &out->remote, .msg_namelen = sizeof out->remote,
                                         .msg_iov = &u->send_iov, .msg_iovlen = 1};
        sqe->opcode = IORING_OP_SENDMSG;
        sqe->addr = (uint64_t)(uintptr_t)&u->send_header;
        sqe->len = 1;
    }
    send_calls++;
}

static void uring_complete(const struct io_uring_cqe *cqe) {
    int index = (int)(cqe->user_data >> 1);
    if (cqe->user_data & 1) {
        if (cqe->res < 0) send_errors++; else forwarded++;
        return;
    }
    struct uring_leg *u = &uring_legs[index];
    struct leg *in = &legs[index];
    if (cqe->res <= 0) { empty_receives++; return; }
    u->got = 1;
    if (!admit(in, &u->source, u->receive_header.msg_namelen, u->receive_header.msg_flags)) return;
    if (!legs[in->peer].has_remote) { dropped_no_remote++; return; }
    u->received = cqe->res;
}

/* One tick: receive on every leg; then send what came, and receive again (into the other buffer)
 * on every leg that got a datagram, for a few rounds, so a backlog drains. The second receive is
 * mostly empty, but nothing cheaper tells: IORING_CQE_F_SOCK_NONEMPTY would, yet UDP never sets
 * it (tested on Linux 6.18: three datagrams queued, each receive's completion flags 0), and with
 * one receive per leg per tick a backlog, once formed, never drains (added latency grew to 100 ms
 * at 1,000 calls). */
static void uring_tick(void) {
    int count = 0;
    for (int i = 0; i < active_count; i++) {
        uring_list[count++] = active_legs[i];
        uring_queue_receive(active_legs[i], 0);
    }
    uring_flush();
    for (int round = 1; count > 0; round++) {
        int next = 0;
        for (int i = 0; i < count; i++) {
            int index = uring_list[i];
            struct uring_leg *u = &uring_legs[index];
            if (u->received) uring_queue_send(index, (round - 1) & 1);
            if (u->got && round < URING_ROUNDS) {
                uring_queue_receive(index, round & 1);
                uring_next[next++] = index;
            }
        }
        uring_flush();
        memcpy(uring_list, uring_next, (size_t)next * sizeof uring_list[0]);
        count = next;
    }
}

/* ---------------------------------------------------------------------------------------------- */
/* Leg allocation                                                                                   */

/* Opens a socket on the next free even port of the range; returns the leg index or -1. */
static int open_leg(void) {
    int slot = -1;
    for (int i = 0; i < MAX_LEGS; i++) if (legs[i].fd < 0) { slot = i; break; }
    if (slot < 0) return -1;
    int fd = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    int span = (port_max - port_min) / 2 + 1;
    for (int attempt = 0; attempt < span; attempt++) {
        int port = next_port;
        next_port += 2;
        if (next_port > port_max) next_port = port_min;
        struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port), .sin_addr = interface_address};
        if (bind(fd, (struct sockaddr *)&a, sizeof a) != 0) continue;
        if (use_epoll) {
            struct epoll_event ev = {.events = EPOLLIN, .data.u32 = (uint32_t)slot};
            if (epoll_ctl(epoll_fd, EPOLL_CTL_ADD, fd, &ev) != 0) break;
        }
        legs[slot] = (struct leg){.fd = fd, .port = (uint16_t)port, .peer = -1, .active_slot = active_count};
        active_legs[active_count++] = slot;
        return slot;
    }
    close(fd);
    return -1;
}

static void close_leg(int index) {
    struct leg *l = &legs[index];
    if (l->fd < 0) return;
    close(l->fd);  /* also leaves the epoll set */
    int last = active_legs[--active_count];
    active_legs[l->active_slot] = last;
    legs[last].active_slot = l->active_slot;
    l->fd = -1;
}

/* ---------------------------------------------------------------------------------------------- */
/* Bencode                                                                                          */

/* A byte string inside the received message (not NUL-terminated). */
struct bytes {
    const char *p;
    size_t n;
};

static int bytes_equal(struct bytes b, const char *text) {
    size_t n = strlen(text);
    return b.p && b.n == n && memcmp(b.p, text, n) == 0;
}

/* Reads a byte string `LEN:DATA` at *p; returns 0 on malformed input. */
static int read_bytes(const char **p, const char *end, struct bytes *out) {
    size_t length = 0;
    const char *s = *p;
    if (s >= end || *s < '0' || *s > '9') return 0;
    while (s < end && *s >= '0' && *s <= '9') {
        if (length > MAX_NG_MESSAGE) return 0;
        length = length * 10 + (size_t)(*s - '0');
        s++;
    }
    if (s >= end || *s != ':') return 0;
    s++;
    if (length > (size_t)(end - s)) return 0;
    out->p = s;
    out->n = length;
    *p = s + length;
    return 1;
}

/* Skips one value of any kind at *p (nesting bounded); returns 0 on malformed input. */
static int skip_value(const char **p, const char *end, int depth) {
    if (depth > 32 || *p >= end) return 0;
    char c = **p;
    if (c == 'i') {
        const char *s = *p + 1;
        if (s < end && *s == '-') s++;
        const char *digits = s;
        while (s < end && *s >= '0' && *s <= '9') s++;
        if (s == digits || s >= end || *s != 'e') return 0;
        *p = s + 1;
        return 1;
    }
    if (c == 'l' || c == 'd') {
        (*p)++;
        while (*p < end && **p != 'e') {
            if (c == 'd') {
                struct bytes key;
                if (!read_bytes(p, end, &key)) return 0;
            }
            if (!skip_value(p, end, depth + 1)) return 0;
        }
        if (*p >= end) return 0;
        (*p)++;
        return 1;
    }
    struct bytes ignored;
    return read_bytes(p, end, &ignored);
}

/* The parts of an NG request the relay acts on. */
struct request {
    struct bytes command, call_id, from_tag, to_tag, sdp;
    int wants_transcoding; /* a `codec` dictionary with a `transcode` entry */
};

/* Whether the dictionary at `p` (a `codec` flag) has a `transcode` key. */
static int codec_asks_transcoding(const char *p, const char *end) {
    if (p >= end || *p != 'd') return 0;
    p++;
    while (p < end && *p != 'e') {
        struct bytes key;
        if (!read_bytes(&p, end, &key)) return 0;
        if (bytes_equal(key, "transcode")) return 1;
        if (!skip_value(&p, end, 1)) return 0;
    }
    return 0;
}

/* Parses the top-level dictionary of a request; returns 0 when it is not one. */
static int parse_request(const char *p, const char *end, struct request *r) {
    memset(r, 0, sizeof *r);
    if (p >= end || *p != 'd') return 0;
    p++;
    while (p < end && *p != 'e') {
        struct bytes key, value = {0};
        if (!read_bytes(&p, end, &key)) return 0;
        const char *start = p;
        int is_string = p < end && *p >= '0' && *p <= '9';
        if (is_string ? !read_bytes(&p, end, &value) : !skip_value(&p, end, 1)) return 0;
        if (bytes_equal(key, "codec")) r->wants_transcoding = codec_asks_transcoding(start, p);
        if (!is_string) continue;
        if (bytes_equal(key, "command")) r->command = value;
        else if (bytes_equal(key, "call-id")) r->call_id = value;
        else if (bytes_equal(key, "from-tag")) r->from_tag = value;
        else if (bytes_equal(key, "to-tag")) r->to_tag = value;
        else if (bytes_equal(key, "sdp")) r->sdp = value;
    }
    return p < end && p + 1 == end;
}

/* A reply under construction; `overflow` set when it would not fit. */
struct writer {
    char *p;
    size_t n, capacity;
    int overflow;
};

static void put(struct writer *w, const char *data, size_t n) {
    if (w->overflow || n > w->capacity - w->n) { w->overflow = 1; return; }
    memcpy(w->p + w->n, data, n);
    w->n += n;
}

static void put_string(struct writer *w, const char *data, size_t n) {
    char length[24];
    int k = snprintf(length, sizeof length, "%zu:", n);
    put(w, length, (size_t)k);
    put(w, data, n);
}

static void put_text(struct writer *w, const char *text) { put_string(w, text, strlen(text)); }

/* ---------------------------------------------------------------------------------------------- */
/* SDP                                                                                              */

/* The one audio stream of an SDP, as the relay reads it: where its endpoint listens. */
struct media {
    struct sockaddr_in address;
    int known; /* both an address and a non-zero port were given */
};

/* Copies `sdp` into `w` with every c= line pointing at our interface and the m=audio port at
 * `port`; reads the endpoint's address into `media`. Returns NULL on success, else the error reason
 * (not exactly one m= line, not audio, a format other than PCMU's static 0, a malformed line). */
static const char *rewrite_sdp(struct bytes sdp, uint16_t port, struct writer *w, struct media *media) {
    const char *p = sdp.p, *end = sdp.p + sdp.n;
    int media_lines = 0;
    char address[INET_ADDRSTRLEN] = "";
    long media_port = 0;
    memset(media, 0, sizeof *media);
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        const char *next = eol ? eol + 1 : end;
        size_t length = (size_t)((eol ? eol : end) - p);
        if (length > 0 && p[length - 1] == '\r') length--;
        if (length >= 9 && memcmp(p, "c=IN IP4 ", 9) == 0) {
            size_t a = length - 9;
            if (a == 0 || a >= sizeof address) return "bad c= line";
            memcpy(address, p + 9, a);
            address[a] = 0;
            put(w, "c=IN IP4 ", 9);
            put(w, interface_text, strlen(interface_text));
            put(w, "\r\n", 2);
        } else if (length >= 2 && memcmp(p, "m=", 2) == 0) {
            if (++media_lines > 1) return "more than one media stream";
            if (length < 8 || memcmp(p, "m=audio ", 8) != 0) return "not an audio stream";
            const char *s = p + 8, *e = p + length;
            media_port = 0;
            while (s < e && *s >= '0' && *s <= '9' && media_port <= 65535) media_port = media_port * 10 + (*s++ - '0');
            if (s == p + 8 || media_port > 65535 || s >= e || *s != ' ') return "bad m= port";
            const char *proto = ++s;
            while (s < e && *s != ' ') s++;
            const char *formats = s;
            if (s >= e) return "m= line without formats";
            for (const char *f = s; f < e;) {
                while (f < e && *f == ' ') f++;
                const char *t = f;
                while (f < e && *f != ' ') f++;
                if (f > t && !(f - t == 1 && *t == '0')) return "only PCMU (payload type 0) is relayed; no transcoding";
            }
            char head[32];
            int k = snprintf(head, sizeof head, "m=audio %u ", (unsigned)port);
            put(w, head, (size_t)k);
            put(w, proto, (size_t)(formats - proto));
            put(w, formats, (size_t)(e - formats));
            put(w, "\r\n", 2);
        } else if (length >= 7 && memcmp(p, "a=rtcp:", 7) == 0) {
            /* RTCP is not relayed on a port of its own: drop the line rather than advertise one. */
        } else {
            put(w, p, length);
            put(w, "\r\n", 2);
        }
        p = next;
    }
    if (media_lines != 1) return "no media stream";
    if (w->overflow) return "SDP too long";
    media->address.sin_family = AF_INET;
    media->address.sin_port = htons((uint16_t)media_port);
    media->known = media_port != 0 && inet_pton(AF_INET, address, &media->address.sin_addr) == 1 &&
                   media->address.sin_addr.s_addr != htonl(INADDR_ANY);
    return NULL;
}

/* ---------------------------------------------------------------------------------------------- */
/* NG commands                                                                                      */

static struct call *find_call(struct bytes id) {
    for (int i = 0; i < MAX_CALLS; i++)
        if (calls[i].used && calls[i].id_length == id.n && memcmp(calls[i].id, id.p, id.n) == 0) return &calls[i];
    return NULL;
}

static void delete_call(struct call *c) {
    close_leg(c->legs[0]);
    close_leg(c->legs[1]);
    c->used = 0;
}

/* A new call with two fresh legs, or NULL (with `reason`) when the tables or the port range are full. */
static struct call *create_call(struct bytes id, const char **reason) {
    if (id.n == 0 || id.n > MAX_CALL_ID) { *reason = "bad call-id"; return NULL; }
    struct call *c = NULL;
    for (int i = 0; i < MAX_CALLS && !c; i++) if (!calls[i].used) c = &calls[i];
    if (!c) { *reason = "too many calls"; return NULL; }
    int a = open_leg();
    int b = a < 0 ? -1 : open_leg();
    if (b < 0) {
        if (a >= 0) close_leg(a);
        *reason = "no free ports";
        return NULL;
    }
    legs[a].peer = b;
    legs[b].peer = a;
    c->used = 1;
    c->id_length = id.n;
    memcpy(c->id, id.p, id.n);
    c->legs[0] = a;
    c->legs[1] = b;
    return c;
}

/* Sets a leg's destination from its endpoint's SDP, unless it has already latched. */
static void aim(struct leg *l, const struct media *m) {
    if (l->latched || !m->known) return;
    l->remote = m->address;
    l->has_remote = 1;
}

static void reply_error(struct writer *w, const char *reason) {
    put(w, "d", 1);
    put_text(w, "error-reason");
    put_text(w, reason);
    put_text(w, "result");
    put_text(w, "error");
    put(w, "e", 1);
}

/* Offer (`answer` = 0) or answer: rewrites the SDP toward the other leg and replies with it. */
static void handle_offer_answer(const struct request *r, int answer, struct writer *w) {
    if (!r->call_id.p || !r->sdp.p) { reply_error(w, "call-id and sdp are required"); return; }
    if (r->wants_transcoding) { reply_error(w, "transcoding is not supported (PCMU to PCMU only)"); return; }
    const char *reason = NULL;
    struct call *c = find_call(r->call_id);
    if (!c && answer) { reply_error(w, "Unknown call-id"); return; }
    int created = 0;
    if (!c) {
        /* A retransmitted offer finds its call and gets the same ports again. */
        if (!(c = create_call(r->call_id, &reason))) { reply_error(w, reason); return; }
        created = 1;
    }
    /* The offerer's SDP aims leg 0 and is answered with leg 1's port, and the reverse. */
    struct leg *from = &legs[c->legs[answer ? 1 : 0]];
    struct leg *toward = &legs[c->legs[answer ? 0 : 1]];
    static char sdp_buffer[MAX_SDP];
    struct writer sdp = {.p = sdp_buffer, .capacity = sizeof sdp_buffer};
    struct media media;
    if ((reason = rewrite_sdp(r->sdp, toward->port, &sdp, &media))) {
        if (created) delete_call(c);
        reply_error(w, reason);
        return;
    }
    aim(from, &media);
    put(w, "d", 1);
    put_text(w, "result");
    put_text(w, "ok");
    put_text(w, "sdp");
    put_string(w, sdp.p, sdp.n);
    put(w, "e", 1);
}

/* Handles one NG datagram and sends the reply (same cookie) to its source. */
static void handle_ng(int fd) {
    static char message[MAX_NG_MESSAGE], reply[MAX_NG_MESSAGE + MAX_SDP];
    struct sockaddr_in source;
    socklen_t source_length = sizeof source;
    ssize_t n = recvfrom(fd, message, sizeof message, MSG_DONTWAIT, (struct sockaddr *)&source, &source_length);
    if (n <= 0) return;
    const char *space = memchr(message, ' ', (size_t)n);
    if (!space || space == message || space - message > 256) return;  /* not NG: no cookie to answer to */
    size_t cookie_length = (size_t)(space - message);
    struct writer w = {.p = reply, .capacity = sizeof reply};
    put(&w, message, cookie_length + 1);
    struct request r;
    if (!parse_request(space + 1, message + n, &r) || !r.command.p) {
        reply_error(&w, "malformed request");
    } else if (bytes_equal(r.command, "ping")) {
        put(&w, "d", 1);
        put_text(&w, "result");
        put_text(&w, "pong");
        put(&w, "e", 1);
    } else if (bytes_equal(r.command, "offer")) {
        handle_offer_answer(&r, 0, &w);
    } else if (bytes_equal(r.command, "answer")) {
        handle_offer_answer(&r, 1, &w);
    } else if (bytes_equal(r.command, "delete")) {
        struct call *c = r.call_id.p ? find_call(r.call_id) : NULL;
        if (!c) {
            reply_error(&w, "Unknown call-id");
        } else {
            delete_call(c);
            put(&w, "d", 1);
            put_text(&w, "result");
            put_text(&w, "ok");
            put(&w, "e", 1);
        }
    } else {
        reply_error(&w, "Unrecognized command");
    }
    if (w.overflow) {
        w.n = cookie_length + 1;
        w.overflow = 0;
        reply_error(&w, "reply too long");
    }
    sendto(fd, w.p, w.n, MSG_DONTWAIT, (struct sockaddr *)&source, source_length);
}

/* ---------------------------------------------------------------------------------------------- */
/* Main loop                                                                                        */

static long long now_ns(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void on_signal(int signal) {
    (void)signal;
    stopping = 1;
}

static int parse_address(const char *text, struct sockaddr_in *out) {
    char host[INET_ADDRSTRLEN];
    const char *colon = strrchr(text, ':');
    if (!colon || (size_t)(colon - text) >= sizeof host) return 0;
    memcpy(host, text, (size_t)(colon - text));
    host[colon - text] = 0;
    long port = strtol(colon + 1, NULL, 10);
    if (port <= 0 || port > 65535) return 0;
    memset(out, 0, sizeof *out);
    out->sin_family = AF_INET;
    out->sin_port = htons((uint16_t)port);
    return inet_pton(AF_INET, host, &out->sin_addr) == 1;
}

static void usage(void) {
    fprintf(stderr, "usage: floor-relay --listen-ng HOST:PORT [--interface ADDR] [--port-min N] [--port-max N]"
                    " [--mode tick|epoll|uring] [--connect]\n");
    exit(2);
}

int main(int argc, char **argv) {
    struct sockaddr_in ng_address;
    int have_ng = 0;
    inet_pton(AF_INET, "127.0.0.1", &interface_address);
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *value = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(arg, "--connect")) { connect_after_latch = 1; continue; }
        if (!value) usage();
        i++;
        if (!strcmp(arg, "--listen-ng")) have_ng = parse_address(value, &ng_address);
        else if (!strcmp(arg, "--interface")) { if (inet_pton(AF_INET, value, &interface_address) != 1) usage(); }
        else if (!strcmp(arg, "--port-min")) port_min = atoi(value);
        else if (!strcmp(arg, "--port-max")) port_max = atoi(value);
        else if (!strcmp(arg, "--mode")) {
            if (!strcmp(value, "epoll")) use_epoll = 1;
            else if (!strcmp(value, "uring")) use_uring = 1;
            else if (strcmp(value, "tick")) usage();
        } else usage();
    }
    port_min += port_min & 1;
    if (!have_ng || port_min < 1024 || port_max > 65535 || port_max <= port_min) usage();
    next_port = port_min;
    inet_ntop(AF_INET, &interface_address, interface_text, sizeof interface_text);
    for (int i = 0; i < MAX_LEGS; i++) legs[i].fd = -1;
    prepare_batches();

    struct sigaction sa = {.sa_handler = on_signal};  /* no SA_RESTART: waits return EINTR */
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);

    int ng = socket(AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (ng < 0 || bind(ng, (struct sockaddr *)&ng_address, sizeof ng_address) != 0) {
        perror("floor-relay: NG socket");
        return 1;
    }
    if (use_uring && uring_setup() != 0) {
        perror("floor-relay: io_uring");
        return 1;
    }
    if (use_epoll) {
        epoll_fd = epoll_create1(EPOLL_CLOEXEC);
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = NG_TOKEN};
        if (epoll_fd < 0 || epoll_ctl(epoll_fd, EPOLL_CTL_ADD, ng, &ev) != 0) {
            perror("floor-relay: epoll");
            return 1;
        }
    }
    char ng_text[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &ng_address.sin_addr, ng_text, sizeof ng_text);
    fprintf(stderr, "floor-relay: NG on %s:%u, media on %s ports %d-%d, %s loop%s\n", ng_text, ntohs(ng_address.sin_port), interface_text,
            port_min, port_max, use_epoll ? "epoll" : use_uring ? "20 ms io_uring tick" : "20 ms tick", connect_after_latch ? ", connect after latching" : "");

    if (use_epoll) {
        static struct epoll_event events[1024];
        while (!stopping) {
            int n = epoll_wait(epoll_fd, events, 1024, -1);
            for (int i = 0; i < n; i++) {
                uint32_t token = events[i].data.u32;
                if (token == NG_TOKEN) handle_ng(ng);
                else if (token < MAX_LEGS && legs[token].fd >= 0) relay((int)token);
            }
        }
    } else {
        long long next_tick = now_ns() + TICK_NS;
        struct pollfd control = {.fd = ng, .events = POLLIN};
        while (!stopping) {
            long long now = now_ns();
            if (now >= next_tick) {
                if (use_uring) uring_tick();
                else for (int i = 0; i < active_count; i++) relay(active_legs[i]);
                next_tick += TICK_NS;
                if (next_tick <= now) next_tick = now + TICK_NS;  /* fell behind: skip, do not burst */
                continue;
            }
            long long wait = next_tick - now;
            struct timespec timeout = {.tv_sec = wait / 1000000000LL, .tv_nsec = wait % 1000000000LL};
            if (ppoll(&control, 1, &timeout, NULL) > 0) {
                for (int k = 0; k < 64; k++) {  /* a burst of setups, bounded */
                    handle_ng(ng);
                    if (poll(&control, 1, 0) <= 0) break;
                }
            }
        }
    }
    fprintf(stderr, "floor-relay: forwarded %llu, dropped %llu (no remote yet) %llu (foreign source) %llu (truncated), %llu send errors\n",
            forwarded, dropped_no_remote, dropped_foreign, dropped_truncated, send_errors);
    fprintf(stderr, "floor-relay: %llu receives (%llu found nothing), %llu sends%s", receive_calls, empty_receives, send_calls,
            use_uring ? "" : " (each a system call)\n");
    if (use_uring) fprintf(stderr, " as io_uring operations, in %llu io_uring_enter calls\n", ring_enters);
    return 0;
}
