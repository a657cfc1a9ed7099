/**
 * The ground's card-data key: RSA-OAEP-256 (WebCrypto has it in every browser; X25519 sealed
 * boxes do not). Seats encrypt with the public half from the shop catalogue; only the ground
 * holds the private half. Read from GROUND_CARD_KEY_FILE, or made once in the data dir.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { type CardEncryptionKey, type CardPlaintext, cardPlaintext, IfecError } from '@ifec/protocol';

export class CardKey {
  private constructor(
    private readonly privateKey: crypto.KeyObject,
    readonly publicKey: CardEncryptionKey,
  ) {}

  static fromPem(pem: string): CardKey {
    const privateKey = crypto.createPrivateKey(pem);
    if (privateKey.asymmetricKeyType !== 'rsa' || (privateKey.asymmetricKeyDetails?.modulusLength ?? 0) < 2048)
      throw new IfecError('CARD_KEY_INVALID', 'the card key must be an RSA private key of at least 2048 bits');
    const spki = crypto.createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
    const keyId = crypto.createHash('sha256').update(spki).digest('hex').slice(0, 32);
    return new CardKey(privateKey, { alg: 'RSA-OAEP-256', spki: spki.toString('base64'), keyId });
  }

  /** The file's key, or a new one written there (0600, atomically) when there is none. */
  static loadOrCreate(file: string): CardKey {
    if (fs.existsSync(file)) return CardKey.fromPem(fs.readFileSync(file, 'utf8'));
    const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 3072 });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const tmp = `${file}.tmp`;
    fs.writeFileSync(tmp, pem, { mode: 0o600 });
    fs.renameSync(tmp, file);
    return CardKey.fromPem(pem);
  }

  /** The card inside a sealed token; undefined when it does not open or is not a card. */
  open(ciphertextBase64: string): CardPlaintext | undefined {
    try {
      const plain = crypto.privateDecrypt(
        { key: this.privateKey, padding: crypto.constants.RSA_PKCS1_OAEP_PADDING, oaepHash: 'sha256' },
        Buffer.from(ciphertextBase64, 'base64'),
      );
      const parsed = cardPlaintext.safeParse(JSON.parse(plain.toString('utf8')));
      return parsed.success ? parsed.data : undefined;
    } catch {
      return undefined;
    }
  }
}
