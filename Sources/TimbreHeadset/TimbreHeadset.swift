// TimbreHeadset
//
// Headsets through /dev/hidraw: discovery through sysfs, hot-plug, report I/O.
