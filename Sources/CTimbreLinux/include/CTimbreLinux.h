#ifndef TIMBRE_CTIMBRELINUX_H
#define TIMBRE_CTIMBRELINUX_H
/* Linux calls Swift cannot import directly: the hidraw ioctl requests expand through _IOR()/_IOC()
   macros that the Clang importer does not evaluate, so each is wrapped in a small function. */
#include <stdint.h>
#include <stddef.h>

/* Size of the report descriptor of an open hidraw node, or -1 with errno set (HIDIOCGRDESCSIZE). */
int timbre_hidraw_descriptor_size(int fd);
/* Reads the report descriptor into buf (capacity len); returns its size or -1 (HIDIOCGRDESC). */
int timbre_hidraw_descriptor(int fd, uint8_t *buf, size_t len);
/* Bus type, vendor and product of an open hidraw node; 0 or -1 (HIDIOCGRAWINFO). */
int timbre_hidraw_info(int fd, uint32_t *bustype, int16_t *vendor, int16_t *product);
/* Sends a feature report (first byte is the report id); bytes written or -1 (HIDIOCSFEATURE). */
int timbre_hidraw_set_feature(int fd, const uint8_t *buf, size_t len);
/* Gets a feature report; buf[0] holds the report id on entry; bytes read or -1 (HIDIOCGFEATURE). */
int timbre_hidraw_get_feature(int fd, uint8_t *buf, size_t len);
/* The kernel's maximum report-descriptor size (HID_MAX_DESCRIPTOR_SIZE). */
int timbre_hidraw_max_descriptor_size(void);
/* Opens a pseudo-terminal master (non-blocking, close-on-exec) and writes its slave's path into
   slave_name; the master fd or -1 with errno set. posix_openpt/grantpt/unlockpt/ptsname_r are hidden
   from Swift's Glibc import (they need _XOPEN_SOURCE/_GNU_SOURCE). Tests use a pty as a stand-in
   /dev/hidrawN. */
int timbre_pty_open(char *slave_name, size_t len);

/* CPUs this process may run on: its affinity mask (taskset, cgroup cpusets), not every CPU online. */
int timbre_usable_cpu_count(void);

#include "timbre_udp.h"
#include "timbre_readiness.h"

#endif
