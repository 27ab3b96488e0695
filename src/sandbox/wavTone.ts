// WAV audio for sandbox recordings: a short beep, then silence up to the recording's duration.
const SAMPLE_RATE = 8000;
const BEEP_S = 0.4;
const FREQUENCY_HZ = 440;
const AMPLITUDE = 0.3 * 0x7fff;
const FADE_S = 0.02; // avoids clicks at both ends of the beep
const HEADER_BYTES = 44;

/** A mono 8 kHz 16-bit PCM WAV file lasting `durationMs` (at least one sample), starting with a 440 Hz beep. */
export function toneWav(durationMs: number): Buffer {
  const samples = Math.max(1, Math.round((SAMPLE_RATE * durationMs) / 1000));
  const dataBytes = samples * 2;
  const wav = Buffer.alloc(HEADER_BYTES + dataBytes); // zero-filled: silence after the beep
  wav.write('RIFF', 0, 'ascii');
  wav.writeUInt32LE(36 + dataBytes, 4);
  wav.write('WAVE', 8, 'ascii');
  wav.write('fmt ', 12, 'ascii');
  wav.writeUInt32LE(16, 16); // fmt chunk size
  wav.writeUInt16LE(1, 20); // PCM
  wav.writeUInt16LE(1, 22); // mono
  wav.writeUInt32LE(SAMPLE_RATE, 24);
  wav.writeUInt32LE(SAMPLE_RATE * 2, 28); // byte rate
  wav.writeUInt16LE(2, 32); // block align
  wav.writeUInt16LE(16, 34); // bits per sample
  wav.write('data', 36, 'ascii');
  wav.writeUInt32LE(dataBytes, 40);
  const beepSamples = Math.min(samples, Math.round(SAMPLE_RATE * BEEP_S));
  const fadeSamples = SAMPLE_RATE * FADE_S;
  for (let i = 0; i < beepSamples; i++) {
    const envelope = Math.min(1, i / fadeSamples, (beepSamples - 1 - i) / fadeSamples);
    const value = Math.sin((2 * Math.PI * FREQUENCY_HZ * i) / SAMPLE_RATE) * AMPLITUDE * envelope;
    wav.writeInt16LE(Math.round(value), HEADER_BYTES + i * 2);
  }
  return wav;
}
