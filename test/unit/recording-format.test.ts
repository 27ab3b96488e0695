import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  dayLabel,
  describeFilter,
  filterQuery,
  formatDurationMs,
  groupByDay,
  isLoopbackUrl,
  localDayKey,
  numberFilterProblem,
  parseDayRange,
  recordingFileName,
  recordingStart,
  recordingTitle,
} from '../../src/plivo/recordingFormat';

const NOW = new Date(2026, 10, 25, 16, 0, 0); // local time, 25 Nov 2026

test('recordingTitle reads from → to as Calls shows numbers, or names the conference', () => {
  assert.equal(
    recordingTitle({ fromNumber: '14155550101', toNumber: '14155550202', type: 'normal' }),
    '+1 415 555 0101 → +1 415 555 0202',
  );
  assert.equal(recordingTitle({ fromNumber: '14155550101', type: 'normal' }), '+1 415 555 0101 → unknown');
  assert.equal(
    recordingTitle({ fromNumber: 'sip:alice@example.com', type: 'normal' }),
    'sip:alice@example.com → unknown',
  );
  assert.equal(recordingTitle({ conferenceName: 'standup', type: 'conference' }), 'Conference standup');
  assert.equal(recordingTitle({ type: 'conference' }), 'Conference recording');
  assert.equal(recordingTitle({ type: 'normal' }), 'Call recording');
});

test('recordingStart prefers recording_start_ms, then add_time', () => {
  const added = new Date('2026-11-25T10:00:00Z');
  assert.equal(recordingStart({ startMs: 1_764_064_800_000, addedAt: added })?.getTime(), 1_764_064_800_000);
  assert.equal(recordingStart({ startMs: 0, addedAt: added }), added);
  assert.equal(recordingStart({}), undefined);
});

test('formatDurationMs rounds to seconds and shows hours only when needed', () => {
  assert.equal(formatDurationMs(0), '0:00');
  assert.equal(formatDurationMs(5_400), '0:05');
  assert.equal(formatDurationMs(345_100), '5:45');
  assert.equal(formatDurationMs(3_723_000), '1:02:03');
  assert.equal(formatDurationMs(-10), '0:00');
});

test('groupByDay keeps the newest-first order and groups by local day', () => {
  const at = (d: number, h: number) => ({ id: `${d}-${h}`, startMs: new Date(2026, 10, d, h).getTime() });
  const items: { id: string; startMs?: number }[] = [at(25, 15), at(25, 9), at(24, 23), at(20, 1), { id: 'none' }];
  const groups = groupByDay(items);
  assert.deepEqual(
    groups.map((g) => [g.day, g.items.map((i) => i.id)]),
    [
      ['2026-11-25', ['25-15', '25-9']],
      ['2026-11-24', ['24-23']],
      ['2026-11-20', ['20-1']],
      ['unknown', ['none']],
    ],
  );
});

test('dayLabel says Today and Yesterday, else the date', () => {
  assert.equal(dayLabel('2026-11-25', NOW), 'Today');
  assert.equal(dayLabel('2026-11-24', NOW), 'Yesterday');
  assert.match(dayLabel('2026-11-20', NOW), /20/);
  assert.equal(localDayKey(new Date(2026, 0, 5)), '2026-01-05');
});

test('parseDayRange reads days, ranges, open ranges, today, yesterday and Nd', () => {
  assert.deepEqual(parseDayRange('2026-11-20', NOW), { fromDay: '2026-11-20', toDay: '2026-11-20' });
  assert.deepEqual(parseDayRange(' 2026-11-20..2026-11-25 ', NOW), { fromDay: '2026-11-20', toDay: '2026-11-25' });
  assert.deepEqual(parseDayRange('2026-11-20..', NOW), { fromDay: '2026-11-20', toDay: undefined });
  assert.deepEqual(parseDayRange('..2026-11-25', NOW), { fromDay: undefined, toDay: '2026-11-25' });
  assert.deepEqual(parseDayRange('today', NOW), { fromDay: '2026-11-25', toDay: '2026-11-25' });
  assert.deepEqual(parseDayRange('Yesterday', NOW), { fromDay: '2026-11-24', toDay: '2026-11-24' });
  assert.deepEqual(parseDayRange('7d', NOW), { fromDay: '2026-11-19', toDay: '2026-11-25' });
});

