/**
 * RxDB schemas of the two replicated collections. The shapes are protocol/src/replication.ts
 * (CatalogTitleDoc, SeatStateDoc); nested parts are left as plain objects because the
 * appliance validates what it stores and serves. `_deleted` is RxDB's own field.
 */

import type { CatalogTitleDoc, SeatStateDoc } from '@ifec/protocol';
import type { RxJsonSchema } from 'rxdb';

export type TitleDocument = Omit<CatalogTitleDoc, '_deleted'>;
/** `updatedAt` is the appliance's: a seat's new document has none until it is pushed. */
export type SeatStateDocument = Omit<SeatStateDoc, '_deleted'>;

const text = { type: 'string' } as const;
const object = { type: 'object' } as const;
const texts = { type: 'object', additionalProperties: { type: 'string' } } as const;

export const titleSchema: RxJsonSchema<TitleDocument> = {
  title: 'catalogue title',
  version: 0,
  primaryKey: 'id',
  type: 'object',
  properties: {
    id: { type: 'string', maxLength: 64 },
    loadId: text,
    kind: { type: 'string', maxLength: 16 },
    series: object,
    album: object,
    titles: texts,
    synopses: texts,
    genres: { type: 'array', items: text },
    cast: { type: 'array', items: object },
    rating: object,
    releaseYear: { type: 'number' },
    originalLanguage: text,
    durationS: { type: 'number' },
    audioLanguages: { type: 'array', items: object },
    subtitleLanguages: { type: 'array', items: object },
    rights: text,
    priceTier: text,
    licence: object,
    regions: object,
    addedAt: text,
    poster: text,
    backdrop: text,
    images: { type: 'array', items: object },
    master: text,
    searchText: text,
    updatedAt: { type: 'number' },
  },
  required: [
    'id',
    'loadId',
    'kind',
    'titles',
    'synopses',
    'genres',
    'cast',
    'rating',
    'originalLanguage',
    'durationS',
    'audioLanguages',
    'subtitleLanguages',
    'rights',
    'priceTier',
    'licence',
    'regions',
    'addedAt',
    'images',
    'master',
    'searchText',
    'updatedAt',
  ],
} as unknown as RxJsonSchema<TitleDocument>;

export const seatStateSchema: RxJsonSchema<SeatStateDocument> = {
  title: 'seat state',
  version: 0,
  primaryKey: 'id',
  type: 'object',
  properties: {
    id: { type: 'string', maxLength: 80 },
    kind: { type: 'string', maxLength: 16 },
    value: object,
    updatedAt: { type: 'number' },
  },
  required: ['id', 'kind', 'value'],
} as unknown as RxJsonSchema<SeatStateDocument>;
