#ifndef TIMBRE_UDP_H
#define TIMBRE_UDP_H
/* Batched UDP receive for the media threads. recvmmsg() and struct mmsghdr need _GNU_SOURCE,
   which the Swift Glibc module does not define, so the whole batch is set up here. */
#include <stdint.h>
#include <stddef.h>
#include <netinet/in.h>

/* Receives up to `count` datagrams without blocking into `buffers` (count slots of `slot_size`
   bytes). For each datagram i: lengths[i] = its length (capped at slot_size), truncated[i] = 1 when
   it was longer than the slot, sources[i] = sender. Returns the number received, 0 when none
   is waiting, -1 on error (errno set). */
int timbre_udp_receive_batch(int fd, uint8_t *buffers, size_t slot_size, unsigned count,
                             struct sockaddr_in *sources, int32_t *lengths, uint8_t *truncated);

#endif
