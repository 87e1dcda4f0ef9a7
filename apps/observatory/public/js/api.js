// @ts-check
// The observatory's JSON API, as the views call it.

/**
 * GETs a route and returns its JSON as the caller says it is shaped (see types.d.ts); a
 * non-2xx answer throws with the API's reason.
 * @template T
 * @param {string} path
 * @param {Record<string, string | number | undefined>} [params]
 * @returns {Promise<T>}
 */
export async function getJson(path, params = {}) {
  const url = new URL(path, location.origin);
  for (const [name, value] of Object.entries(params))
    if (value !== undefined) url.searchParams.set(name, String(value));
  const response = await fetch(url, { headers: { Accept: 'application/json' } });
  const body = await response.json();
  if (!response.ok) {
    const reason = /** @type {{ error?: { message?: string } }} */ (body).error?.message;
    throw new Error(reason ?? `${response.status} from ${path}`);
  }
  return /** @type {T} */ (body);
}
