#define _GNU_SOURCE
#include "CTimbreLinux.h"
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

int timbre_pty_open(char *slave_name, size_t len) {
    int fd = posix_openpt(O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0) return -1;
    if (grantpt(fd) != 0 || unlockpt(fd) != 0 || ptsname_r(fd, slave_name, len) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}
