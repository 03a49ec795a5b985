// TimbreHID
//
// USB HID report-descriptor parsing and the telephony call-control mapping and state machine (pure, no I/O).
