// Independent readers of the audio the sandbox serves: MPEG audio frame headers and RIFF/WAVE chunks.

/** Kbit/s by bitrate index, MPEG-1 Layer III (index 0 is "free", 15 is invalid). */
const MPEG1_L3_KBPS = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
const MPEG1_SAMPLE_RATES = [44100, 48000, 32000];

export interface Mp3FrameHeader {
  version: 'MPEG-1';
  layer: 3;
  bitrate: number;
  sampleRate: number;
  channels: 1 | 2;
  padding: boolean;
  protected: boolean;
  frameBytes: number;
}

export interface Mp3Info {
  frames: number;
  first: Mp3FrameHeader;
  samplesPerFrame: number;
  durationS: number;
}

/** Parses a 4-byte header; throws naming the first field that is not valid MPEG-1 Layer III. */
export function parseMp3FrameHeader(bytes: Buffer, at: number): Mp3FrameHeader {
  if (at + 4 > bytes.length) throw new Error(`truncated frame header at byte ${at}`);
  const header = bytes.readUInt32BE(at);
  if (header >>> 21 !== 0x7ff) throw new Error(`no frame sync at byte ${at}`);
  if (((header >>> 19) & 3) !== 3) throw new Error(`not MPEG-1 at byte ${at}`);
  if (((header >>> 17) & 3) !== 1) throw new Error(`not Layer III at byte ${at}`);
  const bitrateIndex = (header >>> 12) & 15;
  const rateIndex = (header >>> 10) & 3;
  if (bitrateIndex === 0 || bitrateIndex === 15) throw new Error(`bad bitrate index ${bitrateIndex} at byte ${at}`);
  if (rateIndex === 3) throw new Error(`reserved sample rate at byte ${at}`);
  const bitrate = MPEG1_L3_KBPS[bitrateIndex] * 1000;
  const sampleRate = MPEG1_SAMPLE_RATES[rateIndex];
  const padding = ((header >>> 9) & 1) === 1;
  return {
    version: 'MPEG-1',
    layer: 3,
    bitrate,
    sampleRate,
    channels: ((header >>> 6) & 3) === 3 ? 1 : 2,
    padding,
    protected: ((header >>> 16) & 1) === 0,
    frameBytes: Math.floor((144 * bitrate) / sampleRate) + (padding ? 1 : 0),
  };
}

/** Walks the stream frame by frame; it must end exactly at a frame boundary. */
export function parseMp3(bytes: Buffer): Mp3Info {
  let at = 0;
  let frames = 0;
  let first: Mp3FrameHeader | undefined;
  while (at < bytes.length) {
    const header = parseMp3FrameHeader(bytes, at);
    first ??= header;
    if (header.sampleRate !== first.sampleRate) throw new Error(`sample rate changes at byte ${at}`);
    if (at + header.frameBytes > bytes.length) throw new Error(`last frame truncated at byte ${at}`);
    at += header.frameBytes;
    frames++;
  }
  if (!first) throw new Error('no frames');
  const samplesPerFrame = 1152;
  return { frames, first, samplesPerFrame, durationS: (frames * samplesPerFrame) / first.sampleRate };
}

export interface WavInfo {
  format: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  dataBytes: number;
  durationS: number;
}

/** Reads the RIFF chunks; the RIFF size and the data chunk must account for every byte. */
export function parseWav(bytes: Buffer): WavInfo {
  if (bytes.toString('ascii', 0, 4) !== 'RIFF' || bytes.toString('ascii', 8, 12) !== 'WAVE') {
    throw new Error('not RIFF/WAVE');
  }
  if (bytes.readUInt32LE(4) !== bytes.length - 8) throw new Error('RIFF size does not match the file');
  let fmt: Omit<WavInfo, 'dataBytes' | 'durationS'> | undefined;
  let dataBytes: number | undefined;
  for (let at = 12; at < bytes.length;) {
    const id = bytes.toString('ascii', at, at + 4);
    const size = bytes.readUInt32LE(at + 4);
    if (at + 8 + size > bytes.length) throw new Error(`chunk ${id} overruns the file`);
    if (id === 'fmt ') {
      fmt = {
        format: bytes.readUInt16LE(at + 8),
        channels: bytes.readUInt16LE(at + 10),
        sampleRate: bytes.readUInt32LE(at + 12),
        bitsPerSample: bytes.readUInt16LE(at + 22),
      };
      const byteRate = bytes.readUInt32LE(at + 16);
      const blockAlign = bytes.readUInt16LE(at + 20);
      if (blockAlign !== (fmt.channels * fmt.bitsPerSample) / 8) throw new Error('inconsistent block align');
      if (byteRate !== fmt.sampleRate * blockAlign) throw new Error('inconsistent byte rate');
    } else if (id === 'data') {
      dataBytes = size;
    }
    at += 8 + size + (size % 2);
  }
  if (!fmt || dataBytes === undefined) throw new Error('missing fmt or data chunk');
  const durationS = dataBytes / ((fmt.sampleRate * fmt.channels * fmt.bitsPerSample) / 8);
  return { ...fmt, dataBytes, durationS };
}
