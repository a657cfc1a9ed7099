import test from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
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
  assert.throws(() => loadConfig({ IFEC_HTTP_PROT: '80' }), { name: 'ConfigError', code: 'CONFIG_INVALID', message: /^unknown config key IFEC_HTTP_PROT/ });
  assert.throws(() => loadConfig({ IFEC_MQTT_PORT: '70000' }), /IFEC_MQTT_PORT: .*65535/);
  assert.throws(() => loadConfig({ IFEC_HTTP_PORT: 'eighty' }), /IFEC_HTTP_PORT/);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cfg-')), 'appliance.json');
  fs.writeFileSync(file, JSON.stringify({ httpport: 1 }));
  assert.throws(() => loadConfig({ IFEC_CONFIG: file }), /unknown config key httpport/);
  fs.writeFileSync(file, '{nope');
  assert.throws(() => loadConfig({ IFEC_CONFIG: file }), /not valid JSON/);
});
