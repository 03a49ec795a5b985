#include "CTimbreLinux.h"
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <linux/hidraw.h>

_Static_assert(sizeof(struct hidraw_devinfo) == 8, "hidraw_devinfo layout");

int timbre_hidraw_descriptor_size(int fd) {
    int size = 0;
    if (ioctl(fd, HIDIOCGRDESCSIZE, &size) < 0) return -1;
    return size;
}

int timbre_hidraw_descriptor(int fd, uint8_t *buf, size_t len) {
    struct hidraw_report_descriptor desc;
    int size = timbre_hidraw_descriptor_size(fd);
    if (size < 0) return -1;
    if (size > HID_MAX_DESCRIPTOR_SIZE || (size_t)size > len) { errno = EOVERFLOW; return -1; }
    memset(&desc, 0, sizeof desc);
    desc.size = (uint32_t)size;
    if (ioctl(fd, HIDIOCGRDESC, &desc) < 0) return -1;
    memcpy(buf, desc.value, (size_t)size);
    return size;
}

int timbre_hidraw_info(int fd, uint32_t *bustype, int16_t *vendor, int16_t *product) {
    struct hidraw_devinfo info;
    if (ioctl(fd, HIDIOCGRAWINFO, &info) < 0) return -1;
    *bustype = info.bustype;
    *vendor = info.vendor;
    *product = info.product;
    return 0;
}

int timbre_hidraw_set_feature(int fd, const uint8_t *buf, size_t len) {
    return ioctl(fd, HIDIOCSFEATURE(len), buf);
}

int timbre_hidraw_get_feature(int fd, uint8_t *buf, size_t len) {
    return ioctl(fd, HIDIOCGFEATURE(len), buf);
}

int timbre_hidraw_max_descriptor_size(void) { return HID_MAX_DESCRIPTOR_SIZE; }