test('parseDayRange explains what it cannot read', () => {
  for (const bad of ['', '..', 'last week', '2026-02-30', '2026-11-25..2026-11-20', '1..2..3', '0d', '25/11/2026']) {
    const result = parseDayRange(bad, NOW);
    assert.ok('problem' in result, `${JSON.stringify(bad)} should be refused`);
  }
  const reversed = parseDayRange('2026-11-25..2026-11-20', NOW);
  assert.ok('problem' in reversed && /starts after it ends/.test(reversed.problem));
});

test('filterQuery turns local days into add_time bounds (the end day included) and keeps the other fields', () => {
  const query = filterQuery({
    callUuid: 'c1a7a1b2-0000-4000-8000-000000000001',
    fromNumber: '14155550101',
    toNumber: '14155550202',
    fromDay: '2026-11-20',
    toDay: '2026-11-25',
  });
  assert.equal(query.callUuid, 'c1a7a1b2-0000-4000-8000-000000000001');
  assert.equal(query.fromNumber, '14155550101');
  assert.equal(query.toNumber, '14155550202');
  assert.equal((query.addTimeGte as Date).getTime(), new Date(2026, 10, 20).getTime());
  assert.equal((query.addTimeLt as Date).getTime(), new Date(2026, 10, 26).getTime());
  assert.deepEqual(filterQuery({}), {});
});

test('describeFilter names each active field for the view description', () => {
  assert.equal(describeFilter({}), '');
  assert.equal(
    describeFilter({ fromNumber: '14155550101', fromDay: '2026-11-20', toDay: '2026-11-25' }),
    'from 14155550101, 2026-11-20 – 2026-11-25',
  );
  assert.equal(describeFilter({ fromDay: '2026-11-25', toDay: '2026-11-25' }), 'on 2026-11-25');
  assert.equal(describeFilter({ fromDay: '2026-11-20' }), 'since 2026-11-20');
  assert.equal(describeFilter({ toDay: '2026-11-20' }), 'until 2026-11-20');
  assert.match(describeFilter({ callUuid: 'c1a7a1b2-0000-4000-8000-000000000001' }), /^call c1a7a1b2-000…$/);
});

test('numberFilterProblem accepts E.164 numbers and SIP endpoints only', () => {
  for (const ok of ['14155550101', '+14155550101', 'sip:alice@example.com']) {
    assert.equal(numberFilterProblem(ok), undefined);
  }
  for (const bad of ['', '12', 'alice', '+1 415 555 0101', 'sip:']) assert.ok(numberFilterProblem(bad), bad);
});

test('isLoopbackUrl is true only for addresses of this machine', () => {
  for (const url of [
    'http://127.0.0.1:8099/recordings/a.mp3',
    'http://localhost/x',
    'http://[::1]:80/',
    'http://app.localhost/',
    'http://0.0.0.0:1/',
  ]) {
    assert.equal(isLoopbackUrl(url), true, url);
  }
  for (const url of [
    'https://media.plivo.com/v1/Account/MA/Recording/x.mp3',
    'http://s3.amazonaws.com/a.mp3',
    'not a url',
    'http://127.example.com/',
  ]) {
    assert.equal(isLoopbackUrl(url), false, url);
  }
});

test('recordingFileName is <call UUID or recording id>.<format>, safe as a file name', () => {
  assert.equal(recordingFileName({ callUuid: 'c1a7', recordingId: 'r1', format: 'wav' }), 'c1a7.wav');
  assert.equal(recordingFileName({ callUuid: '', recordingId: 'r1', format: 'mp3' }), 'r1.mp3');
  assert.equal(recordingFileName({ callUuid: '../etc/passwd', format: '' }), '.._etc_passwd.mp3');
});
