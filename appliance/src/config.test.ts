import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'node:test';
import { loadConfig } from './config.ts';

test('defaults: HTTP 8080, MQTT 1883', () => {
  const config = loadConfig({});
  assert.equal(config.httpPort, 8080);
  assert.equal(config.mqttPort, 1883);
});

test('environment wins over the file', () => {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cfg-')), 'appliance.json');
  fs.writeFileSync(file, JSON.stringify({ httpPort: 9000, aircraft: 'b789' }));
  const config = loadConfig({ IFEC_CONFIG: file, IFEC_HTTP_PORT: '9100' });
  assert.equal(config.httpPort, 9100);
  assert.equal(config.aircraft, 'b789');
});

test('an unknown key or a bad value names the key in one line', () => {
  assert.throws(() => loadConfig({ IFEC_HTTP_PROT: '80' }), {
    name: 'ConfigError',
    code: 'CONFIG_INVALID',
    message: /^unknown config key IFEC_HTTP_PROT/,
  });
  assert.throws(() => loadConfig({ IFEC_MQTT_PORT: '70000' }), /IFEC_MQTT_PORT: .*65535/);
  assert.throws(() => loadConfig({ IFEC_HTTP_PORT: 'eighty' }), /IFEC_HTTP_PORT/);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cfg-')), 'appliance.json');
  fs.writeFileSync(file, JSON.stringify({ httpport: 1 }));
  assert.throws(() => loadConfig({ IFEC_CONFIG: file }), /unknown config key httpport/);
  fs.writeFileSync(file, '{nope');
  assert.throws(() => loadConfig({ IFEC_CONFIG: file }), /not valid JSON/);
});

test('flight position sources are checked at start, best first, and a bad one is named', () => {
  const config = loadConfig({ IFEC_FLIGHT_SOURCES: 'nmea-udp:10110,replay:/data/track.csv@60,simulator:LHR-WSSS@30' });
  assert.equal(config.flightSources, 'nmea-udp:10110,replay:/data/track.csv@60,simulator:LHR-WSSS@30');
  assert.equal(config.flightMaxDatagramsPerS, 1000);
  assert.throws(
    () => loadConfig({ IFEC_FLIGHT_SOURCES: 'nmea-udp:99999' }),
    /IFEC_FLIGHT_SOURCES: nmea-udp:99999: port must be 0-65535/,
  );
  assert.throws(
    () => loadConfig({ IFEC_FLIGHT_SOURCES: 'radar:1' }),
    /IFEC_FLIGHT_SOURCES: .*unknown source type radar/,
  );
  assert.throws(
    () => loadConfig({ IFEC_FLIGHT_SOURCES: 'simulator:London-Singapore' }),
    /IFEC_FLIGHT_SOURCES: .*IATA or ICAO/,
  );
  assert.throws(() => loadConfig({ IFEC_FLIGHT_SOURCES: 'replay:/x.csv@0' }), /IFEC_FLIGHT_SOURCES: .*speed/);
  assert.throws(() => loadConfig({ IFEC_FLIGHT_MAX_DATAGRAMS_PER_S: '0' }), /IFEC_FLIGHT_MAX_DATAGRAMS_PER_S/);
});
