/** Test support for resume anywhere: seat tokens, phones, pairing, real ResumeClients over MQTT. */

import {
  type PairingClaimed,
  type PairingCode,
  pairingPaths,
  phoneDevice,
  replicationPaths,
  SEAT_DEVICE,
} from '@ifec/protocol';
import { mqttTransport, ResumeClient } from '@ifec/protocol/resume-client';
import type { MqttClient } from 'mqtt';
import { connectMqtt, seatClient, type TestAppliance } from './support.ts';

/** The parts of a running appliance these helpers use (in-process or a child process). */
export interface ApplianceEndpoint {
  url: string;
  httpPort: number;
  mqttPort: number;
  credentials: TestAppliance['credentials'];
}

export async function postJson(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
  method = 'POST',
  // biome-ignore lint/suspicious/noExplicitAny: a test reads whichever fields each endpoint answers
): Promise<{ status: number; json: any }> {
  const res = await fetch(url, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, json: await res.json().catch(() => undefined) };
}

export async function seatToken(app: ApplianceEndpoint, seatId: string): Promise<string> {
  const { status, json } = await postJson(`${app.url}${replicationPaths.seatLogin}`, {
    seatId,
    secret: app.credentials.seats[seatId],
  });
  if (status !== 200) throw new Error(`seat login ${status}`);
  return json.token as string;
}

export interface Phone {
  deviceId: string;
  password: string;
}

export async function registerPhone(app: ApplianceEndpoint): Promise<Phone> {
  const { json } = await postJson(`${app.url}/api/phones`, {});
  return { deviceId: json.deviceId, password: json.mqtt.password };
}

export async function pairingCode(app: ApplianceEndpoint, seatId: string): Promise<PairingCode> {
  const { status, json } = await postJson(
    `${app.url}${pairingPaths.seatCodes}`,
    {},
    { authorization: `Bearer ${await seatToken(app, seatId)}` },
  );
  if (status !== 201) throw new Error(`pairing code ${status} ${JSON.stringify(json)}`);
  return json as PairingCode;
}

export function claim(app: ApplianceEndpoint, phone: Phone, code: string, headers: Record<string, string> = {}) {
  return postJson(`${app.url}${pairingPaths.claim}`, { ...phone, code }, headers);
}

/** A phone registered, paired with the seat, and connected to the cabin bus over WebSocket. */
export async function pairedPhone(
  app: ApplianceEndpoint,
  seatId: string,
): Promise<{ phone: Phone; claimed: PairingClaimed; mqtt: MqttClient }> {
  const phone = await registerPhone(app);
  const { code } = await pairingCode(app, seatId);
  const { status, json } = await claim(app, phone, code);
  if (status !== 200) throw new Error(`claim ${status} ${JSON.stringify(json)}`);
  return { phone, claimed: json as PairingClaimed, mqtt: await phoneMqtt(app, phone) };
}

export function phoneMqtt(app: ApplianceEndpoint, phone: Phone): Promise<MqttClient> {
  return connectMqtt(`ws://127.0.0.1:${app.httpPort}/mqtt`, {
    username: `phone:${phone.deviceId}`,
    password: phone.password,
    clientId: `phone-${phone.deviceId}-${Math.random().toString(36).slice(2, 6)}`,
  });
}

/** The seat's live session id, read as the seat does: retained on seat/<S>/session. */
export function liveSession(mqtt: MqttClient, seatId: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const topic = `seat/${seatId}/session`;
    const timer = setTimeout(() => reject(new Error('no session announcement')), 5000);
    const onMessage = (t: string, payload: Buffer) => {
      if (t !== topic) return;
      clearTimeout(timer);
      mqtt.off('message', onMessage);
      mqtt.unsubscribe(topic);
      resolve((JSON.parse(payload.toString()) as { sessionId: string }).sessionId);
    };
    mqtt.on('message', onMessage);
    mqtt.subscribe(topic, { qos: 1 });
  });
}

export async function seatResume(
  app: TestAppliance | ApplianceEndpoint,
  seatId: string,
  now?: () => number,
): Promise<{ client: ResumeClient; mqtt: MqttClient }> {
  const mqtt = await seatClient(app as TestAppliance, seatId, 'ws');
  const sessionId = await liveSession(mqtt, seatId);
  const client = new ResumeClient({ seatId, sessionId, device: SEAT_DEVICE, now });
  await client.connect(mqttTransport(mqtt));
  return { client, mqtt };
}

export async function phoneResume(app: ApplianceEndpoint, seatId: string, now?: () => number) {
  const paired = await pairedPhone(app, seatId);
  const client = new ResumeClient({
    seatId,
    sessionId: paired.claimed.sessionId,
    device: phoneDevice(paired.phone.deviceId),
    now,
  });
  await client.connect(mqttTransport(paired.mqtt));
  return { client, ...paired };
}

/** Resolves with the next message on a topic. */
export function nextMessage(mqtt: MqttClient, topic: string, timeoutMs = 3000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      mqtt.off('message', on);
      reject(new Error(`nothing on ${topic}`));
    }, timeoutMs);
    const on = (t: string, payload: Buffer) => {
      if (t !== topic) return;
      clearTimeout(timer);
      mqtt.off('message', on);
      resolve(payload);
    };
    mqtt.on('message', on);
  });
}

export function subscribe(mqtt: MqttClient, filter: string): Promise<number> {
  // mqtt.js 5 reports a refused filter (SUBACK 0x80) as an error named after it.
  return new Promise((resolve, reject) =>
    mqtt.subscribe(filter, { qos: 1 }, (err, granted) => {
      if (err) return /Subscribe error/.test(err.message) ? resolve(128) : reject(err);
      resolve(granted![0]!.qos);
    }),
  );
}
