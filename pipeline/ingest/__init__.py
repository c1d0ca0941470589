"""Reading a source: media decoding, captions, and transcription into a Transcript."""
