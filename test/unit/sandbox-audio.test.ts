import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { PlivoClient } from '../../src/plivo';
import { SANDBOX_AUTH_ID, SANDBOX_AUTH_TOKEN, Sandbox } from '../../src/sandbox';
import { silentMp3 } from '../../src/sandbox/mp3Silence';
import { toneWav } from '../../src/sandbox/wavTone';
import { parseMp3, parseWav } from './helpers/audioFiles';
import { CallbackReceiver } from './helpers/sandboxReceiver';

/** One MPEG-1 Layer III frame at 32 kHz. */
const FRAME_S = 1152 / 32000;

async function download(url: string): Promise<{ type: string | null; bytes: Buffer }> {
  const res = await fetch(url);
  assert.equal(res.status, 200);
  return { type: res.headers.get('content-type'), bytes: Buffer.from(await res.arrayBuffer()) };
}

test('silentMp3 is a whole number of valid MPEG-1 Layer III frames lasting the asked duration', () => {
  for (const ms of [0, 1, 35, 1000, 5000, 60_000, 345_100]) {
    const mp3 = parseMp3(silentMp3(ms));
    assert.equal(mp3.first.bitrate, 32000);
    assert.equal(mp3.first.sampleRate, 32000);
    assert.equal(mp3.first.channels, 1);
    assert.equal(mp3.first.padding, false);
    assert.equal(mp3.first.protected, false);
    assert.equal(mp3.first.frameBytes, 144);
    assert.ok(mp3.frames >= 1);
    if (ms >= 1000) assert.ok(Math.abs(mp3.durationS - ms / 1000) <= FRAME_S / 2, `${ms} ms -> ${mp3.durationS} s`);
  }
});

test('toneWav is PCM WAV lasting the asked duration, to the sample', () => {
  for (const ms of [1, 400, 5000, 60_000]) {
    const wav = parseWav(toneWav(ms));
    assert.deepEqual(
      { format: wav.format, channels: wav.channels, sampleRate: wav.sampleRate, bits: wav.bitsPerSample },
      { format: 1, channels: 1, sampleRate: 8000, bits: 16 },
    );
    assert.ok(Math.abs(wav.durationS - ms / 1000) <= 1 / 8000, `${ms} ms -> ${wav.durationS} s`);
  }
});

describe('sandbox recording files', () => {
  let sandbox: Sandbox;
  let client: PlivoClient;
  let receiver: CallbackReceiver;

  before(async () => {
    sandbox = await Sandbox.start({ timeScale: 0.01 });
    receiver = await CallbackReceiver.start();
    client = new PlivoClient({
      credentials: { authId: SANDBOX_AUTH_ID, authToken: SANDBOX_AUTH_TOKEN },
      baseUrl: sandbox.url,
    });
  });
  after(async () => {
    await sandbox.close();
    await receiver.close();
  });

  for (const format of ['mp3', 'wav'] as const) {
    test(`a recorded call's ${format} lasts as long as the Recording API says`, async () => {
      const call = sandbox.addCall();
      await client.startRecording(call.callUuid, { fileFormat: format });
      await new Promise((resolve) => setTimeout(resolve, 40));
      sandbox.hangup(call.callUuid);
      const [recording] = (await client.listRecordings({ callUuid: call.callUuid })).recordings;
      const file = await download(recording.url);
      if (format === 'mp3') {
        assert.equal(file.type, 'audio/mpeg');
        const mp3 = parseMp3(file.bytes);
        assert.ok(Math.abs(mp3.durationS * 1000 - recording.durationMs) <= FRAME_S * 1000, `${mp3.durationS} s`);
      } else {
        assert.equal(file.type, 'audio/wav');
        const wav = parseWav(file.bytes);
        assert.ok(Math.abs(wav.durationS * 1000 - recording.durationMs) <= 1, `${wav.durationS} s`);
      }
    });
  }

  test('a recording that ran to its time limit lasts exactly time_limit', async () => {
    const call = sandbox.addCall();
    await client.startRecording(call.callUuid, { timeLimit: 3 });
    await new Promise((resolve) => setTimeout(resolve, 80));
    const [recording] = (await client.listRecordings({ callUuid: call.callUuid })).recordings;
    assert.equal(recording.durationMs, 3000);
    const mp3 = parseMp3((await download(recording.url)).bytes);
    assert.equal(mp3.frames, Math.round(3 / FRAME_S));
  });

  test('a seeded 60 s mp3 has 1667 frames (60.012 s)', async () => {
    const recording = sandbox.addRecording({ format: 'mp3', durationMs: 60_000 });
    const mp3 = parseMp3((await download(recording.url)).bytes);
    assert.equal(mp3.frames, 1667);
    assert.ok(Math.abs(mp3.durationS - 60) <= FRAME_S);
  });

  test('transcription callbacks carry a plausible sentence for the recording', async () => {
    const call = sandbox.addCall();
    const started = await client.startRecording(call.callUuid, {
      transcriptionType: 'auto',
      transcriptionUrl: receiver.url('/transcription'),
    });
    sandbox.hangup(call.callUuid);
    const log = await sandbox.waitFor(
      'callback',
      (c) => c.kind === 'transcription' && c.params.call_uuid === call.callUuid,
    );
    assert.ok(started.kind === 'started');
    assert.equal(log.params.recording_id, started.recordingId);
    assert.match(log.params.transcription, /^[A-Z][^.]+( [^.]+)*[.?!]( [A-Z].*)?$/);
    assert.ok(log.params.transcription.split(' ').length >= 8);
    assert.equal(log.params.error, '');
  });
});
