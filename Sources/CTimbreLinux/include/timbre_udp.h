#ifndef TIMBRE_UDP_H
#define TIMBRE_UDP_H
/* Batched UDP receive and send. recvmmsg(), sendmmsg() and struct mmsghdr need _GNU_SOURCE,
   which the Swift Glibc module does not define, so the whole batch is set up here. */
#include <stdint.h>
#include <stddef.h>
#include <netinet/in.h>

/* Asks the kernel to stamp each datagram this socket receives with its arrival time
   (SO_TIMESTAMPNS). 0, or -1 with errno set. */
int timbre_udp_enable_receive_timestamps(int fd);

/* Receives up to `count` datagrams without blocking into `buffers` (count slots of `slot_size`
   bytes). For each datagram i: lengths[i] = its length (capped at slot_size), truncated[i] = 1 when
   it was longer than the slot, sources[i] = sender, and, when `arrivals` is not NULL,
   arrivals[i] = when it reached the socket in CLOCK_MONOTONIC nanoseconds (the kernel's stamp,
   converted from the wall clock), or 0 when it carried no stamp (timestamps not enabled, or a
   stamp that cannot be trusted). Why stamps: a reader that drains many sockets one after another
   sees each datagram some time after it came; the kernel's stamp is the arrival, whenever the
   read happens. Returns the number received, 0 when none is waiting, -1 on error (errno set). */
int timbre_udp_receive_batch_timestamped(int fd, uint8_t *buffers, size_t slot_size, unsigned count,
                                         struct sockaddr_in *sources, int32_t *lengths, uint8_t *truncated,
                                         uint64_t *arrivals);

/* Sends `count` datagrams from `fd`: datagram i is lengths[i] bytes at buffers + i * slot_size,
   to destinations[i]. Returns how many the kernel took (in order; fewer than count when it
   refused one, e.g. a full socket buffer), or -1 with errno set when it took none. */
int timbre_udp_send_batch(int fd, const uint8_t *buffers, size_t slot_size, unsigned count,
                          const struct sockaddr_in *destinations, const int32_t *lengths);

#endif
