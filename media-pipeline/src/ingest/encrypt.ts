/**
 * AES-128 for the media segments. Debian's ffmpeg cannot write encrypted fMP4, so we encrypt
 * ffmpeg's clear CMAF segments ourselves: AES-128-CBC over the whole segment, PKCS#7 padding,
 * a fresh random IV per segment written into the playlist. The init section stays clear
 * (players such as VLC fail on an encrypted EXT-X-MAP).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { MEDIA_PLAYLIST_FILE } from '../tools/ffmpeg-commands.ts';
import { mediaSegments, withSegmentKeys } from './playlists.ts';

export const CONTENT_KEY_BYTES = 16;

export function newContentKey(): { keyId: string; key: Buffer } {
  return { keyId: crypto.randomBytes(16).toString('hex'), key: crypto.randomBytes(CONTENT_KEY_BYTES) };
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
  const ivs = new Map<string, string>();
  const segments: EncryptedRendition['segments'] = [];
  for (const s of mediaSegments(playlist)) {
    const file = path.join(dir, s.uri);
    const iv = crypto.randomBytes(16);
    const encrypted = encryptSegment(fs.readFileSync(file), key, iv);
    fs.writeFileSync(file, encrypted);
    ivs.set(s.uri, iv.toString('hex'));
    segments.push({ ...s, bytes: encrypted.length });
  }
  fs.writeFileSync(playlistFile, withSegmentKeys(playlist, keyUri, ivs));
  return { segments };
}
