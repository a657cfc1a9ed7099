/**
 * The RFC 6381 codec string of an H.264 rendition, read from its CMAF init segment's avcC box
 * (profile, constraint flags, level), so CODECS says exactly what the encoder produced.
 */
export function avcCodecFromInit(init: Buffer): string {
  const at = init.indexOf('avcC');
  if (at < 0 || at + 8 > init.length) throw new Error('init segment has no avcC box');
  // avcC payload: configurationVersion, AVCProfileIndication, profile_compatibility, AVCLevelIndication
  const bytes = init.subarray(at + 5, at + 8);
  return `avc1.${bytes.toString('hex')}`;
}
