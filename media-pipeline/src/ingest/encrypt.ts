/**
 * AES-128 for the media segments. Debian's ffmpeg cannot write encrypted fMP4, so we encrypt
 * ffmpeg's clear CMAF segments ourselves: AES-128-CBC over the whole segment, PKCS#7 padding,
 * and as IV the segment's media sequence number (a 16-byte big-endian integer), which is what
 * a player assumes when the one #EXT-X-KEY tag has no IV attribute (RFC 8216 §5.2). A fresh key
 * per title keeps IVs from repeating under one key. The init section stays clear (players such
 * as VLC fail on an encrypted EXT-X-MAP).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { MEDIA_PLAYLIST_FILE } from '../tools/ffmpeg-commands.ts';
import { mediaSegments, withKeyTag } from './playlists.ts';

export const CONTENT_KEY_BYTES = 16;

export function newContentKey(): { keyId: string; key: Buffer } {
  return { keyId: crypto.randomBytes(16).toString('hex'), key: crypto.randomBytes(CONTENT_KEY_BYTES) };
}

/** The IV of the segment with this media sequence number, when the key tag gives none. */
export function sequenceIv(sequence: number): Buffer {
  if (!Number.isSafeInteger(sequence) || sequence < 0) throw new Error(`not a media sequence number: ${sequence}`);
  const iv = Buffer.alloc(16);
  iv.writeBigUInt64BE(BigInt(sequence), 8);
  return iv;
}

export function encryptSegment(clear: Buffer, key: Buffer, iv: Buffer): Buffer {
  const cipher = crypto.createCipheriv('aes-128-cbc', key, iv);
  return Buffer.concat([cipher.update(clear), cipher.final()]);
}

export function decryptSegment(encrypted: Buffer, key: Buffer, iv: Buffer): Buffer {
  const decipher = crypto.createDecipheriv('aes-128-cbc', key, iv);
  return Buffer.concat([decipher.update(encrypted), decipher.final()]);
}

export interface EncryptedRendition {
  segments: Array<{ uri: string; durationS: number; bytes: number }>;
}

/** Encrypts every segment of one rendition in place and rewrites its playlist. */
export function encryptRendition(dir: string, key: Buffer, keyUri: string): EncryptedRendition {
  const playlistFile = path.join(dir, MEDIA_PLAYLIST_FILE);
  const playlist = fs.readFileSync(playlistFile, 'utf8');
  const segments: EncryptedRendition['segments'] = [];
  for (const s of mediaSegments(playlist)) {
    const file = path.join(dir, s.uri);
    const encrypted = encryptSegment(fs.readFileSync(file), key, sequenceIv(s.sequence));
    fs.writeFileSync(file, encrypted);
    segments.push({ uri: s.uri, durationS: s.durationS, bytes: encrypted.length });
  }
  fs.writeFileSync(playlistFile, withKeyTag(playlist, keyUri));
  return { segments };
}
