import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { test } from 'node:test';
import { decodeArinc429Word, encodeArinc429Bnr } from './arinc429.ts';
import { decodeGdl90Message, encodeGdl90Frame, gdl90Crc, splitGdl90Frames } from './gdl90.ts';
import { NmeaLineFramer, parseNmeaLine, withChecksum } from './nmea.ts';

test('NMEA: lines are framed across chunks whatever the line ending; over-long fragments are dropped', () => {
  const f = new NmeaLineFramer();
  assert.deepEqual(f.push('$GPGGA,1').lines, []);
  assert.deepEqual(f.push('23\r\n$GPVTG\n$GPRMC\r').lines, ['$GPGGA,123', '$GPVTG', '$GPRMC']);
  assert.deepEqual(f.push('\n').lines, [], 'a CR then the LF in the next chunk is one line ending');
  assert.equal(f.push('x'.repeat(500)).dropped, 1);
  assert.equal(f.flush(), '');
});

test('NMEA: the sentences we read give their values; every other line says why not', () => {
  const gga = parseNmeaLine(withChecksum('$GNGGA,092750.000,5321.6802,N,00630.3372,W,1,8,1.03,61.7,M,55.2,M,,'));
  assert.ok(gga.ok);
  assert.ok(Math.abs(gga.value.lat! - 53.36134) < 1e-5 && Math.abs(gga.value.lon! + 6.50562) < 1e-5);
  assert.equal(gga.value.altitudeM, 61.7);
  const vtg = parseNmeaLine(withChecksum('$GPVTG,054.7,T,034.4,M,005.5,N,010.2,K'));
  assert.ok(vtg.ok && vtg.value.trackDeg === 54.7 && Math.abs(vtg.value.groundSpeedMps! - 2.8294) < 1e-3);
  const reasons = [
    '',
    '$GPGGA,1,2*00',
    '$GPGGA,092750.000',
    withChecksum('$GPXXX,1'),
    withChecksum('$ZZGGA,1,2,3,4,5,6,7,8,9,10'),
    withChecksum('$GPRMC,092750,V,,,,,,,010126,,,N'),
    'hello',
    '$GPGGA\u0001,1*00',
  ].map((l) => {
    const r = parseNmeaLine(l);
    return r.ok ? 'ok' : r.reason;
  });
  assert.deepEqual(reasons, [
    'blank',
    'checksum',
    'truncated',
    'unknown_type',
    'talker',
    'no_fix',
    'garbage',
    'garbage',
  ]);
});

test('GDL90: the FAA heartbeat vector verifies; stuffing survives flag and escape bytes in the data', () => {
  const frames = splitGdl90Frames(Buffer.from('7E0081 41DBD00802B38B7E'.replace(/ /g, ''), 'hex'));
  assert.equal(frames.length, 1);
  assert.ok(frames[0]!.ok);
  assert.equal(gdl90Crc(Buffer.from('00814 1DBD00802'.replace(/ /g, ''), 'hex')), 0x8bb3);
  const hb = decodeGdl90Message(frames[0]!.value);
  assert.ok(hb.ok && hb.value.type === 'heartbeat' && hb.value.gpsPositionValid && hb.value.uatInitialized);
  const message = Uint8Array.from([11, 0x7e, 0x7d, 0x00, 0x0a]);
  const frame = encodeGdl90Frame(message);
  assert.ok(frame.length > message.length + 4, 'flag and escape bytes are stuffed');
  const back = splitGdl90Frames(Buffer.concat([frame, frame]));
  assert.equal(back.length, 2);
  assert.ok(back[0]!.ok && Buffer.from(back[0]!.value).equals(Buffer.from(message)));
  const torn = splitGdl90Frames(frame.subarray(0, frame.length - 1));
  assert.deepEqual(
    torn.map((r) => !r.ok && r.reason),
    ['truncated'],
  );
});

test('ARINC 429: BNR values round-trip at their resolution; one flipped bit fails parity', () => {
  for (const [label, value, resolution] of [
    [0o310, -33.9461, 0.0002],
    [0o311, 151.1772, 0.0002],
    [0o312, 487.25, 0.125],
    [0o203, 41000, 1],
    [0o213, -48.25, 0.25],
  ] as const) {
    const word = encodeArinc429Bnr(label, value);
    const decoded = decodeArinc429Word(word);
    assert.ok(decoded.ok && decoded.value.label === label, label.toString(8));
    assert.ok(
      Math.abs(decoded.value.value! - value) <= resolution,
      `${label.toString(8)}: ${decoded.value.value} for ${value}`,
    );
    for (let bit = 0; bit < 32; bit += 7) {
      const bad = decodeArinc429Word((word ^ (1 << bit)) >>> 0);
      assert.ok(!bad.ok && bad.reason === 'parity');
    }
  }
});

test('random bytes never throw: every parser answers with a reason', () => {
  for (let i = 0; i < 2000; i++) {
    const bytes = crypto.randomBytes(1 + (i % 200));
    for (const frame of splitGdl90Frames(bytes)) if (frame.ok) decodeGdl90Message(frame.value);
    const framer = new NmeaLineFramer();
    for (const line of framer.push(bytes).lines) parseNmeaLine(line);
    parseNmeaLine(`$GP${bytes.toString('latin1')}`);
    if (bytes.length >= 4) decodeArinc429Word(bytes.readUInt32BE(0));
  }
});
