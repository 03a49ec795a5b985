// TimbreAudioFile
//
// Audio files through libsndfile: AudioFileReader and AudioFileWriter with clear errors for truncated or lying files.
