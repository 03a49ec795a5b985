// TimbreGreetings
//
// Voicemail greeting validation against PBX profiles, transcoding and a greeting store.
