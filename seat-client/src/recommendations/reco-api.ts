/** The appliance's recommendations API as the seat and a paired phone call it (paths.recommendations). */
import { paths, type RecoRows, type RecoSignal } from '@ifec/protocol';
import { ApiClient, ApiError } from '../api/api-client.ts';
import type { ViewerCredentials } from '../cabin/seat-identity.ts';

export class RecommendationsApi {
  private readonly client: ApiClient;

  constructor(
    baseUrl: string,
    private readonly credentials: () => Promise<ViewerCredentials | undefined>,
    fetchFn?: typeof fetch,
  ) {
    this.client = new ApiClient(baseUrl, fetchFn, 5000);
  }

  private async headers(): Promise<Record<string, string>> {
    const c = await this.credentials();
    if (!c) throw new ApiError(0, 'NO_CREDENTIALS', 'this device has no credentials for the appliance yet');
    return { authorization: `Basic ${btoa(unescape(encodeURIComponent(`${c.username}:${c.password}`)))}` };
  }

  /** The rows last received, by language: drawn at once while fresh ones are asked for. */
  readonly last = new Map<string, RecoRows>();

  /** Checked with the protocol's schema: a bad answer is dropped, never drawn. */
  async rows(lang: string): Promise<RecoRows> {
    const body = await this.client.request<unknown>(`${paths.recommendations.rows}?lang=${encodeURIComponent(lang)}`, {
      headers: await this.headers(),
    });
    const { recoRows } = await import('./reco-check.ts');
    const parsed = recoRows.safeParse(body);
    if (!parsed.success) throw new ApiError(200, 'BAD_RESPONSE', 'the recommendation rows do not match the protocol');
    this.last.set(lang, parsed.data);
    return parsed.data;
  }

  async consent(): Promise<{ personalised: boolean; chosen: boolean }> {
    return this.client.request(paths.recommendations.consent, { headers: await this.headers() });
  }

  async setConsent(personalised: boolean): Promise<void> {
    await this.client.request(paths.recommendations.consent, {
      method: 'PUT',
      body: { personalised },
      headers: await this.headers(),
    });
  }

  async signal(signal: RecoSignal): Promise<void> {
    await this.client.request(paths.recommendations.signals, {
      method: 'POST',
      body: signal,
      headers: await this.headers(),
    });
  }
}

type ApiHolder = { screen: { baseUrl: string }; credentials(): Promise<ViewerCredentials | undefined> };
const apis = new WeakMap<ApiHolder, RecommendationsApi>();

/** The API for this app (one per app context, so its last rows survive a re-render of home). */
export function recommendationsApiOf(ctx: ApiHolder): RecommendationsApi {
  let api = apis.get(ctx);
  if (!api) {
    api = new RecommendationsApi(ctx.screen.baseUrl, () => ctx.credentials());
    apis.set(ctx, api);
  }
  return api;
}

/** A search tells taste only once the passenger stops typing; three letters at least. */
export function searchSignaller(api: RecommendationsApi, waitMs = 1500): (query: string) => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return (query) => {
    clearTimeout(timer);
    const q = query.trim().slice(0, 100);
    if (q.length < 3) return;
    timer = setTimeout(() => {
      api.signal({ kind: 'searched', query: q }).catch(() => undefined);
    }, waitMs);
  };
}
