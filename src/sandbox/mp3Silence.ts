// MP3 audio for sandbox recordings, built without an encoder: constant-bitrate MPEG-1 Layer III
// frames whose side information is all zero, which every decoder plays as silence.
export const MP3_SAMPLE_RATE = 32_000;
export const MP3_BITRATE = 32_000;
export const MP3_SAMPLES_PER_FRAME = 1152;
/** 144 × bitrate / sample rate: a whole number at these rates, so no frame needs a padding byte. */
export const MP3_FRAME_BYTES = (MP3_SAMPLES_PER_FRAME / 8) * (MP3_BITRATE / MP3_SAMPLE_RATE);

/**
 * Header: sync (11 bits), MPEG-1 (11), Layer III (01), no CRC (1) | bitrate index 1 (32 kbps),
 * sample rate index 2 (32 kHz), no padding, private 0 | mono (11), mode extension 00, not
 * copyrighted, original, no emphasis.
 */
const FRAME_HEADER = Buffer.from([0xff, 0xfb, 0x18, 0xc4]);

/** A mono MP3 stream of silence lasting `durationMs`, to within half a frame (36 ms); at least one frame. */
export function silentMp3(durationMs: number): Buffer {
  const frames = Math.max(1, Math.round((durationMs / 1000) * (MP3_SAMPLE_RATE / MP3_SAMPLES_PER_FRAME)));
  const mp3 = Buffer.alloc(frames * MP3_FRAME_BYTES); // zero side info and main data after each header
  for (let i = 0; i < frames; i++) FRAME_HEADER.copy(mp3, i * MP3_FRAME_BYTES);
  return mp3;
}
